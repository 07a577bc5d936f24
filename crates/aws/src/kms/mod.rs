//! KMS resource types: `aws_kms_key` and `aws_kms_alias`, on the managed-resource adapter.

mod alias;
mod key;

use crate::config::AwsClients;
use crate::managed::tags::{TagApi, TagStyle};
use crate::managed::{Adapter, Tags};
use async_trait::async_trait;
use aws_sdk_kms::types::Tag;
use hubctl_core::lang::Value;
use hubctl_core::provider::{ProviderError, Resource};
use std::sync::Arc;

/// One line per resource type.
pub fn resources() -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(Adapter::new(key::Key)),
        Arc::new(Adapter::new(alias::Alias)),
    ]
}

/// KMS tags: `TagResource` / `UntagResource` on the key id.
pub struct KmsTags;

pub const KMS_TAGS: TagStyle = TagStyle::Api(&KmsTags);

/// Tags in KMS's shape.
pub fn kms_tags(tags: &Tags) -> Vec<Tag> {
    let t = |(k, v): (&String, &String)| Tag::builder().tag_key(k).tag_value(v).build().ok();
    tags.iter().filter_map(t).collect()
}

#[async_trait]
impl TagApi for KmsTags {
    async fn update(
        &self,
        c: &AwsClients,
        key: &str,
        _: &Value,
        set: &Tags,
        remove: &[String],
    ) -> Result<(), ProviderError> {
        if !remove.is_empty() {
            let req = c
                .kms
                .untag_resource()
                .key_id(key)
                .set_tag_keys(Some(remove.to_vec()));
            crate::ec2::answer("kms:UntagResource", req.send().await)?;
        }
        if !set.is_empty() {
            let req = c
                .kms
                .tag_resource()
                .key_id(key)
                .set_tags(Some(kms_tags(set)));
            crate::ec2::answer("kms:TagResource", req.send().await)?;
        }
        Ok(())
    }
}
