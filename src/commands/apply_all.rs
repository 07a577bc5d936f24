//! `hubctl apply --all DIR`: the units of a tree applied as one graph. Every unit starts at
//! once; each plans as soon as the units it depends on have planned (their outputs known or
//! "known after apply"), then applies. A root variable whose input reads a dependency output
//! not known yet is fed while the apply runs (`walk::feeds`): it gets its value the moment
//! the dependency applies the outputs it reads, so the resources using it start then, and
//! the others at once. No unit waits for the whole of another. A unit whose plan needs a
//! dependency output known (`count`, `for_each`) plans again once its dependencies are
//! applied; mocks are never applied. Each unit keeps its own state, lock and working copy.

use super::common::{load_state, make_fed_run, with_lock, Walk};
use super::plan_bundle::SavedUnits;
use super::run_all::{checked_stack, summary, Outcome};
use super::stack::shown;
use super::unit::{
    outputs_of, plan_checked, planned_outputs, prepare, read_outputs, Done, How, Ready, Unit,
};
use super::unit_copy::inputs_as_variables;
use crate::args::ApplyArgs;
use crate::views::{Progress, Ui};
use hubctl_core::diag::Diagnostic;
use hubctl_core::lang::Value;
use hubctl_core::live::{DependencyOutputs, Loader, Options};
use hubctl_core::plan::render::render_plan;
use hubctl_core::plan::{Action, Plan, Summary};
use hubctl_core::state::Mode as StateMode;
use hubctl_core::walk::{Fed, Feeds, Mode, OutputHook};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Every unit's outputs as known so far: planned values (unknown where not applied yet),
/// replaced output by output as the applies produce them. A version bump wakes the feeds.
struct Board {
    outputs: Mutex<HashMap<PathBuf, Value>>,
    version: watch::Sender<u64>,
}

impl DependencyOutputs for Board {
    fn outputs(&self, unit: &Path) -> Option<Value> {
        self.outputs.lock().ok()?.get(unit).cloned()
    }
}

impl Board {
    fn bump(&self) {
        self.version.send_modify(|v| *v += 1);
    }

    fn set_all(&self, unit: &Path, outputs: Value) {
        if let Ok(mut m) = self.outputs.lock() {
            m.insert(unit.to_path_buf(), outputs);
        }
        self.bump();
    }

    fn set_one(&self, unit: &Path, name: &str, value: &Value) {
        if let Ok(mut m) = self.outputs.lock() {
            let outputs = m
                .entry(unit.to_path_buf())
                .or_insert_with(|| Value::object(Vec::<(String, Value)>::new()));
            if let Some(o) = outputs.as_map_mut() {
                o.insert(name.to_string(), value.clone());
            }
        }
        self.bump();
    }
}

impl Policy {
    /// Why the plan may not be applied under this policy.
    fn refusal(&self, plan: &Plan) -> Option<Diagnostic> {
        let deletes: Vec<&str> = plan
            .changes
            .iter()
            .filter(|c| c.mode == StateMode::Managed && c.action == Action::Delete)
            .map(|c| c.address.as_str())
            .collect();
        if !self.refuse_deletes || deletes.is_empty() {
            return None;
        }
        Some(
            Diagnostic::error("Refusing to destroy during a rebuild").detail(format!(
                "The plan destroys {}. A rebuild re-creates what is missing and re-points what \
                 depends on it; it never removes anything. If the configuration really dropped \
                 these, run `hubctl dr rebuild` with --allow-destroy, or apply the unit on its own.",
                deletes.join(", ")
            )),
        )
    }
}

/// Where a unit is: planned (its dependents may plan), applied, or failed/skipped.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Phase {
    Waiting,
    Planned,
    Applied,
    Failed,
}

/// What a caller asks of an `apply --all` beyond its arguments (a disaster-recovery rebuild).
#[derive(Default)]
pub(super) struct Policy {
    /// Refuse a unit whose plan destroys an object other than by replacing it.
    pub(super) refuse_deletes: bool,
    /// Apply these saved plans (`apply FILE` of a tree's plan) instead of planning.
    pub(super) saved: Option<SavedUnits>,
}

/// When a unit planned and applied, counted from the run's start, and what its plan did.
#[derive(Clone, Default)]
pub(super) struct Timing {
    pub(super) planned: Option<Duration>,
    pub(super) applied: Option<Duration>,
    pub(super) summary: Summary,
}

