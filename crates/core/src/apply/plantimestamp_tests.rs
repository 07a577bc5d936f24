//! `plantimestamp()` through validate, plan and apply, checked against what Terraform 1.11
//! did with the same configurations (testdata/plantimestamp-terraform-1.11.json, recorded by
//! record_plantimestamp.py): unknown while validating, one instant for the whole plan, and
//! that instant again when the saved plan is applied.

use crate::apply::apply;
use crate::diag::Diagnostics;
use crate::lang::Value;
use crate::plan::driver::{make_plan, prepare, validate, Prepared};
use crate::plan::{Plan, Silent};
use crate::provider::Registry;
use crate::state::{Backend, LocalBackend, State};
use crate::walk::{Mode, Run, RunInputs};
use std::path::Path;
use std::sync::Arc;

fn recorded() -> serde_json::Value {
    let text = include_str!("../../testdata/plantimestamp-terraform-1.11.json");
    serde_json::from_str(text).expect("recorded JSON")
}

/// The configuration `config` loaded from a fresh directory (kept alive by the guard).
fn prepared(config: &str) -> (tempfile::TempDir, Prepared) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.tf"), config).expect("write");
    let (p, d) = prepare(dir.path(), &Registry::with_builtins());
    (dir, p.unwrap_or_else(|| panic!("{d:?}")))
}

fn run(p: &Prepared, dir: &Path, mode: Mode) -> Arc<Run> {
    Arc::new(Run::new(RunInputs {
        config: p.config.clone(),
        graph: Arc::new(p.graph.clone()),
        registry: Registry::with_builtins(),
        root_dir: dir.to_path_buf(),
        base_dir: dir.to_path_buf(),
        cwd: dir.to_path_buf(),
        mode,
        destroy: false,
        vars: Default::default(),
        prior: Arc::new(State::new()),
        parallelism: 4,
        targets: vec![],
        excludes: vec![],
    }))
}

async fn plan(p: &Prepared, dir: &Path) -> (Plan, Diagnostics) {
    let run = run(p, dir, Mode::Plan);
    make_plan(run, Default::default(), p.config_hash.clone(), false).await
}

fn error_summaries(d: &Diagnostics) -> Vec<String> {
    d.iter()
        .filter(|d| d.is_error())
        .map(|d| d.summary.clone())
        .collect()
}

fn planned_output(plan: &Plan, name: &str) -> Value {
    let o = plan.output_changes.iter().find(|o| o.name == name);
    o.and_then(|o| o.after.clone()).expect(name)
}

#[tokio::test]
async fn unknown_while_validating_known_in_a_plan() {
    let rec = &recorded()["unknown_at_validate"];
    let (dir, p) = prepared(rec["config"].as_str().expect("config"));
    let d = validate(run(&p, dir.path(), Mode::Validate)).await;
    assert_eq!(!d.has_errors(), rec["valid"].as_bool().unwrap(), "{d:?}");
    let (_, d) = plan(&p, dir.path()).await;
    let want: Vec<String> = serde_json::from_value(rec["plan_errors"].clone()).unwrap();
    assert_eq!(error_summaries(&d), want);

    let rec = &recorded()["too_many_arguments"];
    let (dir, p) = prepared(rec["config"].as_str().expect("config"));
    let d = validate(run(&p, dir.path(), Mode::Validate)).await;
    let want: Vec<String> = serde_json::from_value(rec["errors"].clone()).unwrap();
    assert_eq!(error_summaries(&d), want);
}

#[tokio::test]
async fn one_instant_per_plan_and_the_same_at_apply() {
    let rec = &recorded()["outputs"];
    assert!(rec["t_is_rfc3339_utc_seconds"].as_bool().unwrap());
    assert!(rec["t_is_plan_timestamp"].as_bool().unwrap());
    assert!(rec["applied_t_is_planned_t"].as_bool().unwrap());
    let (dir, p) = prepared(rec["config"].as_str().expect("config"));
    let (mut plan, d) = plan(&p, dir.path()).await;
    assert!(!d.has_errors(), "{d:?}");
    let t = planned_output(&plan, "t");
    let t = t.as_str().expect("a known string");
    let shape = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$").unwrap();
    assert!(shape.is_match(t), "{t}");
    assert_eq!(plan.timestamp.as_deref(), Some(t));
    for (name, want) in rec["planned"].as_object().unwrap() {
        assert_eq!(planned_output(&plan, name).to_json(), *want, "{name}");
    }

    // A plan saved long ago: applying it still gives the plan's instant.
    plan.timestamp = Some("2001-02-03T04:05:06Z".into());
    let backend: Arc<dyn Backend> =
        Arc::new(LocalBackend::new(dir.path().join("terraform.tfstate")));
    let (state, d) = apply(
        run(&p, dir.path(), Mode::Apply),
        Arc::new(plan),
        &Default::default(),
        Arc::new(Silent),
        backend,
        State::new(),
    )
    .await;
    assert!(!d.has_errors(), "{d:?}");
    let outputs = state.expect("state").outputs;
    assert_eq!(
        outputs["t"].value,
        serde_json::json!("2001-02-03T04:05:06Z")
    );
    for (name, want) in rec["applied"].as_object().unwrap() {
        assert_eq!(outputs[name].value, *want, "{name}");
    }
}
