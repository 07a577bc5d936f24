//! Issue item 4: a run killed mid-apply loses nothing. The journal (one line per
//! checkpoint) is replayed by the next run, which finishes the job without duplicates.
//! `terraform_data` gets a random `id` per create, so the ids the journal held at the kill
//! surviving the resume tell a replayed journal from a fresh start (which re-creates all).

use crate::support::{resource_addrs, Work};
use serde_json::Value as J;
use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

const N: usize = 3000;
/// Kill once the journal holds this much: well past the first checkpoints, far from the end.
const KILL_AFTER_BYTES: u64 = 16 * 1024;

/// A chain: each resource's `input` is the previous one's `output`, so the walk is serial.
fn chain(n: usize) -> String {
    let mut s = String::from("resource \"terraform_data\" \"r0\" {\n  input = 0\n}\n");
    for i in 1..n {
        s.push_str(&format!(
            "\nresource \"terraform_data\" \"r{i}\" {{\n  input = terraform_data.r{}.output\n}}\n",
            i - 1
        ));
    }
    s
}

/// Starts `apply` on a fresh chain and SIGKILLs it once the journal has grown.
fn kill_midway() -> Work {
    let w = Work::empty();
    w.write("main.tf", &chain(N));
    let dir = w.arg();

    let mut child = w
        .command(&["apply", &dir, "--auto-approve", "--parallelism", "10"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn hubctl apply");
    let journal = w.journal_path();
    let deadline = Instant::now() + Duration::from_secs(60);
    let killed_at = loop {
        let len = std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0);
        if len > KILL_AFTER_BYTES {
            child.kill().expect("kill hubctl");
            break len;
        }
        if let Some(status) = child.try_wait().expect("poll hubctl") {
            panic!("apply ended by itself ({status}) before the journal reached {KILL_AFTER_BYTES} bytes; make the chain longer");
        }
        assert!(Instant::now() < deadline, "journal never grew");
        std::thread::sleep(Duration::from_millis(2));
    };
    let status = child.wait().expect("reap hubctl");
    assert_eq!(
        status.signal(),
        Some(9),
        "the first run must die by SIGKILL, not finish ({status})"
    );
    // Evidence that it stopped midway: the journal has only part of the checkpoints.
    let lines = std::fs::read_to_string(&journal)
        .map(|t| t.lines().count())
        .unwrap_or(0);
    assert!(
        lines < N,
        "journal ({killed_at} bytes at kill) has {lines} lines: the run was not interrupted"
    );

    w
}

/// The `id` of every ready instance the killed run recorded: the snapshot (if any) with the
/// journal's complete lines folded in, as the loader replays them.
fn recorded_ids(w: &Work) -> BTreeMap<String, String> {
    let mut ready: BTreeMap<String, J> = BTreeMap::new();
    if w.state_path().exists() {
        let state = w.state();
        for (addr, r) in state["resources"].as_object().expect("resources object") {
            ready.insert(addr.clone(), r.clone());
        }
    }
    let journal = std::fs::read_to_string(w.journal_path()).unwrap_or_default();
    // A kill mid-append can leave the last line torn: only newline-terminated lines count.
    let complete = journal.rsplit_once('\n').map_or("", |(done, _)| done);
    for line in complete.lines() {
        let v: J = serde_json::from_str(line).expect("a complete journal line is JSON");
        let ops = match v {
            J::Array(ops) => ops,
            op if op.get("op").is_some() => vec![op],
            _ => continue, // the header
        };
        for op in ops {
            let addr = op["address"].as_str().expect("op address").to_string();
            match op["op"].as_str() {
                Some("set_instance") => ready.insert(addr, op["instance"].clone()),
                Some("remove_instance") => ready.remove(&addr),
                other => panic!("unexpected journal op {other:?}"),
            };
        }
    }
    ready
        .into_iter()
        .filter(|(_, r)| r["status"].as_str().unwrap_or("ready") == "ready")
        .map(|(a, r)| {
            let id = r["attributes"]["id"].as_str().expect("terraform_data id");
            (a, id.to_string())
        })
        .collect()
}

/// The next apply finishes the job: every resource exactly once, all ready, no changes left,
/// and what the killed run had recorded kept as it was.
fn assert_recovered(w: &Work) {
    let before = recorded_ids(w);
    assert!(
        before.len() > 10 && before.len() < N,
        "the killed run recorded {} of {N} resources: expected some, not all",
        before.len()
    );
    let again = w.run(&["apply", &w.arg(), "--auto-approve"]);
    again.expect_code(0);

    let raw = w.read(".hubctl/state.json");
    let state = w.state();
    let addrs = resource_addrs(&state);
    assert_eq!(addrs.len(), N);
    // An object cannot hold a key twice once parsed, so count the raw entries as well.
    assert_eq!(
        raw.matches("\"mode\": \"managed\"").count(),
        N,
        "a resource is recorded twice"
    );
    let resources = state["resources"].as_object().expect("resources object");
    for i in 0..N {
        let r = &resources[&format!("terraform_data.r{i}")];
        assert_eq!(r["status"], serde_json::json!("ready"), "r{i}: {r}");
        if i > 0 {
            let prev = &resources[&format!("terraform_data.r{}", i - 1)];
            assert_eq!(
                r["attributes"]["input"],
                prev["attributes"]["output"],
                "r{i} must take r{}'s output",
                i - 1
            );
        }
    }

    let resumed: Vec<_> = before
        .iter()
        .filter(|(a, id)| resources[a.as_str()]["attributes"]["id"].as_str() != Some(id))
        .collect();
    assert!(
        resumed.is_empty(),
        "{} of the {} resources recorded before the kill were created again (journal ignored?), e.g. {:?}",
        resumed.len(),
        before.len(),
        resumed.first()
    );

    w.plan(&[]).expect_code(0);
}

#[test]
fn killed_apply_is_recovered_by_the_next_run() {
    let w = kill_midway();
    assert_recovered(&w);
}

#[test]
fn killed_apply_is_recovered_after_force_unlock() {
    let w = kill_midway();
    // The runbook's way out of a stale lock: release it by the holder's ID.
    if w.lock_path().exists() {
        let lock: serde_json::Value =
            serde_json::from_str(&w.read(".hubctl/state.json.lock")).expect("lock is JSON");
        let id = lock["id"].as_str().expect("lock id").to_string();
        w.run(&["force-unlock", &id, &w.arg()]).expect_code(0);
    }
    assert_recovered(&w);
}
