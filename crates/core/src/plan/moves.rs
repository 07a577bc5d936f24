//! Refactoring without destroying: `moved {}` / `removed {}` blocks and `hubctl state mv/rm`
//! rewrite the prior state's addresses before anything is planned, so a rename plans as a
//! note instead of a delete plus a create.
//!
//! One primitive serves both: [`rename`] moves every instance an [`AddrPattern`] selects to
//! the matching address under another pattern, all or nothing.

use crate::addr::{module_prefix, InstanceAddr, InstanceKey};
use crate::config::Module;
use crate::diag::{Diagnostic, Diagnostics};
use crate::state::{State, StateOp};
use std::collections::{BTreeMap, BTreeSet};

use crate::addr::resource_of;

/// What an address written by a user selects in a state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddrPattern {
    /// `module.a`, `module.a["k"]` or `module.a[0].module.b`: everything inside that module
    /// (a call without a key: every instance of it).
    Module(String),
    /// `aws_x.a`: every instance of the resource.
    Resource(String),
    /// `aws_x.a[0]` or `aws_x.a["k"]`: one instance.
    Instance(String),
}

impl AddrPattern {
    /// Parses a module, resource or instance address.
    pub fn parse(s: &str) -> Result<AddrPattern, String> {
        let s = s.trim();
        if let Some(m) = crate::addr::parse_module_instance(s) {
            return Ok(AddrPattern::Module(crate::addr::module_instance_display(
                &m,
            )));
        }
        let a = InstanceAddr::parse(s)?;
        Ok(match a.key {
            InstanceKey::None => AddrPattern::Resource(a.to_string()),
            _ => AddrPattern::Instance(a.to_string()),
        })
    }

    /// The same pattern seen from the root, for an address written inside module `path`.
    pub fn within(&self, path: &[String]) -> AddrPattern {
        self.within_instance(&module_prefix(path))
    }

    /// The same pattern seen from the root, for an address written inside the module
    /// instance with `prefix` (`module.a["k"].`).
    pub fn within_instance(&self, prefix: &str) -> AddrPattern {
        let p = prefix;
        match self {
            AddrPattern::Module(s) => AddrPattern::Module(format!("{p}{s}")),
            AddrPattern::Resource(s) => AddrPattern::Resource(format!("{p}{s}")),
            AddrPattern::Instance(s) => AddrPattern::Instance(format!("{p}{s}")),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            AddrPattern::Module(s) | AddrPattern::Resource(s) | AddrPattern::Instance(s) => s,
        }
    }

    /// Whether a state key (an instance address) is selected.
    pub fn matches(&self, key: &str) -> bool {
        match self {
            AddrPattern::Module(m) => key
                .strip_prefix(m.as_str())
                .is_some_and(|r| r.starts_with('.') || (r.starts_with('[') && !m.ends_with(']'))),
            // The resource in its module instance: only the instance key may follow.
            AddrPattern::Resource(r) => key.strip_prefix(r.as_str()).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with('[') || rest.starts_with(" (deposed")
            }),
            AddrPattern::Instance(i) => key == i,
        }
    }

    /// The resource type a resource or instance pattern names.
    fn type_name(&self) -> Option<String> {
        match self {
            AddrPattern::Module(_) => None,
            AddrPattern::Resource(s) | AddrPattern::Instance(s) => {
                InstanceAddr::parse(s).ok().map(|a| a.resource.type_name)
            }
        }
    }

    /// Where `key` (selected by `self`) goes under `to`.
    fn remap(&self, key: &str, to: &AddrPattern) -> Option<String> {
        match (self, to) {
            (AddrPattern::Module(f), AddrPattern::Module(t)) => {
                // A whole call keeps each instance's key (`rest` starts with it); an
                // instance was selected with its key, so `rest` starts after it.
                let rest = key.strip_prefix(f.as_str())?;
                Some(format!("{t}{rest}"))
            }
            (AddrPattern::Resource(f), AddrPattern::Resource(t)) => key
                .strip_prefix(f.as_str())
                .map(|rest| format!("{t}{rest}")),
            (AddrPattern::Instance(_) | AddrPattern::Resource(_), AddrPattern::Instance(t))
            | (AddrPattern::Instance(_), AddrPattern::Resource(t)) => Some(t.clone()),
            _ => None,
        }
    }
}

/// Every state key `pattern` selects, sorted.
pub fn select<'a>(state: &'a State, pattern: &AddrPattern) -> Vec<&'a String> {
    state
        .resources
        .keys()
        .filter(|k| pattern.matches(k))
        .collect()
}

