//! `aws_route`.
//!
//! API calls: `CreateRoute`, `ReplaceRoute` (a changed target), `DeleteRoute`,
//! `DescribeRouteTables` (refresh: one call for every route table involved, filtered by
//! `route-table-id`; each route is then found by its destination).
//! Force-new: `route_table_id`, the destination (`destination_cidr_block`,
//! `destination_ipv6_cidr_block`, `destination_prefix_list_id`).
//! Waiter: after `CreateRoute`, until DescribeRouteTables lists it (default 5m).
//! Import id: `rtb-xxx_DESTINATION` (Terraform's).
//! Quirks: a route has no id of its own; Terraform's is `r-<rtb id><crc32 of destination>`,
//! built the same here so imported state matches. Unset targets are `""` in state (the
//! Terraform SDK's shape), so they are schema defaults rather than nulls. A gateway endpoint
//! target comes back from AWS as `GatewayId = vpce-...` and is mapped to `vpc_endpoint_id`.

use super::common::{filter, id_of, s, wait_for};
use super::routes::{
    create_route, delete_route, describe, dest_from, nulls_to_empty, replace_route, route_id,
    spec_from, targets_of, Dest, DestNames, TARGETS,
};
use crate::config::{clients, AwsClients};
use async_trait::async_trait;
use aws_sdk_ec2::types::RouteTable;
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, OpContext, PlannedState, ProviderError, Resource, Schema};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

const ROUTE_DESTS: DestNames = [
    "destination_cidr_block",
    "destination_ipv6_cidr_block",
    "destination_prefix_list_id",
];

pub struct AwsRoute;

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        let arg = || AttrSchema::optional(Type::String).default(Value::from(""));
        let mut sch = Schema::new().attr(
            "route_table_id",
            AttrSchema::required(Type::String).force_new(),
        );
        for d in ROUTE_DESTS {
            sch = sch.attr(d, arg().force_new());
        }
        for t in TARGETS {
            sch = sch.attr(t, arg());
        }
        // AWS fills the interface in when the route goes to an instance.
        sch = sch.attr(
            "network_interface_id",
            AttrSchema::optional_computed(Type::String),
        );
        for c in ["id", "instance_id", "instance_owner_id", "origin", "state"] {
            sch = sch.attr(c, AttrSchema::computed(Type::String));
        }
        sch
    })
}

/// The state of the route to `dest` in `rt`, or `None` when the table has no such route.
fn from_api(rt: &RouteTable, dest: &Dest) -> Option<Value> {
    let r = rt
        .routes()
        .iter()
        .find(|r| Dest::of(r).as_ref() == Some(dest))?;
    let rtb = rt.route_table_id().unwrap_or_default();
    let f = |x: Option<&str>| Value::from(x.unwrap_or_default());
    let mut m: BTreeMap<String, Value> = targets_of(r)
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::String(v)))
        .collect();
    m.insert("id".into(), Value::String(route_id(rtb, dest.text())));
    m.insert("route_table_id".into(), Value::from(rtb));
    m.insert(ROUTE_DESTS[0].into(), f(r.destination_cidr_block()));
    m.insert(ROUTE_DESTS[1].into(), f(r.destination_ipv6_cidr_block()));
    m.insert(ROUTE_DESTS[2].into(), f(r.destination_prefix_list_id()));
    m.insert("instance_id".into(), f(r.instance_id()));
    m.insert("instance_owner_id".into(), f(r.instance_owner_id()));
    m.insert("origin".into(), f(r.origin().map(|o| o.as_str())));
    m.insert("state".into(), f(r.state().map(|o| o.as_str())));
    Some(Value::Map(m.into_iter().collect()))
}

/// One DescribeRouteTables call, then the route each state points at.
async fn read_routes(
    c: &AwsClients,
    states: &[Value],
) -> Result<Vec<Option<Value>>, ProviderError> {
    let mut rtbs: Vec<String> = states
        .iter()
        .filter_map(|v| s(v, "route_table_id"))
        .collect();
    rtbs.sort();
    rtbs.dedup();
    let tables = describe(c, vec![filter("route-table-id", rtbs)]).await?;
    states
        .iter()
        .map(|st| {
            let rtb = s(st, "route_table_id");
            let dest = dest_from(st, ROUTE_DESTS)?;
            Ok(tables
                .iter()
                .find(|t| t.route_table_id().map(str::to_string) == rtb)
                .and_then(|t| from_api(t, &dest)))
        })
        .collect()
}

