//! The route vocabulary `aws_route` and `aws_route_table`'s inline `route` blocks share:
//! destinations, targets (Terraform's names ↔ the API's), Terraform's route ids, and the
//! CreateRoute / ReplaceRoute / DeleteRoute / DescribeRouteTables calls.

use super::common::s;
use crate::config::AwsClients;
use crate::error;
use aws_sdk_ec2::types::{Filter, Route, RouteTable};
use hubctl_core::lang::Value;
use hubctl_core::provider::validate::exactly_one_of;
use hubctl_core::provider::{Invalid, ProviderError};
use std::collections::BTreeMap;

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

    /// The destination a text names (the inverse of [`Dest::text`]): a prefix list, an
    /// IPv6 CIDR, or an IPv4 CIDR.
    pub(super) fn parse(d: &str) -> Dest {
        let d = d.to_string();
        if d.starts_with("pl-") {
            Dest::PrefixList(d)
        } else if d.contains(':') {
            Dest::Ipv6(d)
        } else {
            Dest::Ipv4(d)
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
        Err(e) if error::is_not_found("ec2", &e) => Ok(()),
        Err(e) => Err(error::sdk("ec2:DeleteRoute", e)),
    }
}

/// Turns explicit nulls of string arguments into `""`, the value state holds for "unset".
pub(super) fn nulls_to_empty(v: &mut Value, names: &[&str]) {
    if let Some(m) = v.as_map_mut() {
        for n in names {
            if m.get(*n).is_none_or(Value::is_null) {
                m.insert((*n).to_string(), Value::from(""));
            }
        }
    }
}

/// A route's one destination (of `dests`) and one target, as the Terraform provider's
/// `ExactlyOneOf`: what is wrong, if anything.
pub(super) fn one_dest_one_target(v: &Value, dests: &DestNames) -> Vec<Invalid> {
    let found = [exactly_one_of(v, dests), exactly_one_of(v, TARGETS)];
    found.into_iter().flatten().collect()
}

/// DescribeRouteTables with `filters` (ids, associations or the address tag), every page;
/// shared by the route types. Missing objects are simply absent.
pub(super) async fn describe(
    c: &AwsClients,
    filters: Vec<Filter>,
) -> Result<Vec<RouteTable>, ProviderError> {
    // A filter with no values (a lookup of no keys) finds nothing: no call is made.
    if filters.iter().any(|f| f.values().is_empty()) {
        return Ok(Vec::new());
    }
    if let Some(found) = c.route_tables.as_ref().and_then(|s| s.find(&filters)) {
        return Ok(found);
    }
    let f = Some(filters);
    let req = || c.ec2.describe_route_tables().set_filters(f.clone());
    let op = "ec2:DescribeRouteTables";
    super::common::pages(op, |t| req().set_next_token(t).send()).await
}

/// The calls that take a table's inline routes from `old` to `new`: deletes for
/// destinations no longer configured, replaces for changed targets, creates for the rest.
#[derive(Debug, Default)]
pub(super) struct RouteChanges {
    pub deletes: Vec<Dest>,
    pub creates: Vec<RouteSpec>,
    pub replaces: Vec<RouteSpec>,
}

pub(super) fn route_changes(
    old: &[Value],
    new: &[Value],
    names: DestNames,
) -> Result<RouteChanges, ProviderError> {
    let parse = |xs: &[Value]| {
        xs.iter()
            .map(|v| spec_from(v, names))
            .collect::<Result<Vec<_>, _>>()
    };
    let (old, new) = (parse(old)?, parse(new)?);
    let deletes = old
        .iter()
        .filter(|o| !new.iter().any(|n| n.dest == o.dest))
        .map(|o| o.dest.clone())
        .collect();
    let mut creates = Vec::new();
    let mut replaces = Vec::new();
    for n in new.into_iter().filter(|n| !old.contains(n)) {
        if old.iter().any(|o| o.dest == n.dest) {
            replaces.push(n);
        } else {
            creates.push(n);
        }
    }
    Ok(RouteChanges {
        deletes,
        creates,
        replaces,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE_DESTS: DestNames = [
        "cidr_block",
        "ipv6_cidr_block",
        "destination_prefix_list_id",
    ];

    fn route(dest: &str, target: &str, id: &str) -> Value {
        Value::map([("cidr_block", Value::from(dest)), (target, Value::from(id))])
    }

    const ROUTE_DESTS: DestNames = [
        "destination_cidr_block",
        "destination_ipv6_cidr_block",
        "destination_prefix_list_id",
    ];

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
    fn route_changes_delete_replace_and_create() {
        let old = [
            route("0.0.0.0/0", "gateway_id", "igw-1"),
            route("10.1.0.0/16", "vpc_peering_connection_id", "pcx-1"),
        ];
        let new = [
            route("0.0.0.0/0", "nat_gateway_id", "nat-1"),
            route("10.2.0.0/16", "transit_gateway_id", "tgw-1"),
        ];
        let RouteChanges {
            deletes: del,
            creates: cre,
            replaces: rep,
        } = route_changes(&old, &new, TABLE_DESTS).expect("valid routes");
        assert_eq!(del, vec![Dest::Ipv4("10.1.0.0/16".into())]);
        assert_eq!(rep.len(), 1);
        assert_eq!(
            (rep[0].target, rep[0].target_id.as_str()),
            ("nat_gateway_id", "nat-1")
        );
        assert_eq!(cre.len(), 1);
        assert_eq!(cre[0].dest, Dest::Ipv4("10.2.0.0/16".into()));
        let RouteChanges {
            deletes: del,
            creates: cre,
            replaces: rep,
        } = route_changes(&new, &new, TABLE_DESTS).expect("valid routes");
        assert!(del.is_empty() && cre.is_empty() && rep.is_empty());
    }
}
