//! `aws_vpc`.
//!
//! API calls: `CreateVpc` (tags in `TagSpecifications`), `ModifyVpcAttribute` (one call per
//! DNS attribute), `DescribeVpcs` (refresh: one call for all VPCs, filtered by `vpc-id`),
//! `DescribeRouteTables` / `DescribeSecurityGroups` / `DescribeNetworkAcls` (the VPC's
//! defaults, once at create or import), `DescribeVpcAttribute` (DNS flags, at import), `CreateTags` / `DeleteTags`, `DeleteVpc`.
//! Force-new: `cidr_block`, `instance_tenancy`.
//! Quirk: DescribeVpcs does not return the DNS attributes; a refresh keeps their last known
//! values rather than making a call per VPC.

use super::common::{b, filter, id_of, opt, s, sync_tags, tag_map, tag_spec};
use crate::config::{clients, AwsClients};
use crate::error;
use crate::tags;
use async_trait::async_trait;
use aws_sdk_ec2::types::{AttributeBooleanValue, ResourceType, Tenancy};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, OpContext, PlannedState, ProviderError, Resource, Schema};
use std::sync::OnceLock;

pub struct Vpc;

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        let str_c = || AttrSchema::computed(Type::String);
        Schema::new()
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
            .attr(
                "tags",
                AttrSchema::optional(Type::Map(Box::new(Type::String))),
            )
            .attr(
                "tags_all",
                AttrSchema::computed(Type::Map(Box::new(Type::String))),
            )
            .attr("id", str_c())
            .attr("arn", str_c())
            .attr("owner_id", str_c())
            .attr("dhcp_options_id", str_c())
            .attr("default_route_table_id", str_c())
            .attr("main_route_table_id", str_c())
            .attr("default_security_group_id", str_c())
            .attr("default_network_acl_id", str_c())
    })
}

/// The state value from what DescribeVpcs returned; DNS flags and default ids come from
/// `base` (the planned or prior value).
fn from_api(c: &AwsClients, v: &aws_sdk_ec2::types::Vpc, base: &Value) -> Value {
    let id = v.vpc_id().unwrap_or_default();
    let actual = tag_map(v.tags());
    let owner = v
        .owner_id()
        .map(str::to_string)
        .or_else(|| c.account_id.clone())
        .unwrap_or_default();
    let mut m = base.as_map().cloned().unwrap_or_default();
    m.insert("id".into(), Value::from(id));
    m.insert(
        "arn".into(),
        Value::String(format!("arn:aws:ec2:{}:{owner}:vpc/{id}", c.region)),
    );
    m.insert("cidr_block".into(), opt(v.cidr_block()));
    m.insert(
        "instance_tenancy".into(),
        opt(v.instance_tenancy().map(|t| t.as_str())),
    );
    m.insert("dhcp_options_id".into(), opt(v.dhcp_options_id()));
    m.insert("owner_id".into(), Value::String(owner));
    tags::set_attrs(&mut m, base, &actual, &c.default_tags);
    Value::Map(m)
}

async fn describe(
    c: &AwsClients,
    ids: Vec<String>,
) -> Result<Vec<aws_sdk_ec2::types::Vpc>, ProviderError> {
    let out = c
        .ec2
        .describe_vpcs()
        .filters(filter("vpc-id", ids))
        .send()
        .await
        .map_err(|e| error::sdk("ec2:DescribeVpcs", e))?;
    Ok(out.vpcs().to_vec())
}

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

