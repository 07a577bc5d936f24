//! `aws_route_table`.
//!
//! API calls: `CreateRouteTable` (tags in `TagSpecifications`, a fresh `ClientToken`),
//! `CreateRoute` / `ReplaceRoute` / `DeleteRoute` (inline routes), `EnableVgwRoutePropagation`
//! / `DisableVgwRoutePropagation`, `DescribeRouteTables` (refresh: one call per 200 tables,
//! filtered by `route-table-id`), `CreateTags` / `DeleteTags`, `DisassociateRouteTable` (every
//! association, before) `DeleteRouteTable`.
//! Force-new: `vpc_id`.
//! Waiter: after create, until DescribeRouteTables lists the table (default 5m).
//! Quirks: `route` is optional *and computed*, as in Terraform: with no `route` blocks the
//! table keeps whatever routes it has, so separate `aws_route` resources do not fight it (the
//! price: removing every inline block leaves the routes in place). The `local` route, routes
//! propagated from a VPN gateway and gateway-endpoint routes are never part of `route`.

use super::common::{arn, client_token, filters, gone, owner};
use super::routes::{
    self, describe, nulls_to_empty, route_changes, targets_of, Dest, DestNames, RouteChanges,
    TARGETS,
};
use crate::config::AwsClients;
use crate::error;
use crate::managed::tags::{ec2_map, ec2_spec, EC2};
use crate::managed::{computed_str, opt, read_one, required_str_new, wait_for};
use crate::managed::{fetch, Field, Identity, Lookup, Managed, TagStyle};
use async_trait::async_trait;
use aws_sdk_ec2::types::{ResourceType, Route, RouteOrigin, RouteTable as ApiTable};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::validate::exactly_one_of;
use hubctl_core::provider::{
    plan_by_schema, AttrSchema, BlockSchema, Invalid, Nesting, OpContext, PlannedState,
    ProviderError, Schema,
};
use std::collections::BTreeMap;
use std::time::Duration;

pub struct RouteTable;

const ID: Field<ApiTable> = Field::api("id", computed_str, |_, t| opt(t.route_table_id()));
const ARN: Field<ApiTable> = Field::api("arn", computed_str, |c, t| {
    arn(c, "route-table", t.route_table_id(), t.owner_id())
});
const OWNER: Field<ApiTable> = Field::api("owner_id", computed_str, |c, t| owner(c, t.owner_id()));
const VPC: Field<ApiTable> = Field::api("vpc_id", required_str_new, |_, t| {
    Value::from(t.vpc_id().unwrap_or_default())
});
const VGWS: Field<ApiTable> = Field::api(
    "propagating_vgws",
    || AttrSchema::optional_computed(Type::Set(Box::new(Type::String))),
    |_, t| {
        let vgws = t.propagating_vgws().iter().filter_map(|p| p.gateway_id());
        Value::set(vgws.map(Value::from).collect())
    },
);
const ROUTE: Field<ApiTable> = Field::block(
    "route",
    || BlockSchema {
        nesting: Nesting::Set,
        min_items: 0,
        max_items: None,
        force_new: false,
        schema: route_schema(),
    },
    |_, t| {
        let user = t.routes().iter().filter(|r| is_user_route(r));
        Value::set(user.map(route_value).collect())
    },
);

/// Destination names inside a `route` block.
const DESTS: DestNames = [
    "cidr_block",
    "ipv6_cidr_block",
    "destination_prefix_list_id",
];

fn route_schema() -> Schema {
    let arg = || AttrSchema::optional(Type::String).default(Value::from(""));
    DESTS
        .iter()
        .chain(TARGETS)
        .fold(Schema::new(), |sch, n| sch.attr(n, arg()))
}

/// Whether a route AWS reports belongs in `route` (user-made, not local/propagated/endpoint).
fn is_user_route(r: &Route) -> bool {
    let gw = r.gateway_id().unwrap_or_default();
    gw != "local"
        && gw != "VpcLattice"
        && r.origin() != Some(&RouteOrigin::EnableVgwRoutePropagation)
        && !(r.destination_prefix_list_id().is_some() && gw.starts_with("vpce-"))
        && Dest::of(r).is_some()
}

