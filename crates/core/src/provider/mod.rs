//! The provider contract. A provider is configured once per `provider` block and hands out
//! resource types; each resource type implements the one [`Resource`] trait (one file per
//! type, one registry line), each data source [`DataSource`] and each ephemeral resource
//! type [`EphemeralResource`]. Adding a type never touches the engine.
//!
//! The contract, after Terraform's resource-instance change lifecycle: the engine merges the
//! configuration with prior state into a *proposed* state; the type's [`Resource::plan`] turns
//! that into the *planned* state (which may hold unknowns) and says which changes force
//! replacement; `create`/`update` must return a wholly known state. Every operation must be
//! idempotent: repeating a create that already happened (found by its `hubctl:address` tag or
//! id) and deleting something already gone are not errors.
//!
//! A provider whose configuration depends on values computed during apply (a Kubernetes
//! provider fed by an EKS cluster's endpoint) is not configured at plan time: its types plan
//! without a client, and the provider is configured during apply as soon as its inputs are
//! known.

pub mod conformance;
mod ephemeral;
pub mod ephemeral_conformance;
mod error;
pub mod plan_check;
mod plan_rule;
mod registry;
pub mod remote_state;
mod schema;
pub mod terraform_data;
pub mod validate;

pub use ephemeral::{EphemeralResource, Opened};
pub use error::{ErrorKind, ProviderError};
pub use plan_check::{Finding, PlannedInstance};
pub use plan_rule::plan_by_schema;
pub use registry::Registry;
pub use schema::{AttrSchema, BlockSchema, Nesting, Schema};
pub use validate::Invalid;

use crate::lang::Value;
use async_trait::async_trait;
use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

/// A configured provider's clients (e.g. the AWS SDK clients for one region/endpoint set);
/// resource types downcast it to their provider's concrete type.
pub type ProviderClient = Arc<dyn Any + Send + Sync>;

/// From a resource's `timeouts { create = "10m" ... }` block; `None` means the type's default.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timeouts {
    pub create: Option<Duration>,
    pub read: Option<Duration>,
    pub update: Option<Duration>,
    pub delete: Option<Duration>,
}

/// What a resource operation gets besides its values.
pub struct OpContext<'a> {
    pub client: &'a ProviderClient,
    /// The instance's full address, for tags and error messages.
    pub address: &'a str,
    pub timeouts: Timeouts,
    /// An earlier create of this instance was interrupted (its intent is in state): the
    /// object may exist already, and a create should look for it (by its address tag)
    /// before making another.
    pub recovering: bool,
    /// The idempotency token of this create (empty for other operations): the same for
    /// every attempt of one intent, across runs, so an API that takes one (EC2's
    /// `ClientToken`, EKS's `clientRequestToken`) answers a resumed create with the object
    /// the interrupted attempt made.
    pub create_token: &'a str,
    /// Waiters report what they wait for here ("NAT gateway pending"); the CLI shows it on
    /// the live line beside the elapsed time.
    pub progress: &'a (dyn Fn(&str) + Send + Sync),
    /// A create reports here what it did about an earlier attempt whose outcome was
    /// unknown, so every run says what it adopted and what it cleaned up.
    pub recovered: &'a (dyn Fn(Recovery) + Send + Sync),
    /// A line for the run's log about the object as the server has it once the operation is
    /// done, which the user should see even when nothing waits for it ("Application
    /// hub-bootstrap: sync Unknown, health Unknown"); shown on a terminal and in plain logs.
    pub note: &'a (dyn Fn(&str) + Send + Sync),
}

/// What a create found of an earlier attempt whose outcome was unknown (a run killed
/// during the call, or an answer lost on the way back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    /// The object that attempt made exists and is now the instance's object.
    Adopted { id: String },
    /// A retried create without an idempotency token made a second object; it was deleted.
    CopyDeleted { id: String },
    /// Nothing of the interrupted create was found, so a new object was made (the engine
    /// reports this one, when a recovering create adopted nothing).
    Absent,
}

/// For contexts nothing recovers in (reads, plans, deletes).
pub fn no_recovery(_: Recovery) {}

/// For contexts whose notes nobody reads (reads, plans, tests).
pub fn no_note(_: &str) {}

/// What planning gets besides its values. `client` is `None` while the provider's own
/// configuration is not known yet (it depends on values computed during apply): the type
/// then plans from configuration alone, leaving what it would have asked the API unknown.
pub struct PlanContext<'a> {
    pub client: Option<&'a ProviderClient>,
    /// The instance's full address, for error messages.
    pub address: &'a str,
}

/// The planned new state of one instance and the attribute paths that force replacement.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedState {
    pub planned: Value,
    pub requires_replace: Vec<String>,
}

