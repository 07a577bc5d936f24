//! Questions the walks ask of a built graph about state addresses.

use super::{Graph, NodeKind};
use crate::addr::{resource_of, InstanceAddr};
use std::collections::HashSet;

impl Graph {
    /// The resource node a state address belongs to, if the configuration still has it.
    pub fn resource_node(&self, address: &str) -> Option<usize> {
        let parsed = InstanceAddr::parse(&resource_of(address)).ok()?;
        let mut mi = 0;
        for m in &parsed.resource.module {
            mi = *self.modules[mi].children.get(m)?;
        }
        let r = &parsed.resource;
        let key = format!("{}{}.{}", r.mode.prefix(), r.type_name, r.name);
        self.node(mi, &NodeKind::Resource(key))
    }

    /// The managed resource nodes a data source's `depends_on` names, directly or through
    /// the values (outputs, locals) it names: the ones whose pending changes defer its read.
    pub fn data_dependencies(&self, n: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = self.data_depends_on.get(&n).cloned().unwrap_or_default();
        let mut seen = HashSet::new();
        while let Some(d) = stack.pop() {
            if !seen.insert(d) {
                continue;
            }
            match &self.nodes[d].kind {
                NodeKind::Resource(_) => out.push(d),
                NodeKind::Provider(_) => {}
                _ => stack.extend(self.nodes[d].deps.iter().copied()),
            }
        }
        out.sort_unstable();
        out
    }

    /// The config-level addresses resource node `n` depends on (recorded in state so destroy
    /// and orphan deletion can order themselves without the configuration).
    pub fn resource_dependencies(&self, n: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = self.nodes[n].deps.clone();
        let mut seen = HashSet::new();
        while let Some(d) = stack.pop() {
            if !seen.insert(d) {
                continue;
            }
            match &self.nodes[d].kind {
                NodeKind::Resource(_) => out.push(self.describe(d)),
                NodeKind::Provider(_) => {}
                _ => stack.extend(self.nodes[d].deps.iter().copied()),
            }
        }
        out.sort();
        out
    }
}