/// Moves every instance `from` selects to its place under `to` and rewrites other
/// instances' dependencies on moved resources. All or nothing: refuses (leaving `state`
/// untouched) when the kinds or resource types differ, when an instance pattern selects more
/// than one object, or when a destination already holds an object. Returns (old, new) pairs.
pub fn rename(
    state: &mut State,
    from: &AddrPattern,
    to: &AddrPattern,
) -> Result<Vec<(String, String)>, String> {
    let kinds_fit = matches!(
        (from, to),
        (AddrPattern::Module(_), AddrPattern::Module(_))
            | (AddrPattern::Resource(_), AddrPattern::Resource(_))
            | (
                AddrPattern::Resource(_) | AddrPattern::Instance(_),
                AddrPattern::Instance(_)
            )
            | (AddrPattern::Instance(_), AddrPattern::Resource(_))
    );
    if !kinds_fit {
        return Err(format!(
            "cannot move {} to {}: a module can only move to a module, and a resource or instance to a resource or instance",
            from.as_str(),
            to.as_str()
        ));
    }
    if let (Some(a), Some(b)) = (from.type_name(), to.type_name()) {
        if a != b {
            return Err(format!(
                "cannot move {} to {}: the resource types differ ({a} and {b})",
                from.as_str(),
                to.as_str()
            ));
        }
    }
    let mut keys: Vec<String> = select(state, from).into_iter().cloned().collect();
    if let (AddrPattern::Module(f), AddrPattern::Module(t)) = (from, to) {
        if f.ends_with(']') || t.ends_with(']') {
            // Between module instances: an unkeyed side is the instance without a key.
            keys.retain(|k| k.starts_with(&format!("{f}.")));
        }
    }
    if matches!(to, AddrPattern::Instance(_)) && keys.len() > 1 {
        return Err(format!(
            "cannot move {} to the single instance {}: it has {} instances",
            from.as_str(),
            to.as_str(),
            keys.len()
        ));
    }
    let mut pairs = Vec::new();
    for k in &keys {
        let Some(dst) = from.remap(k, to) else {
            continue;
        };
        if state.resources.contains_key(&dst) && !keys.contains(&dst) {
            return Err(format!(
                "cannot move {k} to {dst}: the state already has an object at {dst}"
            ));
        }
        pairs.push((k.clone(), dst));
    }
    let taken: Vec<_> = pairs
        .iter()
        .filter_map(|(k, _)| state.resources.remove(k).map(|i| (k.clone(), i)))
        .collect();
    for ((_, inst), (_, dst)) in taken.into_iter().zip(&pairs) {
        state.resources.insert(dst.clone(), inst);
    }
    // Dependencies name config-level resources: follow the moved ones.
    let renamed: BTreeMap<String, String> = pairs
        .iter()
        .map(|(a, b)| (resource_of(a).to_string(), resource_of(b).to_string()))
        .collect();
    for inst in state.resources.values_mut() {
        for d in &mut inst.dependencies {
            if let Some(n) = renamed.get(d.as_str()) {
                d.clone_from(n);
            }
        }
    }
    Ok(pairs)
}

/// What the configuration's `moved` and `removed` blocks did to a prior state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MoveReport {
    /// (old, new) instance addresses; a chain a → b → c is reported as a → c.
    pub moved: Vec<(String, String)>,
    /// Instances dropped from the state by `removed { lifecycle { destroy = false } }`.
    pub forgotten: Vec<String>,
    pub diags: Diagnostics,
}

impl MoveReport {
    pub fn is_empty(&self) -> bool {
        self.moved.is_empty() && self.forgotten.is_empty()
    }

    /// The journal ops that turn the original state into the rewritten one (`after`).
    pub fn ops(&self, after: &State) -> Vec<StateOp> {
        let mut ops = Vec::new();
        for (old, new) in &self.moved {
            ops.push(StateOp::RemoveInstance {
                address: old.clone(),
            });
            if let Some(i) = after.resources.get(new) {
                ops.push(StateOp::SetInstance {
                    address: new.clone(),
                    instance: i.clone(),
                });
            }
        }
        for a in &self.forgotten {
            ops.push(StateOp::RemoveInstance { address: a.clone() });
        }
        // Dependents whose dependency lists now name a moved resource were rewritten.
        let touched: BTreeSet<&str> = self.moved.iter().map(|(_, n)| n.as_str()).collect();
        let targets: BTreeSet<String> = self
            .moved
            .iter()
            .map(|(_, n)| resource_of(n).into_owned())
            .collect();
        for (k, i) in &after.resources {
            let rewritten = i.dependencies.iter().any(|d| targets.contains(d.as_str()));
            if rewritten && !touched.contains(k.as_str()) {
                ops.push(StateOp::SetInstance {
                    address: k.clone(),
                    instance: i.clone(),
                });
            }
        }
        ops
    }
}

