//! `hubctl plan --all DIR` and `destroy --all DIR`: every Terragrunt unit under DIR, in one
//! process, in dependency order (`apply --all` runs them as one graph: `apply_all.rs`; both
//! run units through `unit.rs`). Each unit keeps its own state (its `remote_state`) and lock; a dependency's
//! planned outputs flow into its dependents' inputs as values, "known after apply" while it
//! is not applied, so a never-applied environment plans without mocks (they stand in only
//! where a plan must know a value, `unit_mocks`, and such a plan is not applied). A failed
//! unit skips only its dependents.

use super::common::{load_state, make_run, with_lock, Walk, CHANGES, ERROR, OK};
use super::stack::{load_stack, shown};
use super::unit::{
    plan_checked, plan_walk, planned_outputs, prepare, read_outputs, Done, How, Unit,
};
use crate::args::{ApplyArgs, DestroyArgs, LockArgs, PlanArgs, QueueArgs};
use crate::views::{Confirm, Progress, Ui};
use hubctl_core::diag::SourceMap;
use hubctl_core::lang::Value;
use hubctl_core::live::{self, QueueFilter};
use hubctl_core::plan::bundle::BundleUnit;
use hubctl_core::plan::markdown::UnitSummary;
use hubctl_core::plan::render::render_plan;
use hubctl_core::walk::Mode;
use std::path::Path;
use std::sync::{Arc, Mutex};

pub(super) enum Outcome {
    Done {
        changes: bool,
    },
    Failed,
    Skipped,
    /// Left out by `--queue-exclude-dir`.
    Excluded,
}

pub async fn run(ui: &Ui, base: &Path, a: PlanArgs) -> u8 {
    let done = Done::default();
    let dir = a.dir.clone();
    run_all(ui, base, &dir, &done, &Step::Plan(a)).await
}

/// `hubctl apply --all DIR`: the units applied as one graph (`apply_all.rs`).
pub async fn apply(ui: &Ui, base: &Path, a: ApplyArgs) -> u8 {
    if !a.auto_approve {
        let asked = Confirm {
            question: "Do you want to apply every unit under this folder?",
            detail: Some(
                "hubctl will plan and apply each unit as soon as the outputs it reads are known.",
            ),
            command: "hubctl apply --all",
            cancelled: "Apply cancelled.",
            input: a.input,
        };
        if !ui.confirm(asked) {
            return ERROR;
        }
    }
    super::apply_all::run(ui, base, a).await
}

/// `hubctl destroy --all DIR`: each unit destroyed after every unit that depends on it.
/// The units' inputs still read their dependencies' outputs, so those are read from every
/// unit's state first.
pub async fn destroy(ui: &Ui, base: &Path, a: DestroyArgs) -> u8 {
    if !a.auto_approve {
        let asked = Confirm {
            question: "Do you really want to destroy every unit under this folder?",
            detail: Some("hubctl will destroy each unit, dependents first."),
            command: "hubctl destroy --all",
            cancelled: "Destroy cancelled.",
            input: a.input,
        };
        if !ui.confirm(asked) {
            return ERROR;
        }
    }
    let done = Done::default();
    let dir = a.dir.clone();
    run_all(ui, base, &dir, &done, &Step::Destroy(a)).await
}

/// What is done to each unit.
enum Step {
    Plan(PlanArgs),
    Destroy(DestroyArgs),
}

impl Step {
    fn queue(&self) -> &QueueArgs {
        match self {
            Step::Plan(a) => &a.queue,
            Step::Destroy(a) => &a.queue,
        }
    }
}

/// A step's result: whether it changed (or would change) anything, and the unit's outputs.
type StepResult = Option<(bool, Value)>;

/// The queue globs and the stack they select, after the spoke requests are checked (not
/// for a destroy, which must work whatever the requests say).
pub(super) fn checked_stack(
    ui: &Ui,
    base: &Path,
    dir: &Path,
    queue: &QueueArgs,
    destroy: bool,
) -> Option<(QueueFilter, live::Stack)> {
    let filter = match QueueFilter::new(&queue.include, &queue.exclude) {
        Ok(f) => f,
        Err(d) => {
            ui.diags(&d.into(), &SourceMap::new());
            return None;
        }
    };
    if !destroy {
        let mut sources = SourceMap::new();
        let spokes = live::check_repo_spokes(&base.join(dir), &mut sources);
        ui.diags(&spokes, &sources);
        if spokes.has_errors() {
            return None;
        }
    }
    let stack = load_stack(ui, base, dir, &filter)?;
    Some((filter, stack))
}

