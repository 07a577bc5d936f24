use super::*;
use crate::diag::Diagnostics;
use crate::plan::driver::{make_plan, prepare};
use crate::plan::model::Reason;
use crate::plan::render::{plan_json, render_plan, Style};
use crate::plan::Plan;
use crate::provider::Registry;
use crate::state::{InstanceState, Mode, State, Status};
use serde_json::json;
use std::sync::Arc;

/// A prior `terraform_data` object whose input (and output) is `input`.
fn data(id: &str, input: serde_json::Value) -> InstanceState {
    InstanceState {
        mode: Mode::Managed,
        type_name: "terraform_data".into(),
        provider: "terraform".into(),
        attributes: json!({ "id": id, "input": input, "output": input, "triggers_replace": null }),
        sensitive_attributes: vec![],
        dependencies: vec![],
        status: Status::Ready,
        create_before_destroy: false,
        create_token: None,
    }
}

fn state(items: &[(&str, serde_json::Value)]) -> State {
    let mut s = State::new();
    for (i, (addr, input)) in items.iter().enumerate() {
        s.resources
            .insert(addr.to_string(), data(&format!("id-{i}"), input.clone()));
    }
    s
}

async fn plan_of(files: &str, prior: State) -> (Option<Plan>, Diagnostics) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.tf"), files).expect("write");
    let registry = Registry::with_builtins();
    let (p, mut d) = prepare(dir.path(), &registry);
    let Some(p) = p else {
        return (None, d);
    };
    let (run, opts) = p.plan_run(dir.path(), registry, Default::default(), prior, true);
    let (plan, diags) = make_plan(Arc::new(run), opts, p.config_hash.clone(), true).await;
    d.extend(diags);
    (Some(plan), d)
}

fn action(plan: &Plan, addr: &str) -> (Action, Option<Reason>) {
    let c = plan
        .change(addr)
        .unwrap_or_else(|| panic!("{addr} planned"));
    (c.action, c.reason)
}

fn summaries(d: &Diagnostics) -> Vec<String> {
    d.iter().map(|d| d.summary.clone()).collect()
}

const TRIGGERED: Option<Reason> = Some(Reason::Triggers);

async fn pair(trigger: &str, lifecycle_extra: &str, a_input: u32) -> Plan {
    let files = format!(
        "resource \"terraform_data\" \"a\" {{ input = {a_input} }}\n\
         resource \"terraform_data\" \"b\" {{\n  input = 1\n  lifecycle {{\n    {lifecycle_extra}\n    replace_triggered_by = [{trigger}]\n  }}\n}}\n"
    );
    let (plan, d) = plan_of(
        &files,
        state(&[
            ("terraform_data.a", json!(1)),
            ("terraform_data.b", json!(1)),
        ]),
    )
    .await;
    assert!(!d.has_errors(), "{:?}", summaries(&d));
    plan.expect("plan")
}

#[tokio::test]
async fn an_update_of_the_referenced_resource_replaces() {
    let plan = pair("terraform_data.a", "", 2).await;
    assert_eq!(action(&plan, "terraform_data.a").0, Action::Update);
    let (a, why) = action(&plan, "terraform_data.b");
    assert_eq!((a, why), (Action::DeleteThenCreate, TRIGGERED));
    let text = render_plan(&plan, Style::default());
    assert!(
        text.contains(
            "# terraform_data.b will be replaced due to changes in replace_triggered_by\n"
        ),
        "{text}"
    );
    let js = plan_json(&plan);
    let b = js["resource_changes"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["address"] == "terraform_data.b"))
        .expect("b in JSON")
        .clone();
    assert_eq!(b["action_reason"], "replace_by_triggers");
    assert_eq!(b["change"]["actions"], json!(["delete", "create"]));
    // Nothing changed: nothing triggers.
    let plan = pair("terraform_data.a", "", 1).await;
    assert_eq!(action(&plan, "terraform_data.b"), (Action::NoOp, None));
}

#[tokio::test]
async fn create_before_destroy_is_honoured() {
    let plan = pair("terraform_data.a", "create_before_destroy = true", 2).await;
    let (a, why) = action(&plan, "terraform_data.b");
    assert_eq!((a, why), (Action::CreateThenDelete, TRIGGERED));
}

#[tokio::test]
async fn an_attribute_reference_triggers_only_when_that_attribute_changes() {
    // The id of an updated object stays: no replacement.
    let plan = pair("terraform_data.a.id", "", 2).await;
    assert_eq!(action(&plan, "terraform_data.a").0, Action::Update);
    assert_eq!(action(&plan, "terraform_data.b"), (Action::NoOp, None));
    // Its output becomes unknown: replacement.
    let plan = pair("terraform_data.a.output", "", 2).await;
    let (a, why) = action(&plan, "terraform_data.b");
    assert_eq!((a, why), (Action::DeleteThenCreate, TRIGGERED));
}

