//! Renders a plan the way Terraform users read one: `+ ~ - -/+` per instance, nested
//! attribute diffs, `# forces replacement`, `(known after apply)`, `(sensitive value)`, and
//! the "Plan: X to add, Y to change, Z to destroy." summary.

use super::model::{path_steps, Action, OutputChange, Plan, Reason, ResourceChange};
use crate::lang::{Value, VecMap};
use std::fmt::Write;

#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn sym(&self, a: Action) -> String {
        let s = a.symbol();
        match a {
            Action::Create => self.paint("32", s),
            Action::Update => self.paint("33", s),
            Action::Delete => self.paint("31", s),
            Action::DeleteThenCreate | Action::CreateThenDelete => self.paint("35", s),
            Action::Read => self.paint("36", s),
            Action::NoOp => s.to_string(),
        }
    }
}

/// The whole plan, as `hubctl plan` prints it.
pub fn render_plan(plan: &Plan, style: Style) -> String {
    if plan.refresh_only {
        return render_refresh_only(plan, style);
    }
    let mut out = String::new();
    let changes = shown_changes(plan);
    let outputs: Vec<&OutputChange> = plan
        .output_changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    let refactored = !plan.moved.is_empty() || !plan.forgotten.is_empty();
    if changes.is_empty() && outputs.is_empty() && !refactored {
        out.push_str(&style.paint("1;32", "No changes."));
        out.push_str(" Your infrastructure matches the configuration.\n\n");
        out.push_str("hubctl has compared your real infrastructure against your configuration and found no differences, so no changes are needed.\n");
        return out;
    }
    render_refactors(&mut out, plan, style);
    if !changes.is_empty() {
        render_legend(&mut out, &changes, style);
        for c in &changes {
            render_change(&mut out, c, style);
            out.push('\n');
        }
    }
    render_summary(&mut out, plan, style);
    render_outputs(&mut out, &outputs, style);
    out
}

/// The changes worth a block: actions and imports (a data source's delete is only state
/// housekeeping, Terraform does not show it).
fn shown_changes(plan: &Plan) -> Vec<&ResourceChange> {
    plan.changes
        .iter()
        .filter(|c| {
            (c.action != Action::NoOp || c.importing.is_some())
                && !(c.mode == crate::state::Mode::Data && c.action == Action::Delete)
        })
        .collect()
}

/// `moved` and `removed` blocks: what is renamed or forgotten, before the actions.
fn render_refactors(out: &mut String, plan: &Plan, style: Style) {
    for (old, new) in &plan.moved {
        let _ = writeln!(
            out,
            "{}\n",
            style.paint("1", &format!("  # {old} has moved to {new}"))
        );
    }
    for a in &plan.forgotten {
        let _ = writeln!(out, "{}\n  # (removed block with destroy = false: the object stays, hubctl stops managing it)\n", style.paint("1", &format!("  # {a} will no longer be managed by hubctl")));
    }
}

/// The intro line and one line per action symbol the plan uses.
fn render_legend(out: &mut String, changes: &[&ResourceChange], style: Style) {
    let mut used: Vec<Action> = changes.iter().map(|c| c.action).collect();
    used.sort_by_key(|a| *a as u8);
    used.dedup();
    used.retain(|a| *a != Action::NoOp);
    if used.is_empty() {
        // Only imports: no symbols to explain.
        out.push_str("hubctl will perform the following actions:\n");
    } else {
        out.push_str("hubctl will perform the following actions. Resource actions are indicated with the following symbols:\n");
    }
    for a in used {
        let what = match a {
            Action::Create => "create",
            Action::Update => "update in-place",
            Action::Delete => "destroy",
            Action::DeleteThenCreate => "destroy and then create replacement",
            Action::CreateThenDelete => "create replacement and then destroy",
            Action::Read => "read (data resources)",
            Action::NoOp => continue,
        };
        let _ = writeln!(out, "  {:>3} {what}", style.sym(a));
    }
    out.push('\n');
}

