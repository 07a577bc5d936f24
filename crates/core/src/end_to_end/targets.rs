//! `-target` and `-exclude` through the plan driver, in plans and destroy plans: which
//! instances each plans, with the dependents (or dependencies) that go with them.
//!
//! `-target` is checked against `testdata/targets-terraform-1.11.json`, recorded from
//! Terraform 1.11 by `testdata/record_targets.py`. Terraform has no `-exclude`; its cases
//! follow OpenTofu's documentation, quoted beside each.

use super::support::{load, Fx, Sel};
use crate::plan::driver::Prepared;
use crate::plan::{Action, Plan};
use crate::provider::Registry;
use crate::state::State;
use std::collections::BTreeMap;
use std::path::Path;

const RECORDED: &str = include_str!("../../testdata/targets-terraform-1.11.json");

fn recorded() -> serde_json::Value {
    serde_json::from_str(RECORDED).expect("recorded JSON")
}

/// The recorded configuration, loaded.
fn fixture() -> (tempfile::TempDir, Prepared) {
    load(&recorded()["files"], &Registry::with_builtins())
}

fn fx<'a>(p: &'a Prepared, dir: &'a Path) -> Fx<'a> {
    Fx {
        p,
        dir,
        registry: Registry::with_builtins(),
    }
}

async fn plan(p: &Prepared, dir: &Path, prior: &State, sel: Sel<'_>) -> Plan {
    fx(p, dir).plan(prior, sel).await
}

async fn apply_plan(p: &Prepared, dir: &Path, prior: &State, plan: Plan, sel: Sel<'_>) -> State {
    fx(p, dir).apply_plan(prior, plan, sel).await
}

async fn applied(p: &Prepared, dir: &Path) -> State {
    fx(p, dir).applied().await
}

/// Address → Terraform's action name, no-ops left out.
fn planned(plan: &Plan) -> BTreeMap<String, String> {
    plan.changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .map(|c| (c.address.clone(), c.action.json_actions().join("-")))
        .collect()
}

fn outputs(plan: &Plan) -> BTreeMap<String, String> {
    plan.output_changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .map(|c| (c.name.clone(), c.action.json_actions().join("-")))
        .collect()
}

fn as_map(v: &serde_json::Value) -> BTreeMap<String, String> {
    serde_json::from_value(v.clone()).expect("map of strings")
}

