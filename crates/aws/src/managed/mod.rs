//! The managed-resource adapter every AWS type is built on, whatever its service. A type
//! says how to describe, create and delete its object, declares its attributes once
//! ([`Field`] table), and picks an [`Identity`] and a [`TagStyle`]; [`Adapter`] turns that
//! into the engine's `Resource` with the control flow they share, written once:
//!
//! - recovery of an interrupted create (`OpContext.recovering`): the object is looked for by
//!   its address tag, by its user-given name, or by the composite key its configuration
//!   builds (a route's `rtb_destination`), and adopted, never duplicated;
//! - delete-if-gone: a delete answered with `ErrorKind::NotFound` (each service's spelling,
//!   mapped in `error.rs`) is success, and so is a delete with nothing to delete;
//! - import by id, and a batched refresh (chunked keys, every page: [`refresh`]);
//! - tag sync on update, and `tags` / `tags_all` in state.
//!
//! Client tokens (`CreateNatGateway`, `CreateRouteTable`) guard the retries of one create
//! call; they are random per create, since a token derived from the configuration would
//! hand a replacement with an unchanged configuration its predecessor back.

mod fields;
mod identity;
pub mod refresh;
pub mod tags;
mod wait;

pub use fields::*;
pub use identity::Identity;
pub use tags::TagStyle;
pub use wait::wait_for;

use crate::config::{clients, AwsClients};
use async_trait::async_trait;
use hubctl_core::lang::Value;
use hubctl_core::provider::{
    plan_by_schema, Invalid, OpContext, PlanContext, PlannedState, ProviderError, Resource, Schema,
};
use std::collections::BTreeMap;

/// What the hooks of a create, update or delete work with: the clients (it derefs to them,
/// so `c.ec2` and `fetch(self, c, id)` read as with the bare clients) and the operation's
/// context (`c.ctx`: address, timeouts, progress line).
#[derive(Clone, Copy)]
pub struct Op<'a> {
    pub c: &'a AwsClients,
    pub ctx: &'a OpContext<'a>,
}

impl std::ops::Deref for Op<'_> {
    type Target = AwsClients;
    fn deref(&self) -> &AwsClients {
        self.c
    }
}

/// Tags as sent and read: key to value.
pub type Tags = BTreeMap<String, String>;

/// How a Describe is asked for objects.
#[derive(Clone, Copy)]
pub enum Lookup<'a> {
    /// By lookup key (at most [`Managed::MAX_KEYS`] per call).
    Keys(&'a [String]),
    /// What an interrupted create of this address made, by its address tag.
    AddressTag(&'a str),
}

impl<'a> Lookup<'a> {
    /// The keys looked up; none for an address-tag lookup (what types without tags answer).
    pub fn keys(self) -> &'a [String] {
        match self {
            Lookup::Keys(k) => k,
            Lookup::AddressTag(_) => &[],
        }
    }
}

