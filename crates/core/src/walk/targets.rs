//! `-target=ADDR` (Terraform's resource targeting): a plan, and the apply of that plan, walk
//! only the targeted resources and everything they depend on. Other resources are neither
//! refreshed nor changed, and outputs outside that set keep their stored values.

use crate::graph::{Graph, NodeKind};
use std::collections::{HashMap, HashSet};

/// The targeted addresses and the graph nodes a targeted walk evaluates.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    pub addrs: Vec<String>,
    pub nodes: HashSet<usize>,
    /// Resource nodes targeted only by instance addresses (`aws_x.a[0]`) and needed by no
    /// other target: only those instances are planned; the others keep their state.
    pub only_instances: HashMap<usize, HashSet<String>>,
}

impl Targets {
    /// The nodes of `addrs` (resources, instances — which select their whole resource — or
    /// modules) and, transitively, everything they depend on.
    pub fn resolve(graph: &Graph, addrs: &[String]) -> Targets {
        let mut todo: Vec<usize> = Vec::new();
        let mut instances: HashMap<usize, HashSet<String>> = HashMap::new();
        let mut whole: HashSet<usize> = HashSet::new();
        for a in addrs {
            if let Some(n) = graph.resource_node(a) {
                match crate::addr::InstanceAddr::parse(a) {
                    Ok(i) if i.key != crate::addr::InstanceKey::None => {
                        instances.entry(n).or_default().insert(i.to_string());
                    }
                    _ => {
                        whole.insert(n);
                    }
                }
                todo.push(n);
                continue;
            }
            // A module: every resource inside it.
            for (i, node) in graph.nodes.iter().enumerate() {
                if matches!(node.kind, NodeKind::Resource(_))
                    && within_module(&graph.modules[node.module].path, a)
                {
                    todo.push(i);
                }
            }
        }
        let mut nodes = HashSet::new();
        while let Some(n) = todo.pop() {
            if nodes.insert(n) {
                todo.extend(graph.nodes[n].deps.iter().copied());
            }
        }
        // Values (locals, outputs, variables) computed only from what is walked are walked
        // too, as in Terraform: a targeted apply updates the outputs of what it changed.
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
                break;
            }
            nodes.extend(more);
        }
        // A resource another walked resource depends on is needed whole (outputs and locals
        // that read it do not count: they only see what the plan leaves).
        let needed: HashSet<usize> = nodes
            .iter()
            .filter(|&&n| matches!(graph.nodes[n].kind, NodeKind::Resource(_)))
            .flat_map(|&n| graph.nodes[n].deps.iter().copied())
            .collect();
        instances.retain(|n, _| !whole.contains(n) && !needed.contains(n));
        Targets {
            addrs: addrs.to_vec(),
            nodes,
            only_instances: instances,
        }
    }

    /// Whether instance `address` of resource node `n` is planned (or applied).
    pub fn instance(&self, n: usize, address: &str) -> bool {
        self.only_instances
            .get(&n)
            .is_none_or(|keep| keep.contains(address))
    }

    /// Whether an instance address in state is targeted (for deletes of instances whose
    /// resource block is gone).
    pub fn covers(&self, address: &str) -> bool {
        self.addrs.iter().any(|t| {
            address == t
                || address
                    .strip_prefix(t.as_str())
                    .is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_match_their_targets_and_their_children() {
        let path = vec!["net".to_string(), "sub".to_string()];
        assert!(within_module(&path, "module.net"));
        assert!(within_module(&path, "module.net.module.sub"));
        assert!(!within_module(&path, "module.ne"));
        assert!(!within_module(&[], "module.net"));
    }

    #[test]
    fn covered_addresses_are_the_target_and_what_is_under_it() {
        let t = Targets {
            addrs: vec!["aws_x.a".into(), "module.m".into()],
            nodes: HashSet::new(),
            only_instances: HashMap::new(),
        };
        assert!(t.covers("aws_x.a"));
        assert!(t.covers("aws_x.a[\"k\"]"));
        assert!(t.covers("module.m.aws_y.b"));
        assert!(!t.covers("aws_x.ab"));
        assert!(!t.covers("aws_x.b"));
    }
}
