//! `prevent_destroy` from the module's values (OpenTofu 1.12: "Allow dynamic expressions in
//! prevent_destroy arguments"). OpenTofu's rules, from its `checkPreventDestroy`: the value
//! must be a known, non-null, non-sensitive bool, evaluated without `count.index`/`each`;
//! true refuses a plan that deletes or replaces the instance, destroy plans included.

use super::support::{load, Fx, Sel};
use crate::diag::{Diagnostics, Severity};
use crate::provider::Registry;
use crate::state::State;

/// A protected resource whose `prevent_destroy` is `expr`, beside an unprotected one.
fn config(expr: &str) -> String {
    format!(
        r#"
variable "protect" {{
  type    = bool
  default = true
}}
variable "secret" {{
  type      = bool
  default   = false
  sensitive = true
}}
resource "terraform_data" "seed" {{
  input = "seed"
}}
resource "terraform_data" "db" {{
  count = 1
  input = "db"
  lifecycle {{
    prevent_destroy = {expr}
  }}
}}
resource "terraform_data" "other" {{
  input = "other"
}}
"#
    )
}

fn errors(d: &Diagnostics) -> Vec<String> {
    d.0.iter()
        .filter(|x| x.severity == Severity::Error)
        .map(|x| format!("{}: {}", x.summary, x.detail))
        .collect()
}

/// Applies a configuration whose `prevent_destroy` is false, then plans a destroy (with
/// `excludes`) of the same configuration with `prevent_destroy = expr`: the errors.
async fn destroy_errors(expr: &str, excludes: &[&str]) -> Vec<String> {
    let registry = Registry::with_builtins();
    let first = serde_json::json!({ "main.tf": config("false") });
    let (dir, p) = load(&first, &registry);
    let fx = Fx {
        p: &p,
        dir: dir.path(),
        registry: registry.clone(),
    };
    let state: State = fx.applied().await;
    let then = serde_json::json!({ "main.tf": config(expr) });
    let (dir2, p2) = load(&then, &registry);
    let fx = Fx {
        p: &p2,
        dir: dir2.path(),
        registry,
    };
    let sel = Sel {
        destroy: true,
        excludes,
        ..Sel::default()
    };
    errors(&fx.plan_result(&state, sel).await.1)
}

#[tokio::test]
async fn a_variable_decides_prevent_destroy() {
    let got = destroy_errors("var.protect", &[]).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].starts_with("Instance cannot be destroyed: Resource terraform_data.db[0]"),
        "{got:?}"
    );
    assert!(destroy_errors("!var.protect", &[]).await.is_empty());
    // The way out the error names: leave the resource out of the destroy.
    let got = destroy_errors("var.protect", &["terraform_data.db"]).await;
    assert!(got.is_empty(), "{got:?}");
}

#[tokio::test]
async fn prevent_destroy_must_be_a_known_plain_bool() {
    let invalid = |got: &[String], why: &str| {
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].starts_with("Invalid value for prevent_destroy"),
            "{got:?}"
        );
        assert!(got[0].contains(why), "{got:?}");
    };
    invalid(&destroy_errors("var.secret", &[]).await, "sensitive value");
    invalid(&destroy_errors("null", &[]).await, "set to null");
    invalid(
        &destroy_errors("\"maybe\"", &[]).await,
        "a bool is required",
    );
    // No instance keys: an instance being removed has none.
    let got = destroy_errors("count.index == 0", &[]).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].contains("count"), "{got:?}");
}
