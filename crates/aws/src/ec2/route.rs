//! `aws_route`, and the route vocabulary `aws_route_table`'s inline `route` blocks share.
//!
//! API calls: `CreateRoute`, `ReplaceRoute` (a changed target), `DeleteRoute`,
//! `DescribeRouteTables` (refresh: one call for every route table involved, filtered by
//! `route-table-id`; each route is then found by its destination).
//! Force-new: `route_table_id`, the destination (`destination_cidr_block`,
//! `destination_ipv6_cidr_block`, `destination_prefix_list_id`).
//! Waiter: after `CreateRoute`, until DescribeRouteTables lists it (default 5m).
//! Quirks: a route has no id of its own; Terraform's is `r-<rtb id><crc32 of destination>`,
//! built the same here so imported state matches. Unset targets are `""` in state (the
//! Terraform SDK's shape), so they are schema defaults rather than nulls. A gateway endpoint
//! target comes back from AWS as `GatewayId = vpce-...` and is mapped to `vpc_endpoint_id`.

use super::common::{filter, id_of, s, unknown_on_replace, wait_for};
use super::route_table::describe;
use crate::config::{clients, AwsClients};
use crate::error;
use async_trait::async_trait;
use aws_sdk_ec2::types::{Route, RouteTable};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, OpContext, PlannedState, ProviderError, Resource, Schema};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

/// Target arguments, named as both `aws_route` and a route table's `route` block name them.
pub(super) const TARGETS: &[&str] = &[
    "carrier_gateway_id",
    "core_network_arn",
    "egress_only_gateway_id",
    "gateway_id",
    "local_gateway_id",
    "nat_gateway_id",
    "network_interface_id",
    "transit_gateway_id",
    "vpc_endpoint_id",
    "vpc_peering_connection_id",
];

/// Destination argument names: IPv4, IPv6, prefix list.
pub(super) type DestNames = [&'static str; 3];
const ROUTE_DESTS: DestNames = [
    "destination_cidr_block",
    "destination_ipv6_cidr_block",
    "destination_prefix_list_id",
];

/// Where a route goes; a route table holds at most one route per destination.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Dest {
    Ipv4(String),
    Ipv6(String),
    PrefixList(String),
}

impl Dest {
    pub(super) fn text(&self) -> &str {
        match self {
            Dest::Ipv4(x) | Dest::Ipv6(x) | Dest::PrefixList(x) => x,
        }
    }

    /// The destination AWS reports for a route.
    pub(super) fn of(r: &Route) -> Option<Dest> {
        let ne = |x: Option<&str>| x.filter(|s| !s.is_empty()).map(str::to_string);
        ne(r.destination_cidr_block())
            .map(Dest::Ipv4)
            .or_else(|| ne(r.destination_ipv6_cidr_block()).map(Dest::Ipv6))
            .or_else(|| ne(r.destination_prefix_list_id()).map(Dest::PrefixList))
    }
}

/// One route as configured: its destination and its single target.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RouteSpec {
    pub dest: Dest,
    pub target: &'static str,
    pub target_id: String,
}

fn nonempty(v: &Value, k: &str) -> Option<String> {
    s(v, k).filter(|x| !x.is_empty())
}

/// Reads the destination named by `names` from a configured value: exactly one must be set.
pub(super) fn dest_from(v: &Value, names: DestNames) -> Result<Dest, ProviderError> {
    let found: Vec<Dest> = [
        nonempty(v, names[0]).map(Dest::Ipv4),
        nonempty(v, names[1]).map(Dest::Ipv6),
        nonempty(v, names[2]).map(Dest::PrefixList),
    ]
    .into_iter()
    .flatten()
    .collect();
    match <[Dest; 1]>::try_from(found) {
        Ok([d]) => Ok(d),
        Err(_) => Err(ProviderError::new(
            "",
            format!("a route needs exactly one of {}", names.join(", ")),
        )),
    }
}

