//! `hubctl dr rebuild DIR`, in four timed phases:
//! - check: every unit's health (`dr check`), refused when a state is lost for good or a
//!   live run holds a lock;
//! - restore: each unreadable (or deleted) state back to its last good version, or to the
//!   version `--restore UNIT=VERSION` names, under the unit's lock;
//! - converge: `apply --all` as one graph (refresh, re-create what is missing in dependency
//!   order, re-point what reads it: a new cluster's OIDC issuer reaches the IRSA trust
//!   policies and the ArgoCD cluster secrets through the same graph), destroys refused;
//! - verify: `plan --all`, which must find no changes: every object read back matches.
//!
//! Every phase starts from what is stored, so a rebuild cut off anywhere is resumed by
//! running it again: restored states stay restored, and the apply resumes from its journal.

use super::check::{check_all, Health, Reading, StateRead};
use super::report::{self, Phase};
use crate::args::{ApplyArgs, DrRebuildArgs, PlanArgs, TargetArgs, VarArgs};
use crate::commands::apply_all::{run_with, Policy, Timing};
use crate::commands::common::{with_lock, ERROR, OK};
use crate::commands::stack::shown;
use crate::views::{Confirm, Ui};
use hubctl_core::diag::{Diagnostic, Diagnostics, SourceMap};
use std::path::Path;
use std::time::Instant;

pub async fn run(ui: &Ui, base: &Path, a: DrRebuildArgs) -> u8 {
    let started = Instant::now();
    let mut phases = Vec::new();
    let t = Instant::now();
    let reading = Reading {
        parallelism: a.parallelism,
        quiet: false,
    };
    let Some(units) = check_all(ui, base, &a.dir, &a.queue, reading).await else {
        return ERROR;
    };
    ui.out(report::check_text(&a.dir, &units));
    let restores = match chosen_restores(&units, &a.restore) {
        Ok(r) => r,
        Err(d) => {
            ui.diags(&d, &SourceMap::new());
            return ERROR;
        }
    };
    let missing: usize = units
        .iter()
        .filter_map(|h| h.objects.as_ref())
        .map(|o| o.missing.len())
        .sum();
    phases.push(Phase {
        name: "check",
        took: t.elapsed(),
        what: format!(
            "{} units: {} states to restore, {missing} objects missing",
            units.len(),
            restores.len()
        ),
        detail: Vec::new(),
    });
    if !a.auto_approve && !ui.confirm(confirm(a.input)) {
        return ERROR;
    }
    // A lock held under a lease (a run cut off, a rebuild among them) ends or runs out:
    // wait that long for it, and a little more.
    let mut a = a;
    if let Some(lease) = units.iter().filter_map(Health::lease).max() {
        let wait = lease + std::time::Duration::from_secs(5);
        a.lock.lock_timeout = a.lock.lock_timeout.max(wait);
    }
    let a = &a;
    let (ok, phase) = restore(ui, a, &units, &restores).await;
    phases.push(phase);
    let mut ok = ok && {
        let (ok, phase) = converge(ui, base, a).await;
        phases.push(phase);
        ok
    };
    if ok {
        let (verified, phase) = verify(ui, base, a).await;
        phases.push(phase);
        ok = verified;
    }
    ui.out(report::rebuild_text(&a.dir, &phases, started.elapsed(), ok));
    if ok {
        OK
    } else {
        ERROR
    }
}

fn confirm(input: bool) -> Confirm<'static> {
    Confirm {
        question: "Do you want to rebuild these units?",
        detail: Some(
            "hubctl will restore the states listed, apply every unit as one graph (nothing is \
             destroyed), then plan again to verify.",
        ),
        command: "hubctl dr rebuild",
        cancelled: "Rebuild cancelled.",
        input,
    }
}

/// The unit index and version of every restore: the ones the check calls for, and the ones
/// asked for with `--restore UNIT=VERSION`. Refused when a state is lost for good, when a
/// live run holds a lock, or when a `--restore` names no unit.
fn chosen_restores(
    units: &[Health],
    asked: &[String],
) -> Result<Vec<(usize, String)>, Diagnostics> {
    let mut errors = Vec::new();
    for h in units {
        let lost = matches!(h.state, StateRead::Unreadable(_)) && h.last_good.is_none();
        if lost {
            errors.push(Diagnostic::error(format!("The state of {} is lost", h.name)).detail(format!("{} cannot be read and no stored version can either. Restore it by hand (`hubctl state push` of a backup) before rebuilding.", h.location)));
        }
        if h.lock_blocks() {
            errors.push(Diagnostic::error(format!("The state lock of {} is not free", h.name)).detail("A rebuild needs every unit's lock, and this one has no lease that runs out (see the check above). Wait for its run to end, or release a dead run's lock with `hubctl force-unlock`."));
        }
    }
    let mut out: Vec<(usize, String)> = units
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.to_restore().map(|v| (i, v.version_id.clone())))
        .collect();
    for r in asked {
        let Some((unit, version)) = r.split_once('=') else {
            errors.push(Diagnostic::error("Invalid --restore").detail(format!(
                "{r:?} is not UNIT=VERSION (e.g. live/staging/eks=3HL4kqtJlcpXroDTDmJ)"
            )));
            continue;
        };
        let unit = unit.trim_end_matches('/');
        match units.iter().position(|h| h.name == unit) {
            Some(i) => {
                out.retain(|(j, _)| *j != i);
                out.push((i, version.to_string()));
            }
            None => {
                let names: Vec<&str> = units.iter().map(|h| h.name.as_str()).collect();
                errors.push(Diagnostic::error("Invalid --restore").detail(format!(
                    "No unit {unit} in this rebuild; the units are: {}.",
                    names.join(", ")
                )));
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Diagnostics(errors))
    }
}

