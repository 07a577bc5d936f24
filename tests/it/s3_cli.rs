//! The CLI with `terraform { backend "s3" }` against moto: init, apply, what lands in the
//! bucket, and locking between real concurrent runs (a prompt holds the lock, as in
//! Terraform, so the tests can act while another run is mid-operation).

use crate::moto::Moto;
use crate::support::{Out, Running, Work};
use hubctl_aws::state::clients::Clients;
use hubctl_aws::state::{S3Backend, S3Settings};
use hubctl_core::state::Backend;

/// A root module using the `s3` backend on `moto`, with one terraform_data resource.
pub(crate) fn cli_work(moto: &Moto) -> Work {
    let w = Work::empty();
    let ep = &moto.endpoint;
    w.write(
        "main.tf",
        &format!(
            r#"terraform {{
  backend "s3" {{
    bucket         = "cli-state"
    key            = "hub/cli.hubstate"
    region         = "us-east-1"
    dynamodb_table = "cli-locks"
    kms_key_id     = "alias/cli-state"
    endpoints      = {{ s3 = "{ep}", dynamodb = "{ep}", kms = "{ep}" }}
    access_key     = "test"
    secret_key     = "test"
  }}
}}

variable "cidr" {{
  type    = string
  default = "10.77.0.0/16"
}}

resource "terraform_data" "net" {{
  input = var.cidr
}}

output "net_id" {{
  value = terraform_data.net.id
}}
"#
        ),
    );
    w
}

/// `hubctl` with only the test's AWS settings (none inherited from the environment).
pub(crate) fn cli_command(w: &Work, args: &[&str]) -> std::process::Command {
    let mut c = w.command(args);
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("AWS_")) {
        c.env_remove(k);
    }
    c.env("AWS_EC2_METADATA_DISABLED", "true")
        .env("HOME", w.dir());
    c
}

