//! `aws_subnet`.
//!
//! API calls: `CreateSubnet` (tags in `TagSpecifications`), `ModifySubnetAttribute`
//! (`map_public_ip_on_launch`, which CreateSubnet cannot set), `DescribeSubnets` (refresh: one
//! call per 200 subnets, filtered by `subnet-id`), `CreateTags` / `DeleteTags`, `DeleteSubnet`.
//! Force-new: `vpc_id`, `cidr_block`, `availability_zone`, `availability_zone_id`.
//! Waiters: after create, until the subnet is `available` (create timeout, default 10m); delete
//! retries `DependencyViolation` (network interfaces of Lambda, ELB or a NAT gateway linger
//! for minutes after their owner is gone) until the delete timeout (default 20m).
//! Quirk: CreateSubnet takes no `ClientToken`; an interrupted create is found by its address tag.

use super::common::{answer, arn, delete_when_unused, filters, owner, pages};
use crate::config::AwsClients;
use crate::managed::tags::{ec2_map, ec2_spec, EC2};
use crate::managed::{computed_str, opt, optional_bool, optional_computed_str_new};
use crate::managed::{created, field_table, read_one, required_str_new, wait_for};
use crate::managed::{Field, Lookup, Managed, Op, TagStyle, Tags};
use async_trait::async_trait;
use aws_sdk_ec2::types::{AttributeBooleanValue, ResourceType, Subnet as Api, SubnetState};
use hubctl_core::lang::Value;
use hubctl_core::provider::ProviderError;
use std::time::Duration;

pub struct Subnet;

const CREATE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(20 * 60);

field_table! { Api;
    ID = api("id", computed_str, |_, x| opt(x.subnet_id()));
    ARN = api("arn", computed_str, |c, x| match x.subnet_arn() {
        Some(a) => Value::from(a),
        None => arn(c, "subnet", x.subnet_id(), x.owner_id()),
    });
    OWNER = api("owner_id", computed_str, |c, x| owner(c, x.owner_id()));
    VPC = api("vpc_id", required_str_new, |_, x| opt(x.vpc_id()));
    CIDR = api("cidr_block", required_str_new, |_, x| opt(x.cidr_block()));
    AZ = api("availability_zone", optional_computed_str_new, |_, x| opt(x.availability_zone()));
    AZ_ID = api("availability_zone_id", optional_computed_str_new,
        |_, x| opt(x.availability_zone_id()));
    /// AWS omits the flag when it was never set: that is false, as the schema default says.
    PUBLIC_IP = api("map_public_ip_on_launch", || optional_bool(false),
        |_, x| Value::Bool(x.map_public_ip_on_launch().unwrap_or(false)));
}

async fn set_map_public_ip(c: &AwsClients, id: &str, on: bool) -> Result<(), ProviderError> {
    let v = AttributeBooleanValue::builder().value(on).build();
    let req = c.ec2.modify_subnet_attribute().subnet_id(id);
    let r = req.map_public_ip_on_launch(v).send().await;
    answer("ec2:ModifySubnetAttribute", r).map(|_| ())
}

/// What the create waiter makes of one observation: done, keep waiting, or a failure.
fn availability(id: &str, sn: Api) -> Result<Option<Api>, ProviderError> {
    match sn.state() {
        Some(SubnetState::Available) | None => Ok(Some(sn)),
        Some(SubnetState::Failed | SubnetState::FailedInsufficientCapacity) => {
            let state = sn.state().map(|s| s.as_str()).unwrap_or("");
            let msg = format!("subnet {id} failed to become available (state {state})");
            Err(ProviderError::new("ec2:CreateSubnet", msg))
        }
        Some(_) => Ok(None),
    }
}

