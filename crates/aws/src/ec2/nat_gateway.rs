//! `aws_nat_gateway`.
//!
//! API calls: `CreateNatGateway` (`ClientToken` + `TagSpecifications`), `DescribeNatGateways`
//! (waiters and refresh: one call per 200 gateways, filtered by `nat-gateway-id`),
//! `CreateTags` / `DeleteTags`, `DeleteNatGateway`.
//! Force-new: `allocation_id`, `subnet_id`, `connectivity_type`, `private_ip`.
//! Waiters: after create, until `available` (create timeout, default 10m; a `failed` gateway
//! fails the create with AWS's failure message); after delete, until `deleted` (delete timeout,
//! default 30m). Both report the gateway's state on the live line.
//! Quirks: a deleted gateway stays visible as `deleted` for about an hour: it counts as gone,
//! and recovery adopts only a `pending` or `available` one. The client token is the
//! intent's (`common::request_token`): a new intent (a re-create) has a new one, so it never
//! gets a deleted gateway back; only a resumed create repeats its token.

use super::common::{answer, filter, filters, pages, request_token};
use crate::config::AwsClients;
use crate::managed::tags::{ec2_map, ec2_spec, EC2};
use crate::managed::{computed_str, created, field_table, opt, optional_computed_str_new};
use crate::managed::{optional_str_new, read_one, required_str_new, wait_for};
use crate::managed::{Field, Lookup, Managed, Op, TagStyle, Tags};
use async_trait::async_trait;
use aws_sdk_ec2::types::{ConnectivityType, NatGateway as Api, NatGatewayAddress};
use aws_sdk_ec2::types::{NatGatewayState, ResourceType};
use hubctl_core::lang::Value;
use hubctl_core::provider::ProviderError;
use std::time::Duration;

pub struct NatGateway;

const CREATE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The gateway's primary address, which the address attributes describe.
fn primary(g: &Api) -> Option<&NatGatewayAddress> {
    let addrs = g.nat_gateway_addresses();
    let p = addrs.iter().find(|a| a.is_primary() == Some(true));
    p.or_else(|| addrs.first())
}

/// One attribute of the primary address.
fn address(g: &Api, f: fn(&NatGatewayAddress) -> Option<&str>) -> Value {
    opt(primary(g).and_then(f))
}

field_table! { Api;
    ID = api("id", computed_str, |_, g| opt(g.nat_gateway_id()));
    SUBNET = api("subnet_id", required_str_new, |_, g| opt(g.subnet_id()));
    /// AWS leaves it out for public gateways made before it existed.
    KIND = api("connectivity_type", || optional_str_new().default(Value::from("public")),
        |_, g| Value::from(g.connectivity_type().map_or("public", |t| t.as_str())));
    ALLOCATION = api("allocation_id", optional_str_new, |_, g| address(g, |a| a.allocation_id()));
    PRIVATE_IP = api("private_ip", optional_computed_str_new,
        |_, g| address(g, |a| a.private_ip()));
    INTERFACE = api("network_interface_id", computed_str,
        |_, g| address(g, |a| a.network_interface_id()));
    PUBLIC_IP = api("public_ip", computed_str, |_, g| address(g, |a| a.public_ip()));
    ASSOCIATION = api("association_id", computed_str, |_, g| address(g, |a| a.association_id()));
}

fn state(g: &Api) -> &str {
    g.state().map(|s| s.as_str()).unwrap_or("unknown")
}

/// What the create waiter makes of one observation: done, keep waiting, or a clear failure.
fn creation_progress(id: &str, g: Option<&Api>) -> Result<Option<Api>, ProviderError> {
    let Some(g) = g else {
        return Err(ProviderError::new(
            "ec2:CreateNatGateway",
            format!("NAT gateway {id} disappeared while being created"),
        ));
    };
    match g.state() {
        Some(NatGatewayState::Available) => Ok(Some(g.clone())),
        Some(NatGatewayState::Failed) => Err(ProviderError::new(
            "ec2:CreateNatGateway",
            format!(
                "NAT gateway {id} failed: {}: {}",
                g.failure_code().unwrap_or("Unknown"),
                g.failure_message().unwrap_or("AWS gave no reason")
            ),
        )),
        Some(NatGatewayState::Deleting | NatGatewayState::Deleted) => Err(ProviderError::new(
            "ec2:CreateNatGateway",
            format!("NAT gateway {id} was deleted while being created"),
        )),
        _ => Ok(None),
    }
}

