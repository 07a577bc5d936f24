//! One unit of a tree (`--all`): read with the outputs its dependencies have so far,
//! written to its working copy, loaded with its own state backend, and planned (with the
//! dependencies' mocks where a plan-time value is not known yet). `run_all.rs` (plan and
//! destroy), `apply_all.rs`, the tree's plan files and `dr` run units through these.

use super::common::{backend, make_run, Walk};
use super::stack::errors_only;
use super::unit_copy::{inputs_as_variables, undeclared_inputs, working_copy};
use super::unit_mocks::{with_mocks, Mocks};
use crate::views::{Progress, Ui};
use hubctl_core::diag::Diagnostics;
use hubctl_core::lang::Value;
use hubctl_core::live::{self, DependencyOutputs, Loader, Options};
use hubctl_core::plan::driver::{make_plan, prepare_in, Prepared};
use hubctl_core::plan::{Plan, PlanOptions};
use hubctl_core::state::{Backend, State};
use hubctl_core::walk::Mode;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The outputs of the units done so far (planned or applied), by unit file.
#[derive(Default)]
pub(super) struct Done(pub(super) Mutex<HashMap<PathBuf, Value>>);

impl DependencyOutputs for Done {
    fn outputs(&self, unit: &Path) -> Option<Value> {
        self.0.lock().ok()?.get(unit).cloned()
    }
}

/// What a step gets: the unit file and the outputs of the units done so far.
pub(super) struct Unit<'a> {
    pub(super) ui: &'a Ui,
    pub(super) base: &'a Path,
    pub(super) path: PathBuf,
    pub(super) done: &'a dyn DependencyOutputs,
}

/// A unit ready to run: its configuration prepared from the working copy, its variables
/// and its own state backend; `mocks` once a plan needed them.
pub(super) struct Ready {
    pub(super) p: Prepared,
    pub(super) work: PathBuf,
    pub(super) vars: BTreeMap<String, Value>,
    pub(super) be: Arc<dyn Backend>,
    pub(super) mocks: Option<Mocks>,
}

/// Re-reads the unit with its dependencies' outputs, writes its working copy, loads it;
/// `warn`: the inputs the module does not declare are reported (once per unit and run).
pub(super) async fn prepare(u: &Unit<'_>, command: &str, warn: bool) -> Option<Ready> {
    let (ui, base) = (u.ui, u.base);
    let loader = Loader::new(Options {
        command,
        outputs: u.done,
        base,
        mocks: false,
    });
    let cfg = loader.unit(&u.path);
    let (sources, diags) = loader.finish();
    ui.diags(
        &if warn {
            diags.clone()
        } else {
            errors_only(&diags)
        },
        &sources,
    );
    let cfg = cfg.filter(|_| !diags.has_errors())?;
    let work = match working_copy(&cfg) {
        Ok(w) => w,
        Err(d) => {
            ui.diags(&d.into(), &sources);
            return None;
        }
    };
    let work = work.strip_prefix(base).unwrap_or(&work).to_path_buf();
    let (p, diags) = prepare_in(base, &work, &super::common::registry());
    let Some(p) = p else {
        let (config, _) = hubctl_core::config::load_in(base, &work);
        ui.diags(&diags, &config.sources);
        return None;
    };
    ui.diags(&diags, &p.config.sources);
    let vars = inputs_as_variables(&cfg, &p.config.root);
    if warn {
        let module = live::module_dir(&cfg).unwrap_or_else(|_| work.clone());
        let module = module.strip_prefix(base).unwrap_or(&module).to_path_buf();
        ui.diags(&undeclared_inputs(&cfg, &p.config.root, &module), &sources);
    }
    match backend(ui, &p.config, base, &work).await {
        Ok(be) => Some(Ready {
            p,
            work,
            vars,
            be,
            mocks: None,
        }),
        Err(d) => {
            ui.diags(&d, &p.config.sources);
            None
        }
    }
}