/// "Plan: X to add, Y to change, Z to destroy." (with the imports first when there are any).
fn render_summary(out: &mut String, plan: &Plan, style: Style) {
    let s = plan.summary();
    let imports = if s.import > 0 {
        format!("{} to import, ", s.import)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{} {imports}{} to add, {} to change, {} to destroy.",
        style.paint("1", "Plan:"),
        s.add,
        s.change,
        s.destroy
    );
}

/// `-refresh-only`: what changed outside hubctl, and that applying only records it (the
/// words are Terraform's).
fn render_refresh_only(plan: &Plan, style: Style) -> String {
    let mut out = String::new();
    let outputs: Vec<&OutputChange> = plan
        .output_changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    if plan.drift.is_empty() && outputs.is_empty() {
        out.push_str(&style.paint("1;32", "No changes."));
        out.push_str(" Your infrastructure still matches the configuration.\n\n");
        out.push_str("hubctl has checked that the real remote objects still match the result of your most recent changes, and found no differences.\n");
        return out;
    }
    if !plan.drift.is_empty() {
        out.push_str(&style.paint("1", "Objects have changed outside of hubctl"));
        out.push_str("\n\nhubctl detected the following changes made outside of hubctl since the last \"hubctl apply\" which may have affected this plan:\n\n");
        for c in &plan.drift {
            render_change(&mut out, c, style);
            out.push('\n');
        }
        out.push_str("This is a refresh-only plan, so hubctl will not take any actions to undo these. If you were expecting these changes then you can apply this plan to record the updated values in the hubctl state without changing any remote objects.\n");
    }
    render_outputs(&mut out, &outputs, style);
    out
}

fn render_outputs(out: &mut String, outputs: &[&OutputChange], style: Style) {
    if !outputs.is_empty() {
        out.push_str("\nChanges to Outputs:\n");
        for o in outputs {
            let before = o.before.as_ref().map(|v| fmt_value(v, 4, o.sensitive));
            let after = o.after.as_ref().map(|v| fmt_value(v, 4, o.sensitive));
            let line = match (before, after) {
                (Some(b), Some(a)) => format!("{b} -> {a}"),
                (None, Some(a)) => a,
                (Some(b), None) => format!("{b} -> null"),
                (None, None) => String::new(),
            };
            let _ = writeln!(out, "  {} {} = {}", style.sym(o.action), o.name, line);
        }
    }
}

fn header(c: &ResourceChange) -> String {
    let what = match c.action {
        Action::Create => "will be created",
        Action::Update => "will be updated in-place",
        Action::Delete => "will be destroyed",
        Action::DeleteThenCreate | Action::CreateThenDelete => "must be replaced",
        Action::Read => "will be read during apply",
        Action::NoOp => "has no changes",
    };
    let what = match (&c.importing, c.action, c.reason) {
        (Some(_), Action::NoOp, _) => "will be imported",
        (_, a, Some(Reason::Triggers)) if a.is_replace() => {
            "will be replaced due to changes in replace_triggered_by"
        }
        (_, a, Some(Reason::ByRequest)) if a.is_replace() => "will be replaced, as requested",
        (_, Action::Update, Some(Reason::Drift)) => "has changed",
        (_, Action::Delete, Some(Reason::Drift)) => "has been deleted",
        _ => what,
    };
    let mut h = format!("  # {} {what}", c.address);
    if let (Some(i), false) = (&c.importing, c.action == Action::NoOp) {
        let _ = write!(h, "\n  # (imported from \"{}\")", i.id);
    }
    if let Some(r) = c.reason.and_then(Reason::words) {
        let _ = write!(h, "\n  # (because {r})");
    }
    h
}