/// The route a configured value describes (exactly one destination and one target).
pub(super) fn spec_from(v: &Value, names: DestNames) -> Result<RouteSpec, ProviderError> {
    let dest = dest_from(v, names)?;
    let targets: Vec<(&'static str, String)> = TARGETS
        .iter()
        .filter_map(|t| nonempty(v, t).map(|id| (*t, id)))
        .collect();
    match <[(&'static str, String); 1]>::try_from(targets) {
        Ok([(target, target_id)]) => Ok(RouteSpec {
            dest,
            target,
            target_id,
        }),
        Err(_) => Err(ProviderError::new(
            "",
            format!(
                "the route to {} needs exactly one target: one of {}",
                dest.text(),
                TARGETS.join(", ")
            ),
        )),
    }
}

/// Every target argument of an AWS route, `""` where unset.
pub(super) fn targets_of(r: &Route) -> BTreeMap<&'static str, String> {
    let gw = r.gateway_id().unwrap_or_default();
    let (gateway, endpoint) = if gw.starts_with("vpce-") {
        ("", gw)
    } else {
        (gw, "")
    };
    let f = |x: Option<&str>| x.unwrap_or_default().to_string();
    BTreeMap::from([
        ("carrier_gateway_id", f(r.carrier_gateway_id())),
        ("core_network_arn", f(r.core_network_arn())),
        (
            "egress_only_gateway_id",
            f(r.egress_only_internet_gateway_id()),
        ),
        ("gateway_id", gateway.to_string()),
        ("local_gateway_id", f(r.local_gateway_id())),
        ("nat_gateway_id", f(r.nat_gateway_id())),
        ("network_interface_id", f(r.network_interface_id())),
        ("transit_gateway_id", f(r.transit_gateway_id())),
        ("vpc_endpoint_id", endpoint.to_string()),
        (
            "vpc_peering_connection_id",
            f(r.vpc_peering_connection_id()),
        ),
    ])
}

/// Terraform's hashcode: CRC-32 (IEEE) of the text, as a non-negative number.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Terraform's route id: `r-` + route table id + hashcode of the destination.
pub fn route_id(route_table_id: &str, destination: &str) -> String {
    format!("r-{route_table_id}{}", crc32(destination.as_bytes()))
}

/// Sets the destination and target on a CreateRoute or ReplaceRoute request (same setters).
macro_rules! with_route {
    ($req:expr, $spec:expr) => {{
        let spec: &RouteSpec = $spec;
        let req = match &spec.dest {
            Dest::Ipv4(c) => $req.destination_cidr_block(c),
            Dest::Ipv6(c) => $req.destination_ipv6_cidr_block(c),
            Dest::PrefixList(p) => $req.destination_prefix_list_id(p),
        };
        let id = spec.target_id.as_str();
        match spec.target {
            "carrier_gateway_id" => req.carrier_gateway_id(id),
            "core_network_arn" => req.core_network_arn(id),
            "egress_only_gateway_id" => req.egress_only_internet_gateway_id(id),
            "local_gateway_id" => req.local_gateway_id(id),
            "nat_gateway_id" => req.nat_gateway_id(id),
            "network_interface_id" => req.network_interface_id(id),
            "transit_gateway_id" => req.transit_gateway_id(id),
            "vpc_endpoint_id" => req.vpc_endpoint_id(id),
            "vpc_peering_connection_id" => req.vpc_peering_connection_id(id),
            _ => req.gateway_id(id),
        }
    }};
}

pub(super) async fn create_route(
    c: &AwsClients,
    rtb: &str,
    spec: &RouteSpec,
) -> Result<(), ProviderError> {
    let req = with_route!(c.ec2.create_route().route_table_id(rtb), spec);
    req.send()
        .await
        .map_err(|e| error::sdk("ec2:CreateRoute", e))?;
    Ok(())
}

pub(super) async fn replace_route(
    c: &AwsClients,
    rtb: &str,
    spec: &RouteSpec,
) -> Result<(), ProviderError> {
    let req = with_route!(c.ec2.replace_route().route_table_id(rtb), spec);
    req.send()
        .await
        .map_err(|e| error::sdk("ec2:ReplaceRoute", e))?;
    Ok(())
}

/// Deletes a route; one already gone (or whose table is gone) is success.
pub(super) async fn delete_route(
    c: &AwsClients,
    rtb: &str,
    dest: &Dest,
) -> Result<(), ProviderError> {
    let req = c.ec2.delete_route().route_table_id(rtb);
    let req = match dest {
        Dest::Ipv4(x) => req.destination_cidr_block(x),
        Dest::Ipv6(x) => req.destination_ipv6_cidr_block(x),
        Dest::PrefixList(x) => req.destination_prefix_list_id(x),
    };
    match req.send().await {
        Ok(_) => Ok(()),
        Err(e) if error::is_not_found(&e) => Ok(()),
        Err(e) => Err(error::sdk("ec2:DeleteRoute", e)),
    }
}

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

/// Turns explicit nulls of string arguments into `""`, the value state holds for "unset".
pub(super) fn nulls_to_empty(v: &mut Value, names: &[&str]) {
    if let Value::Map(m) = v {
        for n in names {
            if m.get(*n).is_none_or(Value::is_null) {
                m.insert((*n).to_string(), Value::from(""));
            }
        }
    }
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
    Some(Value::Map(m))
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
    let tables = describe(c, filter("route-table-id", rtbs)).await?;
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
        let mut p = hubctl_core::provider::plan_by_schema(self.schema(), prior, proposed);
        unknown_on_replace(self.schema(), prior, &mut p);
        p
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

    async fn read(
        &self,
        ctx: &OpContext<'_>,
        state: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        self.read_many(ctx, std::slice::from_ref(state))
            .await
            .pop()
            .unwrap_or(Ok(None))
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
    use aws_sdk_ec2::types::{RouteOrigin, RouteState};

    #[test]
    fn route_id_matches_terraform() {
        // From a Terraform 1.11 / AWS provider 5.100 state.
        assert_eq!(
            route_id("rtb-0808842430360b48d", "0.0.0.0/0"),
            "r-rtb-0808842430360b48d1080289494"
        );
    }

    #[test]
    fn spec_needs_one_destination_and_one_target() {
        let v = Value::map([
            ("destination_cidr_block", Value::from("0.0.0.0/0")),
            ("nat_gateway_id", Value::from("nat-1")),
            ("gateway_id", Value::from("")),
        ]);
        let sp = spec_from(&v, ROUTE_DESTS).expect("valid");
        assert_eq!(sp.dest, Dest::Ipv4("0.0.0.0/0".into()));
        assert_eq!(
            (sp.target, sp.target_id.as_str()),
            ("nat_gateway_id", "nat-1")
        );
        let none = Value::map([("destination_cidr_block", Value::from("0.0.0.0/0"))]);
        assert!(spec_from(&none, ROUTE_DESTS).is_err());
        let two = Value::map([
            ("destination_cidr_block", Value::from("0.0.0.0/0")),
            ("destination_ipv6_cidr_block", Value::from("::/0")),
            ("gateway_id", Value::from("igw-1")),
        ]);
        assert!(dest_from(&two, ROUTE_DESTS).is_err());
    }

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
    fn endpoint_gateways_map_to_vpc_endpoint_id() {
        let r = Route::builder()
            .destination_prefix_list_id("pl-1")
            .gateway_id("vpce-7")
            .build();
        let t = targets_of(&r);
        assert_eq!(t["vpc_endpoint_id"], "vpce-7");
        assert_eq!(t["gateway_id"], "");
    }

    #[test]
    fn a_new_destination_replaces_with_unknown_computed_values() {
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
        if let Value::Map(m) = &mut proposed {
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
        for k in ["id", "state", "network_interface_id"] {
            assert!(p.planned.get_attr(k).is_some_and(Value::is_unknown), "{k}");
        }
        assert_eq!(
            p.planned.get_attr("gateway_id"),
            Some(&Value::from("igw-1"))
        );
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
