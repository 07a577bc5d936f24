//! Resource targeting: `-target=ADDR` (Terraform) and `-exclude=ADDR` (OpenTofu 1.9). A plan,
//! and the apply of that plan, walk only the selected resources. Other resources are neither
//! refreshed nor changed, and outputs outside the walk keep their stored values.
//!
//! - `-target`: the targets and everything they depend on;
//! - `-exclude`: everything except the excluded resources and what depends on them;
//! - with `-destroy` the direction turns around, as in a destroy graph: `-target` deletes the
//!   targets and everything that depends on them, `-exclude` keeps the excluded resources
//!   and everything they depend on ([`destroy`]).

mod destroy;
mod exclude;
#[cfg(test)]
mod tests;

use crate::graph::{Graph, NodeKind};
use crate::state::State;
use std::collections::{HashMap, HashSet};

/// What `-target`/`-exclude` asked for (at most one of the two is non-empty: the CLI refuses
/// both together, as OpenTofu does).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub targets: Vec<String>,
    pub excludes: Vec<String>,
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty() && self.excludes.is_empty()
    }
}

/// The selected addresses and the graph nodes a targeted walk evaluates.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    pub addrs: Vec<String>,
    /// `-exclude` addresses.
    pub excludes: Vec<String>,
    pub nodes: HashSet<usize>,
    /// Resource nodes targeted only by instance addresses (`aws_x.a[0]`, or a module
    /// instance `module.x["k"]` holding them) and needed by no other target: only the
    /// instances those select are planned; the others keep their state.
    pub only_instances: HashMap<usize, HashSet<String>>,
    /// Which state instances a plan may delete (orphans, or everything for destroy).
    state: StateFilter,
}

/// Which stored instances the selection lets a plan delete.
#[derive(Debug, Clone, Default)]
enum StateFilter {
    /// `-target`: the instances under a target address.
    #[default]
    UnderTargets,
    /// The instances listed (destroy mode, both directions).
    Only(HashSet<String>),
    /// `-exclude`: all but the instances listed.
    AllBut(HashSet<String>),
}

impl Targets {
    /// The walk that `sel` asks for over `graph`, with `prior` as the stored instances
    /// (destroy and `-exclude` follow their recorded dependencies too).
    pub fn resolve(graph: &Graph, prior: &State, destroy: bool, sel: &Selection) -> Targets {
        if destroy {
            return destroy::resolve(graph, prior, sel);
        }
        if !sel.excludes.is_empty() {
            return exclude::resolve(graph, prior, &sel.excludes);
        }
        let mut t = Targets::targeted(graph, &sel.targets);
        let covered: Vec<String> = prior
            .resources
            .keys()
            .filter(|a| t.covers(a))
            .cloned()
            .collect();
        t.nodes.extend(orphan_providers(graph, prior, &covered));
        t
    }

    /// `-target` in a plan: the nodes of `addrs` (resources, instances — which select their
    /// whole resource — or modules) and, transitively, everything they depend on.
    fn targeted(graph: &Graph, addrs: &[String]) -> Targets {
        let Seeds {
            todo,
            mut instances,
            whole,
        } = seeds(graph, addrs);
        let mut nodes = closure(graph, todo);
        add_values(graph, &mut nodes);
        needed_instances(graph, &nodes, &mut instances, &whole);
        Targets {
            addrs: addrs.to_vec(),
            nodes,
            only_instances: instances,
            ..Targets::default()
        }
    }

    /// Whether instance `address` of resource node `n` is planned (or applied): an instance
    /// target names it, or the resource or module instance it is in; and no `-exclude`
    /// address names it.
    pub fn instance(&self, n: usize, address: &str) -> bool {
        self.only_instances
            .get(&n)
            .is_none_or(|keep| keep.iter().any(|k| under(address, k)))
            && !self.excludes.iter().any(|e| under(address, e))
    }

    /// Whether a plan may delete the stored instance `address` (an orphan whose resource
    /// block is gone, or any instance in a destroy plan).
    pub fn covers(&self, address: &str) -> bool {
        match &self.state {
            StateFilter::UnderTargets => self.addrs.iter().any(|t| under(address, t)),
            StateFilter::Only(set) => set.contains(address),
            StateFilter::AllBut(set) => !set.contains(address),
        }
    }
}

