//! Tests of `aws_route_table`'s pure parts: mapping, planning.
use super::*;
use crate::ec2::route_block::DESTS;
use crate::ec2::routes::TARGETS;
use crate::managed::{assert_read_matches_schema, from_api, schema_for};
use crate::tags;
use aws_sdk_ec2::types::{PropagatingVgw, Tag};
use aws_sdk_ec2::types::{Route, RouteOrigin};
use std::collections::BTreeMap;

fn plan(prior: Option<&Value>, proposed: Value) -> PlannedState {
    RouteTable.plan(&schema_for::<RouteTable>(), prior, proposed)
}

fn clients() -> AwsClients {
    crate::ec2::common::test_clients(BTreeMap::from([("Project".to_string(), "hub".to_string())]))
}

fn route(dest: &str, target: &str, id: &str) -> Value {
    let mut m: BTreeMap<String, Value> = DESTS
        .iter()
        .chain(TARGETS)
        .map(|n| (n.to_string(), Value::from("")))
        .collect();
    m.insert("cidr_block".into(), Value::from(dest));
    m.insert(target.into(), Value::from(id));
    Value::Object(m.into_iter().collect())
}

#[test]
fn from_api_drops_local_propagated_and_endpoint_routes() {
    let t = Api::builder()
        .route_table_id("rtb-1")
        .vpc_id("vpc-1")
        .owner_id("123456789012")
        .routes(
            Route::builder()
                .destination_cidr_block("10.0.0.0/16")
                .gateway_id("local")
                .build(),
        )
        .routes(
            Route::builder()
                .destination_cidr_block("0.0.0.0/0")
                .nat_gateway_id("nat-1")
                .build(),
        )
        .routes(
            Route::builder()
                .destination_cidr_block("172.16.0.0/12")
                .gateway_id("vgw-1")
                .origin(RouteOrigin::EnableVgwRoutePropagation)
                .build(),
        )
        .routes(
            Route::builder()
                .destination_prefix_list_id("pl-1")
                .gateway_id("vpce-1")
                .build(),
        )
        .propagating_vgws(PropagatingVgw::builder().gateway_id("vgw-1").build())
        .tags(Tag::builder().key("Name").value("hub-public").build())
        .tags(Tag::builder().key("Project").value("hub").build())
        .tags(
            Tag::builder()
                .key(tags::ADDRESS_TAG)
                .value("aws_route_table.public")
                .build(),
        )
        .build();
    let base = Value::map([("tags", Value::map([("Name", Value::from("hub-public"))]))]);
    assert_read_matches_schema(RouteTable, &t);
    let v = from_api(&RouteTable, &clients(), &t, &base);
    assert_eq!(
        v.get_attr("route"),
        Some(&Value::set(vec![route(
            "0.0.0.0/0",
            "nat_gateway_id",
            "nat-1"
        )]))
    );
    assert_eq!(
        v.get_attr("propagating_vgws"),
        Some(&Value::set(vec![Value::from("vgw-1")]))
    );
    assert_eq!(
        v.get_attr("arn"),
        Some(&Value::from(
            "arn:aws:ec2:us-east-1:123456789012:route-table/rtb-1"
        ))
    );
    assert_eq!(
        v.get_attr("tags"),
        Some(&Value::map([("Name", Value::from("hub-public"))]))
    );
    assert_eq!(
        v.get_attr("tags_all")
            .and_then(Value::as_map)
            .map(|m| m.len()),
        Some(2)
    );
}

#[test]
fn no_route_blocks_keep_the_routes_there() {
    let prior = Value::map([
        ("id", Value::from("rtb-1")),
        ("vpc_id", Value::from("vpc-1")),
        (
            "route",
            Value::set(vec![route("0.0.0.0/0", "gateway_id", "igw-1")]),
        ),
    ]);
    let proposed = Value::map([
        ("id", Value::from("rtb-1")),
        ("vpc_id", Value::from("vpc-1")),
        ("route", Value::set(vec![])),
    ]);
    let p = plan(Some(&prior), proposed.clone());
    assert_eq!(p.planned.get_attr("route"), prior.get_attr("route"));
    assert!(p.requires_replace.is_empty());
    let created = plan(None, proposed);
    assert!(created
        .planned
        .get_attr("route")
        .is_some_and(Value::is_unknown));
}

#[test]
fn configured_routes_are_planned_as_written() {
    let prior = Value::map([
        ("vpc_id", Value::from("vpc-1")),
        (
            "route",
            Value::set(vec![route("0.0.0.0/0", "gateway_id", "igw-1")]),
        ),
    ]);
    let want = Value::set(vec![route("0.0.0.0/0", "nat_gateway_id", "nat-1")]);
    let p = plan(
        Some(&prior),
        Value::map([("vpc_id", Value::from("vpc-1")), ("route", want.clone())]),
    );
    assert_eq!(p.planned.get_attr("route"), Some(&want));
    let p = plan(
        Some(&prior),
        Value::map([("vpc_id", Value::from("vpc-2")), ("route", want)]),
    );
    assert_eq!(p.requires_replace, vec!["vpc_id".to_string()]);
}

#[test]
fn null_route_arguments_are_planned_as_empty_and_new_tags_make_tags_all_unknown() {
    let r = route("0.0.0.0/0", "gateway_id", "igw-1");
    let prior = Value::map([
        ("id", Value::from("rtb-1")),
        ("vpc_id", Value::from("vpc-1")),
        ("tags", Value::Null),
        ("tags_all", Value::map([("Project", Value::from("hub"))])),
        ("route", Value::set(vec![r.clone()])),
    ]);
    let mut written = r.clone();
    if let Some(m) = written.as_map_mut() {
        m.insert("nat_gateway_id".into(), Value::Null);
    }
    let mut proposed = prior.clone();
    if let Some(m) = proposed.as_map_mut() {
        m.insert("route".into(), Value::set(vec![written]));
    }
    let p = plan(Some(&prior), proposed.clone());
    assert!(p.requires_replace.is_empty());
    assert_eq!(p.planned, prior);
    if let Some(m) = proposed.as_map_mut() {
        m.insert("tags".into(), Value::map([("Name", Value::from("a"))]));
    }
    let p = plan(Some(&prior), proposed);
    assert!(p
        .planned
        .get_attr("tags_all")
        .is_some_and(Value::is_unknown));
    assert_eq!(p.planned.get_attr("route"), prior.get_attr("route"));
}
