//! `aws_subnet`.
//!
//! API calls: `CreateSubnet` (tags in `TagSpecifications`), `ModifySubnetAttribute`
//! (`map_public_ip_on_launch`, which CreateSubnet cannot set), `DescribeSubnets` (refresh: one
//! call for all subnets, filtered by `subnet-id`), `CreateTags` / `DeleteTags`, `DeleteSubnet`.
//! Force-new: `vpc_id`, `cidr_block`, `availability_zone`, `availability_zone_id`.
//! Waiters: after create, until the subnet is `available` (create timeout, default 10m); delete
//! retries `DependencyViolation` (network interfaces of Lambda, ELB or a NAT gateway linger
//! for minutes after their owner is gone) until the delete timeout (default 20m).
//! Quirk: CreateSubnet takes no `ClientToken`; an interrupted create is found by its address tag.

use super::common::{b, delete_when_unused, opt, s, tag_spec, wait_for};
use super::tagged::{fetch, read, set_id_and_arn, tagged_schema, Lost, Tagged};
use crate::config::AwsClients;
use crate::error;
use crate::tags;
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, Filter, ResourceType, Subnet as ApiSubnet, SubnetState, Tag,
};
use hubctl_core::lang::{Type, Value, VecMap};
use hubctl_core::provider::{AttrSchema, OpContext, ProviderError, Schema};
use std::sync::OnceLock;
use std::time::Duration;

pub struct Subnet;

const CREATE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(20 * 60);

async fn set_map_public_ip(c: &AwsClients, id: &str, on: bool) -> Result<(), ProviderError> {
    c.ec2
        .modify_subnet_attribute()
        .subnet_id(id)
        .map_public_ip_on_launch(AttributeBooleanValue::builder().value(on).build())
        .send()
        .await
        .map_err(|e| error::sdk("ec2:ModifySubnetAttribute", e))?;
    Ok(())
}

/// Waits until the subnet is `available`, failing at once on a terminal failure state.
async fn wait_available(
    c: &AwsClients,
    id: &str,
    timeout: Duration,
) -> Result<ApiSubnet, ProviderError> {
    wait_for(&format!("subnet {id} to become available"), timeout, || {
        let id = id.to_string();
        async move {
            let Some(sn) = read(&Subnet, c, &id).await? else {
                return Ok(None);
            };
            match sn.state() {
                Some(SubnetState::Available) | None => Ok(Some(sn)),
                Some(SubnetState::Failed | SubnetState::FailedInsufficientCapacity) => {
                    Err(ProviderError::new(
                        "ec2:CreateSubnet",
                        format!(
                            "subnet {id} failed to become available (state {})",
                            sn.state().map(|s| s.as_str()).unwrap_or("")
                        ),
                    ))
                }
                Some(_) => Ok(None),
            }
        }
    })
    .await
}

#[async_trait]
impl Tagged for Subnet {
    type Api = ApiSubnet;
    const TYPE_NAME: &'static str = "aws_subnet";
    const NOUN: &'static str = "subnet";
    const DESCRIBE: &'static str = "ec2:DescribeSubnets";
    const ID_FILTER: &'static str = "subnet-id";

