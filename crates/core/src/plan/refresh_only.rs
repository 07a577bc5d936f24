//! Applying a `-refresh-only` plan: no provider is called; the state takes what the refresh
//! read (objects changed or gone outside hubctl) and the outputs computed from it.

use super::model::{Action, Plan};
use crate::state::{OutputState, State, StateOp};

/// The state changes that record a refresh-only plan's drift and outputs.
pub fn record_ops(plan: &Plan, prior: &State) -> Vec<StateOp> {
    let mut ops = Vec::new();
    for c in &plan.drift {
        match (&c.after, prior.resources.get(&c.address)) {
            (Some(after), Some(inst)) if c.action == Action::Update => {
                let mut instance = inst.clone();
                instance.attributes = after.to_json();
                ops.push(StateOp::SetInstance {
                    address: c.address.clone(),
                    instance,
                });
            }
            _ if c.action == Action::Delete => ops.push(StateOp::RemoveInstance {
                address: c.address.clone(),
            }),
            _ => {}
        }
    }
    for o in &plan.output_changes {
        match &o.after {
            Some(v) if v.is_wholly_known() && !v.is_null() => ops.push(StateOp::SetOutput {
                name: o.name.clone(),
                output: OutputState {
                    value: v.to_json(),
                    sensitive: o.sensitive || v.contains_sensitive(),
                },
            }),
            Some(v) if v.is_null() => ops.push(StateOp::RemoveOutput {
                name: o.name.clone(),
            }),
            None if o.action == Action::Delete => ops.push(StateOp::RemoveOutput {
                name: o.name.clone(),
            }),
            _ => {}
        }
    }
    ops
}
