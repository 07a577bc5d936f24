//! The CLI with `terraform { backend "s3" }` against moto: init, apply, what lands in the
//! bucket, and locking between real concurrent runs (a prompt holds the lock, as in
//! Terraform, so the tests can act while another run is mid-operation).

use crate::moto::Moto;
use crate::support::{Out, Running, Work};
use hubctl_aws::state::clients::Clients;
use hubctl_aws::state::{S3Backend, S3Settings};
use hubctl_core::state::Backend;

/// A root module using the `s3` backend on `moto`, with one terraform_data resource.
fn cli_work(moto: &Moto) -> Work {
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
fn cli_command(w: &Work, args: &[&str]) -> std::process::Command {
    let mut c = w.command(args);
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("AWS_")) {
        c.env_remove(k);
    }
    c.env("AWS_EC2_METADATA_DISABLED", "true")
        .env("HOME", w.dir());
    c
}

fn cli(w: &Work, args: &[&str]) -> Out {
    let o = cli_command(w, args).output().expect("run hubctl");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// The settings of [`cli_work`]'s backend block, for reading what the CLI wrote.
fn cli_settings(moto: &Moto) -> S3Settings {
    let mut s = crate::s3state::settings(moto, "hub/cli.hubstate", "alias/cli-state");
    s.bucket = "cli-state".into();
    s.dynamodb_table = Some("cli-locks".into());
    s
}

/// A `cli_work` root whose backend exists (`hubctl init --bootstrap`).
fn bootstrapped(moto: &Moto) -> (Work, String) {
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

/// `state rekey`: the state is sealed again under the new key as a new serial; the old key
/// alone no longer opens it, the new one does, and a configuration still naming only the
/// old key is refused clearly until it is updated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rekey_moves_the_state_to_a_new_kms_key() {
    let moto = Moto::start();
    let (w, dir) = bootstrapped(&moto);
    cli(&w, &["apply", &dir, "--auto-approve"]).expect_code(0);
    let s = cli_settings(&moto);
    let clients = Clients::new(&s).await;
    let new_key = clients.kms.create_key().send().await.expect("CreateKey");
    let new_arn = new_key
        .key_metadata()
        .expect("metadata")
        .arn()
        .expect("arn");
    clients
        .kms
        .create_alias()
        .alias_name("alias/cli-rotated")
        .target_key_id(new_arn)
        .send()
        .await
        .expect("CreateAlias");
    let before = S3Backend::connect_with(s.clone(), &clients)
        .load()
        .await
        .expect("load")
        .expect("state");

    let o = cli(
        &w,
        &[
            "state",
            "rekey",
            "--to-kms-key-id",
            "alias/cli-rotated",
            "--dir",
            &dir,
        ],
    );
    o.expect_code(0);
    assert!(
        o.stdout.contains("kms_key_id = \"alias/cli-rotated\""),
        "{}",
        o.stdout
    );

    let old_only = S3Backend::connect_with(s.clone(), &clients).load().await;
    let err = old_only.expect_err("the old key must no longer open the state");
    assert!(err.to_string().contains(new_arn), "{err}");
    let mut rotated = s.clone();
    rotated.kms_key_id = Some("alias/cli-rotated".into());
    let after = S3Backend::connect_with(rotated.clone(), &clients)
        .load()
        .await
        .expect("load with the new key")
        .expect("state");
    assert_eq!(after.resources, before.resources);
    assert_eq!(after.lineage, before.lineage);
    assert_eq!(after.serial, before.serial + 1);

    // The unchanged configuration (old key only) cannot read it; the updated one can.
    let o = cli(&w, &["plan", &dir]);
    o.expect_code(1);
    assert!(o.stderr.contains(new_arn), "{}", o.stderr);
    let main = w.read("main.tf").replace(
        "kms_key_id     = \"alias/cli-state\"",
        "kms_key_id     = \"alias/cli-rotated\"\n    fallback_kms_key_id = \"alias/cli-state\"",
    );
    w.write("main.tf", &main);
    cli(&w, &["plan", &dir, "--detailed-exitcode"]).expect_code(0);

    // A key that does not exist: refused before anything is written.
    let o = cli(
        &w,
        &[
            "state",
            "rekey",
            "--to-kms-key-id",
            "alias/missing",
            "--dir",
            &dir,
        ],
    );
    o.expect_code(1);
    assert!(o.stderr.contains("kms:GenerateDataKey"), "{}", o.stderr);
    let still = S3Backend::connect_with(rotated, &clients)
        .load()
        .await
        .expect("load")
        .expect("state");
    assert_eq!(still, after);
}

/// With an encrypting backend, `plan -out` writes a sealed plan (no value or address in
/// its bytes) that applies from any path; a tampered or plaintext plan is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_plans_are_sealed_with_the_backend_key() {
    let moto = Moto::start();
    let (w, dir) = bootstrapped(&moto);
    let plan = w.path("p.plan").display().to_string();
    let o = cli(
        &w,
        &["plan", &dir, "--out", &plan, "--var", "cidr=10.55.0.0/16"],
    );
    o.expect_code(0);
    assert!(
        o.stdout.contains("Saved the plan (encrypted)"),
        "{}",
        o.stdout
    );
    let bytes = std::fs::read(&plan).expect("plan file");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.starts_with("HUBCTL-SEALED-PLAN/1 "), "{text}");
    assert!(!text.contains("10.55.0.0") && !text.contains("terraform_data"));

    let mut tampered = bytes.clone();
    let at = tampered.len() - 20;
    tampered[at] ^= 1;
    let bad = w.path("tampered.plan");
    std::fs::write(&bad, &tampered).expect("write");
    let o = cli(&w, &["apply", &bad.display().to_string()]);
    o.expect_code(1);
    assert!(
        o.stderr.contains("Failed to decrypt the plan file"),
        "{}",
        o.stderr
    );

    // A plaintext plan (made with a local backend, pointed at this root) is refused.
    let local = Work::empty();
    local.write(
        "main.tf",
        "variable \"cidr\" {\n  type = string\n}\nresource \"terraform_data\" \"net\" {\n  input = var.cidr\n}\n",
    );
    let plain_path = local.path("plain.plan").display().to_string();
    let local_dir = local.arg();
    cli(
        &local,
        &[
            "plan",
            &local_dir,
            "--out",
            &plain_path,
            "--var",
            "cidr=10.9.0.0/16",
        ],
    )
    .expect_code(0);
    let mut plain: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&plain_path).expect("read")).expect("JSON plan");
    plain["root_dir"] = serde_json::Value::String(dir.clone());
    std::fs::write(&plain_path, serde_json::to_vec(&plain).expect("json")).expect("write");
    let o = cli(&w, &["apply", &plain_path]);
    o.expect_code(1);
    assert!(
        o.stderr.contains("Refusing an unencrypted plan file"),
        "{}",
        o.stderr
    );
    let s = cli_settings(&moto);
    let clients = Clients::new(&s).await;
    let be = S3Backend::connect_with(s, &clients);
    assert!(
        be.load().await.expect("load").is_none(),
        "nothing was applied"
    );

    // The sealed plan is bound to the state, not to its path.
    let moved = w.path("moved.plan");
    std::fs::rename(&plan, &moved).expect("move");
    let o = cli(&w, &["apply", &moved.display().to_string()]);
    o.expect_code(0);
    assert!(o.stdout.contains("1 added"), "{}", o.stdout);
    let state = be.load().await.expect("load").expect("state");
    assert_eq!(
        state.resources["terraform_data.net"].attributes["input"],
        "10.55.0.0/16"
    );
}