/// A managed AWS object type. The required items are what differs between types; the
/// provided ones are hooks for the steps only some types have.
#[async_trait]
pub trait Managed: Send + Sync + 'static {
    /// The SDK's description of one object (`aws_sdk_ec2::types::Subnet`).
    type Api: Send + Sync + 'static;
    const TYPE_NAME: &'static str;
    /// How messages name one object ("subnet", "NAT gateway").
    const NOUN: &'static str;
    /// The Describe operation, for errors (`ec2:DescribeSubnets`).
    const DESCRIBE: &'static str;
    /// How the object is named; most objects have an id AWS assigns.
    const IDENTITY: Identity = Identity::ServerId;
    const TAGS: TagStyle = TagStyle::None;
    /// The most keys one Describe takes (EC2: 200 values per filter).
    const MAX_KEYS: usize = 200;
    /// Whether [`Managed::create`] answers the object as completely as Describe does (the
    /// create call's own description of it, or one built from what was sent), so the
    /// default [`Managed::finish_create`] needs no read-back. Each read-back is a round trip
    /// per object on every apply, and right after a create it can miss the object, as
    /// describes are eventually consistent. The conformance suite's read after create checks it.
    const CREATE_ANSWER_COMPLETE: bool = false;

    /// The attribute table; `tags` / `tags_all` are added for types with tags.
    fn fields() -> &'static [&'static Field<Self::Api>];
    /// The lookup key of a described object (for a server-assigned id, its id).
    fn key(x: &Self::Api) -> Option<String>;
    /// The object's tags as AWS has them, the address tag included.
    fn tags(x: &Self::Api) -> Tags {
        let _ = x;
        BTreeMap::new()
    }
    /// One lookup, following every page.
    async fn describe(
        &self,
        c: &AwsClients,
        by: Lookup<'_>,
    ) -> Result<Vec<Self::Api>, ProviderError>;
    /// The create call, sending `tags` (`tags_all` and the address tag) where the type has
    /// tags; its answer (at least the key) goes to [`Managed::finish_create`].
    async fn create(
        &self,
        c: &Op<'_>,
        planned: &Value,
        tags: &Tags,
    ) -> Result<Self::Api, ProviderError>;
    /// Deletes object `key` and waits as the type needs. A `NotFound` answer is success.
    async fn delete(&self, c: &Op<'_>, key: &str) -> Result<(), ProviderError>;

    /// [`Managed::delete`] for types whose delete needs the state (a KMS key's deletion
    /// window, `revoke_rules_on_delete`); by default the key alone.
    async fn delete_state(
        &self,
        c: &Op<'_>,
        key: &str,
        state: &Value,
    ) -> Result<(), ProviderError> {
        let _ = state;
        self.delete(c, key).await
    }

    /// The lookup key a state holds (see [`Identity::state_key`]).
    fn state_key(state: &Value) -> Option<String> {
        Self::IDENTITY.state_key(state)
    }

    /// Cross-argument rules (see `Resource::validate`).
    fn validate(&self, config: &Value) -> Vec<Invalid> {
        let _ = config;
        Vec::new()
    }

    /// The schema's rule, with `tags_all` unknown whenever `tags` changes, and policy
    /// documents that mean what the prior ones meant kept as they were.
    fn plan(&self, schema: &Schema, prior: Option<&Value>, proposed: Value) -> PlannedState {
        let mut p = plan_by_schema(schema, prior, proposed);
        for f in Self::fields().iter().filter(|f| f.is_policy()) {
            crate::policy::keep_equivalent(prior, &mut p.planned, f.name);
        }
        if Self::TAGS.has_tags() {
            crate::tags::plan_tags_all(prior, &mut p.planned);
        }
        p
    }

    /// The object an interrupted create already made (see [`identity::find_existing`]).
    async fn find_existing(
        &self,
        c: &Op<'_>,
        planned: &Value,
    ) -> Result<Option<Self::Api>, ProviderError> {
        identity::find_existing(self, c, planned).await
    }

    /// After the create call or recovery: waits and settings the create call cannot make;
    /// returns the object as it is now. By default the answer itself where it is complete
    /// ([`Managed::CREATE_ANSWER_COMPLETE`]), else one Describe.
    async fn finish_create(
        &self,
        c: &Op<'_>,
        planned: &Value,
        x: Self::Api,
    ) -> Result<Self::Api, ProviderError> {
        let _ = planned;
        if Self::CREATE_ANSWER_COMPLETE {
            return Ok(x);
        }
        fetch(self, c, &Self::key(&x).unwrap_or_default()).await
    }

    /// In-place changes other than tags (synced after this). Returns the new key when the
    /// change gives the object a new one (`ReplaceRouteTableAssociation`).
    async fn update_attrs(
        &self,
        c: &Op<'_>,
        key: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        let _ = (c, key, prior, planned);
        Ok(None)
    }

    /// Reads what Describe does not report (a VPC's default route table), once after a
    /// create and an import; a refresh keeps it from the prior state ([`Field::kept`]).
    async fn complete(
        &self,
        c: &AwsClients,
        key: &str,
        state: &mut Value,
    ) -> Result<(), ProviderError> {
        let _ = (c, key, state);
        Ok(())
    }

    /// [`Managed::complete`] at an import, which has no plan: what a create knows from its
    /// planned values (a VPC's DNS flags as it set them), an import must read.
    async fn complete_import(
        &self,
        c: &AwsClients,
        key: &str,
        state: &mut Value,
    ) -> Result<(), ProviderError> {
        self.complete(c, key, state).await
    }

    /// The lookup key of a user-given import id (Terraform's syntax for the type).
    async fn import_key(&self, c: &AwsClients, id: &str) -> Result<String, ProviderError> {
        let _ = c;
        Ok(id.to_string())
    }
}

/// The state of a described object: every field of the table (`kept` ones from `base`, the
/// planned or prior value), and for tagged types `tags` in the shape `base` has them and
/// `tags_all` as AWS has them, the address tag left out.
pub fn from_api<T: Managed + ?Sized>(t: &T, c: &AwsClients, x: &T::Api, base: &Value) -> Value {
    let _ = t;
    let mut m = read_fields(c, x, base, T::fields());
    if T::TAGS.has_tags() {
        let actual = tags::visible(T::tags(x));
        crate::tags::set_attrs(&mut m, base, &actual, &c.default_tags);
    }
    Value::Object(m)
}

/// The object a create call answered, which must carry its key.
pub fn created<T: Managed + ?Sized>(op: &str, x: Option<&T::Api>) -> Result<T::Api, ProviderError>
where
    T::Api: Clone,
{
    let x = x.filter(|x| T::key(x).is_some()).cloned();
    x.ok_or_else(|| ProviderError::new(op, format!("the response has no {} id", T::NOUN)))
}

