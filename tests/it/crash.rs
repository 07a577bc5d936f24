//! Issue item 4: a run killed mid-apply loses nothing. The journal (one line per
//! checkpoint) is replayed by the next run, which finishes the job without duplicates.

use crate::support::{resource_addrs, Work};
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

/// The next apply finishes the job: every resource exactly once, all ready, no changes left.
fn assert_recovered(w: &Work) {
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