/// `encrypt = false` and no lock still work, as in Terraform, but each run says so, at the
/// backend block.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unencrypted_or_unlocked_backends_are_warned_about() {
    let moto = Moto::start();
    let (w, dir) = bootstrapped(&moto);
    let main = w
        .read("main.tf")
        .replace("    dynamodb_table = \"cli-locks\"\n", "")
        .replace(
            "    kms_key_id     = \"alias/cli-state\"\n",
            "    encrypt        = false\n",
        )
        .replace("hub/cli.hubstate", "hub/plain.hubstate");
    w.write("main.tf", &main);
    let o = cli(&w, &["apply", &dir, "--auto-approve"]);
    o.expect_code(0);
    let at = format!("{}:2:3", w.path("main.tf").display());
    for warning in ["State stored without encryption", "State not locked"] {
        assert!(
            o.stderr.contains(&format!("warning: {warning}")),
            "{}",
            o.stderr
        );
    }
    assert!(o.stderr.contains(&at), "{}", o.stderr);
    let s = cli_settings(&moto);
    let clients = Clients::new(&s).await;
    let raw = clients
        .s3
        .get_object()
        .bucket("cli-state")
        .key("hub/plain.hubstate")
        .send()
        .await
        .expect("get");
    let body = raw.body.collect().await.expect("body").into_bytes();
    assert!(String::from_utf8_lossy(&body).contains("10.77.0.0/16"));
}

