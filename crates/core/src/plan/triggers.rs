//! `lifecycle { replace_triggered_by = [...] }` at plan time (Terraform's `replaceTriggered`):
//! an instance is replaced when a referenced resource instance is planned for update or
//! replacement, or, for a reference with an attribute, when that attribute's planned value
//! differs from its prior one. A create (or delete) of the referenced instance triggers
//! nothing.
//!
//! The graph orders every resource after the resources its triggers name; the plan step
//! keeps each node's changes in a write-once cell ([`PlanStep::changes`]), which the
//! dependent reads.

use super::diff::same;
use super::expand::Instance;
use super::model::{Action, ResourceChange};
use super::step::PlanStep;
use crate::addr::InstanceKey;
use crate::config::triggers::{parse, Key, Step};
use crate::config::Resource;
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::NodeKind;
use crate::lang::Value;
use crate::walk::instances::ModuleInst;
use crate::walk::Run;

/// Marks a change as forced by `replace_triggered_by` (the one place that sets the reason).
pub fn mark(ch: &mut ResourceChange) {
    ch.reason = Some(super::model::Reason::Triggers);
}

/// The action once triggers are taken into account: a replacement (honouring
/// `create_before_destroy`) of an existing object; a create stays a create.
pub fn force(action: Action, triggered: bool, r: &Resource) -> Action {
    match action {
        Action::NoOp | Action::Update if triggered => {
            if r.lifecycle.create_before_destroy {
                Action::CreateThenDelete
            } else {
                Action::DeleteThenCreate
            }
        }
        a => a,
    }
}

/// Whether one of `r`'s `replace_triggered_by` elements fires for instance `inst`.
pub fn triggered(
    run: &Run,
    step: &PlanStep,
    (mi, minst): (usize, &ModuleInst),
    r: &Resource,
    inst: &Instance,
) -> Result<bool, Diagnostics> {
    let mut diags = Diagnostics::new();
    for e in &r.lifecycle.replace_triggered_by {
        match fires(run, step, (mi, &minst.prefix()), e, inst) {
            Ok(true) => return Ok(true),
            Ok(false) => {}
            Err(d) => diags.push(d),
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(false)
    }
}

/// Whether one `replace_triggered_by` element fires: the resource (or the instance, or
/// its attribute) it names is planned to change.
fn fires(
    run: &Run,
    step: &PlanStep,
    (mi, prefix): (usize, &str),
    e: &crate::config::Expr,
    inst: &Instance,
) -> Result<bool, Diagnostic> {
    let t = parse(&e.expr)
        .map_err(|(summary, detail)| Diagnostic::error(summary).detail(detail).subject(e.span()))?;
    let Some(n) = run.graph.node(mi, &NodeKind::Resource(t.resource.clone())) else {
        let module = match crate::addr::module_prefix(&run.graph.modules[mi].path) {
            p if p.is_empty() => "the root module".to_string(),
            p => p.trim_end_matches('.').to_string(),
        };
        return Err(Diagnostic::error("Reference to undeclared resource")
            .detail(format!(
                "A resource {} has not been declared in {module}",
                t.resource
            ))
            .subject(e.span()));
    };
    let changes = step.changes(n);
    let base = run.resource_address(mi, &t.resource);
    // The referenced resource in this module instance.
    let here = format!("{prefix}{}", t.resource);
    if t.whole {
        return Ok(changes
            .iter()
            .any(|c| c.resource == base && c.address.starts_with(&here) && changed(c.action)));
    }
    let key = match &t.key {
        None => InstanceKey::None,
        Some(k) => eval_key(k, inst).map_err(|d| d.subject(e.span()))?,
    };
    let address = format!("{here}{key}");
    let Some(c) = changes.iter().find(|c| c.address == address) else {
        return Ok(false);
    };
    if !changed(c.action) {
        return Ok(false);
    }
    if t.path.is_empty() {
        return Ok(true);
    }
    let mut path = Vec::with_capacity(t.path.len());
    for s in &t.path {
        match s {
            Step::Attr(a) => path.push(InstanceKey::Str(a.clone())),
            Step::Index(k) => path.push(eval_key(k, inst).map_err(|d| d.subject(e.span()))?),
        }
    }
    let before = c.before.as_ref().and_then(|v| at(v, &path));
    let after = c.after.as_ref().and_then(|v| at(v, &path));
    Ok(match (before, after) {
        (Some(b), Some(a)) => !same(b, a),
        (b, a) => b.is_some() != a.is_some(),
    })
}

/// Only updates and replacements of the referenced instance trigger.
fn changed(a: Action) -> bool {
    matches!(
        a,
        Action::Update | Action::DeleteThenCreate | Action::CreateThenDelete
    )
}

/// An index key with `count.index` / `each.key` evaluated for this instance.
fn eval_key(k: &Key, inst: &Instance) -> Result<InstanceKey, Diagnostic> {
    match k {
        Key::Int(i) => Ok(InstanceKey::Int(*i)),
        Key::Str(s) => Ok(InstanceKey::Str(s.clone())),
        Key::CountIndex => inst
            .count_index
            .as_ref()
            .and_then(Value::as_num)
            .and_then(|n| n.as_i64())
            .map(InstanceKey::Int)
            .ok_or_else(|| {
                Diagnostic::error("Reference to \"count\" in non-counted context").detail(
                    "The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.",
                )
            }),
        Key::EachKey => inst
            .each
            .as_ref()
            .and_then(|(k, _)| k.as_str())
            .map(|s| InstanceKey::Str(s.to_string()))
            .ok_or_else(|| {
                Diagnostic::error("Reference to \"each\" in context without for_each").detail(
                    "The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.",
                )
            }),
    }
}

/// The value at `path` (attribute names and map keys as strings), if there is one.
fn at<'v>(v: &'v Value, path: &[InstanceKey]) -> Option<&'v Value> {
    let mut cur = v;
    for p in path {
        cur = match (cur.peel(), p) {
            (Value::Map(m) | Value::Object(m), InstanceKey::Str(s)) => m.get(s.as_str())?,
            (Value::List(xs) | Value::Tuple(xs), InstanceKey::Int(i)) => {
                xs.get(usize::try_from(*i).ok()?)?
            }
            _ => return None,
        };
    }
    Some(cur)
}

#[cfg(test)]
#[path = "triggers_tests.rs"]
mod tests;
