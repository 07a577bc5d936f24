//! `aws_vpc`.
//!
//! API calls: `CreateVpc` (tags in `TagSpecifications`), `ModifyVpcAttribute` (one call per
//! DNS attribute), `DescribeVpcs` (refresh: one call for all VPCs, filtered by `vpc-id`),
//! `DescribeRouteTables` / `DescribeSecurityGroups` / `DescribeNetworkAcls` (the VPC's
//! defaults, once at create or import), `DescribeVpcAttribute` (DNS flags, at import), `CreateTags` / `DeleteTags`, `DeleteVpc`.
//! Force-new: `cidr_block`, `instance_tenancy`.
//! Quirk: DescribeVpcs does not return the DNS attributes; a refresh keeps their last known
//! values rather than making a call per VPC.

use super::common::{b, filter, gone, opt, s, tag_spec};
use super::tagged::{fetch, set_id_and_arn, tagged_schema, Lost, Tagged};
use crate::config::AwsClients;
use crate::error;
use crate::tags;
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, Filter, ResourceType, Tag, Tenancy, Vpc as ApiVpc,
};
use hubctl_core::lang::{Type, Value, VecMap};
use hubctl_core::provider::{AttrSchema, OpContext, ProviderError, Schema};
use std::sync::OnceLock;

pub struct Vpc;

async fn set_dns(c: &AwsClients, id: &str, attr: &str, on: bool) -> Result<(), ProviderError> {
    let v = AttributeBooleanValue::builder().value(on).build();
    let req = c.ec2.modify_vpc_attribute().vpc_id(id);
    let req = if attr == "enable_dns_hostnames" {
        req.enable_dns_hostnames(v)
    } else {
        req.enable_dns_support(v)
    };
    req.send()
        .await
        .map_err(|e| error::sdk("ec2:ModifyVpcAttribute", e))?;
    Ok(())
}

/// One DNS attribute as DescribeVpcAttribute reports it (DescribeVpcs does not).
async fn get_dns(c: &AwsClients, id: &str, attr: &str) -> Result<Value, ProviderError> {
    use aws_sdk_ec2::types::VpcAttributeName as N;
    let name = if attr == "enable_dns_hostnames" {
        N::EnableDnsHostnames
    } else {
        N::EnableDnsSupport
    };
    let out = c
        .ec2
        .describe_vpc_attribute()
        .vpc_id(id)
        .attribute(name)
        .send()
        .await
        .map_err(|e| error::sdk("ec2:DescribeVpcAttribute", e))?;
    let v = if attr == "enable_dns_hostnames" {
        out.enable_dns_hostnames()
    } else {
        out.enable_dns_support()
    };
    Ok(v.and_then(|v| v.value())
        .map(Value::Bool)
        .unwrap_or(Value::Null))
}

/// The default route table, security group and network ACL AWS made with the VPC.
async fn defaults(
    c: &AwsClients,
    id: &str,
    m: &mut hubctl_core::lang::VecMap<String, Value>,
) -> Result<(), ProviderError> {
    let rt = c
        .ec2
        .describe_route_tables()
        .filters(filter("vpc-id", [id.to_string()]))
        .filters(filter("association.main", ["true".to_string()]))
        .send()
        .await
        .map_err(|e| error::sdk("ec2:DescribeRouteTables", e))?;
    let main = opt(rt.route_tables().first().and_then(|r| r.route_table_id()));
    m.insert("default_route_table_id".into(), main.clone());
    m.insert("main_route_table_id".into(), main);
    let sg = c
        .ec2
        .describe_security_groups()
        .filters(filter("vpc-id", [id.to_string()]))
        .filters(filter("group-name", ["default".to_string()]))
        .send()
        .await
        .map_err(|e| error::sdk("ec2:DescribeSecurityGroups", e))?;
    m.insert(
        "default_security_group_id".into(),
        opt(sg.security_groups().first().and_then(|g| g.group_id())),
    );
    let acl = c
        .ec2
        .describe_network_acls()
        .filters(filter("vpc-id", [id.to_string()]))
        .filters(filter("default", ["true".to_string()]))
        .send()
        .await
        .map_err(|e| error::sdk("ec2:DescribeNetworkAcls", e))?;
    m.insert(
        "default_network_acl_id".into(),
        opt(acl.network_acls().first().and_then(|a| a.network_acl_id())),
    );
    Ok(())
}

/// The attributes DescribeVpcs does not return, which a refresh carries over.
const DEFAULT_IDS: [&str; 4] = [
    "default_route_table_id",
    "main_route_table_id",
    "default_security_group_id",
    "default_network_acl_id",
];

#[async_trait]
impl Tagged for Vpc {
    type Api = ApiVpc;
    const TYPE_NAME: &'static str = "aws_vpc";
    const NOUN: &'static str = "VPC";
    const DESCRIBE: &'static str = "ec2:DescribeVpcs";
    const ID_FILTER: &'static str = "vpc-id";