/// One managed resource type.
#[async_trait]
pub trait Resource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;

    /// Cross-argument rules, checked at validate and plan time before any API call. The
    /// configuration may hold unknowns (an unknown argument counts as set).
    fn validate(&self, config: &Value) -> Vec<Invalid> {
        let _ = config;
        Vec::new()
    }

    /// Planned state from the prior state and the proposed state (config merged with prior
    /// computed values; unknown where a computed value has no prior). The default marks
    /// changed force-new attributes (at any depth) for replacement and leaves computed
    /// attributes unknown on create; types override it when an attribute's value follows
    /// from others or from the API (a server-side dry run, a policy's canonical form).
    async fn plan(
        &self,
        ctx: &PlanContext<'_>,
        prior: Option<&Value>,
        proposed: Value,
    ) -> Result<PlannedState, ProviderError> {
        let _ = ctx;
        Ok(plan_by_schema(self.schema(), prior, proposed))
    }

    /// Creates the object; returns the full new state (no unknowns).
    async fn create(&self, ctx: &OpContext<'_>, planned: &Value) -> Result<Value, ProviderError>;

    /// Reads the current state of many instances at once (`Ok(None)` for objects that are
    /// gone): one Describe call with an id filter, where the API allows. The engine calls it
    /// once per resource type and provider during refresh. The default keeps the prior state,
    /// for types with nothing remote to read (`terraform_data`).
    async fn read_many(
        &self,
        ctx: &OpContext<'_>,
        states: &[Value],
    ) -> Vec<Result<Option<Value>, ProviderError>> {
        let _ = ctx;
        states.iter().map(|s| Ok(Some(s.clone()))).collect()
    }

    /// Turns a user-given import id (Terraform's import id syntax for the type) into a
    /// minimal state that [`Resource::read_many`] can refresh into a full one. A missing
    /// object is an error naming the API call that looked for it. The default refuses:
    /// types without a remote object (`terraform_data`) have nothing to adopt.
    async fn import(&self, ctx: &OpContext<'_>, id: &str) -> Result<Value, ProviderError> {
        let _ = (ctx, id);
        Err(ProviderError::msg(format!(
            "{} does not support import",
            self.type_name()
        )))
    }

    /// Updates in place. Types without in-place updates mark every argument force-new.
    async fn update(
        &self,
        ctx: &OpContext<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let _ = (ctx, prior, planned);
        Err(ProviderError::msg(format!(
            "{} does not support in-place update",
            self.type_name()
        )))
    }

    async fn delete(&self, ctx: &OpContext<'_>, state: &Value) -> Result<(), ProviderError>;
}

/// One data source type.
#[async_trait]
pub trait DataSource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
    /// As [`Resource::validate`].
    fn validate(&self, config: &Value) -> Vec<Invalid> {
        let _ = config;
        Vec::new()
    }
    async fn read(&self, ctx: &OpContext<'_>, config: &Value) -> Result<Value, ProviderError>;
}

/// A provider: its configuration schema, its types, and how to build its clients.
#[async_trait]
pub trait Provider: Send + Sync {
    fn name(&self) -> &'static str;
    fn config_schema(&self) -> Schema {
        Schema::new()
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>>;
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
    /// Its ephemeral resource types (see [`EphemeralResource`]); none by default.
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        Vec::new()
    }
    /// Rules on the evaluated `provider` block, checked in every mode before configuring:
    /// errors refuse it, warnings name arguments accepted for compatibility that do nothing.
    fn validate(&self, config: &Value) -> Vec<Invalid> {
        let _ = config;
        Vec::new()
    }
    /// For a resource type this build does not have but which belongs to the provider's
    /// world (`helm_release` beside `kubernetes`): why, and the route that works instead.
    /// Each use then gets that as its diagnostic's detail.
    fn unsupported(&self, type_name: &str) -> Option<String> {
        let _ = type_name;
        None
    }
    /// Builds clients from the evaluated `provider` block (null when there is none).
    async fn configure(&self, config: &Value) -> Result<ProviderClient, ProviderError>;
    /// Reads the prior instances of several of its types at once, when a plan that reads
    /// everything starts: `types[i]`'s states are answered in the result's `i`th entry, in
    /// order. The default asks each type's [`Resource::read_many`], `parallel` at a time; a
    /// provider whose API answers several types in one call (IAM's account snapshot)
    /// overrides it to make fewer calls.
    async fn read_types(
        &self,
        ctx: &OpContext<'_>,
        types: &[(Arc<dyn Resource>, Vec<Value>)],
        parallel: usize,
    ) -> Vec<ReadResults> {
        read_each_type(ctx, types, parallel).await
    }
    /// Rules across the plan's instances (see [`plan_check`]): `planned` holds every planned
    /// instance of the plan, whatever its provider; findings are about this provider's own
    /// types (filter by [`PlannedInstance::type_name`]). None by default.
    fn check_plan(&self, planned: &[PlannedInstance]) -> Vec<Finding> {
        let _ = planned;
        Vec::new()
    }
}

/// What [`Resource::read_many`] answers for its states, in their order.
pub type ReadResults = Vec<Result<Option<Value>, ProviderError>>;

/// [`Provider::read_types`]'s default: each type's own `read_many`, `parallel` types at a
/// time, answers in the order of `types`.
pub async fn read_each_type(
    ctx: &OpContext<'_>,
    types: &[(Arc<dyn Resource>, Vec<Value>)],
    parallel: usize,
) -> Vec<ReadResults> {
    use futures_util::stream::{self, StreamExt};
    // Made up front: a lazily mapping stream trips the compiler's `Send` check in callers.
    let reads: Vec<_> = types.iter().map(|(t, s)| t.read_many(ctx, s)).collect();
    stream::iter(reads)
        .buffered(parallel.max(1))
        .collect()
        .await
}