/// Narrows `instances` (resource nodes targeted through instances) by what the walked
/// resources need. A resource another walked resource depends on is needed whole (outputs
/// and locals that read it do not count: they only see what the plan leaves), except inside
/// a targeted module instance: there a reference stays within the module instance, so the
/// dependency is needed in the same module instances (Terraform 1.11 plans only
/// `module.y["k1"]` for `-target='module.y["k1"]'`, but every instance of a dependency of
/// `module.y["k2"].a.b`).
fn needed_instances(
    graph: &Graph,
    nodes: &HashSet<usize>,
    instances: &mut HashMap<usize, HashSet<String>>,
    whole: &HashSet<usize>,
) {
    let mut needed_whole = HashSet::new();
    let mut needed_in: HashMap<usize, HashSet<String>> = HashMap::new();
    for &n in nodes {
        if !matches!(graph.nodes[n].kind, NodeKind::Resource(_)) {
            continue;
        }
        for d in resource_deps(graph, n) {
            match instances.get(&n) {
                Some(sel)
                    if graph.nodes[d].module == graph.nodes[n].module
                        && sel
                            .iter()
                            .all(|s| crate::addr::parse_module_instance(s).is_some()) =>
                {
                    needed_in.entry(d).or_default().extend(sel.iter().cloned());
                }
                _ => {
                    needed_whole.insert(d);
                }
            }
        }
    }
    instances.retain(|n, _| !whole.contains(n) && !needed_whole.contains(n));
    for (d, sel) in needed_in {
        if !whole.contains(&d) && !needed_whole.contains(&d) {
            instances.entry(d).or_default().extend(sel);
        }
    }
}

/// The resource nodes `n` refers to, directly or through values, modules or providers.
fn resource_deps(graph: &Graph, n: usize) -> HashSet<usize> {
    let mut out = HashSet::new();
    let mut seen = HashSet::new();
    let mut todo = graph.nodes[n].deps.clone();
    while let Some(d) = todo.pop() {
        if !seen.insert(d) {
            continue;
        }
        match graph.nodes[d].kind {
            NodeKind::Resource(_) => {
                out.insert(d);
            }
            _ => todo.extend(graph.nodes[d].deps.iter().copied()),
        }
    }
    out
}

/// Whether stored instances `a` and `b` can refer to each other: a reference from inside a
/// module instance reaches the same instance of that module (`module.y["k1"]` never reads
/// `module.y["k2"]`), while one from outside reaches any.
fn same_module_instances(a: &str, b: &str) -> bool {
    let (ma, mb) = (
        crate::addr::module_instance_of(a),
        crate::addr::module_instance_of(b),
    );
    for ((na, ka), (nb, kb)) in ma.iter().zip(&mb) {
        if na != nb {
            return true;
        }
        if ka != kb {
            return false;
        }
    }
    true
}

/// The config-level resources each stored instance depends on: its recorded
/// `dependencies`, and what its resource block refers to now.
fn stored_dependencies(graph: &Graph, prior: &State) -> HashMap<String, HashSet<String>> {
    prior
        .resources
        .iter()
        .map(|(a, inst)| {
            let mut deps: HashSet<String> = inst.dependencies.iter().cloned().collect();
            if let Some(n) = graph.resource_node(a) {
                deps.extend(
                    resource_deps(graph, n)
                        .into_iter()
                        .map(|d| graph.describe(d)),
                );
            }
            (a.clone(), deps)
        })
        .collect()
}

/// Whether `address` is `target` or inside it (an instance of it, or in its module; a
/// deposed object counts as its instance).
fn under(address: &str, target: &str) -> bool {
    let address = address.split_once(" (deposed").map_or(address, |(a, _)| a);
    address == target
        || address
            .strip_prefix(target)
            .is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
}

/// Whether module path `path` (`["net", "sub"]`) is `target` (`module.net`) or inside it.
fn within_module(path: &[String], target: &str) -> bool {
    let mut prefix = String::new();
    for name in path {
        if !prefix.is_empty() {
            prefix.push('.');
        }
        prefix.push_str("module.");
        prefix.push_str(name);
        if prefix == target {
            return true;
        }
    }
    false
}

/// `seeds` and everything they depend on, transitively.
fn closure(graph: &Graph, seeds: impl IntoIterator<Item = usize>) -> HashSet<usize> {
    let mut todo: Vec<usize> = seeds.into_iter().collect();
    let mut nodes = HashSet::new();
    while let Some(n) = todo.pop() {
        if nodes.insert(n) {
            todo.extend(graph.nodes[n].deps.iter().copied());
        }
    }
    nodes
}

