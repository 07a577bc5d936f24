//! `aws_route`.
//!
//! API calls: `CreateRoute`, `ReplaceRoute` (a changed target), `DeleteRoute`,
//! `DescribeRouteTables` (refresh: one call per 200 routes for the route tables involved,
//! filtered by `route-table-id`; each route is then found by its destination).
//! Force-new: `route_table_id`, the destination (`destination_cidr_block`,
//! `destination_ipv6_cidr_block`, `destination_prefix_list_id`).
//! Waiter: after `CreateRoute`, until DescribeRouteTables lists it (default 5m).
//! Import id and lookup key: `rtb-xxx_DESTINATION` (Terraform's).
//! Quirks: a route has no id of its own; Terraform's is `r-<rtb id><crc32 of destination>`,
//! built the same here so imported state matches. Unset targets are `""` in state (the
//! Terraform SDK's shape), so they are schema defaults rather than nulls. A gateway endpoint
//! target comes back from AWS as `GatewayId = vpce-...` and is mapped to `vpc_endpoint_id`.

use super::common::filter;
use super::routes::{create_route, delete_route, describe, dest_from, nulls_to_empty};
use super::routes::{one_dest_one_target, replace_route, route_id, spec_from, targets_of};
use super::routes::{Dest, DestNames, TARGETS};
use crate::config::AwsClients;
use crate::managed::{computed_str, empty_str, empty_str_new, field_table, import_parts, or_empty};
use crate::managed::{read_one, required_str_new, wait_for, with_named, Field, Identity, Lookup};
use crate::managed::{Managed, Op, Tags};
use async_trait::async_trait;
use aws_sdk_ec2::types::Route;
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::Schema;
use hubctl_core::provider::{plan_by_schema, AttrSchema, Invalid, PlannedState, ProviderError};
use std::collections::BTreeSet;
use std::sync::OnceLock;
use std::time::Duration;

pub struct AwsRoute;

/// One route as DescribeRouteTables reports it, with its table.
#[derive(Debug, Clone)]
pub struct Api {
    rtb: String,
    route: Route,
}

impl Api {
    fn of(rtb: &str, route: &Route) -> Self {
        let (rtb, route) = (rtb.to_string(), route.clone());
        Api { rtb, route }
    }
}

field_table! { Api;
    ID = api("id", computed_str, |_, x| {
        let dest = Dest::of(&x.route).map(|d| d.text().to_string()).unwrap_or_default();
        Value::String(route_id(&x.rtb, &dest))
    });
    RTB = api("route_table_id", required_str_new, |_, x| Value::from(x.rtb.as_str()));
    DEST_V4 = api("destination_cidr_block", empty_str_new,
        |_, x| or_empty(x.route.destination_cidr_block()));
    DEST_V6 = api("destination_ipv6_cidr_block", empty_str_new,
        |_, x| or_empty(x.route.destination_ipv6_cidr_block()));
    DEST_PL = api("destination_prefix_list_id", empty_str_new,
        |_, x| or_empty(x.route.destination_prefix_list_id()));
    INSTANCE = api("instance_id", computed_str, |_, x| or_empty(x.route.instance_id()));
    INSTANCE_OWNER = api("instance_owner_id", computed_str,
        |_, x| or_empty(x.route.instance_owner_id()));
    ORIGIN = api("origin", computed_str, |_, x| or_empty(x.route.origin().map(|o| o.as_str())));
    STATE = api("state", computed_str, |_, x| or_empty(x.route.state().map(|o| o.as_str())));
}

/// The destination arguments, in the shared route helpers' order.
const ROUTE_DESTS: DestNames = [DEST_V4.name, DEST_V6.name, DEST_PL.name];
/// A target, read by name; AWS fills the interface in when the route goes to an instance.
fn target(name: &'static str) -> Field<Api> {
    let schema = match name {
        "network_interface_id" => || AttrSchema::optional_computed(Type::String),
        _ => empty_str,
    };
    Field::named(name, schema, |_, x, name| {
        Value::String(targets_of(&x.route).remove(name).unwrap_or_default())
    })
}

