//! `aws_eip` (VPC addresses).
//!
//! API calls: `AllocateAddress` (tags in `TagSpecifications`), `DescribeAddresses` (refresh: one
//! call per 200 addresses, filtered by `allocation-id`), `CreateTags` / `DeleteTags`,
//! `DisassociateAddress` + `ReleaseAddress` on delete.
//! Force-new: `domain`, `vpc`, `address`, `public_ipv4_pool`, `network_border_group`.
//! Waiters: delete retries `InvalidIPAddress.InUse` / `AuthFailure` (an association, e.g. of a
//! just-deleted NAT gateway, takes a while to let go) until the delete timeout (default 3m).
//! Quirks: AllocateAddress takes no `ClientToken`; an interrupted create is found by its address
//! tag. `public_dns` / `private_dns` are not returned by the API: like Terraform, they are
//! derived from the IPs and the region.

use super::common::{answer, arn, filters};
use crate::config::AwsClients;
use crate::error;
use crate::managed::tags::{ec2_map, ec2_spec, ec2_tags, EC2};
use crate::managed::{computed_str, field_table, nz, opt, optional_str_new, read_one, wait_for};
use crate::managed::{returned, Field, Lookup, Managed, Op, TagStyle, Tags};
use async_trait::async_trait;
use aws_sdk_ec2::types::{Address as Api, DomainType, ResourceType};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, ProviderError};
use std::time::Duration;

pub struct Eip;

const DELETE_TIMEOUT: Duration = Duration::from_secs(3 * 60);

fn domain(a: &Api) -> &str {
    a.domain().map(|d| d.as_str()).unwrap_or("vpc")
}

/// A DNS name derived from an address, as Terraform derives it.
fn dns(c: &AwsClients, ip: Option<&str>, f: fn(&str, &str) -> String) -> Value {
    let name = ip.filter(|ip| !ip.is_empty()).map(|ip| f(&c.region, ip));
    opt(name.as_deref())
}

fn new_str() -> AttrSchema {
    AttrSchema::optional_computed(Type::String).force_new()
}

field_table! { Api;
    ID = api("id", computed_str, |_, a| opt(a.allocation_id()));
    ALLOCATION = api("allocation_id", computed_str, |_, a| opt(a.allocation_id()));
    ARN = api("arn", computed_str, |c, a| arn(c, "elastic-ip", a.allocation_id(), None));
    DOMAIN = api("domain", || optional_str_new().default(Value::from("vpc")),
        |_, a| Value::from(domain(a)));
    /// Deprecated in Terraform's v5 provider, still accepted there: `vpc = true`.
    VPC = api("vpc", || AttrSchema::optional_computed(Type::Bool).force_new(),
        |_, a| Value::Bool(domain(a) == "vpc"));
    ADDRESS = kept("address", optional_str_new);
    POOL = api("public_ipv4_pool", new_str, |_, a| nz(a.public_ipv4_pool()));
    BORDER = api("network_border_group", new_str, |_, a| nz(a.network_border_group()));
    ASSOCIATION = api("association_id", computed_str, |_, a| nz(a.association_id()));
    PUBLIC_IP = api("public_ip", computed_str, |_, a| nz(a.public_ip()));
    PUBLIC_DNS = api("public_dns", computed_str, |c, a| dns(c, a.public_ip(), public_dns));
    PRIVATE_IP = api("private_ip", computed_str, |_, a| nz(a.private_ip_address()));
    PRIVATE_DNS = api("private_dns", computed_str,
        |c, a| dns(c, a.private_ip_address(), private_dns));
    INTERFACE = api("network_interface", computed_str, |_, a| nz(a.network_interface_id()));
    INSTANCE = api("instance", computed_str, |_, a| nz(a.instance_id()));
}

/// `1.2.3.4` → `1-2-3-4`, the form EC2 host names use.
fn dashed(ip: &str) -> String {
    ip.replace('.', "-")
}

