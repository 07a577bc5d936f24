//! Applying a `-refresh-only` plan: no provider is called; the state takes what the refresh
//! read (objects changed or gone outside hubctl) and the outputs computed from it.

use super::model::{Action, Plan, Reason, ResourceChange};
use crate::config::Resource;
use crate::lang::Value;
use crate::provider::Schema;
use crate::state::{InstanceState, OutputState, State, StateOp};
use crate::walk::Run;

/// Planning one instance in refresh-only mode: the value dependents see (what was read, or
/// the stored value) and the drift between the stored object and the one read, if any.
/// `addrs` is (instance address, resource address).
pub(super) fn drift(
    run: &Run,
    n: usize,
    r: &Resource,
    addrs: (&str, &str),
    schema: &Schema,
    stored: Option<&InstanceState>,
    read: Option<Value>,
) -> (Value, Option<ResourceChange>) {
    let Some(p) = stored else {
        return (Value::unknown(), None);
    };
    let before = super::resource::normalize(schema, p.value());
    let value = read.clone().unwrap_or_else(Value::unknown);
    let action = match &read {
        Some(now) if super::diff::same(&before, now) => return (value, None),
        Some(_) => Action::Update,
        None => Action::Delete,
    };
    let change = super::resource::change(
        run,
        n,
        r,
        addrs.0,
        addrs.1,
        action,
        Some(before),
        read,
        vec![],
        Some(Reason::Drift),
    );
    (value, Some(change))
}

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
                output: OutputState::new(v, o.sensitive),
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
