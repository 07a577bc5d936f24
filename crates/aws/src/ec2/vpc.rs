//! `aws_vpc`.
//!
//! API calls: `CreateVpc` (tags in `TagSpecifications`), `ModifyVpcAttribute` (one call per
//! DNS attribute), `DescribeVpcs` (refresh: one call per 200 VPCs, filtered by `vpc-id`),
//! `DescribeVpcAttribute` (DNS flags, at import) and `DescribeRouteTables` /
//! `DescribeSecurityGroups` / `DescribeNetworkAcls` (the VPC's defaults, asked together), once
//! after create and at import,
//! `CreateTags` / `DeleteTags`, `DeleteVpc`.
//! Force-new: `cidr_block`, `instance_tenancy`.
//! Quirk: DescribeVpcs does not return the DNS attributes or the default objects; a refresh
//! keeps their last known values rather than making calls per VPC.

use super::common::{answer, arn, filter, filters, owner, pages};
use crate::config::AwsClients;
use crate::managed::tags::{ec2_map, ec2_spec, EC2};
use crate::managed::{computed_str, opt, optional_bool, optional_str_new, required_str_new};
use crate::managed::{created, field_table, Field, Lookup, Managed, Op, TagStyle, Tags};
use async_trait::async_trait;
use aws_sdk_ec2::types::VpcAttributeName as Name;
use aws_sdk_ec2::types::{AttributeBooleanValue, ResourceType, Tenancy, Vpc as Api};
use hubctl_core::lang::Value;
use hubctl_core::provider::ProviderError;

pub struct Vpc;

field_table! { Api;
    ID = api("id", computed_str, |_, v| opt(v.vpc_id()));
    ARN = api("arn", computed_str, |c, v| arn(c, "vpc", v.vpc_id(), v.owner_id()));
    OWNER = api("owner_id", computed_str, |c, v| owner(c, v.owner_id()));
    CIDR = api("cidr_block", required_str_new, |_, v| opt(v.cidr_block()));
    TENANCY = api("instance_tenancy", || optional_str_new().default(Value::from("default")),
        |_, v| opt(v.instance_tenancy().map(|t| t.as_str())));
    DHCP = api("dhcp_options_id", computed_str, |_, v| opt(v.dhcp_options_id()));
    DNS_HOSTNAMES = kept("enable_dns_hostnames", || optional_bool(false));
    DNS_SUPPORT = kept("enable_dns_support", || optional_bool(true));
    DEFAULT_RTB = kept("default_route_table_id", computed_str);
    MAIN_RTB = kept("main_route_table_id", computed_str);
    DEFAULT_SG = kept("default_security_group_id", computed_str);
    DEFAULT_ACL = kept("default_network_acl_id", computed_str);
}

/// The two DNS flags, with their default (what AWS gives a new VPC).
const DNS: [(&Field<Api>, Name, bool); 2] = [
    (&DNS_HOSTNAMES, Name::EnableDnsHostnames, false),
    (&DNS_SUPPORT, Name::EnableDnsSupport, true),
];

async fn set_dns(c: &AwsClients, id: &str, name: &Name, on: bool) -> Result<(), ProviderError> {
    let v = AttributeBooleanValue::builder().value(on).build();
    let req = c.ec2.modify_vpc_attribute().vpc_id(id);
    let req = if *name == Name::EnableDnsHostnames {
        req.enable_dns_hostnames(v)
    } else {
        req.enable_dns_support(v)
    };
    answer("ec2:ModifyVpcAttribute", req.send().await).map(|_| ())
}

/// One DNS flag as DescribeVpcAttribute reports it (DescribeVpcs does not).
async fn get_dns(c: &AwsClients, id: &str, name: Name) -> Result<Value, ProviderError> {
    let req = c.ec2.describe_vpc_attribute().vpc_id(id);
    let out = req.attribute(name.clone()).send().await;
    let out = answer("ec2:DescribeVpcAttribute", out)?;
    let v = match name {
        Name::EnableDnsHostnames => out.enable_dns_hostnames(),
        _ => out.enable_dns_support(),
    };
    Ok(v.and_then(|v| v.value()).map_or(Value::Null, Value::Bool))
}