/// EC2's public host name of an address (`ec2-1-2-3-4.compute-1.amazonaws.com`).
fn public_dns(region: &str, ip: &str) -> String {
    let suffix = if region == "us-east-1" {
        "compute-1".to_string()
    } else {
        format!("{region}.compute")
    };
    format!("ec2-{}.{suffix}.amazonaws.com", dashed(ip))
}

/// EC2's private host name of an address (`ip-10-0-0-1.ec2.internal`).
fn private_dns(region: &str, ip: &str) -> String {
    let suffix = if region == "us-east-1" {
        "ec2.internal".to_string()
    } else {
        format!("{region}.compute.internal")
    };
    format!("ip-{}.{suffix}", dashed(ip))
}

/// Codes meaning "still held by an association that is going away": retried on delete.
fn busy(code: Option<&str>) -> bool {
    matches!(code, Some("InvalidIPAddress.InUse" | "AuthFailure"))
}

/// One delete attempt: disassociate what AWS says is associated, then release.
/// `Some(())` when the address is gone, `None` to try again.
async fn release_once(c: &AwsClients, id: &str) -> Result<Option<()>, ProviderError> {
    let Some(a) = read_one(&Eip, c, id).await? else {
        return Ok(Some(()));
    };
    if let Some(assoc) = a.association_id() {
        let req = c.ec2.disassociate_address().association_id(assoc);
        match req.send().await {
            Ok(_) => {}
            Err(e) if error::is_not_found("ec2", &e) => {}
            Err(e) if busy(error::code(&e)) => return Ok(None),
            Err(e) => return Err(error::sdk("ec2:DisassociateAddress", e)),
        }
    }
    match c.ec2.release_address().allocation_id(id).send().await {
        Ok(_) => Ok(Some(())),
        Err(e) if error::is_not_found("ec2", &e) => Ok(Some(())),
        Err(e) if busy(error::code(&e)) => Ok(None),
        Err(e) => Err(error::sdk("ec2:ReleaseAddress", e)),
    }
}