#[async_trait]
impl Resource for Vpc {
    fn type_name(&self) -> &'static str {
        "aws_vpc"
    }

    fn schema(&self) -> &Schema {
        schema()
    }

    fn plan(&self, prior: Option<&Value>, proposed: Value) -> PlannedState {
        let mut p = hubctl_core::provider::plan_by_schema(self.schema(), prior, proposed);
        tags::plan_tags_all(prior, &mut p.planned);
        p
    }

    async fn create(&self, ctx: &OpContext<'_>, planned: &Value) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        // An interrupted create may have made the VPC already: adopt it, never duplicate.
        let existing = if ctx.recovering {
            let out = c
                .ec2
                .describe_vpcs()
                .filters(filter(
                    &format!("tag:{}", tags::ADDRESS_TAG),
                    [ctx.address.to_string()],
                ))
                .send()
                .await
                .map_err(|e| error::sdk("ec2:DescribeVpcs", e))?;
            out.vpcs()
                .first()
                .and_then(|v| v.vpc_id())
                .map(str::to_string)
        } else {
            None
        };
        let id = match existing {
            Some(id) => id,
            None => {
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
                    .and_then(|v| v.vpc_id())
                    .map(str::to_string)
                    .ok_or_else(|| {
                        ProviderError::new("ec2:CreateVpc", "the response has no VPC id")
                    })?
            }
        };
        if b(planned, "enable_dns_hostnames") == Some(true) {
            set_dns(c, &id, "enable_dns_hostnames", true).await?;
        }
        if b(planned, "enable_dns_support") == Some(false) {
            set_dns(c, &id, "enable_dns_support", false).await?;
        }
        let vpc = describe(c, vec![id.clone()]).await?;
        let vpc = vpc.first().ok_or_else(|| {
            ProviderError::new(
                "ec2:DescribeVpcs",
                format!("VPC {id} vanished right after it was created"),
            )
        })?;
        let mut v = from_api(c, vpc, planned);
        if let Value::Map(m) = &mut v {
            defaults(c, &id, m).await?;
        }
        Ok(v)
    }

    /// The refresh keeps DNS flags and default ids from the prior state, so an import reads
    /// them once here (as create does).
    async fn import(&self, ctx: &OpContext<'_>, id: &str) -> Result<Value, ProviderError> {
        let mut v = super::common::import_by_id(self, ctx, id, "ec2:DescribeVpcs").await?;
        let c = clients(ctx)?;
        if let Value::Map(m) = &mut v {
            for attr in ["enable_dns_hostnames", "enable_dns_support"] {
                m.insert(attr.into(), get_dns(c, id, attr).await?);
            }
            defaults(c, id, m).await?;
        }
        Ok(v)
    }

    async fn read_many(
        &self,
        ctx: &OpContext<'_>,
        states: &[Value],
    ) -> Vec<Result<Option<Value>, ProviderError>> {
        let c = match clients(ctx) {
            Ok(c) => c,
            Err(e) => return states.iter().map(|_| Err(e.clone())).collect(),
        };
        let ids: Vec<String> = states.iter().filter_map(|v| s(v, "id")).collect();
        match describe(c, ids).await {
            Ok(vpcs) => states
                .iter()
                .map(|st| {
                    let id = s(st, "id");
                    Ok(vpcs
                        .iter()
                        .find(|v| v.vpc_id().map(str::to_string) == id)
                        .map(|v| from_api(c, v, st)))
                })
                .collect(),
            Err(e) => states.iter().map(|_| Err(e.clone())).collect(),
        }
    }

    async fn update(
        &self,
        ctx: &OpContext<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        let id = id_of(prior)?;
        for attr in ["enable_dns_hostnames", "enable_dns_support"] {
            if b(prior, attr) != b(planned, attr) {
                set_dns(
                    c,
                    &id,
                    attr,
                    b(planned, attr).unwrap_or(attr == "enable_dns_support"),
                )
                .await?;
            }
        }
        sync_tags(c, &id, prior, planned).await?;
        let vpc = describe(c, vec![id.clone()]).await?;
        let vpc = vpc
            .first()
            .ok_or_else(|| ProviderError::new("ec2:DescribeVpcs", format!("VPC {id} not found")))?;
        let mut v = from_api(c, vpc, planned);
        if let (Value::Map(m), Some(pm)) = (&mut v, prior.as_map()) {
            for k in [
                "default_route_table_id",
                "main_route_table_id",
                "default_security_group_id",
                "default_network_acl_id",
            ] {
                m.insert(k.into(), pm.get(k).cloned().unwrap_or(Value::Null));
            }
        }
        Ok(v)
    }

    async fn delete(&self, ctx: &OpContext<'_>, state: &Value) -> Result<(), ProviderError> {
        let c = clients(ctx)?;
        match c.ec2.delete_vpc().vpc_id(id_of(state)?).send().await {
            Ok(_) => Ok(()),
            Err(e) if error::is_not_found(&e) => Ok(()),
            Err(e) => Err(error::sdk("ec2:DeleteVpc", e)),
        }
    }
}