/// The resource nodes that depend on one of `seeds`, directly or through values, modules
/// or other resources (a seed itself only when it depends on another seed).
fn dependents(graph: &Graph, seeds: &HashSet<usize>) -> HashSet<usize> {
    let mut users: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, node) in graph.nodes.iter().enumerate() {
        for &d in &node.deps {
            users.entry(d).or_default().push(i);
        }
    }
    let mut seen = HashSet::new();
    let mut todo: Vec<usize> = seeds
        .iter()
        .flat_map(|s| users.get(s).into_iter().flatten().copied())
        .collect();
    while let Some(n) = todo.pop() {
        if seen.insert(n) {
            todo.extend(users.get(&n).into_iter().flatten().copied());
        }
    }
    seen.retain(|&n| matches!(graph.nodes[n].kind, NodeKind::Resource(_)));
    seen
}

/// Adds the values (locals, outputs, variables) computed only from walked nodes, as in
/// Terraform: a targeted apply updates the outputs of what it changed.
fn add_values(graph: &Graph, nodes: &mut HashSet<usize>) {
    loop {
        let more: Vec<usize> = graph
            .nodes
            .iter()
            .enumerate()
            .filter(|(i, node)| {
                !nodes.contains(i)
                    && matches!(
                        node.kind,
                        NodeKind::Output(_) | NodeKind::Local(_) | NodeKind::Variable(_)
                    )
                    && node.deps.iter().all(|d| nodes.contains(d))
            })
            .map(|(i, _)| i)
            .collect();
        if more.is_empty() {
            return;
        }
        nodes.extend(more);
    }
}

/// The provider nodes that delete `addrs` when their resource block is gone (the root
/// module's configuration of the stored provider, which `add_orphan_providers` adds).
fn orphan_providers(graph: &Graph, prior: &State, addrs: &[String]) -> Vec<usize> {
    addrs
        .iter()
        .filter(|a| graph.resource_node(a).is_none())
        .filter_map(|a| prior.resources.get(a))
        .filter_map(|i| {
            let config = crate::addr::split_provider_instance(&i.provider).0;
            graph.node(0, &NodeKind::Provider(config.to_string()))
        })
        .collect()
}

/// What the target addresses name directly, before their dependencies are added.
struct Seeds {
    /// Resource nodes named, whole or through instances.
    todo: Vec<usize>,
    /// Resource nodes named only through instances, with those instances.
    instances: HashMap<usize, HashSet<String>>,
    /// Resource nodes named whole.
    whole: HashSet<usize>,
}

/// The resource nodes `addrs` name: resources, instances (or the instances in one module
/// instance), and every resource inside a named module or module instance.
fn seeds(graph: &Graph, addrs: &[String]) -> Seeds {
    let mut todo: Vec<usize> = Vec::new();
    let mut instances: HashMap<usize, HashSet<String>> = HashMap::new();
    let mut whole: HashSet<usize> = HashSet::new();
    use crate::addr::InstanceKey;
    for a in addrs {
        if let Some(n) = graph.resource_node(a) {
            match crate::addr::InstanceAddr::parse(a) {
                // One instance, or the instances in one module instance.
                Ok(i)
                    if i.key != InstanceKey::None
                        || i.resource
                            .module_keys
                            .iter()
                            .any(|k| *k != InstanceKey::None) =>
                {
                    instances.entry(n).or_default().insert(i.to_string());
                }
                _ => {
                    whole.insert(n);
                }
            }
            todo.push(n);
            continue;
        }
        // A module (or one instance of it): every resource inside it.
        let Some(m) = crate::addr::parse_module_instance(a) else {
            continue;
        };
        let call: Vec<String> = m.iter().map(|(name, _)| name.clone()).collect();
        let call = crate::addr::module_prefix(&call);
        let one_instance = m.iter().any(|(_, k)| *k != InstanceKey::None);
        for (i, node) in graph.nodes.iter().enumerate() {
            if matches!(node.kind, NodeKind::Resource(_))
                && within_module(&graph.modules[node.module].path, call.trim_end_matches('.'))
            {
                if one_instance {
                    let only = crate::addr::module_instance_display(&m);
                    instances.entry(i).or_default().insert(only);
                } else {
                    whole.insert(i);
                }
                todo.push(i);
            }
        }
    }
    Seeds {
        todo,
        instances,
        whole,
    }
}
