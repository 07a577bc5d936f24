//! `aws_vpc`.
//!
//! API calls: `CreateVpc` (tags in `TagSpecifications`), `ModifyVpcAttribute` (one call per
//! DNS attribute), `DescribeVpcs` (refresh: one call per 200 VPCs, filtered by `vpc-id`),
//! `DescribeVpcAttribute` (DNS flags) and `DescribeRouteTables` / `DescribeSecurityGroups` /
//! `DescribeNetworkAcls` (the VPC's defaults), once after create and at import,
//! `CreateTags` / `DeleteTags`, `DeleteVpc`.
//! Force-new: `cidr_block`, `instance_tenancy`.
//! Quirk: DescribeVpcs does not return the DNS attributes or the default objects; a refresh
//! keeps their last known values rather than making calls per VPC.

use super::common::{arn, filter, filters, owner};
use crate::config::AwsClients;
use crate::error;
use crate::managed::tags::{ec2_map, ec2_spec, EC2};
use crate::managed::{computed_str, opt, required_str_new, Field, Identity, Lookup, Managed};
use crate::managed::{fetch, refresh::paged, TagStyle};
use async_trait::async_trait;
use aws_sdk_ec2::types::VpcAttributeName;
use aws_sdk_ec2::types::{AttributeBooleanValue, ResourceType, Tenancy, Vpc as Api};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, OpContext, ProviderError};
use std::collections::BTreeMap;

pub struct Vpc;

const ID: Field<Api> = Field::api("id", computed_str, |_, v| opt(v.vpc_id()));
const ARN: Field<Api> = Field::api("arn", computed_str, |c, v| {
    arn(c, "vpc", v.vpc_id(), v.owner_id())
});
const OWNER: Field<Api> = Field::api("owner_id", computed_str, |c, v| owner(c, v.owner_id()));
const CIDR: Field<Api> = Field::api("cidr_block", required_str_new, |_, v| opt(v.cidr_block()));
const TENANCY: Field<Api> = Field::api(
    "instance_tenancy",
    || {
        let s = AttrSchema::optional(Type::String).force_new();
        s.default(Value::from("default"))
    },
    |_, v| opt(v.instance_tenancy().map(|t| t.as_str())),
);
const DHCP: Field<Api> = Field::api("dhcp_options_id", computed_str, |_, v| {
    opt(v.dhcp_options_id())
});
const DNS_HOSTNAMES: Field<Api> = Field::kept("enable_dns_hostnames", || {
    AttrSchema::optional(Type::Bool).default(Value::Bool(false))
});
const DNS_SUPPORT: Field<Api> = Field::kept("enable_dns_support", || {
    AttrSchema::optional(Type::Bool).default(Value::Bool(true))
});
const DEFAULT_RTB: Field<Api> = Field::kept("default_route_table_id", computed_str);
const MAIN_RTB: Field<Api> = Field::kept("main_route_table_id", computed_str);
const DEFAULT_SG: Field<Api> = Field::kept("default_security_group_id", computed_str);
const DEFAULT_ACL: Field<Api> = Field::kept("default_network_acl_id", computed_str);

/// The two DNS flags, with their default (what AWS gives a new VPC).
const DNS: [(&Field<Api>, VpcAttributeName, bool); 2] = [
    (&DNS_HOSTNAMES, VpcAttributeName::EnableDnsHostnames, false),
    (&DNS_SUPPORT, VpcAttributeName::EnableDnsSupport, true),
];

async fn set_dns(
    c: &AwsClients,
    id: &str,
    name: &VpcAttributeName,
    on: bool,
) -> Result<(), ProviderError> {
    let v = AttributeBooleanValue::builder().value(on).build();
    let req = c.ec2.modify_vpc_attribute().vpc_id(id);
    let req = if *name == VpcAttributeName::EnableDnsHostnames {
        req.enable_dns_hostnames(v)
    } else {
        req.enable_dns_support(v)
    };
    let r = req.send().await;
    r.map_err(|e| error::sdk("ec2:ModifyVpcAttribute", e))?;
    Ok(())
}

/// One DNS flag as DescribeVpcAttribute reports it (DescribeVpcs does not).
async fn get_dns(c: &AwsClients, id: &str, name: VpcAttributeName) -> Result<Value, ProviderError> {
    let req = c.ec2.describe_vpc_attribute().vpc_id(id);
    let out = req.attribute(name.clone()).send().await;
    let out = out.map_err(|e| error::sdk("ec2:DescribeVpcAttribute", e))?;
    let v = match name {
        VpcAttributeName::EnableDnsHostnames => out.enable_dns_hostnames(),
        _ => out.enable_dns_support(),
    };
    Ok(v.and_then(|v| v.value())
        .map(Value::Bool)
        .unwrap_or(Value::Null))
}

