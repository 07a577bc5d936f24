//! The shipped staging environment (config/, live/staging, modules/) through the live layer
//! against moto: `init --all --bootstrap` creates the one backend the five units share, and
//! `apply --all` builds the network, KMS, EKS and IAM units in dependency order, each through
//! its own encrypted state object in the shared bucket; a second `plan --all
//! --detailed-exitcode` exits 0. The argocd unit then applies to the test's API server with
//! the other units' outputs (its provider pointed there: moto's EKS is not a cluster), plans
//! clean and is destroyed alone. Last, a new cluster version in
//! `config/environments/staging.yaml` changes the eks unit alone.

use crate::moto::Moto;
use crate::support::{copy_dir, Out, Work};
use std::path::Path;

/// What root.hcl's `remote_state` uses in an environment (`ENV`), created the way a user
/// creates a backend.
const BOOTSTRAP_TF: &str = r#"terraform {
  backend "s3" {
    bucket         = "hubctl-state-ENV"
    key            = "bootstrap/terraform.tfstate"
    region         = "us-east-1"
    encrypt        = true
    kms_key_id     = "alias/hubctl-state"
    dynamodb_table = "hubctl-locks"
  }
}
"#;

const UNITS: &[&str] = &["network", "kms", "eks", "iam"];

/// The repository's config/, live/ and modules/ in a fresh git work tree, with a bootstrap
/// root module creating `env`'s state bucket, lock table and key.
pub(crate) fn repo_tree(env: &str) -> Work {
    let w = Work::empty();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for d in ["config", "live", "modules"] {
        copy_dir(&repo.join(d), &w.path(d));
    }
    // get_repo_root() looks for the folder holding `.git`.
    std::fs::create_dir_all(w.path(".git")).expect("mkdir .git");
    w.write("bootstrap/main.tf", &BOOTSTRAP_TF.replace("ENV", env));
    w
}

#[test]
fn the_staging_units_apply_through_their_own_s3_states_then_only_eks_sees_a_version_bump() {
    let moto = Moto::start();
    let w = repo_tree("staging");
    let run = |args: &[&str]| moto.hubctl(&w, args, &[]);
    // One backend for the five units: checked once, missing until --bootstrap creates it.
    let check = run(&["init", "--all", "live/staging"]);
    check.expect_code(1);
    let shared = "Backend s3://hubctl-state-staging for live/staging/";
    assert!(check.stdout.matches(shared).count() == 1, "{}", check.all());
    assert!(check.stdout.contains("MISSING"), "{}", check.all());
    assert!(
        check.stderr.contains("Run `hubctl init --all --bootstrap`"),
        "{}",
        check.all()
    );
    let init = run(&["init", "--all", "--bootstrap", "live/staging"]);
    init.expect_code(0);
    let line = init
        .stdout
        .lines()
        .find(|l| l.starts_with(shared))
        .expect("backend line");
    assert_eq!(line.matches("live/staging/").count(), 5, "{line}");
    let ready = "Units: 5 initialized, 0 failed; backends: 1 ready, 0 not ready.";
    assert!(init.stdout.contains(ready), "{}", init.all());

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

    argocd_unit_on_the_local_api_server(&w, &run);

    // The environment's overlay gets a cluster version of its own: only the unit whose
    // inputs read it plans a change; the others, even iam which reads eks's outputs, not.
    let env = w.read("config/environments/staging.yaml");
    let bumped = env.replacen("\neks:\n", "\neks:\n  version: \"1.34\"\n", 1);
    assert_ne!(env, bumped, "staging.yaml has an eks map");
    w.write("config/environments/staging.yaml", &bumped);
    let plan = run(&[&["plan", "--all"], &all[..], &["--detailed-exitcode"]].concat());
    assert_eq!(plan.code, 2, "plan --all after the bump:\n{}", plan.all());
    let summary = "Units: 4 done (1 with changes), 0 failed, 0 skipped, 1 excluded.";
    assert!(plan.stdout.contains(summary), "{}", plan.stdout);
    for u in UNITS {
        let section = unit_section(&plan.stdout, u);
        if *u == "eks" {
            for want in [
                "aws_eks_cluster.this will be updated in-place",
                "\"1.33\" -> \"1.34\"",
                "Plan: 0 to add, 1 to change, 0 to destroy.",
            ] {
                assert!(section.contains(want), "eks: no {want} in\n{section}");
            }
        } else {
            assert!(section.contains("No changes."), "{u} changes:\n{section}");
        }
    }
}

