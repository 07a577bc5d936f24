//! `hubctl dr check DIR`: each unit's health, read without changing anything. A state that
//! cannot be read (or was deleted) is checked against its last good stored version, so the
//! check still says which objects exist and which a rebuild must re-create.

use super::report;
use crate::args::DrCheckArgs;
use crate::commands::common::{CHANGES, ERROR, OK};
use crate::commands::run_all::checked_stack;
use crate::commands::stack::shown;
use crate::commands::unit::{outputs_of, plan_checked, prepare, Done, How, Unit};
use crate::views::Ui;
use hubctl_core::plan::{Action, Plan, Reason};
use hubctl_core::state::{Backend, LockInfo, Mode, State, StateError, StateVersion};
use std::path::Path;
use std::sync::Arc;

/// What a unit's state backend holds now.
pub(super) enum StateRead {
    Readable {
        serial: u64,
        resources: usize,
    },
    /// No current object: never applied, or deleted (then a stored version is the way back).
    Absent,
    Unreadable(String),
}

/// Whether another run holds the unit's lock.
pub(super) enum LockRead {
    Free,
    Held(Box<LockInfo>),
    Unknown(String),
}

/// What a unit's plan against its (last good) state says about the objects behind it.
pub(super) struct Objects {
    pub(super) in_state: usize,
    /// Objects in the state that the refresh found gone.
    pub(super) missing: Vec<String>,
    pub(super) add: usize,
    pub(super) change: usize,
    pub(super) replace: usize,
    pub(super) destroy: usize,
}

/// One unit's health.
pub(super) struct Health {
    pub(super) name: String,
    pub(super) location: String,
    pub(super) be: Arc<dyn Backend>,
    pub(super) state: StateRead,
    pub(super) lock: LockRead,
    /// The stored versions, newest first (an error when they cannot be listed).
    pub(super) versions: Result<Vec<StateVersion>, String>,
    /// The newest version that opens: the current one when the state is readable.
    pub(super) last_good: Option<StateVersion>,
    /// None when the unit could not be planned (its errors were shown).
    pub(super) objects: Option<Objects>,
}

impl Health {
    /// The version a rebuild restores: the last good one, when the current state is not
    /// readable but a stored version is.
    pub(super) fn to_restore(&self) -> Option<&StateVersion> {
        match self.state {
            StateRead::Readable { .. } => None,
            _ => self.last_good.as_ref(),
        }
    }

    /// Whether the check could not tell, or found something a rebuild cannot fix by itself
    /// (a lock held under a lease is not: it ends, or runs out and is taken over).
    pub(super) fn failed(&self) -> bool {
        let lost = matches!(self.state, StateRead::Unreadable(_)) && self.last_good.is_none();
        lost || self.objects.is_none() || self.lock_blocks()
    }

    /// Whether the lock is held without a lease (only `force-unlock` frees it), or unknown.
    pub(super) fn lock_blocks(&self) -> bool {
        match &self.lock {
            LockRead::Free => false,
            LockRead::Held(i) => i.lease_seconds.is_none(),
            LockRead::Unknown(_) => true,
        }
    }

    /// How long the lease of a held lock lasts unrenewed.
    pub(super) fn lease(&self) -> Option<std::time::Duration> {
        match &self.lock {
            LockRead::Held(i) => i.lease_seconds.map(std::time::Duration::from_secs),
            _ => None,
        }
    }

    /// Whether a rebuild has work to do here.
    pub(super) fn needs_rebuild(&self) -> bool {
        self.to_restore().is_some()
            || self
                .objects
                .as_ref()
                .is_some_and(|o| o.add + o.change + o.replace + o.destroy > 0)
    }
}

/// How the units are read: operations in parallel at most, and whether the refresh is shown.
#[derive(Clone, Copy)]
pub(super) struct Reading {
    pub(super) parallelism: usize,
    pub(super) quiet: bool,
}

pub async fn run(ui: &Ui, base: &Path, a: DrCheckArgs) -> u8 {
    let reading = Reading {
        parallelism: a.parallelism,
        quiet: a.json,
    };
    let Some(units) = check_all(ui, base, &a.dir, &a.queue, reading).await else {
        return ERROR;
    };
    if a.json {
        ui.json(&report::check_json(&a.dir, &units));
    } else {
        ui.out(report::check_text(&a.dir, &units));
    }
    if units.iter().any(Health::failed) {
        ERROR
    } else if units.iter().any(Health::needs_rebuild) {
        CHANGES
    } else {
        OK
    }
}

