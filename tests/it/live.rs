//! `hubctl render` over Terragrunt trees: the repository's own `live/` tree, and the errors
//! a unit file can make, each at file:line:column.

use crate::support::{copy_dir, Work};
use std::path::Path;

/// A copy of the repository's config/, live/ and modules/ in a fresh git work tree.
fn repo_copy() -> Work {
    let w = Work::empty();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for d in ["config", "live", "modules"] {
        copy_dir(&repo.join(d), &w.path(d));
    }
    std::fs::create_dir_all(w.path(".git")).expect("git dir");
    w
}

#[test]
fn render_json_resolves_the_shipped_staging_eks_unit() {
    let w = repo_copy();
    let out = w.run(&["render", "--json", "live/staging/eks"]);
    out.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON on stdout");
    let dir = w.arg();
    assert_eq!(
        v["terraform"]["source"],
        serde_json::json!(format!("{dir}//modules/eks"))
    );
    assert_eq!(v["inputs"]["cluster_version"], "1.33");
    assert_eq!(v["inputs"]["cluster_name"], "hub-staging");
    assert_eq!(
        v["inputs"]["node_instance_types"],
        serde_json::json!(["t3.large"])
    );
    assert_eq!(v["inputs"]["private_subnet_ids"], "(known after apply)");
    assert_eq!(
        v["remote_state"]["config"]["key"],
        "staging/eks/terraform.tfstate"
    );
    assert_eq!(v["dependency"]["network"]["config_path"], "../network");
    let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
    for k in [
        "terraform",
        "remote_state",
        "inputs",
        "locals",
        "generate",
        "dependency",
        "dependencies",
    ] {
        assert!(keys.iter().any(|x| *x == k), "no {k} in {keys:?}");
    }
    let text = w.run(&["render", "live/prod/eks"]);
    text.expect_code(0);
    let desired = text
        .stdout
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("desired "));
    assert!(
        desired.is_some_and(|l| l.ends_with("= 6")),
        "{}",
        text.stdout
    );
}

#[test]
fn render_errors_point_at_the_unit_file() {
    let w = Work::empty();
    w.write(
        "a/terragrunt.hcl",
        "include \"root\" {\n  path = find_in_parent_folders(\"root.hcl\")\n}\n",
    );
    w.write(
        "b/terragrunt.hcl",
        "dependency \"c\" {\n  config_path = \"../c\"\n}\n",
    );
    w.write(
        "c/terragrunt.hcl",
        "dependency \"b\" {\n  config_path = \"../b\"\n}\n",
    );
    w.write("d/terragrunt.hcl", "locals {\n  v = run_cmd(\"id\")\n}\n");
    let cases = [
        ("a", "a/terragrunt.hcl:2:10", "could not find a root.hcl"),
        (
            "b",
            "c/terragrunt.hcl:1:1",
            "Dependency cycle between units",
        ),
        ("d", "d/terragrunt.hcl:2:7", "run_cmd"),
    ];
    for (unit, at, what) in cases {
        let out = w.run(&["render", "--json", unit]);
        out.expect_code(1);
        assert!(
            out.stderr.contains(at),
            "{unit}: no {at} in\n{}",
            out.stderr
        );
        assert!(
            out.stderr.contains(what),
            "{unit}: no {what} in\n{}",
            out.stderr
        );
        assert_eq!(out.stdout, "", "{unit}: nothing on stdout after errors");
    }
}

const THING_TF: &str = r#"variable "name" {
  type = string
}

variable "upstream_id" {
  type    = string
  default = null
}

resource "terraform_data" "x" {
  input = { name = var.name, upstream = var.upstream_id }
}

output "id" {
  value = terraform_data.x.id
}

output "name" {
  value = var.name
}
"#;

