//! Issue item 1: the whole life cycle on a realistic module tree (nested module, count,
//! for_each over a map and a set, locals, validated variables, outputs, terraform_data).

use crate::support::{resource_addrs, Work};
use serde_json::json;

const SECRET: &str = "s3cr3t-Pa55w0rd";

#[test]
fn plan_apply_noop_update_replace_destroy() {
    let w = Work::fixture("e2e");

    let plan = w.plan(&[]);
    plan.expect_code(2);
    assert!(
        plan.stdout
            .contains("Plan: 9 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    for addr in [
        "module.net.terraform_data.vpc will be created",
        "terraform_data.counted[1] will be created",
        "terraform_data.zone[\"b\"] will be created",
        "terraform_data.tier[\"web\"] will be created",
    ] {
        assert!(
            plan.stdout.contains(addr),
            "missing {addr:?}\n{}",
            plan.stdout
        );
    }

    let apply = w.apply_ok(&[]);
    assert!(apply
        .stdout
        .contains("Apply complete! Resources: 9 added, 0 changed, 0 destroyed."));
    assert_eq!(resource_addrs(&w.state()).len(), 9);

    let again = w.plan(&[]);
    again.expect_code(0);
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);

    let out = w.run(&["output", "--dir", &w.arg(), "--json"]);
    out.expect_code(0);
    let got: serde_json::Value = serde_json::from_str(&out.stdout).expect("output --json");
    let values: serde_json::Map<String, serde_json::Value> = got
        .as_object()
        .expect("object of outputs")
        .iter()
        .map(|(k, v)| {
            assert_eq!(v["sensitive"], json!(false), "{k}");
            (k.clone(), v["value"].clone())
        })
        .collect();
    assert_eq!(
        serde_json::Value::Object(values),
        json!({
            "config": "v1",
            "counted": ["hub-env-0", "hub-env-1"],
            "net_id": "hub-env:10.0.0.0/16",
            "prefix": "hub-env",
            "tiers": ["db", "web"],
            "zones": {"a": "a=us-east-1a", "b": "b=us-east-1b"},
        })
    );

    // A variable feeding `input` only: an in-place update.
    let upd = w.plan(&["--var", "payload=v2"]);
    upd.expect_code(2);
    assert!(upd
        .stdout
        .contains("terraform_data.config will be updated in-place"));
    assert!(upd.stdout.contains("~ input"), "{}", upd.stdout);
    assert!(upd.stdout.contains("\"v1\" -> \"v2\""), "{}", upd.stdout);
    assert!(upd
        .stdout
        .contains("Plan: 0 to add, 1 to change, 0 to destroy."));
    assert!(!upd.stdout.contains("must be replaced"));
    w.apply_ok(&["--var", "payload=v2"]);
    assert_eq!(w.state()["outputs"]["config"]["value"], json!("v2"));

    // A variable feeding `triggers_replace`: a replacement.
    let rep = w.plan(&["--var", "payload=v2", "--var", "generation=2"]);
    rep.expect_code(2);
    assert!(rep
        .stdout
        .contains("terraform_data.config must be replaced"));
    assert!(
        rep.stdout.contains("# forces replacement"),
        "{}",
        rep.stdout
    );
    assert!(rep
        .stdout
        .contains("Plan: 1 to add, 0 to change, 1 to destroy."));
    let old_id = w.state()["resources"]["terraform_data.config"]["attributes"]["id"].clone();
    w.apply_ok(&["--var", "payload=v2", "--var", "generation=2"]);
    let st = w.state();
    let new_id = &st["resources"]["terraform_data.config"]["attributes"]["id"];
    assert_ne!(&old_id, new_id, "replacement gives a new id");
    assert_eq!(
        st["resources"]["terraform_data.config"]["attributes"]["triggers_replace"],
        json!([2])
    );

    let destroy = w.run(&["destroy", &w.arg(), "--auto-approve"]);
    destroy.expect_code(0);
    assert!(
        destroy
            .stdout
            .contains("Destroy complete! Resources: 9 destroyed."),
        "{}",
        destroy.stdout
    );
    assert!(
        resource_addrs(&w.state()).is_empty(),
        "{}",
        w.read(".hubctl/state.json")
    );
}