fn render_change(out: &mut String, c: &ResourceChange, style: Style) {
    render_block_open(out, c, style);
    let before = c.before.as_ref().unwrap_or(&Value::Null);
    let after = c.after.as_ref().unwrap_or(&Value::Null);
    let (bm, am) = (before.as_map(), after.as_map());
    // Attributes null on both sides are not shown, and do not widen the `=` column.
    let keys: Vec<&String> = bm
        .into_iter()
        .flat_map(|m| m.keys())
        .chain(am.into_iter().flat_map(|m| m.keys()))
        .collect::<std::collections::BTreeSet<&String>>()
        .into_iter()
        .filter(|k| !(get(bm, k).is_null() && get(am, k).is_null()))
        .collect();
    let width = keys.iter().map(|k| k.len()).max().unwrap_or(0);
    let mut hidden = 0;
    for k in keys {
        let (b, a) = (get(bm, k), get(am, k));
        let suffix = if forces_replacement(c, k) {
            style.paint("31", " # forces replacement")
        } else {
            String::new()
        };
        match c.action {
            Action::Create | Action::Read => {
                let _ = writeln!(
                    out,
                    "      {} {:width$} = {}{suffix}",
                    style.sym(Action::Create),
                    k,
                    fmt_value(a, 8, false)
                );
            }
            Action::Delete => {
                let _ = writeln!(
                    out,
                    "      {} {:width$} = {} -> null{suffix}",
                    style.sym(Action::Delete),
                    k,
                    fmt_value(b, 8, false)
                );
            }
            _ if super::diff::same(a, b) => hidden += 1,
            _ => attr_diff(out, 6, k, width, b, a, &suffix, style),
        }
    }
    if hidden > 0 {
        let _ = writeln!(
            out,
            "        # ({hidden} unchanged attribute{} hidden)",
            if hidden == 1 { "" } else { "s" }
        );
    }
    out.push_str("    }\n");
}

/// Attribute `k` of an object, null when there is no object or no such key.
fn get<'v>(m: Option<&'v VecMap<String, Value>>, k: &str) -> &'v Value {
    m.and_then(|m| m.get(k)).unwrap_or(&Value::Null)
}

/// The `# address will be ...` comment and the `+ resource "type" "name" {` line.
fn render_block_open(out: &mut String, c: &ResourceChange, style: Style) {
    out.push_str(&style.paint("1", &header(c)));
    out.push('\n');
    let name = c.resource.rsplit('.').next().unwrap_or("");
    let kind = if c.mode == crate::state::Mode::Data {
        "data"
    } else {
        "resource"
    };
    let _ = writeln!(
        out,
        "{:>3} {kind} \"{}\" \"{}\" {{",
        style.sym(c.action),
        c.type_name,
        name
    );
}

/// Whether a change to top-level attribute `k` is what forces the replacement.
fn forces_replacement(c: &ResourceChange, k: &str) -> bool {
    c.replace_paths
        .iter()
        .any(|p| path_steps(p).first() == Some(&serde_json::json!(k)))
}

/// One changed attribute at column `indent`; objects on both sides diff key by key.
#[allow(clippy::too_many_arguments)]
fn attr_diff(
    out: &mut String,
    indent: usize,
    k: &str,
    width: usize,
    b: &Value,
    a: &Value,
    suffix: &str,
    style: Style,
) {
    let pad = " ".repeat(indent);
    let close = indent + 2;
    match (b, a) {
        (Value::Map(bm) | Value::Object(bm), Value::Map(am) | Value::Object(am)) => {
            let _ = writeln!(
                out,
                "{pad}{} {:width$} = {{{suffix}",
                style.sym(Action::Update),
                key_text(k)
            );
            object_diff(out, indent, bm, am, style);
            let _ = writeln!(out, "{}}}", " ".repeat(close));
        }
        _ if b.is_null() => {
            let _ = writeln!(
                out,
                "{pad}{} {:width$} = {}{suffix}",
                style.sym(Action::Create),
                key_text(k),
                fmt_value(a, close, false)
            );
        }
        _ if a.is_null() => {
            let _ = writeln!(
                out,
                "{pad}{} {:width$} = {} -> null{suffix}",
                style.sym(Action::Delete),
                key_text(k),
                fmt_value(b, close, false)
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "{pad}{} {:width$} = {} -> {}{suffix}",
                style.sym(Action::Update),
                key_text(k),
                fmt_value(b, close, false),
                fmt_value(a, close, false)
            );
        }
    }
}

