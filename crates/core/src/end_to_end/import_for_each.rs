//! `import` blocks with `for_each` against `testdata/import-for-each-terraform-1.11.json`
//! (recorded from Terraform 1.11 by `testdata/record_import_for_each.py`): a map, a list and
//! a set plan the same imports with the same ids as Terraform; an unknown `for_each`, one
//! that is no collection, and a key without an instance fail with Terraform's summary at
//! Terraform's place.

use super::support::{load, Fx, Sel};
use crate::diag::SourceMap;
use crate::provider::Registry;
use crate::state::State;
use serde_json::Value as J;

const RECORDED: &str = include_str!("../../testdata/import-for-each-terraform-1.11.json");

#[tokio::test]
async fn import_for_each_plans_as_terraform_does() {
    let rec: J = serde_json::from_str(RECORDED).expect("recorded JSON");
    let cases = rec.as_object().expect("cases");
    for (name, case) in cases {
        let files = serde_json::json!({ "main.tf": case["main.tf"] });
        let registry = Registry::with_builtins();
        let (dir, p) = load(&files, &registry);
        let fx = Fx {
            p: &p,
            dir: dir.path(),
            registry,
        };
        let (plan, diags) = fx.plan_result(&State::new(), Sel::default()).await;
        let ok = case["ok"].as_bool().expect("ok");
        assert_eq!(!diags.has_errors(), ok, "{name}: {diags:?}");
        if ok {
            let want = case["imports"].as_object().expect("imports");
            let got: Vec<_> = plan
                .changes
                .iter()
                .filter(|c| c.importing.is_some())
                .collect();
            assert_eq!(got.len(), want.len(), "{name}");
            for c in got {
                let w = &want[&c.address];
                assert_eq!(
                    c.importing.as_ref().map(|i| i.id.as_str()),
                    w["id"].as_str(),
                    "{name} {}",
                    c.address
                );
                assert_eq!(
                    J::from(c.action.json_actions()),
                    w["actions"],
                    "{name} {}",
                    c.address
                );
            }
            continue;
        }
        let sources: &SourceMap = &p.config.sources;
        let want = &case["errors"][0];
        // Where Terraform names a place (the `for_each` errors), the place and the detail
        // are the same; a missing instance has none, and its wording differs.
        let want_place = want["line"].as_u64().zip(want["column"].as_u64());
        let hit = diags.iter().filter(|d| d.is_error()).any(|d| {
            let at = d.subject.map(|s| sources.location(s));
            let place = at.map(|l| (l.line as u64, l.column as u64));
            let detail = d.detail.replace("hubctl", "Terraform");
            d.summary == want["summary"].as_str().unwrap_or_default()
                && (want_place.is_none()
                    || (place == want_place && Some(detail.as_str()) == want["detail"].as_str()))
        });
        assert!(hit, "{name}: want {want}, got {diags:?}");
    }
}
