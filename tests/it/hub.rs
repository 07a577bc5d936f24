//! The whole hub (examples/hub -> modules/hub: network, KMS, EKS with its node group and OIDC
//! provider, one IRSA role per controller through a module `for_each`) against moto through
//! the CLI. Checked: what apply creates, counted per service; each controller role's trust
//! policy as IAM holds it names the OIDC provider and exactly its service account; a second
//! plan exits 0 with `--detailed-exitcode`; a version change plans in place; destroy leaves
//! nothing of ours in EC2, EKS, IAM or KMS (a key pending deletion counts as deleted).

use crate::conformance::{aws, configure};
use crate::conformance_iam::live_keys;
use crate::moto::Moto;
use crate::support::{copy_dir, Work};
use hubctl_aws::AwsClients;
use hubctl_core::provider::ProviderClient;
use serde_json::Value as J;
use std::path::Path;

const MODULES: &[&str] = &["vpc", "kms", "eks", "iam-irsa", "controller-roles", "hub"];

/// The controllers' roles and the service accounts they must trust.
const CONTROLLERS: &[(&str, &str)] = &[
    ("hub-kro-controller-role", "kro-system:kro"),
    (
        "hub-ack-iam-controller-role",
        "ack-system:ack-iam-controller",
    ),
    (
        "hub-ack-eks-controller-role",
        "ack-system:ack-eks-controller",
    ),
    (
        "hub-ack-ec2-controller-role",
        "ack-system:ack-ec2-controller",
    ),
];

/// The example hub and the modules it calls, in a fresh temp dir.
pub(crate) fn setup() -> Work {
    let w = Work::empty();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for m in MODULES {
        copy_dir(
            &repo.join("modules").join(m),
            &w.path(&format!("modules/{m}")),
        );
    }
    copy_dir(&repo.join("examples/hub"), &w.path("examples/hub"));
    w
}

/// Everything of ours in each service: VPCs, NAT gateways and EIPs tagged by the example's
/// default tags, EKS clusters, IAM roles, OIDC providers, KMS aliases and live keys.
async fn inventory(moto: &Moto, client: &ProviderClient) -> Vec<(&'static str, usize)> {
    let c = aws(client);
    let ours = "Filter.1.Name=tag:ManagedBy&Filter.1.Value.1=hubctl";
    let nat = "Filter.2.Name=state&Filter.2.Value.1=available";
    let clusters = moto.rest("eks", "/clusters")["clusters"]
        .as_array()
        .map_or(0, Vec::len);
    let roles = c.iam.list_roles().send().await.expect("ListRoles");
    let oidc = c.iam.list_open_id_connect_providers().send().await;
    let oidc = oidc.expect("ListOpenIDConnectProviders");
    let aliases = c.kms.list_aliases().send().await.expect("ListAliases");
    let our_aliases = aliases
        .aliases()
        .iter()
        .filter(|a| a.alias_name().is_some_and(|n| n.starts_with("alias/hub-")))
        .count();
    vec![
        ("vpcs", moto.count(&format!("DescribeVpcs&{ours}"), "vpcId")),
        (
            "subnets",
            moto.count(&format!("DescribeSubnets&{ours}"), "subnetId"),
        ),
        (
            "nat gateways",
            moto.count(&format!("DescribeNatGateways&{ours}&{nat}"), "natGatewayId"),
        ),
        (
            "eips",
            moto.count(&format!("DescribeAddresses&{ours}"), "allocationId"),
        ),
        ("eks clusters", clusters),
        ("iam roles", roles.roles().len()),
        ("oidc providers", oidc.open_id_connect_provider_list().len()),
        ("kms aliases", our_aliases),
        ("live kms keys", live_keys(client).await),
    ]
}

/// The trust policy IAM holds for `role`.
async fn trust_of(c: &AwsClients, role: &str) -> J {
    let out = c
        .iam
        .get_role()
        .role_name(role)
        .send()
        .await
        .expect("GetRole");
    let doc = out.role().and_then(|r| r.assume_role_policy_document());
    let doc = hubctl_aws::policy::decode_url(doc.expect("trust policy"));
    serde_json::from_str(&doc).expect("trust policy JSON")
}

fn assert_trusts_exactly(trust: &J, oidc_arn: &str, issuer: &str, ns_sa: &str) {
    let statements = trust["Statement"].as_array().expect("statements");
    assert_eq!(statements.len(), 1, "{trust}");
    let st = &statements[0];
    assert_eq!(st["Principal"]["Federated"], J::from(oidc_arn), "{trust}");
    assert_eq!(st["Action"], J::from("sts:AssumeRoleWithWebIdentity"));
    let eq = st["Condition"]["StringEquals"]
        .as_object()
        .expect("StringEquals");
    assert_eq!(eq.len(), 2, "{trust}");
    let sa = format!("system:serviceaccount:{ns_sa}");
    assert_eq!(eq[&format!("{issuer}:sub")], J::from(sa), "{trust}");
    assert_eq!(eq[&format!("{issuer}:aud")], J::from("sts.amazonaws.com"));
}