/// A `route` element in Terraform's shape.
fn route_value(r: &Route) -> Value {
    let f = |x: Option<&str>| Value::from(x.unwrap_or_default());
    let mut m: BTreeMap<String, Value> = targets_of(r)
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::String(v)))
        .collect();
    m.insert(DESTS[0].into(), f(r.destination_cidr_block()));
    m.insert(DESTS[1].into(), f(r.destination_ipv6_cidr_block()));
    m.insert(DESTS[2].into(), f(r.destination_prefix_list_id()));
    Value::Object(m.into_iter().collect())
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

async fn set_propagation(
    c: &AwsClients,
    id: &str,
    vgw: &str,
    on: bool,
) -> Result<(), ProviderError> {
    if on {
        let r = c
            .ec2
            .enable_vgw_route_propagation()
            .route_table_id(id)
            .gateway_id(vgw)
            .send()
            .await;
        r.map_err(|e| error::sdk("ec2:EnableVgwRoutePropagation", e))?;
    } else {
        let r = c
            .ec2
            .disable_vgw_route_propagation()
            .route_table_id(id)
            .gateway_id(vgw)
            .send()
            .await;
        r.map_err(|e| error::sdk("ec2:DisableVgwRoutePropagation", e))?;
    }
    Ok(())
}

/// Brings propagation and inline routes from `prior` (none on create) to `planned`.
async fn converge(
    c: &AwsClients,
    id: &str,
    prior: Option<&Value>,
    planned: &Value,
) -> Result<(), ProviderError> {
    if let Some(want) = VGWS.get(planned).filter(|v| v.is_wholly_known()) {
        let (have, want) = (
            strings(prior.and_then(|p| VGWS.get(p))),
            strings(Some(want)),
        );
        for g in have.iter().filter(|g| !want.contains(g)) {
            set_propagation(c, id, g, false).await?;
        }
        for g in want.iter().filter(|g| !have.contains(g)) {
            set_propagation(c, id, g, true).await?;
        }
    }
    let known = ROUTE.get(planned).filter(|v| v.is_wholly_known());
    if let Some(new) = known.and_then(Value::as_seq) {
        let old = prior.and_then(|p| ROUTE.get(p)).and_then(Value::as_seq);
        let old = old.unwrap_or_default();
        let RouteChanges {
            deletes,
            creates,
            replaces,
        } = route_changes(old, new, DESTS)?;
        for d in &deletes {
            routes::delete_route(c, id, d).await?;
        }
        for r in &replaces {
            routes::replace_route(c, id, r).await?;
        }
        for r in &creates {
            routes::create_route(c, id, r).await?;
        }
    }
    Ok(())
}

#[async_trait]
impl Managed for RouteTable {
    type Api = ApiTable;
    const TYPE_NAME: &'static str = "aws_route_table";
    const NOUN: &'static str = "route table";
    const DESCRIBE: &'static str = "ec2:DescribeRouteTables";
    const IDENTITY: Identity = Identity::ServerId;
    const TAGS: TagStyle = EC2;

