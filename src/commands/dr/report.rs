//! What `dr check` and `dr rebuild` print: one block per unit for the check, a table of
//! phases with their times for the rebuild. Addresses and counts only, never values.

use super::check::{Health, LockRead, Objects, StateRead};
use hubctl_core::state::StateVersion;
use serde_json::{json, Value as J};
use std::fmt::Write;
use std::path::Path;
use std::time::Duration;

pub(super) fn check_text(dir: &Path, units: &[Health]) -> String {
    let mut out = String::new();
    for h in units {
        let _ = writeln!(out, "\n{}", h.name);
        let _ = writeln!(out, "  state     {}: {}", h.location, state_words(&h.state));
        let _ = writeln!(out, "  lock      {}", lock_words(&h.lock));
        let _ = writeln!(out, "  versions  {}", versions_words(h));
        let _ = writeln!(out, "  objects   {}", objects_words(h));
    }
    let _ = writeln!(out, "\n{}", verdict(dir, units));
    out
}

fn state_words(s: &StateRead) -> String {
    match s {
        StateRead::Readable { serial, resources } => {
            format!("readable, serial {serial}, {resources} objects")
        }
        StateRead::Absent => "no current state object".into(),
        StateRead::Unreadable(e) => format!("UNREADABLE: {}", first_line(e)),
    }
}

fn lock_words(l: &LockRead) -> String {
    match l {
        LockRead::Free => "free".into(),
        LockRead::Held(i) => match i.lease_seconds {
            Some(s) => format!(
                "HELD by {} ({}, ID {}, since {}) under a lease of {s} s: a rebuild waits for it to end, or to run out if that run is gone",
                i.who, i.operation, i.id, i.created
            ),
            None => format!(
                "HELD by {} ({}, ID {}, since {}); wait for it, or `hubctl force-unlock {}` once that run is gone",
                i.who, i.operation, i.id, i.created, i.id
            ),
        },
        LockRead::Unknown(e) => format!("UNKNOWN: {}", first_line(e)),
    }
}

fn versions_words(h: &Health) -> String {
    let versions = match &h.versions {
        Ok(v) if v.is_empty() => {
            return "none kept (enable bucket versioning to keep every serial)".into()
        }
        Ok(v) => v,
        Err(e) => return format!("cannot be listed: {}", first_line(e)),
    };
    let Some(good) = &h.last_good else {
        return format!(
            "{} kept, none readable: restore by hand (`hubctl state push`)",
            versions.len()
        );
    };
    let newer: Vec<&StateVersion> = versions
        .iter()
        .take_while(|v| v.version_id != good.version_id)
        .collect();
    let mut s = format!(
        "{} kept; last good {} (serial {}, {}, {} instances)",
        versions.len(),
        good.version_id,
        good.serial,
        good.modified,
        good.resources
    );
    if !newer.is_empty() {
        let ids: Vec<&str> = newer.iter().map(|v| v.version_id.as_str()).collect();
        let _ = write!(s, "; newer and unreadable: {}", ids.join(", "));
        // A version written by hubctl says how many instances it held: if more than the
        // good one, objects were recorded after it and a restore does not know them.
        if let Some(lost) = newer
            .iter()
            .map(|v| v.resources)
            .max()
            .filter(|n| *n > good.resources)
        {
            let _ = write!(
                s,
                " (it recorded {lost} instances: import the newer objects after the rebuild)"
            );
        }
    }
    s
}

fn objects_words(h: &Health) -> String {
    let Some(o) = &h.objects else {
        return "NOT CHECKED (see the errors above)".into();
    };
    let against = match h.to_restore() {
        Some(v) => format!(" (checked against version {})", v.version_id),
        None => String::new(),
    };
    let present = o.in_state - o.missing.len().min(o.in_state);
    let mut s = format!("{present} of {} exist{against}", o.in_state);
    if !o.missing.is_empty() {
        let _ = write!(s, "; missing: {}", o.missing.join(", "));
    }
    let _ = write!(s, "\n  rebuild   {}", plan_words(o));
    s
}