/// The default route table, security group and network ACL AWS made with the VPC.
async fn defaults(c: &AwsClients, id: &str, v: &mut Value) -> Result<(), ProviderError> {
    let by = |k: &str, v: &str| Some(vec![filter("vpc-id", [id.into()]), filter(k, [v.into()])]);
    let rt = c.ec2.describe_route_tables();
    let rt = rt.set_filters(by("association.main", "true")).send();
    let sg = c.ec2.describe_security_groups();
    let sg = sg.set_filters(by("group-name", "default")).send();
    let acl = c.ec2.describe_network_acls();
    let acl = acl.set_filters(by("default", "true")).send();
    // Three independent reads: asked together, they cost one round trip.
    let (rt, sg, acl) = tokio::join!(rt, sg, acl);
    let rt = answer("ec2:DescribeRouteTables", rt)?;
    let sg = answer("ec2:DescribeSecurityGroups", sg)?;
    let acl = answer("ec2:DescribeNetworkAcls", acl)?;
    if let Some(m) = v.as_map_mut() {
        let main = opt(rt.route_tables().first().and_then(|r| r.route_table_id()));
        DEFAULT_RTB.set(m, main.clone());
        MAIN_RTB.set(m, main);
        let sg = sg.security_groups().first().and_then(|g| g.group_id());
        DEFAULT_SG.set(m, opt(sg));
        let acl = acl.network_acls().first().and_then(|a| a.network_acl_id());
        DEFAULT_ACL.set(m, opt(acl));
    }
    Ok(())
}

#[async_trait]
impl Managed for Vpc {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_vpc";
    const NOUN: &'static str = "VPC";
    const DESCRIBE: &'static str = "ec2:DescribeVpcs";
    const TAGS: TagStyle = EC2;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        x.vpc_id().map(str::to_string)
    }

    fn tags(x: &Api) -> Tags {
        ec2_map(x.tags())
    }

    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        let f = Some(filters(by, "vpc-id"));
        let req = || c.ec2.describe_vpcs().set_filters(f.clone());
        pages(Self::DESCRIBE, |t| req().set_next_token(t).send()).await
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, tags: &Tags) -> Result<Api, ProviderError> {
        let tenancy = TENANCY.str(planned).unwrap_or_else(|| "default".into());
        let req = c.ec2.create_vpc().set_cidr_block(CIDR.str(planned));
        let req = req.instance_tenancy(Tenancy::from(tenancy.as_str()));
        let req = req.tag_specifications(ec2_spec(ResourceType::Vpc, tags));
        let out = answer("ec2:CreateVpc", req.send().await)?;
        created::<Self>("ec2:CreateVpc", out.vpc())
    }

    /// Sets the DNS flags CreateVpc cannot (where they differ from AWS's defaults).
    async fn finish_create(
        &self,
        c: &Op<'_>,
        planned: &Value,
        vpc: Api,
    ) -> Result<Api, ProviderError> {
        let id = vpc.vpc_id().unwrap_or_default();
        for (f, name, default) in DNS.iter() {
            if let Some(on) = f.bool(planned).filter(|on| on != default) {
                set_dns(c, id, name, on).await?;
            }
        }
        // CreateVpc's answer (or a recovery's Describe) is the whole VPC.
        Ok(vpc)
    }

    async fn update_attrs(
        &self,
        c: &Op<'_>,
        id: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        for (f, name, default) in DNS.iter() {
            if f.bool(prior) != f.bool(planned) {
                set_dns(c, id, name, f.bool(planned).unwrap_or(*default)).await?;
            }
        }
        Ok(None)
    }

    /// The default objects, which DescribeVpcs does not report. The DNS flags are as
    /// planned: set by the create, or AWS's defaults.
    async fn complete(&self, c: &AwsClients, id: &str, v: &mut Value) -> Result<(), ProviderError> {
        defaults(c, id, v).await
    }

    /// The default objects and the DNS flags, read.
    async fn complete_import(
        &self,
        c: &AwsClients,
        id: &str,
        v: &mut Value,
    ) -> Result<(), ProviderError> {
        for (f, name, _) in DNS.iter() {
            let on = get_dns(c, id, name.clone()).await?;
            if let Some(m) = v.as_map_mut() {
                f.set(m, on);
            }
        }
        defaults(c, id, v).await
    }

    async fn delete(&self, c: &Op<'_>, id: &str) -> Result<(), ProviderError> {
        let r = c.ec2.delete_vpc().vpc_id(id).send().await;
        answer("ec2:DeleteVpc", r).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::assert_read_matches_schema;

    #[test]
    fn read_returns_exactly_the_schema() {
        let vpc = Api::builder()
            .vpc_id("vpc-1")
            .cidr_block("10.0.0.0/16")
            .owner_id("123456789012")
            .instance_tenancy(Tenancy::Default)
            .build();
        assert_read_matches_schema(Vpc, &vpc);
    }
}