#[tokio::test]
async fn count_index_and_each_key_pick_the_matching_instance() {
    let files = r#"
resource "terraform_data" "a" {
  count = 2
  input = count.index == 1 ? "z" : "y"
}
resource "terraform_data" "b" {
  count = 2
  lifecycle { replace_triggered_by = [terraform_data.a[count.index]] }
}
resource "terraform_data" "c" {
  for_each = { p = 0, q = 1 }
  lifecycle { replace_triggered_by = [terraform_data.a[each.value].input] }
}
resource "terraform_data" "d" {
  for_each = { "0" = 0, "1" = 1 }
  lifecycle { replace_triggered_by = [terraform_data.e[each.key]] }
}
resource "terraform_data" "e" {
  for_each = { "0" = 0, "1" = 1 }
  input = each.value
}
"#;
    // each.value is refused, as in Terraform.
    let (_, d) = plan_of(files, State::new()).await;
    assert_eq!(
        summaries(&d),
        ["Invalid each reference in replace_triggered_by expression"]
    );
    let files = files.replace("a[each.value]", "a[each.key == \"p\" ? 0 : 1]");
    let (_, d) = plan_of(&files, State::new()).await;
    assert_eq!(summaries(&d), ["Invalid expression"]);
    let files = files.replace(
        "replace_triggered_by = [terraform_data.a[each.key == \"p\" ? 0 : 1].input]",
        "replace_triggered_by = [terraform_data.a]",
    );
    let prior = state(&[
        ("terraform_data.a[0]", json!("y")),
        ("terraform_data.a[1]", json!("x")),
        ("terraform_data.b[0]", json!(null)),
        ("terraform_data.b[1]", json!(null)),
        ("terraform_data.c[\"p\"]", json!(null)),
        ("terraform_data.d[\"0\"]", json!(null)),
        ("terraform_data.d[\"1\"]", json!(null)),
        ("terraform_data.e[\"0\"]", json!(0)),
        ("terraform_data.e[\"1\"]", json!(1)),
    ]);
    let (plan, d) = plan_of(&files, prior).await;
    assert!(!d.has_errors(), "{:?}", summaries(&d));
    let plan = plan.expect("plan");
    assert_eq!(action(&plan, "terraform_data.b[0]"), (Action::NoOp, None));
    let (a, why) = action(&plan, "terraform_data.b[1]");
    assert_eq!((a, why), (Action::DeleteThenCreate, TRIGGERED));
    // The whole resource: any instance's update triggers.
    let (a, why) = action(&plan, "terraform_data.c[\"p\"]");
    assert_eq!((a, why), (Action::DeleteThenCreate, TRIGGERED));
    // A new instance is created, with Terraform's reason.
    let (a, why) = action(&plan, "terraform_data.c[\"q\"]");
    assert_eq!((a, why), (Action::Create, TRIGGERED));
    assert_eq!(
        action(&plan, "terraform_data.d[\"0\"]"),
        (Action::NoOp, None)
    );
}

#[tokio::test]
async fn a_create_of_the_referenced_instance_does_not_trigger() {
    let files = r#"
resource "terraform_data" "a" {
  count = 2
  input = 1
}
resource "terraform_data" "b" {
  lifecycle { replace_triggered_by = [terraform_data.a, terraform_data.a[1].id] }
}
"#;
    let prior = state(&[
        ("terraform_data.a[0]", json!(1)),
        ("terraform_data.b", json!(null)),
    ]);
    let (plan, d) = plan_of(files, prior).await;
    assert!(!d.has_errors(), "{:?}", summaries(&d));
    let plan = plan.expect("plan");
    assert_eq!(action(&plan, "terraform_data.a[1]").0, Action::Create);
    assert_eq!(action(&plan, "terraform_data.b"), (Action::NoOp, None));
}

#[tokio::test]
async fn bad_references_are_errors_at_the_element() {
    let files = "variable \"x\" {\n  default = 1\n}\nresource \"terraform_data\" \"b\" {\n  lifecycle {\n    replace_triggered_by = [var.x]\n  }\n}\n";
    let (plan, d) = plan_of(files, State::new()).await;
    assert!(plan.is_none());
    let e = d.iter().find(|d| d.subject.is_some()).expect("an error");
    assert_eq!(
        e.summary,
        "Invalid reference in replace_triggered_by expression"
    );
    assert_eq!(
        e.detail,
        "Only resources, count.index, and each.key may be used in replace_triggered_by."
    );
    let files = "resource \"terraform_data\" \"b\" {\n  lifecycle {\n    replace_triggered_by = [terraform_data.zz]\n  }\n}\n";
    let (_, d) = plan_of(files, State::new()).await;
    assert_eq!(summaries(&d), ["Reference to undeclared resource"]);
}