/// `state import-terraform s3://...` reads a Terraform S3 backend's object with the backend
/// block's endpoints and credentials, and converts it into the encrypted hubctl state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terraform_state_is_imported_straight_from_s3() {
    let moto = Moto::start();
    let (w, dir) = bootstrapped(&moto);
    let s = cli_settings(&moto);
    let clients = Clients::new(&s).await;
    clients
        .s3
        .create_bucket()
        .bucket("tf-legacy")
        .send()
        .await
        .expect("CreateBucket");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("state-fixtures/terraform-1.11-hub-aws5.100.tfstate");
    clients
        .s3
        .put_object()
        .bucket("tf-legacy")
        .key("hub/terraform.tfstate")
        .body(std::fs::read(fixture).expect("fixture").into())
        .send()
        .await
        .expect("PutObject");
    let url = "s3://tf-legacy/hub/terraform.tfstate";
    let o = cli(&w, &["state", "import-terraform", url, "--dir", &dir]);
    o.expect_code(0);
    assert!(
        o.stdout.contains("Imported 28 resource instance(s)"),
        "{}",
        o.stdout
    );
    let state = S3Backend::connect_with(s, &clients)
        .load()
        .await
        .expect("load")
        .expect("state");
    assert_eq!(state.resources.len(), 28);
    assert!(state.resources.contains_key("module.vpc.aws_vpc.this"));

    let o = cli(
        &w,
        &[
            "state",
            "import-terraform",
            "s3://tf-legacy/missing",
            "--dir",
            &dir,
        ],
    );
    o.expect_code(1);
    assert!(
        o.stderr.contains("s3:GetObject on s3://tf-legacy/missing"),
        "{}",
        o.stderr
    );
}

/// The role sessions moto's STS handed out (role ARN, session name).
fn assumed_roles(moto: &Moto) -> Vec<(String, String)> {
    let body = moto
        .http("GET", "/moto-api/data.json", "")
        .expect("moto data");
    let json = &body[body.find('{').expect("JSON body")..];
    let data: serde_json::Value = serde_json::from_str(json).expect("moto data JSON");
    data["sts"]["AssumedRole"]
        .as_array()
        .map(|roles| {
            roles
                .iter()
                .map(|r| {
                    let field = |k: &str| r[k].as_str().unwrap_or_default().to_string();
                    (field("role_arn"), field("session_name"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `assume_role` in the backend block and in the provider block: each takes a role session
/// through STS before touching anything (seen in moto's record of sessions).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backend_and_provider_assume_their_roles() {
    let moto = Moto::start();
    let (w, dir) = bootstrapped(&moto);
    assert!(assumed_roles(&moto).is_empty());
    let ep = &moto.endpoint;
    let main = w
        .read("main.tf")
        .replace(
            "    access_key     = \"test\"\n",
            "    access_key     = \"test\"\n    assume_role    = { role_arn = \"arn:aws:iam::123456789012:role/hub-state\", session_name = \"hubctl-backend\" }\n",
        )
        .replace(
            &format!("endpoints      = {{ s3 = \"{ep}\", dynamodb = \"{ep}\", kms = \"{ep}\" }}"),
            &format!("endpoints      = {{ s3 = \"{ep}\", dynamodb = \"{ep}\", kms = \"{ep}\", sts = \"{ep}\" }}"),
        )
        + &format!(
            r#"
provider "aws" {{
  region     = "us-east-1"
  access_key = "test"
  secret_key = "test"
  assume_role {{
    role_arn     = "arn:aws:iam::123456789012:role/hub-deployer"
    session_name = "hubctl-provider"
  }}
  endpoints {{
    ec2 = "{ep}"
    sts = "{ep}"
  }}
}}

data "aws_region" "current" {{}}

output "region" {{
  value = data.aws_region.current.name
}}
"#
        );
    w.write("main.tf", &main);
    let o = cli(&w, &["apply", &dir, "--auto-approve"]);
    o.expect_code(0);
    let roles = assumed_roles(&moto);
    for (arn, session) in [
        ("arn:aws:iam::123456789012:role/hub-state", "hubctl-backend"),
        (
            "arn:aws:iam::123456789012:role/hub-deployer",
            "hubctl-provider",
        ),
    ] {
        assert!(
            roles.iter().any(|(a, s)| a == arn && s == session),
            "no {session} session of {arn} in {roles:?}"
        );
    }
    let state = S3Backend::connect_with(
        cli_settings(&moto),
        &Clients::new(&cli_settings(&moto)).await,
    )
    .load()
    .await
    .expect("load")
    .expect("state");
    assert_eq!(state.outputs["region"].value, "us-east-1");
}
