//! The resource conformance suite for the EKS and security group types, against moto:
//! prerequisites (VPC, subnets, IAM role, cluster) are made through the SDK directly, and
//! counts and out-of-band deletes go around the provider.

use crate::conformance::{aws, configure, id, subnet, vpc};
use crate::moto::Moto;
use async_trait::async_trait;
use hubctl_aws::{AwsClients, AwsProvider};
use hubctl_core::lang::Value;
use hubctl_core::provider::conformance::{resource_suite, Case, Remote};
use hubctl_core::provider::{Provider, ProviderClient};

struct Side<'a> {
    moto: &'a Moto,
    client: ProviderClient,
    kind: &'static str,
}

#[async_trait]
impl Remote for Side<'_> {
    async fn count(&self) -> usize {
        let c = aws(&self.client);
        match self.kind {
            "aws_eks_cluster" => c
                .eks
                .list_clusters()
                .send()
                .await
                .expect("list")
                .clusters()
                .len(),
            "aws_eks_node_group" => {
                let r = c.eks.list_nodegroups().cluster_name("conf").send().await;
                r.expect("list").nodegroups().len()
            }
            "aws_security_group" => self.moto.count("DescribeSecurityGroups", "groupId"),
            "aws_security_group_rule" => self
                .moto
                .ec2("DescribeSecurityGroups")
                .matches("<cidrIp>10.30.")
                .count(),
            "aws_default_security_group" | "aws_default_route_table" => 1,
            _ => self
                .moto
                .count("DescribeSecurityGroupRules", "securityGroupRuleId"),
        }
    }

    async fn delete_out_of_band(&self, st: &Value) {
        let c = aws(&self.client);
        let r = match self.kind {
            "aws_eks_cluster" => c
                .eks
                .delete_cluster()
                .name(id(st, "name"))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| format!("{e:?}")),
            "aws_eks_node_group" => {
                let req = c
                    .eks
                    .delete_nodegroup()
                    .cluster_name(id(st, "cluster_name"));
                req.nodegroup_name(id(st, "node_group_name"))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("{e:?}"))
            }
            "aws_security_group" => {
                let req = c.ec2.delete_security_group().group_id(id(st, "id"));
                req.send().await.map(|_| ()).map_err(|e| format!("{e:?}"))
            }
            "aws_security_group_rule" => {
                let req = c
                    .ec2
                    .revoke_security_group_ingress()
                    .group_id(id(st, "security_group_id"));
                let req = req
                    .ip_protocol("tcp")
                    .from_port(443)
                    .to_port(443)
                    .cidr_ip("10.30.0.0/16");
                req.send().await.map(|_| ()).map_err(|e| format!("{e:?}"))
            }
            "aws_vpc_security_group_ingress_rule" => {
                let req = c
                    .ec2
                    .revoke_security_group_ingress()
                    .group_id(id(st, "security_group_id"));
                req.security_group_rule_ids(id(st, "id"))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("{e:?}"))
            }
            _ => {
                let req = c
                    .ec2
                    .revoke_security_group_egress()
                    .group_id(id(st, "security_group_id"));
                req.security_group_rule_ids(id(st, "id"))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("{e:?}"))
            }
        };
        r.unwrap_or_else(|e| panic!("out-of-band delete of {}: {e}", self.kind));
    }
}

pub(crate) async fn run(
    moto: &Moto,
    client: ProviderClient,
    kind: &'static str,
    config: Value,
    update: Value,
    import_id: Option<fn(&Value) -> String>,
) {
    let resource = AwsProvider
        .resources()
        .into_iter()
        .find(|r| r.type_name() == kind);
    // An adopted default object outlives its delete: the checks that it is gone do not apply.
    let adopted = kind.starts_with("aws_default_");
    let remote = Side {
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
        update: Some(update),
        import_id,
        remote: (!adopted).then_some(&remote as &dyn Remote),
    };
    resource_suite(&case).await;
}

pub(crate) fn tags(name: &str) -> Value {
    Value::map([("Name", Value::from(name))])
}

fn strs(xs: &[&str]) -> Value {
    Value::set(xs.iter().map(|s| Value::from(*s)).collect())
}

/// A role for EKS, made in IAM directly (moto does not check that EKS may assume it).
async fn role(c: &AwsClients, name: &str) -> String {
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let r = c
        .iam
        .create_role()
        .role_name(name)
        .assume_role_policy_document(trust)
        .send()
        .await;
    r.expect("role")
        .role()
        .map(|r| r.arn().to_string())
        .expect("arn")
}

async fn network(c: &AwsClients) -> (String, Vec<String>) {
    let v = vpc(c, "10.20.0.0/16").await;
    let a = subnet(c, &v, "10.20.1.0/24").await;
    let b = subnet(c, &v, "10.20.2.0/24").await;
    (v, vec![a, b])
}

