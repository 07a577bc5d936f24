//! Applying a plan: the apply walk's step, the state writer (one place writes state, with
//! a checkpoint after every resource operation), and the resource operations themselves.

mod ops;
pub mod resource;
pub mod step;
pub mod writer;

#[cfg(test)]
mod deferred_tests;
#[cfg(test)]
mod mocked_tests;
#[cfg(test)]
mod plantimestamp_tests;

use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::moves::MoveReport;
use crate::plan::{Observer, Plan};
use crate::state::{Backend, OutputState, State, StateOp};
use crate::walk::{walk, Run, WalkResult};
use std::sync::Arc;
use step::ApplyStep;
use writer::StateWriter;

/// Why a saved plan cannot be applied to the current state/configuration.
pub fn check_plan_applicable(
    plan: &Plan,
    config_hash: &str,
    prior: Option<&State>,
) -> Result<(), Diagnostic> {
    if plan.format != crate::plan::PLAN_FORMAT
        || plan.format_version != crate::plan::PLAN_FORMAT_VERSION
    {
        return Err(Diagnostic::error("Unsupported plan file").detail(format!(
            "The plan file has format {} version {}; this hubctl reads {} version {}.",
            plan.format,
            plan.format_version,
            crate::plan::PLAN_FORMAT,
            crate::plan::PLAN_FORMAT_VERSION
        )));
    }
    if let Some(d) = mocked_plan(plan) {
        return Err(d);
    }
    if plan.config_hash != config_hash {
        return Err(Diagnostic::error("Saved plan does not match the configuration").detail(
            "The configuration files changed since this plan was made. Make a new plan with `hubctl plan -out FILE` and apply that.",
        ));
    }
    let now = prior.map(|s| (s.lineage.clone(), s.serial));
    let then = plan.state_lineage.clone().zip(plan.state_serial);
    if now != then {
        let describe = |x: &Option<(String, u64)>| match x {
            Some((l, s)) => format!("lineage {l}, serial {s}"),
            None => "no state".to_string(),
        };
        return Err(Diagnostic::error("Saved plan is stale").detail(format!(
            "The state changed since this plan was made (planned against {}, now {}). Another apply ran in between; applying this plan could undo its changes. Make a new plan.",
            describe(&then),
            describe(&now)
        )));
    }
    Ok(())
}

/// Why a plan made with dependency mocks is not applied: it shows what the mocks give.
pub fn mocked_plan(plan: &Plan) -> Option<Diagnostic> {
    if plan.mocked.is_empty() {
        return None;
    }
    Some(Diagnostic::error("Plan uses mock outputs").detail(format!(
        "This plan was made with dependency mock_outputs standing in for outputs not known yet ({}), so it shows what the mocks give, not what the dependencies will. Apply the dependencies first, then plan again.",
        plan.mocked.join("; ")
    )))
}

/// Applies `plan` with the `run`'s configuration (its prior state is `prior` as `moves`
/// rewrote it; the rewrite is persisted first); returns the persisted state.
pub async fn apply(
    run: Arc<Run>,
    plan: Arc<Plan>,
    moves: &MoveReport,
    observer: Arc<dyn Observer>,
    backend: Arc<dyn Backend>,
    prior: State,
) -> (Option<State>, Diagnostics) {
    if let Some(d) = mocked_plan(&plan) {
        return (None, d.into());
    }
    let (writer, handle) = StateWriter::start(backend.clone(), prior);
    let mut diags = Diagnostics::new();
    // `moved`/`removed` blocks rewrote the prior state the walk sees; record the same.
    if !moves.is_empty() {
        if let Err(e) = writer.write(moves.ops(&run.prior)).await {
            diags.push(Diagnostic::error("Failed to persist state").detail(e));
        }
    }
    if let Some(ts) = &plan.timestamp {
        run.use_plan_timestamp(ts.clone());
    }
    let step = ApplyStep::new(plan.clone(), writer.clone(), observer);
    let extra = step.extra(&run);
    let mut res = walk(run.clone(), Arc::new(step), extra).await;
    diags.extend(std::mem::take(&mut res.diags));
    let (bound, chain) = &res.critical_path;
    tracing::info!(target: "hubctl::timing", "critical path {:.3} s: {}", bound.as_secs_f64(), chain.join(" -> "));
    if let Err(e) = writer.write(output_ops(&run, &plan, &res)).await {
        diags.push(Diagnostic::error("Failed to persist state").detail(e));
    }
    if !res.skipped.is_empty() {
        diags.push(
            Diagnostic::error("Dependent operations skipped").detail(format!(
                "Because of the errors above, these were not applied: {}.",
                res.skipped.join(", ")
            )),
        );
    }
    drop(writer);
    drop(run);
    let mut state = match handle.await {
        Ok(s) => s,
        Err(e) => {
            diags.push(Diagnostic::error("State writer failed").detail(e.to_string()));
            return (None, diags);
        }
    };
    state.serial += 1;
    if let Err(e) = backend.persist(&state).await {
        let detail = match e {
            // Fenced: its journal is not this run's to recover either.
            crate::state::StateError::LockLost { .. } => e.to_string(),
            _ => format!("{e}. Every completed operation is recorded in the state journal and will be recovered by the next command."),
        };
        diags.push(Diagnostic::error("Failed to save state").detail(detail));
        return (None, diags);
    }
    (Some(state), diags)
}

/// Whether root output `name` was walked (not left out by `-target`/`-exclude`).
fn output_walked(run: &Run, name: &str) -> bool {
    run.graph
        .node(0, &crate::graph::NodeKind::Output(name.to_string()))
        .is_none_or(|n| run.targeted(n))
}

/// Root outputs: every one that evaluated to a wholly known value is recorded, except null
/// ones, which Terraform does not keep in state (`output NAME` says "not found").
fn output_ops(run: &Run, plan: &Plan, res: &WalkResult) -> Vec<StateOp> {
    let mut ops = Vec::new();
    for (name, o) in &run.config.root.outputs {
        match res.outputs.get(name) {
            Some(v) if !plan.destroy && v.is_null() => {
                ops.push(StateOp::RemoveOutput { name: name.clone() })
            }
            Some(v) if !plan.destroy && v.is_wholly_known() => ops.push(StateOp::SetOutput {
                name: name.clone(),
                output: OutputState::new(v, o.sensitive),
            }),
            // A targeted destroy leaves the outputs it did not walk as stored.
            _ if plan.destroy && output_walked(run, name) => {
                ops.push(StateOp::RemoveOutput { name: name.clone() })
            }
            _ => {}
        }
    }
    for name in run.prior.outputs.keys() {
        if !run.config.root.outputs.contains_key(name) {
            ops.push(StateOp::RemoveOutput { name: name.clone() });
        }
    }
    ops
}