#[test]
fn plan_json_lists_resource_changes_with_actions() {
    let w = Work::fixture("e2e");
    let out = w.run(&["plan", &w.arg(), "--json"]);
    out.expect_code(0);
    let plan: serde_json::Value = serde_json::from_str(&out.stdout).expect("plan --json is JSON");
    let changes = plan["resource_changes"]
        .as_array()
        .expect("resource_changes");
    assert_eq!(changes.len(), 9);
    for c in changes {
        assert_eq!(c["change"]["actions"], json!(["create"]), "{c}");
    }
    assert!(changes
        .iter()
        .any(|c| c["address"] == json!("module.net.terraform_data.vpc")));
}

#[test]
fn plan_json_after_apply_shows_replace_actions() {
    let w = Work::fixture("e2e");
    w.apply_ok(&[]);
    let out = w.run(&["plan", &w.arg(), "--json", "--var", "generation=3"]);
    out.expect_code(0);
    let plan: serde_json::Value = serde_json::from_str(&out.stdout).expect("plan --json is JSON");
    let config = plan["resource_changes"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|c| c["address"] == json!("terraform_data.config"))
        })
        .expect("terraform_data.config in plan")
        .clone();
    let actions = config["change"]["actions"]
        .as_array()
        .expect("actions")
        .clone();
    assert_eq!(actions.len(), 2, "replace is two actions: {actions:?}");
    assert!(actions.contains(&json!("delete")) && actions.contains(&json!("create")));
}

#[test]
fn sensitive_variable_never_printed() {
    let w = Work::fixture("e2e");
    let plan = w.plan(&[]);
    plan.expect_code(2);
    assert!(plan.stdout.contains("terraform_data.creds will be created"));
    assert!(
        !plan.all().contains(SECRET),
        "plan leaked the secret:\n{}",
        plan.all()
    );

    let json = w.run(&["plan", &w.arg(), "--json"]);
    json.expect_code(0);
    assert!(
        !json.all().contains(SECRET),
        "plan --json leaked the secret"
    );

    let apply = w.apply_ok(&[]);
    assert!(!apply.all().contains(SECRET), "apply leaked the secret");

    let changed = w.plan(&["--var", &format!("secret={SECRET}-2")]);
    changed.expect_code(2);
    assert!(
        !changed.all().contains(SECRET),
        "update diff leaked the secret"
    );

    // Exporting it from a non-sensitive root output is refused.
    w.write(
        "leak.tf",
        "output \"leak\" {\n  value = terraform_data.creds.output\n}\n",
    );
    let leak = w.plan(&[]);
    leak.expect_code(1);
    assert!(
        leak.stderr.contains("Output refers to sensitive values"),
        "{}",
        leak.stderr
    );
    assert!(leak.stderr.contains("leak.tf:1:1"), "{}", leak.stderr);
    assert!(!leak.all().contains(SECRET));
}

/// Destroy-then-create of two dependent objects follows Terraform's order: the dependent's
/// old object goes first, then the dependency is replaced, then the dependent is recreated
/// (an AWS subnet cannot be deleted while a NAT gateway still sits in it).
#[test]
fn replacements_destroy_dependents_first_and_create_dependencies_first() {
    let w = Work::empty();
    w.write(
        "main.tf",
        "variable \"rev\" {\n  default = 1\n}\nresource \"terraform_data\" \"subnet\" {\n  triggers_replace = var.rev\n}\nresource \"terraform_data\" \"nat\" {\n  input            = terraform_data.subnet.id\n  triggers_replace = var.rev\n}\n",
    );
    w.apply_ok(&[]);
    let out = w.apply_ok(&["--var", "rev=2"]);
    let pos = |needle: &str| {
        out.stdout
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} missing in\n{}", out.stdout))
    };
    let nat_gone = pos("terraform_data.nat: Destruction complete");
    let subnet_destroying = pos("terraform_data.subnet: Destroying...");
    let subnet_gone = pos("terraform_data.subnet: Destruction complete");
    let subnet_creating = pos("terraform_data.subnet: Creating...");
    let nat_creating = pos("terraform_data.nat: Creating...");
    assert!(nat_gone < subnet_destroying, "{}", out.stdout);
    assert!(
        subnet_gone < subnet_creating && subnet_creating < nat_creating,
        "{}",
        out.stdout
    );
    w.plan(&["--var", "rev=2"]).expect_code(0);
}
