//! `lifecycle { replace_triggered_by = [...] }` at plan time (Terraform's `replaceTriggered`):
//! an instance is replaced when a referenced resource instance is planned for update or
//! replacement, or, for a reference with an attribute, when that attribute's planned value
//! differs from its prior one. A create (or delete) of the referenced instance triggers
//! nothing.
//!
//! The graph orders every resource after the resources its triggers name; when such a
//! target's node finishes planning, the walk records a copy of its changes here (only for
//! nodes some trigger names), and the dependent reads them.

use super::diff::same;
use super::expand::Instance;
use super::model::{Action, ResourceChange};
use super::resource::resource_address;
use super::walk::{Run, WalkMode};
use crate::addr::InstanceKey;
use crate::config::triggers::{parse, Key, Step};
use crate::config::{Config, Resource};
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::{build_module_at, Graph, NodeKind};
use crate::lang::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The planned changes of the resource nodes some trigger names, written once per node.
#[derive(Default)]
pub struct Recorded {
    planned: HashMap<usize, OnceLock<Vec<ResourceChange>>>,
}

impl Recorded {
    /// One empty cell per resource node a `replace_triggered_by` names (plan walks only).
    pub fn new(config: &Config, graph: &Graph, mode: &WalkMode) -> Recorded {
        let mut planned = HashMap::new();
        if !matches!(mode, WalkMode::Plan { destroy: false, .. }) {
            return Recorded { planned };
        }
        for node in &graph.nodes {
            let (mi, NodeKind::Resource(key)) = (&node.module, &node.kind) else {
                continue;
            };
            let module = build_module_at(&config.root, &graph.modules[*mi].path);
            let Some(r) = module.resources.get(key) else {
                continue;
            };
            for e in &r.lifecycle.replace_triggered_by {
                if let Ok(t) = parse(&e.expr) {
                    if let Some(n) = graph.node(*mi, &NodeKind::Resource(t.resource)) {
                        planned.entry(n).or_insert_with(OnceLock::new);
                    }
                }
            }
        }
        Recorded { planned }
    }

    /// Called by the walk when node `n` is done: keeps its changes if a trigger names it.
    pub fn record(&self, n: usize, changes: &[ResourceChange]) {
        if let Some(cell) = self.planned.get(&n) {
            let _ = cell.set(changes.to_vec());
        }
    }

    fn changes(&self, n: usize) -> &[ResourceChange] {
        self.planned
            .get(&n)
            .and_then(OnceLock::get)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

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
pub fn triggered(run: &Run, mi: usize, r: &Resource, inst: &Instance) -> Result<bool, Diagnostics> {
    let mut diags = Diagnostics::new();
    'elements: for e in &r.lifecycle.replace_triggered_by {
        let t = match parse(&e.expr) {
            Ok(t) => t,
            Err((summary, detail)) => {
                diags.push(Diagnostic::error(summary).detail(detail).subject(e.span()));
                continue;
            }
        };
        let Some(n) = run.graph.node(mi, &NodeKind::Resource(t.resource.clone())) else {
            let module = match crate::addr::module_prefix(&run.graph.modules[mi].path) {
                p if p.is_empty() => "the root module".to_string(),
                p => p.trim_end_matches('.').to_string(),
            };
            diags.push(
                Diagnostic::error("Reference to undeclared resource")
                    .detail(format!(
                        "A resource {} has not been declared in {module}",
                        t.resource
                    ))
                    .subject(e.span()),
            );
            continue;
        };
        let changes = run.triggers.changes(n);
        let base = resource_address(run, mi, &t.resource);
        if t.whole {
            if changes
                .iter()
                .any(|c| c.resource == base && changed(c.action))
            {
                return Ok(true);
            }
            continue;
        }
        let key = match &t.key {
            None => InstanceKey::None,
            Some(k) => match eval_key(k, inst) {
                Ok(k) => k,
                Err(d) => {
                    diags.push(d.subject(e.span()));
                    continue;
                }
            },
        };
        let address = format!("{base}{key}");
        let Some(c) = changes.iter().find(|c| c.address == address) else {
            continue;
        };
        if !changed(c.action) {
            continue;
        }
        if t.path.is_empty() {
            return Ok(true);
        }
        let mut path = Vec::with_capacity(t.path.len());
        for s in &t.path {
            match s {
                Step::Attr(a) => path.push(InstanceKey::Str(a.clone())),
                Step::Index(k) => match eval_key(k, inst) {
                    Ok(k) => path.push(k),
                    Err(d) => {
                        diags.push(d.subject(e.span()));
                        continue 'elements;
                    }
                },
            }
        }
        let before = c.before.as_ref().and_then(|v| at(v, &path));
        let after = c.after.as_ref().and_then(|v| at(v, &path));
        let fired = match (before, after) {
            (Some(b), Some(a)) => !same(b, a),
            (b, a) => b.is_some() != a.is_some(),
        };
        if fired {
            return Ok(true);
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(false)
    }
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
            .and_then(Value::as_number)
            .map(|n| InstanceKey::Int(n as i64))
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
