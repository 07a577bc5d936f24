//! An EKS hub (tests/fixtures/eks-hub: network, security group and rules, an encrypted
//! cluster, a node group, the auth token) against moto through the CLI: apply, a second
//! plan with no changes although moto drops `accessConfig` and `updateConfig` and echoes a
//! `remoteAccess` nobody set, a version change planned in place, a key change planned as a
//! replacement, a destroy that leaves nothing of ours, and the ephemeral token kept out of
//! state and plan.

use crate::moto::Moto;
use crate::support::Work;

fn clusters(moto: &Moto) -> usize {
    moto.rest("eks", "/clusters")["clusters"]
        .as_array()
        .map_or(0, Vec::len)
}

fn node_groups(moto: &Moto) -> usize {
    let v = moto.rest("eks", "/clusters/hub/node-groups");
    v["nodegroups"].as_array().map_or(0, Vec::len)
}

#[test]
fn eks_hub_applies_plans_no_changes_and_destroys_cleanly() {
    let w = Work::fixture("eks-hub");
    let moto = Moto::start();
    let dir = w.arg();
    let run = |args: &[&str]| moto.hubctl(&w, args, &[]);

    let out = run(&["apply", &dir, "--auto-approve"]);
    out.expect_code(0);
    assert!(
        out.stdout
            .contains("Apply complete! Resources: 12 added, 0 changed, 0 destroyed."),
        "{}",
        out.all()
    );
    assert_eq!((clusters(&moto), node_groups(&moto)), (1, 1));

    let out = run(&["output", "--json"]);
    out.expect_code(0);
    let o: serde_json::Value = serde_json::from_str(&out.stdout).expect("output JSON");
    assert!(o["oidc_issuer"]["value"]
        .as_str()
        .unwrap()
        .starts_with("https://oidc.eks.us-east-1.amazonaws.com/id/"));
    assert!(o["endpoint"]["value"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    assert_eq!(o["token_prefix"]["value"], "k8s-aws-v1.");
    // The data source reads the same cluster back.
    let back = &o["read_back"]["value"];
    assert_eq!(
        (back["endpoint"].as_bool(), back["issuer"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(back["subnets"], 2);
    assert!(back["key"]
        .as_str()
        .unwrap()
        .ends_with("key/11111111-2222-3333-4444-555555555555"));

    let out = run(&["plan", &dir, "--detailed-exitcode"]);
    assert_eq!(
        out.code,
        0,
        "second plan must be No changes:\n{}",
        out.all()
    );
    assert!(out.stdout.contains("No changes."), "{}", out.stdout);

    let out = run(&["plan", &dir, "--var", "cluster_version=1.32"]);
    out.expect_code(0);
    assert!(
        out.stdout
            .contains("aws_eks_cluster.this will be updated in-place"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{}",
        out.stdout
    );

    let key = "key_arn=arn:aws:kms:us-east-1:123456789012:key/99999999-2222-3333-4444-555555555555";
    let out = run(&["plan", &dir, "--var", key]);
    out.expect_code(0);
    assert!(
        out.stdout.contains("aws_eks_cluster.this must be replaced"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("# forces replacement"),
        "{}",
        out.stdout
    );

    let out = run(&["destroy", &dir, "--auto-approve"]);
    out.expect_code(0);
    assert_eq!(clusters(&moto), 0);
    let ours = "Filter.1.Name=tag:ManagedBy&Filter.1.Value.1=hubctl";
    assert_eq!(moto.count(&format!("DescribeVpcs&{ours}"), "vpcId"), 0);
    assert_eq!(
        moto.count(&format!("DescribeSecurityGroups&{ours}"), "groupId"),
        0
    );
    assert_eq!(
        moto.count(&format!("DescribeSubnets&{ours}"), "subnetId"),
        0
    );
}

/// `ephemeral "aws_eks_cluster_auth"` signs a token in the plan and again in the apply of a
/// saved plan; check assertions see it (one passes, one is made to fail), and no byte of a
/// token (their fixed `k8s-aws-v1.` prefix) is in the state, the plan file or any output.
#[test]
fn the_ephemeral_eks_token_is_used_and_never_written() {
    let moto = crate::moto::Moto::start();
    let w = Work::empty();
    w.write(
        "main.tf",
        r#"
provider "aws" {
  region = "us-east-1"
}

ephemeral "aws_eks_cluster_auth" "hub" {
  name = "hub"
}

check "signed" {
  assert {
    condition     = startswith(ephemeral.aws_eks_cluster_auth.hub.token, "k8s-aws-v1.")
    error_message = "no EKS token was signed"
  }
}

check "made_to_fail" {
  assert {
    condition     = length(ephemeral.aws_eks_cluster_auth.hub.token) < 11
    error_message = "the token is longer than its prefix"
  }
}

resource "terraform_data" "kept" {
  input = "kept"
}
"#,
    );
    let plan = moto.hubctl(&w, &["plan", &w.arg(), "-out", "p.hubplan"], &[]);
    plan.expect_code(0);
    let apply = moto.hubctl(&w, &["apply", "p.hubplan"], &[]);
    apply.expect_code(0);
    for out in [&plan, &apply] {
        let all = out.all();
        assert!(all.contains("the token is longer than its prefix"), "{all}");
        assert!(!all.contains("no EKS token was signed"), "{all}");
        assert!(!all.contains("k8s-aws-v1"), "{all}");
    }
    let state = w.read(".hubctl/state.json");
    assert!(state.contains("terraform_data.kept"), "{state}");
    let planfile = std::fs::read(w.path("p.hubplan")).expect("the plan file");
    for (what, bytes) in [("state", state.as_bytes()), ("plan file", &planfile[..])] {
        let hit = bytes.windows(10).any(|b| b == b"k8s-aws-v1");
        assert!(!hit, "a token in the {what}");
    }
}
