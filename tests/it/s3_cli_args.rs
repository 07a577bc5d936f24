//! Backend and provider arguments: each one hubctl accepts works, and the others are refused
//! where they are written (file:line:column). `encrypt = true` without `kms_key_id` uses
//! hubctl's own key, which `init --bootstrap` creates.

use crate::moto::Moto;
use crate::s3_cli::{cli, cli_settings};
use crate::support::{Out, Work};
use hubctl_aws::state::clients::Clients;
use hubctl_aws::state::settings::MANAGED_KMS_KEY;
use hubctl_aws::state::S3Backend;
use hubctl_core::state::Backend;

/// A root with an `s3` backend block made of `args` (one `name = value` a line, from line 3).
fn with_backend(args: &[&str]) -> Work {
    let w = Work::empty();
    let body: String = args.iter().map(|a| format!("    {a}\n")).collect();
    w.write(
        "main.tf",
        &format!(
            "terraform {{\n  backend \"s3\" {{\n{body}  }}\n}}\n\nresource \"terraform_data\" \"a\" {{\n  input = \"x\"\n}}\n"
        ),
    );
    w
}

#[track_caller]
fn refused_at(w: &Work, out: &Out, at: &str, words: &str) {
    out.expect_code(1);
    let loc = format!("{}:{at}", w.path("main.tf").display());
    assert!(out.stderr.contains(&loc), "{loc} missing:\n{}", out.stderr);
    assert!(
        out.stderr.contains(words),
        "{words:?} missing:\n{}",
        out.stderr
    );
}

/// Refusals name the argument's own position, for top-level arguments and for an entry of
/// `endpoints = { ... }`; nothing is called (no emulator runs here).
#[test]
fn unusable_backend_arguments_are_refused_where_they_are_written() {
    let base = ["bucket = \"b\"", "key    = \"k\""];
    let cases: &[(&str, &str, &str)] = &[
        (
            "workspace_key_prefix = \"envs\"",
            "5:5",
            "hubctl has only the default workspace",
        ),
        (
            "iam_endpoint = \"http://127.0.0.1:1\"",
            "5:5",
            "no IAM calls",
        ),
        (
            "endpoints = { s3 = \"http://127.0.0.1:1\", iam = \"http://127.0.0.1:1\" }",
            "5:46",
            "endpoint \"iam\" is not supported",
        ),
        (
            "insecure = true",
            "5:5",
            "\"insecure\" of Terraform's s3 backend",
        ),
        (
            "acl = \"private\"",
            "5:5",
            "\"acl\" of Terraform's s3 backend",
        ),
        (
            "region = \"us-east-1a\"",
            "5:5",
            "Invalid AWS Region: us-east-1a",
        ),
    ];
    for (arg, at, words) in cases {
        let w = with_backend(&[base[0], base[1], arg]);
        let out = cli(&w, &["plan", &w.arg()]);
        refused_at(&w, &out, at, words);
    }
}

#[test]
fn provider_insecure_is_refused_and_regions_are_validated() {
    let w = Work::empty();
    w.write(
        "main.tf",
        "provider \"aws\" {\n  region   = \"us-east-1\"\n  insecure = true\n}\n",
    );
    let out = cli(&w, &["validate", &w.arg()]);
    refused_at(&w, &out, "3:3", "Unsupported argument");

    w.write(
        "main.tf",
        "provider \"aws\" {\n  region = \"useast1\"\n  skip_credentials_validation = true\n  skip_requesting_account_id  = true\n}\n\ndata \"aws_region\" \"here\" {}\n",
    );
    let out = cli(&w, &["plan", &w.arg()]);
    out.expect_code(1);
    assert!(
        out.stderr.contains("Invalid AWS Region: useast1"),
        "{}",
        out.stderr
    );
}

/// `encrypt = true` and no `kms_key_id`: `init --bootstrap` creates `alias/hubctl-state`,
/// and the state is sealed with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypt_without_a_key_uses_hubctls_managed_key() {
    let moto = Moto::start();
    let ep = &moto.endpoint;
    let endpoints = format!("endpoints = {{ s3 = \"{ep}\", dynamodb = \"{ep}\", kms = \"{ep}\" }}");
    let w = with_backend(&[
        "bucket         = \"cli-state\"",
        "key            = \"hub/cli.hubstate\"",
        "region         = \"us-east-1\"",
        "dynamodb_table = \"cli-locks\"",
        "encrypt        = true",
        &endpoints,
        "access_key     = \"test\"",
        "secret_key     = \"test\"",
    ]);
    let dir = w.arg();
    let o = cli(&w, &["init", &dir]);
    o.expect_code(1);
    assert!(
        o.all()
            .contains(&format!("KMS key {MANAGED_KMS_KEY} does not exist")),
        "{}",
        o.all()
    );
    cli(&w, &["init", &dir, "--bootstrap"]).expect_code(0);
    cli(&w, &["apply", &dir, "--auto-approve"]).expect_code(0);

    let mut s = cli_settings(&moto);
    s.kms_key_id = Some(MANAGED_KMS_KEY.into());
    let clients = Clients::new(&s).await;
    let state = S3Backend::connect_with(s.clone(), &clients)
        .load()
        .await
        .expect("the managed key opens the state")
        .expect("a state");
    assert!(state.resources.contains_key("terraform_data.a"));
    // Sealed with that key: another key cannot open it.
    let other = clients.kms.create_key().send().await.expect("CreateKey");
    s.kms_key_id = other.key_metadata().map(|m| m.key_id().to_string());
    let err = S3Backend::connect_with(s, &clients).load().await;
    assert!(err.is_err(), "another key opened the state");
}