/// The prior state a walk starts from: what `moved`/`removed` blocks (and implied moves)
/// make of the stored one, and what they did (reported by the plan, persisted by the apply).
pub fn refactor(root: &Module, prior: State) -> (State, MoveReport) {
    if !needs_refactoring(root, &prior) {
        return (prior, MoveReport::default());
    }
    let mut s = prior;
    let report = apply_refactorings(root, &mut s);
    (s, report)
}

/// Whether the prior state must be rewritten before planning: the module tree has
/// `moved`/`removed` blocks, or `count` was added to or removed from a resource (most runs
/// have neither, and then the state is not copied).
pub fn needs_refactoring(root: &Module, state: &State) -> bool {
    has_refactorings(root) || !implied_moves(root, state).is_empty()
}

/// Terraform's implied moves: adding `count` to a resource moves its one object to `[0]`,
/// and removing `count`/`for_each` moves `[0]` back, instead of destroying one object and
/// creating another. Only where the destination is free.
fn implied_moves(root: &Module, state: &State) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for k in state.resources.keys() {
        // Cheap pre-filter: only unkeyed addresses and `[0]` can move.
        if k.ends_with(']') && !k.ends_with("[0]") {
            continue;
        }
        let Ok(a) = InstanceAddr::parse(k) else {
            continue;
        };
        if a.resource.mode != crate::config::ResourceMode::Managed {
            continue;
        }
        let mut m = root;
        if a.resource
            .module
            .iter()
            .any(|name| match m.children.get(name) {
                Some(child) => {
                    m = child;
                    false
                }
                None => true,
            })
        {
            continue;
        }
        let Some(r) = m
            .resources
            .get(&format!("{}.{}", a.resource.type_name, a.resource.name))
        else {
            continue;
        };
        let key = match (&a.key, r.count.is_some(), r.for_each.is_some()) {
            (InstanceKey::None, true, _) => InstanceKey::Int(0),
            (InstanceKey::Int(0), false, false) => InstanceKey::None,
            _ => continue,
        };
        let to = a.resource.instance(key).to_string();
        if !state.resources.contains_key(&to) {
            out.push((k.clone(), to));
        }
    }
    out
}

/// Whether the module tree has any `moved`/`removed` block (most have none: no state copy).
pub fn has_refactorings(m: &Module) -> bool {
    !m.moved.is_empty() || !m.removed.is_empty() || m.children.values().any(has_refactorings)
}

struct Statement {
    from: AddrPattern,
    to: AddrPattern,
    span: crate::diag::Span,
}

/// Applies every `moved` block (chains in order) and every `removed` block with
/// `destroy = false` of the module tree to `state`.
pub fn apply_refactorings(root: &Module, state: &mut State) -> MoveReport {
    let mut report = MoveReport::default();
    let mut stmts = Vec::new();
    let mut removed = Vec::new();
    collect(root, state, &mut stmts, &mut removed, &mut report.diags);
    // A statement runs after every statement whose destination is its source (chains).
    let mut order: Vec<usize> = Vec::new();
    let mut placed = vec![false; stmts.len()];
    while order.len() < stmts.len() {
        let before = order.len();
        for i in 0..stmts.len() {
            let waits = (0..stmts.len())
                .any(|j| j != i && !placed[j] && stmts[j].to.as_str() == stmts[i].from.as_str());
            if !placed[i] && !waits {
                placed[i] = true;
                order.push(i);
            }
        }
        if order.len() == before {
            let d = (0..stmts.len()).find(|&i| !placed[i]).map(|i| &stmts[i]);
            if let Some(s) = d {
                report.diags.push(
                    Diagnostic::error("Cyclic dependency in move statements")
                        .detail(format!("The moved block from {} to {} is part of a chain of moves that leads back to where it started, so no final address can be decided.", s.from.as_str(), s.to.as_str()))
                        .subject(s.span),
                );
            }
            return report;
        }
    }
    let mut origin: BTreeMap<String, String> = BTreeMap::new();
    for i in order {
        let s = &stmts[i];
        match rename(state, &s.from, &s.to) {
            Ok(pairs) => {
                for (old, new) in pairs {
                    let first = origin.remove(&old).unwrap_or(old);
                    origin.insert(new, first);
                }
            }
            Err(why) => report.diags.push(
                Diagnostic::warning("Unresolved resource instance address changes")
                    .detail(format!("hubctl tried to adjust resource instance addresses in the prior state based on the moved block, but {why}. The objects were left where they were."))
                    .subject(s.span),
            ),
        }
    }
    let mut moved: Vec<(String, String)> = origin
        .into_iter()
        .filter(|(new, old)| new != old)
        .map(|(new, old)| (old, new))
        .collect();
    moved.sort();
    report.moved = moved;
    for pattern in removed {
        let keys: Vec<String> = select(state, &pattern).into_iter().cloned().collect();
        for k in keys {
            state.resources.remove(&k);
            report.forgotten.push(k);
        }
    }
    for (old, new) in implied_moves(root, state) {
        if let Some(inst) = state.resources.remove(&old) {
            state.resources.insert(new.clone(), inst);
            report.moved.push((old, new));
        }
    }
    report.moved.sort();
    report
}

