//! Runs a walk over the graph (plus, when applying, one node per instance to delete) and
//! gathers values, changes and diagnostics. `prepare` loads and checks a configuration;
//! `make_plan` produces a [`Plan`].

use super::model::{
    Action, OutputChange, Plan, Reason, ResourceChange, PLAN_FORMAT, PLAN_FORMAT_VERSION,
};
use super::resource::node_of;
use super::walk::{eval_node, instance_value, resource_of, NodeResult, Run, WalkMode};
use crate::apply::executor::{execute, Limits, Outcome};
use crate::config::{load, Config};
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::{build, Graph, NodeKind};
use crate::lang::Value;
use crate::state::{Mode, State};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A loaded configuration with its graph.
pub struct Prepared {
    pub config: Arc<Config>,
    pub graph: Graph,
    pub config_hash: String,
}

impl Prepared {
    /// A plan walk over this configuration, silent, with parallelism 4: what in-process
    /// tests of planning need (the CLI builds its runs with progress and its own options).
    #[cfg(test)]
    pub(crate) fn plan_run(
        &self,
        dir: &Path,
        registry: crate::provider::Registry,
        vars: BTreeMap<String, Value>,
        prior: State,
        refresh: bool,
    ) -> Run {
        Run::new(
            self.config.clone(),
            Arc::new(self.graph.clone()),
            registry,
            dir.to_path_buf(),
            WalkMode::Plan {
                refresh,
                destroy: false,
            },
            vars,
            Arc::new(prior),
            4,
            None,
            Arc::new(super::walk::Silent),
        )
    }
}

/// Loads `dir`, builds the graph and checks what can be checked without values.
pub fn prepare(
    dir: &Path,
    registry: &crate::provider::Registry,
) -> (Option<Prepared>, Diagnostics) {
    let (config, mut diags) = load(dir);
    // Go on after other load errors, so reference errors come out in the same run.
    if config.incomplete {
        return (None, diags);
    }
    diags.extend(check_module_inputs(&config));
    diags.extend(super::check::check_schemas(&config, registry));
    diags.extend(super::import::check(&config.root));
    let (graph, gd) = build(&config);
    diags.extend(gd);
    if diags.has_errors() {
        return (None, diags);
    }
    let mut h = Sha256::new();
    for (_, f) in config.sources.files() {
        h.update(f.path.to_string_lossy().as_bytes());
        h.update([0]);
        h.update(f.text.as_bytes());
        h.update([0]);
    }
    let config_hash = hex::encode(h.finalize());
    (
        Some(Prepared {
            config: Arc::new(config),
            graph,
            config_hash,
        }),
        diags,
    )
}

/// Module call arguments that the child module does not declare as variables.
fn check_module_inputs(config: &Config) -> Diagnostics {
    fn walk(m: &crate::config::Module, diags: &mut Diagnostics) {
        for (name, call) in &m.module_calls {
            let Some(child) = m.children.get(name) else {
                continue;
            };
            for (arg, a) in &call.inputs {
                if !child.variables.contains_key(arg) {
                    let mut d = Diagnostic::error("Unsupported argument")
                        .detail(format!("An argument named \"{arg}\" is not expected here: module \"{name}\" declares no variable \"{arg}\"."))
                        .subject(a.name_span);
                    if let Some(h) =
                        crate::lang::did_you_mean(arg, child.variables.keys().map(String::as_str))
                    {
                        d = d.help(format!("did you mean \"{h}\"?"));
                    }
                    diags.push(d);
                }
            }
            walk(child, diags);
        }
    }
    let mut d = Diagnostics::new();
    walk(&config.root, &mut d);
    d
}

/// Makes sure every provider an orphaned state instance needs has a node (orphans of
/// removed configuration are deleted with the root module's provider configuration).
pub fn add_orphan_providers(graph: &mut Graph, state: &State) {
    let wanted: std::collections::BTreeSet<&str> = state
        .resources
        .values()
        .map(|i| i.provider.as_str())
        .filter(|p| !p.is_empty())
        .collect();
    for p in wanted {
        let kind = NodeKind::Provider(p.to_string());
        if graph.node(0, &kind).is_none() {
            let id = graph.nodes.len();
            graph.nodes.push(crate::graph::Node {
                module: 0,
                kind: kind.clone(),
                span: None,
                deps: vec![],
            });
            graph.index.insert((0, kind), id);
        }
    }
}

/// What a walk produced.
#[derive(Default)]
pub struct WalkResult {
    pub changes: Vec<ResourceChange>,
    pub diags: Diagnostics,
    /// Root module outputs.
    pub outputs: BTreeMap<String, Value>,
    /// Nodes not run because something they depend on failed.
    pub skipped: Vec<String>,
}