/// Terraform's import id `rtb-xxx_10.0.0.0/0` (also an IPv6 CIDR or a `pl-` prefix list
/// after the underscore) as the state `read_routes` needs.
fn import_state(id: &str) -> Result<Value, ProviderError> {
    let Some((rtb, dest)) = id
        .split_once('_')
        .filter(|(r, d)| !r.is_empty() && !d.is_empty())
    else {
        return Err(ProviderError::new(
            "",
            format!("invalid aws_route import id \"{id}\": expected ROUTETABLEID_DESTINATION, like rtb-0123_10.0.0.0/0"),
        ));
    };
    let slot = if dest.starts_with("pl-") {
        2
    } else if dest.contains(':') {
        1
    } else {
        0
    };
    let mut m: BTreeMap<String, Value> = ROUTE_DESTS
        .iter()
        .map(|d| (d.to_string(), Value::from("")))
        .collect();
    m.insert(ROUTE_DESTS[slot].into(), Value::from(dest));
    m.insert("route_table_id".into(), Value::from(rtb));
    m.insert("id".into(), Value::String(route_id(rtb, dest)));
    Ok(Value::Map(m.into_iter().collect()))
}

/// Reads one route back, waiting until AWS lists it.
async fn read_back(
    c: &AwsClients,
    planned: &Value,
    timeout: Duration,
) -> Result<Value, ProviderError> {
    wait_for(
        "the route to appear in its route table",
        timeout,
        || async {
            Ok(read_routes(c, std::slice::from_ref(planned))
                .await?
                .pop()
                .flatten())
        },
    )
    .await
}