    fn schema(&self) -> &'static Schema {
        static S: OnceLock<Schema> = OnceLock::new();
        S.get_or_init(|| {
            let str_c = || AttrSchema::computed(Type::String);
            tagged_schema()
                .attr("cidr_block", AttrSchema::required(Type::String).force_new())
                .attr(
                    "instance_tenancy",
                    AttrSchema::optional(Type::String)
                        .force_new()
                        .default(Value::from("default")),
                )
                .attr(
                    "enable_dns_hostnames",
                    AttrSchema::optional(Type::Bool).default(Value::Bool(false)),
                )
                .attr(
                    "enable_dns_support",
                    AttrSchema::optional(Type::Bool).default(Value::Bool(true)),
                )
                .attr("arn", str_c())
                .attr("owner_id", str_c())
                .attr("dhcp_options_id", str_c())
                .attr("default_route_table_id", str_c())
                .attr("main_route_table_id", str_c())
                .attr("default_security_group_id", str_c())
                .attr("default_network_acl_id", str_c())
        })
    }

    fn id(x: &ApiVpc) -> Option<&str> {
        x.vpc_id()
    }

    fn tags(x: &ApiVpc) -> &[Tag] {
        x.tags()
    }

    /// The attributes AWS reports (tags aside).
    fn attrs(c: &AwsClients, v: &ApiVpc, m: &mut VecMap<String, Value>) {
        let id = v.vpc_id().unwrap_or_default();
        let owner = set_id_and_arn(c, m, "vpc", id, v.owner_id(), None);
        m.insert("cidr_block".into(), opt(v.cidr_block()));
        m.insert(
            "instance_tenancy".into(),
            opt(v.instance_tenancy().map(|t| t.as_str())),
        );
        m.insert("dhcp_options_id".into(), opt(v.dhcp_options_id()));
        m.insert("owner_id".into(), Value::String(owner));
    }

    async fn describe(
        &self,
        c: &AwsClients,
        filters: Vec<Filter>,
    ) -> Result<Vec<ApiVpc>, ProviderError> {
        let out = c
            .ec2
            .describe_vpcs()
            .set_filters(Some(filters))
            .send()
            .await
            .map_err(|e| error::sdk("ec2:DescribeVpcs", e))?;
        Ok(out.vpcs().to_vec())
    }

    async fn create(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        planned: &Value,
    ) -> Result<ApiVpc, ProviderError> {
        let t = tags::for_create(&c.default_tags, planned, ctx.address);
        let out = c
            .ec2
            .create_vpc()
            .cidr_block(s(planned, "cidr_block").unwrap_or_default())
            .instance_tenancy(Tenancy::from(
                s(planned, "instance_tenancy")
                    .unwrap_or_else(|| "default".into())
                    .as_str(),
            ))
            .tag_specifications(tag_spec(ResourceType::Vpc, &t))
            .send()
            .await
            .map_err(|e| error::sdk("ec2:CreateVpc", e))?;
        out.vpc()
            .filter(|v| v.vpc_id().is_some())
            .cloned()
            .ok_or_else(|| ProviderError::new("ec2:CreateVpc", "the response has no VPC id"))
    }

    /// Sets the DNS flags CreateVpc cannot, then reads the VPC and its default objects.
    async fn finish_create(
        &self,
        c: &AwsClients,
        _ctx: &OpContext<'_>,
        planned: &Value,
        vpc: ApiVpc,
    ) -> Result<Value, ProviderError> {
        let id = vpc.vpc_id().unwrap_or_default().to_string();
        if b(planned, "enable_dns_hostnames") == Some(true) {
            set_dns(c, &id, "enable_dns_hostnames", true).await?;
        }
        if b(planned, "enable_dns_support") == Some(false) {
            set_dns(c, &id, "enable_dns_support", false).await?;
        }
        let vpc = fetch(self, c, &id, Lost::AfterCreate).await?;
        let mut v = Vpc::from_api(c, &vpc, planned);
        if let Some(m) = v.as_map_mut() {
            defaults(c, &id, m).await?;
        }
        Ok(v)
    }

    async fn update_attrs(
        &self,
        c: &AwsClients,
        _ctx: &OpContext<'_>,
        id: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<(), ProviderError> {
        for attr in ["enable_dns_hostnames", "enable_dns_support"] {
            if b(prior, attr) != b(planned, attr) {
                let on = b(planned, attr).unwrap_or(attr == "enable_dns_support");
                set_dns(c, id, attr, on).await?;
            }
        }
        Ok(())
    }

    /// The default ids are the prior's: DescribeVpcs does not report them.
    fn updated(&self, c: &AwsClients, vpc: &ApiVpc, prior: &Value, planned: &Value) -> Value {
        let mut v = Vpc::from_api(c, vpc, planned);
        if let (Some(m), Some(pm)) = (v.as_map_mut(), prior.as_map()) {
            for k in DEFAULT_IDS {
                m.insert(k.into(), pm.get(k).cloned().unwrap_or(Value::Null));
            }
        }
        v
    }

    /// The refresh keeps DNS flags and default ids from the prior state, so an import reads
    /// them once here (as create does).
    async fn imported(&self, c: &AwsClients, id: &str, v: &mut Value) -> Result<(), ProviderError> {
        if let Some(m) = v.as_map_mut() {
            for attr in ["enable_dns_hostnames", "enable_dns_support"] {
                m.insert(attr.into(), get_dns(c, id, attr).await?);
            }
            defaults(c, id, m).await?;
        }
        Ok(())
    }

    async fn delete(
        &self,
        c: &AwsClients,
        _ctx: &OpContext<'_>,
        id: &str,
    ) -> Result<(), ProviderError> {
        gone("ec2:DeleteVpc", c.ec2.delete_vpc().vpc_id(id).send().await)
    }
}
