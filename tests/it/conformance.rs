//! Every AWS resource type runs the resource conformance suite (hubctl-core's
//! `provider::conformance`) against its own moto: create/read, a recovering create that must
//! not duplicate, import, an update round trip, delete twice, and a read after an
//! out-of-band delete. Prerequisite objects are made with the SDK directly; counts and
//! out-of-band deletes go around the provider.

use crate::moto::Moto;
use async_trait::async_trait;
use hubctl_aws::{AwsClients, AwsProvider};
use hubctl_core::lang::Value;
use hubctl_core::provider::conformance::{resource_suite, Case, Remote};
use hubctl_core::provider::{Provider, ProviderClient};

/// Clients built as `provider "aws"` builds them, every endpoint at this moto.
pub(crate) async fn configure(moto: &Moto) -> ProviderClient {
    let at = || Value::from(moto.endpoint.as_str());
    let endpoints = Value::map([
        ("ec2", at()),
        ("sts", at()),
        ("eks", at()),
        ("iam", at()),
        ("kms", at()),
    ]);
    let config = Value::map([
        ("region", Value::from("us-east-1")),
        ("access_key", Value::from("test")),
        ("secret_key", Value::from("test")),
        ("endpoints", endpoints),
    ]);
    AwsProvider.configure(&config).await.expect("configure")
}

pub(crate) fn aws(client: &ProviderClient) -> &AwsClients {
    client.downcast_ref::<AwsClients>().expect("AWS clients")
}

/// The moto side of one type: what to count and how to delete around the provider.
struct Ec2<'a> {
    moto: &'a Moto,
    client: ProviderClient,
    kind: &'static str,
}

pub(crate) fn id(state: &Value, k: &str) -> String {
    let v = state.get_attr(k).and_then(Value::as_str);
    v.unwrap_or_default().to_string()
}

#[async_trait]
impl Remote for Ec2<'_> {
    async fn count(&self) -> usize {
        let m = self.moto;
        match self.kind {
            "aws_vpc" => m.count("DescribeVpcs", "vpcId"),
            "aws_subnet" => m.count("DescribeSubnets", "subnetId"),
            "aws_internet_gateway" => m.count("DescribeInternetGateways", "internetGatewayId"),
            "aws_eip" => m.count("DescribeAddresses", "allocationId"),
            "aws_nat_gateway" => m
                .ec2("DescribeNatGateways")
                .matches("<state>available</state>")
                .count(),
            "aws_route_table" => m.count("DescribeRouteTables", "routeTableId"),
            "aws_route" => m
                .ec2("DescribeRouteTables")
                .matches("<destinationCidrBlock>")
                .count(),
            "aws_route_table_association" => {
                m.count("DescribeRouteTables", "routeTableAssociationId")
            }
            k => panic!("no count for {k}"),
        }
    }

    async fn delete_out_of_band(&self, st: &Value) {
        let ec2 = &aws(&self.client).ec2;
        let r = match self.kind {
            "aws_vpc" => ec2
                .delete_vpc()
                .vpc_id(id(st, "id"))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| format!("{e:?}")),
            "aws_subnet" => ec2
                .delete_subnet()
                .subnet_id(id(st, "id"))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| format!("{e:?}")),
            "aws_internet_gateway" => {
                let igw = id(st, "id");
                let d = ec2.detach_internet_gateway().internet_gateway_id(&igw);
                d.vpc_id(id(st, "vpc_id")).send().await.expect("detach");
                let r = ec2.delete_internet_gateway().internet_gateway_id(igw);
                r.send()
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("{e:?}"))
                    .map_err(|e| format!("{e:?}"))
            }
            "aws_eip" => {
                let r = ec2.release_address().allocation_id(id(st, "id"));
                r.send()
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("{e:?}"))
                    .map_err(|e| format!("{e:?}"))
            }
            "aws_nat_gateway" => {
                let r = ec2.delete_nat_gateway().nat_gateway_id(id(st, "id"));
                r.send()
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("{e:?}"))
                    .map_err(|e| format!("{e:?}"))
            }
            "aws_route_table" => {
                let r = ec2.delete_route_table().route_table_id(id(st, "id"));
                r.send()
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("{e:?}"))
                    .map_err(|e| format!("{e:?}"))
            }
            "aws_route" => {
                let r = ec2.delete_route().route_table_id(id(st, "route_table_id"));
                let r = r.destination_cidr_block(id(st, "destination_cidr_block"));
                r.send()
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("{e:?}"))
                    .map_err(|e| format!("{e:?}"))
            }
            "aws_route_table_association" => {
                let r = ec2.disassociate_route_table().association_id(id(st, "id"));
                r.send()
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("{e:?}"))
                    .map_err(|e| format!("{e:?}"))
            }
            k => panic!("no out-of-band delete for {k}"),
        };
        r.unwrap_or_else(|e| panic!("out-of-band delete of {}: {e}", self.kind));
    }
}

/// Runs the suite for `kind` with `config` (and the `update` config, where given).
async fn run(
    moto: &Moto,
    client: ProviderClient,
    kind: &'static str,
    config: Value,
    update: Option<Value>,
    import_id: fn(&Value) -> String,
) {
    let provider = AwsProvider.resources();
    let resource = provider.into_iter().find(|r| r.type_name() == kind);
    let remote = Ec2 {
        moto,
        client: client.clone(),
        kind,
    };
    let address = format!("{kind}.conformance");
    let case = Case {
        resource: resource.expect("registered"),
        client,
        address: &address,
        config,
        update,
        import_id: Some(import_id),
        remote: Some(&remote),
    };
    resource_suite(&case).await;
}

