//! `lifecycle { replace_triggered_by = [...] }`: a change of the referenced resource (or of
//! the referenced attribute) replaces the instance, as in Terraform 1.2+.

use crate::support::Work;
use serde_json::json;

const V1: &str = r#"
resource "terraform_data" "a" {
  input = "one"
}
resource "terraform_data" "b" {
  input = "kept"
  lifecycle {
    replace_triggered_by = [terraform_data.a]
  }
}
resource "terraform_data" "c" {
  input = "kept"
  lifecycle {
    replace_triggered_by = [terraform_data.a.id]
  }
}
"#;

/// The id of `addr` in the state file (whichever layout it uses).
fn id_of(w: &Work, addr: &str) -> String {
    let s = w.state();
    let r = match &s["resources"] {
        serde_json::Value::Object(m) => m[addr].clone(),
        serde_json::Value::Array(a) => a
            .iter()
            .find(|r| r["address"] == json!(addr))
            .cloned()
            .unwrap_or_default(),
        _ => serde_json::Value::Null,
    };
    let id = &r["attributes"]["id"];
    id.as_str()
        .unwrap_or_else(|| panic!("no id for {addr} in {s}"))
        .to_string()
}

fn plan_json(w: &Work) -> serde_json::Value {
    let out = w.run(&["plan", &w.arg(), "--json"]);
    out.expect_code(0);
    serde_json::from_str(&out.stdout).expect("plan --json is JSON")
}

fn change<'a>(plan: &'a serde_json::Value, addr: &str) -> &'a serde_json::Value {
    plan["resource_changes"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["address"] == json!(addr)))
        .unwrap_or_else(|| panic!("{addr} not in {plan}"))
}

#[test]
fn a_changed_trigger_replaces_and_an_unchanged_attribute_does_not() {
    let w = Work::empty();
    w.write("main.tf", V1);
    w.apply_ok(&[]);
    let (b1, c1) = (id_of(&w, "terraform_data.b"), id_of(&w, "terraform_data.c"));

    w.write("main.tf", &V1.replace("\"one\"", "\"two\""));
    let plan = plan_json(&w);
    let a = change(&plan, "terraform_data.a");
    assert_eq!(a["change"]["actions"], json!(["update"]));
    let b = change(&plan, "terraform_data.b");
    assert_eq!(b["change"]["actions"], json!(["delete", "create"]), "{b}");
    assert_eq!(b["action_reason"], json!("replace_by_triggers"));
    // `c` names `a.id`, which an update keeps.
    let c = change(&plan, "terraform_data.c");
    assert_eq!(c["change"]["actions"], json!(["no-op"]), "{c}");

    let text = w.plan(&[]);
    text.expect_code(2);
    assert!(
        text.stdout
            .contains("# terraform_data.b will be replaced due to changes in replace_triggered_by"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("Plan: 1 to add, 1 to change, 1 to destroy."),
        "{}",
        text.stdout
    );

    let apply = w.apply_ok(&[]);
    assert!(
        apply
            .stdout
            .contains("Apply complete! Resources: 1 added, 1 changed, 1 destroyed."),
        "{}",
        apply.stdout
    );
    assert_ne!(id_of(&w, "terraform_data.b"), b1, "b is a new object");
    assert_eq!(id_of(&w, "terraform_data.c"), c1, "c is kept");

    let again = w.plan(&[]);
    again.expect_code(0);
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);
}

#[test]
fn create_before_destroy_and_count_index() {
    let v1 = r#"
resource "terraform_data" "a" {
  count = 2
  input = count.index == 1 ? "x" : "y"
}
resource "terraform_data" "b" {
  count = 2
  lifecycle {
    create_before_destroy = true
    replace_triggered_by  = [terraform_data.a[count.index].output]
  }
}
"#;
    let w = Work::empty();
    w.write("main.tf", v1);
    w.apply_ok(&[]);
    let (b0, b1) = (
        id_of(&w, "terraform_data.b[0]"),
        id_of(&w, "terraform_data.b[1]"),
    );
    w.write("main.tf", &v1.replace("\"x\"", "\"z\""));
    let plan = plan_json(&w);
    assert_eq!(
        change(&plan, "terraform_data.b[0]")["change"]["actions"],
        json!(["no-op"])
    );
    let b = change(&plan, "terraform_data.b[1]");
    assert_eq!(b["change"]["actions"], json!(["create", "delete"]), "{b}");
    assert_eq!(b["action_reason"], json!("replace_by_triggers"));
    w.apply_ok(&[]);
    assert_eq!(id_of(&w, "terraform_data.b[0]"), b0);
    assert_ne!(id_of(&w, "terraform_data.b[1]"), b1);
    w.plan(&[]).expect_code(0);
}

#[test]
fn a_bad_reference_is_an_error_at_the_element() {
    let w = Work::empty();
    w.write(
        "main.tf",
        "variable \"x\" {\n  default = 1\n}\nresource \"terraform_data\" \"b\" {\n  lifecycle {\n    replace_triggered_by = [var.x]\n  }\n}\n",
    );
    let out = w.run(&["validate", &w.arg()]);
    out.expect_code(1);
    let all = out.all();
    assert!(
        all.contains("Invalid reference in replace_triggered_by expression"),
        "{all}"
    );
    assert!(
        all.contains(
            "Only resources, count.index, and each.key may be used in replace_triggered_by."
        ),
        "{all}"
    );
    assert!(all.contains("main.tf:6:29"), "{all}");
}