/// What every unit's task shares.
struct Ctx<'a> {
    ui: &'a Ui,
    base: &'a Path,
    a: &'a ApplyArgs,
    stack: &'a hubctl_core::live::Stack,
    board: Arc<Board>,
    phases: Vec<watch::Sender<Phase>>,
    policy: &'a Policy,
    started: Instant,
    timings: Mutex<Vec<Timing>>,
}

impl Ctx<'_> {
    fn deps(&self, i: usize) -> Vec<usize> {
        self.stack.deps[i].iter().map(|(j, _)| *j).collect()
    }

    fn set_phase(&self, i: usize, p: Phase) {
        if let Ok(mut t) = self.timings.lock() {
            let at = Some(self.started.elapsed());
            match p {
                Phase::Planned => t[i].planned = at,
                Phase::Applied => t[i].applied = at,
                Phase::Waiting | Phase::Failed => {}
            }
        }
        self.phases[i].send_replace(p);
        self.board.bump();
    }

    /// Waits until every unit of `deps` reached `want` (applied counts as planned); false
    /// as soon as one failed.
    async fn reached(&self, deps: &[usize], want: Phase) -> bool {
        for &d in deps {
            let mut rx = self.phases[d].subscribe();
            let got = rx
                .wait_for(|p| *p == Phase::Failed || *p == Phase::Applied || *p == want)
                .await
                .map(|p| *p)
                .unwrap_or(Phase::Failed);
            if got == Phase::Failed {
                return false;
            }
        }
        true
    }

    fn settled(&self, deps: &[usize]) -> bool {
        deps.iter()
            .all(|&d| matches!(*self.phases[d].borrow(), Phase::Applied | Phase::Failed))
    }
}

pub async fn run(ui: &Ui, base: &Path, a: ApplyArgs) -> u8 {
    run_with(ui, base, a, &Policy::default()).await.0
}

/// [`run`] under `policy`; also when each unit planned and applied, by unit file.
pub(super) async fn run_with(
    ui: &Ui,
    base: &Path,
    a: ApplyArgs,
    policy: &Policy,
) -> (u8, Vec<(PathBuf, Timing)>) {
    let Some((filter, stack)) = checked_stack(ui, base, &a.target, &a.queue, false) else {
        return (super::common::ERROR, Vec::new());
    };
    let excluded: Vec<bool> = stack
        .units
        .iter()
        .map(|u| filter.excluded(&shown(base, &u.path)))
        .collect();
    if let Some(saved) = &policy.saved {
        if !same_units(ui, base, &stack, &excluded, saved) {
            return (super::common::ERROR, Vec::new());
        }
    }
    // Excluded units are not run, but their dependents read their outputs from their state.
    let from_state = Done::default();
    read_outputs(ui, base, &stack, &from_state, &|i| excluded[i]).await;
    let ctx = Ctx {
        ui,
        base,
        a: &a,
        stack: &stack,
        board: Arc::new(Board {
            outputs: Mutex::new(std::mem::take(
                &mut *from_state.0.lock().unwrap_or_else(|e| e.into_inner()),
            )),
            version: watch::channel(0).0,
        }),
        phases: (0..stack.units.len())
            .map(|_| watch::channel(Phase::Waiting).0)
            .collect(),
        policy,
        started: Instant::now(),
        timings: Mutex::new(vec![Timing::default(); stack.units.len()]),
    };
    let tasks = (0..stack.units.len()).map(|i| unit_task(&ctx, i, excluded[i]));
    let outcomes: Vec<Option<Outcome>> = futures_util::future::join_all(tasks)
        .await
        .into_iter()
        .map(Some)
        .collect();
    let timings = ctx.timings.into_inner().unwrap_or_else(|e| e.into_inner());
    let timed = stack
        .units
        .iter()
        .zip(timings)
        .zip(&excluded)
        .filter(|(_, x)| !**x)
        .map(|((u, t), _)| (u.path.clone(), t))
        .collect();
    (summary(ui, &outcomes, false), timed)
}

