//! An EKS hub (tests/fixtures/eks-hub: network, security group and rules, an encrypted
//! cluster, a node group, the auth token) against moto through the CLI: apply, a second
//! plan with no changes although moto drops `accessConfig` and `updateConfig` and echoes a
//! `remoteAccess` nobody set, a version change planned in place, a key change planned as a
//! replacement, and a destroy that leaves nothing of ours.

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