/// Runs the walk. `deletes` become extra nodes (apply of orphan/destroy deletions).
pub async fn walk(run: Arc<Run>, deletes: Vec<ResourceChange>) -> WalkResult {
    let g = run.graph.clone();
    let n_graph = g.nodes.len();
    let mut deps: Vec<Vec<usize>> = g.nodes.iter().map(|n| n.deps.clone()).collect();
    let delete_deps = delete_edges(&run, &deletes, n_graph);
    deps.extend(delete_deps);
    // The delete half of a destroy-then-create replacement runs before the resource's node
    // creates the new object (and after everything that depended on the old one is gone).
    for (k, c) in deletes.iter().enumerate() {
        if c.action == Action::DeleteThenCreate {
            if let Some(rn) = node_of(&run, &c.address) {
                deps[rn].push(n_graph + k);
            }
        }
    }
    let deletes = Arc::new(deletes);
    let results: Arc<Mutex<HashMap<usize, NodeResult>>> = Arc::new(Mutex::new(HashMap::new()));
    let r2 = run.clone();
    let res2 = results.clone();
    let dels = deletes.clone();
    let outcomes = execute(
        &deps,
        move |i| {
            let run = r2.clone();
            let results = res2.clone();
            let dels = dels.clone();
            async move {
                let res = if i < n_graph {
                    eval_node(run.clone(), i).await
                } else {
                    let ch = &dels[i - n_graph];
                    let pnode = provider_node_for_delete(&run, ch);
                    let mut r = NodeResult::default();
                    if let Err(d) = crate::apply::resource::delete_instance(&run, pnode, ch).await {
                        r.diags.push(d);
                    }
                    r
                };
                let mut res = res;
                let ok = !res.failed();
                if i < n_graph {
                    run.triggers.record(i, &res.changes);
                    // The value lives once, in its write-once cell; results keep the rest.
                    let _ = run.values[i].set(std::mem::take(&mut res.value));
                }
                if let Ok(mut m) = results.lock() {
                    m.insert(i, res);
                }
                ok
            }
        },
        |_, _| {},
        Limits {
            heavy: |i: usize| i >= n_graph || matches!(g.nodes[i].kind, NodeKind::Resource(_)),
            // Enough to keep the semaphore and the workers busy; ready resources beyond
            // it wait as indices instead of spawned futures.
            max_heavy: (4 * run.parallelism).max(64),
        },
    )
    .await;
    let mut out = WalkResult::default();
    let mut results = std::mem::take(&mut *results.lock().unwrap_or_else(|e| e.into_inner()));
    for (i, o) in outcomes.iter().enumerate() {
        if let Some(r) = results.remove(&i) {
            out.changes.extend(r.changes);
            out.diags.extend(r.diags);
            if i < n_graph {
                if let (NodeKind::Output(name), 0) = (&g.nodes[i].kind, g.nodes[i].module) {
                    out.outputs.insert(
                        name.clone(),
                        run.values[i].get().cloned().unwrap_or_default(),
                    );
                }
            }
        }
        if *o == Outcome::Skipped {
            let name = if i < n_graph {
                g.describe(i)
            } else {
                deletes[i - n_graph].address.clone()
            };
            if i >= n_graph || matches!(g.nodes[i].kind, NodeKind::Resource(_)) {
                out.skipped.push(name);
            }
        }
    }
    out
}

fn provider_node_for_delete(run: &Run, ch: &ResourceChange) -> usize {
    if let Some(n) = node_of(run, &ch.address) {
        if let Some(&p) = run.graph.provider_of.get(&n) {
            return p;
        }
    }
    // Orphans use the root module's configuration (added by `add_orphan_providers`).
    run.graph
        .node(0, &NodeKind::Provider(ch.provider.clone()))
        .unwrap_or(usize::MAX)
}

