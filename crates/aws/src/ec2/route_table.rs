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

use super::common::{answer, arn, filters, gone, owner, request_token};
use super::route_block;
use super::routes::describe;
use crate::config::AwsClients;
use crate::managed::tags::{ec2_map, ec2_spec, EC2};
use crate::managed::{computed_str, created, field_table, opt, read_one, required_str_new};
use crate::managed::{fetch, wait_for, Field, Lookup, Managed, Op, TagStyle, Tags};
use async_trait::async_trait;
use aws_sdk_ec2::types::{ResourceType, RouteTable as Api};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::Schema;
use hubctl_core::provider::{plan_by_schema, AttrSchema, Invalid, PlannedState, ProviderError};
use std::time::Duration;

pub struct RouteTable;

field_table! { Api;
    ID = api("id", computed_str, |_, t| opt(t.route_table_id()));
    ARN = api("arn", computed_str, |c, t| arn(c, "route-table", t.route_table_id(), t.owner_id()));
    OWNER = api("owner_id", computed_str, |c, t| owner(c, t.owner_id()));
    VPC = api("vpc_id", required_str_new, |_, t| Value::from(t.vpc_id().unwrap_or_default()));
    VGWS = api("propagating_vgws",
        || AttrSchema::optional_computed(Type::Set(Box::new(Type::String))),
        |_, t| {
            let vgws = t.propagating_vgws().iter().filter_map(|p| p.gateway_id());
            Value::set(vgws.map(Value::from).collect())
        });
    ROUTE = block("route", route_block::schema, |_, t| route_block::read(t));
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
        let req = c.ec2.enable_vgw_route_propagation().route_table_id(id);
        let r = req.gateway_id(vgw).send().await;
        answer("ec2:EnableVgwRoutePropagation", r)?;
    } else {
        let req = c.ec2.disable_vgw_route_propagation().route_table_id(id);
        let r = req.gateway_id(vgw).send().await;
        answer("ec2:DisableVgwRoutePropagation", r)?;
    }
    Ok(())
}

/// Brings propagation and inline routes from `prior` (none on create) to `planned`;
/// whether that changed anything.
async fn converge(
    c: &AwsClients,
    id: &str,
    prior: &Value,
    planned: &Value,
) -> Result<bool, ProviderError> {
    let mut changed = false;
    if let Some(want) = VGWS.get(planned).filter(|v| v.is_wholly_known()) {
        let (have, want) = (strings(VGWS.get(prior)), strings(Some(want)));
        for g in have.iter().filter(|g| !want.contains(g)) {
            set_propagation(c, id, g, false).await?;
            changed = true;
        }
        for g in want.iter().filter(|g| !have.contains(g)) {
            set_propagation(c, id, g, true).await?;
            changed = true;
        }
    }
    let known = ROUTE.get(planned).filter(|v| v.is_wholly_known());
    let Some(new) = known.and_then(Value::as_seq) else {
        return Ok(changed);
    };
    let old = ROUTE.get(prior).and_then(Value::as_seq);
    let routes = route_block::converge(c, id, old.unwrap_or_default(), new).await?;
    Ok(changed || routes)
}

#[async_trait]
impl Managed for RouteTable {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_route_table";
    const NOUN: &'static str = "route table";
    const DESCRIBE: &'static str = "ec2:DescribeRouteTables";
    const TAGS: TagStyle = EC2;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        x.route_table_id().map(str::to_string)
    }

    fn tags(x: &Api) -> Tags {
        ec2_map(x.tags())
    }

    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        describe(c, filters(by, "route-table-id")).await
    }

    /// Each inline `route` has one destination and one target.
    fn validate(&self, config: &Value) -> Vec<Invalid> {
        let routes = ROUTE.get(config).and_then(Value::as_seq);
        route_block::validate(ROUTE.name, routes.unwrap_or_default())
    }

    /// With no `route` blocks, `route` is computed: it keeps what is there.
    fn plan(&self, schema: &Schema, prior: Option<&Value>, proposed: Value) -> PlannedState {
        let mut p = plan_by_schema(schema, prior, proposed);
        if let Some(m) = p.planned.as_map_mut() {
            let configured = m.get(ROUTE.name).and_then(Value::as_seq);
            let prior = prior.and_then(|p| ROUTE.get(p));
            let routes = route_block::plan(configured.unwrap_or_default(), prior);
            ROUTE.set(m, routes);
        }
        crate::tags::plan_tags_all(prior, &mut p.planned);
        p
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, tags: &Tags) -> Result<Api, ProviderError> {
        let req = c.ec2.create_route_table().set_vpc_id(VPC.str(planned));
        let req = req.tag_specifications(ec2_spec(ResourceType::RouteTable, tags));
        let out = req.client_token(request_token(c.ctx)).send().await;
        let out = answer("ec2:CreateRouteTable", out)?;
        created::<Self>("ec2:CreateRouteTable", out.route_table())
    }

    /// Waits until the table is visible, then makes its routes and propagation.
    async fn finish_create(
        &self,
        c: &Op<'_>,
        planned: &Value,
        t: Api,
    ) -> Result<Api, ProviderError> {
        let id = t.route_table_id().unwrap_or_default().to_string();
        let timeout = c.ctx.timeouts.create.unwrap_or(Duration::from_secs(300));
        let what = format!("route table {id} to become visible");
        let before = wait_for(c.ctx, &what, timeout, || read_one(self, c, &id)).await?;
        // On recovery, routes already made count as there (reconciled, not re-created).
        let prior = crate::managed::from_api(self, c, &before, planned);
        // The table as it became visible is the table, unless routes were added since.
        if !converge(c, &id, &prior, planned).await? {
            return Ok(before);
        }
        fetch(self, c, &id).await
    }

    async fn update_attrs(
        &self,
        c: &Op<'_>,
        id: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        converge(c, id, prior, planned).await.map(|_| None)
    }

    async fn delete(&self, c: &Op<'_>, id: &str) -> Result<(), ProviderError> {
        let Some(t) = read_one(self, c, id).await? else {
            return Ok(());
        };
        // AWS refuses to delete a table that still has subnets or gateways associated.
        let others = t.associations().iter().filter(|a| a.main() != Some(true));
        for aid in others.filter_map(|a| a.route_table_association_id()) {
            let r = c.ec2.disassociate_route_table().association_id(aid);
            gone("ec2:DisassociateRouteTable", r.send().await)?;
        }
        let r = c.ec2.delete_route_table().route_table_id(id).send().await;
        answer("ec2:DeleteRouteTable", r).map(|_| ())
    }
}

#[cfg(test)]
#[path = "route_table_tests.rs"]
mod tests;
