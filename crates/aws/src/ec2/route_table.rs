//! `aws_route_table`.
//!
//! API calls: `CreateRouteTable` (tags in `TagSpecifications`, `ClientToken`),
//! `CreateRoute` / `ReplaceRoute` / `DeleteRoute` (inline routes), `EnableVgwRoutePropagation`
//! / `DisableVgwRoutePropagation`, `DescribeRouteTables` (refresh: one call for all tables,
//! filtered by `route-table-id`), `CreateTags` / `DeleteTags`, `DisassociateRouteTable` (every
//! association, before) `DeleteRouteTable`.
//! Force-new: `vpc_id`.
//! Waiter: after create, until DescribeRouteTables lists the table (default 5m).
//! Quirks: `route` is optional *and computed*, as in Terraform: with no `route` blocks the
//! table keeps whatever routes it has, so separate `aws_route` resources do not fight it (the
//! price: removing every inline block leaves the routes in place). The `local` route, routes
//! propagated from a VPN gateway and gateway-endpoint routes are never part of `route`.

use super::common::{client_token, gone, s, tag_spec, wait_for};
use super::routes::{
    self, describe, nulls_to_empty, route_changes, targets_of, Dest, DestNames, RouteChanges,
    TARGETS,
};
use super::tagged::{fetch, read, set_id_and_arn, tagged_schema, Lost, Tagged};
use crate::config::AwsClients;
use crate::error;
use crate::tags;
use async_trait::async_trait;
use aws_sdk_ec2::types::{Filter, ResourceType, Route, RouteOrigin, RouteTable as ApiTable, Tag};
use hubctl_core::lang::{Type, Value, VecMap};
use hubctl_core::provider::{
    plan_by_schema, AttrSchema, BlockSchema, Nesting, OpContext, PlannedState, ProviderError,
    Schema,
};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

