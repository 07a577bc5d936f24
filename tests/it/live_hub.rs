//! The shipped staging environment (config/, live/staging, modules/) through the live layer
//! against moto: `apply --all` builds the network, KMS, EKS and IAM units in dependency order,
//! each through its own encrypted state object in the shared bucket, and a second
//! `plan --all --detailed-exitcode` exits 0. The argocd unit is left out with
//! `--queue-exclude-dir`: its provider needs a real cluster, which moto's EKS is not.

use crate::moto::Moto;
use crate::support::{copy_dir, Work};
use std::path::Path;

/// What root.hcl's `remote_state` uses in staging, created the way a user creates a backend.
const BOOTSTRAP_TF: &str = r#"terraform {
  backend "s3" {
    bucket         = "hubctl-state-staging"
    key            = "bootstrap/terraform.tfstate"
    region         = "us-east-1"
    encrypt        = true
    kms_key_id     = "alias/hubctl-state"
    dynamodb_table = "hubctl-locks"
  }
}
"#;

const UNITS: &[&str] = &["network", "kms", "eks", "iam"];

fn repo_tree() -> Work {
    let w = Work::empty();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for d in ["config", "live", "modules"] {
        copy_dir(&repo.join(d), &w.path(d));
    }
    // get_repo_root() looks for the folder holding `.git`.
    std::fs::create_dir_all(w.path(".git")).expect("mkdir .git");
    w.write("bootstrap/main.tf", BOOTSTRAP_TF);
    w
}

#[test]
fn the_staging_units_apply_through_their_own_s3_states_then_plan_all_is_clean() {
    let moto = Moto::start();
    let w = repo_tree();
    let run = |args: &[&str]| moto.hubctl(&w, args, &[]);
    run(&["init", "bootstrap", "--bootstrap"]).expect_code(0);

    let all = ["live/staging", "--queue-exclude-dir", "**/argocd"];
    let apply = run(&[&["apply", "--all"], &all[..], &["--auto-approve"]].concat());
    apply.expect_code(0);
    let summary = "Units: 4 done (4 with changes), 0 failed, 0 skipped, 1 excluded.";
    assert!(apply.stdout.contains(summary), "{}", apply.all());
    let at = |u: &str| {
        apply
            .stdout
            .find(&format!("=== live/staging/{u} ==="))
            .expect(u)
    };
    assert!(at("network") < at("eks") && at("kms") < at("eks") && at("eks") < at("iam"));

    let objects = moto
        .s3_get("/hubctl-state-staging?list-type=2")
        .expect("ListObjectsV2");
    for u in UNITS {
        let key = format!("<Key>staging/{u}/terraform.tfstate</Key>");
        assert!(objects.contains(&key), "no {key} in {objects}");
    }

    let plan = run(&[&["plan", "--all"], &all[..], &["--detailed-exitcode"]].concat());
    assert_eq!(plan.code, 0, "second plan --all:\n{}", plan.all());
    assert!(plan
        .stdout
        .contains("Units: 4 done (0 with changes), 0 failed, 0 skipped, 1 excluded."));
}
