//! Runs a walk: every graph node, plus the extra nodes a step asks for, each the moment
//! what it depends on is done. Values go into the run's write-once cells; the result holds
//! the diagnostics, the root module's outputs and what was skipped.

use super::executor::{execute, Limits, Outcome};
use super::run::Run;
use super::step::{NodeResult, Step};
use crate::config::ResourceMode;
use crate::diag::Diagnostics;
use crate::graph::NodeKind;
use crate::lang::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// Nodes beyond the graph's (apply's standalone deletes), numbered from 0 for the step and
/// placed after the graph's nodes.
#[derive(Default)]
pub struct Extra {
    /// What each extra node waits for (graph node ids, or `graph.nodes.len() + k` for
    /// extra node k).
    pub deps: Vec<Vec<usize>>,
    /// (graph node, extra node k): the graph node waits for the extra node.
    pub before: Vec<(usize, usize)>,
}

/// What a walk produced.
#[derive(Default)]
pub struct WalkResult {
    pub diags: Diagnostics,
    /// Root module outputs.
    pub outputs: BTreeMap<String, Value>,
    /// Resources (and extra nodes) not run because something they depend on failed.
    pub skipped: Vec<String>,
    /// The longest dependency chain by time in provider operations: its total and its
    /// nodes, first to last.
    pub critical_path: (std::time::Duration, Vec<String>),
}

/// Walks the graph of `run` with `step` at the resource nodes.
pub async fn walk(run: Arc<Run>, step: Arc<dyn Step>, extra: Extra) -> WalkResult {
    let g = run.graph.clone();
    let n_graph = g.nodes.len();
    let mut deps: Vec<Vec<usize>> = g.nodes.iter().map(|n| n.deps.clone()).collect();
    deps.extend(extra.deps);
    for (node, k) in extra.before {
        deps[node].push(n_graph + k);
    }
    let results: Arc<Mutex<HashMap<usize, Diagnostics>>> = Arc::default();
    let (r2, res2, s2) = (run.clone(), results.clone(), step.clone());
    let outcomes = execute(
        &deps,
        move |i| {
            let (run, results, step) = (r2.clone(), res2.clone(), s2.clone());
            async move {
                let mut res = super::timing::as_node(i, async {
                    if i < n_graph {
                        eval_node(&run, step.as_ref(), i).await
                    } else {
                        step.extra(&run, i - n_graph).await
                    }
                })
                .await;
                let ok = !res.failed();
                if i < n_graph {
                    // The value lives once, in its write-once cell.
                    let _ = run.values[i].set(std::mem::take(&mut res.value));
                    tell_output(&run, i, ok);
                }
                if let Ok(mut m) = results.lock() {
                    m.insert(i, res.diags);
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
    let mut results = std::mem::take(&mut *results.lock().unwrap_or_else(|e| e.into_inner()));
    let mut out = WalkResult::default();
    let (total, chain) = super::timing::critical_path(&deps, &run.busy.take());
    let describe = |i: usize| {
        if i < n_graph {
            g.describe(i)
        } else {
            step.extra_name(i - n_graph)
        }
    };
    out.critical_path = (total, chain.into_iter().map(describe).collect());
    for (i, o) in outcomes.iter().enumerate() {
        if let Some(d) = results.remove(&i) {
            out.diags.extend(d);
        }
        if i < n_graph {
            if let (NodeKind::Output(name), 0) = (&g.nodes[i].kind, g.nodes[i].module) {
                if let Some(v) = run.values[i].get() {
                    out.outputs.insert(name.clone(), v.clone());
                }
            }
        }
        if *o == Outcome::Skipped {
            if i >= n_graph {
                out.skipped.push(step.extra_name(i - n_graph));
            } else if matches!(g.nodes[i].kind, NodeKind::Resource(_)) {
                out.skipped.push(g.describe(i));
            }
        }
    }
    // Every node is done: nothing needs an ephemeral resource any more.
    out.diags.extend(super::ephemeral::close_all(&run).await);
    out
}

/// Tells the feeds' hook of a root output the moment it is done.
fn tell_output(run: &Run, i: usize, ok: bool) {
    let (Some(hook), true) = (&run.feeds.on_output, ok) else {
        return;
    };
    let node = &run.graph.nodes[i];
    if let (NodeKind::Output(name), 0) = (&node.kind, node.module) {
        if let Some(v) = run.values[i].get() {
            hook(name, v);
        }
    }
}

/// Evaluates graph node `n`: resources by the step, everything else alike in every mode.
async fn eval_node(run: &Run, step: &dyn Step, n: usize) -> NodeResult {
    if !run.targeted(n) {
        return NodeResult::value(Value::unknown(), Diagnostics::new());
    }
    let node = &run.graph.nodes[n];
    let mi = node.module;
    match &node.kind {
        NodeKind::Variable(name) if mi == 0 && run.feeds.vars.contains_key(name) => {
            super::feeds::eval_fed(run, name).await
        }
        NodeKind::Variable(name) => super::nodes::eval_variable(run, mi, name),
        NodeKind::Local(name) => super::nodes::eval_local(run, mi, name),
        NodeKind::Output(name) => super::nodes::eval_output_node(run, mi, name),
        NodeKind::Provider(key) => super::provider::configure(run, n, mi, key).await,
        NodeKind::Resource(key)
            if run.module(mi).resources[key].mode == ResourceMode::Ephemeral =>
        {
            super::ephemeral::open_node(run, n, mi, key).await
        }
        NodeKind::Resource(key) => {
            let res = step.resource(run, n, mi, key).await;
            let scoped = run.module(mi).checks.values().any(|c| c.data.contains(key));
            if scoped && res.failed() {
                return scoped_failure(run, n, res);
            }
            res
        }
        NodeKind::ModuleCall(name) => super::instances::eval_call(run, n, mi, name),
    }
}

/// A data source scoped in a `check` block that failed: as in Terraform, its errors are
/// warnings (the check fails with them as its problems), and its value is unknown.
fn scoped_failure(run: &Run, n: usize, res: NodeResult) -> NodeResult {
    let mut problems = Vec::new();
    let mut diags = Diagnostics::new();
    for mut d in res.diags.0 {
        if d.severity == crate::diag::Severity::Error {
            problems.push(format!("{}: {}", d.summary, d.detail));
            d.severity = crate::diag::Severity::Warning;
        }
        diags.push(d);
    }
    let _ = run.scoped[n].set(problems);
    NodeResult::value(Value::unknown(), diags)
}
