//! Unit files read the way Terragrunt documents them, on trees written like real ones.

use super::*;
use serde_json::json;
use std::path::Path;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (p, text) in files {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
}

/// Renders `unit` (relative to `root`) as JSON with `root` replaced by `ROOT`, and the
/// diagnostics as `file:line:column summary`.
fn render(root: &Path, unit: &str) -> (serde_json::Value, Vec<String>) {
    let l = Loader::new(Options {
        command: "render",
        outputs: &NoOutputs,
        base: root,
        mocks: true,
    });
    let v = discover(&l, &[root.join(unit)])
        .and_then(|_| l.unit(&root.join(unit)))
        .map(|u| render_json(&u));
    let (sources, diags) = l.finish();
    let located = diags
        .iter()
        .map(|d| match d.subject {
            Some(s) => format!("{} {}", sources.location(s), d.summary),
            None => format!("- {}", d.summary),
        })
        .collect();
    let text = serde_json::to_string(&v.unwrap_or_default()).expect("json");
    let root = root.display().to_string();
    let json = serde_json::from_str(&text.replace(&root, "ROOT")).expect("json");
    (json, located)
}

const ROOT_HCL: &str = r#"locals {
  env_vars = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  env      = local.env_vars.locals.env
  config = overlay_merge(
    yamldecode(file("${get_repo_root()}/config/config.yaml")),
    yamldecode(file("${get_repo_root()}/config/environments/${local.env}.yaml")),
  )
}

remote_state {
  backend = "s3"
  generate = {
    path      = "backend.tf"
    if_exists = "overwrite_terragrunt"
  }
  config = {
    bucket         = local.config.state.bucket
    key            = "${path_relative_to_include()}/terraform.tfstate"
    region         = local.config.region
    encrypt        = true
    dynamodb_table = local.config.state.lock_table
  }
}

generate "provider" {
  path      = "provider.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
provider "aws" {
  region = "${local.config.region}"
  default_tags {
    tags = {
%{ for k, v in local.config.tags ~}
      ${k} = "${v}"
%{ endfor ~}
    }
  }
}
EOF
}

inputs = {
  environment = local.env
  region      = local.config.region
}
"#;

const NETWORK_HCL: &str = r#"include "root" {
  path   = find_in_parent_folders("root.hcl")
  expose = true
}

terraform {
  source = "${get_repo_root()}//modules/vpc"
}

inputs = {
  vpc_cidr = include.root.locals.config.network.vpc_cidr
  azs      = include.root.locals.config.network.azs
  from_env = path_relative_from_include()
}
"#;

const CONFIG_YAML: &str = "region: us-east-1
state:
  bucket: hub-tfstate
  lock_table: hub-tflock
tags:
  owner: platform
  project: hub
network:
  vpc_cidr: 10.0.0.0/16
  azs: [us-east-1a, us-east-1b, us-east-1c]
";

fn real_tree(root: &Path) {
    std::fs::create_dir_all(root.join(".git")).expect("git dir");
    write(
        root,
        &[
            ("config/config.yaml", CONFIG_YAML),
            (
                "config/environments/staging.yaml",
                "tags:\n  env: staging\nnetwork:\n  azs: [us-east-1a, us-east-1b]\n",
            ),
            ("live/root.hcl", ROOT_HCL),
            ("live/staging/env.hcl", "locals {\n  env = \"staging\"\n}\n"),
            ("live/staging/network/terragrunt.hcl", NETWORK_HCL),
            ("modules/vpc/main.tf", "variable \"vpc_cidr\" {}\n"),
        ],
    );
}

/// `~}` strips the newline and the indentation after each directive, as in Terraform.
const PROVIDER_TF: &str = r#"provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
env = "staging"
owner = "platform"
project = "hub"
}
  }
}
"#;

#[test]
fn render_resolves_a_real_tree_as_terragrunt_documents() {
    let dir = tempfile::tempdir().expect("tempdir");
    real_tree(dir.path());
    let (v, diags) = render(dir.path(), "live/staging/network");
    assert_eq!(diags, Vec::<String>::new());
    let expected = json!({
        "terraform": { "source": "ROOT//modules/vpc", "extra_arguments": {} },
        "remote_state": {
            "backend": "s3",
            "config": {
                "bucket": "hub-tfstate",
                "key": "staging/network/terraform.tfstate",
                "region": "us-east-1",
                "encrypt": true,
                "dynamodb_table": "hub-tflock"
            },
            "generate": { "path": "backend.tf", "if_exists": "overwrite_terragrunt" },
            "disable_init": false,
            "disable_dependency_optimization": false
        },
        "inputs": {
            "environment": "staging",
            "region": "us-east-1",
            "vpc_cidr": "10.0.0.0/16",
            "azs": ["us-east-1a", "us-east-1b"],
            "from_env": "../.."
        },
        "locals": {},
        "generate": {
            "provider": {
                "path": "provider.tf",
                "if_exists": "overwrite_terragrunt",
                "contents": PROVIDER_TF,
                "comment_prefix": "# ",
                "disable_signature": false,
                "disable": false
            }
        },
        "dependency": {},
        "dependencies": null,
        "prevent_destroy": null,
        "skip": null
    });
    assert_eq!(v, expected);
}