#[test]
fn plan_all_plans_units_in_order_with_dependency_outputs_known_after_apply() {
    let w = Work::empty();
    w.write("modules/thing/main.tf", THING_TF);
    w.write(
        "live/dev/b/terragrunt.hcl",
        "terraform {\n  source = \"../../..//modules/thing\"\n}\ndependency \"a\" {\n  config_path = \"../a\"\n}\n\
         inputs = {\n  name        = \"b-${dependency.a.outputs.name}\"\n  upstream_id = dependency.a.outputs.id\n  undeclared  = 1\n}\n",
    );
    w.write(
        "live/dev/a/terragrunt.hcl",
        "terraform {\n  source = \"../../../modules//thing\"\n}\ninputs = {\n  name = \"a\"\n}\n",
    );
    let out = w.run(&["plan", "--all", "live/dev", "--detailed-exitcode"]);
    out.expect_code(2);
    // The input b's module does not declare: a warning at its entry, once.
    let warning = "warning: Value for undeclared variable";
    assert_eq!(out.stderr.matches(warning).count(), 1, "{}", out.stderr);
    for want in [
        "live/dev/b/terragrunt.hcl:10:3",
        "The input \"undeclared\" is set",
    ] {
        assert!(out.stderr.contains(want), "no {want} in\n{}", out.stderr);
    }
    let a = out
        .stdout
        .find("=== live/dev/a ===")
        .expect("unit a planned");
    let b = out
        .stdout
        .find("=== live/dev/b ===")
        .expect("unit b planned");
    assert!(a < b, "a before b:\n{}", out.stdout);
    let b_plan = &out.stdout[b..];
    assert!(b_plan.contains("\"b-a\""), "{b_plan}");
    assert!(
        b_plan.contains("upstream = (known after apply)"),
        "{b_plan}"
    );
    assert!(
        out.stdout
            .contains("Units: 2 done (2 with changes), 0 failed, 0 skipped."),
        "{}",
        out.stdout
    );
    // Each unit has its own working copy of the source's package (the part before `//`, as
    // Terragrunt copies it) and runs in the module's folder there; the module folder is not
    // written to.
    assert!(w.path("live/dev/a/.hubctl/work/thing/main.tf").is_file());
    assert!(w
        .path("live/dev/b/.hubctl/work/modules/thing/main.tf")
        .is_file());
    let module_files = std::fs::read_dir(w.path("modules/thing"))
        .expect("dir")
        .count();
    assert_eq!(module_files, 1);
}

/// Units `a` and `b` (b reads a's outputs), both on the terraform_data module.
fn two_units() -> Work {
    let w = Work::empty();
    w.write("modules/thing/main.tf", THING_TF);
    w.write(
        "live/dev/a/terragrunt.hcl",
        "terraform {\n  source = \"../../../modules//thing\"\n}\ninputs = {\n  name = \"a\"\n}\n",
    );
    w.write(
        "live/dev/b/terragrunt.hcl",
        "terraform {\n  source = \"../../..//modules/thing\"\n}\ndependency \"a\" {\n  config_path = \"../a\"\n}\n\
         inputs = {\n  name        = \"b-${dependency.a.outputs.name}\"\n  upstream_id = dependency.a.outputs.id\n}\n",
    );
    w
}