#[async_trait]
impl Managed for Subnet {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_subnet";
    const NOUN: &'static str = "subnet";
    const DESCRIBE: &'static str = "ec2:DescribeSubnets";
    const TAGS: TagStyle = EC2;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        x.subnet_id().map(str::to_string)
    }

    fn tags(x: &Api) -> Tags {
        ec2_map(x.tags())
    }

    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        let f = Some(filters(by, "subnet-id"));
        let req = || c.ec2.describe_subnets().set_filters(f.clone());
        pages(Self::DESCRIBE, |t| req().set_next_token(t).send()).await
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, tags: &Tags) -> Result<Api, ProviderError> {
        let req = c.ec2.create_subnet().set_vpc_id(VPC.str(planned));
        let req = req.set_cidr_block(CIDR.str(planned));
        let req = req.set_availability_zone(AZ.str(planned));
        let req = req.set_availability_zone_id(AZ_ID.str(planned));
        let req = req.tag_specifications(ec2_spec(ResourceType::Subnet, tags));
        let out = answer("ec2:CreateSubnet", req.send().await)?;
        created::<Self>("ec2:CreateSubnet", out.subnet())
    }

    /// Waits for `available`, then sets `map_public_ip_on_launch` (CreateSubnet cannot).
    async fn finish_create(
        &self,
        c: &Op<'_>,
        planned: &Value,
        sn: Api,
    ) -> Result<Api, ProviderError> {
        let id = sn.subnet_id().unwrap_or_default().to_string();
        // The answer (CreateSubnet's or a recovery's Describe) is the whole subnet: polled
        // only while it is not yet available.
        let mut sn = if sn.state() == Some(&SubnetState::Available) {
            sn
        } else {
            let what = format!("subnet {id} to become available");
            let timeout = c.ctx.timeouts.create.unwrap_or(CREATE_TIMEOUT);
            wait_for(c.ctx, &what, timeout, || async {
                read_one(self, c, &id)
                    .await?
                    .map_or(Ok(None), |sn| availability(&id, sn))
            })
            .await?
        };
        let want = PUBLIC_IP.bool(planned).unwrap_or(false);
        if sn.map_public_ip_on_launch().unwrap_or(false) != want {
            set_map_public_ip(c, &id, want).await?;
            sn.map_public_ip_on_launch = Some(want);
        }
        Ok(sn)
    }

    async fn update_attrs(
        &self,
        c: &Op<'_>,
        id: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        let want = PUBLIC_IP.bool(planned).unwrap_or(false);
        if PUBLIC_IP.bool(prior).unwrap_or(false) != want {
            set_map_public_ip(c, id, want).await?;
        }
        Ok(None)
    }

    async fn delete(&self, c: &Op<'_>, id: &str) -> Result<(), ProviderError> {
        let what =
            format!("subnet {id} to be deleted (DependencyViolation: something still uses it)");
        let timeout = c.ctx.timeouts.delete.unwrap_or(DELETE_TIMEOUT);
        let req = || c.ec2.delete_subnet().subnet_id(id);
        delete_when_unused(c.ctx, "ec2:DeleteSubnet", &what, timeout, || req().send()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2::common::{s, test_clients};
    use crate::managed::{assert_read_matches_schema, from_api, schema_for};
    use crate::tags;
    use aws_sdk_ec2::types::Tag;

    fn b(v: &Value, k: &str) -> Option<bool> {
        v.get_attr(k).and_then(Value::as_bool)
    }

    fn plan(prior: &Value, proposed: Value) -> hubctl_core::provider::PlannedState {
        Subnet.plan(&schema_for::<Subnet>(), Some(prior), proposed)
    }

    fn api_subnet(extra: &[(&str, &str)]) -> Api {
        let mut bld = Api::builder()
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
    fn read_returns_exactly_the_schema() {
        assert_read_matches_schema(Subnet, &api_subnet(&[("Name", "a")]));
    }

    #[test]
    fn from_api_maps_attributes_and_hides_the_address_tag() {
        let c = test_clients(Default::default());
        let planned = Value::map([("tags", Value::map([("Name", Value::from("public"))]))]);
        let v = from_api(&Subnet, &c, &api_subnet(&[("Name", "public")]), &planned);
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
        let v = from_api(
            &Subnet,
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
        let prior = from_api(
            &Subnet,
            &c,
            &api_subnet(&[]),
            &Value::map([("tags", Value::Null)]),
        );
        let mut proposed = prior.clone();
        if let Some(m) = proposed.as_map_mut() {
            m.insert("map_public_ip_on_launch".into(), Value::Bool(true));
        }
        assert!(plan(&prior, proposed.clone()).requires_replace.is_empty());
        if let Some(m) = proposed.as_map_mut() {
            m.insert("cidr_block".into(), Value::from("10.0.2.0/24"));
        }
        let p = plan(&prior, proposed);
        assert_eq!(p.requires_replace, vec!["cidr_block".to_string()]);
        // What the replacement will hold is the engine's concern (it plans it as a create).
        assert_eq!(p.planned.get_attr("tags_all"), prior.get_attr("tags_all"));
    }

    #[test]
    fn new_tags_update_in_place_with_unknown_tags_all() {
        let c = test_clients(Default::default());
        let prior = from_api(
            &Subnet,
            &c,
            &api_subnet(&[]),
            &Value::map([("tags", Value::Null)]),
        );
        let mut proposed = prior.clone();
        if let Some(m) = proposed.as_map_mut() {
            m.insert("tags".into(), Value::map([("Name", Value::from("a"))]));
        }
        let p = plan(&prior, proposed);
        assert!(p.requires_replace.is_empty());
        assert!(p
            .planned
            .get_attr("tags_all")
            .is_some_and(Value::is_unknown));
        assert_eq!(s(&p.planned, "id").as_deref(), Some("subnet-1"));
    }
}