pub struct RouteTable;

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
    Value::Map(m.into_iter().collect())
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(|x| x.peel().as_seq())
        .unwrap_or_default()
        .iter()
        .filter_map(|x| x.peel().as_str().map(str::to_string))
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
    if let Some(want) = planned
        .get_attr("propagating_vgws")
        .filter(|v| v.is_wholly_known())
    {
        let (have, want) = (
            strings(prior.and_then(|p| p.get_attr("propagating_vgws"))),
            strings(Some(want)),
        );
        for g in have.iter().filter(|g| !want.contains(g)) {
            set_propagation(c, id, g, false).await?;
        }
        for g in want.iter().filter(|g| !have.contains(g)) {
            set_propagation(c, id, g, true).await?;
        }
    }
    if let Some(new) = planned
        .get_attr("route")
        .filter(|v| v.is_wholly_known())
        .and_then(|x| x.peel().as_seq())
    {
        let old = prior
            .and_then(|p| p.get_attr("route"))
            .and_then(|x| x.peel().as_seq())
            .unwrap_or_default();
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
impl Tagged for RouteTable {
    type Api = ApiTable;
    const TYPE_NAME: &'static str = "aws_route_table";
    const NOUN: &'static str = "route table";
    const DESCRIBE: &'static str = "ec2:DescribeRouteTables";
    const ID_FILTER: &'static str = "route-table-id";

    fn schema(&self) -> &'static Schema {
        static S: OnceLock<Schema> = OnceLock::new();
        S.get_or_init(|| {
            let str_c = || AttrSchema::computed(Type::String);
            tagged_schema()
                .attr("vpc_id", AttrSchema::required(Type::String).force_new())
                .attr(
                    "propagating_vgws",
                    AttrSchema::optional_computed(Type::Set(Box::new(Type::String))),
                )
                .attr("arn", str_c())
                .attr("owner_id", str_c())
                .block(
                    "route",
                    BlockSchema {
                        nesting: Nesting::Set,
                        min_items: 0,
                        max_items: None,
                        force_new: false,
                        schema: route_schema(),
                    },
                )
        })
    }

    fn id(x: &ApiTable) -> Option<&str> {
        x.route_table_id()
    }

    fn tags(x: &ApiTable) -> &[Tag] {
        x.tags()
    }

    /// The attributes AWS reports (tags aside).
    fn attrs(c: &AwsClients, t: &ApiTable, m: &mut VecMap<String, Value>) {
        let id = t.route_table_id().unwrap_or_default();
        let owner = set_id_and_arn(c, m, "route-table", id, t.owner_id(), None);
        m.insert("owner_id".into(), Value::String(owner));
        m.insert("vpc_id".into(), Value::from(t.vpc_id().unwrap_or_default()));
        m.insert(
            "propagating_vgws".into(),
            Value::set(
                t.propagating_vgws()
                    .iter()
                    .filter_map(|p| p.gateway_id())
                    .map(Value::from)
                    .collect(),
            ),
        );
        m.insert(
            "route".into(),
            Value::set(
                t.routes()
                    .iter()
                    .filter(|r| is_user_route(r))
                    .map(route_value)
                    .collect(),
            ),
        );
    }

    async fn describe(
        &self,
        c: &AwsClients,
        filters: Vec<Filter>,
    ) -> Result<Vec<ApiTable>, ProviderError> {
        describe(c, filters).await
    }

    fn plan(&self, prior: Option<&Value>, proposed: Value) -> PlannedState {
        let mut p = plan_by_schema(self.schema(), prior, proposed);
        if let Some(m) = p.planned.as_map_mut() {
            let mut xs = m
                .get("route")
                .and_then(|x| x.peel().as_seq())
                .unwrap_or_default()
                .to_vec();
            let routes = if !xs.is_empty() {
                let names: Vec<&str> = DESTS.iter().chain(TARGETS).copied().collect();
                xs.iter_mut().for_each(|x| nulls_to_empty(x, &names));
                Value::set(xs)
            } else {
                // No blocks: computed, keep what is there.
                match prior.and_then(|p| p.get_attr("route")) {
                    Some(r) => r.clone(),
                    None => Value::Unknown(Type::Set(Box::new(route_schema().object_type()))),
                }
            };
            m.insert("route".into(), routes);
        }
        tags::plan_tags_all(prior, &mut p.planned);
        p
    }

    async fn create(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        planned: &Value,
    ) -> Result<ApiTable, ProviderError> {
        let t = tags::for_create(&c.default_tags, planned, ctx.address);
        let out = c
            .ec2
            .create_route_table()
            .vpc_id(s(planned, "vpc_id").unwrap_or_default())
            .tag_specifications(tag_spec(ResourceType::RouteTable, &t))
            .client_token(client_token(ctx.address, planned))
            .send()
            .await
            .map_err(|e| error::sdk("ec2:CreateRouteTable", e))?;
        out.route_table()
            .filter(|t| t.route_table_id().is_some())
            .cloned()
            .ok_or_else(|| {
                ProviderError::new("ec2:CreateRouteTable", "the response has no route table id")
            })
    }

    /// Waits until the table is visible, then makes its routes and propagation.
    async fn finish_create(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        planned: &Value,
        t: ApiTable,
    ) -> Result<Value, ProviderError> {
        let id = t.route_table_id().unwrap_or_default().to_string();
        let timeout = ctx.timeouts.create.unwrap_or(Duration::from_secs(300));
        let before = wait_for("the route table to become visible", timeout, || {
            read(self, c, &id)
        })
        .await?;
        // On recovery, routes already made count as there (reconciled, not re-created).
        let prior = RouteTable::from_api(c, &before, planned);
        converge(c, &id, Some(&prior), planned).await?;
        let t = fetch(self, c, &id, Lost::AfterCreate).await?;
        Ok(RouteTable::from_api(c, &t, planned))
    }

    async fn update_attrs(
        &self,
        c: &AwsClients,
        _ctx: &OpContext<'_>,
        id: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<(), ProviderError> {
        converge(c, id, Some(prior), planned).await
    }

    async fn delete(
        &self,
        c: &AwsClients,
        _ctx: &OpContext<'_>,
        id: &str,
    ) -> Result<(), ProviderError> {
        let Some(t) = read(self, c, id).await? else {
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
        gone("ec2:DeleteRouteTable", r)
    }
}

#[cfg(test)]
#[path = "route_table_tests.rs"]
mod tests;