#[test]
fn apply_all_applies_in_order_with_real_outputs_then_plan_all_is_clean() {
    let w = two_units();
    let out = w.run(&["apply", "--all", "live/dev", "--auto-approve"]);
    out.expect_code(0);
    assert!(
        out.stdout
            .contains("Units: 2 done (2 with changes), 0 failed, 0 skipped."),
        "{}",
        out.stdout
    );
    let state = |u: &str| -> serde_json::Value {
        let sub = if u == "a" { "thing" } else { "modules/thing" };
        let text = w.read(&format!(
            "live/dev/{u}/.hubctl/work/{sub}/.hubctl/state.json"
        ));
        serde_json::from_str(&text).expect("state JSON")
    };
    let (a, b) = (state("a"), state("b"));
    let a_id = a["outputs"]["id"]["value"]
        .as_str()
        .expect("a applied")
        .to_string();
    let b_input = &b["resources"]["terraform_data.x"]["attributes"]["input"];
    assert_eq!(
        b_input["upstream"],
        serde_json::json!(a_id),
        "b got a's real id: {b}"
    );
    let again = w.run(&["plan", "--all", "live/dev", "--detailed-exitcode"]);
    again.expect_code(0);
    // Destroy goes the other way: b (which reads a) first.
    let gone = w.run(&["destroy", "--all", "live/dev", "--auto-approve"]);
    gone.expect_code(0);
    let a = gone.stdout.find("=== live/dev/a ===").expect("a destroyed");
    let b = gone.stdout.find("=== live/dev/b ===").expect("b destroyed");
    assert!(b < a, "b before a:\n{}", gone.stdout);
    for u in ["a", "b"] {
        assert_eq!(
            state(u)["resources"],
            serde_json::json!({}),
            "{u} still has resources"
        );
    }
}