#[async_trait]
impl Resource for AwsRoute {
    fn type_name(&self) -> &'static str {
        "aws_route"
    }

    fn schema(&self) -> &Schema {
        schema()
    }

    fn plan(&self, prior: Option<&Value>, mut proposed: Value) -> PlannedState {
        let mut args: Vec<&str> = ROUTE_DESTS.to_vec();
        args.extend(TARGETS.iter().filter(|t| **t != "network_interface_id"));
        nulls_to_empty(&mut proposed, &args);
        hubctl_core::provider::plan_by_schema(self.schema(), prior, proposed)
    }

    async fn create(&self, ctx: &OpContext<'_>, planned: &Value) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        let spec = spec_from(planned, ROUTE_DESTS)?;
        let rtb = s(planned, "route_table_id").unwrap_or_default();
        // An interrupted create may have made the route: point it at the target instead.
        let exists = ctx.recovering
            && read_routes(c, std::slice::from_ref(planned))
                .await?
                .pop()
                .flatten()
                .is_some();
        if exists {
            replace_route(c, &rtb, &spec).await?;
        } else {
            create_route(c, &rtb, &spec).await?;
        }
        read_back(
            c,
            planned,
            ctx.timeouts.create.unwrap_or(Duration::from_secs(300)),
        )
        .await
    }

    async fn import(&self, ctx: &OpContext<'_>, id: &str) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        let st = import_state(id)?;
        read_routes(c, std::slice::from_ref(&st))
            .await?
            .pop()
            .flatten()
            .ok_or_else(|| super::common::not_found("ec2:DescribeRouteTables", "aws_route", id))
    }

    async fn read_many(
        &self,
        ctx: &OpContext<'_>,
        states: &[Value],
    ) -> Vec<Result<Option<Value>, ProviderError>> {
        let res = match clients(ctx) {
            Ok(c) => read_routes(c, states).await,
            Err(e) => Err(e),
        };
        match res {
            Ok(v) => v.into_iter().map(Ok).collect(),
            Err(e) => states.iter().map(|_| Err(e.clone())).collect(),
        }
    }

    async fn update(
        &self,
        ctx: &OpContext<'_>,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        let spec = spec_from(planned, ROUTE_DESTS)?;
        replace_route(c, &s(planned, "route_table_id").unwrap_or_default(), &spec).await?;
        read_back(
            c,
            planned,
            ctx.timeouts.update.unwrap_or(Duration::from_secs(120)),
        )
        .await
    }

    async fn delete(&self, ctx: &OpContext<'_>, state: &Value) -> Result<(), ProviderError> {
        let c = clients(ctx)?;
        id_of(state)?;
        let dest = dest_from(state, ROUTE_DESTS)?;
        delete_route(c, &s(state, "route_table_id").unwrap_or_default(), &dest).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{Route, RouteOrigin, RouteState};

    #[test]
    fn from_api_gives_terraform_shape() {
        let rt = RouteTable::builder()
            .route_table_id("rtb-1")
            .routes(
                Route::builder()
                    .destination_cidr_block("10.0.0.0/16")
                    .gateway_id("local")
                    .build(),
            )
            .routes(
                Route::builder()
                    .destination_cidr_block("0.0.0.0/0")
                    .gateway_id("igw-9")
                    .origin(RouteOrigin::CreateRoute)
                    .state(RouteState::Active)
                    .build(),
            )
            .build();
        let v = from_api(&rt, &Dest::Ipv4("0.0.0.0/0".into())).expect("found");
        assert_eq!(v.get_attr("gateway_id"), Some(&Value::from("igw-9")));
        assert_eq!(v.get_attr("nat_gateway_id"), Some(&Value::from("")));
        assert_eq!(
            v.get_attr("destination_ipv6_cidr_block"),
            Some(&Value::from(""))
        );
        assert_eq!(v.get_attr("origin"), Some(&Value::from("CreateRoute")));
        assert_eq!(v.get_attr("state"), Some(&Value::from("active")));
        assert_eq!(
            v.get_attr("id"),
            Some(&Value::from(route_id("rtb-1", "0.0.0.0/0")))
        );
        assert!(from_api(&rt, &Dest::Ipv4("192.168.0.0/16".into())).is_none());
    }

    #[test]
    fn a_new_destination_replaces_but_a_new_target_updates_in_place() {
        let prior = Value::map([
            ("id", Value::from("r-rtb-11080289494")),
            ("route_table_id", Value::from("rtb-1")),
            ("destination_cidr_block", Value::from("0.0.0.0/0")),
            ("gateway_id", Value::from("igw-1")),
            ("network_interface_id", Value::from("")),
            ("state", Value::from("active")),
        ]);
        let mut prior = prior;
        nulls_to_empty(&mut prior, &ROUTE_DESTS);
        nulls_to_empty(&mut prior, TARGETS);
        let mut proposed = prior.clone();
        if let Some(m) = proposed.as_map_mut() {
            m.insert("gateway_id".into(), Value::from("igw-2"));
        }
        let p = AwsRoute.plan(Some(&prior), proposed.clone());
        assert!(p.requires_replace.is_empty());
        assert_eq!(
            p.planned.get_attr("gateway_id"),
            Some(&Value::from("igw-2"))
        );
        if let Some(m) = proposed.as_map_mut() {
            m.insert(
                "destination_cidr_block".into(),
                Value::from("100.64.0.0/10"),
            );
        }
        let p = AwsRoute.plan(Some(&prior), proposed);
        assert_eq!(
            p.requires_replace,
            vec!["destination_cidr_block".to_string()]
        );
    }

    #[test]
    fn import_ids_name_the_table_and_destination() {
        let v = import_state("rtb-1_0.0.0.0/0").expect("valid");
        assert_eq!(v.get_attr("route_table_id"), Some(&Value::from("rtb-1")));
        assert_eq!(
            v.get_attr("destination_cidr_block"),
            Some(&Value::from("0.0.0.0/0"))
        );
        assert_eq!(
            v.get_attr("id"),
            Some(&Value::from(route_id("rtb-1", "0.0.0.0/0")))
        );
        let v6 = import_state("rtb-1_::/0").expect("valid");
        assert_eq!(
            v6.get_attr("destination_ipv6_cidr_block"),
            Some(&Value::from("::/0"))
        );
        let pl = import_state("rtb-1_pl-9").expect("valid");
        assert_eq!(
            pl.get_attr("destination_prefix_list_id"),
            Some(&Value::from("pl-9"))
        );
        assert!(import_state("rtb-1").is_err() && import_state("_1.0.0.0/8").is_err());
    }

    #[test]
    fn plan_turns_null_targets_into_empty_strings() {
        let p = AwsRoute.plan(
            None,
            Value::map([
                ("route_table_id", Value::from("rtb-1")),
                ("gateway_id", Value::Null),
            ]),
        );
        assert_eq!(p.planned.get_attr("gateway_id"), Some(&Value::from("")));
        assert_eq!(
            p.planned.get_attr("destination_cidr_block"),
            Some(&Value::from(""))
        );
    }
}