fn by_id(v: &Value) -> String {
    id(v, "id")
}

fn tags(name: &str) -> Value {
    Value::map([("Name", Value::from(name))])
}

/// A VPC made around the provider, for the types that live in one.
pub(crate) async fn vpc(c: &AwsClients, cidr: &str) -> String {
    let out = c
        .ec2
        .create_vpc()
        .cidr_block(cidr)
        .send()
        .await
        .expect("vpc");
    out.vpc()
        .and_then(|v| v.vpc_id())
        .expect("vpc id")
        .to_string()
}

pub(crate) async fn subnet(c: &AwsClients, vpc: &str, cidr: &str) -> String {
    let out = c
        .ec2
        .create_subnet()
        .vpc_id(vpc)
        .cidr_block(cidr)
        .send()
        .await;
    let out = out.expect("subnet");
    out.subnet()
        .and_then(|s| s.subnet_id())
        .expect("id")
        .to_string()
}

async fn route_table(c: &AwsClients, vpc: &str) -> String {
    let out = c
        .ec2
        .create_route_table()
        .vpc_id(vpc)
        .send()
        .await
        .expect("rtb");
    let t = out.route_table().and_then(|t| t.route_table_id());
    t.expect("id").to_string()
}

async fn attached_gateway(c: &AwsClients, vpc: &str) -> String {
    let out = c.ec2.create_internet_gateway().send().await.expect("igw");
    let igw = out.internet_gateway().and_then(|g| g.internet_gateway_id());
    let igw = igw.expect("id").to_string();
    let a = c.ec2.attach_internet_gateway().internet_gateway_id(&igw);
    a.vpc_id(vpc).send().await.expect("attach");
    igw
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_vpc_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let config = Value::map([
        ("cidr_block", Value::from("10.0.0.0/16")),
        ("tags", tags("conf")),
    ]);
    let update = Value::map([
        ("cidr_block", Value::from("10.0.0.0/16")),
        ("enable_dns_hostnames", Value::Bool(true)),
        ("tags", tags("conf-2")),
    ]);
    run(&moto, client, "aws_vpc", config, Some(update), by_id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_subnet_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let vpc = vpc(aws(&client), "10.1.0.0/16").await;
    let config = |public: bool| {
        Value::map([
            ("vpc_id", Value::from(vpc.as_str())),
            ("cidr_block", Value::from("10.1.1.0/24")),
            ("map_public_ip_on_launch", Value::Bool(public)),
        ])
    };
    run(
        &moto,
        client,
        "aws_subnet",
        config(false),
        Some(config(true)),
        by_id,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_internet_gateway_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let vpc = vpc(aws(&client), "10.2.0.0/16").await;
    let config =
        |name: &str| Value::map([("vpc_id", Value::from(vpc.as_str())), ("tags", tags(name))]);
    let kind = "aws_internet_gateway";
    run(&moto, client, kind, config("a"), Some(config("b")), by_id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_eip_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let config = |name: &str| Value::map([("tags", tags(name))]);
    run(
        &moto,
        client,
        "aws_eip",
        config("a"),
        Some(config("b")),
        by_id,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_nat_gateway_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let c = aws(&client);
    let vpc = vpc(c, "10.3.0.0/16").await;
    let subnet = subnet(c, &vpc, "10.3.1.0/24").await;
    // Private: moto keeps a deleted public gateway's address associated, so a second create
    // with the same Elastic IP would fail there.
    let config = |name: &str| {
        Value::map([
            ("subnet_id", Value::from(subnet.as_str())),
            ("connectivity_type", Value::from("private")),
            ("tags", tags(name)),
        ])
    };
    let kind = "aws_nat_gateway";
    run(
        &moto,
        client.clone(),
        kind,
        config("a"),
        Some(config("b")),
        by_id,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_route_table_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let vpc = vpc(aws(&client), "10.4.0.0/16").await;
    let config =
        |name: &str| Value::map([("vpc_id", Value::from(vpc.as_str())), ("tags", tags(name))]);
    let kind = "aws_route_table";
    run(&moto, client, kind, config("a"), Some(config("b")), by_id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_route_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let c = aws(&client);
    let vpc = vpc(c, "10.5.0.0/16").await;
    let rtb = route_table(c, &vpc).await;
    let igw = attached_gateway(c, &vpc).await;
    let config = Value::map([
        ("route_table_id", Value::from(rtb.as_str())),
        ("destination_cidr_block", Value::from("0.0.0.0/0")),
        ("gateway_id", Value::from(igw.as_str())),
    ]);
    // An in-place target change needs a second gateway of the same VPC: covered by
    // tests/it/aws.rs's hub network (gateway to NAT gateway), not here.
    let import = |v: &Value| format!("{}_0.0.0.0/0", id(v, "route_table_id"));
    run(&moto, client, "aws_route", config, None, import).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_route_table_association_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let c = aws(&client);
    let vpc = vpc(c, "10.6.0.0/16").await;
    let subnet = subnet(c, &vpc, "10.6.1.0/24").await;
    let (rtb1, rtb2) = (route_table(c, &vpc).await, route_table(c, &vpc).await);
    let config = |rtb: &str| {
        Value::map([
            ("subnet_id", Value::from(subnet.as_str())),
            ("route_table_id", Value::from(rtb)),
        ])
    };
    let import = |v: &Value| format!("{}/{}", id(v, "subnet_id"), id(v, "route_table_id"));
    let kind = "aws_route_table_association";
    run(
        &moto,
        client,
        kind,
        config(&rtb1),
        Some(config(&rtb2)),
        import,
    )
    .await;
}
