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

use super::common::{
    client_token, filter, id_of, opt, plan_tagged, refresh, s, sync_tags, tag_map, tag_spec,
    tagged_for, wait_for,
};
use crate::config::{clients, AwsClients};
use crate::error;
use crate::tags;
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    ConnectivityType, NatGateway as ApiGateway, NatGatewayState, ResourceType,
};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, OpContext, PlannedState, ProviderError, Resource, Schema};
use std::sync::OnceLock;
use std::time::Duration;

pub struct NatGateway;

const CREATE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        let str_c = || AttrSchema::computed(Type::String);
        Schema::new()
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
            .attr(
                "tags",
                AttrSchema::optional(Type::Map(Box::new(Type::String))),
            )
            .attr(
                "tags_all",
                AttrSchema::computed(Type::Map(Box::new(Type::String))),
            )
            .attr("id", str_c())
            .attr("network_interface_id", str_c())
            .attr("public_ip", str_c())
            .attr("association_id", str_c())
    })
}

fn from_api(c: &AwsClients, g: &ApiGateway, base: &Value) -> Value {
    let actual = tag_map(g.tags());
    let addrs = g.nat_gateway_addresses();
    let primary = addrs
        .iter()
        .find(|a| a.is_primary() == Some(true))
        .or_else(|| addrs.first());
    let mut m = base.as_map().cloned().unwrap_or_default();
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
    tags::set_attrs(&mut m, base, &actual, &c.default_tags);
    Value::Map(m)
}

/// Gateways by id; deleted ones are left out (AWS keeps showing them for a while).
async fn describe(c: &AwsClients, ids: Vec<String>) -> Result<Vec<ApiGateway>, ProviderError> {
    let out = c
        .ec2
        .describe_nat_gateways()
        .filter(filter("nat-gateway-id", ids))
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

/// A live gateway an interrupted create already made, found by its address tag.
async fn find_by_address(
    c: &AwsClients,
    address: &str,
) -> Result<Option<ApiGateway>, ProviderError> {
    let out = c
        .ec2
        .describe_nat_gateways()
        .filter(filter(
            &format!("tag:{}", tags::ADDRESS_TAG),
            [address.to_string()],
        ))
        .filter(filter(
            "state",
            ["pending".to_string(), "available".to_string()],
        ))
        .send()
        .await
        .map_err(|e| error::sdk("ec2:DescribeNatGateways", e))?;
    Ok(out
        .nat_gateways()
        .iter()
        .find(|g| tagged_for(g.tags(), address))
        .cloned())
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
impl Resource for NatGateway {
    fn type_name(&self) -> &'static str {
        "aws_nat_gateway"
    }

    fn schema(&self) -> &Schema {
        schema()
    }

    fn plan(&self, prior: Option<&Value>, proposed: Value) -> PlannedState {
        plan_tagged(self.schema(), prior, proposed)
    }

    async fn create(&self, ctx: &OpContext<'_>, planned: &Value) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        // The client token makes a repeated create (after a crash) return the same gateway;
        // the address tag finds it too where tokens have expired (or are not honoured).
        let mut token = client_token(ctx.address, planned);
        let existing = if ctx.recovering {
            find_by_address(c, ctx.address).await?
        } else {
            None
        };
        let mut g = match existing {
            Some(g) => g,
            None => create_call(c, planned, ctx.address, token.clone()).await?,
        };
        for _ in 0..3 {
            if !matches!(
                g.state(),
                Some(NatGatewayState::Deleting | NatGatewayState::Deleted)
            ) {
                break;
            }
            // A stale answer for an earlier, since deleted gateway with the same token.
            token = client_token(
                &format!(
                    "{}\0{}",
                    ctx.address,
                    g.nat_gateway_id().unwrap_or_default()
                ),
                planned,
            );
            g = create_call(c, planned, ctx.address, token.clone()).await?;
        }
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
        Ok(from_api(c, &g, planned))
    }

    async fn import(&self, ctx: &OpContext<'_>, id: &str) -> Result<Value, ProviderError> {
        super::common::import_by_id(self, ctx, id, "ec2:DescribeNatGateways").await
    }

    async fn read_many(
        &self,
        ctx: &OpContext<'_>,
        states: &[Value],
    ) -> Vec<Result<Option<Value>, ProviderError>> {
        refresh(ctx, states, describe, ApiGateway::nat_gateway_id, from_api).await
    }

    async fn update(
        &self,
        ctx: &OpContext<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        let id = id_of(prior)?;
        sync_tags(c, &id, prior, planned).await?;
        let g = describe(c, vec![id.clone()]).await?;
        let g = g.first().ok_or_else(|| {
            ProviderError::new(
                "ec2:DescribeNatGateways",
                format!("NAT gateway {id} not found"),
            )
        })?;
        Ok(from_api(c, g, planned))
    }

    async fn delete(&self, ctx: &OpContext<'_>, state: &Value) -> Result<(), ProviderError> {
        let c = clients(ctx)?;
        // A create that never finished has no id: what it made, if anything, has the tag.
        let id = match s(state, "id") {
            Some(id) => id,
            None => match find_by_address(c, ctx.address).await? {
                Some(g) => g.nat_gateway_id().unwrap_or_default().to_string(),
                None => return Ok(()),
            },
        };
        match c.ec2.delete_nat_gateway().nat_gateway_id(&id).send().await {
            Ok(_) => {}
            Err(e) if error::is_not_found(&e) => return Ok(()),
            Err(e) => return Err(error::sdk("ec2:DeleteNatGateway", e)),
        }
        wait_for(
            &format!("NAT gateway {id} to be deleted"),
            ctx.timeouts.delete.unwrap_or(DELETE_TIMEOUT),
            || {
                let id = id.clone();
                async move { Ok(describe(c, vec![id]).await?.is_empty().then_some(())) }
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2::common::test_clients;
    use aws_sdk_ec2::types::{NatGatewayAddress, Tag};

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
        let v = from_api(&c, &gateway(NatGatewayState::Available), &planned);
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
