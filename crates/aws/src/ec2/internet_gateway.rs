//! `aws_internet_gateway`.
//!
//! API calls: `CreateInternetGateway` (tags in `TagSpecifications`), `AttachInternetGateway` /
//! `DetachInternetGateway`, `DescribeInternetGateways` (refresh: one call per 200 gateways,
//! filtered by `internet-gateway-id`), `CreateTags` / `DeleteTags`, `DeleteInternetGateway`.
//! Force-new: nothing. A new `vpc_id` detaches from the old VPC and attaches to the new one
//! in place, as Terraform does.
//! Waiters: after attaching, until the attachment is `available` (create/update timeout,
//! default 20m); detach and delete retry `DependencyViolation` (public addresses still mapped
//! in the VPC, e.g. a NAT gateway's being torn down) until the delete timeout (default 20m).
//! Quirks: an attached gateway reports the attachment state `available`, which is not one of
//! the SDK's `AttachmentStatus` names; a freshly created gateway may briefly be unknown to
//! AttachInternetGateway (`InvalidInternetGatewayID.NotFound`), which is retried; a retried
//! attach whose first answer was lost meets `Resource.AlreadyAssociated`, which is success
//! when the gateway is attached to the wanted VPC.

use super::common::{answer, arn, delete_when_unused, filters, owner, pages};
use crate::config::AwsClients;
use crate::error;
use crate::managed::tags::{ec2_map, ec2_spec, EC2};
use crate::managed::{computed_str, created, fetch, opt, optional_str, read_one, wait_for};
use crate::managed::{field_table, Field, Lookup, Managed, Op, TagStyle, Tags};
use async_trait::async_trait;
use aws_sdk_ec2::types::{InternetGateway as Api, ResourceType};
use hubctl_core::lang::Value;
use hubctl_core::provider::ProviderError;
use std::time::Duration;

pub struct InternetGateway;

const TIMEOUT: Duration = Duration::from_secs(20 * 60);

field_table! { Api;
    ID = api("id", computed_str, |_, g| opt(g.internet_gateway_id()));
    ARN = api("arn", computed_str, |c, g| {
        arn(c, "internet-gateway", g.internet_gateway_id(), g.owner_id())
    });
    OWNER = api("owner_id", computed_str, |c, g| owner(c, g.owner_id()));
    VPC = api("vpc_id", optional_str, |_, g| opt(attached_vpc(g)));
}

/// The VPC the gateway is attached (or attaching) to.
fn attached_vpc(g: &Api) -> Option<&str> {
    let live = |s: Option<&str>| !matches!(s, Some("detached" | "detaching"));
    let mut attached = g.attachments().iter();
    attached
        .find(|a| live(a.state().map(|s| s.as_str())))
        .and_then(|a| a.vpc_id())
}

/// Attaches and waits until the attachment is usable; the gateway as then read.
async fn attach(c: &Op<'_>, id: &str, vpc: &str, timeout: Duration) -> Result<Api, ProviderError> {
    let what = format!("internet gateway {id} to attach to {vpc}");
    wait_for(c.ctx, &what, timeout, || async {
        let req = c.ec2.attach_internet_gateway().internet_gateway_id(id);
        match req.vpc_id(vpc).send().await {
            Ok(_) => Ok(Some(())),
            Err(e) if error::code(&e) == Some("InvalidInternetGatewayID.NotFound") => Ok(None),
            // A retried attach whose first answer was lost: done, if it is to this VPC.
            Err(e) if error::code(&e) == Some("Resource.AlreadyAssociated") => {
                let g = fetch(&InternetGateway, c, id).await?;
                match attached_vpc(&g) == Some(vpc) {
                    true => Ok(Some(())),
                    false => Err(error::sdk("ec2:AttachInternetGateway", e)),
                }
            }
            Err(e) => Err(error::sdk("ec2:AttachInternetGateway", e)),
        }
    })
    .await?;
    let what = format!("internet gateway {id} to be attached to {vpc}");
    wait_for(c.ctx, &what, timeout, || async {
        let g = fetch(&InternetGateway, c, id).await?;
        let ready = g.attachments().iter().any(|a| {
            let state = a.state().map(|s| s.as_str());
            a.vpc_id() == Some(vpc) && matches!(state, Some("available" | "attached"))
        });
        Ok(ready.then_some(g))
    })
    .await
}

/// Detaches, retrying while the VPC still has mapped public addresses; an attachment that
/// is already gone is success.
async fn detach(c: &Op<'_>, id: &str, vpc: &str, timeout: Duration) -> Result<(), ProviderError> {
    let what = format!("internet gateway {id} to detach from {vpc} (DependencyViolation: public addresses are still mapped)");
    wait_for(c.ctx, &what, timeout, || async {
        let req = c.ec2.detach_internet_gateway().internet_gateway_id(id);
        match req.vpc_id(vpc).send().await {
            Ok(_) => Ok(Some(())),
            Err(e) if error::is_not_found("ec2", &e) => Ok(Some(())),
            Err(e) if error::code(&e) == Some("Gateway.NotAttached") => Ok(Some(())),
            Err(e) if error::code(&e) == Some("DependencyViolation") => Ok(None),
            Err(e) => Err(error::sdk("ec2:DetachInternetGateway", e)),
        }
    })
    .await
}

