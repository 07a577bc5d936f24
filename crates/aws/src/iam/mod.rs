//! IAM resource types and data sources (roles, policies, attachments, the OIDC provider,
//! `aws_iam_policy_document`), on the managed-resource adapter. IAM has no batched Describe:
//! a refresh asks for each object by name or ARN, concurrently ([`each`]). Named types are
//! found again after an interrupted create by their name.

mod attachment;
mod data;
mod oidc;
mod policy;
pub mod policy_document;
mod policy_model;
mod role;
mod role_policy;
pub mod snapshot;

use crate::config::AwsClients;
use crate::managed::tags::{TagApi, TagStyle};
use crate::managed::Tags;
use async_trait::async_trait;
use aws_sdk_iam::types::Tag;
use hubctl_core::lang::Value;
use hubctl_core::provider::{DataSource, Invalid, ProviderError, Resource};
use std::future::Future;
use std::sync::Arc;

use crate::managed::Adapter;

/// One line per resource type.
pub fn resources() -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(Adapter::new(role::Role)),
        Arc::new(Adapter::new(policy::Policy)),
        Arc::new(Adapter::new(role_policy::RolePolicy)),
        Arc::new(Adapter::new(attachment::Attachment)),
        Arc::new(Adapter::new(oidc::OidcProvider)),
    ]
}

/// One line per data source.
pub fn data_sources() -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(policy_document::PolicyDocument),
        Arc::new(data::CallerIdentity),
        Arc::new(data::Partition),
        Arc::new(data::PolicyData),
        Arc::new(data::RoleData),
    ]
}

/// Looks up each key with `get` (one call per key, all at once); a key whose object is gone
/// (`NotFound`, or `Ok(None)`) is left out.
pub async fn each<T, F, Fut>(keys: &[String], get: F) -> Result<Vec<T>, ProviderError>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<Option<T>, ProviderError>>,
{
    let all = futures_util::future::join_all(keys.iter().map(|k| get(k.clone()))).await;
    let mut out = Vec::new();
    for r in all {
        match r {
            Ok(Some(x)) => out.push(x),
            Ok(None) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Tags in IAM's shape.
pub fn iam_tags(tags: &Tags) -> Vec<Tag> {
    let t = |(k, v): (&String, &String)| Tag::builder().key(k).value(v).build().ok();
    tags.iter().filter_map(t).collect()
}

/// IAM's tags as a map.
pub fn tag_map(tags: &[Tag]) -> Tags {
    tags.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

/// A generated name, as the Terraform provider makes one: the prefix (default `terraform-`)
/// and a UTC timestamp with a counter, so two names made in one run differ.
pub fn unique_name(prefix: Option<&str>) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(1);
    let now = humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string();
    let digits: String = now.chars().filter(char::is_ascii_digit).collect();
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!("{}{digits}{n:08}", prefix.unwrap_or("terraform-"))
}

/// The name to create with: `name`, else one made from `name_prefix`.
pub fn name_or_prefix(planned: &Value) -> String {
    let s = |k: &str| {
        planned
            .get_attr(k)
            .and_then(|v| v.peel().as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    s("name").unwrap_or_else(|| unique_name(s("name_prefix").as_deref()))
}

/// `name_prefix`: optional, and computed as in the Terraform provider, so a state imported
/// from Terraform (which records `""` or the prefix it derived) is no diff.
pub fn name_prefix_schema() -> hubctl_core::provider::AttrSchema {
    hubctl_core::provider::AttrSchema::optional_computed(hubctl_core::lang::Type::String)
        .force_new()
}

/// A read that keeps the planned or prior value where it is known, else null: for
/// arguments AWS does not report (`name_prefix`).
pub fn keep_known<A>(_: &AwsClients, _: &A, base: &Value, name: &str) -> Value {
    match base.get_attr(name) {
        Some(v) if v.is_wholly_known() => v.clone(),
        _ => Value::Null,
    }
}

/// `name` and `name_prefix` exclude each other (Terraform's ConflictsWith).
pub fn name_rules(config: &Value) -> Vec<Invalid> {
    hubctl_core::provider::validate::conflicts_with(config, "name", "name_prefix")
        .into_iter()
        .collect()
}

/// The whole account's ARN prefix, `arn:<partition>:iam::<account>:`.
pub fn iam_arn(c: &AwsClients, rest: &str) -> String {
    let account = c.account_id.as_deref().unwrap_or_default();
    format!("arn:{}:iam::{account}:{rest}", partition_of(&c.region))
}

/// The partition of a region (`aws`, `aws-cn`, `aws-us-gov`).
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// A role's tags: `TagRole` / `UntagRole` by name.
pub struct RoleTags;

/// A customer managed policy's tags: `TagPolicy` / `UntagPolicy` by ARN.
pub struct PolicyTags;

/// An OIDC provider's tags, by ARN.
pub struct OidcTags;

pub const ROLE_TAGS: TagStyle = TagStyle::Api(&RoleTags);
pub const POLICY_TAGS: TagStyle = TagStyle::Api(&PolicyTags);
pub const OIDC_TAGS: TagStyle = TagStyle::Api(&OidcTags);

/// Sends an untag and a tag call where each has something to do.
macro_rules! tag_calls {
    ($c:expr, $set:expr, $remove:expr, $untag:ident($($u:tt)*), $tag:ident($($t:tt)*), $uop:literal, $top:literal) => {{
        if !$remove.is_empty() {
            let r = $c.iam.$untag()$($u)*.set_tag_keys(Some($remove.to_vec())).send().await;
            crate::ec2::answer($uop, r)?;
        }
        if !$set.is_empty() {
            let r = $c.iam.$tag()$($t)*.set_tags(Some(iam_tags($set))).send().await;
            crate::ec2::answer($top, r)?;
        }
        Ok(())
    }};
}

#[async_trait]
impl TagApi for RoleTags {
    async fn update(
        &self,
        c: &AwsClients,
        key: &str,
        _: &Value,
        set: &Tags,
        remove: &[String],
    ) -> Result<(), ProviderError> {
        tag_calls!(c, set, remove, untag_role(.role_name(key)), tag_role(.role_name(key)),
            "iam:UntagRole", "iam:TagRole")
    }
}

#[async_trait]
impl TagApi for PolicyTags {
    async fn update(
        &self,
        c: &AwsClients,
        key: &str,
        _: &Value,
        set: &Tags,
        remove: &[String],
    ) -> Result<(), ProviderError> {
        tag_calls!(c, set, remove, untag_policy(.policy_arn(key)), tag_policy(.policy_arn(key)),
            "iam:UntagPolicy", "iam:TagPolicy")
    }
}

#[async_trait]
impl TagApi for OidcTags {
    async fn update(
        &self,
        c: &AwsClients,
        key: &str,
        _: &Value,
        set: &Tags,
        remove: &[String],
    ) -> Result<(), ProviderError> {
        tag_calls!(c, set, remove,
            untag_open_id_connect_provider(.open_id_connect_provider_arn(key)),
            tag_open_id_connect_provider(.open_id_connect_provider_arn(key)),
            "iam:UntagOpenIDConnectProvider", "iam:TagOpenIDConnectProvider")
    }
}

/// Refuses an argument hubctl does not implement, at its location, with the reason.
pub fn refuse_set(config: &Value, name: &str, why: &str) -> Option<Invalid> {
    let v = config.get_attr(name)?;
    let empty = v.is_null() || v.as_seq().is_some_and(<[Value]>::is_empty);
    (!empty).then(|| Invalid::at(&[name], "Unsupported argument", why))
}