pub(super) fn plan_words(o: &Objects) -> String {
    if o.add + o.change + o.replace + o.destroy == 0 {
        return "nothing to do".into();
    }
    format!(
        "{} to add, {} to change, {} to replace, {} to destroy",
        o.add, o.change, o.replace, o.destroy
    )
}

fn verdict(dir: &Path, units: &[Health]) -> String {
    let restores = units.iter().filter(|h| h.to_restore().is_some()).count();
    let missing: usize = units
        .iter()
        .filter_map(|h| h.objects.as_ref())
        .map(|o| o.missing.len())
        .sum();
    let failed = units.iter().filter(|h| h.failed()).count();
    let head = format!(
        "Checked {} units: {restores} to restore, {missing} objects missing, {failed} not checkable.",
        units.len()
    );
    if failed > 0 {
        format!("{head} Fix those first (see above).")
    } else if units.iter().any(Health::needs_rebuild) {
        format!("{head} Run `hubctl dr rebuild {}`.", dir.display())
    } else {
        format!("{head} Healthy: nothing to rebuild.")
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

pub(super) fn check_json(dir: &Path, units: &[Health]) -> J {
    let units: Vec<J> = units.iter().map(unit_json).collect();
    json!({ "format_version": "1.0", "dir": dir.display().to_string(), "units": units })
}

fn unit_json(h: &Health) -> J {
    let (state, error) = match &h.state {
        StateRead::Readable { .. } => ("readable", None),
        StateRead::Absent => ("absent", None),
        StateRead::Unreadable(e) => ("unreadable", Some(e.clone())),
    };
    let lock = match &h.lock {
        LockRead::Free => json!({ "held": false }),
        LockRead::Held(i) => {
            json!({ "held": true, "id": i.id, "who": i.who, "operation": i.operation, "created": i.created })
        }
        LockRead::Unknown(e) => json!({ "held": null, "error": e }),
    };
    let version = |v: &StateVersion| json!({ "id": v.version_id, "serial": v.serial, "modified": v.modified, "instances": v.resources });
    let objects = h.objects.as_ref().map(|o| {
        json!({ "in_state": o.in_state, "missing": o.missing, "add": o.add, "change": o.change, "replace": o.replace, "destroy": o.destroy })
    });
    json!({
        "unit": h.name,
        "location": h.location,
        "state": state,
        "error": error,
        "lock": lock,
        "versions": h.versions.as_ref().map(Vec::len).ok(),
        "last_good": h.last_good.as_ref().map(version),
        "restore": h.to_restore().map(|v| v.version_id.clone()),
        "objects": objects,
        "needs_rebuild": h.needs_rebuild(),
        "failed": h.failed(),
    })
}

/// One phase of a rebuild: its name, how long it took, what it did.
pub(super) struct Phase {
    pub(super) name: &'static str,
    pub(super) took: Duration,
    pub(super) what: String,
    /// Indented lines under it (one per unit).
    pub(super) detail: Vec<String>,
}

pub(super) fn rebuild_text(dir: &Path, phases: &[Phase], total: Duration, ok: bool) -> String {
    let mut out = format!("\nRebuild report for {}\n", dir.display());
    let _ = writeln!(out, "  {:<9} {:>9}", "phase", "seconds");
    for p in phases {
        let _ = writeln!(
            out,
            "  {:<9} {:>9.3}  {}",
            p.name,
            p.took.as_secs_f64(),
            p.what
        );
        for d in &p.detail {
            let _ = writeln!(out, "      {d}");
        }
    }
    let verdict = if ok {
        "recovered: the time to recover on this run"
    } else {
        "NOT recovered: see the errors above, fix them and run the rebuild again (it resumes)"
    };
    let _ = writeln!(
        out,
        "  {:<9} {:>9.3}  {verdict}",
        "total",
        total.as_secs_f64()
    );
    out
}