/// Moves the gateway from VPC `old` to `new` (either may be none); the gateway as read
/// once attached to `new`.
async fn reattach(
    c: &Op<'_>,
    id: &str,
    (old, new): (Option<&str>, Option<&str>),
    timeout: Duration,
) -> Result<Option<Api>, ProviderError> {
    if old == new {
        return Ok(None);
    }
    if let Some(old) = old {
        detach(c, id, old, timeout).await?;
    }
    match new {
        Some(new) => attach(c, id, new, timeout).await.map(Some),
        None => Ok(None),
    }
}

#[async_trait]
impl Managed for InternetGateway {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_internet_gateway";
    const NOUN: &'static str = "internet gateway";
    const DESCRIBE: &'static str = "ec2:DescribeInternetGateways";
    const TAGS: TagStyle = EC2;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        x.internet_gateway_id().map(str::to_string)
    }

    fn tags(x: &Api) -> Tags {
        ec2_map(x.tags())
    }

    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        let f = Some(filters(by, "internet-gateway-id"));
        let req = || c.ec2.describe_internet_gateways().set_filters(f.clone());
        pages(Self::DESCRIBE, |t| req().set_next_token(t).send()).await
    }

    async fn create(&self, c: &Op<'_>, _: &Value, tags: &Tags) -> Result<Api, ProviderError> {
        let spec = ec2_spec(ResourceType::InternetGateway, tags);
        let req = c.ec2.create_internet_gateway().tag_specifications(spec);
        let out = answer("ec2:CreateInternetGateway", req.send().await)?;
        created::<Self>("ec2:CreateInternetGateway", out.internet_gateway())
    }

    /// Attaches to `vpc_id` (a recovered gateway may be attached elsewhere: detached first).
    async fn finish_create(
        &self,
        c: &Op<'_>,
        planned: &Value,
        g: Api,
    ) -> Result<Api, ProviderError> {
        let id = g.internet_gateway_id().unwrap_or_default().to_string();
        let (have, want) = (attached_vpc(&g), VPC.str(planned));
        if have == want.as_deref() {
            return Ok(g);
        }
        let timeout = c.ctx.timeouts.create.unwrap_or(TIMEOUT);
        match reattach(c, &id, (have, want.as_deref()), timeout).await? {
            Some(attached) => Ok(attached),
            None => fetch(self, c, &id).await,
        }
    }

    /// A new `vpc_id` moves the gateway: detach from the old VPC, attach to the new one.
    async fn update_attrs(
        &self,
        c: &Op<'_>,
        id: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        let (old, new) = (VPC.str(prior), VPC.str(planned));
        let timeout = c.ctx.timeouts.update.unwrap_or(TIMEOUT);
        reattach(c, id, (old.as_deref(), new.as_deref()), timeout).await?;
        Ok(None)
    }

    async fn delete(&self, c: &Op<'_>, id: &str) -> Result<(), ProviderError> {
        let timeout = c.ctx.timeouts.delete.unwrap_or(TIMEOUT);
        // Detach from whatever AWS says it is attached to, not only what state recorded.
        let Some(g) = read_one(self, c, id).await? else {
            return Ok(());
        };
        if let Some(vpc) = attached_vpc(&g) {
            detach(c, id, vpc, timeout).await?;
        }
        let what = format!(
            "internet gateway {id} to be deleted (DependencyViolation: it is still in use)"
        );
        let req = || c.ec2.delete_internet_gateway().internet_gateway_id(id);
        let op = "ec2:DeleteInternetGateway";
        delete_when_unused(c.ctx, op, &what, timeout, || req().send()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2::common::{s, test_clients};
    use crate::managed::{assert_read_matches_schema, from_api, schema_for};
    use crate::tags;
    use aws_sdk_ec2::types::Tag;
    use aws_sdk_ec2::types::{AttachmentStatus, InternetGatewayAttachment};

    fn gateway(attachments: &[(&str, &str)]) -> Api {
        let mut g = Api::builder()
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
    fn read_returns_exactly_the_schema() {
        assert_read_matches_schema(InternetGateway, &gateway(&[("vpc-1", "available")]));
    }

    #[test]
    fn attached_gateway_reports_its_vpc() {
        let c = test_clients(Default::default());
        let v = from_api(
            &InternetGateway,
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
        let v = from_api(
            &InternetGateway,
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
        let prior = from_api(
            &InternetGateway,
            &c,
            &gateway(&[("vpc-1", "available")]),
            &Value::map([("tags", Value::Null)]),
        );
        let mut proposed = prior.clone();
        if let Some(m) = proposed.as_map_mut() {
            m.insert("vpc_id".into(), Value::from("vpc-2"));
        }
        let p = InternetGateway.plan(&schema_for::<InternetGateway>(), Some(&prior), proposed);
        assert!(p.requires_replace.is_empty());
        assert_eq!(s(&p.planned, "vpc_id").as_deref(), Some("vpc-2"));
    }
}