/// Terraform's error for an import id that names nothing.
pub fn no_such<T: Managed + ?Sized>(id: &str) -> ProviderError {
    let msg = format!("no {} with id \"{id}\" exists", T::TYPE_NAME);
    ProviderError::new(T::DESCRIBE, msg)
}

/// A value a call must answer (an id), or an error naming the call and `what` is missing.
pub fn returned<'a>(op: &str, what: &str, x: Option<&'a str>) -> Result<&'a str, ProviderError> {
    x.ok_or_else(|| ProviderError::new(op, format!("the response has no {what}")))
}

/// Object `key` if AWS has it.
pub async fn read_one<T: Managed + ?Sized>(
    t: &T,
    c: &AwsClients,
    key: &str,
) -> Result<Option<T::Api>, ProviderError> {
    let keys = [key.to_string()];
    Ok(refresh::describe_keys(t, c, &keys).await?.remove(key))
}

/// Object `key`; its absence is an error naming the Describe call.
pub async fn fetch<T: Managed + ?Sized>(
    t: &T,
    c: &AwsClients,
    key: &str,
) -> Result<T::Api, ProviderError> {
    read_one(t, c, key).await?.ok_or_else(|| {
        ProviderError::new(T::DESCRIBE, format!("{} {key} not found", T::NOUN))
            .kind(hubctl_core::provider::ErrorKind::NotFound)
    })
}

/// The two parts of an import id `A<sep>B` (Terraform's composite import ids), both
/// non-empty; otherwise an error naming the `expected` form.
pub fn import_parts<'a>(
    type_name: &str,
    id: &'a str,
    sep: char,
    expected: &str,
) -> Result<(&'a str, &'a str), ProviderError> {
    match id.split_once(sep) {
        Some((a, b)) if !a.is_empty() && !b.is_empty() => Ok((a, b)),
        _ => Err(ProviderError::msg(format!(
            "invalid {type_name} import id \"{id}\": expected {expected}"
        ))),
    }
}

/// The schema a managed type declares: its table, plus `tags` / `tags_all` where it has tags.
pub fn schema_for<T: Managed + ?Sized>() -> Schema {
    let s = schema_of(T::fields());
    if !T::TAGS.has_tags() {
        return s;
    }
    let map = || hubctl_core::lang::Type::Map(Box::new(hubctl_core::lang::Type::String));
    s.attr("tags", hubctl_core::provider::AttrSchema::optional(map()))
        .attr(
            "tags_all",
            hubctl_core::provider::AttrSchema::computed(map()),
        )
}

/// Tells the engine the create adopted `x`, made by an earlier attempt.
fn adopted<T: Managed>(ctx: &OpContext<'_>, x: &T::Api) {
    let id = T::key(x).unwrap_or_default();
    (ctx.recovered)(hubctl_core::provider::Recovery::Adopted { id });
}

/// The engine's view of a [`Managed`] type.
pub struct Adapter<T> {
    t: T,
    schema: Schema,
}

impl<T: Managed> Adapter<T> {
    pub fn new(t: T) -> Self {
        Adapter {
            t,
            schema: schema_for::<T>(),
        }
    }

    /// The type's create call, safe against lost answers: when an attempt's outcome was
    /// unknown (the SDK retried a dropped connection or a 5xx, or gave up on one), or the
    /// create retries an interrupted run's, what the calls made is looked up by the type's
    /// identity and adopted, and the extra copies a create without an idempotency token
    /// made are deleted.
    async fn create_call(&self, op: &Op<'_>, planned: &Value) -> Result<T::Api, ProviderError> {
        let tags = crate::tags::for_create(&op.c.default_tags, planned, op.ctx.address);
        let (made, ambiguous) = crate::ambiguity::watch(self.t.create(op, planned, &tags)).await;
        // A recovering create races the interrupted run's call, which AWS may still be
        // carrying out: its object can appear after the lookup that found nothing.
        let unsure = ambiguous || op.ctx.recovering;
        let kept = match made {
            Ok(x) => x,
            Err(e) if !unsure => return Err(e),
            Err(e) => match self.t.find_existing(op, planned).await? {
                // A tagged object must carry this address: one that doesn't is somebody
                // else's, and the error (a name conflict, say) stands.
                Some(x) if T::TAGS.has_tags() && !tags::carries(&T::tags(&x), op.ctx.address) => {
                    return Err(e)
                }
                Some(x) => {
                    tracing::debug!(target: "hubctl::recovery", address = op.ctx.address, "{e}; adopting what the unanswered call made");
                    adopted::<T>(op.ctx, &x);
                    x
                }
                None => return Err(e),
            },
        };
        if unsure {
            identity::delete_copies(&self.t, op, &kept).await?;
        }
        Ok(kept)
    }

