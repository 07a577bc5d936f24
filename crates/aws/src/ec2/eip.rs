//! `aws_eip` (VPC addresses).
//!
//! API calls: `AllocateAddress` (tags in `TagSpecifications`), `DescribeAddresses` (refresh: one
//! call for all addresses, filtered by `allocation-id`), `CreateTags` / `DeleteTags`,
//! `DisassociateAddress` + `ReleaseAddress` on delete.
//! Force-new: `domain`, `vpc`, `address`, `public_ipv4_pool`, `network_border_group`.
//! Waiters: delete retries `InvalidIPAddress.InUse` / `AuthFailure` (an association, e.g. of a
//! just-deleted NAT gateway, takes a while to let go) until the delete timeout (default 3m).
//! Quirks: AllocateAddress takes no `ClientToken`; an interrupted create is found by its address
//! tag. `public_dns` / `private_dns` are not returned by the API: like Terraform, they are
//! derived from the IPs and the region.

use super::common::{opt, s, tag_spec, wait_for};
use super::tagged::{read, set_id_and_arn, tagged_schema, Tagged};
use crate::config::AwsClients;
use crate::error;
use crate::tags;
use async_trait::async_trait;
use aws_sdk_ec2::types::{Address, DomainType, Filter, ResourceType, Tag};
use hubctl_core::lang::{Type, Value, VecMap};
use hubctl_core::provider::{AttrSchema, OpContext, ProviderError, Schema};
use std::sync::OnceLock;
use std::time::Duration;

pub struct Eip;

const DELETE_TIMEOUT: Duration = Duration::from_secs(3 * 60);

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

/// A string or null; EC2 (and emulators) answer "" for "no such association" on addresses.
fn nz(x: Option<&str>) -> Value {
    opt(x.filter(|s| !s.is_empty()))
}

/// Codes meaning "still held by an association that is going away": retried on delete.
fn busy(code: Option<&str>) -> bool {
    matches!(code, Some("InvalidIPAddress.InUse" | "AuthFailure"))
}

/// One delete attempt: disassociate what AWS says is associated, then release.
/// `Some(())` when the address is gone, `None` to try again.
async fn release_once(c: &AwsClients, id: &str) -> Result<Option<()>, ProviderError> {
    let Some(a) = read(&Eip, c, id).await? else {
        return Ok(Some(()));
    };
    if let Some(assoc) = a.association_id() {
        match c
            .ec2
            .disassociate_address()
            .association_id(assoc)
            .send()
            .await
        {
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
impl Tagged for Eip {
    type Api = Address;
    const TYPE_NAME: &'static str = "aws_eip";
    const NOUN: &'static str = "Elastic IP";
    const DESCRIBE: &'static str = "ec2:DescribeAddresses";
    const ID_FILTER: &'static str = "allocation-id";

    fn schema(&self) -> &'static Schema {
        static S: OnceLock<Schema> = OnceLock::new();
        S.get_or_init(|| {
            let str_c = || AttrSchema::computed(Type::String);
            tagged_schema()
                .attr(
                    "domain",
                    AttrSchema::optional(Type::String)
                        .force_new()
                        .default(Value::from("vpc")),
                )
                // Deprecated in Terraform's v5 provider, still accepted there: `vpc = true`.
                .attr("vpc", AttrSchema::optional_computed(Type::Bool).force_new())
                .attr("address", AttrSchema::optional(Type::String).force_new())
                .attr(
                    "public_ipv4_pool",
                    AttrSchema::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "network_border_group",
                    AttrSchema::optional_computed(Type::String).force_new(),
                )
                .attr("arn", str_c())
                .attr("allocation_id", str_c())
                .attr("association_id", str_c())
                .attr("public_ip", str_c())
                .attr("public_dns", str_c())
                .attr("private_ip", str_c())
                .attr("private_dns", str_c())
                .attr("network_interface", str_c())
                .attr("instance", str_c())
        })
    }

    fn id(x: &Address) -> Option<&str> {
        x.allocation_id()
    }

    fn tags(x: &Address) -> &[Tag] {
        x.tags()
    }

    /// The attributes AWS reports (tags aside).
    fn attrs(c: &AwsClients, a: &Address, m: &mut VecMap<String, Value>) {
        let id = a.allocation_id().unwrap_or_default();
        set_id_and_arn(c, m, "elastic-ip", id, None, None);
        let domain = a.domain().map(|d| d.as_str()).unwrap_or("vpc");
        let dns = |ip: Option<&str>, f: fn(&str, &str) -> String| {
            opt(ip
                .filter(|ip| !ip.is_empty())
                .map(|ip| f(&c.region, ip))
                .as_deref())
        };
        m.insert("allocation_id".into(), Value::from(id));
        m.insert("domain".into(), Value::from(domain));
        m.insert("vpc".into(), Value::Bool(domain == "vpc"));
        m.insert("public_ipv4_pool".into(), nz(a.public_ipv4_pool()));
        m.insert("network_border_group".into(), nz(a.network_border_group()));
        m.insert("association_id".into(), nz(a.association_id()));
        m.insert("public_ip".into(), nz(a.public_ip()));
        m.insert("public_dns".into(), dns(a.public_ip(), public_dns));
        m.insert("private_ip".into(), nz(a.private_ip_address()));
        m.insert(
            "private_dns".into(),
            dns(a.private_ip_address(), private_dns),
        );
        m.insert("network_interface".into(), nz(a.network_interface_id()));
        m.insert("instance".into(), nz(a.instance_id()));
    }

    async fn describe(
        &self,
        c: &AwsClients,
        filters: Vec<Filter>,
    ) -> Result<Vec<Address>, ProviderError> {
        let out = c
            .ec2
            .describe_addresses()
            .set_filters(Some(filters))
            .send()
            .await
            .map_err(|e| error::sdk("ec2:DescribeAddresses", e))?;
        Ok(out.addresses().to_vec())
    }

    /// AllocateAddress answers with the allocation id only; the address is read afterwards.
    async fn create(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        planned: &Value,
    ) -> Result<Address, ProviderError> {
        let t = tags::for_create(&c.default_tags, planned, ctx.address);
        let domain = s(planned, "domain").unwrap_or_else(|| "vpc".into());
        let out = c
            .ec2
            .allocate_address()
            .domain(DomainType::from(domain.as_str()))
            .set_address(s(planned, "address"))
            .set_public_ipv4_pool(s(planned, "public_ipv4_pool"))
            .set_network_border_group(s(planned, "network_border_group"))
            .tag_specifications(tag_spec(ResourceType::ElasticIp, &t))
            .send()
            .await
            .map_err(|e| error::sdk("ec2:AllocateAddress", e))?;
        let id = out.allocation_id().ok_or_else(|| {
            ProviderError::new("ec2:AllocateAddress", "the response has no allocation id")
        })?;
        Ok(Address::builder().allocation_id(id).build())
    }

    async fn delete(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        id: &str,
    ) -> Result<(), ProviderError> {
        let what = format!("Elastic IP {id} to be released (it is still associated)");
        wait_for(&what, ctx.timeouts.delete.unwrap_or(DELETE_TIMEOUT), || {
            release_once(c, id)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2::common::test_clients;

    fn address() -> Address {
        Address::builder()
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
        let v = Eip::from_api(&c, &address(), &planned);
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
        let a = Address::builder()
            .allocation_id("eipalloc-1")
            .network_interface_id("")
            .instance_id("")
            .private_ip_address("")
            .build();
        let v = Eip::from_api(&c, &a, &Value::map([("tags", Value::Null)]));
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