#[async_trait]
impl Managed for NatGateway {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_nat_gateway";
    const NOUN: &'static str = "NAT gateway";
    const DESCRIBE: &'static str = "ec2:DescribeNatGateways";
    const TAGS: TagStyle = EC2;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        x.nat_gateway_id().map(str::to_string)
    }

    fn tags(x: &Api) -> Tags {
        ec2_map(x.tags())
    }

    /// Gateways of the lookup; deleted ones are left out (AWS keeps showing them for a
    /// while), and recovery adopts only a live one.
    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        let mut f = filters(by, "nat-gateway-id");
        if let Lookup::AddressTag(_) = by {
            f.push(filter("state", ["pending".into(), "available".into()]));
        }
        let req = || c.ec2.describe_nat_gateways().set_filter(Some(f.clone()));
        let all = pages(Self::DESCRIBE, |t| req().set_next_token(t).send()).await?;
        let live = |g: &Api| g.state() != Some(&NatGatewayState::Deleted);
        Ok(all.into_iter().filter(live).collect())
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, tags: &Tags) -> Result<Api, ProviderError> {
        let kind = KIND.str(planned).unwrap_or_else(|| "public".into());
        let req = c
            .ec2
            .create_nat_gateway()
            .set_subnet_id(SUBNET.str(planned));
        let req = req.set_allocation_id(ALLOCATION.str(planned));
        let req = req.connectivity_type(ConnectivityType::from(kind.as_str()));
        let req = req.set_private_ip_address(PRIVATE_IP.str(planned));
        let req = req.client_token(request_token(c.ctx));
        let req = req.tag_specifications(ec2_spec(ResourceType::Natgateway, tags));
        let out = answer("ec2:CreateNatGateway", req.send().await)?;
        created::<Self>("ec2:CreateNatGateway", out.nat_gateway())
    }

    /// Waits until the gateway is `available`, showing its state, unless the answer (the
    /// create's or a recovery's Describe) already says so.
    async fn finish_create(
        &self,
        c: &Op<'_>,
        _planned: &Value,
        g: Api,
    ) -> Result<Api, ProviderError> {
        if g.state() == Some(&NatGatewayState::Available) {
            return Ok(g);
        }
        let id = g.nat_gateway_id().unwrap_or_default().to_string();
        let what = format!("NAT gateway {id} to become available");
        let timeout = c.ctx.timeouts.create.unwrap_or(CREATE_TIMEOUT);
        wait_for(c.ctx, &what, timeout, || async {
            let req = c.ec2.describe_nat_gateways();
            let req = req.filter(filter("nat-gateway-id", [id.clone()]));
            let out = answer(Self::DESCRIBE, req.send().await)?;
            // Freshly created gateways can be briefly invisible to Describe.
            let Some(g) = out.nat_gateways().first() else {
                return Ok(None);
            };
            (c.ctx.progress)(&format!("NAT gateway {id}: {}", state(g)));
            creation_progress(&id, Some(g))
        })
        .await
    }

    async fn delete(&self, c: &Op<'_>, id: &str) -> Result<(), ProviderError> {
        let r = c.ec2.delete_nat_gateway().nat_gateway_id(id).send().await;
        answer("ec2:DeleteNatGateway", r)?;
        let what = format!("NAT gateway {id} to be deleted");
        let timeout = c.ctx.timeouts.delete.unwrap_or(DELETE_TIMEOUT);
        wait_for(c.ctx, &what, timeout, || async {
            let g = read_one(self, c, id).await?;
            if let Some(g) = &g {
                (c.ctx.progress)(&format!("NAT gateway {id}: {}", state(g)));
            }
            Ok(g.is_none().then_some(()))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2::common::{s, test_clients};
    use crate::managed::{assert_read_matches_schema, from_api};
    use crate::tags;
    use aws_sdk_ec2::types::Tag;

    fn gateway(state: NatGatewayState) -> Api {
        Api::builder()
            .nat_gateway_id("nat-1")
            .subnet_id("subnet-1")
            .state(state)
            .nat_gateway_addresses(
                NatGatewayAddress::builder()
                    .allocation_id("eipalloc-1")
                    .network_interface_id("eni-1")
                    .private_ip("10.0.1.20")
                    .public_ip("54.12.0.7")
                    .association_id("eipassoc-1")
                    .is_primary(true)
                    .build(),
            )
            .tags(
                Tag::builder()
                    .key(tags::ADDRESS_TAG)
                    .value("aws_nat_gateway.this")
                    .build(),
            )
            .build()
    }

    #[test]
    fn read_returns_exactly_the_schema() {
        assert_read_matches_schema(NatGateway, &gateway(NatGatewayState::Available));
    }

    #[test]
    fn primary_address_fills_the_computed_attributes() {
        let c = test_clients(Default::default());
        let planned = Value::map([
            ("connectivity_type", Value::from("public")),
            ("tags", Value::Null),
        ]);
        let v = from_api(
            &NatGateway,
            &c,
            &gateway(NatGatewayState::Available),
            &planned,
        );
        assert_eq!(s(&v, "id").as_deref(), Some("nat-1"));
        assert_eq!(s(&v, "allocation_id").as_deref(), Some("eipalloc-1"));
        assert_eq!(s(&v, "network_interface_id").as_deref(), Some("eni-1"));
        assert_eq!(s(&v, "private_ip").as_deref(), Some("10.0.1.20"));
        assert_eq!(s(&v, "public_ip").as_deref(), Some("54.12.0.7"));
        assert_eq!(s(&v, "association_id").as_deref(), Some("eipassoc-1"));
        // AWS leaves connectivity_type out for public gateways made before it existed.
        assert_eq!(s(&v, "connectivity_type").as_deref(), Some("public"));
        assert_eq!(v.get_attr("tags"), Some(&Value::Null));
        assert!(v.is_wholly_known());
    }

    #[test]
    fn failed_gateway_fails_the_create_with_aws_reason() {
        let g = Api::builder()
            .nat_gateway_id("nat-1")
            .state(NatGatewayState::Failed)
            .failure_code("InsufficientFreeAddressesInSubnet")
            .failure_message("Subnet has insufficient free addresses")
            .build();
        let err = creation_progress("nat-1", Some(&g)).unwrap_err();
        assert!(
            err.message.contains("InsufficientFreeAddressesInSubnet"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("insufficient free addresses"),
            "{}",
            err.message
        );
    }

    #[test]
    fn pending_keeps_waiting_and_available_finishes() {
        assert!(matches!(
            creation_progress("nat-1", Some(&gateway(NatGatewayState::Pending))),
            Ok(None)
        ));
        assert!(matches!(
            creation_progress("nat-1", Some(&gateway(NatGatewayState::Available))),
            Ok(Some(_))
        ));
        assert!(creation_progress("nat-1", Some(&gateway(NatGatewayState::Deleted))).is_err());
    }
}
