//! Targeting a destroy plan. Deleting an object first needs everything that depends on it
//! gone, and keeping one needs what it depends on kept, so:
//!
//! - `-target=ADDR` deletes the instances under ADDR and every instance of a resource that
//!   depends on one of their resources (as recorded from Terraform 1.11: destroying
//!   `a[1]` takes every instance of a resource referring to `a`, but not `a[0]`);
//! - `-exclude=ADDR` keeps the instances under ADDR and every instance of a resource their
//!   resources depend on, and deletes the rest (OpenTofu's destroy-mode exclusion).
//!
//! Dependencies come from both the configuration and each instance's recorded
//! `dependencies` (for instances whose resource block is gone). Outputs are not walked, so
//! they keep their stored values, as Terraform's targeted destroy leaves them.

use super::{closure, orphan_providers, same_module_instances, stored_dependencies, under};
use super::{Selection, StateFilter, Targets};
use crate::addr::resource_of;
use crate::graph::Graph;
use crate::state::State;
use std::collections::HashSet;

pub(super) fn resolve(graph: &Graph, prior: &State, sel: &Selection) -> Targets {
    let deletes = if sel.excludes.is_empty() {
        delete_targets(graph, prior, &sel.targets)
    } else {
        let keep = keep_excluded(graph, prior, &sel.excludes);
        prior
            .resources
            .keys()
            .filter(|a| !keep.contains(*a))
            .cloned()
            .collect()
    };
    let addrs: Vec<String> = deletes.iter().cloned().collect();
    let resources = addrs.iter().filter_map(|a| graph.resource_node(a));
    let mut nodes = closure(graph, resources);
    nodes.extend(orphan_providers(graph, prior, &addrs));
    Targets {
        addrs: sel.targets.clone(),
        excludes: sel.excludes.clone(),
        nodes,
        state: StateFilter::Only(deletes),
        ..Targets::default()
    }
}

/// The stored instances under `targets`, and every instance depending on one of them,
/// until nothing more is added.
fn delete_targets(graph: &Graph, prior: &State, targets: &[String]) -> HashSet<String> {
    let deps = stored_dependencies(graph, prior);
    let deletes: HashSet<String> = prior
        .resources
        .keys()
        .filter(|a| targets.iter().any(|t| under(a, t)))
        .cloned()
        .collect();
    // X goes when it depends on a deleted D.
    grow(deletes, prior, |x, d| {
        deps[x].contains(resource_of(d).as_ref()) && same_module_instances(x, d)
    })
}

/// The stored instances under `excludes`, and every instance one of them depends on,
/// transitively.
fn keep_excluded(graph: &Graph, prior: &State, excludes: &[String]) -> HashSet<String> {
    let deps = stored_dependencies(graph, prior);
    let keep: HashSet<String> = prior
        .resources
        .keys()
        .filter(|a| excludes.iter().any(|e| under(a, e)))
        .cloned()
        .collect();
    // X stays when a kept K depends on it.
    grow(keep, prior, |x, k| {
        deps[k].contains(resource_of(x).as_ref()) && same_module_instances(x, k)
    })
}

/// `set` and every stored instance `x` with `joins(x, m)` for a member `m`, until nothing
/// more is added.
fn grow(
    mut set: HashSet<String>,
    prior: &State,
    joins: impl Fn(&str, &str) -> bool,
) -> HashSet<String> {
    loop {
        let more: Vec<String> = prior
            .resources
            .keys()
            .filter(|x| !set.contains(*x) && set.iter().any(|m| joins(x, m)))
            .cloned()
            .collect();
        if more.is_empty() {
            return set;
        }
        set.extend(more);
    }
}