/// How a unit is planned.
#[derive(Clone, Copy)]
pub(super) struct How<'c> {
    pub(super) command: &'c str,
    pub(super) destroy: bool,
    pub(super) refresh: bool,
    pub(super) parallelism: usize,
    /// No refresh progress lines (the output is a report, e.g. JSON).
    pub(super) quiet: bool,
}

/// Plans the unit against `prior`. When the plan fails because a value that must be known
/// at plan time is not, it is made again with the dependencies' mocks for the inputs that
/// value reads (`unit_mocks`); the plan then carries them in `Plan::mocked`.
pub(super) async fn plan_checked(
    u: &Unit<'_>,
    r: &mut Ready,
    how: How<'_>,
    prior: &State,
    had: bool,
) -> (Plan, Diagnostics) {
    let walk = plan_walk_of(u.base, r, &how);
    let (plan, diags) = plan_walk(r, walk, prior.clone(), had, (how.refresh, how.quiet)).await;
    if !diags.has_errors() || how.destroy {
        return (plan, diags);
    }
    let root = &r.p.config.root;
    let Some((vars, mocks)) =
        with_mocks(u.base, &u.path, u.done, how.command, root, &diags, &r.vars)
    else {
        return (plan, diags);
    };
    r.vars = vars;
    let walk = plan_walk_of(u.base, r, &how);
    let (mut plan, diags) = plan_walk(r, walk, prior.clone(), had, (how.refresh, how.quiet)).await;
    plan.mocked = mocks.described();
    r.mocks = Some(mocks);
    (plan, diags)
}

fn plan_walk_of<'a>(base: &'a Path, r: &'a Ready, how: &How<'_>) -> Walk<'a> {
    Walk {
        base,
        dir: &r.work,
        mode: Mode::Plan,
        destroy: how.destroy,
        vars: r.vars.clone(),
        parallelism: how.parallelism,
        select: Default::default(),
    }
}

/// `(refresh, quiet)`: whether the objects are read, and whether that is not shown.
pub(super) async fn plan_walk(
    r: &Ready,
    walk: Walk<'_>,
    prior: State,
    had: bool,
    (refresh, quiet): (bool, bool),
) -> (Plan, Diagnostics) {
    let (run, moves) = make_run(&r.p, walk, prior);
    let observer: Arc<dyn hubctl_core::plan::Observer> = if quiet {
        Arc::new(hubctl_core::plan::Silent)
    } else {
        Arc::new(Progress::new(false))
    };
    let opts = PlanOptions {
        refresh,
        refresh_only: false,
        replace: Default::default(),
        imports: None,
        moves,
        observer,
    };
    make_plan(run, opts, r.p.config_hash.clone(), had).await
}

/// The outputs of the units `which` selects, from their states, dependencies first (a unit's backend may itself
/// depend on them); a unit that cannot be read is left out and fails later, when its turn
/// comes.
pub(super) async fn read_outputs(
    ui: &Ui,
    base: &Path,
    stack: &live::Stack,
    done: &Done,
    which: &dyn Fn(usize) -> bool,
) {
    for &i in stack.order.iter().filter(|&&i| which(i)) {
        let u = Unit {
            ui,
            base,
            path: stack.units[i].path.clone(),
            done,
        };
        let Some(r) = prepare(&u, "destroy", false).await else {
            continue;
        };
        if let Ok(Some(state)) = r.be.load().await {
            if let Ok(mut m) = done.0.lock() {
                m.insert(u.path.clone(), outputs_of(&state));
            }
        }
    }
}

/// A unit's outputs as planned (unknown where they wait for the apply): what its
/// dependents plan with.
pub(super) fn planned_outputs(plan: &Plan) -> Value {
    let outputs = plan
        .output_changes
        .iter()
        .map(|o| (o.name.clone(), o.after.clone().unwrap_or(Value::Null)));
    Value::object(outputs.collect::<Vec<_>>())
}

pub(super) fn outputs_of(s: &State) -> Value {
    let outputs = s.outputs.iter().map(|(k, o)| {
        let v = Value::from_json(&o.value);
        (k.clone(), if o.sensitive { v.sensitive() } else { v })
    });
    Value::object(outputs.collect::<Vec<_>>())
}
