//! Applying a plan: the DAG executor, the state writer (one place writes state, with a
//! checkpoint after every resource operation), and the resource operations themselves.

pub mod executor;
pub mod resource;
pub mod writer;

use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::driver::{standalone_deletes, walk};
use crate::plan::walk::Run;
use crate::plan::Plan;
use crate::state::{Backend, OutputState, State, StateOp};
use std::sync::Arc;
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

/// Applies `plan` with the `run`'s configuration; returns the persisted state.
pub async fn apply(
    make_run: impl FnOnce(Option<StateWriter>) -> Run,
    plan: Arc<Plan>,
    backend: Arc<dyn Backend>,
    prior: State,
) -> (Option<State>, Diagnostics) {
    let (writer, handle) = StateWriter::start(backend.clone(), prior);
    let run = Arc::new(make_run(Some(writer.clone())));
    let mut diags = Diagnostics::new();
    // `moved`/`removed` blocks rewrote the prior state the walk sees; record the same.
    if !run.moves.is_empty() {
        if let Err(e) = writer.write(run.moves.ops(&run.prior)).await {
            diags.push(Diagnostic::error("Failed to persist state").detail(e));
        }
    }
    let deletes = standalone_deletes(&run, &plan);
    let res = walk(run.clone(), deletes).await;
    diags.extend(res.diags);
    // Root outputs: every one that evaluated to a wholly known value is recorded, except
    // null ones, which Terraform does not keep in state (`output NAME` says "not found").
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
            _ if plan.destroy => ops.push(StateOp::RemoveOutput { name: name.clone() }),
            _ => {}
        }
    }
    for name in run.prior.outputs.keys() {
        if !run.config.root.outputs.contains_key(name) {
            ops.push(StateOp::RemoveOutput { name: name.clone() });
        }
    }
    if let Err(e) = writer.write(ops).await {
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
        diags.push(
            Diagnostic::error("Failed to save state")
                .detail(format!("{e}. Every completed operation is recorded in the state journal and will be recovered by the next command.")),
        );
        return (None, diags);
    }
    (Some(state), diags)
}