    fn fields() -> &'static [&'static Field<ApiTable>] {
        &[&ID, &ARN, &OWNER, &VPC, &VGWS, &ROUTE]
    }

    fn key(x: &ApiTable) -> Option<String> {
        x.route_table_id().map(str::to_string)
    }

    fn tags(x: &ApiTable) -> BTreeMap<String, String> {
        ec2_map(x.tags())
    }

    async fn describe(
        &self,
        c: &AwsClients,
        by: Lookup<'_>,
    ) -> Result<Vec<ApiTable>, ProviderError> {
        describe(c, filters(by, "route-table-id")).await
    }

    /// Each inline `route` has one destination and one target. The blocks form a set, which
    /// has no source order, so a finding names the route by its destination.
    fn validate(&self, config: &Value) -> Vec<Invalid> {
        let routes = ROUTE.get(config).and_then(Value::as_seq);
        let mut out = Vec::new();
        for r in routes.unwrap_or_default() {
            let dest = DESTS
                .iter()
                .find_map(|d| r.get_attr(d).and_then(Value::as_str));
            let found = [exactly_one_of(r, &DESTS), exactly_one_of(r, TARGETS)];
            for mut f in found.into_iter().flatten() {
                f.path.insert(0, ROUTE.name.into());
                if let Some(d) = dest {
                    f.detail = format!("route to {d}: {}", f.detail);
                }
                out.push(f);
            }
        }
        out
    }

    /// With no `route` blocks, `route` is computed: it keeps what is there.
    fn plan(&self, schema: &Schema, prior: Option<&Value>, proposed: Value) -> PlannedState {
        let mut p = plan_by_schema(schema, prior, proposed);
        if let Some(m) = p.planned.as_map_mut() {
            let xs = m.get(ROUTE.name).and_then(Value::as_seq);
            let mut xs = xs.unwrap_or_default().to_vec();
            let routes = if !xs.is_empty() {
                let names: Vec<&str> = DESTS.iter().chain(TARGETS).copied().collect();
                xs.iter_mut().for_each(|x| nulls_to_empty(x, &names));
                Value::set(xs)
            } else {
                match prior.and_then(|p| ROUTE.get(p)) {
                    Some(r) => r.clone(),
                    None => Value::Unknown(Type::Set(Box::new(route_schema().object_type()))),
                }
            };
            ROUTE.set(m, routes);
        }
        crate::tags::plan_tags_all(prior, &mut p.planned);
        p
    }

    async fn create(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        planned: &Value,
        tags: &BTreeMap<String, String>,
    ) -> Result<ApiTable, ProviderError> {
        let req = c.ec2.create_route_table().set_vpc_id(VPC.str(planned));
        let req = req.tag_specifications(ec2_spec(ResourceType::RouteTable, tags));
        let out = req.client_token(client_token(ctx.address)).send().await;
        let out = out.map_err(|e| error::sdk("ec2:CreateRouteTable", e))?;
        let msg = "the response has no route table id";
        let t = out
            .route_table()
            .filter(|t| t.route_table_id().is_some())
            .cloned();
        t.ok_or_else(|| ProviderError::new("ec2:CreateRouteTable", msg))
    }

    /// Waits until the table is visible, then makes its routes and propagation.
    async fn finish_create(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        planned: &Value,
        t: ApiTable,
    ) -> Result<ApiTable, ProviderError> {
        let id = t.route_table_id().unwrap_or_default().to_string();
        let timeout = ctx.timeouts.create.unwrap_or(Duration::from_secs(300));
        let what = format!("route table {id} to become visible");
        let before = wait_for(ctx, &what, timeout, || read_one(self, c, &id)).await?;
        // On recovery, routes already made count as there (reconciled, not re-created).
        let prior = crate::managed::from_api(self, c, &before, planned);
        converge(c, &id, Some(&prior), planned).await?;
        fetch(self, c, &id).await
    }

    async fn update_attrs(
        &self,
        c: &AwsClients,
        _ctx: &OpContext<'_>,
        id: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        converge(c, id, Some(prior), planned).await.map(|_| None)
    }

    async fn delete(
        &self,
        c: &AwsClients,
        _: &OpContext<'_>,
        id: &str,
    ) -> Result<(), ProviderError> {
        let Some(t) = read_one(self, c, id).await? else {
            return Ok(());
        };
        // AWS refuses to delete a table that still has subnets or gateways associated.
        for a in t.associations().iter().filter(|a| a.main() != Some(true)) {
            let Some(aid) = a.route_table_association_id() else {
                continue;
            };
            let r = c
                .ec2
                .disassociate_route_table()
                .association_id(aid)
                .send()
                .await;
            gone("ec2:DisassociateRouteTable", r)?;
        }
        let r = c.ec2.delete_route_table().route_table_id(id).send().await;
        r.map(|_| ())
            .map_err(|e| error::sdk("ec2:DeleteRouteTable", e))
    }
}

#[cfg(test)]
#[path = "route_table_tests.rs"]
mod tests;