#[async_trait]
impl Managed for Eip {
    type Api = Api;
    const CREATE_ANSWER_COMPLETE: bool = true;
    const TYPE_NAME: &'static str = "aws_eip";
    const NOUN: &'static str = "Elastic IP";
    const DESCRIBE: &'static str = "ec2:DescribeAddresses";
    const TAGS: TagStyle = EC2;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        x.allocation_id().map(str::to_string)
    }

    fn tags(x: &Api) -> Tags {
        ec2_map(x.tags())
    }

    /// DescribeAddresses has no pages: it answers every matching address at once.
    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        let req = c.ec2.describe_addresses();
        let req = req.set_filters(Some(filters(by, "allocation-id")));
        let out = answer(Self::DESCRIBE, req.send().await)?;
        Ok(out.addresses().to_vec())
    }

    /// AllocateAddress answers with the allocation id only; the address is read afterwards.
    async fn create(&self, c: &Op<'_>, planned: &Value, tags: &Tags) -> Result<Api, ProviderError> {
        let domain = DOMAIN.str(planned).unwrap_or_else(|| "vpc".into());
        let req = c.ec2.allocate_address();
        let req = req.domain(DomainType::from(domain.as_str()));
        let req = req.set_address(ADDRESS.str(planned));
        let req = req.set_public_ipv4_pool(POOL.str(planned));
        let req = req.set_network_border_group(BORDER.str(planned));
        let req = req.tag_specifications(ec2_spec(ResourceType::ElasticIp, tags));
        let out = answer("ec2:AllocateAddress", req.send().await)?;
        let id = returned("ec2:AllocateAddress", "allocation id", out.allocation_id())?;
        // A new address is associated with nothing: the answer holds all the rest.
        let a = Api::builder()
            .allocation_id(id)
            .set_domain(out.domain().cloned());
        let a = a.set_public_ip(out.public_ip().map(str::to_string));
        let a = a.set_public_ipv4_pool(out.public_ipv4_pool().map(str::to_string));
        let a = a.set_network_border_group(out.network_border_group().map(str::to_string));
        Ok(a.set_tags(Some(ec2_tags(tags))).build())
    }

    async fn delete(&self, c: &Op<'_>, id: &str) -> Result<(), ProviderError> {
        let what = format!("Elastic IP {id} to be released (it is still associated)");
        let timeout = c.ctx.timeouts.delete.unwrap_or(DELETE_TIMEOUT);
        wait_for(c.ctx, &what, timeout, || release_once(c, id)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2::common::{s, test_clients};
    use crate::managed::{assert_read_matches_schema, from_api};
    use crate::tags;
    use aws_sdk_ec2::types::Tag;

    fn address() -> Api {
        Api::builder()
            .allocation_id("eipalloc-1")
            .public_ip("54.12.0.7")
            .domain(DomainType::Vpc)
            .public_ipv4_pool("amazon")
            .network_border_group("us-east-1")
            .tags(
                Tag::builder()
                    .key(tags::ADDRESS_TAG)
                    .value("aws_eip.nat")
                    .build(),
            )
            .build()
    }

    #[test]
    fn read_returns_exactly_the_schema() {
        assert_read_matches_schema(Eip, &address());
    }

    #[test]
    fn dns_names_follow_ec2_naming() {
        assert_eq!(
            public_dns("us-east-1", "54.12.0.7"),
            "ec2-54-12-0-7.compute-1.amazonaws.com"
        );
        assert_eq!(
            public_dns("eu-west-1", "54.12.0.7"),
            "ec2-54-12-0-7.eu-west-1.compute.amazonaws.com"
        );
        assert_eq!(
            private_dns("us-east-1", "10.0.1.5"),
            "ip-10-0-1-5.ec2.internal"
        );
        assert_eq!(
            private_dns("eu-west-1", "10.0.1.5"),
            "ip-10-0-1-5.eu-west-1.compute.internal"
        );
    }

    #[test]
    fn unassociated_address_maps_to_a_wholly_known_state() {
        let c = test_clients(Default::default());
        let planned = Value::map([("domain", Value::from("vpc")), ("tags", Value::Null)]);
        let v = from_api(&Eip, &c, &address(), &planned);
        assert_eq!(s(&v, "id").as_deref(), Some("eipalloc-1"));
        assert_eq!(s(&v, "allocation_id").as_deref(), Some("eipalloc-1"));
        assert_eq!(
            s(&v, "public_dns").as_deref(),
            Some("ec2-54-12-0-7.compute-1.amazonaws.com")
        );
        assert_eq!(v.get_attr("private_dns"), Some(&Value::Null));
        assert_eq!(v.get_attr("association_id"), Some(&Value::Null));
        assert_eq!(v.get_attr("vpc"), Some(&Value::Bool(true)));
        assert_eq!(v.get_attr("tags"), Some(&Value::Null));
        assert_eq!(
            s(&v, "arn").as_deref(),
            Some("arn:aws:ec2:us-east-1:123456789012:elastic-ip/eipalloc-1")
        );
        assert!(v.is_wholly_known());
    }

    #[test]
    fn empty_strings_from_ec2_mean_unset() {
        let c = test_clients(Default::default());
        let a = Api::builder()
            .allocation_id("eipalloc-1")
            .network_interface_id("")
            .instance_id("")
            .private_ip_address("")
            .build();
        let v = from_api(&Eip, &c, &a, &Value::map([("tags", Value::Null)]));
        for k in ["network_interface", "instance", "private_ip", "private_dns"] {
            assert_eq!(v.get_attr(k), Some(&Value::Null), "{k}");
        }
    }

    #[test]
    fn in_use_errors_are_retried_on_delete() {
        assert!(busy(Some("InvalidIPAddress.InUse")));
        assert!(busy(Some("AuthFailure")));
        assert!(!busy(Some("InvalidParameterValue")));
        assert!(!busy(None));
    }
}
