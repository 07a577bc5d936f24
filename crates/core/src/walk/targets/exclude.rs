//! `-exclude=ADDR` in a plan (OpenTofu 1.9): every resource instance except the excluded
//! ones and everything that depends on them, plus what the remaining ones depend on.
//!
//! As in OpenTofu, a dependent is found at the level of configuration resources: excluding
//! `aws_x.a[1]` skips every instance of a resource that refers to `aws_x.a`, while
//! `aws_x.a[0]` is still planned (OpenTofu's documentation warns that instance addresses
//! select more than they name for this reason). Resources inside an excluded module instance
//! keep the instances of the other module instances, whatever they refer to inside it.

use super::Targets;
use super::{add_values, closure, dependents, orphan_providers, seeds, under, StateFilter};
use crate::addr::resource_of;
use crate::graph::{Graph, NodeKind};
use crate::state::State;
use std::collections::{HashMap, HashSet};

pub(super) fn resolve(graph: &Graph, prior: &State, excludes: &[String]) -> Targets {
    let mut whole: HashSet<usize> = HashSet::new();
    let mut partial: HashMap<usize, HashSet<String>> = HashMap::new();
    let mut touched: HashSet<usize> = HashSet::new();
    for e in excludes {
        let s = seeds(graph, std::slice::from_ref(e));
        let named: HashSet<usize> = s.todo.iter().copied().collect();
        // Inside an excluded module instance, references between its resources stay
        // within module instances: the other instances are planned.
        let inside_module = crate::addr::parse_module_instance(e).is_some();
        for d in dependents(graph, &named) {
            if !(inside_module && named.contains(&d)) {
                whole.insert(d);
            }
        }
        whole.extend(s.whole);
        for (n, keys) in s.instances {
            partial.entry(n).or_default().extend(keys);
        }
        touched.extend(named);
    }
    partial.retain(|n, _| !whole.contains(n));
    let kept = graph
        .nodes
        .iter()
        .enumerate()
        .filter(|(i, node)| matches!(node.kind, NodeKind::Resource(_)) && !whole.contains(i))
        .map(|(i, _)| i);
    let mut nodes = closure(graph, kept);
    add_values(graph, &mut nodes);
    let skipped = skipped_state(graph, prior, excludes, &whole, &touched);
    let deletable: Vec<String> = prior
        .resources
        .keys()
        .filter(|a| !skipped.contains(*a))
        .cloned()
        .collect();
    nodes.extend(orphan_providers(graph, prior, &deletable));
    Targets {
        excludes: excludes.to_vec(),
        nodes,
        state: StateFilter::AllBut(skipped),
        ..Targets::default()
    }
}

/// The stored instances the plan leaves alone: those under an exclude address, those of
/// resources skipped whole, and those whose recorded dependencies name an excluded
/// resource (for instances whose resource block is gone).
fn skipped_state(
    graph: &Graph,
    prior: &State,
    excludes: &[String],
    whole: &HashSet<usize>,
    touched: &HashSet<usize>,
) -> HashSet<String> {
    let names = |set: &HashSet<usize>| -> HashSet<String> {
        set.iter().map(|&n| graph.describe(n)).collect()
    };
    let whole_names = names(whole);
    let mut excluded_names = names(touched);
    excluded_names.extend(whole_names.iter().cloned());
    // Excluded resources no longer in the configuration are named by their address.
    for e in excludes {
        if graph.resource_node(e).is_none() && crate::addr::parse_module_instance(e).is_none() {
            excluded_names.insert(resource_of(e).into_owned());
        }
    }
    prior
        .resources
        .iter()
        .filter(|(addr, inst)| {
            excludes.iter().any(|e| under(addr, e))
                || whole_names.contains(resource_of(addr).as_ref())
                || (graph.resource_node(addr).is_none()
                    && inst.dependencies.iter().any(|d| excluded_names.contains(d)))
        })
        .map(|(addr, _)| addr.clone())
        .collect()
}
