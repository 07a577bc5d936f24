//! One skeleton for the EC2 types whose objects carry tags (VPC, subnet, gateways, EIP, route
//! table). A type says how to describe, create and delete its object and how AWS's answer maps
//! to state ([`Tagged`]); [`Ec2`] turns that into the engine's [`Resource`] with the control
//! flow they all share, written once: recovery of an interrupted create (adopt the object
//! tagged with the instance's address, never make a second), import, a refresh of one Describe
//! call per type, tag sync on update, and the delete of a half-created object found by its tag.

use super::common::{filter, id_of, not_found, refresh, s, sync_tags, tag_map, tagged_for};
use crate::config::{clients, AwsClients};
use crate::tags;
use async_trait::async_trait;
use aws_sdk_ec2::types::{Filter, Tag};
use hubctl_core::lang::Type;
use hubctl_core::lang::{Value, VecMap};
use hubctl_core::provider::{
    plan_by_schema, AttrSchema, OpContext, PlannedState, ProviderError, Resource, Schema,
};

/// Where every tagged type's schema starts: `tags` (as the user wrote them), `tags_all` (with
/// the provider's default tags) and the object's `id`.
pub(super) fn tagged_schema() -> Schema {
    let tags = || Type::Map(Box::new(Type::String));
    Schema::new()
        .attr("tags", AttrSchema::optional(tags()))
        .attr("tags_all", AttrSchema::computed(tags()))
        .attr("id", AttrSchema::computed(Type::String))
}

/// Sets `id` and `arn` and returns the owner: the account AWS names, else the caller's. The
/// ARN is AWS's when it reports one, else EC2's form `arn:aws:ec2:<region>:<owner>:<kind>/<id>`.
pub(super) fn set_id_and_arn(
    c: &AwsClients,
    m: &mut VecMap<String, Value>,
    kind: &str,
    id: &str,
    owner: Option<&str>,
    arn: Option<&str>,
) -> String {
    let owner = owner
        .map(str::to_string)
        .or_else(|| c.account_id.clone())
        .unwrap_or_default();
    let arn = arn
        .map(str::to_string)
        .unwrap_or_else(|| format!("arn:aws:ec2:{}:{owner}:{kind}/{id}", c.region));
    m.insert("id".into(), Value::from(id));
    m.insert("arn".into(), Value::String(arn));
    owner
}

/// A tagged EC2 object type. The required items are what differs between types; the provided
/// ones are hooks for the steps only some types have.
#[async_trait]
pub(super) trait Tagged: Send + Sync + 'static {
    /// The SDK's description of one object (`aws_sdk_ec2::types::Subnet`).
    type Api: Send + Sync + 'static;
    const TYPE_NAME: &'static str;
    /// How messages name one object ("subnet", "NAT gateway").
    const NOUN: &'static str;
    /// The Describe operation, for errors (`ec2:DescribeSubnets`).
    const DESCRIBE: &'static str;
    /// Describe's filter on object ids (`subnet-id`).
    const ID_FILTER: &'static str;

    fn schema(&self) -> &'static Schema;
    fn id(x: &Self::Api) -> Option<&str>;
    fn tags(x: &Self::Api) -> &[Tag];
    /// Sets the attributes AWS describes, tags aside (see [`Tagged::from_api`]).
    fn attrs(c: &AwsClients, x: &Self::Api, m: &mut VecMap<String, Value>);
    /// One Describe call (per page) with these filters.
    async fn describe(
        &self,
        c: &AwsClients,
        filters: Vec<Filter>,
    ) -> Result<Vec<Self::Api>, ProviderError>;
    /// The create call; its answer (at least the id) is handed to [`Tagged::finish_create`].
    /// Sends the tags of `tags::for_create`, address tag included, so recovery finds it.
    async fn create(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        planned: &Value,
    ) -> Result<Self::Api, ProviderError>;
    /// Deletes object `id` and waits as the type needs; an object already gone is success.
    async fn delete(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        id: &str,
    ) -> Result<(), ProviderError>;

    /// The state from what AWS describes; `base` (planned or prior) keeps what AWS does not
    /// report, like how the user wrote `tags`. `tags_all` is what AWS has minus the address tag.
    fn from_api(c: &AwsClients, x: &Self::Api, base: &Value) -> Value {
        let mut m = base.as_map().cloned().unwrap_or_default();
        Self::attrs(c, x, &mut m);
        tags::set_attrs(&mut m, base, &tag_map(Self::tags(x)), &c.default_tags);
        Value::Object(m)
    }

    /// The schema's rule with `tags_all` unknown whenever `tags` changes. A replacement is
    /// planned by the engine as a create (no prior), so nothing here is replacement-specific.
    fn plan(&self, prior: Option<&Value>, proposed: Value) -> PlannedState {
        let mut p = plan_by_schema(self.schema(), prior, proposed);
        tags::plan_tags_all(prior, &mut p.planned);
        p
    }

    /// Filters besides the address tag that a recovered object must match (e.g. not deleted).
    fn recovery_filters(&self) -> Vec<Filter> {
        Vec::new()
    }

    /// After the create call or recovery: waits and settings the create call cannot make, then
    /// the final state. By default one Describe.
    async fn finish_create(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        planned: &Value,
        x: Self::Api,
    ) -> Result<Value, ProviderError> {
        let _ = ctx;
        let id = Self::id(&x).unwrap_or_default().to_string();
        let x = fetch(self, c, &id, Lost::AfterCreate).await?;
        Ok(Self::from_api(c, &x, planned))
    }

    /// In-place changes other than tags (which are synced after this).
    async fn update_attrs(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        id: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<(), ProviderError> {
        let _ = (c, ctx, id, prior, planned);
        Ok(())
    }

    /// The state after an update, from the object read back.
    fn updated(&self, c: &AwsClients, x: &Self::Api, prior: &Value, planned: &Value) -> Value {
        let _ = prior;
        Self::from_api(c, x, planned)
    }

    /// Completes an imported state with what a refresh does not read.
    async fn imported(&self, c: &AwsClients, id: &str, v: &mut Value) -> Result<(), ProviderError> {
        let _ = (c, id, v);
        Ok(())
    }
}

