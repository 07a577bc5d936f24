//! `hubctl state ...` and `moved`/`removed` blocks (issue 5) on the local backend, with
//! terraform_data configurations: every test asserts what happened to the state file.

use crate::support::{resource_addrs, Work};

const MAIN: &str = r#"
resource "terraform_data" "a" {
  input = "alpha"
}
resource "terraform_data" "b" {
  count = 2
  input = "b${count.index}"
}
resource "terraform_data" "secret" {
  input = sensitive("hunter2")
}
module "m" {
  source = "./m"
}
"#;

const CHILD: &str = "resource \"terraform_data\" \"inner\" {\n  input = \"in\"\n}\n";

fn applied() -> Work {
    let w = Work::empty();
    w.write("main.tf", MAIN);
    w.write("m/main.tf", CHILD);
    w.apply_ok(&[]);
    w
}

fn serial(w: &Work) -> u64 {
    w.state()["serial"].as_u64().expect("serial")
}

fn state_cmd(w: &Work, args: &[&str]) -> crate::support::Out {
    let dir = w.arg();
    let mut all = vec!["state"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--dir", dir.as_str()]);
    w.run(&all)
}

#[test]
fn list_filters_by_resource_and_module_and_reads_without_lock() {
    let w = applied();
    let all = state_cmd(&w, &["list"]);
    all.expect_code(0);
    // Terraform's order: the root module first (see modules-terraform-1.11.json).
    assert_eq!(
        all.stdout.lines().collect::<Vec<_>>(),
        [
            "terraform_data.a",
            "terraform_data.b[0]",
            "terraform_data.b[1]",
            "terraform_data.secret",
            "module.m.terraform_data.inner",
        ]
    );
    let some = state_cmd(&w, &["list", "terraform_data.b", "module.m", "-lock=false"]);
    some.expect_code(0);
    assert_eq!(some.stdout.lines().count(), 3, "{}", some.stdout);
}

#[test]
fn show_prints_attributes_and_redacts_sensitive_ones() {
    let w = applied();
    let out = state_cmd(&w, &["show", "terraform_data.a"]);
    out.expect_code(0);
    assert!(
        out.stdout
            .starts_with("# terraform_data.a:\nresource \"terraform_data\" \"a\" {"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("\"alpha\""), "{}", out.stdout);
    let secret = state_cmd(&w, &["show", "terraform_data.secret"]);
    secret.expect_code(0);
    assert!(
        secret.stdout.contains("(sensitive value)"),
        "{}",
        secret.stdout
    );
    assert!(!secret.all().contains("hunter2"));
    // A resource with two instances is ambiguous; a missing one is an error.
    state_cmd(&w, &["show", "terraform_data.b"]).expect_code(1);
    state_cmd(&w, &["show", "terraform_data.nope"]).expect_code(1);
}

#[test]
fn rm_forgets_instances_with_a_new_serial() {
    let w = applied();
    let before = serial(&w);
    let out = state_cmd(&w, &["rm", "terraform_data.b", "module.m"]);
    out.expect_code(0);
    assert!(
        out.stdout
            .contains("Successfully removed 3 resource instance(s)"),
        "{}",
        out.stdout
    );
    assert_eq!(
        resource_addrs(&w.state()),
        ["terraform_data.a", "terraform_data.secret"]
    );
    assert_eq!(serial(&w), before + 1);
    assert!(!w.lock_path().exists(), "rm released its lock");
    // Nothing matches: an error, and the state is untouched.
    let bytes = w.state_bytes();
    state_cmd(&w, &["rm", "terraform_data.zzz"]).expect_code(1);
    assert_eq!(w.state_bytes(), bytes);
    // The forgotten instances are planned as new ones, nothing is destroyed.
    let plan = w.plan(&[]);
    assert!(
        plan.stdout
            .contains("Plan: 3 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
}

#[test]
fn mv_renames_resources_instances_and_modules_but_never_onto_an_object() {
    let w = applied();
    let before = serial(&w);
    state_cmd(&w, &["mv", "terraform_data.b", "terraform_data.c"]).expect_code(0);
    state_cmd(&w, &["mv", "terraform_data.a", "terraform_data.c[5]"]).expect_code(0);
    let out = state_cmd(&w, &["mv", "module.m", "module.n"]);
    out.expect_code(0);
    assert!(
        out.stdout.contains(
            "Move \"module.m.terraform_data.inner\" to \"module.n.terraform_data.inner\""
        ),
        "{}",
        out.stdout
    );
    assert_eq!(
        resource_addrs(&w.state()),
        [
            "module.n.terraform_data.inner",
            "terraform_data.c[0]",
            "terraform_data.c[1]",
            "terraform_data.c[5]",
            "terraform_data.secret"
        ]
    );
    assert_eq!(serial(&w), before + 3);
    let bytes = w.state_bytes();
    let refused = state_cmd(&w, &["mv", "terraform_data.c[0]", "terraform_data.c[1]"]);
    refused.expect_code(1);
    assert!(
        refused.stderr.contains("already has an object"),
        "{}",
        refused.stderr
    );
    assert_eq!(w.state_bytes(), bytes, "a refused mv wrote the state");
}

#[test]
fn pull_prints_the_state_and_push_checks_lineage_and_serial() {
    let w = applied();
    let pulled = state_cmd(&w, &["pull"]);
    pulled.expect_code(0);
    assert_eq!(pulled.stdout.as_bytes(), w.state_bytes().as_slice());
    let mut doc: serde_json::Value = serde_json::from_str(&pulled.stdout).expect("JSON");

    // Older serial: refused without --force.
    let current = serial(&w);
    doc["serial"] = (current - 1).into();
    doc["resources"]
        .as_object_mut()
        .expect("resources")
        .remove("terraform_data.a");
    w.write("old.json", &doc.to_string());
    let bytes = w.state_bytes();
    let refused = state_cmd(&w, &["push", &w.path("old.json").display().to_string()]);
    refused.expect_code(1);
    assert!(refused.stderr.contains("older"), "{}", refused.stderr);
    assert_eq!(w.state_bytes(), bytes);
    state_cmd(
        &w,
        &["push", &w.path("old.json").display().to_string(), "-force"],
    )
    .expect_code(0);
    assert_eq!(serial(&w), current + 1);
    assert!(!resource_addrs(&w.state()).contains(&"terraform_data.a".to_string()));

    // Another lineage: refused.
    doc["lineage"] = "00000000-0000-0000-0000-000000000000".into();
    doc["serial"] = 99.into();
    w.write("other.json", &doc.to_string());
    let bytes = w.state_bytes();
    let other = state_cmd(&w, &["push", &w.path("other.json").display().to_string()]);
    other.expect_code(1);
    assert!(other.stderr.contains("lineage"), "{}", other.stderr);
    assert_eq!(w.state_bytes(), bytes);
}

#[test]
fn moved_block_renames_without_destroying() {
    let w = applied();
    let id = w.state()["resources"]["terraform_data.a"]["attributes"]["id"].clone();
    w.write(
        "main.tf",
        &(MAIN
            .replace("\"terraform_data\" \"a\"", "\"terraform_data\" \"renamed\"")
            .replace("module \"m\"", "module \"n\"")
            + "moved {\n  from = terraform_data.a\n  to   = terraform_data.renamed\n}\nmoved {\n  from = module.m\n  to   = module.n\n}\n"),
    );
    let plan = w.plan(&[]);
    plan.expect_code(2);
    assert!(
        plan.stdout
            .contains("# terraform_data.a has moved to terraform_data.renamed"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("# module.m.terraform_data.inner has moved to module.n.terraform_data.inner"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("Plan: 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    let json = w.run(&["plan", &w.arg(), "--json"]);
    json.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("plan JSON");
    let renamed = doc["resource_changes"]
        .as_array()
        .expect("resource_changes")
        .iter()
        .find(|c| c["address"] == "terraform_data.renamed")
        .expect("the renamed instance");
    assert_eq!(renamed["previous_address"], "terraform_data.a");
    assert_eq!(renamed["change"]["actions"], serde_json::json!(["no-op"]));
    w.apply_ok(&[]);
    let state = w.state();
    assert_eq!(
        state["resources"]["terraform_data.renamed"]["attributes"]["id"],
        id
    );
    assert!(state["resources"].get("terraform_data.a").is_none());
    assert!(state["resources"]
        .get("module.n.terraform_data.inner")
        .is_some());
    w.plan(&[]).expect_code(0);
}

/// Adding `count` moves the one object to `[0]` and removing it moves `[0]` back, as
/// Terraform's implied moves do, instead of destroying and re-creating it.
#[test]
fn adding_or_removing_count_moves_the_object_instead_of_replacing_it() {
    let w = applied();
    let id = w.state()["resources"]["terraform_data.a"]["attributes"]["id"].clone();
    let counted = MAIN.replace(
        "resource \"terraform_data\" \"a\" {\n",
        "resource \"terraform_data\" \"a\" {\n  count = 1\n",
    );
    w.write("main.tf", &counted);
    let plan = w.plan(&[]);
    plan.expect_code(2);
    assert!(
        plan.stdout
            .contains("# terraform_data.a has moved to terraform_data.a[0]"),
        "{}",
        plan.stdout
    );
    assert!(plan
        .stdout
        .contains("Plan: 0 to add, 0 to change, 0 to destroy."));
    w.apply_ok(&[]);
    assert_eq!(
        w.state()["resources"]["terraform_data.a[0]"]["attributes"]["id"],
        id
    );

    w.write("main.tf", MAIN);
    let plan = w.plan(&[]);
    assert!(
        plan.stdout
            .contains("# terraform_data.a[0] has moved to terraform_data.a"),
        "{}",
        plan.stdout
    );
    w.apply_ok(&[]);
    assert_eq!(
        w.state()["resources"]["terraform_data.a"]["attributes"]["id"],
        id
    );
    w.plan(&[]).expect_code(0);
}

#[test]
fn removed_block_forgets_instead_of_destroying() {
    let w = applied();
    w.write(
        "main.tf",
        &(MAIN
            .replace("resource \"terraform_data\" \"a\"", "locals")
            .replace("input = \"alpha\"", "unused = \"alpha\"")
            + "removed {\n  from = terraform_data.a\n  lifecycle {\n    destroy = false\n  }\n}\n"),
    );
    let plan = w.plan(&[]);
    plan.expect_code(2);
    assert!(
        plan.stdout
            .contains("# terraform_data.a will no longer be managed by hubctl"),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("0 to destroy"), "{}", plan.stdout);
    let out = w.apply_ok(&[]);
    assert!(out.stdout.contains("0 destroyed"), "{}", out.stdout);
    assert!(w.state()["resources"].get("terraform_data.a").is_none());
    w.plan(&[]).expect_code(0);
}

#[test]
fn history_and_rollback_on_the_local_backend_say_there_is_no_history() {
    let w = applied();
    let out = state_cmd(&w, &["history"]);
    out.expect_code(0);
    assert!(out.stdout.contains("keeps no history"), "{}", out.stdout);
    let bytes = w.state_bytes();
    let rb = state_cmd(&w, &["rollback", "--version", "1", "-auto-approve"]);
    rb.expect_code(1);
    assert!(rb.stderr.contains("keeps no history"), "{}", rb.stderr);
    assert_eq!(w.state_bytes(), bytes);
}

/// The hub network as the fixture's Terraform configuration called it (inputs read from the
/// fixture: name and cluster "hub", 10.0.0.0/16, three AZs, the module and default tags).
fn hub_network_wrapper() -> &'static str {
    r#"
provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  default_tags {
    tags = {
      Project   = "hub"
      ManagedBy = "terraform"
    }
  }
}

module "vpc" {
  source       = "./vpc"
  name         = "hub"
  cidr_block   = "10.0.0.0/16"
  azs          = ["us-east-1a", "us-east-1b", "us-east-1c"]
  cluster_name = "hub"
  tags = {
    Cluster     = "hub"
    Environment = "hub"
  }
}
"#
}

/// Seven of the fixture's IAM and KMS objects as its configuration wrote them (AWS provider
/// 5.x arguments): their Terraform state (bare OIDC URL, `name_prefix = ""`, empty
/// `managed_policy_arns`, the provider's policy JSON) must plan no change.
const EKS_CALL: &str = r#"
module "eks" {
  source = "./eks"
}
"#;

const EKS_IAM: &str = r#"
locals {
  tags = { Cluster = "hub", Environment = "hub" }
}

resource "aws_kms_key" "eks" {
  description             = "hub EKS secrets encryption"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  tags                    = merge(local.tags, { Name = "hub-eks-secrets" })
}

resource "aws_kms_alias" "eks" {
  name          = "alias/hub-eks-secrets"
  target_key_id = aws_kms_key.eks.key_id
}

data "aws_iam_policy_document" "cluster" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cluster" {
  name               = "hub-cluster-role"
  assume_role_policy = data.aws_iam_policy_document.cluster.json
  tags               = local.tags
}

resource "aws_iam_role_policy_attachment" "cluster" {
  for_each   = toset(["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy", "arn:aws:iam::aws:policy/AmazonEKSVPCResourceController"])
  role       = aws_iam_role.cluster.name
  policy_arn = each.value
}

resource "aws_iam_role_policy" "cluster_encryption" {
  name = "hub-cluster-encryption"
  role = aws_iam_role.cluster.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], Resource = aws_kms_key.eks.arn }]
  })
}

