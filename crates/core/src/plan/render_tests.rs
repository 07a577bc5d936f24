use super::*;
use crate::plan::{Plan, ResourceChange};

fn plan_with(changes: Vec<ResourceChange>) -> Plan {
    Plan::of_changes(changes)
}

fn change(
    action: Action,
    before: Option<Value>,
    after: Option<Value>,
    replace: &[&str],
) -> ResourceChange {
    ResourceChange {
        replace_paths: replace.iter().map(|s| s.to_string()).collect(),
        ..ResourceChange::of("module.vpc.terraform_data.x[\"a\"]", action, before, after)
    }
}

#[test]
fn nested_update_replace_and_redaction() {
    let before = Value::map([
        ("id", Value::from("i-1")),
        (
            "input",
            Value::map([("name", Value::from("a")), ("size", Value::int(1))]),
        ),
        ("secret", Value::from("hunter2").sensitive()),
        ("triggers_replace", Value::from("1")),
    ]);
    let after = Value::map([
        ("id", Value::unknown()),
        (
            "input",
            Value::map([("name", Value::from("b")), ("size", Value::int(1))]),
        ),
        ("secret", Value::from("hunter3").sensitive()),
        ("triggers_replace", Value::from("2")),
    ]);
    let p = plan_with(vec![change(
        Action::DeleteThenCreate,
        Some(before),
        Some(after),
        &["triggers_replace"],
    )]);
    let out = render_plan(&p, Style::default());
    let expected = r#"  # module.vpc.terraform_data.x["a"] must be replaced
-/+ resource "terraform_data" "x" {
      ~ id               = "i-1" -> (known after apply)
      ~ input            = {
          ~ name = "a" -> "b"
            # (1 unchanged element hidden)
        }
      ~ secret           = (sensitive value) -> (sensitive value)
      ~ triggers_replace = "1" -> "2" # forces replacement
    }
"#;
    assert!(out.contains(expected), "{out}");
    assert!(out.contains("Plan: 1 to add, 0 to change, 1 to destroy."));
    assert!(!out.contains("hunter"));
    let json = plan_json(&p).to_string();
    assert!(!json.contains("hunter"), "{json}");
    assert!(json.contains(r#""actions":["delete","create"]"#));
}

#[test]
fn no_changes_says_so() {
    let v = Value::map([("id", Value::from("x"))]);
    let p = plan_with(vec![change(Action::NoOp, Some(v.clone()), Some(v), &[])]);
    assert!(render_plan(&p, Style::default()).starts_with("No changes."));
    assert!(!p.has_changes());
}

#[test]
fn moves_are_notes_not_changes() {
    let v = Value::map([("id", Value::from("x"))]);
    let mut p = plan_with(vec![change(Action::NoOp, Some(v.clone()), Some(v), &[])]);
    p.moved = vec![("t.a".into(), "t.b".into())];
    p.forgotten = vec!["t.c".into()];
    let text = render_plan(&p, Style::default());
    assert!(text.contains("# t.a has moved to t.b"), "{text}");
    assert!(
        text.contains("# t.c will no longer be managed by hubctl"),
        "{text}"
    );
    assert!(
        text.contains("Plan: 0 to add, 0 to change, 0 to destroy."),
        "{text}"
    );
    assert!(p.has_changes());
    p.moved = vec![("t.a".into(), p.changes[0].address.clone())];
    let json = plan_json(&p);
    let rc = json["resource_changes"].as_array().expect("changes");
    assert_eq!(rc[0]["previous_address"], "t.a");
    assert_eq!(rc[1]["address"], "t.c");
    assert_eq!(rc[1]["change"]["actions"], serde_json::json!(["forget"]));
}
