//! The inline `route` block of `aws_route_table`: its schema, its read from the routes AWS
//! reports, its checks and planning, and the calls that take a table's inline routes from
//! one configuration to the next (see `route_table.rs` for the type's quirks).

use super::routes::{self, route_changes, targets_of, Dest, DestNames, RouteChanges, TARGETS};
use crate::config::AwsClients;
use aws_sdk_ec2::types::{Route, RouteOrigin, RouteTable};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, BlockSchema, Invalid, Nesting, ProviderError, Schema};
use std::collections::BTreeMap;

/// Destination names inside a `route` block.
pub(super) const DESTS: DestNames = [
    "cidr_block",
    "ipv6_cidr_block",
    "destination_prefix_list_id",
];

/// A set of routes, each with one destination and one target; unset ones are `""`.
pub(super) fn schema() -> BlockSchema {
    BlockSchema {
        nesting: Nesting::Set,
        min_items: 0,
        max_items: None,
        force_new: false,
        schema: route_schema(),
    }
}

fn route_schema() -> Schema {
    let arg = || AttrSchema::optional(Type::String).default(Value::from(""));
    DESTS
        .iter()
        .chain(TARGETS)
        .fold(Schema::new(), |sch, n| sch.attr(n, arg()))
}

/// The block as AWS reports the table: its user-made routes.
pub(super) fn read(t: &RouteTable) -> Value {
    let user = t.routes().iter().filter(|r| is_user_route(r));
    Value::set(user.map(route_value).collect())
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

/// Each route has one destination and one target. The blocks form a set, which has no
/// source order, so a finding names the route by its destination (under `block`).
pub(super) fn validate(block: &str, routes: &[Value]) -> Vec<Invalid> {
    let mut out = Vec::new();
    for r in routes {
        let dest = DESTS
            .iter()
            .find_map(|d| r.get_attr(d).and_then(Value::as_str));
        for mut f in routes::one_dest_one_target(r, &DESTS) {
            f.path.insert(0, block.into());
            if let Some(d) = dest {
                f.detail = format!("route to {d}: {}", f.detail);
            }
            out.push(f);
        }
    }
    out
}

/// The planned block: the configured routes with unset arguments `""`; with none
/// configured, the block is computed: the prior routes, or unknown before the create.
pub(super) fn plan(configured: &[Value], prior: Option<&Value>) -> Value {
    if !configured.is_empty() {
        let names: Vec<&str> = DESTS.iter().chain(TARGETS).copied().collect();
        let mut xs = configured.to_vec();
        xs.iter_mut()
            .for_each(|x| routes::nulls_to_empty(x, &names));
        return Value::set(xs);
    }
    match prior {
        Some(r) => r.clone(),
        None => Value::Unknown(Type::Set(Box::new(route_schema().object_type()))),
    }
}

/// Every argument name of a `route` element.
pub(super) fn names() -> Vec<&'static str> {
    DESTS.iter().chain(TARGETS).copied().collect()
}

/// Takes table `id`'s inline routes from `old` to `new`.
pub(super) async fn converge(
    c: &AwsClients,
    id: &str,
    old: &[Value],
    new: &[Value],
) -> Result<bool, ProviderError> {
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
    Ok(!(deletes.is_empty() && replaces.is_empty() && creates.is_empty()))
}