/// The key of a configured route: `rtb_destination`.
fn key_of(v: &Value) -> Option<String> {
    let dest = dest_from(v, ROUTE_DESTS).ok()?;
    Some(format!("{}_{}", RTB.nonempty(v)?, dest.text()))
}

#[async_trait]
impl Managed for AwsRoute {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_route";
    const NOUN: &'static str = "route";
    const DESCRIBE: &'static str = "ec2:DescribeRouteTables";
    const IDENTITY: Identity = Identity::Composite;

    fn fields() -> &'static [&'static Field<Api>] {
        static F: OnceLock<Vec<&'static Field<Api>>> = OnceLock::new();
        with_named(&F, FIELDS, TARGETS, target)
    }

    fn key(x: &Api) -> Option<String> {
        Some(format!("{}_{}", x.rtb, Dest::of(&x.route)?.text()))
    }

    fn state_key(state: &Value) -> Option<String> {
        key_of(state)
    }

    /// Every route of the tables the keys name; routes carry no tags to look up.
    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        let rtbs = by.keys().iter().filter_map(|k| split_key(k));
        let rtbs: BTreeSet<String> = rtbs.map(|(rtb, _)| rtb.to_string()).collect();
        let tables = describe(c, vec![filter("route-table-id", rtbs)]).await?;
        let routes = tables.iter().flat_map(|t| {
            let rtb = t.route_table_id().unwrap_or_default();
            t.routes().iter().map(move |r| Api::of(rtb, r))
        });
        Ok(routes.collect())
    }

    /// One destination and one target, as the Terraform provider's `ExactlyOneOf`.
    fn validate(&self, config: &Value) -> Vec<Invalid> {
        one_dest_one_target(config, &ROUTE_DESTS)
    }

    /// The schema's rule, with unset destinations and targets `""` as Terraform stores them.
    fn plan(&self, schema: &Schema, prior: Option<&Value>, mut proposed: Value) -> PlannedState {
        let mut args: Vec<&str> = ROUTE_DESTS.to_vec();
        args.extend(TARGETS.iter().filter(|t| **t != "network_interface_id"));
        nulls_to_empty(&mut proposed, &args);
        plan_by_schema(schema, prior, proposed)
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, _: &Tags) -> Result<Api, ProviderError> {
        let spec = spec_from(planned, ROUTE_DESTS)?;
        let rtb = RTB.str(planned).unwrap_or_default();
        create_route(c, &rtb, &spec).await?;
        Ok(Api::of(&rtb, &Route::builder().build()))
    }

    /// Waits until AWS lists the route; a recovered route with another target is pointed at
    /// the configured one.
    async fn finish_create(
        &self,
        c: &Op<'_>,
        planned: &Value,
        _: Api,
    ) -> Result<Api, ProviderError> {
        let spec = spec_from(planned, ROUTE_DESTS)?;
        let timeout = c.ctx.timeouts.create.unwrap_or(Duration::from_secs(300));
        let x = read_back(c, planned, timeout).await?;
        if targets_of(&x.route).get(spec.target) == Some(&spec.target_id) {
            return Ok(x);
        }
        replace_route(c, &x.rtb, &spec).await?;
        read_back(c, planned, timeout).await
    }

    /// Terraform's import id `rtb-xxx_10.0.0.0/0` (also an IPv6 CIDR or a `pl-` prefix list
    /// after the underscore) is the lookup key.
    async fn import_key(&self, _c: &AwsClients, id: &str) -> Result<String, ProviderError> {
        let form = "ROUTETABLEID_DESTINATION, like rtb-0123_10.0.0.0/0";
        import_parts(Self::TYPE_NAME, id, '_', form).map(|_| id.to_string())
    }

    /// A changed target: ReplaceRoute.
    async fn update_attrs(
        &self,
        c: &Op<'_>,
        _key: &str,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        let spec = spec_from(planned, ROUTE_DESTS)?;
        replace_route(c, &RTB.str(planned).unwrap_or_default(), &spec).await?;
        let timeout = c.ctx.timeouts.update.unwrap_or(Duration::from_secs(120));
        read_back(c, planned, timeout).await?;
        Ok(None)
    }

    async fn delete(&self, c: &Op<'_>, key: &str) -> Result<(), ProviderError> {
        let bad = || ProviderError::msg(format!("invalid route key {key}"));
        let (rtb, dest) = split_key(key).ok_or_else(bad)?;
        delete_route(c, rtb, &dest).await
    }
}

