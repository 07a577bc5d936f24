//! Locks that heal, with real `hubctl` processes on one S3 state (moto): concurrent
//! applies take turns and leave a chain of serials; a holder paused (SIGSTOP) past its
//! lease loses it to the next run and, resumed, writes nothing; and a lock item another
//! tool wrote with only some fields is refused naming its ID and the command that frees it.

use crate::moto::Moto;
use crate::s3_cli::{bootstrapped, cli, cli_command, cli_settings};
use crate::support::{Out, Running, Work};
use hubctl_aws::state::clients::{AttributeValue, Clients};
use hubctl_aws::state::S3Backend;
use hubctl_core::state::{Backend, State};
use std::time::Duration;

/// The lease of the runs of the pause test (short, so the test is quick; long enough that
/// a busy machine still renews in time).
const TTL: &str = "3s";

fn leased(w: &Work, args: &[&str]) -> std::process::Command {
    let mut c = cli_command(w, args);
    c.env("HUBCTL_LOCK_TTL", TTL);
    c
}

fn run(c: &mut std::process::Command) -> Out {
    let o = c.output().expect("run hubctl");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

async fn backend(moto: &Moto) -> S3Backend {
    let s = cli_settings(moto);
    let clients = Clients::new(&s).await;
    S3Backend::connect_with(s, &clients)
}

/// The lock item's `Info` JSON, if the state is locked.
async fn lock_info(moto: &Moto) -> Option<serde_json::Value> {
    let s = cli_settings(moto);
    let clients = Clients::new(&s).await;
    let out = clients
        .dynamodb
        .get_item()
        .table_name("cli-locks")
        .key("LockID", AttributeValue::S(s.lock_id()))
        .consistent_read(true)
        .send()
        .await
        .expect("GetItem");
    let info = out.item()?.get("Info")?.as_s().expect("Info is a string");
    Some(serde_json::from_str(info).expect("Info is JSON"))
}

/// Every stored version of the state, oldest first.
async fn versions(be: &S3Backend) -> Vec<State> {
    let mut out = Vec::new();
    for v in be.history().await.expect("history").iter().rev() {
        out.push(be.load_version(&v.version_id).await.expect("version"));
    }
    out
}

fn cidr(s: &State) -> String {
    s.resources["terraform_data.net"].attributes["input"]
        .as_str()
        .expect("input")
        .to_string()
}

fn signal(r: &Running, sig: &str) {
    let ok = std::process::Command::new("kill")
        .args([sig, &r.pid().to_string()])
        .status()
        .expect("kill");
    assert!(ok.success(), "kill {sig}");
}

/// Eight applies started at once, each setting its own input: all succeed (waiting for
/// the lock), each read the state the one before wrote (the serials of the stored versions
/// go up by one, each version a different input), and the last version is the state loaded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_concurrent_applies_take_turns_and_the_serial_strictly_increases() {
    let moto = Moto::start();
    let (w, dir) = bootstrapped(&moto);
    run(&mut cli_command(&w, &["apply", &dir, "--auto-approve"])).expect_code(0);
    let children: Vec<_> = (1..=8)
        .map(|i| {
            let var = format!("cidr=10.{i}.0.0/16");
            let args: [&str; 6] = [
                "apply",
                &dir,
                "--auto-approve",
                "--lock-timeout=300s",
                "--var",
                &var,
            ];
            cli_command(&w, &args)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn hubctl")
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().expect("wait");
        assert!(
            o.status.success(),
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let be = backend(&moto).await;
    let all = versions(&be).await;
    let serials: Vec<u64> = all.iter().map(|s| s.serial).collect();
    assert_eq!(serials.len(), 9, "one version per apply: {serials:?}");
    assert!(
        serials.windows(2).all(|p| p[1] == p[0] + 1),
        "each run wrote over the one before: {serials:?}"
    );
    let mut inputs: Vec<String> = all[1..].iter().map(cidr).collect();
    inputs.sort();
    inputs.dedup();
    assert_eq!(inputs.len(), 8, "every run applied once: {inputs:?}");
    let last = be.load().await.expect("load").expect("a state");
    assert_eq!(&last, all.last().expect("a version"));
    assert!(lock_info(&moto).await.is_none(), "the lock was released");
}

/// A holder paused past its lease: the next run takes the lock over (saying whose), and
/// the paused one, resumed, has its writes refused; the state is the new holder's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holder_paused_past_its_lease_loses_it_and_writes_nothing() {
    let moto = Moto::start();
    let (w, dir) = bootstrapped(&moto);
    run(&mut leased(&w, &["apply", &dir, "--auto-approve"])).expect_code(0);
    let be = backend(&moto).await;
    let first = be.load().await.expect("load").expect("state").serial;

    let mut a = Running::spawn(leased(&w, &["apply", &dir, "--var", "cidr=10.1.0.0/16"]));
    a.wait_for("Enter a value:");
    let a_lock = lock_info(&moto).await.expect("A holds the lock");
    signal(&a, "-STOP");
    std::thread::sleep(Duration::from_millis(4500));

    let mut b = Running::spawn(leased(&w, &["apply", &dir, "--var", "cidr=10.2.0.0/16"]));
    b.wait_for("Enter a value:");
    let b_out = b.output();
    assert!(b_out.contains("Took over a stale state lock"), "{b_out}");
    assert!(
        b_out.contains(a_lock["ID"].as_str().expect("ID")),
        "{b_out}"
    );
    assert!(
        b_out.contains(a_lock["Who"].as_str().expect("Who")),
        "{b_out}"
    );
    assert!(b_out.contains("last renewed at"), "{b_out}");
    let b_lock = lock_info(&moto).await.expect("B holds the lock");

    signal(&a, "-CONT");
    a.answer("yes");
    let a = a.finish();
    assert_ne!(a.code, 0, "{}", a.stdout);
    assert!(a.stdout.contains("Lock lost"), "{}", a.stdout);
    assert!(
        a.stdout.contains(b_lock["ID"].as_str().expect("ID")),
        "A must name who took its lease:\n{}",
        a.stdout
    );
    assert_eq!(be.load().await.expect("load").expect("state").serial, first);

    b.answer("yes");
    let b = b.finish();
    b.expect_code(0);
    let all = versions(&be).await;
    let serials: Vec<u64> = all.iter().map(|s| s.serial).collect();
    assert_eq!(serials, vec![first, first + 1], "{serials:?}");
    assert_eq!(cidr(&all[1]), "10.2.0.0/16");
    let state = be.load().await.expect("load").expect("state");
    assert_eq!(state, all[1], "nothing A wrote is in the state");
    assert!(lock_info(&moto).await.is_none(), "the lock was released");
}

/// Lock info another tool wrote with only some fields: refused, showing what is there,
/// the ID and `hubctl force-unlock ID`, never state-file advice; that command frees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_item_with_only_some_fields_is_refused_naming_its_id() {
    let moto = Moto::start();
    let (w, dir) = bootstrapped(&moto);
    let s = cli_settings(&moto);
    let clients = Clients::new(&s).await;
    clients
        .dynamodb
        .put_item()
        .table_name("cli-locks")
        .item("LockID", AttributeValue::S(s.lock_id()))
        .item(
            "Info",
            AttributeValue::S(
                r#"{"ID":"5d1e-other","Operation":"OperationTypeApply","Who":"bot@ci"}"#.into(),
            ),
        )
        .send()
        .await
        .expect("PutItem");
    let o = cli(&w, &["apply", &dir, "--auto-approve"]);
    o.expect_code(1);
    let text = o.all();
    for needle in [
        "5d1e-other",
        "bot@ci",
        "OperationTypeApply",
        "missing Version, Created, Path",
        "hubctl force-unlock 5d1e-other",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(!text.contains("backup"), "{text}");
    cli(&w, &["force-unlock", "5d1e-other", &dir]).expect_code(0);
    assert!(lock_info(&moto).await.is_none());
    cli(&w, &["apply", &dir, "--auto-approve"]).expect_code(0);
}
