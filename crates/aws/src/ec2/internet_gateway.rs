//! `aws_internet_gateway`.
//!
//! API calls: `CreateInternetGateway` (tags in `TagSpecifications`), `AttachInternetGateway` /
//! `DetachInternetGateway`, `DescribeInternetGateways` (refresh: one call for all gateways,
//! filtered by `internet-gateway-id`), `CreateTags` / `DeleteTags`, `DeleteInternetGateway`.
//! Force-new: nothing. A new `vpc_id` detaches from the old VPC and attaches to the new one
//! in place, as Terraform does.
//! Waiters: after attaching, until the attachment is `available` (create/update timeout,
//! default 20m); detach and delete retry `DependencyViolation` (public addresses still mapped
//! in the VPC, e.g. a NAT gateway's being torn down) until the delete timeout (default 20m).
//! Quirks: an attached gateway reports the attachment state `available`, which is not one of
//! the SDK's `AttachmentStatus` names; a freshly created gateway may briefly be unknown to
//! AttachInternetGateway (`InvalidInternetGatewayID.NotFound`), which is retried.

use super::common::{delete_when_unused, opt, s, tag_spec, wait_for};
use super::tagged::{fetch, read, set_id_and_arn, tagged_schema, Lost, Tagged};
use crate::config::AwsClients;
use crate::error;
use crate::tags;
use async_trait::async_trait;
use aws_sdk_ec2::types::{Filter, InternetGateway as ApiGateway, ResourceType, Tag};
use hubctl_core::lang::{Type, Value, VecMap};
use hubctl_core::provider::{AttrSchema, OpContext, ProviderError, Schema};
use std::sync::OnceLock;
use std::time::Duration;

pub struct InternetGateway;

const TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// The VPC the gateway is attached (or attaching) to.
fn attached_vpc(g: &ApiGateway) -> Option<&str> {
    g.attachments()
        .iter()
        .find(|a| {
            !matches!(
                a.state().map(|s| s.as_str()),
                Some("detached" | "detaching")
            )
        })
        .and_then(|a| a.vpc_id())
}

/// Attaches and waits until the attachment is usable.
async fn attach(
    c: &AwsClients,
    id: &str,
    vpc: &str,
    timeout: Duration,
) -> Result<(), ProviderError> {
    wait_for(
        &format!("internet gateway {id} to attach to {vpc}"),
        timeout,
        || {
            let (id, vpc) = (id.to_string(), vpc.to_string());
            async move {
                match c
                    .ec2
                    .attach_internet_gateway()
                    .internet_gateway_id(&id)
                    .vpc_id(&vpc)
                    .send()
                    .await
                {
                    Ok(_) => Ok(Some(())),
                    Err(e) if error::code(&e) == Some("InvalidInternetGatewayID.NotFound") => {
                        Ok(None)
                    }
                    Err(e) => Err(error::sdk("ec2:AttachInternetGateway", e)),
                }
            }
        },
    )
    .await?;
    wait_for(
        &format!("internet gateway {id} to be attached to {vpc}"),
        timeout,
        || async {
            let g = fetch(&InternetGateway, c, id, Lost::NotFound).await?;
            let ready = g.attachments().iter().any(|a| {
                a.vpc_id() == Some(vpc)
                    && matches!(
                        a.state().map(|s| s.as_str()),
                        Some("available" | "attached")
                    )
            });
            Ok(ready.then_some(()))
        },
    )
    .await
}

/// Detaches, retrying while the VPC still has mapped public addresses; an attachment that
/// is already gone is success.
async fn detach(
    c: &AwsClients,
    id: &str,
    vpc: &str,
    timeout: Duration,
) -> Result<(), ProviderError> {
    let what = format!("internet gateway {id} to detach from {vpc} (DependencyViolation: public addresses are still mapped)");
    wait_for(&what, timeout, || {
        let (id, vpc) = (id.to_string(), vpc.to_string());
        async move {
            match c
                .ec2
                .detach_internet_gateway()
                .internet_gateway_id(id)
                .vpc_id(vpc)
                .send()
                .await
            {
                Ok(_) => Ok(Some(())),
                Err(e)
                    if error::is_not_found(&e)
                        || error::code(&e) == Some("Gateway.NotAttached") =>
                {
                    Ok(Some(()))
                }
                Err(e) if error::code(&e) == Some("DependencyViolation") => Ok(None),
                Err(e) => Err(error::sdk("ec2:DetachInternetGateway", e)),
            }
        }
    })
    .await
}

