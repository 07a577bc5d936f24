//! The resource conformance suite for the adopt-the-default types (the VPC's default
//! security group, network ACL and route table) against moto. An adopted object outlives its
//! delete, so the suite's "gone" checks are skipped for them; each test checks instead that
//! the object is left with no rules of ours.

use crate::conformance::{aws, configure, id, vpc};
use crate::conformance_eks::{run, tags};
use crate::moto::Moto;
use aws_sdk_ec2::types::Filter;
use hubctl_aws::AwsClients;
use hubctl_core::lang::Value;

fn by(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

/// The VPC's main route table and an internet gateway attached to the VPC.
async fn main_table_and_gateway(c: &AwsClients, vpc: &str) -> (String, String) {
    let main = c.ec2.describe_route_tables().filters(by("vpc-id", vpc));
    let main = main
        .filters(by("association.main", "true"))
        .send()
        .await
        .expect("rtb");
    let rtb = main.route_tables()[0]
        .route_table_id()
        .expect("id")
        .to_string();
    let igw = c.ec2.create_internet_gateway().send().await.expect("igw");
    let igw = igw.internet_gateway().and_then(|g| g.internet_gateway_id());
    let igw = igw.expect("id").to_string();
    let a = c
        .ec2
        .attach_internet_gateway()
        .internet_gateway_id(&igw)
        .vpc_id(vpc);
    a.send().await.expect("attach");
    (rtb, igw)
}

/// A `route` element in state's shape: every unset argument `""`.
fn route(cidr: &str, igw: &str) -> Value {
    let mut m: Vec<(&str, Value)> = vec![
        ("cidr_block", Value::from(cidr)),
        ("gateway_id", Value::from(igw)),
    ];
    for k in [
        "ipv6_cidr_block",
        "destination_prefix_list_id",
        "carrier_gateway_id",
        "core_network_arn",
        "egress_only_gateway_id",
        "local_gateway_id",
        "nat_gateway_id",
        "network_interface_id",
        "transit_gateway_id",
        "vpc_endpoint_id",
        "vpc_peering_connection_id",
    ] {
        m.push((k, Value::from("")));
    }
    Value::object(m)
}

fn sg_rule(proto: &str, port: i64, cidr: &str, own: bool) -> Value {
    Value::object([
        ("from_port", Value::int(port)),
        ("to_port", Value::int(port)),
        ("protocol", Value::from(proto)),
        (
            "cidr_blocks",
            Value::List(if cidr.is_empty() {
                vec![]
            } else {
                vec![Value::from(cidr)]
            }),
        ),
        ("ipv6_cidr_blocks", Value::List(vec![])),
        ("prefix_list_ids", Value::List(vec![])),
        ("security_groups", Value::set(vec![])),
        ("self", Value::Bool(own)),
        ("description", Value::from("")),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_default_security_group_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let vpc = vpc(aws(&client), "10.23.0.0/16").await;
    let config = |port: i64| {
        Value::map([
            ("vpc_id", Value::from(vpc.as_str())),
            (
                "ingress",
                Value::set(vec![
                    sg_rule("tcp", port, "10.23.0.0/16", false),
                    sg_rule("-1", 0, "", true),
                ]),
            ),
            (
                "egress",
                Value::set(vec![sg_rule("-1", 0, "0.0.0.0/0", false)]),
            ),
            ("tags", tags("default")),
        ])
    };
    let import = |v: &Value| id(v, "id");
    run(
        &moto,
        client.clone(),
        "aws_default_security_group",
        config(443),
        config(8443),
        Some(import),
    )
    .await;
    // Left in place with no rules.
    let g = aws(&client).ec2.describe_security_groups().filters(
        aws_sdk_ec2::types::Filter::builder()
            .name("vpc-id")
            .values(vpc.as_str())
            .build(),
    );
    let g = g.send().await.expect("describe");
    let g = &g.security_groups()[0];
    assert_eq!(g.group_name(), Some("default"));
    assert!(g.ip_permissions().is_empty() && g.ip_permissions_egress().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_default_route_table_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let c = aws(&client);
    let vpc = vpc(c, "10.24.0.0/16").await;
    let (rtb, igw) = main_table_and_gateway(c, &vpc).await;
    let config = |cidr: &str| {
        Value::map([
            ("default_route_table_id", Value::from(rtb.as_str())),
            ("route", Value::set(vec![route(cidr, &igw)])),
            ("tags", tags("main")),
        ])
    };
    let import = |v: &Value| id(v, "id");
    let (a, b) = (config("0.0.0.0/0"), config("10.99.0.0/16"));
    run(
        &moto,
        client.clone(),
        "aws_default_route_table",
        a,
        b,
        Some(import),
    )
    .await;
    let t = c
        .ec2
        .describe_route_tables()
        .route_table_ids(&rtb)
        .send()
        .await
        .expect("rtb");
    let routes = t.route_tables()[0].routes();
    assert!(
        routes.iter().all(|r| r.gateway_id() == Some("local")),
        "{routes:?}"
    );
}

fn acl_entry(rule: i64, port: i64) -> Value {
    Value::object([
        ("rule_no", Value::int(rule)),
        ("action", Value::from("allow")),
        ("protocol", Value::from("6")),
        ("from_port", Value::int(port)),
        ("to_port", Value::int(port)),
        ("cidr_block", Value::from("0.0.0.0/0")),
        ("ipv6_cidr_block", Value::from("")),
        ("icmp_type", Value::int(0)),
        ("icmp_code", Value::int(0)),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_default_network_acl_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let c = aws(&client);
    let vpc = vpc(c, "10.25.0.0/16").await;
    let acl = c
        .ec2
        .describe_network_acls()
        .filters(by("vpc-id", &vpc))
        .filters(by("default", "true"));
    let acl = acl.send().await.expect("acl");
    let acl = acl.network_acls()[0]
        .network_acl_id()
        .expect("id")
        .to_string();
    let config = |port: i64| {
        Value::map([
            ("default_network_acl_id", Value::from(acl.as_str())),
            ("ingress", Value::set(vec![acl_entry(100, port)])),
            ("egress", Value::set(vec![acl_entry(100, 443)])),
            ("tags", tags("default")),
        ])
    };
    let import = |v: &Value| id(v, "id");
    run(
        &moto,
        client.clone(),
        "aws_default_network_acl",
        config(443),
        config(8443),
        Some(import),
    )
    .await;
    let a = c
        .ec2
        .describe_network_acls()
        .network_acl_ids(&acl)
        .send()
        .await
        .expect("acl");
    let left: Vec<_> = a.network_acls()[0]
        .entries()
        .iter()
        .filter(|e| e.rule_number() != Some(32767))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