#[test]
fn a_failed_unit_skips_only_its_dependents() {
    let w = two_units();
    w.write(
        "live/dev/a/terragrunt.hcl",
        "terraform {\n  source = \"../../../modules//missing\"\n}\n",
    );
    w.write(
        "live/dev/c/terragrunt.hcl",
        "terraform {\n  source = \"../../..//modules/thing\"\n}\ninputs = {\n  name = \"c\"\n}\n",
    );
    let out = w.run(&["plan", "--all", "live/dev"]);
    out.expect_code(1);
    assert!(
        out.stderr.contains("Module source not found"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("live/dev/a/terragrunt.hcl:2:12"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("Skipping live/dev/b"), "{}", out.stderr);
    assert!(out.stdout.contains("=== live/dev/c ==="), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("Units: 1 done (1 with changes), 1 failed, 1 skipped."),
        "{}",
        out.stdout
    );
}

#[test]
fn queue_globs_choose_units_and_excluded_ones_answer_from_their_state() {
    let w = two_units();
    w.write(
        "live/dev/c/terragrunt.hcl",
        "terraform {\n  source = \"../../..//modules/thing\"\n}\ninputs = {\n  name = \"c\"\n}\n",
    );
    // b and what it depends on (a); not c.
    let out = w.run(&[
        "plan",
        "--all",
        "live/dev",
        "--queue-include-dir",
        "live/dev/b",
    ]);
    out.expect_code(0);
    assert!(out.stdout.contains("=== live/dev/a ==="), "{}", out.stdout);
    assert!(!out.stdout.contains("=== live/dev/c ==="), "{}", out.stdout);
    w.run(&["apply", "--all", "live/dev", "--auto-approve"])
        .expect_code(0);
    // a left out: b reads a's outputs from a's state, so nothing changes.
    let out = w.run(&[
        "plan",
        "--all",
        "live/dev",
        "--detailed-exitcode",
        "--terragrunt-exclude-dir",
        "**/a",
    ]);
    out.expect_code(0);
    assert!(!out.stdout.contains("=== live/dev/a ==="), "{}", out.stdout);
    let summary = "Units: 2 done (0 with changes), 0 failed, 0 skipped, 1 excluded.";
    assert!(out.stdout.contains(summary), "{}", out.stdout);
}

#[test]
fn plan_all_refuses_an_overlapping_spoke_at_its_line() {
    let w = repo_copy();
    w.write(
        "config/spokes/clash.yaml",
        "name: clash\naccount: \"333333333333\"\nregion: us-east-1\nvpc_cidr: 10.1.0.0/16\n",
    );
    let out = w.run(&["plan", "--all", "live/staging"]);
    out.expect_code(1);
    assert!(
        out.stderr.contains("Overlapping spoke VPC CIDR"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("config/spokes/payments.yaml:5:11"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "", "no unit runs");
}

#[test]
fn aws_identity_functions_answer_from_sts() {
    let moto = crate::moto::Moto::start();
    let w = Work::empty();
    w.write(
        "live/dev/app/terragrunt.hcl",
        "inputs = {\n  account = get_aws_account_id()\n  arn     = get_aws_caller_identity_arn()\n  again   = get_aws_account_id()\n}\n",
    );
    let out = moto.hubctl(&w, &["render", "--json", "live/dev/app"], &[]);
    out.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let account = v["inputs"]["account"].as_str().unwrap_or_default();
    assert!(
        account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()),
        "{v}"
    );
    assert_eq!(v["inputs"]["again"], v["inputs"]["account"]);
    let arn = v["inputs"]["arn"].as_str().unwrap_or_default();
    assert!(arn.starts_with("arn:aws:") && arn.contains(account), "{v}");
}

const REPLACEABLE_TF: &str = r#"variable "rev" {
  type = string
}

variable "extra" {
  type    = bool
  default = true
}

resource "terraform_data" "keep" {
  input = "k"
}

resource "terraform_data" "swap" {
  triggers_replace = var.rev
}

resource "terraform_data" "opt" {
  count = var.extra ? 1 : 0
}
"#;

fn unit_with(inputs: &str) -> String {
    format!("terraform {{\n  source = \"../../../modules//m\"\n}}\ninputs = {{\n{inputs}\n}}\n")
}

#[test]
fn plan_all_writes_a_markdown_summary_with_replacements_first() {
    // Units in the order they ran (dependencies first); in a unit, replaced and destroyed first.
    let w = Work::empty();
    w.write("modules/m/main.tf", REPLACEABLE_TF);
    w.write("live/dev/one/terragrunt.hcl", &unit_with("  rev = \"1\""));
    w.write("live/dev/two/terragrunt.hcl", &unit_with("  rev = \"1\""));
    w.run(&["apply", "--all", "live/dev", "--auto-approve"])
        .expect_code(0);
    w.write(
        "live/dev/one/terragrunt.hcl",
        &unit_with("  rev   = \"2\"\n  extra = false"),
    );
    let plan = w.run(&[
        "plan",
        "--all",
        "live/dev",
        "--detailed-exitcode",
        "--markdown",
        "summary.md",
    ]);
    plan.expect_code(2);
    let want = "## hubctl plan

| unit | add | change | destroy | replace |
|---|---:|---:|---:|---:|
| live/dev/two | 0 | 0 | 0 | 0 |
| live/dev/one | 1 | 0 | 2 | 1 |
| **total** | **1** | **0** | **2** | **1** |

### live/dev/two

No changes.

### live/dev/one

- **replace** `terraform_data.swap`
- **destroy** `terraform_data.opt[0]`
";
    assert_eq!(w.read("summary.md"), want);
}

/// `plan --all -out FILE` then `apply FILE`: the artifact of a tree. b's input reads a's id,
/// unknown when planned (a is not applied yet): it is fed as a applies. Applying the same
/// file again is refused (the states moved), and so is a file planned before a unit's
/// configuration changed.
#[test]
fn a_tree_plan_file_applies_exactly_once() {
    let w = two_units();
    let plan = w.run(&["plan", "--all", "live/dev", "-out=tree.hubplan"]);
    plan.expect_code(0);
    assert!(
        plan.stdout
            .contains("Saved the plan of 2 units to: tree.hubplan"),
        "{}",
        plan.stdout
    );
    // What a reviewer reads of it: each unit's plan, as text, JSON and one page.
    let text = w.run(&["show", "tree.hubplan"]);
    text.expect_code(0);
    let (a_at, b_at) = (
        text.stdout.find("=== live/dev/a ==="),
        text.stdout.find("=== live/dev/b ==="),
    );
    assert!(a_at.is_some() && a_at < b_at, "{}", text.stdout);
    assert_eq!(
        text.stdout
            .matches("Plan: 1 to add, 0 to change, 0 to destroy.")
            .count(),
        2
    );
    let json = w.run(&["show", "--json", "tree.hubplan"]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let units: Vec<&str> = json["units"]
        .as_array()
        .expect("units")
        .iter()
        .filter_map(|u| u["unit"].as_str())
        .collect();
    assert_eq!(units, ["live/dev/a", "live/dev/b"]);
    assert_eq!(
        json["units"][1]["plan"]["resource_changes"][0]["address"],
        "terraform_data.x"
    );
    let page = w.run(&["show", "--html", "tree.hubplan"]);
    page.expect_code(0);
    assert!(
        page.stdout.contains("data-unit=\"live/dev/a\"")
            && page.stdout.contains("data-unit=\"live/dev/b\"")
    );

    // `plan --all --json`: stdout is one JSON document, the human plans go to stderr.
    let json = w.run(&["plan", "--all", "live/dev", "--json"]);
    json.expect_code(0);
    let json: serde_json::Value =
        serde_json::from_str(&json.stdout).unwrap_or_else(|e| panic!("{e}: {}", json.all()));
    assert_eq!(json["units"][0]["unit"], "live/dev/a", "{json}");
    assert_eq!(
        json["units"][1]["plan"]["resource_changes"][0]["change"]["actions"],
        serde_json::json!(["create"]),
        "{json}"
    );

    let apply = w.run(&["apply", "tree.hubplan"]);
    apply.expect_code(0);
    assert!(
        apply
            .stdout
            .contains("Units: 2 done (2 with changes), 0 failed, 0 skipped."),
        "{}",
        apply.stdout
    );
    let b = w.read("live/dev/b/.hubctl/work/modules/thing/.hubctl/state.json");
    let a = w.read("live/dev/a/.hubctl/work/thing/.hubctl/state.json");
    let a: serde_json::Value = serde_json::from_str(&a).expect("a's state");
    let b: serde_json::Value = serde_json::from_str(&b).expect("b's state");
    assert_eq!(
        b["resources"]["terraform_data.x"]["attributes"]["input"]["upstream"],
        a["outputs"]["id"]["value"],
        "{b}"
    );

    let again = w.run(&["apply", "tree.hubplan"]);
    again.expect_code(1);
    assert!(
        again.stderr.contains("Saved plan is stale") || again.stderr.contains("state"),
        "{}",
        again.all()
    );
    assert!(
        again.stdout.contains("1 failed, 1 skipped"),
        "{}",
        again.stdout
    );

    // Planned, then a's configuration changes: a's plan is refused and b is skipped.
    w.write(
        "live/dev/a/terragrunt.hcl",
        &w.read("live/dev/a/terragrunt.hcl")
            .replace("name = \"a\"", "name = \"a2\""),
    );
    let replan = w.run(&["plan", "--all", "live/dev", "-out=next.hubplan"]);
    replan.expect_code(0);
    w.write(
        "live/dev/a/terragrunt.hcl",
        &w.read("live/dev/a/terragrunt.hcl")
            .replace("name = \"a2\"", "name = \"a3\""),
    );
    let edited = w.run(&["apply", "next.hubplan"]);
    edited.expect_code(1);
    assert!(
        edited.stderr.contains("does not match the configuration")
            || edited.stderr.contains("no longer applies"),
        "{}",
        edited.all()
    );
    assert!(
        edited.stdout.contains("1 failed, 1 skipped"),
        "{}",
        edited.stdout
    );
    // A unit added to the tree since: the file does not match it.
    w.write(
        "live/dev/c/terragrunt.hcl",
        "terraform {\n  source = \"../../../modules//thing\"\n}\ninputs = {\n  name = \"c\"\n}\n",
    );
    let grown = w.run(&["apply", "next.hubplan"]);
    grown.expect_code(1);
    assert!(
        grown
            .stderr
            .contains("The plan file does not match the tree"),
        "{}",
        grown.all()
    );
}