/// Delete ordering: a deletion waits for its provider, for the deletion of everything that
/// depended on it, and for the configuration nodes of surviving dependents (so they are
/// updated away from it first).
fn delete_edges(run: &Run, deletes: &[ResourceChange], base: usize) -> Vec<Vec<usize>> {
    let mut by_resource: HashMap<&str, Vec<usize>> = HashMap::new();
    for (k, c) in deletes.iter().enumerate() {
        by_resource
            .entry(resource_of(&c.address))
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
                None => (node_of(run, addr).into_iter().collect(), false),
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

/// Plans: walks in plan (or destroy-plan) mode and assembles the [`Plan`].
pub async fn make_plan(run: Arc<Run>, config_hash: String, had_state: bool) -> (Plan, Diagnostics) {
    let destroy = matches!(run.mode, WalkMode::Plan { destroy: true, .. });
    let res = walk(run.clone(), Vec::new()).await;
    let mut changes = res.changes;
    let mut diags = run.moves.diags.clone();
    diags.extend(res.diags);
    // Orphans: instances whose resource left the configuration (or everything, for destroy).
    for (addr, inst) in &run.prior.resources {
        let in_config = node_of(&run, addr).is_some();
        let targeted = run.targets.as_ref().is_none_or(|t| t.covers(addr));
        if targeted && !run.refresh_only && (destroy || !in_config) {
            changes.push(ResourceChange {
                address: addr.clone(),
                resource: resource_of(addr).to_string(),
                mode: inst.mode,
                type_name: inst.type_name.clone(),
                provider: inst.provider.clone(),
                action: Action::Delete,
                before: Some(instance_value(inst)),
                after: None,
                replace_paths: vec![],
                reason: (!destroy).then(|| orphan_reason(&run, addr)),
                importing: None,
            });
        }
    }
    if destroy {
        changes.retain(|c| c.action == Action::Delete);
    }
    changes.sort_by(|a, b| a.address.cmp(&b.address));
    let (drift, changes): (Vec<ResourceChange>, Vec<ResourceChange>) = changes
        .into_iter()
        .partition(|c| c.reason == Some(Reason::Drift));
    let mut output_changes = Vec::new();
    let prior_outputs = &run.prior.outputs;
    let root = &run.config.root;
    for (name, o) in &root.outputs {
        let node = run
            .graph
            .node(0, &crate::graph::NodeKind::Output(name.clone()));
        if node.is_some_and(|n| !run.targeted(n)) {
            continue;
        }
        let after = if destroy {
            None
        } else {
            res.outputs.get(name).cloned()
        };
        let before = prior_outputs.get(name).map(|p| {
            let v = Value::from_json(&p.value);
            if p.sensitive {
                v.sensitive()
            } else {
                v
            }
        });
        let action = match (&before, &after) {
            (None, Some(_)) => Action::Create,
            (Some(_), None) => Action::Delete,
            (Some(b), Some(a)) if super::diff::same_loose(b, a) => Action::NoOp,
            (Some(_), Some(_)) => Action::Update,
            (None, None) => continue,
        };
        output_changes.push(OutputChange {
            name: name.clone(),
            action,
            before,
            after,
            sensitive: o.sensitive,
        });
    }
    for (name, p) in prior_outputs {
        if !root.outputs.contains_key(name) {
            output_changes.push(OutputChange {
                name: name.clone(),
                action: Action::Delete,
                before: Some(Value::from_json(&p.value)),
                after: None,
                sensitive: p.sensitive,
            });
        }
    }
    for s in &res.skipped {
        diags.push(Diagnostic::warning("Not planned").detail(format!(
            "{s} was not planned because something it depends on failed."
        )));
    }
    let plan = Plan {
        format: PLAN_FORMAT.to_string(),
        format_version: PLAN_FORMAT_VERSION,
        hubctl_version: env!("CARGO_PKG_VERSION").to_string(),
        destroy,
        root_dir: run.root_dir.display().to_string(),
        config_hash,
        state_lineage: had_state.then(|| run.prior.lineage.clone()),
        state_serial: had_state.then_some(run.prior.serial),
        variables: run.vars.clone(),
        changes,
        output_changes,
        errored: diags.has_errors(),
        moved: run.moves.moved.clone(),
        forgotten: run.moves.forgotten.clone(),
        targets: run
            .targets
            .as_ref()
            .map(|t| t.addrs.clone())
            .unwrap_or_default(),
        refresh_only: run.refresh_only,
        drift,
    };
    (plan, diags)
}

/// Changes the apply walk handles as separate delete nodes: deletes of orphans (and of
/// everything, for destroy), and the delete halves of destroy-then-create replacements,
/// each ordered against its dependents.
pub fn standalone_deletes(run: &Run, plan: &Plan) -> Vec<ResourceChange> {
    plan.changes
        .iter()
        .filter(|c| {
            (c.action == Action::Delete && (plan.destroy || node_of(run, &c.address).is_none()))
                || (c.action == Action::DeleteThenCreate && c.mode == Mode::Managed)
        })
        .cloned()
        .collect()
}

/// Whether a state instance counts as managed (for summaries).
pub fn is_managed(m: Mode) -> bool {
    m == Mode::Managed
}

/// Why an instance whose resource left the configuration is deleted: its resource block, or
/// the whole module call, is gone (Terraform's two reasons).
fn orphan_reason(run: &Run, address: &str) -> Reason {
    let module = crate::addr::InstanceAddr::parse(address)
        .map(|a| a.resource.module)
        .unwrap_or_default();
    let mut m = &run.config.root;
    for name in &module {
        match m.children.get(name) {
            Some(child) => m = child,
            None => return Reason::NoModule,
        }
    }
    Reason::NoResourceConfig
}