#[test]
fn exposed_include_and_read_config_see_their_own_directories() {
    let dir = tempfile::tempdir().expect("tempdir");
    real_tree(dir.path());
    let env = "locals {
  env  = \"staging\"
  here = get_terragrunt_dir()
  unit = get_original_terragrunt_dir()
}
";
    let kms = "include \"root\" {
  path   = find_in_parent_folders(\"root.hcl\")
  expose = true
}
locals {
  env      = include.root.locals.env_vars.locals
  parent   = get_parent_terragrunt_dir()
  platform = get_platform()
  vars     = get_terraform_commands_that_need_vars()
}
";
    write(
        dir.path(),
        &[
            ("live/staging/env.hcl", env),
            ("live/staging/kms/terragrunt.hcl", kms),
        ],
    );
    let (v, diags) = render(dir.path(), "live/staging/kms");
    assert_eq!(diags, Vec::<String>::new());
    let os = if std::env::consts::OS == "macos" {
        "darwin"
    } else {
        std::env::consts::OS
    };
    assert_eq!(
        v["locals"],
        json!({
            "env": { "env": "staging", "here": "ROOT/live/staging", "unit": "ROOT/live/staging/kms" },
            "parent": "ROOT/live",
            "platform": os,
            "vars": ["apply", "console", "destroy", "import", "plan", "push", "refresh"]
        })
    );
    assert_eq!(
        v["remote_state"]["config"]["key"],
        json!("staging/kms/terraform.tfstate")
    );
}

const PARENT_HCL: &str = r#"inputs = {
  tags = { a = 1, b = 2 }
  azs  = ["x"]
  name = "p"
  keep = "p"
}
generate "g" {
  path      = "p.tf"
  if_exists = "overwrite"
  contents  = "parent"
}
terraform {
  source = "../m"
  extra_arguments "common" {
    commands  = ["plan"]
    arguments = ["-lock=false"]
  }
}
"#;

const CHILD_HCL: &str = r#"inputs = {
  tags = { b = 3, c = 4 }
  azs  = ["y"]
  name = "c"
  keep = ""
}
generate "g" {
  path      = "c.tf"
  if_exists = "skip"
  contents  = "child"
}
terraform {
  extra_arguments "mine" {
    commands = ["apply"]
  }
}
"#;

fn merge_tree(strategy: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let child = format!(
        "include {{\n  path = \"../parent.hcl\"\n  merge_strategy = \"{strategy}\"\n}}\n{CHILD_HCL}"
    );
    write(
        dir.path(),
        &[("parent.hcl", PARENT_HCL), ("u/terragrunt.hcl", &child)],
    );
    let (v, diags) = render(dir.path(), "u");
    assert_eq!(diags, Vec::<String>::new());
    v
}

#[test]
fn include_merge_strategies_follow_terragrunt() {
    let shallow = merge_tree("shallow");
    let child_inputs = json!({"tags": {"b": 3, "c": 4}, "azs": ["y"], "name": "c", "keep": ""});
    assert_eq!(shallow["inputs"], child_inputs);
    assert_eq!(shallow["generate"]["g"]["contents"], json!("child"));
    assert_eq!(shallow["terraform"]["source"], json!("../m"));
    let extra = shallow["terraform"]["extra_arguments"].as_object();
    let names: Vec<&String> = extra.expect("extra_arguments").keys().collect();
    assert_eq!(names, ["common", "mine"]);
    // Deep: maps merge, lists append, Go-empty values ("") never override (mergo).
    let deep = merge_tree("deep");
    assert_eq!(
        deep["inputs"],
        json!({"tags": {"a": 1, "b": 3, "c": 4}, "azs": ["x", "y"], "name": "c", "keep": "p"})
    );
    let none = merge_tree("no_merge");
    assert_eq!(none["inputs"], child_inputs);
    assert_eq!(none["terraform"]["source"], json!(null));
}

