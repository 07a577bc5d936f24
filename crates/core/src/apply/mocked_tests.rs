//! A plan made with a dependency mock (`Plan::mocked`) is never applied.

use crate::plan::file::{parse, PlanFile};
use crate::plan::Plan;

/// The mark survives the plan file, and `check_plan_applicable` names the mock and where
/// it is.
#[test]
fn a_plan_made_with_a_mock_is_refused_after_a_round_trip() {
    let mut plan: Plan = serde_json::from_value(serde_json::json!({
        "format": crate::plan::PLAN_FORMAT, "format_version": crate::plan::PLAN_FORMAT_VERSION,
        "hubctl_version": "0", "destroy": false, "config_hash": "h", "state_lineage": null,
        "state_serial": null, "variables": {}, "changes": [], "output_changes": [],
        "errored": false
    }))
    .expect("plan");
    assert!(super::check_plan_applicable(&plan, "h", None).is_ok());
    plan.mocked =
        vec!["input \"n\" from dependency \"a\" mock_outputs at b/terragrunt.hcl:7:3".into()];
    let bytes = serde_json::to_vec(&plan).expect("json");
    let Ok(PlanFile::Plain(back)) = parse(&bytes) else {
        panic!("not read back as a plain plan")
    };
    let d = super::check_plan_applicable(&back, "h", None).expect_err("refused");
    assert_eq!(d.summary, "Plan uses mock outputs");
    assert!(d.detail.contains("b/terragrunt.hcl:7:3"), "{}", d.detail);
}
