//! `aws_nat_gateway`.
//!
//! API calls: `CreateNatGateway` (`ClientToken` + `TagSpecifications`), `DescribeNatGateways`
//! (waiters and refresh: one call for all gateways, filtered by `nat-gateway-id`),
//! `CreateTags` / `DeleteTags`, `DeleteNatGateway`.
//! Force-new: `allocation_id`, `subnet_id`, `connectivity_type`, `private_ip`.
//! Waiters: after create, until `available` (create timeout, default 10m; a `failed` gateway
//! fails the create with AWS's failure message); after delete, until `deleted` (delete timeout,
//! default 30m).
//! Quirks: a deleted gateway stays visible as `deleted` for about an hour: it counts as gone.
//! The deterministic client token means a re-create with an identical configuration (after a
//! taint or destroy) can be answered with the old, deleted gateway; then the create is repeated
//! with a token derived from the stale gateway's id.

use super::common::{client_token, filter, opt, s, tag_spec, wait_for};
use super::tagged::{read, tagged_schema, Tagged};
use crate::config::AwsClients;
use crate::error;
use crate::tags;
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    ConnectivityType, Filter, NatGateway as ApiGateway, NatGatewayState, ResourceType, Tag,
};
use hubctl_core::lang::{Type, Value, VecMap};
use hubctl_core::provider::{AttrSchema, OpContext, ProviderError, Schema};
use std::sync::OnceLock;
use std::time::Duration;

pub struct NatGateway;

