//! The CLI's key handling with the `s3` backend against moto: `state rekey`, saved plans
//! sealed with the backend's key, and the warnings for unencrypted or unlocked backends.

use crate::moto::Moto;
use crate::s3_cli::{bootstrapped, cli, cli_settings};
use crate::support::Work;
use hubctl_aws::state::clients::Clients;
use hubctl_aws::state::S3Backend;
use hubctl_core::state::Backend;

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