/// The table and destination of a key `rtb_destination`.
fn split_key(key: &str) -> Option<(&str, Dest)> {
    let (rtb, d) = key.split_once('_')?;
    Some((rtb, Dest::parse(d)))
}

/// Reads the planned route back, waiting until AWS lists it.
async fn read_back(c: &Op<'_>, planned: &Value, timeout: Duration) -> Result<Api, ProviderError> {
    let key = key_of(planned).unwrap_or_default();
    let what = format!("the route {key} to appear in its route table");
    wait_for(c.ctx, &what, timeout, || read_one(&AwsRoute, c, &key)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2::common::test_clients;
    use crate::managed::{assert_read_matches_schema, schema_for};
    use aws_sdk_ec2::types::{RouteOrigin, RouteState, RouteTable};

    /// The state of the route to `dest` in `rt`, as a refresh reads it.
    fn from_api(rt: &RouteTable, dest: &Dest) -> Option<Value> {
        let r = rt
            .routes()
            .iter()
            .find(|r| Dest::of(r).as_ref() == Some(dest))?;
        let rtb = rt.route_table_id().unwrap_or_default().to_string();
        let x = Api {
            rtb,
            route: r.clone(),
        };
        assert_read_matches_schema(AwsRoute, &x);
        let c = test_clients(Default::default());
        Some(crate::managed::from_api(&AwsRoute, &c, &x, &Value::Null))
    }

    impl AwsRoute {
        fn plan_rule(&self, prior: Option<&Value>, proposed: Value) -> PlannedState {
            self.plan(&schema_for::<AwsRoute>(), prior, proposed)
        }
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
        let p = AwsRoute.plan_rule(Some(&prior), proposed.clone());
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
        let p = AwsRoute.plan_rule(Some(&prior), proposed);
        assert_eq!(
            p.requires_replace,
            vec!["destination_cidr_block".to_string()]
        );
    }

    #[tokio::test]
    async fn import_ids_name_the_table_and_destination() {
        let c = test_clients(Default::default());
        let key = AwsRoute
            .import_key(&c, "rtb-1_0.0.0.0/0")
            .await
            .expect("valid");
        let state = Value::map([
            ("route_table_id", Value::from("rtb-1")),
            ("destination_cidr_block", Value::from("0.0.0.0/0")),
        ]);
        assert_eq!(Some(key), key_of(&state));
        let split = |k| split_key(k).map(|(rtb, d)| (rtb.to_string(), d));
        assert_eq!(
            split("rtb-1_::/0"),
            Some(("rtb-1".into(), Dest::Ipv6("::/0".into())))
        );
        let pl = Some(("rtb-1".into(), Dest::PrefixList("pl-9".into())));
        assert_eq!(split("rtb-1_pl-9"), pl);
        let v4 = Some(("rtb-1".into(), Dest::Ipv4("10.0.0.0/8".into())));
        assert_eq!(split("rtb-1_10.0.0.0/8"), v4);
        assert_eq!(split("rtb-1"), None);
        for bad in ["rtb-1", "_1.0.0.0/8", "rtb-1_"] {
            assert!(AwsRoute.import_key(&c, bad).await.is_err(), "{bad}");
        }
    }

    #[test]
    fn plan_turns_null_targets_into_empty_strings() {
        let p = AwsRoute.plan_rule(
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
