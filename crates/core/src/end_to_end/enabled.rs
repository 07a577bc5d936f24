//! `lifecycle { enabled = … }` (OpenTofu 1.11), following its documentation ("The `enabled`
//! Meta-Argument"): "When `enabled` is `false`, the resource is not created and evaluates to
//! `null`"; the single instance has no key ("you can simply use `aws_instance.example`");
//! moving from `count = var.enabled ? 1 : 0` needs no `moved` block; and the value cannot be
//! unknown, sensitive, null or other than a bool.

use super::support::{load, Fx, Sel};
use crate::diag::{Diagnostics, Severity};
use crate::plan::{Action, Plan};
use crate::provider::Registry;
use crate::state::State;

fn config(on: &str, repetition: &str) -> String {
    // The documentation's "Before" output for count, its "After" for enabled.
    let value = if repetition.starts_with("count") {
        "length(terraform_data.x) > 0 ? terraform_data.x[0].output : \"not-created\""
    } else {
        "terraform_data.x != null ? terraform_data.x.output : \"not-created\""
    };
    format!(
        r#"
variable "on" {{
  default = {on}
}}
variable "secret" {{
  default   = true
  sensitive = true
}}
resource "terraform_data" "seed" {{
  input = "seed"
}}
resource "terraform_data" "x" {{
  {repetition}
  input = "x"
}}
output "x" {{
  value = {value}
}}
"#
    )
}

fn lifecycle(expr: &str) -> String {
    format!("lifecycle {{\n    enabled = {expr}\n  }}")
}

struct World {
    _dir: tempfile::TempDir,
    p: crate::plan::driver::Prepared,
}

fn world(text: &str) -> Result<World, Diagnostics> {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.tf"), text).expect("write");
    let (p, d) = crate::plan::driver::prepare(dir.path(), &Registry::with_builtins());
    p.map(|p| World { _dir: dir, p }).ok_or(d)
}

async fn plan(w: &World, prior: &State) -> (Plan, Diagnostics) {
    let fx = Fx {
        p: &w.p,
        dir: w._dir.path(),
        registry: Registry::with_builtins(),
    };
    fx.plan_result(prior, Sel::default()).await
}

fn changes(plan: &Plan) -> Vec<(String, Action)> {
    plan.changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .map(|c| (c.address.clone(), c.action))
        .collect()
}

fn output(plan: &Plan) -> Option<crate::lang::Value> {
    plan.output_changes
        .iter()
        .find(|o| o.name == "x")
        .and_then(|o| o.after.clone())
}

#[tokio::test]
async fn enabled_makes_zero_or_one_unkeyed_instance() {
    let on = world(&config("true", &lifecycle("var.on"))).expect("loads");
    let (p, d) = plan(&on, &State::new()).await;
    assert!(!d.has_errors(), "{d:?}");
    assert_eq!(
        changes(&p),
        [
            ("terraform_data.seed".to_string(), Action::Create),
            ("terraform_data.x".to_string(), Action::Create)
        ]
    );
    let off = world(&config("false", &lifecycle("var.on"))).expect("loads");
    let (p, d) = plan(&off, &State::new()).await;
    assert!(!d.has_errors(), "{d:?}");
    assert_eq!(
        changes(&p),
        [("terraform_data.seed".to_string(), Action::Create)]
    );
    assert_eq!(output(&p), Some(crate::lang::Value::from("not-created")));
}

/// From `count = var.on ? 1 : 0` to `enabled`: `x[0]` becomes `x` without a `moved` block;
/// switching it off destroys it.
#[tokio::test]
async fn enabled_takes_over_from_count_and_destroys_when_off() {
    let registry = Registry::with_builtins();
    let files = serde_json::json!({ "main.tf": config("true", "count = var.on ? 1 : 0") });
    let (dir, p) = load(&files, &registry);
    let fx = Fx {
        p: &p,
        dir: dir.path(),
        registry,
    };
    let state = fx.applied().await;
    assert!(state.resources.contains_key("terraform_data.x[0]"));
    let on = world(&config("true", &lifecycle("var.on"))).expect("loads");
    let (p, d) = plan(&on, &state).await;
    assert!(!d.has_errors(), "{d:?}");
    assert!(changes(&p).is_empty(), "{:?}", changes(&p));
    assert_eq!(
        p.moved,
        [(
            "terraform_data.x[0]".to_string(),
            "terraform_data.x".to_string()
        )]
    );
    let off = world(&config("false", &lifecycle("var.on"))).expect("loads");
    let (p, _) = plan(&off, &state).await;
    // Moved first (the configuration has no count), then deleted.
    assert_eq!(
        changes(&p),
        [("terraform_data.x".to_string(), Action::Delete)]
    );
}

#[tokio::test]
async fn enabled_must_be_a_known_plain_bool_and_alone() {
    let error = |d: &Diagnostics| {
        d.0.iter()
            .find(|x| x.severity == Severity::Error)
            .map(|x| format!("{}: {}", x.summary, x.detail))
            .unwrap_or_default()
    };
    for (expr, why) in [
        ("var.secret", "Sensitive values"),
        ("null", "the given value is null"),
        ("\"yes\"", "a bool is required"),
        (
            "terraform_data.seed.id != \"\"",
            "won't be known until the apply phase",
        ),
    ] {
        let w = world(&config("true", &lifecycle(expr))).expect("loads");
        let (_, d) = plan(&w, &State::new()).await;
        let got = error(&d);
        assert!(
            got.starts_with("Invalid enabled argument: "),
            "{expr}: {got}"
        );
        assert!(got.contains(why), "{expr}: {got}");
    }
    let both = format!("count = 1\n  {}", lifecycle("true"));
    let d = world(&config("true", &both)).err().expect("refused");
    assert!(
        error(&d).starts_with("Invalid combination of \"count\" and \"enabled\""),
        "{d:?}"
    );
}
