//! How a type's tags are written. The create call sends them (with the address tag, so an
//! interrupted create is found again); an update moves them with the service's own calls:
//! EC2's `CreateTags` / `DeleteTags` by id here; IAM's `TagRole` / `UntagRole` by name and
//! the `TagResource` / `UntagResource` of EKS and KMS by ARN are one [`TagApi`] each.

use crate::config::AwsClients;
use crate::error;
use crate::tags::{self, ADDRESS_TAG};
use async_trait::async_trait;
use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use hubctl_core::lang::Value;
use hubctl_core::provider::ProviderError;
use std::collections::BTreeMap;

/// Whether a type has `tags` / `tags_all`, and which calls change them.
#[derive(Clone, Copy)]
pub enum TagStyle {
    None,
    Api(&'static dyn TagApi),
}

impl TagStyle {
    pub fn has_tags(self) -> bool {
        matches!(self, TagStyle::Api(_))
    }

    /// Moves the object's tags from what `prior` configured to what `planned` does, with the
    /// provider's default tags on both sides; only what changed is sent.
    pub async fn sync(
        self,
        c: &AwsClients,
        key: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<(), ProviderError> {
        let TagStyle::Api(api) = self else {
            return Ok(());
        };
        let old = tags::all(&c.default_tags, &tags::user_tags(prior));
        let new = tags::all(&c.default_tags, &tags::user_tags(planned));
        let (set, remove) = tags::changes(&old, &new);
        if set.is_empty() && remove.is_empty() {
            return Ok(());
        }
        api.update(c, key, planned, &set, &remove).await
    }
}

/// One service's tag calls.
#[async_trait]
pub trait TagApi: Send + Sync {
    /// Sets `set` and removes `remove` on the object `key` (whose state is `state`, for
    /// services that tag by ARN).
    async fn update(
        &self,
        c: &AwsClients,
        key: &str,
        state: &Value,
        set: &BTreeMap<String, String>,
        remove: &[String],
    ) -> Result<(), ProviderError>;
}

/// EC2: `CreateTags` / `DeleteTags` on the object's id.
pub struct Ec2Tags;

/// The tag style of every taggable EC2 type.
pub const EC2: TagStyle = TagStyle::Api(&Ec2Tags);

#[async_trait]
impl TagApi for Ec2Tags {
    async fn update(
        &self,
        c: &AwsClients,
        key: &str,
        _state: &Value,
        set: &BTreeMap<String, String>,
        remove: &[String],
    ) -> Result<(), ProviderError> {
        if !remove.is_empty() {
            let mut req = c.ec2.delete_tags().resources(key);
            for k in remove {
                req = req.tags(Tag::builder().key(k).build());
            }
            req.send()
                .await
                .map_err(|e| error::sdk("ec2:DeleteTags", e))?;
        }
        if !set.is_empty() {
            let mut req = c.ec2.create_tags().resources(key);
            for (k, v) in set {
                req = req.tags(Tag::builder().key(k).value(v).build());
            }
            req.send()
                .await
                .map_err(|e| error::sdk("ec2:CreateTags", e))?;
        }
        Ok(())
    }
}

/// EC2 tags as sent on create (`TagSpecifications`).
pub fn ec2_spec(rt: ResourceType, tags: &BTreeMap<String, String>) -> TagSpecification {
    let t = TagSpecification::builder().resource_type(rt);
    t.set_tags(Some(ec2_tags(tags))).build()
}

/// EC2's form of `tags`: for a create answer that does not echo the tags it was sent.
pub fn ec2_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    let tag = |(k, v): (&String, &String)| Tag::builder().key(k).value(v).build();
    tags.iter().map(tag).collect()
}

/// EC2's tags as a map, the address tag included (recovery looks for it).
pub fn ec2_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .collect()
}

/// The tags a user sees: all but the address tag.
pub fn visible(mut tags: BTreeMap<String, String>) -> BTreeMap<String, String> {
    tags.remove(ADDRESS_TAG);
    tags
}

/// Whether `tags` hold the address tag of `address`: the object is the one its create made.
pub fn carries(tags: &super::Tags, address: &str) -> bool {
    tags.get(crate::tags::ADDRESS_TAG).map(String::as_str) == Some(address)
}