async fn run_all(ui: &Ui, base: &Path, dir: &Path, done: &Done, step: &Step) -> u8 {
    let destroy = matches!(step, Step::Destroy(_));
    let Some((filter, stack)) = checked_stack(ui, base, dir, step.queue(), destroy) else {
        return ERROR;
    };
    let excluded: Vec<bool> = stack
        .units
        .iter()
        .map(|u| filter.excluded(&shown(base, &u.path)))
        .collect();
    // Excluded units are not run, but their dependents read their outputs from their state.
    read_outputs(ui, base, &stack, done, &|i| destroy || excluded[i]).await;
    let (order, waits_on) = if destroy {
        (
            stack.order.iter().rev().copied().collect(),
            dependents(&stack),
        )
    } else {
        let deps = stack
            .deps
            .iter()
            .map(|d| d.iter().map(|(j, _)| *j).collect())
            .collect();
        (stack.order.clone(), deps)
    };
    let mut outcome: Vec<Option<Outcome>> = (0..stack.units.len()).map(|_| None).collect();
    // `plan --all --markdown FILE`: each unit's part of the summary, in the order they ran;
    // `plan --all -out FILE`: each unit's saved plan.
    let md = Mutex::new(Vec::new());
    let saved = Mutex::new(Vec::new());
    let json = Mutex::new(Vec::new());
    let markdown = match step {
        Step::Plan(a) => a.markdown.as_ref(),
        _ => None,
    };
    let not_planned = |name: &str, why: &str| {
        if let (Some(_), Ok(mut m)) = (markdown, md.lock()) {
            m.push(UnitSummary::not_planned(name, why));
        }
    };
    for &i in &order {
        let unit = &stack.units[i].path;
        let name = shown(base, unit);
        if excluded[i] {
            not_planned(&name, "excluded");
            outcome[i] = Some(Outcome::Excluded);
            continue;
        }
        let blocked = waits_on[i]
            .iter()
            .any(|d| !matches!(outcome[*d], Some(Outcome::Done { .. } | Outcome::Excluded)));
        if blocked {
            let why = if destroy {
                "depends on it and was not destroyed"
            } else {
                "it depends on failed"
            };
            ui.err_line(format_args!("Skipping {name}: a unit {why}."));
            not_planned(&name, "skipped");
            outcome[i] = Some(Outcome::Skipped);
            continue;
        }
        ui.line(format_args!("\n=== {name} ==="));
        let u = Unit {
            ui,
            base,
            path: unit.clone(),
            done,
        };
        let result = match step {
            Step::Plan(a) => {
                let keep = Keep {
                    md: markdown.map(|_| &md),
                    saved: a.out.as_ref().map(|_| &saved),
                    json: a.json.then_some(&json),
                };
                plan_unit(u, a, &a.lock, keep).await
            }
            Step::Destroy(a) => destroy_unit(u, a).await,
        };
        outcome[i] = Some(match result {
            Some((changes, outputs)) => {
                if let (Ok(mut m), false) = (done.0.lock(), destroy) {
                    m.insert(unit.clone(), outputs);
                }
                Outcome::Done { changes }
            }
            None => {
                not_planned(&name, "failed");
                Outcome::Failed
            }
        });
    }
    if let Some(file) = markdown {
        let units = md.into_inner().unwrap_or_else(|e| e.into_inner());
        if !super::plan::write_markdown(ui, base, file, &units) {
            return ERROR;
        }
    }
    let detailed = matches!(step, Step::Plan(a) if a.detailed_exitcode);
    let code = summary(ui, &outcome, detailed);
    match step {
        Step::Plan(a) => {
            if a.json {
                let units = json.into_inner().unwrap_or_else(|e| e.into_inner());
                ui.json(&serde_json::json!({ "format_version": "1.0", "units": units }));
            }
            save_tree_plan(ui, base, a, code, saved.into_inner())
        }
        Step::Destroy(_) => code,
    }
}

/// `plan --all -out FILE`: the units' plans saved as one file, when every unit planned.
fn save_tree_plan(
    ui: &Ui,
    base: &Path,
    a: &PlanArgs,
    code: u8,
    saved: std::sync::LockResult<Vec<BundleUnit>>,
) -> u8 {
    let Some(file) = &a.out else {
        return code;
    };
    if code == ERROR {
        let file = file.display();
        ui.err_line(format_args!(
            "The plan is not saved to {file}: a unit failed."
        ));
        return code;
    }
    let units = saved.unwrap_or_else(|e| e.into_inner());
    if super::plan_bundle::write(ui, base, a, file, units) {
        code
    } else {
        ERROR
    }
}

pub(super) fn summary(ui: &Ui, outcome: &[Option<Outcome>], detailed: bool) -> u8 {
    let count = |f: &dyn Fn(&Outcome) -> bool| outcome.iter().flatten().filter(|o| f(o)).count();
    let changed = count(&|o| matches!(o, Outcome::Done { changes: true }));
    let planned = count(&|o| matches!(o, Outcome::Done { .. }));
    let failed = count(&|o| matches!(o, Outcome::Failed));
    let skipped = count(&|o| matches!(o, Outcome::Skipped));
    let excluded = match count(&|o| matches!(o, Outcome::Excluded)) {
        0 => String::new(),
        n => format!(", {n} excluded"),
    };
    ui.line(format_args!(
        "\nUnits: {planned} done ({changed} with changes), {failed} failed, {skipped} skipped{excluded}."
    ));
    if failed + skipped > 0 {
        ERROR
    } else if detailed && changed > 0 {
        CHANGES
    } else {
        OK
    }
}

