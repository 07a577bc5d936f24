//! Numbers are exact in expressions (Go big floats, as cty has them) but the state and plan
//! files hold JSON numbers: a fraction beyond f64 or an integer beyond 64 bits comes back
//! rounded. A resource's arguments and a root output are therefore planned in their stored
//! form, so an unchanged configuration with `1/3` in it plans no changes the second time.

use super::support::{load, Fx, Sel};
use crate::plan::Action;
use crate::provider::Registry;
use serde_json::json;

#[tokio::test]
async fn numbers_beyond_json_plan_no_changes_once_stored() {
    let main = "resource \"terraform_data\" \"n\" {\n  input = [1/3, 0.1, 123456789012345678901234, 0.1 + 0.2]\n}\noutput \"third\" {\n  value = 1/3\n}\n";
    let registry = Registry::with_builtins();
    let (dir, p) = load(&json!({ "main.tf": main }), &registry);
    let fx = Fx {
        p: &p,
        dir: dir.path(),
        registry,
    };
    let state = fx.applied().await;
    let stored = &state.resources["terraform_data.n"].attributes["input"];
    assert_eq!(
        stored.to_string(),
        "[0.3333333333333333,0.1,1.2345678901234569e+23,0.3]"
    );
    let plan = fx.plan(&state, Sel::default()).await;
    assert!(
        plan.changes.iter().all(|c| c.action == Action::NoOp),
        "{:?}",
        plan.changes
    );
    assert!(
        plan.output_changes.iter().all(|c| c.action == Action::NoOp),
        "{:?}",
        plan.output_changes
    );
    // The output itself keeps every digit.
    let third = plan.output_changes[0]
        .after
        .as_ref()
        .and_then(|v| v.as_num().cloned());
    assert!(
        third.as_ref().is_some_and(|n| n.to_string().len() > 40),
        "{third:?}"
    );
}