/// Whether the tree selects the units the plan file holds (and no other).
fn same_units(
    ui: &Ui,
    base: &Path,
    stack: &hubctl_core::live::Stack,
    excluded: &[bool],
    saved: &SavedUnits,
) -> bool {
    let mut now: Vec<String> = stack
        .units
        .iter()
        .zip(excluded)
        .filter(|(_, x)| !**x)
        .map(|(u, _)| shown(base, &u.path))
        .collect();
    now.sort();
    let planned = saved.names();
    if now == planned {
        return true;
    }
    let d = Diagnostic::error("The plan file does not match the tree").detail(format!(
        "It holds the plans of {}; the tree now selects {}. Make a new plan with `hubctl plan --all -out FILE`.",
        planned.join(", "),
        now.join(", ")
    ));
    ui.diags(&d.into(), &hubctl_core::diag::SourceMap::new());
    false
}

async fn unit_task(ctx: &Ctx<'_>, i: usize, excluded: bool) -> Outcome {
    if excluded {
        ctx.set_phase(i, Phase::Applied);
        return Outcome::Excluded;
    }
    let path = ctx.stack.units[i].path.clone();
    let name = shown(ctx.base, &path);
    let deps = ctx.deps(i);
    if !ctx.reached(&deps, Phase::Planned).await {
        ctx.ui.err_line(format_args!(
            "Skipping {name}: a unit it depends on failed."
        ));
        ctx.set_phase(i, Phase::Failed);
        return Outcome::Skipped;
    }
    let u = Unit {
        ui: ctx.ui,
        base: ctx.base,
        path,
        done: ctx.board.as_ref(),
    };
    match apply_unit(ctx, &u, i, &name, &deps).await {
        Some(changes) => {
            ctx.set_phase(i, Phase::Applied);
            Outcome::Done { changes }
        }
        None => {
            ctx.set_phase(i, Phase::Failed);
            Outcome::Failed
        }
    }
}

/// Plans the unit (again once its dependencies are applied, when it needs their outputs
/// known), tells its dependents its planned outputs, applies it with fed variables.
async fn apply_unit(
    ctx: &Ctx<'_>,
    u: &Unit<'_>,
    i: usize,
    name: &str,
    deps: &[usize],
) -> Option<bool> {
    let (ui, a) = (ctx.ui, ctx.a);
    // Whether the inputs are read with the dependencies' final outputs: only then does a
    // plan that needs a value known not get another chance.
    let settled = ctx.settled(deps);
    let mut r = prepare(u, "apply", true).await?;
    let how = How {
        command: "apply",
        destroy: false,
        refresh: a.refresh,
        parallelism: a.parallelism,
        quiet: false,
    };
    let be = r.be.clone();
    let (r, store) = (&mut r, &be);
    with_lock(ui, &be, &a.lock, "apply", move || async move {
        let (prior, had) = load_state(ui, store).await?;
        let plan = unit_plan(ctx, u, r, how, (&prior, had), (name, deps, settled)).await?;
        ui.out(format!(
            "\n=== {name} ===\n{}",
            render_plan(&plan, ui.plan_style())
        ));
        if let Some(refused) = ctx.policy.refusal(&plan) {
            ui.diags(&refused.into(), &hubctl_core::diag::SourceMap::new());
            return None;
        }
        if let Ok(mut t) = ctx.timings.lock() {
            t[i].summary = plan.summary();
        }
        ctx.board.set_all(&u.path, planned_outputs(&plan));
        ctx.set_phase(i, Phase::Planned);
        if !plan.has_changes() {
            ctx.board.set_all(&u.path, outputs_of(&prior));
            return Some(false);
        }
        let state = fed_apply(ctx, u, r, plan, prior, deps, name).await?;
        ctx.board.set_all(&u.path, outputs_of(&state));
        ui.line(format_args!("[{name}] Apply complete."));
        Some(true)
    })
    .await
    .flatten()
}

