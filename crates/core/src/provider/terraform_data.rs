//! `terraform_data`: Terraform's built-in resource with no API behind it. It stores `input`
//! and mirrors it to `output` at apply; a change of `triggers_replace` replaces it.
//!
//! Planning follows Terraform: on create and whenever `input` changes, `output` is unknown
//! until apply (so dependents see "known after apply"); `id` is a fresh UUID per create.

use super::{
    AttrSchema, OpContext, PlanContext, PlannedState, Provider, ProviderClient, ProviderError,
    Resource, Schema,
};
use crate::lang::{Type, Value};
use async_trait::async_trait;
use std::sync::{Arc, OnceLock};

/// The built-in `terraform` provider: `terraform_data`, and `terraform_remote_state` read
/// through its state reader (local files unless the CLI gives one that knows more backends).
pub struct TerraformProvider {
    states: Arc<dyn super::remote_state::StateReader>,
}

impl Default for TerraformProvider {
    fn default() -> Self {
        let base = std::env::current_dir().unwrap_or_default();
        TerraformProvider::with_states(Arc::new(super::remote_state::LocalStates { base }))
    }
}

impl TerraformProvider {
    pub fn with_states(states: Arc<dyn super::remote_state::StateReader>) -> Self {
        TerraformProvider { states }
    }
}

#[async_trait]
impl Provider for TerraformProvider {
    fn name(&self) -> &'static str {
        "terraform"
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(TerraformData)]
    }
    fn data_sources(&self) -> Vec<Arc<dyn super::DataSource>> {
        vec![Arc::new(super::remote_state::RemoteState)]
    }
    async fn configure(&self, _config: &Value) -> Result<ProviderClient, ProviderError> {
        Ok(Arc::new(super::remote_state::Readers(self.states.clone())))
    }
}

pub struct TerraformData;

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        Schema::new()
            .attr("id", AttrSchema::computed(Type::String))
            .attr("input", AttrSchema::optional(Type::Any))
            .attr("output", AttrSchema::computed(Type::Any))
            .attr(
                "triggers_replace",
                AttrSchema::optional(Type::Any).force_new(),
            )
    })
}

fn attr<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.get_attr(name).unwrap_or(&Value::Null)
}

fn with(mut v: Value, name: &str, x: Value) -> Value {
    if let Some(m) = v.as_map_mut() {
        m.insert(name.to_string(), x);
    }
    v
}

/// `output` as planned: the input itself when null, else unknown until apply. (Terraform
/// types the unknown like the input; hubctl's unknowns are untyped here: the type is only
/// used for messages, and a typed object costs a tree per resource.)
fn planned_output(input: &Value) -> Value {
    if input.is_null() {
        Value::Null
    } else {
        Value::unknown()
    }
}

/// Terraform's rule: `id` is new per create, `output` unknown whenever `input` changes.
fn plan_instance(prior: Option<&Value>, proposed: Value) -> PlannedState {
    let input = attr(&proposed, "input").clone();
    match prior {
        None => {
            let p = with(proposed, "id", Value::Unknown(Type::String));
            PlannedState {
                planned: with(p, "output", planned_output(&input)),
                requires_replace: vec![],
            }
        }
        Some(prior) if attr(prior, "triggers_replace") != attr(&proposed, "triggers_replace") => {
            let p = with(proposed, "id", Value::Unknown(Type::String));
            PlannedState {
                planned: with(p, "output", planned_output(&input)),
                requires_replace: vec!["triggers_replace".into()],
            }
        }
        Some(prior) if attr(prior, "input") != &input => {
            let p = with(proposed, "id", attr(prior, "id").clone());
            PlannedState {
                planned: with(p, "output", planned_output(&input)),
                requires_replace: vec![],
            }
        }
        Some(prior) => {
            let p = with(proposed, "id", attr(prior, "id").clone());
            PlannedState {
                planned: with(p, "output", attr(prior, "output").clone()),
                requires_replace: vec![],
            }
        }
    }
}

#[async_trait]
impl Resource for TerraformData {
    fn type_name(&self) -> &'static str {
        "terraform_data"
    }

    fn schema(&self) -> &Schema {
        schema()
    }

    async fn plan(
        &self,
        _ctx: &PlanContext<'_>,
        prior: Option<&Value>,
        proposed: Value,
    ) -> Result<PlannedState, ProviderError> {
        Ok(plan_instance(prior, proposed))
    }

    async fn create(&self, _ctx: &OpContext<'_>, planned: &Value) -> Result<Value, ProviderError> {
        let p = with(
            planned.clone(),
            "id",
            Value::String(uuid::Uuid::new_v4().to_string()),
        );
        let input = attr(&p, "input").clone();
        Ok(with(p, "output", input))
    }

    async fn update(
        &self,
        _ctx: &OpContext<'_>,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let input = attr(planned, "input").clone();
        Ok(with(planned.clone(), "output", input))
    }

    /// As Terraform's: the id becomes the instance's id, and everything else starts unset.
    async fn import(&self, _ctx: &OpContext<'_>, id: &str) -> Result<Value, ProviderError> {
        Ok(Value::map([("id", Value::from(id))]))
    }

    async fn delete(&self, _ctx: &OpContext<'_>, _state: &Value) -> Result<(), ProviderError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(input: Value, trig: Value) -> Value {
        Value::map([
            ("input", input),
            ("triggers_replace", trig),
            ("id", Value::Null),
            ("output", Value::Null),
        ])
    }

    #[test]
    fn create_plans_unknown_id_and_output() {
        let p = plan_instance(None, obj(Value::from("a"), Value::Null));
        assert!(attr(&p.planned, "id").is_unknown());
        assert!(attr(&p.planned, "output").is_unknown());
    }

    #[test]
    fn trigger_change_forces_replacement_input_change_does_not() {
        let prior = Value::map([
            ("input", Value::from("a")),
            ("triggers_replace", Value::from("1")),
            ("id", Value::from("x")),
            ("output", Value::from("a")),
        ]);
        let p = plan_instance(Some(&prior), obj(Value::from("a"), Value::from("2")));
        assert_eq!(p.requires_replace, vec!["triggers_replace".to_string()]);
        let p = plan_instance(Some(&prior), obj(Value::from("b"), Value::from("1")));
        assert!(p.requires_replace.is_empty());
        assert_eq!(attr(&p.planned, "id"), &Value::from("x"));
        assert!(attr(&p.planned, "output").is_unknown());
        let p = plan_instance(Some(&prior), obj(Value::from("a"), Value::from("1")));
        assert_eq!(p.planned, prior);
    }
}