/// The lines inside a changed object (opened at column `indent`): added, removed and
/// changed keys, and a count of the unchanged ones.
fn object_diff(
    out: &mut String,
    indent: usize,
    bm: &VecMap<String, Value>,
    am: &VecMap<String, Value>,
    style: Style,
) {
    let pad = " ".repeat(indent);
    let close = indent + 2;
    let keys: std::collections::BTreeSet<&String> = bm.keys().chain(am.keys()).collect();
    let w = keys.iter().map(|k| key_text(k).len()).max().unwrap_or(0);
    let mut hidden = 0;
    for key in keys {
        let (x, y) = (
            bm.get(key).unwrap_or(&Value::Null),
            am.get(key).unwrap_or(&Value::Null),
        );
        if super::diff::same(x, y) {
            hidden += 1;
        } else if x.is_null() {
            let _ = writeln!(
                out,
                "{pad}    {} {:w$} = {}",
                style.sym(Action::Create),
                key_text(key),
                fmt_value(y, close + 4, false)
            );
        } else if y.is_null() {
            let _ = writeln!(
                out,
                "{pad}    {} {:w$} = {} -> null",
                style.sym(Action::Delete),
                key_text(key),
                fmt_value(x, close + 4, false)
            );
        } else {
            attr_diff(out, indent + 4, key, w, x, y, "", style);
        }
    }
    if hidden > 0 {
        let _ = writeln!(
            out,
            "{pad}      # ({hidden} unchanged element{} hidden)",
            if hidden == 1 { "" } else { "s" }
        );
    }
}

/// A value in HCL-like notation, multi-line for collections (elements at `close + 2`, the
/// closing bracket at column `close`), secrets and unknowns redacted.
pub fn fmt_value(v: &Value, close: usize, sensitive: bool) -> String {
    let nested = |x: &Value| fmt_value(x, close + 2, false);
    if sensitive {
        return "(sensitive value)".into();
    }
    match v {
        Value::Sensitive(_) => "(sensitive value)".into(),
        Value::Ephemeral(x) if x.is_sensitive() => "(sensitive value)".into(),
        Value::Ephemeral(_) => "(ephemeral value)".into(),
        Value::Unknown(_) => "(known after apply)".into(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.contains('\n') => {
            let pad = " ".repeat(close + 2);
            let mut out = String::from("<<-EOT\n");
            for l in s.lines() {
                let _ = writeln!(out, "{pad}{l}");
            }
            let _ = write!(out, "{}EOT", " ".repeat(close));
            out
        }
        Value::String(s) => serde_json::Value::String(s.clone()).to_string(),
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            if xs.is_empty() {
                return "[]".into();
            }
            let pad = " ".repeat(close + 2);
            let mut out = String::from("[\n");
            for x in xs {
                let _ = writeln!(out, "{pad}{},", nested(x));
            }
            let _ = write!(out, "{}]", " ".repeat(close));
            out
        }
        Value::Map(m) | Value::Object(m) => {
            if m.is_empty() {
                return "{}".into();
            }
            let pad = " ".repeat(close + 2);
            let w = m.keys().map(|k| key_text(k).len()).max().unwrap_or(0);
            let mut out = String::from("{\n");
            for (k, x) in m {
                let _ = writeln!(out, "{pad}{:w$} = {}", key_text(k), nested(x));
            }
            let _ = write!(out, "{}}}", " ".repeat(close));
            out
        }
    }
}

fn key_text(k: &str) -> String {
    let ident = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !k.starts_with(|c: char| c.is_ascii_digit());
    if ident {
        k.to_string()
    } else {
        serde_json::Value::String(k.to_string()).to_string()
    }
}

/// One `resource_changes` (or `resource_drift`) entry: before/after with unknowns and secrets
/// as null and their places in the masks.
fn change_json(c: &ResourceChange) -> serde_json::Value {
    serde_json::json!({
        "address": c.address,
        "mode": if c.mode == crate::state::Mode::Data { "data" } else { "managed" },
        "type": c.type_name,
        "name": c.resource.rsplit('.').next().unwrap_or(""),
        "provider_name": c.provider,
        "change": {
            "actions": c.action.json_actions(),
            "before": c.before.as_ref().map(safe_json),
            "after": c.after.as_ref().map(safe_json),
            "after_unknown": c.after.as_ref().map(|v| mask(v, &|v| v.is_unknown())),
            "before_sensitive": c.before.as_ref().map(|v| mask(v, &Value::is_sensitive)),
            "after_sensitive": c.after.as_ref().map(|v| mask(v, &Value::is_sensitive)),
            "replace_paths": c.replace_paths.iter().map(|p| path_steps(p.as_str())).collect::<Vec<_>>(),
        },
        "action_reason": c.reason.and_then(Reason::json),
    })
}