/// Restores each chosen version under the unit's lock.
async fn restore(
    ui: &Ui,
    a: &DrRebuildArgs,
    units: &[Health],
    restores: &[(usize, String)],
) -> (bool, Phase) {
    let t = Instant::now();
    let mut detail = Vec::new();
    let mut ok = true;
    for (i, version) in restores {
        let h = &units[*i];
        let done = with_lock(ui, &h.be, &a.lock, "dr rebuild", || {
            h.be.restore_version(version)
        })
        .await;
        match done {
            Some(Ok(s)) => detail.push(format!(
                "{}: version {version} restored as serial {} ({} instances)",
                h.name,
                s.serial,
                s.resources.len()
            )),
            Some(Err(e)) => {
                ui.diags(
                    &Diagnostic::error(format!("Failed to restore the state of {}", h.name))
                        .detail(e.to_string())
                        .into(),
                    &SourceMap::new(),
                );
                ok = false;
            }
            None => ok = false,
        }
    }
    let what = match restores.len() {
        0 => "every state readable: nothing restored".to_string(),
        n => format!("{n} states restored"),
    };
    (
        ok,
        Phase {
            name: "restore",
            took: t.elapsed(),
            what,
            detail,
        },
    )
}

/// `apply --all` of the environment, destroys refused unless allowed.
async fn converge(ui: &Ui, base: &Path, a: &DrRebuildArgs) -> (bool, Phase) {
    let t = Instant::now();
    let args = ApplyArgs::all_units(
        a.dir.clone(),
        a.queue.clone(),
        a.lock.clone(),
        a.parallelism,
    );
    let policy = Policy {
        refuse_deletes: !a.allow_destroy,
        saved: None,
    };
    let (code, timings) = run_with(ui, base, args, &policy).await;
    let detail = timings
        .iter()
        .map(|(unit, t)| timing_line(base, unit, t))
        .collect();
    let (mut add, mut change, mut destroy) = (0, 0, 0);
    for (_, t) in &timings {
        (add, change, destroy) = (
            add + t.summary.add,
            change + t.summary.change,
            destroy + t.summary.destroy,
        );
    }
    let what = format!("{} units applied as one graph: {add} added, {change} changed, {destroy} destroyed (replacements count in both)", timings.len());
    (
        code == OK,
        Phase {
            name: "converge",
            took: t.elapsed(),
            what,
            detail,
        },
    )
}

fn timing_line(base: &Path, unit: &Path, t: &Timing) -> String {
    let at = |d: Option<std::time::Duration>| {
        d.map_or("-".to_string(), |d| format!("{:.3} s", d.as_secs_f64()))
    };
    let s = &t.summary;
    format!(
        "{:<28} planned at {:>9}, applied at {:>9}: +{} ~{} -{}",
        shown(base, unit),
        at(t.planned),
        at(t.applied),
        s.add,
        s.change,
        s.destroy
    )
}

/// `plan --all --detailed-exitcode`: 0 means every object was read back and matches.
async fn verify(ui: &Ui, base: &Path, a: &DrRebuildArgs) -> (bool, Phase) {
    let t = Instant::now();
    let args = PlanArgs {
        dir: a.dir.clone(),
        all: true,
        out: None,
        detailed_exitcode: true,
        json: false,
        markdown: None,
        destroy: false,
        replace: Vec::new(),
        select: TargetArgs::default(),
        refresh_only: false,
        refresh: true,
        parallelism: a.parallelism,
        vars: VarArgs::default(),
        queue: a.queue.clone(),
        lock: a.lock.clone(),
        drift_report: false,
    };
    let code = crate::commands::run_all::run(ui, base, args).await;
    let what = match code {
        OK => "no changes: every object read back and matches the configuration".to_string(),
        2 => "CHANGES REMAIN after the rebuild (see the plan above)".to_string(),
        _ => "the verifying plan failed (see the errors above)".to_string(),
    };
    (
        code == OK,
        Phase {
            name: "verify",
            took: t.elapsed(),
            what,
            detail: Vec::new(),
        },
    )
}