pub(crate) fn cli(w: &Work, args: &[&str]) -> Out {
    let o = cli_command(w, args).output().expect("run hubctl");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// The settings of [`cli_work`]'s backend block, for reading what the CLI wrote.
pub(crate) fn cli_settings(moto: &Moto) -> S3Settings {
    let mut s = crate::s3state::settings(moto, "hub/cli.hubstate", "alias/cli-state");
    s.bucket = "cli-state".into();
    s.dynamodb_table = Some("cli-locks".into());
    s
}

/// A `cli_work` root whose backend exists (`hubctl init --bootstrap`).
pub(crate) fn bootstrapped(moto: &Moto) -> (Work, String) {
    let w = cli_work(moto);
    let dir = w.arg();
    cli(&w, &["init", &dir, "--bootstrap"]).expect_code(0);
    (w, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_init_apply_lock_and_force_unlock_with_the_s3_backend() {
    let moto = Moto::start();
    let w = cli_work(&moto);
    let dir = w.arg();
    let o = cli(&w, &["init", &dir]);
    o.expect_code(1);
    assert!(o.all().contains("--bootstrap"), "{}", o.all());
    cli(&w, &["init", &dir, "--bootstrap"]).expect_code(0);
    cli(&w, &["init", &dir]).expect_code(0);
    cli(&w, &["apply", &dir, "--auto-approve"]).expect_code(0);

    // In S3: ciphertext only; on disk: nothing.
    let s = cli_settings(&moto);
    let clients = Clients::new(&s).await;
    let be = S3Backend::connect_with(s, &clients);
    let state = be.load().await.expect("load").expect("a state");
    let id = state.resources["terraform_data.net"].attributes["id"]
        .as_str()
        .expect("id")
        .to_string();
    let o = clients
        .s3
        .get_object()
        .bucket("cli-state")
        .key("hub/cli.hubstate")
        .send()
        .await
        .expect("get");
    assert_eq!(
        o.server_side_encryption().map(|e| e.as_str()),
        Some("aws:kms")
    );
    let raw = o.body.collect().await.expect("body").into_bytes();
    let text = String::from_utf8_lossy(&raw);
    assert!(!text.contains(&id) && !text.contains("10.77.0.0"));
    assert!(
        !w.path(".hubctl").exists(),
        "state files were written locally"
    );

    // Another run holds the lock: apply fails at once naming the holder.
    let held = be
        .lock(hubctl_core::state::LockInfo::new("apply", "other run"))
        .await
        .expect("lock");
    let o = cli(&w, &["apply", &dir, "--auto-approve"]);
    o.expect_code(1);
    assert!(
        o.all().contains(&held.id) && o.all().contains(&held.who),
        "{}",
        o.all()
    );
    cli(&w, &["force-unlock", "wrong-id", &dir]).expect_code(1);
    cli(&w, &["force-unlock", &held.id, &dir]).expect_code(0);
    let o = cli(&w, &["plan", &dir, "--detailed-exitcode"]);
    o.expect_code(0);
}

/// The lock ID in a "state is locked" message.
fn lock_id_in(text: &str) -> String {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("ID:"))
        .map(|id| id.trim().to_string())
        .unwrap_or_else(|| panic!("no lock ID in:\n{text}"))
}

/// The `Info` of the DynamoDB lock item, as Terraform writes it (None when unlocked).
async fn lock_item(moto: &Moto) -> Option<serde_json::Value> {
    let s = cli_settings(moto);
    let clients = Clients::new(&s).await;
    let item = clients
        .dynamodb
        .get_item()
        .table_name("cli-locks")
        .key(
            "LockID",
            hubctl_aws::state::clients::AttributeValue::S(s.lock_id()),
        )
        .send()
        .await
        .expect("GetItem")
        .item?;
    let info = item.get("Info")?.as_s().expect("Info is a string");
    Some(serde_json::from_str(info).expect("Info is JSON"))
}

/// An apply waiting at its approval prompt, holding the lock.
fn apply_at_prompt(w: &Work, dir: &str, input: &str) -> Running {
    let mut a = Running::spawn(cli_command(w, &["apply", dir, "--var", input]));
    a.wait_for("Enter a value:");
    a
}

/// Two real applies on one S3 state: while one holds the lock, the other fails at once
/// naming the holder (the lock item's ID), or with --lock-timeout waits and then plans
/// against the first one's result.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_applies_on_one_s3_state_take_turns() {
    let moto = Moto::start();
    let (w, dir) = bootstrapped(&moto);
    let a = apply_at_prompt(&w, &dir, "cidr=10.1.0.0/16");
    let held = lock_item(&moto).await.expect("the prompt holds the lock");
    assert_eq!(held["Operation"], "apply", "{held}");

    let b = cli(
        &w,
        &["apply", &dir, "--auto-approve", "--var", "cidr=10.2.0.0/16"],
    );
    b.expect_code(1);
    assert!(b.stderr.contains("locked by another run"), "{}", b.stderr);
    assert_eq!(lock_id_in(&b.stderr), held["ID"].as_str().expect("ID"));
    assert!(b.stderr.contains(held["Who"].as_str().expect("Who")));

    // With --lock-timeout the second run waits, and proceeds once the first is done.
    let mut c = Running::spawn(cli_command(
        &w,
        &[
            "apply",
            &dir,
            "--auto-approve",
            "--lock-timeout=60s",
            "--var",
            "cidr=10.1.0.0/16",
        ],
    ));
    c.wait_for("Waiting up to 1m for the state lock");
    let mut a = a;
    a.answer("yes");
    let a = a.finish();
    a.expect_code(0);
    assert!(a.stdout.contains("1 added"), "{}", a.stdout);
    let c = c.finish();
    c.expect_code(0);
    // It planned against the first run's state: nothing left to do.
    assert!(c.stdout.contains("No changes"), "{}", c.stdout);
    assert!(lock_item(&moto).await.is_none(), "the lock was released");
}

/// A run killed while holding the lock leaves it behind: the next run reports the dead
/// holder's info, `force-unlock` with the wrong ID changes nothing, with its ID frees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_runs_lock_is_reported_and_released_by_force_unlock() {
    let moto = Moto::start();
    let (w, dir) = bootstrapped(&moto);
    let a = apply_at_prompt(&w, &dir, "cidr=10.1.0.0/16");
    a.kill();
    let left = lock_item(&moto)
        .await
        .expect("the killed run's lock remains");

    let b = cli(
        &w,
        &["apply", &dir, "--auto-approve", "--var", "cidr=10.3.0.0/16"],
    );
    b.expect_code(1);
    let id = lock_id_in(&b.stderr);
    assert_eq!(id, left["ID"].as_str().expect("ID"));
    assert!(b.stderr.contains(&format!("hubctl force-unlock {id}")));

    let wrong = cli(&w, &["force-unlock", "not-the-id", &dir]);
    wrong.expect_code(1);
    assert!(wrong.all().contains(&id), "{}", wrong.all());
    assert!(lock_item(&moto).await.is_some());
    cli(&w, &["force-unlock", &id, &dir]).expect_code(0);
    assert!(lock_item(&moto).await.is_none());
    cli(
        &w,
        &["apply", &dir, "--auto-approve", "--var", "cidr=10.3.0.0/16"],
    )
    .expect_code(0);
}
