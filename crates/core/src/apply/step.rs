//! The apply walk's [`Step`]: applies each resource node's planned changes, and runs the
//! standalone deletes (orphans, destroy, the delete halves of destroy-then-create) as
//! extra nodes ordered against their dependents.

use super::writer::StateWriter;
use crate::addr::resource_of;
use crate::plan::{Action, Observer, Plan, ResourceChange};
use crate::state::Mode;
use crate::walk::{Extra, NodeResult, Run, Step};
use std::collections::HashMap;
use std::sync::Arc;

pub struct ApplyStep {
    pub(crate) plan: Arc<Plan>,
    /// Plan changes by instance address.
    pub(crate) planned: HashMap<String, usize>,
    pub(crate) writer: StateWriter,
    pub(crate) observer: Arc<dyn Observer>,
    /// The standalone deletes, extra node k being `deletes[k]`.
    pub(crate) deletes: Vec<ResourceChange>,
}

impl ApplyStep {
    pub fn new(plan: Arc<Plan>, writer: StateWriter, observer: Arc<dyn Observer>) -> ApplyStep {
        let planned = plan
            .changes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.address.clone(), i))
            .collect();
        let deletes = standalone_deletes(&plan);
        ApplyStep {
            plan,
            planned,
            writer,
            observer,
            deletes,
        }
    }

    /// The deletes as extra nodes: each waits for what [`delete_edges`] says, and the
    /// create half of a destroy-then-create replacement waits for its delete half (which
    /// runs after everything that depended on the old object is gone).
    pub fn extra(&self, run: &Run) -> Extra {
        let n_graph = run.graph.nodes.len();
        let before = self
            .deletes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.action == Action::DeleteThenCreate)
            .filter_map(|(k, c)| Some((run.node_of(&c.address)?, k)))
            .collect();
        Extra {
            deps: delete_edges(run, &self.deletes, n_graph),
            before,
        }
    }
}

#[async_trait::async_trait]
impl Step for ApplyStep {
    async fn resource(&self, run: &Run, n: usize, mi: usize, key: &str) -> NodeResult {
        super::resource::apply_resource(run, self, n, mi, key).await
    }

    async fn extra(&self, run: &Run, k: usize) -> NodeResult {
        let ch = &self.deletes[k];
        let pnode = provider_node_for_delete(run, ch);
        let mut r = NodeResult::default();
        if let Err(d) = super::resource::delete_instance(run, self, pnode, ch).await {
            r.diags.push(d);
        }
        r
    }

    fn extra_name(&self, k: usize) -> String {
        self.deletes[k].address.clone()
    }
}

fn provider_node_for_delete(run: &Run, ch: &ResourceChange) -> usize {
    crate::plan::provider_instances::provider_node(run, ch).unwrap_or(usize::MAX)
}

/// Delete ordering: a deletion waits for its provider, for the deletion of everything that
/// depended on it, and for the configuration nodes of surviving dependents (so they are
/// updated away from it first).
fn delete_edges(run: &Run, deletes: &[ResourceChange], base: usize) -> Vec<Vec<usize>> {
    let mut by_resource: HashMap<String, Vec<usize>> = HashMap::new();
    for (k, c) in deletes.iter().enumerate() {
        by_resource
            .entry(resource_of(&c.address).into_owned())
            .or_default()
            .push(base + k);
    }
    let deleting: HashMap<&str, usize> = deletes
        .iter()
        .enumerate()
        .map(|(k, c)| (c.address.as_str(), base + k))
        .collect();
    let mut out = vec![Vec::new(); deletes.len()];
    for (k, c) in deletes.iter().enumerate() {
        let p = provider_node_for_delete(run, c);
        if p < run.graph.nodes.len() {
            out[k].push(p);
        }
    }
    for (addr, inst) in &run.prior.resources {
        for dep in &inst.dependencies {
            let Some(targets) = by_resource.get(dep.as_str()) else {
                continue;
            };
            let (waiter, is_delete): (Vec<usize>, bool) = match deleting.get(addr.as_str()) {
                Some(&k) => (vec![k], true),
                None => (run.node_of(addr).into_iter().collect(), false),
            };
            for &t in targets {
                // A surviving dependent is updated away from an object before it is deleted,
                // unless the object is being replaced: then the dependent needs the new one,
                // which comes after the delete (destroy-then-create, as Terraform orders it).
                if !is_delete && deletes[t - base].action == Action::DeleteThenCreate {
                    continue;
                }
                for &w in &waiter {
                    if w != t {
                        out[t - base].push(w);
                    }
                }
            }
        }
    }
    for d in &mut out {
        d.sort_unstable();
        d.dedup();
    }
    out
}

/// Changes the apply walk handles as separate delete nodes, each ordered against its
/// dependents: every delete (of an orphan, of an instance whose key or module instance is
/// gone, of everything for destroy), and the delete halves of destroy-then-create
/// replacements. A resource's node never deletes its own stale instances: a subnet of a
/// removed module instance must go before its VPC, which the VPC's node runs before.
fn standalone_deletes(plan: &Plan) -> Vec<ResourceChange> {
    plan.changes
        .iter()
        .filter(|c| {
            c.action == Action::Delete
                || (c.action == Action::DeleteThenCreate && c.mode == Mode::Managed)
        })
        .cloned()
        .collect()
}