    /// What an interrupted create made, looked for twice: AWS lists a new object only
    /// after a while (describe calls are eventually consistent), and the interrupted
    /// run's call may still be under way when this run starts.
    async fn find_interrupted(
        &self,
        op: &Op<'_>,
        planned: &Value,
    ) -> Result<Option<T::Api>, ProviderError> {
        let found = self.t.find_existing(op, planned).await?;
        if found.is_some() || !identity::findable::<T>() {
            return Ok(found);
        }
        tokio::time::sleep(settle_delay()).await;
        self.t.find_existing(op, planned).await
    }
}

/// How long a recovering create waits before its second look for the interrupted call's
/// object: `HUBCTL_RECOVERY_SETTLE` (seconds, fractions allowed), else 2 s.
fn settle_delay() -> std::time::Duration {
    std::env::var("HUBCTL_RECOVERY_SETTLE")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(
            std::time::Duration::from_secs(2),
            std::time::Duration::from_secs_f64,
        )
}

#[async_trait]
impl<T: Managed> Resource for Adapter<T> {
    fn type_name(&self) -> &'static str {
        T::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Vec<Invalid> {
        self.t.validate(config)
    }

    async fn plan(
        &self,
        _ctx: &PlanContext<'_>,
        prior: Option<&Value>,
        proposed: Value,
    ) -> Result<PlannedState, ProviderError> {
        Ok(self.t.plan(&self.schema, prior, proposed))
    }

    async fn create(&self, ctx: &OpContext<'_>, planned: &Value) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        let op = Op { c, ctx };
        // An interrupted create may have made the object already: adopt it, never duplicate.
        let existing = if ctx.recovering {
            self.find_interrupted(&op, planned).await?
        } else {
            None
        };
        let x = match existing {
            Some(x) => {
                adopted::<T>(ctx, &x);
                x
            }
            None => self.create_call(&op, planned).await?,
        };
        let x = self.t.finish_create(&op, planned, x).await?;
        let mut v = from_api(&self.t, c, &x, planned);
        self.t
            .complete(c, &T::key(&x).unwrap_or_default(), &mut v)
            .await?;
        Ok(v)
    }

    async fn import(&self, ctx: &OpContext<'_>, id: &str) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        let key = self.t.import_key(c, id).await?;
        let Some(x) = read_one(&self.t, c, &key).await? else {
            return Err(no_such::<T>(id));
        };
        let mut v = from_api(&self.t, c, &x, &Value::Null);
        self.t.complete_import(c, &key, &mut v).await?;
        Ok(v)
    }

    async fn read_many(
        &self,
        ctx: &OpContext<'_>,
        states: &[Value],
    ) -> Vec<Result<Option<Value>, ProviderError>> {
        match clients(ctx) {
            Ok(c) => refresh::read_many(&self.t, c, states).await,
            Err(e) => states.iter().map(|_| Err(e.clone())).collect(),
        }
    }

    async fn update(
        &self,
        ctx: &OpContext<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        let key = T::state_key(prior)
            .ok_or_else(|| ProviderError::msg("the state of this resource has no id"))?;
        let op = Op { c, ctx };
        let key = match self.t.update_attrs(&op, &key, prior, planned).await? {
            Some(new) => new,
            None => key,
        };
        T::TAGS.sync(c, &key, prior, planned).await?;
        let x = fetch(&self.t, c, &key).await?;
        Ok(from_api(&self.t, c, &x, planned))
    }

    async fn delete(&self, ctx: &OpContext<'_>, state: &Value) -> Result<(), ProviderError> {
        let op = Op {
            c: clients(ctx)?,
            ctx,
        };
        // A create that never finished has no key: what it made, if anything, is found as
        // a recovering create would find it.
        let key = match T::state_key(state) {
            Some(k) => k,
            None => match self.t.find_existing(&op, state).await? {
                Some(x) => T::key(&x).unwrap_or_default(),
                None => return Ok(()),
            },
        };
        match self.t.delete_state(&op, &key, state).await {
            Err(e) if e.is_not_found() => Ok(()),
            r => r,
        }
    }
}

/// Checks that a type's read of a representative object returns exactly its schema's
/// attributes and blocks: no more, no fewer.
#[cfg(test)]
pub fn assert_read_matches_schema<T: Managed>(t: T, x: &T::Api) {
    let c = crate::ec2::test_clients(Default::default());
    let a = Adapter::new(t);
    let v = from_api(&a.t, &c, x, &Value::Null);
    let got: std::collections::BTreeSet<&str> = v
        .as_map()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    let want: std::collections::BTreeSet<&str> = a
        .schema
        .attributes
        .keys()
        .chain(a.schema.blocks.keys())
        .map(String::as_str)
        .collect();
    assert_eq!(got, want, "{}: read vs schema", T::TYPE_NAME);
}