#[test]
fn overlay_merge_merges_maps_and_replaces_lists_and_scalars() {
    use crate::lang::Value;
    let base = Value::object([
        (
            "a",
            Value::object([("x", Value::int(1)), ("y", Value::int(2))]),
        ),
        ("l", Value::Tuple(vec![Value::int(1), Value::int(2)])),
        ("s", Value::from("base")),
    ]);
    let over = Value::object([
        ("a", Value::object([("y", Value::int(3))])),
        ("l", Value::Tuple(vec![Value::int(9)])),
        ("n", Value::Null),
    ]);
    let merged = overlay_merge(base, over).to_json();
    assert_eq!(
        merged,
        json!({"a": {"x": 1, "y": 3}, "l": [9], "s": "base", "n": null})
    );
}

fn diags_of(files: &[(&str, &str)], unit: &str) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), files);
    render(dir.path(), unit).1
}

#[test]
fn an_include_that_finds_nothing_is_located() {
    let unit = "include \"root\" {\n  path = find_in_parent_folders(\"root.hcl\")\n}\n";
    let d = diags_of(&[("u/terragrunt.hcl", unit)], "u");
    assert_eq!(d, ["u/terragrunt.hcl:2:10 Error in function call"]);
    let unit = "include \"root\" {\n  path = \"../nope.hcl\"\n}\n";
    let d = diags_of(&[("u/terragrunt.hcl", unit)], "u");
    assert_eq!(d, ["u/terragrunt.hcl:2:10 Included file not found"]);
}

#[test]
fn a_missing_config_path_is_located() {
    let unit = "dependency \"vpc\" {\n  config_path = \"../vpc\"\n}\n";
    let d = diags_of(&[("u/terragrunt.hcl", unit)], "u");
    assert_eq!(d, ["u/terragrunt.hcl:2:17 Dependency not found"]);
    let unit = "dependency \"vpc\" {\n  mock_outputs = {}\n}\n";
    let d = diags_of(&[("u/terragrunt.hcl", unit)], "u");
    assert_eq!(d, ["u/terragrunt.hcl:1:1 Missing required argument"]);
}

#[test]
fn run_cmd_hooks_and_unknown_settings_are_refused_where_written() {
    let unit = r#"locals {
  x = run_cmd("echo", "hi")
}
terraform {
  before_hook "h" {
    commands = ["plan"]
    execute  = ["rm"]
  }
}
iam_role = "arn"
bogus    = 1
"#;
    let d = diags_of(&[("u/terragrunt.hcl", unit)], "u");
    assert_eq!(
        d,
        [
            "u/terragrunt.hcl:10:1 Unsupported argument",
            "u/terragrunt.hcl:11:1 Unsupported argument",
            "u/terragrunt.hcl:2:7 Error in function call",
            "u/terragrunt.hcl:5:3 Unsupported block type",
        ]
    );
}

#[test]
fn a_dependency_cycle_names_every_unit_on_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dep = |to: &str| format!("dependency \"{to}\" {{\n  config_path = \"../{to}\"\n}}\n");
    let (a, b, c) = (dep("b"), dep("c"), dep("a"));
    write(
        dir.path(),
        &[
            ("a/terragrunt.hcl", &a),
            ("b/terragrunt.hcl", &b),
            ("c/terragrunt.hcl", &c),
        ],
    );
    let l = Loader::new(Options {
        command: "plan",
        outputs: &NoOutputs,
        base: dir.path(),
        mocks: true,
    });
    assert!(discover(&l, &[dir.path().join("a")]).is_none());
    let (sources, diags) = l.finish();
    assert_eq!(diags.len(), 1);
    let d = &diags.0[0];
    assert_eq!(d.summary, "Dependency cycle between units");
    let at = |s| sources.location(s).to_string();
    assert_eq!(d.related.len(), 2);
    let mut places: Vec<String> = d.related.iter().map(|(s, _)| at(*s)).collect();
    places.push(at(d.subject.expect("subject")));
    places.sort();
    let expected = [
        "a/terragrunt.hcl:1:1",
        "b/terragrunt.hcl:1:1",
        "c/terragrunt.hcl:1:1",
    ];
    assert_eq!(places, expected);
    let root = dir.path().display().to_string();
    let detail = d.detail.replace(&root, "ROOT");
    assert!(
        detail.contains("ROOT/a -> ROOT/b -> ROOT/c -> ROOT/a"),
        "{detail}"
    );
}

