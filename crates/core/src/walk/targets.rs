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
    /// Resource nodes targeted only by instance addresses (`aws_x.a[0]`, or a module
    /// instance `module.x["k"]` holding them) and needed by no other target: only the
    /// instances those select are planned; the others keep their state.
    pub only_instances: HashMap<usize, HashSet<String>>,
}

impl Targets {
    /// The nodes of `addrs` (resources, instances — which select their whole resource — or
    /// modules) and, transitively, everything they depend on.
    pub fn resolve(graph: &Graph, addrs: &[String]) -> Targets {
        let Seeds {
            todo,
            mut instances,
            whole,
        } = seeds(graph, addrs);
        let mut todo = todo;
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

    /// Whether instance `address` of resource node `n` is planned (or applied): an instance
    /// target names it, or the resource or module instance it is in.
    pub fn instance(&self, n: usize, address: &str) -> bool {
        self.only_instances
            .get(&n)
            .is_none_or(|keep| keep.iter().any(|k| under(address, k)))
    }

    /// Whether an instance address in state is targeted (for deletes of instances whose
    /// resource block is gone).
    pub fn covers(&self, address: &str) -> bool {
        self.addrs.iter().any(|t| under(address, t))
    }
}

/// Whether `address` is `target` or inside it (an instance of it, or in its module).
fn under(address: &str, target: &str) -> bool {
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

    #[test]
    fn a_module_instance_target_selects_only_its_instances() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("m")).expect("mkdir");
        std::fs::write(
            dir.path().join("main.tf"),
            "module \"x\" {\n  source   = \"./m\"\n  for_each = toset([\"a\", \"b\"])\n}\n",
        )
        .expect("write");
        std::fs::write(
            dir.path().join("m/main.tf"),
            "resource \"terraform_data\" \"t\" {\n  count = 2\n}\n",
        )
        .expect("write");
        let (config, d) = crate::config::load(dir.path());
        assert!(!d.has_errors(), "{d:?}");
        let (g, _) = crate::graph::build(&config);
        let n = g.resource_node("module.x.terraform_data.t").expect("node");
        let t = Targets::resolve(&g, &["module.x[\"a\"]".to_string()]);
        assert!(t.nodes.contains(&n));
        assert!(t.instance(n, "module.x[\"a\"].terraform_data.t[1]"));
        assert!(!t.instance(n, "module.x[\"b\"].terraform_data.t[0]"));
        let t = Targets::resolve(&g, &["module.x[\"b\"].terraform_data.t[0]".to_string()]);
        assert!(t.instance(n, "module.x[\"b\"].terraform_data.t[0]"));
        assert!(!t.instance(n, "module.x[\"b\"].terraform_data.t[1]"));
        let t = Targets::resolve(&g, &["module.x".to_string()]);
        assert!(t.instance(n, "module.x[\"b\"].terraform_data.t[1]"));
    }
}