/// The reads an apply of the hub needs none of on an emulator that answers every create in
/// its final state: each create's answer is the created state (`Managed::CREATE_ANSWER_COMPLETE`
/// and the types' `finish_create`), so no object is described again after its create.
const READ_BACKS: &[&str] = &[
    "ec2:DescribeVpcs",
    "ec2:DescribeVpcAttribute",
    "ec2:DescribeSubnets",
    "ec2:DescribeAddresses",
    "ec2:DescribeNatGateways",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "kms:DescribeKey",
    "kms:GetKeyRotationStatus",
    "kms:ListResourceTags",
    "eks:DescribeCluster",
    "eks:DescribeNodegroup",
];

/// `hubctl::api` log lines name one call each (`hubctl::api: ec2:CreateVpc`), maybe coloured.
fn assert_no_read_backs(log: &str) {
    let mut plain = String::new();
    let mut rest = log;
    while let Some(i) = rest.find('\x1b') {
        plain.push_str(&rest[..i]);
        let end = rest[i..].find('m').map_or(rest.len(), |e| i + e + 1);
        rest = &rest[end..];
    }
    plain.push_str(rest);
    let calls: Vec<&str> = plain
        .lines()
        .filter_map(|l| l.split("hubctl::api: ").nth(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .collect();
    assert!(calls.contains(&"ec2:CreateVpc"), "no API log: {log}");
    let read_backs: Vec<&&str> = calls.iter().filter(|c| READ_BACKS.contains(c)).collect();
    assert!(read_backs.is_empty(), "read after create: {read_backs:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_hub_applies_trusts_each_controller_plans_clean_and_destroys_to_nothing() {
    let moto = Moto::start();
    let w = setup();
    let dir = w.path("examples/hub").display().to_string();
    let run = |args: &[&str]| moto.hubctl(&w, args, &[]);
    let client = configure(&moto).await;
    let c = aws(&client);
    let before = inventory(&moto, &client).await;

    let log = [("HUBCTL_LOG", "hubctl::api=info".to_string())];
    let out = moto.hubctl(&w, &["apply", &dir, "--auto-approve"], &log);
    out.expect_code(0);
    assert_no_read_backs(&out.stderr);
    let after = inventory(&moto, &client).await;
    let added: Vec<_> = after
        .iter()
        .zip(&before)
        .map(|((name, n), (_, b))| (*name, n - b))
        .collect();
    assert_eq!(
        added,
        [
            ("vpcs", 1),
            ("subnets", 6),
            ("nat gateways", 3),
            ("eips", 3),
            ("eks clusters", 1),
            // The cluster role, the node role and the four controllers'.
            ("iam roles", 6),
            ("oidc providers", 1),
            ("kms aliases", 1),
            ("live kms keys", 1),
        ],
        "{}",
        out.stdout
    );

    let out = run(&["output", "--dir", &dir, "--json"]);
    out.expect_code(0);
    let o: J = serde_json::from_str(&out.stdout).expect("output --json");
    let oidc_arn = o["oidc_provider_arn"]["value"].as_str().expect("oidc arn");
    let issuer = o["oidc_issuer"]["value"].as_str().expect("issuer");
    let issuer = issuer.trim_start_matches("https://");
    assert!(
        oidc_arn.ends_with(&format!(":oidc-provider/{issuer}")),
        "{oidc_arn}"
    );
    let arns = o["controller_role_arns"]["value"]
        .as_object()
        .expect("role arns");
    let kinds: Vec<&str> = arns.keys().map(String::as_str).collect();
    assert_eq!(kinds, ["ack-ec2", "ack-eks", "ack-iam", "kro"]);
    for (role, ns_sa) in CONTROLLERS {
        let trust = trust_of(c, role).await;
        assert_trusts_exactly(&trust, oidc_arn, issuer, ns_sa);
    }
    assert_eq!(
        o["private_subnet_ids"]["value"]
            .as_object()
            .map(|m| m.len()),
        Some(3)
    );

    let plan = run(&["plan", &dir, "--detailed-exitcode"]);
    assert_eq!(
        plan.code,
        0,
        "second plan must be No changes:\n{}",
        plan.all()
    );
    let plan = run(&["plan", &dir, "--var", "cluster_version=1.32"]);
    plan.expect_code(0);
    assert!(
        plan.stdout
            .contains("module.hub.module.eks.aws_eks_cluster.this will be updated in-place"),
        "{}",
        plan.stdout
    );
    assert!(plan
        .stdout
        .contains("Plan: 0 to add, 1 to change, 0 to destroy."));

    run(&["destroy", &dir, "--auto-approve"]).expect_code(0);
    assert_eq!(
        inventory(&moto, &client).await,
        before,
        "left behind after destroy"
    );
}