/// The unit's plan: its saved one when a tree's plan file is applied, else planned now (and
/// again once its dependencies are applied, when it needs their outputs known and `settled`
/// says its inputs were read before they were). None (with the errors shown) when there is
/// none to apply.
async fn unit_plan(
    ctx: &Ctx<'_>,
    u: &Unit<'_>,
    r: &mut Ready,
    how: How<'_>,
    (prior, had): (&hubctl_core::state::State, bool),
    (name, deps, settled): (&str, &[usize], bool),
) -> Option<Plan> {
    let ui = ctx.ui;
    if let Some(saved) = &ctx.policy.saved {
        return match saved.plan_for(name, r, had.then_some(prior)).await {
            Ok(plan) => Some(plan),
            Err(d) => {
                ui.diags(&d.into(), &hubctl_core::diag::SourceMap::new());
                None
            }
        };
    }
    let (mut plan, mut diags) = plan_checked(u, r, how, prior, had).await;
    if (diags.has_errors() || r.mocks.is_some()) && !settled {
        // A value the plan needs is a dependency output not applied yet: plan again with it.
        if !ctx.reached(deps, Phase::Applied).await {
            return None;
        }
        *r = prepare(u, "apply", false).await?;
        (plan, diags) = plan_checked(u, r, how, prior, had).await;
    }
    ui.diags(&diags, &r.p.config.sources);
    if let Some(m) = &r.mocks {
        ui.diags(&m.diagnostics(true), &m.sources);
        return None;
    }
    (!diags.has_errors()).then_some(plan)
}

/// Applies the plan; the variables not known at plan time are fed as their dependencies'
/// outputs arrive, and each output applied is put on the board at once.
async fn fed_apply(
    ctx: &Ctx<'_>,
    u: &Unit<'_>,
    r: &Ready,
    plan: Plan,
    prior: hubctl_core::state::State,
    deps: &[usize],
    name: &str,
) -> Option<hubctl_core::state::State> {
    let mut senders = BTreeMap::new();
    let mut feeds = BTreeMap::new();
    for (var, v) in &r.vars {
        if !v.is_wholly_known() {
            let (tx, rx) = watch::channel(Fed::Pending);
            senders.insert(var.clone(), tx);
            feeds.insert(var.clone(), rx);
        }
    }
    let (board, path) = (ctx.board.clone(), u.path.clone());
    let hook: OutputHook = Arc::new(move |n, v| board.set_one(&path, n, v));
    let walk = Walk {
        base: ctx.base,
        dir: &r.work,
        mode: Mode::Apply,
        destroy: false,
        vars: r.vars.clone(),
        parallelism: ctx.a.parallelism,
        select: Default::default(),
    };
    let (run, moves) = make_fed_run(&r.p, walk, prior.clone(), Feeds::new(feeds, Some(hook)));
    let progress = Arc::new(Progress::for_unit(name));
    let apply = hubctl_core::apply::apply(
        run,
        Arc::new(plan),
        &moves,
        progress.clone(),
        r.be.clone(),
        prior,
    );
    let feed = feed_variables(ctx, u, r, senders, deps);
    // The feeds wait on the board for as long as the apply runs, and no longer.
    let (state, diags) = tokio::select! {
        done = apply => done,
        never = feed => match never {},
    };
    progress.finish();
    ctx.ui.diags(&diags, &r.p.config.sources);
    if diags.has_errors() {
        return None;
    }
    state
}

/// Sends each pending variable its value the moment the unit's inputs, evaluated with the
/// outputs known so far, give it wholly known; a variable whose dependencies all ended
/// without it fails. Then waits forever: the apply's end stops it.
async fn feed_variables(
    ctx: &Ctx<'_>,
    u: &Unit<'_>,
    r: &Ready,
    mut senders: BTreeMap<String, watch::Sender<Fed>>,
    deps: &[usize],
) -> std::convert::Infallible {
    let mut version = ctx.board.version.subscribe();
    while !senders.is_empty() {
        let settled = ctx.settled(deps);
        let vars = current_inputs(u, r);
        senders.retain(|var, tx| match vars.get(var) {
            Some(v) if v.is_wholly_known() => {
                let _ = tx.send(Fed::Value(v.clone()));
                false
            }
            _ if settled => {
                let why = "a unit it depends on failed or did not produce it";
                let _ = tx.send(Fed::Failed(why.into()));
                false
            }
            _ => true,
        });
        if senders.is_empty() || version.changed().await.is_err() {
            break;
        }
    }
    std::future::pending().await
}

/// The unit's variables from its inputs, evaluated with the dependency outputs known now.
fn current_inputs(u: &Unit<'_>, r: &Ready) -> BTreeMap<String, Value> {
    let loader = Loader::new(Options {
        command: "apply",
        outputs: u.done,
        base: u.base,
        mocks: false,
    });
    let cfg = loader.unit(&u.path);
    let _ = loader.finish();
    cfg.map(|c| inputs_as_variables(&c, &r.p.config.root))
        .unwrap_or_default()
}