#[test]
fn dependency_outputs_are_unknown_until_applied_and_mocks_only_for_allowed_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let eks = r#"dependency "vpc" {
  config_path = "../vpc"
  mock_outputs = { vpc_id = "vpc-mock" }
  mock_outputs_allowed_terraform_commands = ["validate"]
}
inputs = {
  vpc_id = dependency.vpc.outputs.vpc_id
}
"#;
    write(
        dir.path(),
        &[("vpc/terragrunt.hcl", ""), ("eks/terragrunt.hcl", eks)],
    );
    let for_command = |command: &str| {
        let l = Loader::new(Options {
            command,
            outputs: &NoOutputs,
            base: dir.path(),
            mocks: true,
        });
        let u = l.unit(&dir.path().join("eks")).expect("loads");
        let inputs = u.inputs.clone().expect("inputs");
        (inputs.get("vpc_id").cloned(), u.dependency[0].mocked)
    };
    use crate::lang::Value;
    assert_eq!(for_command("plan"), (Some(Value::unknown()), false));
    assert_eq!(
        for_command("validate"),
        (Some(Value::from("vpc-mock")), true)
    );
}

/// The repository's own `live/` tree (what `plan --all live/<env>` reads).
fn shipped(env: &str) -> (Vec<(String, serde_json::Value)>, Vec<String>) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let repo = absolute(&repo);
    let l = Loader::new(Options {
        command: "plan",
        outputs: &NoOutputs,
        base: &repo,
        mocks: true,
    });
    let units = units_under(&repo.join("live").join(env));
    let stack = discover(&l, &units).expect("the shipped tree loads");
    let order = stack
        .order
        .iter()
        .map(|&i| {
            let u = &stack.units[i];
            let dir = u.path.parent().expect("dir");
            let name = dir
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            (name, render_json(u))
        })
        .collect();
    let (sources, diags) = l.finish();
    let located = diags
        .iter()
        .map(|d| {
            format!(
                "{:?} {} {}",
                d.subject.map(|s| sources.location(s)),
                d.summary,
                d.detail
            )
        })
        .collect();
    (order, located)
}

#[test]
fn the_shipped_environments_load_in_dependency_order_with_their_overlays() {
    for (env, desired, public) in [("staging", 2, true), ("prod", 6, false)] {
        let (units, diags) = shipped(env);
        assert_eq!(diags, Vec::<String>::new());
        let names: Vec<&str> = units.iter().map(|(n, _)| n.as_str()).collect();
        let at = |n: &str| names.iter().position(|x| *x == n).expect("unit");
        assert_eq!(names.len(), 5, "{names:?}");
        assert!(
            at("network") < at("eks") && at("kms") < at("eks"),
            "{names:?}"
        );
        assert!(
            at("eks") < at("iam") && at("iam") < at("argocd"),
            "{names:?}"
        );
        let eks = &units[at("eks")].1;
        assert_eq!(eks["inputs"]["cluster_version"], json!("1.33"));
        assert_eq!(eks["inputs"]["node_scaling"]["desired"], json!(desired));
        assert_eq!(eks["inputs"]["endpoint_public_access"], json!(public));
        // Never applied: dependency outputs are known after apply, not mocked.
        assert_eq!(
            eks["inputs"]["private_subnet_ids"],
            json!("(known after apply)")
        );
        let state = &eks["remote_state"]["config"];
        assert_eq!(state["key"], json!(format!("{env}/eks/terraform.tfstate")));
        assert_eq!(state["bucket"], json!(format!("hubctl-state-{env}")));
        let provider = eks["generate"]["provider"]["contents"]
            .as_str()
            .expect("contents");
        assert!(
            provider.contains(&format!("      \"environment\" = \"{env}\"\n")),
            "{provider}"
        );
    }
}

#[test]
fn scope_errors_name_what_is_available_where() {
    let unit = r#"include "root" {
  path = "${local.dir}/root.hcl"
}
locals {
  a = local.b
  b = local.a
  c = var.region
}
"#;
    let d = diags_of(&[("root.hcl", ""), ("u/terragrunt.hcl", unit)], "u");
    assert_eq!(
        d,
        [
            "u/terragrunt.hcl:2:13 Unknown variable",
            "u/terragrunt.hcl:7:7 Unknown variable",
            "u/terragrunt.hcl:5:3 Cycle in locals",
            "u/terragrunt.hcl:6:3 Cycle in locals",
        ]
    );
}

#[test]
fn an_included_file_may_not_include_again() {
    let files = [
        ("top.hcl", ""),
        // Relative to the unit, as everything in an included file is.
        ("mid.hcl", "include \"top\" {\n  path = \"../top.hcl\"\n}\n"),
        (
            "u/terragrunt.hcl",
            "include \"mid\" {\n  path = \"../mid.hcl\"\n}\n",
        ),
    ];
    let d = diags_of(&files, "u");
    assert_eq!(d, ["mid.hcl:1:1 Nested include"]);
}