const CREATE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// What the create waiter makes of one observation: done, keep waiting, or a clear failure.
fn creation_progress(
    id: &str,
    g: Option<&ApiGateway>,
) -> Result<Option<ApiGateway>, ProviderError> {
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

/// One CreateNatGateway call with the given idempotency token.
async fn create_call(
    c: &AwsClients,
    planned: &Value,
    address: &str,
    token: String,
) -> Result<ApiGateway, ProviderError> {
    let t = tags::for_create(&c.default_tags, planned, address);
    let kind = s(planned, "connectivity_type").unwrap_or_else(|| "public".into());
    let out = c
        .ec2
        .create_nat_gateway()
        .subnet_id(s(planned, "subnet_id").unwrap_or_default())
        .set_allocation_id(s(planned, "allocation_id"))
        .connectivity_type(ConnectivityType::from(kind.as_str()))
        .set_private_ip_address(s(planned, "private_ip"))
        .client_token(token)
        .tag_specifications(tag_spec(ResourceType::Natgateway, &t))
        .send()
        .await
        .map_err(|e| error::sdk("ec2:CreateNatGateway", e))?;
    out.nat_gateway().cloned().ok_or_else(|| {
        ProviderError::new("ec2:CreateNatGateway", "the response has no NAT gateway")
    })
}

#[async_trait]
impl Tagged for NatGateway {
    type Api = ApiGateway;
    const TYPE_NAME: &'static str = "aws_nat_gateway";
    const NOUN: &'static str = "NAT gateway";
    const DESCRIBE: &'static str = "ec2:DescribeNatGateways";
    const ID_FILTER: &'static str = "nat-gateway-id";

    fn schema(&self) -> &'static Schema {
        static S: OnceLock<Schema> = OnceLock::new();
        S.get_or_init(|| {
            let str_c = || AttrSchema::computed(Type::String);
            tagged_schema()
                .attr("subnet_id", AttrSchema::required(Type::String).force_new())
                .attr(
                    "allocation_id",
                    AttrSchema::optional(Type::String).force_new(),
                )
                .attr(
                    "connectivity_type",
                    AttrSchema::optional(Type::String)
                        .force_new()
                        .default(Value::from("public")),
                )
                .attr(
                    "private_ip",
                    AttrSchema::optional_computed(Type::String).force_new(),
                )
                .attr("network_interface_id", str_c())
                .attr("public_ip", str_c())
                .attr("association_id", str_c())
        })
    }

    fn id(x: &ApiGateway) -> Option<&str> {
        x.nat_gateway_id()
    }

    fn tags(x: &ApiGateway) -> &[Tag] {
        x.tags()
    }

    /// The attributes AWS reports (tags aside).
    fn attrs(_: &AwsClients, g: &ApiGateway, m: &mut VecMap<String, Value>) {
        let addrs = g.nat_gateway_addresses();
        let primary = addrs
            .iter()
            .find(|a| a.is_primary() == Some(true))
            .or_else(|| addrs.first());
        m.insert("id".into(), opt(g.nat_gateway_id()));
        m.insert("subnet_id".into(), opt(g.subnet_id()));
        m.insert(
            "connectivity_type".into(),
            Value::from(
                g.connectivity_type()
                    .map(|t| t.as_str())
                    .unwrap_or("public"),
            ),
        );
        m.insert(
            "allocation_id".into(),
            opt(primary.and_then(|a| a.allocation_id())),
        );
        m.insert(
            "network_interface_id".into(),
            opt(primary.and_then(|a| a.network_interface_id())),
        );
        m.insert(
            "private_ip".into(),
            opt(primary.and_then(|a| a.private_ip())),
        );
        m.insert("public_ip".into(), opt(primary.and_then(|a| a.public_ip())));
        m.insert(
            "association_id".into(),
            opt(primary.and_then(|a| a.association_id())),
        );
    }

    /// Gateways matching `filters`; deleted ones are left out (AWS keeps showing them for a while).
    async fn describe(
        &self,
        c: &AwsClients,
        filters: Vec<Filter>,
    ) -> Result<Vec<ApiGateway>, ProviderError> {
        let out = c
            .ec2
            .describe_nat_gateways()
            .set_filter(Some(filters))
            .send()
            .await
            .map_err(|e| error::sdk("ec2:DescribeNatGateways", e))?;
        Ok(out
            .nat_gateways()
            .iter()
            .filter(|g| g.state() != Some(&NatGatewayState::Deleted))
            .cloned()
            .collect())
    }

    /// Only a live gateway is adopted.
    fn recovery_filters(&self) -> Vec<Filter> {
        vec![filter(
            "state",
            ["pending".to_string(), "available".to_string()],
        )]
    }

    /// The client token makes a repeated create (after a crash) return the same gateway; the
    /// address tag finds it too where tokens have expired (or are not honoured).
    async fn create(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        planned: &Value,
    ) -> Result<ApiGateway, ProviderError> {
        let mut g =
            create_call(c, planned, ctx.address, client_token(ctx.address, planned)).await?;
        for _ in 0..3 {
            if !matches!(
                g.state(),
                Some(NatGatewayState::Deleting | NatGatewayState::Deleted)
            ) {
                break;
            }
            // A stale answer for an earlier, since deleted gateway with the same token.
            let token = client_token(
                &format!(
                    "{}\0{}",
                    ctx.address,
                    g.nat_gateway_id().unwrap_or_default()
                ),
                planned,
            );
            g = create_call(c, planned, ctx.address, token).await?;
        }
        Ok(g)
    }

    /// Waits until the gateway is `available`.
    async fn finish_create(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        planned: &Value,
        g: ApiGateway,
    ) -> Result<Value, ProviderError> {
        let id = g.nat_gateway_id().map(str::to_string).ok_or_else(|| {
            ProviderError::new("ec2:CreateNatGateway", "the response has no NAT gateway id")
        })?;
        let what = format!("NAT gateway {id} to become available");
        let g = wait_for(&what, ctx.timeouts.create.unwrap_or(CREATE_TIMEOUT), || {
            let id = id.clone();
            async move {
                let out = c
                    .ec2
                    .describe_nat_gateways()
                    .filter(filter("nat-gateway-id", [id.clone()]))
                    .send()
                    .await
                    .map_err(|e| error::sdk("ec2:DescribeNatGateways", e))?;
                // Freshly created gateways can be briefly invisible to Describe.
                match out.nat_gateways().first() {
                    None => Ok(None),
                    found => creation_progress(&id, found),
                }
            }
        })
        .await?;
        Ok(NatGateway::from_api(c, &g, planned))
    }

    async fn delete(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        id: &str,
    ) -> Result<(), ProviderError> {
        match c.ec2.delete_nat_gateway().nat_gateway_id(id).send().await {
            Ok(_) => {}
            Err(e) if error::is_not_found("ec2", &e) => return Ok(()),
            Err(e) => return Err(error::sdk("ec2:DeleteNatGateway", e)),
        }
        wait_for(
            &format!("NAT gateway {id} to be deleted"),
            ctx.timeouts.delete.unwrap_or(DELETE_TIMEOUT),
            || async { Ok(read(self, c, id).await?.is_none().then_some(())) },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2::common::test_clients;
    use aws_sdk_ec2::types::NatGatewayAddress;

    fn gateway(state: NatGatewayState) -> ApiGateway {
        ApiGateway::builder()
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
    fn primary_address_fills_the_computed_attributes() {
        let c = test_clients(Default::default());
        let planned = Value::map([
            ("connectivity_type", Value::from("public")),
            ("tags", Value::Null),
        ]);
        let v = NatGateway::from_api(&c, &gateway(NatGatewayState::Available), &planned);
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
        let g = ApiGateway::builder()
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