/// What a `plan --all` keeps of each unit's plan besides printing it.
struct Keep<'a> {
    /// Its part of the Markdown summary.
    md: Option<&'a Mutex<Vec<UnitSummary>>>,
    /// Its saved plan, for the bundle.
    saved: Option<&'a Mutex<Vec<BundleUnit>>>,
    /// Its plan as JSON (`plan --all --json`: `{"unit", "plan"}`).
    json: Option<&'a Mutex<Vec<serde_json::Value>>>,
}

/// Plans the unit against its state (under `lock`); prints the plan, and keeps what `keep`
/// asks for.
async fn plan_unit(u: Unit<'_>, a: &PlanArgs, lock: &LockArgs, keep: Keep<'_>) -> StepResult {
    let mut r = prepare(&u, "plan", true).await?;
    let ui = u.ui;
    let how = How {
        command: "plan",
        destroy: a.destroy,
        refresh: a.refresh,
        parallelism: a.parallelism,
        // The refresh lines would go to stdout, which holds only the JSON then.
        quiet: a.json,
    };
    let be = r.be.clone();
    let (unit, ready, store) = (&u, &mut r, &be);
    let result = with_lock(ui, &be, lock, "plan", move || async move {
        let (prior, had) = load_state(ui, store).await?;
        Some(plan_checked(unit, ready, how, &prior, had).await)
    })
    .await
    .flatten();
    let (plan, diags) = result?;
    ui.diags(&diags, &r.p.config.sources);
    if let Some(m) = &r.mocks {
        ui.diags(&m.diagnostics(false), &m.sources);
    }
    if diags.has_errors() {
        return None;
    }
    ui.out(render_plan(&plan, ui.plan_style()));
    let name = shown(u.base, &u.path);
    if let Some(Ok(mut m)) = keep.md.map(Mutex::lock) {
        m.push(UnitSummary::of(&name, &plan));
    }
    if let Some(Ok(mut j)) = keep.json.map(Mutex::lock) {
        let plan = hubctl_core::plan::render::plan_json(&plan);
        j.push(serde_json::json!({ "unit": name, "plan": plan }));
    }
    if let Some(saved) = keep.saved {
        let unit = super::plan_bundle::unit_plan(ui, &name, &plan, r.be.as_ref()).await?;
        saved.lock().ok()?.push(unit);
    }
    Some((plan.has_changes(), planned_outputs(&plan)))
}

/// For each unit, the units that depend on it (the order of a destroy).
fn dependents(stack: &live::Stack) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); stack.units.len()];
    for (j, deps) in stack.deps.iter().enumerate() {
        for (d, _) in deps {
            out[*d].push(j);
        }
    }
    out
}

/// Plans the destroy of the unit and applies it.
async fn destroy_unit(u: Unit<'_>, a: &DestroyArgs) -> StepResult {
    let r = prepare(&u, "destroy", true).await?;
    let (ui, base) = (u.ui, u.base);
    with_lock(ui, &r.be, &a.lock, "destroy", || async {
        let (prior, had) = load_state(ui, &r.be).await?;
        let walk = Walk {
            base,
            dir: &r.work,
            mode: Mode::Plan,
            destroy: true,
            vars: r.vars.clone(),
            parallelism: a.parallelism,
            select: Default::default(),
        };
        let (plan, diags) = plan_walk(&r, walk, prior.clone(), had, (true, false)).await;
        ui.diags(&diags, &r.p.config.sources);
        if diags.has_errors() {
            return None;
        }
        ui.out(render_plan(&plan, ui.plan_style()));
        if !plan.has_changes() {
            return Some((false, Value::Null));
        }
        let plan = Arc::new(plan);
        let walk = Walk {
            base,
            dir: &r.work,
            mode: Mode::Apply,
            destroy: true,
            vars: r.vars.clone(),
            parallelism: a.parallelism,
            select: Default::default(),
        };
        let (run, moves) = make_run(&r.p, walk, prior.clone());
        let progress = Arc::new(Progress::new(false));
        let (_, diags) =
            hubctl_core::apply::apply(run, plan, &moves, progress.clone(), r.be.clone(), prior)
                .await;
        progress.finish();
        ui.diags(&diags, &r.p.config.sources);
        (!diags.has_errors()).then(|| {
            ui.line("Destroy complete.");
            (true, Value::Null)
        })
    })
    .await
    .flatten()
}
