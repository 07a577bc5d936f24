//! `check` blocks against `testdata/checks-terraform-1.11.json` (recorded from Terraform 1.11
//! by `testdata/record_checks.py`): the plan JSON's `checks`, before and after an apply, the
//! warnings, and a failing scoped data source (with a data source of this test's own, since
//! hubctl has no `terraform_remote_state`).

use super::support::{load, Fx, Sel};
use crate::diag::{Diagnostics, Severity};
use crate::lang::{Type, Value};
use crate::plan::check_blocks::{evaluate, CheckStatus};
use crate::plan::render::plan_json;
use crate::provider::{
    AttrSchema, DataSource, OpContext, Provider, ProviderClient, ProviderError, Registry, Resource,
    Schema,
};
use crate::state::State;
use async_trait::async_trait;
use std::sync::Arc;

const RECORDED: &str = include_str!("../../testdata/checks-terraform-1.11.json");

fn recorded() -> serde_json::Value {
    serde_json::from_str(RECORDED).expect("recorded JSON")
}

/// Terraform's checks without the scoped data source's, which needs terraform_remote_state.
fn without_scoped(checks: &serde_json::Value) -> serde_json::Value {
    let list = checks.as_array().expect("checks").iter();
    list.filter(|c| c["address"]["name"] != "scoped")
        .cloned()
        .collect()
}

fn summaries(d: &Diagnostics, severity: Severity) -> Vec<String> {
    let mut s: Vec<String> =
        d.0.iter()
            .filter(|x| x.severity == severity)
            .map(|x| x.summary.clone())
            .collect();
    s.sort();
    s.dedup();
    s
}

/// The plan's `checks` are Terraform's, with its warnings; after the apply the unknown
/// assertion is decided, the failed ones are warnings (the apply goes on), and the next plan's
/// `checks` are Terraform's too.
#[tokio::test]
async fn check_results_are_terraforms() {
    let rec = recorded();
    let mut files = rec["files"].clone();
    files.as_object_mut().expect("files").remove("scoped.tf");
    let registry = Registry::with_builtins();
    let (dir, p) = load(&files, &registry);
    let fx = Fx {
        p: &p,
        dir: dir.path(),
        registry,
    };
    let (plan, d) = fx.plan_diags(&State::new(), Sel::default()).await;
    assert_eq!(
        plan_json(&plan)["checks"],
        without_scoped(&rec["plan_checks"])
    );
    assert_eq!(
        summaries(&d, Severity::Warning),
        [
            "Check block assertion failed",
            "Check block assertion known after apply"
        ]
    );
    let (state, run) = fx.apply_run(&State::new(), plan, Sel::default()).await;
    let (after, d) = evaluate(&run);
    assert!(!d.has_errors(), "{d:?}");
    assert_eq!(
        summaries(&d, Severity::Warning),
        ["Check block assertion failed"]
    );
    assert!(after.iter().all(|c| c.status != CheckStatus::Unknown));
    let (next, _) = fx.plan_diags(&state, Sel::default()).await;
    let id = state.resources["terraform_data.a"].attributes["id"]
        .as_str()
        .expect("id")
        .to_string();
    let got = plan_json(&next)["checks"]
        .to_string()
        .replace(&id, "<uuid>");
    let got: serde_json::Value = serde_json::from_str(&got).expect("json");
    assert_eq!(got, without_scoped(&rec["next_plan_checks"]));
}

/// A provider with one data source that always fails, as a missing remote state does.
struct Failing;

struct Lookup;

fn lookup_schema() -> &'static Schema {
    static S: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        Schema::new()
            .attr("name", AttrSchema::required(Type::String))
            .attr("value", AttrSchema::computed(Type::String))
    })
}

#[async_trait]
impl DataSource for Lookup {
    fn type_name(&self) -> &'static str {
        "failing_lookup"
    }
    fn schema(&self) -> &Schema {
        lookup_schema()
    }
    async fn read(&self, _: &OpContext<'_>, config: &Value) -> Result<Value, ProviderError> {
        let name = config
            .get_attr("name")
            .and_then(Value::as_str)
            .unwrap_or("");
        Err(ProviderError::msg(format!("no object named {name}")))
    }
}

#[async_trait]
impl Provider for Failing {
    fn name(&self) -> &'static str {
        "failing"
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(Lookup)]
    }
    async fn configure(&self, _: &Value) -> Result<ProviderClient, ProviderError> {
        Ok(Arc::new(()))
    }
}

/// Terraform: a scoped data source's error is a warning, and its check fails with that
/// error as the problem ("Unable to find remote state: No stored state was found ..." in the
/// recording); nothing else is stopped.
#[tokio::test]
async fn a_failing_scoped_data_source_fails_its_check_with_a_warning() {
    let rec = recorded();
    let scoped = rec["plan_checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["address"]["name"] == "scoped")
        .expect("the recorded scoped check")
        .clone();
    assert_eq!(scoped["status"], "fail");
    let files = serde_json::json!({
        "main.tf": r#"
provider "failing" {}
resource "terraform_data" "a" {
  input = "a"
}
check "scoped" {
  data "failing_lookup" "s" {
    name = "missing"
  }
  assert {
    condition     = data.failing_lookup.s.value == "x"
    error_message = "unexpected value"
  }
}
"#
    });
    let mut registry = Registry::with_builtins();
    registry.add(Arc::new(Failing));
    let (dir, p) = load(&files, &registry);
    let fx = Fx {
        p: &p,
        dir: dir.path(),
        registry,
    };
    let (plan, d) = fx.plan_diags(&State::new(), Sel::default()).await;
    assert_eq!(plan.changes.len(), 1, "the resource is still planned");
    let got = &plan_json(&plan)["checks"][0];
    assert_eq!(got["status"], scoped["status"]);
    let problem = got["instances"][0]["problems"][0]["message"]
        .as_str()
        .expect("a problem");
    assert!(problem.contains("no object named missing"), "{problem}");
    assert!(
        d.0.iter().any(
            |x| x.severity == Severity::Warning && x.detail.contains("no object named missing")
        ),
        "{d:?}"
    );
}