/// The default route table, security group and network ACL AWS made with the VPC.
async fn defaults(c: &AwsClients, id: &str, v: &mut Value) -> Result<(), ProviderError> {
    let vpc = || filter("vpc-id", [id.to_string()]);
    let (ec2, one) = (&c.ec2, |k: &str| [k.to_string()]);
    let rt = ec2.describe_route_tables().filters(vpc());
    let rt = rt
        .filters(filter("association.main", one("true")))
        .send()
        .await;
    let rt = rt.map_err(|e| error::sdk("ec2:DescribeRouteTables", e))?;
    let sg = ec2.describe_security_groups().filters(vpc());
    let sg = sg
        .filters(filter("group-name", one("default")))
        .send()
        .await;
    let sg = sg.map_err(|e| error::sdk("ec2:DescribeSecurityGroups", e))?;
    let acl = ec2.describe_network_acls().filters(vpc());
    let acl = acl.filters(filter("default", one("true"))).send().await;
    let acl = acl.map_err(|e| error::sdk("ec2:DescribeNetworkAcls", e))?;
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
    const IDENTITY: Identity = Identity::ServerId;
    const TAGS: TagStyle = EC2;

    fn fields() -> &'static [&'static Field<Api>] {
        &[
            &ID,
            &ARN,
            &OWNER,
            &CIDR,
            &TENANCY,
            &DHCP,
            &DNS_HOSTNAMES,
            &DNS_SUPPORT,
            &DEFAULT_RTB,
            &MAIN_RTB,
            &DEFAULT_SG,
            &DEFAULT_ACL,
        ]
    }

    fn key(x: &Api) -> Option<String> {
        x.vpc_id().map(str::to_string)
    }

    fn tags(x: &Api) -> BTreeMap<String, String> {
        ec2_map(x.tags())
    }

    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        let f = filters(by, "vpc-id");
        paged(|token| async {
            let req = c.ec2.describe_vpcs().set_filters(Some(f.clone()));
            let out = req.set_next_token(token).send().await;
            let out = out.map_err(|e| error::sdk(Self::DESCRIBE, e))?;
            Ok((out.vpcs().to_vec(), out.next_token().map(str::to_string)))
        })
        .await
    }

    async fn create(
        &self,
        c: &AwsClients,
        _ctx: &OpContext<'_>,
        planned: &Value,
        tags: &BTreeMap<String, String>,
    ) -> Result<Api, ProviderError> {
        let tenancy = TENANCY.str(planned).unwrap_or_else(|| "default".into());
        let req = c.ec2.create_vpc().set_cidr_block(CIDR.str(planned));
        let req = req.instance_tenancy(Tenancy::from(tenancy.as_str()));
        let out = req
            .tag_specifications(ec2_spec(ResourceType::Vpc, tags))
            .send()
            .await;
        let out = out.map_err(|e| error::sdk("ec2:CreateVpc", e))?;
        let vpc = out.vpc().filter(|v| v.vpc_id().is_some()).cloned();
        vpc.ok_or_else(|| ProviderError::new("ec2:CreateVpc", "the response has no VPC id"))
    }

    /// Sets the DNS flags CreateVpc cannot (where they differ from AWS's defaults).
    async fn finish_create(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        planned: &Value,
        vpc: Api,
    ) -> Result<Api, ProviderError> {
        let _ = ctx;
        let id = vpc.vpc_id().unwrap_or_default();
        for (f, name, default) in DNS.iter() {
            if let Some(on) = f.bool(planned).filter(|on| on != default) {
                set_dns(c, id, name, on).await?;
            }
        }
        fetch(self, c, id).await
    }

    async fn update_attrs(
        &self,
        c: &AwsClients,
        _ctx: &OpContext<'_>,
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

    /// The DNS flags and default objects, which DescribeVpcs does not report.
    async fn complete(&self, c: &AwsClients, id: &str, v: &mut Value) -> Result<(), ProviderError> {
        for (f, name, _) in DNS.iter() {
            let on = get_dns(c, id, name.clone()).await?;
            if let Some(m) = v.as_map_mut() {
                f.set(m, on);
            }
        }
        defaults(c, id, v).await
    }

    async fn delete(
        &self,
        c: &AwsClients,
        _: &OpContext<'_>,
        id: &str,
    ) -> Result<(), ProviderError> {
        let r = c.ec2.delete_vpc().vpc_id(id).send().await;
        r.map(|_| ()).map_err(|e| error::sdk("ec2:DeleteVpc", e))
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