    fn schema(&self) -> &'static Schema {
        static S: OnceLock<Schema> = OnceLock::new();
        S.get_or_init(|| {
            let str_c = || AttrSchema::computed(Type::String);
            tagged_schema()
                .attr("vpc_id", AttrSchema::required(Type::String).force_new())
                .attr("cidr_block", AttrSchema::required(Type::String).force_new())
                .attr(
                    "availability_zone",
                    AttrSchema::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "availability_zone_id",
                    AttrSchema::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "map_public_ip_on_launch",
                    AttrSchema::optional(Type::Bool).default(Value::Bool(false)),
                )
                .attr("arn", str_c())
                .attr("owner_id", str_c())
        })
    }

    fn id(x: &ApiSubnet) -> Option<&str> {
        x.subnet_id()
    }

    fn tags(x: &ApiSubnet) -> &[Tag] {
        x.tags()
    }

    /// The attributes AWS reports (tags aside).
    fn attrs(c: &AwsClients, sn: &ApiSubnet, m: &mut VecMap<String, Value>) {
        let id = sn.subnet_id().unwrap_or_default();
        let owner = set_id_and_arn(c, m, "subnet", id, sn.owner_id(), sn.subnet_arn());
        m.insert("owner_id".into(), Value::String(owner));
        m.insert("vpc_id".into(), opt(sn.vpc_id()));
        m.insert("cidr_block".into(), opt(sn.cidr_block()));
        m.insert("availability_zone".into(), opt(sn.availability_zone()));
        m.insert(
            "availability_zone_id".into(),
            opt(sn.availability_zone_id()),
        );
        m.insert(
            "map_public_ip_on_launch".into(),
            Value::Bool(sn.map_public_ip_on_launch().unwrap_or(false)),
        );
    }

    async fn describe(
        &self,
        c: &AwsClients,
        filters: Vec<Filter>,
    ) -> Result<Vec<ApiSubnet>, ProviderError> {
        let out = c
            .ec2
            .describe_subnets()
            .set_filters(Some(filters))
            .send()
            .await
            .map_err(|e| error::sdk("ec2:DescribeSubnets", e))?;
        Ok(out.subnets().to_vec())
    }

    async fn create(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        planned: &Value,
    ) -> Result<ApiSubnet, ProviderError> {
        let t = tags::for_create(&c.default_tags, planned, ctx.address);
        let out = c
            .ec2
            .create_subnet()
            .vpc_id(s(planned, "vpc_id").unwrap_or_default())
            .cidr_block(s(planned, "cidr_block").unwrap_or_default())
            .set_availability_zone(s(planned, "availability_zone"))
            .set_availability_zone_id(s(planned, "availability_zone_id"))
            .tag_specifications(tag_spec(ResourceType::Subnet, &t))
            .send()
            .await
            .map_err(|e| error::sdk("ec2:CreateSubnet", e))?;
        out.subnet()
            .filter(|s| s.subnet_id().is_some())
            .cloned()
            .ok_or_else(|| ProviderError::new("ec2:CreateSubnet", "the response has no subnet id"))
    }

    /// Waits for `available`, then sets `map_public_ip_on_launch` (CreateSubnet cannot).
    async fn finish_create(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        planned: &Value,
        sn: ApiSubnet,
    ) -> Result<Value, ProviderError> {
        let id = sn.subnet_id().unwrap_or_default().to_string();
        let mut sn = wait_available(c, &id, ctx.timeouts.create.unwrap_or(CREATE_TIMEOUT)).await?;
        let want = b(planned, "map_public_ip_on_launch").unwrap_or(false);
        if sn.map_public_ip_on_launch().unwrap_or(false) != want {
            set_map_public_ip(c, &id, want).await?;
            sn = fetch(self, c, &id, Lost::AfterCreate).await?;
        }
        Ok(Subnet::from_api(c, &sn, planned))
    }

    async fn update_attrs(
        &self,
        c: &AwsClients,
        _ctx: &OpContext<'_>,
        id: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<(), ProviderError> {
        let want = b(planned, "map_public_ip_on_launch").unwrap_or(false);
        if b(prior, "map_public_ip_on_launch").unwrap_or(false) != want {
            set_map_public_ip(c, id, want).await?;
        }
        Ok(())
    }

    async fn delete(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        id: &str,
    ) -> Result<(), ProviderError> {
        let what =
            format!("subnet {id} to be deleted (DependencyViolation: something still uses it)");
        let timeout = ctx.timeouts.delete.unwrap_or(DELETE_TIMEOUT);
        delete_when_unused("ec2:DeleteSubnet", &what, timeout, || {
            c.ec2.delete_subnet().subnet_id(id).send()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2::common::test_clients;

    fn api_subnet(extra: &[(&str, &str)]) -> ApiSubnet {
        let mut bld = ApiSubnet::builder()
            .subnet_id("subnet-1")
            .vpc_id("vpc-1")
            .cidr_block("10.0.1.0/24")
            .availability_zone("us-east-1a")
            .availability_zone_id("use1-az6")
            .owner_id("123456789012")
            .state(SubnetState::Available)
            .tags(
                Tag::builder()
                    .key(tags::ADDRESS_TAG)
                    .value("aws_subnet.public")
                    .build(),
            );
        for (k, v) in extra {
            bld = bld.tags(Tag::builder().key(*k).value(*v).build());
        }
        bld.build()
    }

    #[test]
    fn from_api_maps_attributes_and_hides_the_address_tag() {
        let c = test_clients(Default::default());
        let planned = Value::map([("tags", Value::map([("Name", Value::from("public"))]))]);
        let v = Subnet::from_api(&c, &api_subnet(&[("Name", "public")]), &planned);
        assert_eq!(s(&v, "id").as_deref(), Some("subnet-1"));
        assert_eq!(
            s(&v, "arn").as_deref(),
            Some("arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1")
        );
        assert_eq!(s(&v, "availability_zone_id").as_deref(), Some("use1-az6"));
        // AWS omits the flag when it was never set: that is false, as the schema default says.
        assert_eq!(b(&v, "map_public_ip_on_launch"), Some(false));
        assert_eq!(
            v.get_attr("tags_all"),
            Some(&Value::map([("Name", Value::from("public"))]))
        );
        assert!(v.is_wholly_known());
    }

    #[test]
    fn unset_tags_stay_null_when_only_default_tags_exist() {
        let c = test_clients([("Owner".to_string(), "net".to_string())].into());
        let v = Subnet::from_api(
            &c,
            &api_subnet(&[("Owner", "net")]),
            &Value::map([("tags", Value::Null)]),
        );
        assert_eq!(v.get_attr("tags"), Some(&Value::Null));
        assert_eq!(
            v.get_attr("tags_all"),
            Some(&Value::map([("Owner", Value::from("net"))]))
        );
    }

    #[test]
    fn changing_the_cidr_forces_replacement_but_the_public_ip_flag_does_not() {
        let c = test_clients(Default::default());
        let prior = Subnet::from_api(&c, &api_subnet(&[]), &Value::map([("tags", Value::Null)]));
        let mut proposed = prior.clone();
        if let Some(m) = proposed.as_map_mut() {
            m.insert("map_public_ip_on_launch".into(), Value::Bool(true));
        }
        assert!(Subnet
            .plan(Some(&prior), proposed.clone())
            .requires_replace
            .is_empty());
        if let Some(m) = proposed.as_map_mut() {
            m.insert("cidr_block".into(), Value::from("10.0.2.0/24"));
        }
        let p = Subnet.plan(Some(&prior), proposed);
        assert_eq!(p.requires_replace, vec!["cidr_block".to_string()]);
        // What the replacement will hold is the engine's concern (it plans it as a create).
        assert_eq!(p.planned.get_attr("tags_all"), prior.get_attr("tags_all"));
    }

    #[test]
    fn new_tags_update_in_place_with_unknown_tags_all() {
        let c = test_clients(Default::default());
        let prior = Subnet::from_api(&c, &api_subnet(&[]), &Value::map([("tags", Value::Null)]));
        let mut proposed = prior.clone();
        if let Some(m) = proposed.as_map_mut() {
            m.insert("tags".into(), Value::map([("Name", Value::from("a"))]));
        }
        let p = Subnet.plan(Some(&prior), proposed);
        assert!(p.requires_replace.is_empty());
        assert!(p
            .planned
            .get_attr("tags_all")
            .is_some_and(Value::is_unknown));
        assert_eq!(s(&p.planned, "id").as_deref(), Some("subnet-1"));
    }
}