/// The fifth unit: the argocd unit's generated kubernetes provider points at the test's API
/// server instead of moto's EKS endpoint (which is not a cluster); everything else, the hub
/// metadata from the network, eks and iam units' outputs included, is as shipped. It applies
/// beside the four applied units, plans clean, and `destroy --all` of it alone removes it.
fn argocd_unit_on_the_local_api_server(w: &Work, run: &dyn Fn(&[&str]) -> Out) {
    let _crds = crate::argocd::ARGO_CRDS
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let c = crate::kube::cluster();
    argocd_on_the_local_api_server(w, "staging");

    let apply = run(&["apply", "--all", "live/staging", "--auto-approve"]);
    apply.expect_code(0);
    let summary = "Units: 5 done (1 with changes), 0 failed, 0 skipped.";
    assert!(apply.stdout.contains(summary), "{}", apply.all());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = rt.block_on(c.client());
    let secret = "/api/v1/namespaces/argocd/secrets/hub-cluster";
    let hub = rt
        .block_on(crate::kube::get(&client, secret))
        .expect("hub-cluster");
    let notes = &hub["metadata"]["annotations"];
    assert_eq!(notes["hub.platform/cluster-name"], "hub-staging", "{notes}");
    assert!(
        notes["hub.platform/vpc-id"]
            .as_str()
            .is_some_and(|v| v.starts_with("vpc-")),
        "{notes}"
    );
    let roles = notes["hub.platform/ack-roles"].as_str().unwrap_or_default();
    assert!(roles.contains("arn:aws:iam::"), "{notes}");

    let plan = run(&["plan", "--all", "live/staging", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "plan --all with argocd:\n{}", plan.all());
    let others: Vec<String> = UNITS.iter().map(|u| format!("live/staging/{u}")).collect();
    let mut alone = vec!["destroy", "--all", "live/staging", "--auto-approve"];
    for u in &others {
        alone.extend(["--queue-exclude-dir", u.as_str()]);
    }
    let destroy = run(&alone);
    destroy.expect_code(0);
    assert!(
        rt.block_on(crate::kube::get(&client, secret)).is_none(),
        "{}",
        destroy.all()
    );
    assert!(rt
        .block_on(crate::kube::get(&client, "/api/v1/namespaces/argocd"))
        .is_none());
}

/// Points `env`'s argocd unit's generated kubernetes provider at the test's API server
/// (moto's EKS endpoint is not a cluster); the rest of the unit stays as shipped. The caller
/// holds `ARGO_CRDS`.
pub(crate) fn argocd_on_the_local_api_server(w: &Work, env: &str) {
    let c = crate::kube::cluster();
    let file = format!("live/{env}/argocd/terragrunt.hcl");
    let unit = w.read(&file);
    let provider = "host                   = var.cluster_endpoint\n      cluster_ca_certificate = base64decode(var.cluster_ca_data)\n      token                  = data.aws_eks_cluster_auth.this.token";
    let local = unit.replace(provider, &format!("config_path = \"{}\"", c.kubeconfig));
    assert_ne!(unit, local, "the argocd unit's provider block");
    w.write(&file, &local);
}

/// What `plan --all` printed for one unit: from its `=== live/staging/<unit> ===` header to
/// the next header or the summary.
fn unit_section<'a>(stdout: &'a str, unit: &str) -> &'a str {
    let header = format!("=== live/staging/{unit} ===");
    let start = stdout
        .find(&header)
        .unwrap_or_else(|| panic!("no {header}"));
    let rest = &stdout[start + header.len()..];
    let end = [rest.find("\n=== "), rest.find("\nUnits: ")]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}