/// The instances of module `path` the state has objects in (`module.a["k"].` prefixes): a
/// `moved` block in a module with `count`/`for_each` applies in each of them.
fn instances_in_state(state: &State, path: &[String]) -> BTreeSet<String> {
    if path.is_empty() {
        return BTreeSet::from([String::new()]);
    }
    state
        .resources
        .keys()
        .filter_map(|k| {
            let m = crate::addr::module_instance_of(k);
            let m = m.get(..path.len())?;
            m.iter()
                .map(|(n, _)| n)
                .eq(path.iter())
                .then(|| crate::addr::module_instance_prefix(m))
        })
        .collect()
}

fn collect(
    m: &Module,
    state: &State,
    stmts: &mut Vec<Statement>,
    removed: &mut Vec<AddrPattern>,
    diags: &mut Diagnostics,
) {
    let instances = instances_in_state(state, &m.path);
    for mv in &m.moved {
        match (AddrPattern::parse(&mv.from), AddrPattern::parse(&mv.to)) {
            (Ok(f), Ok(t)) => {
                let (from, to) = (f.within(&m.path), t.within(&m.path));
                if let (AddrPattern::Resource(a), AddrPattern::Resource(_)) = (&f, &t) {
                    if m.resources.contains_key(a) {
                        diags.push(Diagnostic::error("Moved object still exists").detail(format!("This statement declares a move from {}, but that resource is still declared in the configuration. Change the moved block, or remove the resource block.", from.as_str())).subject(mv.span));
                        continue;
                    }
                }
                if instances.len() <= 1 && instances.iter().all(|p| *p == module_prefix(&m.path)) {
                    stmts.push(Statement {
                        from,
                        to,
                        span: mv.span,
                    });
                    continue;
                }
                for p in &instances {
                    stmts.push(Statement {
                        from: f.within_instance(p),
                        to: t.within_instance(p),
                        span: mv.span,
                    });
                }
            }
            (Err(e), _) | (_, Err(e)) => diags.push(
                Diagnostic::error("Invalid address in moved block")
                    .detail(e)
                    .subject(mv.span),
            ),
        }
    }
    for r in &m.removed {
        match AddrPattern::parse(&r.from) {
            Ok(AddrPattern::Instance(_)) => diags.push(
                Diagnostic::error("Invalid address in removed block")
                    .detail(format!("A removed block names a whole resource or module, not one instance; {:?} has an instance key.", r.from))
                    .subject(r.span),
            ),
            Ok(p) => {
                if let AddrPattern::Resource(a) = &p {
                    if m.resources.contains_key(a) {
                        diags.push(Diagnostic::error("Removed resource still exists").detail(format!("This removed block says {} is no longer managed, but the resource is still declared in the configuration. Remove the resource block, or the removed block.", p.within(&m.path).as_str())).subject(r.span));
                        continue;
                    }
                }
                if !r.destroy {
                    removed.push(p.within(&m.path));
                }
            }
            Err(e) => diags.push(
                Diagnostic::error("Invalid address in removed block")
                    .detail(e)
                    .subject(r.span),
            ),
        }
    }
    for child in m.children.values() {
        collect(child, state, stmts, removed, diags);
    }
}

#[cfg(test)]
#[path = "moves_tests.rs"]
mod tests;