#[async_trait]
impl Tagged for InternetGateway {
    type Api = ApiGateway;
    const TYPE_NAME: &'static str = "aws_internet_gateway";
    const NOUN: &'static str = "internet gateway";
    const DESCRIBE: &'static str = "ec2:DescribeInternetGateways";
    const ID_FILTER: &'static str = "internet-gateway-id";

    fn schema(&self) -> &'static Schema {
        static S: OnceLock<Schema> = OnceLock::new();
        S.get_or_init(|| {
            tagged_schema()
                .attr("vpc_id", AttrSchema::optional(Type::String))
                .attr("arn", AttrSchema::computed(Type::String))
                .attr("owner_id", AttrSchema::computed(Type::String))
        })
    }

    fn id(x: &ApiGateway) -> Option<&str> {
        x.internet_gateway_id()
    }

    fn tags(x: &ApiGateway) -> &[Tag] {
        x.tags()
    }

    /// The attributes AWS reports (tags aside).
    fn attrs(c: &AwsClients, g: &ApiGateway, m: &mut VecMap<String, Value>) {
        let id = g.internet_gateway_id().unwrap_or_default();
        let owner = set_id_and_arn(c, m, "internet-gateway", id, g.owner_id(), None);
        m.insert("owner_id".into(), Value::String(owner));
        m.insert("vpc_id".into(), opt(attached_vpc(g)));
    }

    async fn describe(
        &self,
        c: &AwsClients,
        filters: Vec<Filter>,
    ) -> Result<Vec<ApiGateway>, ProviderError> {
        let out = c
            .ec2
            .describe_internet_gateways()
            .set_filters(Some(filters))
            .send()
            .await
            .map_err(|e| error::sdk("ec2:DescribeInternetGateways", e))?;
        Ok(out.internet_gateways().to_vec())
    }

    async fn create(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        planned: &Value,
    ) -> Result<ApiGateway, ProviderError> {
        let t = tags::for_create(&c.default_tags, planned, ctx.address);
        let out = c
            .ec2
            .create_internet_gateway()
            .tag_specifications(tag_spec(ResourceType::InternetGateway, &t))
            .send()
            .await
            .map_err(|e| error::sdk("ec2:CreateInternetGateway", e))?;
        out.internet_gateway().cloned().ok_or_else(|| {
            ProviderError::new(
                "ec2:CreateInternetGateway",
                "the response has no internet gateway",
            )
        })
    }

    /// Attaches to `vpc_id` (a recovered gateway may be attached elsewhere: detached first).
    async fn finish_create(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        planned: &Value,
        g: ApiGateway,
    ) -> Result<Value, ProviderError> {
        let id = g.internet_gateway_id().unwrap_or_default().to_string();
        let want = s(planned, "vpc_id");
        let timeout = ctx.timeouts.create.unwrap_or(TIMEOUT);
        if let Some(old) = attached_vpc(&g).filter(|v| Some(*v) != want.as_deref()) {
            detach(c, &id, old, timeout).await?;
        }
        if let Some(vpc) = want.as_deref().filter(|v| Some(*v) != attached_vpc(&g)) {
            attach(c, &id, vpc, timeout).await?;
        }
        let g = fetch(self, c, &id, Lost::NotFound).await?;
        Ok(InternetGateway::from_api(c, &g, planned))
    }

    /// A new `vpc_id` moves the gateway: detach from the old VPC, attach to the new one.
    async fn update_attrs(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        id: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<(), ProviderError> {
        let (old, new) = (s(prior, "vpc_id"), s(planned, "vpc_id"));
        if old != new {
            let timeout = ctx.timeouts.update.unwrap_or(TIMEOUT);
            if let Some(old) = &old {
                detach(c, id, old, timeout).await?;
            }
            if let Some(new) = &new {
                attach(c, id, new, timeout).await?;
            }
        }
        Ok(())
    }

    async fn delete(
        &self,
        c: &AwsClients,
        ctx: &OpContext<'_>,
        id: &str,
    ) -> Result<(), ProviderError> {
        let timeout = ctx.timeouts.delete.unwrap_or(TIMEOUT);
        // Detach from whatever AWS says it is attached to, not only what state recorded.
        let attached = match read(self, c, id).await? {
            Some(g) => attached_vpc(&g).map(str::to_string),
            None => return Ok(()),
        };
        if let Some(vpc) = attached {
            detach(c, id, &vpc, timeout).await?;
        }
        let what = format!(
            "internet gateway {id} to be deleted (DependencyViolation: it is still in use)"
        );
        delete_when_unused("ec2:DeleteInternetGateway", &what, timeout, || {
            c.ec2
                .delete_internet_gateway()
                .internet_gateway_id(id)
                .send()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2::common::test_clients;
    use aws_sdk_ec2::types::{AttachmentStatus, InternetGatewayAttachment};

    fn gateway(attachments: &[(&str, &str)]) -> ApiGateway {
        let mut g = ApiGateway::builder()
            .internet_gateway_id("igw-1")
            .owner_id("123456789012")
            .tags(Tag::builder().key("Name").value("hub").build())
            .tags(
                Tag::builder()
                    .key(tags::ADDRESS_TAG)
                    .value("aws_internet_gateway.this")
                    .build(),
            );
        for (vpc, state) in attachments {
            g = g.attachments(
                InternetGatewayAttachment::builder()
                    .vpc_id(*vpc)
                    .state(AttachmentStatus::from(*state))
                    .build(),
            );
        }
        g.build()
    }

    #[test]
    fn attached_gateway_reports_its_vpc() {
        let c = test_clients(Default::default());
        let v = InternetGateway::from_api(
            &c,
            &gateway(&[("vpc-1", "available")]),
            &Value::map([("tags", Value::Null)]),
        );
        assert_eq!(s(&v, "vpc_id").as_deref(), Some("vpc-1"));
        assert_eq!(
            s(&v, "arn").as_deref(),
            Some("arn:aws:ec2:us-east-1:123456789012:internet-gateway/igw-1")
        );
        assert_eq!(
            v.get_attr("tags"),
            Some(&Value::map([("Name", Value::from("hub"))]))
        );
        assert_eq!(
            v.get_attr("tags_all"),
            Some(&Value::map([("Name", Value::from("hub"))]))
        );
    }

    #[test]
    fn detached_gateway_has_no_vpc() {
        let c = test_clients(Default::default());
        let v = InternetGateway::from_api(
            &c,
            &gateway(&[("vpc-1", "detached")]),
            &Value::map([("tags", Value::Null)]),
        );
        assert_eq!(v.get_attr("vpc_id"), Some(&Value::Null));
        assert_eq!(attached_vpc(&gateway(&[])), None);
        assert_eq!(
            attached_vpc(&gateway(&[("vpc-1", "detaching"), ("vpc-2", "attaching")])),
            Some("vpc-2")
        );
    }

    #[test]
    fn moving_to_another_vpc_is_an_in_place_update() {
        let c = test_clients(Default::default());
        let prior = InternetGateway::from_api(
            &c,
            &gateway(&[("vpc-1", "available")]),
            &Value::map([("tags", Value::Null)]),
        );
        let mut proposed = prior.clone();
        if let Some(m) = proposed.as_map_mut() {
            m.insert("vpc_id".into(), Value::from("vpc-2"));
        }
        let p = InternetGateway.plan(Some(&prior), proposed);
        assert!(p.requires_replace.is_empty());
        assert_eq!(s(&p.planned, "vpc_id").as_deref(), Some("vpc-2"));
    }
}