fn cluster_config(role: &str, subnets: &[String], logs: &[&str], name: &str) -> Value {
    let subnets: Vec<&str> = subnets.iter().map(String::as_str).collect();
    let vpc = Value::object([
        ("subnet_ids", strs(&subnets)),
        ("security_group_ids", Value::Null),
        ("endpoint_private_access", Value::Bool(false)),
        ("endpoint_public_access", Value::Bool(true)),
        ("public_access_cidrs", Value::Null),
        ("cluster_security_group_id", Value::Null),
        ("vpc_id", Value::Null),
    ]);
    let enc = Value::object([
        ("resources", strs(&["secrets"])),
        (
            "provider",
            Value::List(vec![Value::object([(
                "key_arn",
                Value::from("arn:aws:kms:us-east-1:123456789012:key/conf"),
            )])]),
        ),
    ]);
    Value::map([
        ("name", Value::from("conf")),
        ("role_arn", Value::from(role)),
        ("version", Value::from("1.31")),
        ("enabled_cluster_log_types", strs(logs)),
        ("vpc_config", Value::List(vec![vpc])),
        ("encryption_config", Value::List(vec![enc])),
        ("access_config", Value::List(vec![])),
        ("kubernetes_network_config", Value::List(vec![])),
        ("tags", tags(name)),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_eks_cluster_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let c = aws(&client);
    let (_, subnets) = network(c).await;
    let role = role(c, "conf-cluster").await;
    let config = cluster_config(&role, &subnets, &[], "a");
    let update = cluster_config(&role, &subnets, &["api", "audit"], "b");
    // No import round trip: DescribeCluster does not report bootstrap_self_managed_addons
    // (Terraform's import test ignores it too).
    run(&moto, client, "aws_eks_cluster", config, update, None).await;
}

fn group_config(role: &str, subnets: &[String], desired: i64, labels: Value) -> Value {
    let subnets: Vec<&str> = subnets.iter().map(String::as_str).collect();
    let scaling = Value::object([
        ("desired_size", Value::int(desired)),
        ("min_size", Value::int(1)),
        ("max_size", Value::int(3)),
    ]);
    let update = Value::object([
        ("max_unavailable", Value::int(1)),
        ("max_unavailable_percentage", Value::Null),
    ]);
    Value::map([
        ("cluster_name", Value::from("conf")),
        ("node_group_name", Value::from("default")),
        ("node_role_arn", Value::from(role)),
        ("subnet_ids", strs(&subnets)),
        ("instance_types", Value::List(vec![Value::from("t3.large")])),
        ("labels", labels),
        ("scaling_config", Value::List(vec![scaling])),
        ("update_config", Value::List(vec![update])),
        ("taint", Value::set(vec![])),
        ("remote_access", Value::List(vec![])),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_eks_node_group_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let c = aws(&client);
    let (_, subnets) = network(c).await;
    let cluster_role = role(c, "conf-cluster").await;
    let vpc = aws_sdk_eks::types::VpcConfigRequest::builder()
        .set_subnet_ids(Some(subnets.clone()))
        .build();
    let req = c
        .eks
        .create_cluster()
        .name("conf")
        .role_arn(&cluster_role)
        .resources_vpc_config(vpc);
    req.send().await.expect("cluster");
    let node_role = role(c, "conf-nodes").await;
    let config = group_config(&node_role, &subnets, 2, Value::Null);
    let update = group_config(
        &node_role,
        &subnets,
        3,
        Value::map([("role", Value::from("system"))]),
    );
    // No import round trip: moto echoes a remote_access block for a group made without one,
    // which an import (no prior state) takes as it is.
    run(&moto, client, "aws_eks_node_group", config, update, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_security_group_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let vpc = vpc(aws(&client), "10.21.0.0/16").await;
    let config = |name: &str| {
        Value::map([
            ("name", Value::from("conf-sg")),
            ("vpc_id", Value::from(vpc.as_str())),
            ("ingress", Value::set(vec![])),
            ("egress", Value::set(vec![])),
            ("tags", tags(name)),
        ])
    };
    let import = |v: &Value| id(v, "id");
    run(
        &moto,
        client,
        "aws_security_group",
        config("a"),
        config("b"),
        Some(import),
    )
    .await;
}

pub(crate) async fn group(c: &AwsClients, vpc: &str) -> String {
    let r = c
        .ec2
        .create_security_group()
        .group_name("conf")
        .description("d")
        .vpc_id(vpc)
        .send()
        .await;
    r.expect("sg").group_id().expect("id").to_string()
}

fn rule_config(sg: &str, port: i64, desc: &str) -> Value {
    Value::map([
        ("security_group_id", Value::from(sg)),
        ("ip_protocol", Value::from("tcp")),
        ("from_port", Value::int(port)),
        ("to_port", Value::int(port)),
        ("cidr_ipv4", Value::from("10.0.0.0/16")),
        ("description", Value::from(desc)),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_vpc_security_group_rules_conform() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let c = aws(&client);
    let v = vpc(c, "10.22.0.0/16").await;
    let sg = group(c, &v).await;
    let import = |v: &Value| id(v, "id");
    for kind in [
        "aws_vpc_security_group_ingress_rule",
        "aws_vpc_security_group_egress_rule",
    ] {
        let config = rule_config(&sg, 443, "https");
        let update = rule_config(&sg, 8443, "alt https");
        run(&moto, client.clone(), kind, config, update, Some(import)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_security_group_rule_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let c = aws(&client);
    let v = vpc(c, "10.30.0.0/16").await;
    let sg = group(c, &v).await;
    let config = |desc: &str| {
        Value::map([
            ("type", Value::from("ingress")),
            ("security_group_id", Value::from(sg.as_str())),
            ("protocol", Value::from("tcp")),
            ("from_port", Value::int(443)),
            ("to_port", Value::int(443)),
            (
                "cidr_blocks",
                Value::List(vec![Value::from("10.30.0.0/16")]),
            ),
            ("description", Value::from(desc)),
        ])
    };
    let import = |v: &Value| {
        format!(
            "{}_ingress_tcp_443_443_10.30.0.0/16",
            id(v, "security_group_id")
        )
    };
    run(
        &moto,
        client,
        "aws_security_group_rule",
        config("https"),
        config("api"),
        Some(import),
    )
    .await;
}