resource "aws_iam_openid_connect_provider" "this" {
  url            = "https://oidc.eks.us-east-1.amazonaws.com/id/chT5auhUhA"
  client_id_list = ["sts.amazonaws.com"]
  tags           = merge(local.tags, { Name = "hub-irsa" })
}
"#;

fn fixture_path() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("state-fixtures/terraform-1.11-hub-aws5.100.tfstate")
        .display()
        .to_string()
}

#[test]
fn import_terraform_converts_the_hub_network_and_plans_no_changes() {
    let w = Work::empty();
    w.write("main.tf", &format!("{}{EKS_CALL}", hub_network_wrapper()));
    w.write("eks/main.tf", EKS_IAM);
    crate::support::copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("modules/vpc"),
        &w.path("vpc"),
    );
    // modules/vpc names objects as the Terraform module behind the fixture did (the IGW
    // "hub-igw", the NAT gateways "hub-nat-<az>"), so its state imports with no changes.
    let module = w.read("vpc/main.tf");
    assert_eq!(
        module.matches("-igw").count(),
        1,
        "modules/vpc changed: {module}"
    );
    assert_eq!(
        module.matches("-nat-").count(),
        2,
        "modules/vpc changed: {module}"
    );
    let out = state_cmd(&w, &["import-terraform", &fixture_path()]);
    out.expect_code(0);
    assert!(
        out.stdout.contains("Imported 50 resource instance(s)"),
        "{}",
        out.stdout
    );
    // IAM, KMS and EKS types are supported: no managed resource is skipped.
    assert!(!out.stdout.contains("skipped aws_"), "{}", out.stdout);
    assert!(!out.stdout.contains("skipped aws_iam"), "{}", out.stdout);
    assert!(!out.stdout.contains("skipped aws_kms"), "{}", out.stdout);
    assert!(
        out.stdout.contains("skipped 9 data source instance(s)"),
        "{}",
        out.stdout
    );
    let state = w.state();
    assert_eq!(state["serial"], 1);
    assert_ne!(state["lineage"], "d50509a4-0f59-2b12-9282-f1e282ee8419");
    let addrs = resource_addrs(&state);
    assert_eq!(addrs.len(), 50);
    let vpc = addrs
        .iter()
        .filter(|a| a.starts_with("module.vpc."))
        .count();
    assert_eq!(vpc, 28);
    let eks = [
        "module.eks.aws_eks_cluster.this",
        "module.eks.aws_eks_node_group.default",
    ];
    assert!(
        eks.iter().all(|e| addrs.iter().any(|a| a == e)),
        "{addrs:?}"
    );

    // A second import would overwrite: refused without --force.
    let bytes = w.state_bytes();
    state_cmd(&w, &["import-terraform", &fixture_path()]).expect_code(1);
    assert_eq!(w.state_bytes(), bytes);

    // The EKS objects are imported too, but this configuration is the network alone (the
    // hub's IAM and KMS types, which its EKS module needs, are not here): forget them.
    state_cmd(&w, &["rm", eks[0], eks[1]]).expect_code(0);

    // Every imported attribute fits hubctl's schemas: no resource changes.
    let dir = w.arg();
    let plan = w
        .command(&["plan", &dir, "-refresh=false", "--json"])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .expect("run hubctl");
    let stdout = String::from_utf8_lossy(&plan.stdout);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&plan.stderr)
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("plan JSON");
    // The wrapper configures the network and seven IAM/KMS objects: the other 13 IAM
    // instances (module.eks, module.irsa) are planned for deletion, the rest for nothing.
    let all = doc["resource_changes"]
        .as_array()
        .expect("resource_changes");
    let deleted = all
        .iter()
        .filter(|c| c["change"]["actions"] == serde_json::json!(["delete"]))
        .filter(|c| {
            !c["address"]
                .as_str()
                .unwrap_or("")
                .starts_with("module.vpc.")
        })
        .count();
    assert_eq!(deleted, 13);
    const KEPT: [&str; 7] = [
        "module.eks.aws_iam_role_policy.cluster_encryption",
        "module.eks.aws_iam_role_policy_attachment.cluster[\"arn:aws:iam::aws:policy/AmazonEKSClusterPolicy\"]",
        "module.eks.aws_iam_role_policy_attachment.cluster[\"arn:aws:iam::aws:policy/AmazonEKSVPCResourceController\"]",
        "module.eks.aws_kms_key.eks",
        "module.eks.aws_kms_alias.eks",
        "module.eks.aws_iam_role.cluster",
        "module.eks.aws_iam_openid_connect_provider.this",
    ];
    let changed: Vec<String> = all
        .iter()
        .filter(|c| {
            let a = c["address"].as_str().unwrap_or("");
            a.starts_with("module.vpc.") || KEPT.contains(&a)
        })
        .filter(|c| c["change"]["actions"] != serde_json::json!(["no-op"]))
        .map(|c| format!("{} {}", c["address"], c["change"]["actions"]))
        .collect();
    assert!(
        changed.is_empty(),
        "changes planned for imported resources: {changed:?}"
    );
    let kept = all
        .iter()
        .filter(|c| KEPT.contains(&c["address"].as_str().unwrap_or("")));
    assert_eq!(kept.count(), 7);
    // The 48 instances and the read of the cluster role's policy document.
    assert_eq!(doc["resource_changes"].as_array().map(Vec::len), Some(49));
}

/// `show --json` without a plan prints the state in `terraform show -json`'s shape, with
/// sensitive values null and marked; `show` lists every instance.
#[test]
fn show_prints_the_state_with_secrets_redacted() {
    let w = applied();
    let out = w.run(&["show", "--json", "--dir", &w.arg()]);
    out.expect_code(0);
    assert!(!out.stdout.contains("hunter2"), "{}", out.stdout);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let resources = doc["values"]["root_module"]["resources"]
        .as_array()
        .expect("resources");
    let secret = resources
        .iter()
        .find(|r| r["address"] == "terraform_data.secret")
        .expect("secret");
    assert_eq!(secret["values"]["input"], serde_json::Value::Null);
    assert_eq!(secret["sensitive_values"]["input"], true);
    assert!(resources
        .iter()
        .any(|r| r["address"] == "module.m.terraform_data.inner"));
    let human = w.run(&["show", "--dir", &w.arg()]);
    human.expect_code(0);
    assert!(
        human.stdout.contains("# terraform_data.b[1]:"),
        "{}",
        human.stdout
    );
    assert!(!human.stdout.contains("hunter2"));
}