/// Every recorded case: the same instances planned, with the same actions, and the same
/// output changes (none, for a targeted destroy).
#[tokio::test]
async fn targets_plan_what_terraform_plans() {
    let (dir, p) = fixture();
    let state = applied(&p, dir.path()).await;
    let mut failures = Vec::new();
    for case in recorded()["cases"].as_array().expect("cases") {
        let targets: Vec<&str> = case["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .map(|t| t.as_str().expect("target"))
            .collect();
        let destroy = case["mode"] == "destroy";
        let prior = if destroy { state.clone() } else { State::new() };
        let sel = Sel {
            destroy,
            targets: &targets,
            excludes: &[],
            vars: &[],
        };
        let got = plan(&p, dir.path(), &prior, sel).await;
        let (want, want_outputs) = (as_map(&case["planned"]), as_map(&case["outputs"]));
        if planned(&got) != want || outputs(&got) != want_outputs {
            failures.push(format!(
                "{} {targets:?}:\n  want {want:?} {want_outputs:?}\n  got  {:?} {:?}",
                case["mode"],
                planned(&got),
                outputs(&got)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The instances a plan (or destroy plan) with `sel` changes, sorted.
async fn changed(p: &Prepared, dir: &Path, prior: &State, sel: Sel<'_>) -> Vec<String> {
    planned(&plan(p, dir, prior, sel).await)
        .into_keys()
        .collect()
}

/// OpenTofu, `plan` command, "Resource Targeting": "Using `-exclude` or `-exclude-file`
/// instead focuses OpenTofu's attention on resource instances _other than_ those that match
/// and anything that depends on those." A resource address selects all its instances, an
/// instance address that instance alone, a module instance address everything inside it.
#[tokio::test]
async fn exclude_skips_the_address_and_its_dependents() {
    let (dir, p) = fixture();
    let dir = dir.path();
    let empty = State::new();
    let everything = changed(&p, dir, &empty, Sel::default()).await;
    let but = |skip: &[&str]| -> Vec<String> {
        everything
            .iter()
            .filter(|a| !skip.contains(&a.as_str()))
            .cloned()
            .collect()
    };
    let ex = |excludes| Sel {
        excludes,
        ..Sel::default()
    };
    // terraform_data.map["a"] → leaf (and leaf's output) depend on it.
    let got = changed(&p, dir, &empty, ex(&["terraform_data.map[\"a\"]"])).await;
    assert_eq!(
        got,
        but(&["terraform_data.map[\"a\"]", "terraform_data.leaf"])
    );
    // The whole of list, and through map everything after it.
    let got = changed(&p, dir, &empty, ex(&["terraform_data.list"])).await;
    assert_eq!(
        got,
        but(&[
            "terraform_data.list[0]",
            "terraform_data.list[1]",
            "terraform_data.map[\"a\"]",
            "terraform_data.map[\"b\"]",
            "terraform_data.leaf",
        ])
    );
    // base: module.x gets its input from base, and uses_x reads module.x.
    let got = changed(&p, dir, &empty, ex(&["terraform_data.base"])).await;
    assert_eq!(
        got,
        [
            "module.y[\"k1\"].terraform_data.inner",
            "module.y[\"k1\"].terraform_data.inner2",
            "module.y[\"k2\"].terraform_data.inner",
            "module.y[\"k2\"].terraform_data.inner2",
            "terraform_data.other",
            "terraform_data.uses_y",
        ]
    );
    // One module instance: the other instance is planned; uses_y reads module.y["k1"].
    let got = changed(&p, dir, &empty, ex(&["module.y[\"k1\"]"])).await;
    assert_eq!(
        got,
        but(&[
            "module.y[\"k1\"].terraform_data.inner",
            "module.y[\"k1\"].terraform_data.inner2",
            "terraform_data.uses_y",
        ])
    );
    // A resource inside a module, and two addresses at once.
    let got = changed(
        &p,
        dir,
        &empty,
        ex(&["module.x.terraform_data.inner2", "terraform_data.other"]),
    )
    .await;
    assert_eq!(
        got,
        but(&[
            "module.x.terraform_data.inner2",
            "terraform_data.uses_x",
            "terraform_data.other",
        ])
    );
}

/// Excluded outputs: an output computed from an excluded resource keeps its stored value
/// (OpenTofu's `TestContext2Plan_outputContainsExcludedResource` plans no output change);
/// the others are planned.
#[tokio::test]
async fn exclude_leaves_the_outputs_of_what_it_skips() {
    let (dir, p) = fixture();
    let sel = Sel {
        excludes: &["terraform_data.map"],
        ..Sel::default()
    };
    let got = plan(&p, dir.path(), &State::new(), sel).await;
    assert_eq!(
        outputs(&got).into_keys().collect::<Vec<_>>(),
        ["other", "x"]
    );
    assert_eq!(got.excludes, ["terraform_data.map"]);
}

/// A count-shrunk or removed instance is deleted unless excluded: `-exclude` names state
/// addresses too ("resource instances that are declared in the configuration or tracked in
/// the current state").
#[tokio::test]
async fn exclude_keeps_excluded_orphans() {
    let (dir, p) = fixture();
    let mut state = applied(&p, dir.path()).await;
    let mut gone = state.resources["terraform_data.other"].clone();
    gone.dependencies = vec!["terraform_data.base".into()];
    state
        .resources
        .insert("terraform_data.gone".into(), gone.clone());
    state.resources.insert("terraform_data.free".into(), {
        let mut g = gone;
        g.dependencies.clear();
        g
    });
    let sel = |excludes| Sel {
        excludes,
        ..Sel::default()
    };
    let got = changed(&p, dir.path(), &state, sel(&["terraform_data.free"])).await;
    assert_eq!(got, ["terraform_data.gone"]);
    // gone's recorded dependencies name base: excluded with it.
    let got = changed(&p, dir.path(), &state, sel(&["terraform_data.base"])).await;
    assert_eq!(got, ["terraform_data.free"]);
}

/// `-exclude` with `-destroy` keeps the excluded instances and what they depend on, and
/// destroys the rest: OpenTofu's `TestContext2Apply_excludedDependentDestroyCountDeps`
/// (excluding a dependent keeps its dependency) and
/// `TestContext2Apply_excludedDestroyCountDeps` (excluding a dependency destroys its
/// dependents). Outputs keep their stored values.
#[tokio::test]
async fn exclude_in_a_destroy_keeps_what_the_excluded_need() {
    let (dir, p) = fixture();
    let dir = dir.path();
    let state = applied(&p, dir).await;
    let all: Vec<String> = state.resources.keys().cloned().collect();
    let destroyed = |keep: &[&str]| -> Vec<String> {
        all.iter()
            .filter(|a| !keep.contains(&a.as_str()))
            .cloned()
            .collect()
    };
    let sel = |excludes| Sel {
        destroy: true,
        excludes,
        ..Sel::default()
    };
    let leaf = sel(&["terraform_data.leaf"]);
    let got = changed(&p, dir, &state, leaf).await;
    let keep = [
        "terraform_data.base",
        "terraform_data.leaf",
        "terraform_data.list[0]",
        "terraform_data.list[1]",
        "terraform_data.map[\"a\"]",
        "terraform_data.map[\"b\"]",
    ];
    assert_eq!(got, destroyed(&keep));
    let got = changed(&p, dir, &state, sel(&["terraform_data.base"])).await;
    assert_eq!(got, destroyed(&["terraform_data.base"]));
    // One instance of a for_each module and what it reads (nothing outside it).
    let got = changed(&p, dir, &state, sel(&["module.y[\"k2\"]"])).await;
    assert_eq!(
        got,
        destroyed(&[
            "module.y[\"k2\"].terraform_data.inner",
            "module.y[\"k2\"].terraform_data.inner2",
        ])
    );
    // And the apply: the kept instances and every output stay.
    let plan = plan(&p, dir, &state, leaf).await;
    assert!(plan.output_changes.iter().all(|o| o.action == Action::NoOp));
    let after = apply_plan(&p, dir, &state, plan, leaf).await;
    let mut left: Vec<&str> = after.resources.keys().map(String::as_str).collect();
    left.sort_unstable();
    assert_eq!(left, keep);
    assert_eq!(
        after.outputs.keys().collect::<Vec<_>>(),
        ["leaf", "other", "x"]
    );
}

/// `-target` with `-destroy` applied: the targets and their dependents are gone, the rest
/// and the outputs stay.
#[tokio::test]
async fn a_targeted_destroy_applies() {
    let (dir, p) = fixture();
    let dir = dir.path();
    let state = applied(&p, dir).await;
    let sel = Sel {
        destroy: true,
        targets: &["terraform_data.list[1]"],
        ..Sel::default()
    };
    let plan = plan(&p, dir, &state, sel).await;
    assert_eq!(plan.targets, ["terraform_data.list[1]"]);
    let after = apply_plan(&p, dir, &state, plan, sel).await;
    for gone in [
        "terraform_data.list[1]",
        "terraform_data.map[\"a\"]",
        "terraform_data.map[\"b\"]",
        "terraform_data.leaf",
    ] {
        assert!(!after.resources.contains_key(gone), "{gone} left");
    }
    assert_eq!(after.resources.len(), state.resources.len() - 4);
    assert!(after.resources.contains_key("terraform_data.list[0]"));
    assert_eq!(after.outputs.len(), 3);
}