/// Terraform-style JSON of a plan (`plan --json`): `resource_changes` with `before`,
/// `after`, `after_unknown`, `before_sensitive`/`after_sensitive`; secrets never included.
pub fn plan_json(plan: &Plan) -> serde_json::Value {
    use serde_json::json;
    let moved_from: std::collections::HashMap<&str, &str> = plan
        .moved
        .iter()
        .map(|(old, new)| (new.as_str(), old.as_str()))
        .collect();
    let mut rc: Vec<_> = plan
        .changes
        .iter()
        .map(|c| {
            let mut entry = change_json(c);
            // Terraform's marker of a `moved` block at work.
            if let Some(old) = moved_from.get(c.address.as_str()) {
                entry["previous_address"] = json!(old);
            }
            if let (Some(i), Some(ch)) = (&c.importing, entry.get_mut("change")) {
                ch["importing"] = json!({ "id": i.id });
            }
            entry
        })
        .collect();
    // `removed` blocks with destroy = false: Terraform 1.7's "forget" action.
    rc.extend(plan.forgotten.iter().map(|a| {
        json!({"address": a, "mode": "managed", "change": {"actions": ["forget"]},
               "action_reason": Reason::NoResourceConfig.json()})
    }));
    let oc: serde_json::Map<String, serde_json::Value> = plan
        .output_changes
        .iter()
        .map(|o| {
            let v = |x: &Option<Value>| if o.sensitive { serde_json::Value::Null } else { x.as_ref().map(safe_json).unwrap_or_default() };
            (
                o.name.clone(),
                json!({"actions": o.action.json_actions(), "before": v(&o.before), "after": v(&o.after),
                       "after_unknown": o.after.as_ref().is_some_and(|a| a.is_unknown()), "sensitive": o.sensitive}),
            )
        })
        .collect();
    let drift: Vec<serde_json::Value> = plan.drift.iter().map(change_json).collect();
    let s = plan.summary();
    let mut out = json!({
        "resource_drift": drift,
        "format_version": "1.2",
        "hubctl_version": plan.hubctl_version,
        "timestamp": plan.timestamp,
        "resource_changes": rc,
        "output_changes": oc,
        "summary": {"import": s.import, "add": s.add, "change": s.change, "destroy": s.destroy, "read": s.read},
        "errored": plan.errored,
    });
    // Terraform's key, present when the configuration has check blocks.
    if !plan.checks.is_empty() {
        out["checks"] = super::check_blocks::checks_json(&plan.checks);
    }
    out
}

/// JSON with unknowns and secrets as null (their places are given by the masks).
fn safe_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Sensitive(_) | Value::Ephemeral(_) | Value::Unknown(_) => serde_json::Value::Null,
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            serde_json::Value::Array(xs.iter().map(safe_json).collect())
        }
        Value::Map(m) | Value::Object(m) => {
            serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), safe_json(v))).collect())
        }
        v => v.to_json(),
    }
}

/// `true` where `pred` holds, mirrored into collections; `false` elsewhere.
fn mask(v: &Value, pred: &dyn Fn(&Value) -> bool) -> serde_json::Value {
    if pred(v) {
        return serde_json::Value::Bool(true);
    }
    match v {
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            serde_json::Value::Array(xs.iter().map(|x| mask(x, pred)).collect())
        }
        Value::Map(m) | Value::Object(m) => {
            serde_json::Value::Object(m.iter().map(|(k, x)| (k.clone(), mask(x, pred))).collect())
        }
        _ => serde_json::Value::Bool(false),
    }
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