/// Why an object that should be there is not, for the error message.
pub(super) enum Lost {
    AfterCreate,
    NotFound,
}

/// Object `id` if AWS has it (one Describe).
pub(super) async fn read<T: Tagged + ?Sized>(
    t: &T,
    c: &AwsClients,
    id: &str,
) -> Result<Option<T::Api>, ProviderError> {
    let found = t
        .describe(c, vec![filter(T::ID_FILTER, [id.to_string()])])
        .await?;
    Ok(found.into_iter().next())
}

/// Object `id`, read with one Describe; its absence is an error naming the Describe call.
pub(super) async fn fetch<T: Tagged + ?Sized>(
    t: &T,
    c: &AwsClients,
    id: &str,
    why: Lost,
) -> Result<T::Api, ProviderError> {
    read(t, c, id).await?.ok_or_else(|| {
        let what = match why {
            Lost::AfterCreate => "vanished right after it was created",
            Lost::NotFound => "not found",
        };
        ProviderError::new(T::DESCRIBE, format!("{} {id} {what}", T::NOUN))
    })
}

/// The object an interrupted create already made, found by its address tag (checked on the
/// answer too, since some implementations ignore filters).
pub(super) async fn find_by_address<T: Tagged + ?Sized>(
    t: &T,
    c: &AwsClients,
    address: &str,
) -> Result<Option<T::Api>, ProviderError> {
    let mut filters = vec![filter(
        &format!("tag:{}", tags::ADDRESS_TAG),
        [address.to_string()],
    )];
    filters.extend(t.recovery_filters());
    let found = t.describe(c, filters).await?;
    Ok(found.into_iter().find(|x| tagged_for(T::tags(x), address)))
}

/// The engine's view of a [`Tagged`] type.
pub(super) struct Ec2<T>(pub T);

#[async_trait]
impl<T: Tagged> Resource for Ec2<T> {
    fn type_name(&self) -> &'static str {
        T::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        self.0.schema()
    }

    fn plan(&self, prior: Option<&Value>, proposed: Value) -> PlannedState {
        self.0.plan(prior, proposed)
    }

    async fn create(&self, ctx: &OpContext<'_>, planned: &Value) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        // An interrupted create may have made the object already: adopt it, never duplicate.
        let existing = if ctx.recovering {
            find_by_address(&self.0, c, ctx.address).await?
        } else {
            None
        };
        let x = match existing {
            Some(x) => x,
            None => self.0.create(c, ctx, planned).await?,
        };
        self.0.finish_create(c, ctx, planned, x).await
    }

    async fn import(&self, ctx: &OpContext<'_>, id: &str) -> Result<Value, ProviderError> {
        let st = Value::map([("id", Value::from(id))]);
        let mut v = match self.read_many(ctx, std::slice::from_ref(&st)).await.pop() {
            Some(Ok(Some(v))) => v,
            Some(Err(e)) => return Err(e),
            Some(Ok(None)) | None => return Err(not_found(T::DESCRIBE, T::TYPE_NAME, id)),
        };
        self.0.imported(clients(ctx)?, id, &mut v).await?;
        Ok(v)
    }

    async fn read_many(
        &self,
        ctx: &OpContext<'_>,
        states: &[Value],
    ) -> Vec<Result<Option<Value>, ProviderError>> {
        let t = &self.0;
        let describe = |c, ids| t.describe(c, vec![filter(T::ID_FILTER, ids)]);
        refresh(ctx, states, describe, T::id, T::from_api).await
    }

    async fn update(
        &self,
        ctx: &OpContext<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        let id = id_of(prior)?;
        self.0.update_attrs(c, ctx, &id, prior, planned).await?;
        sync_tags(c, &id, prior, planned).await?;
        let x = fetch(&self.0, c, &id, Lost::NotFound).await?;
        Ok(self.0.updated(c, &x, prior, planned))
    }

    async fn delete(&self, ctx: &OpContext<'_>, state: &Value) -> Result<(), ProviderError> {
        let c = clients(ctx)?;
        // A create that never finished has no id: what it made, if anything, has the tag.
        let id = match s(state, "id") {
            Some(id) => id,
            None => match find_by_address(&self.0, c, ctx.address).await? {
                Some(x) => T::id(&x).unwrap_or_default().to_string(),
                None => return Ok(()),
            },
        };
        self.0.delete(c, ctx, &id).await
    }
}