/// Every selected unit's health, dependencies first (a unit's inputs read its dependencies'
/// outputs as stored, from the last good version where the current state is unreadable).
pub(super) async fn check_all(
    ui: &Ui,
    base: &Path,
    dir: &Path,
    queue: &crate::args::QueueArgs,
    c: Reading,
) -> Option<Vec<Health>> {
    let (filter, stack) = checked_stack(ui, base, dir, queue, true)?;
    let done = Done::default();
    let mut out = Vec::new();
    for &i in &stack.order {
        let path = stack.units[i].path.clone();
        let name = shown(base, &path);
        if filter.excluded(&name) {
            continue;
        }
        let u = Unit {
            ui,
            base,
            path,
            done: &done,
        };
        if let Some(h) = check_unit(&u, name, c, &done).await {
            out.push(h);
        }
    }
    Some(out)
}

async fn check_unit(u: &Unit<'_>, name: String, c: Reading, done: &Done) -> Option<Health> {
    let mut r = prepare(u, "plan", false).await?;
    let be = r.be.clone();
    let (state, current) = match be.load().await {
        Ok(Some(s)) => (
            StateRead::Readable {
                serial: s.serial,
                resources: managed(&s),
            },
            Some(s),
        ),
        Ok(None) => (StateRead::Absent, None),
        Err(e) => (StateRead::Unreadable(e.to_string()), None),
    };
    let versions = be.history().await.map_err(|e| e.to_string());
    let (last_good, prior) = match current {
        Some(s) => (
            versions.as_ref().ok().and_then(|v| v.first().cloned()),
            Some(s),
        ),
        None => newest_readable(&be, versions.as_deref().unwrap_or_default()).await,
    };
    let lock = probe_lock(&be).await;
    let lost = matches!(state, StateRead::Unreadable(_)) && prior.is_none();
    let had = prior.is_some();
    let prior = prior.unwrap_or_else(State::new);
    if let Ok(mut m) = done.0.lock() {
        m.insert(u.path.clone(), outputs_of(&prior));
    }
    let objects = if lost {
        None
    } else {
        let how = How {
            command: "plan",
            destroy: false,
            refresh: true,
            parallelism: c.parallelism,
            quiet: c.quiet,
        };
        let (plan, diags) = plan_checked(u, &mut r, how, &prior, had).await;
        u.ui.diags(&diags, &r.p.config.sources);
        (!diags.has_errors() && r.mocks.is_none()).then(|| objects_of(&plan, &prior))
    };
    Some(Health {
        name,
        location: be.describe(),
        be,
        state,
        lock,
        versions,
        last_good,
        objects,
    })
}

/// The newest stored version that opens, with its state.
async fn newest_readable(
    be: &Arc<dyn Backend>,
    versions: &[StateVersion],
) -> (Option<StateVersion>, Option<State>) {
    for v in versions.iter().filter(|v| v.unreadable.is_none()) {
        if let Ok(s) = be.load_version(&v.version_id).await {
            return (Some(v.clone()), Some(s));
        }
    }
    (None, None)
}

/// Takes the lock and gives it back at once: free, or who holds it.
async fn probe_lock(be: &Arc<dyn Backend>) -> LockRead {
    match be.lock(LockInfo::new("dr check", &be.describe())).await {
        Ok(info) => match be.unlock(&info.id).await {
            Ok(()) => LockRead::Free,
            Err(e) => LockRead::Unknown(format!("taken, then not released: {e}")),
        },
        Err(StateError::Locked(held)) => LockRead::Held(Box::new(held)),
        Err(e) => LockRead::Unknown(e.to_string()),
    }
}

/// How many managed objects `s` records.
fn managed(s: &State) -> usize {
    s.resources
        .values()
        .filter(|r| r.mode == Mode::Managed)
        .count()
}

fn objects_of(plan: &Plan, prior: &State) -> Objects {
    let mut o = Objects {
        in_state: managed(prior),
        missing: Vec::new(),
        add: 0,
        change: 0,
        replace: 0,
        destroy: 0,
    };
    for c in plan.changes.iter().filter(|c| c.mode == Mode::Managed) {
        if c.reason == Some(Reason::DeletedOutside) {
            o.missing.push(c.address.clone());
        }
        match c.action {
            Action::Create => o.add += 1,
            Action::Update => o.change += 1,
            Action::DeleteThenCreate | Action::CreateThenDelete => o.replace += 1,
            Action::Delete => o.destroy += 1,
            Action::NoOp | Action::Read => {}
        }
    }
    o
}
