//! `aws_kms_key`.
//!
//! API calls: `CreateKey` (tags included), `EnableKeyRotation` / `DisableKeyRotation`,
//! `EnableKey` / `DisableKey`, `PutKeyPolicy`, `UpdateKeyDescription`, `DescribeKey` +
//! `GetKeyRotationStatus` + `GetKeyPolicy` + `ListResourceTags` (refresh: per key, all at
//! once), `TagResource` / `UntagResource`, `ScheduleKeyDeletion` (the delete: AWS keeps the
//! key `deletion_window_in_days` days, 30 by default, then deletes it).
//! Force-new: `key_usage`, `customer_master_key_spec`, `multi_region`.
//! Identity: the key id AWS assigns; an interrupted create is found by its address tag
//! (`ListKeys` + `ListResourceTags`).
//! A key pending deletion reads as gone, as in the Terraform provider.

use super::{kms_tags, KMS_TAGS};
use crate::config::AwsClients;
use crate::ec2::{answer, gone};
use crate::iam::each;
use crate::managed::refresh::paged;
use crate::managed::{computed_str, field_table, opt, optional_bool, Field, Lookup, Managed, Op};
use crate::managed::{TagStyle, Tags};
use crate::tags::ADDRESS_TAG;
use async_trait::async_trait;
use aws_sdk_kms::types::{KeyMetadata, KeySpec, KeyState, KeyUsageType};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, Invalid, ProviderError};

pub struct Key;

/// A key as the four read calls describe it.
#[derive(Clone, Debug)]
pub struct Api {
    pub meta: KeyMetadata,
    pub rotation: bool,
    pub policy: Option<String>,
    pub tags: Tags,
}

fn optional_str_default(v: &'static str) -> AttrSchema {
    AttrSchema::optional(Type::String)
        .default(Value::from(v))
        .force_new()
}

field_table! { Api;
    ID = api("id", computed_str, |_, x| Value::from(x.meta.key_id()));
    KEY_ID = api("key_id", computed_str, |_, x| Value::from(x.meta.key_id()));
    ARN = api("arn", computed_str, |_, x| opt(x.meta.arn()));
    DESCRIPTION = api("description", || AttrSchema::optional_computed(Type::String),
        |_, x| Value::from(x.meta.description().unwrap_or_default()));
    USAGE = api("key_usage", || optional_str_default("ENCRYPT_DECRYPT"),
        |_, x| opt(x.meta.key_usage().map(|u| u.as_str())));
    SPEC = api("customer_master_key_spec", || optional_str_default("SYMMETRIC_DEFAULT"),
        |_, x| opt(x.meta.key_spec().map(|u| u.as_str())));
    ROTATION = api("enable_key_rotation", || optional_bool(false), |_, x| Value::Bool(x.rotation));
    ENABLED = api("is_enabled", || optional_bool(true), |_, x| Value::Bool(x.meta.enabled()));
    MULTI_REGION = api("multi_region", || AttrSchema::optional_computed(Type::Bool).force_new(),
        |_, x| Value::Bool(x.meta.multi_region().unwrap_or(false)));
    POLICY = policy("policy", || AttrSchema::optional_computed(Type::String), |x| x.policy.as_deref());
    WINDOW = kept("deletion_window_in_days", || AttrSchema::optional(Type::Number));
    BYPASS = kept("bypass_policy_lockout_safety_check", || optional_bool(false));
}

/// The key `id`, unless it is gone or pending deletion.
async fn get(c: &AwsClients, id: String) -> Result<Option<Api>, ProviderError> {
    // All four at once: the other three need only the id. Their answers count only when
    // DescribeKey finds the key usable (a key pending deletion or gone refuses them, and
    // is no object to read).
    let describe = c.kms.describe_key().key_id(&id).send();
    let rotation = c.kms.get_key_rotation_status().key_id(&id).send();
    let policy = c
        .kms
        .get_key_policy()
        .key_id(&id)
        .policy_name("default")
        .send();
    let tags = c.kms.list_resource_tags().key_id(&id).send();
    let (described, rotation, policy, tags) = tokio::join!(describe, rotation, policy, tags);
    let Some(meta) = answer("kms:DescribeKey", described)?
        .key_metadata()
        .cloned()
    else {
        return Ok(None);
    };
    if matches!(meta.key_state(), Some(KeyState::PendingDeletion)) {
        return Ok(None);
    }
    let rotation = answer("kms:GetKeyRotationStatus", rotation)?.key_rotation_enabled();
    let policy = answer("kms:GetKeyPolicy", policy)?
        .policy()
        .map(str::to_string);
    let out = answer("kms:ListResourceTags", tags)?;
    let tags = out.tags().iter();
    let tags = tags
        .map(|t| (t.tag_key().to_string(), t.tag_value().to_string()))
        .collect();
    Ok(Some(Api {
        meta,
        rotation,
        policy,
        tags,
    }))
}

async fn set_rotation(c: &AwsClients, id: &str, on: bool) -> Result<(), ProviderError> {
    if on {
        answer(
            "kms:EnableKeyRotation",
            c.kms.enable_key_rotation().key_id(id).send().await,
        )?;
    } else {
        answer(
            "kms:DisableKeyRotation",
            c.kms.disable_key_rotation().key_id(id).send().await,
        )?;
    }
    Ok(())
}

async fn set_enabled(c: &AwsClients, id: &str, on: bool) -> Result<(), ProviderError> {
    if on {
        answer("kms:EnableKey", c.kms.enable_key().key_id(id).send().await)?;
    } else {
        answer(
            "kms:DisableKey",
            c.kms.disable_key().key_id(id).send().await,
        )?;
    }
    Ok(())
}

/// The ids of every key of the account (for the address-tag lookup of a recovery).
async fn all_keys(c: &AwsClients) -> Result<Vec<String>, ProviderError> {
    paged(|marker| {
        let req = c.kms.list_keys().set_marker(marker);
        async move {
            let out = answer("kms:ListKeys", req.send().await)?;
            let ids = out
                .keys()
                .iter()
                .filter_map(|k| k.key_id().map(str::to_string));
            let next = out
                .truncated()
                .then(|| out.next_marker().map(str::to_string))
                .flatten();
            Ok((ids.collect::<Vec<_>>(), next))
        }
    })
    .await
}

#[async_trait]
impl Managed for Key {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_kms_key";
    const NOUN: &'static str = "KMS key";
    const DESCRIBE: &'static str = "kms:DescribeKey";
    const TAGS: TagStyle = KMS_TAGS;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        Some(x.meta.key_id().to_string())
    }

    fn tags(x: &Api) -> Tags {
        x.tags.clone()
    }

    /// Terraform's range for the deletion window: 7 to 30 days.
    fn validate(&self, config: &Value) -> Vec<Invalid> {
        match WINDOW.get(config).and_then(Value::as_number) {
            Some(d) if !(7.0..=30.0).contains(&d) => vec![Invalid::at(
                &["deletion_window_in_days"],
                "Invalid value",
                format!("expected deletion_window_in_days to be in the range (7 - 30), got {d}"),
            )],
            _ => Vec::new(),
        }
    }

    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        match by {
            Lookup::Keys(keys) => each(keys, |k| get(c, k)).await,
            Lookup::AddressTag(address) => {
                let found = each(&all_keys(c).await?, |k| get(c, k)).await?;
                let ours = |x: &Api| x.tags.get(ADDRESS_TAG).map(String::as_str) == Some(address);
                Ok(found.into_iter().filter(ours).collect())
            }
        }
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, tags: &Tags) -> Result<Api, ProviderError> {
        let req = c.kms.create_key().set_description(DESCRIPTION.str(planned));
        let req = req.set_key_usage(USAGE.str(planned).map(|u| KeyUsageType::from(u.as_str())));
        let req = req.set_key_spec(SPEC.str(planned).map(|u| KeySpec::from(u.as_str())));
        let req = req
            .set_policy(POLICY.str(planned))
            .set_multi_region(MULTI_REGION.bool(planned));
        let req = req.set_bypass_policy_lockout_safety_check(BYPASS.bool(planned));
        let req = req.set_tags(Some(kms_tags(tags)));
        let out = answer("kms:CreateKey", req.send().await)?;
        let meta = out.key_metadata().cloned();
        let meta =
            meta.ok_or_else(|| ProviderError::new("kms:CreateKey", "the response has no key"))?;
        // The answer's metadata and what was sent: a new key does not rotate.
        Ok(Api {
            meta,
            rotation: false,
            policy: POLICY.str(planned),
            tags: tags.clone(),
        })
    }

    /// Rotation and the disabled state, which CreateKey cannot set; the default policy
    /// KMS gave a key created without one.
    async fn finish_create(
        &self,
        c: &Op<'_>,
        planned: &Value,
        mut x: Api,
    ) -> Result<Api, ProviderError> {
        let id = x.meta.key_id().to_string();
        if ROTATION.bool(planned) == Some(true) && !x.rotation {
            set_rotation(c, &id, true).await?;
            x.rotation = true;
        }
        if ENABLED.bool(planned) == Some(false) && x.meta.enabled() {
            set_enabled(c, &id, false).await?;
            x.meta.enabled = false;
            x.meta.key_state = Some(KeyState::Disabled);
        }
        if x.policy.is_none() {
            let req = c.kms.get_key_policy().key_id(&id).policy_name("default");
            let out = answer("kms:GetKeyPolicy", req.send().await)?;
            x.policy = out.policy().map(str::to_string);
        }
        Ok(x)
    }

    async fn update_attrs(
        &self,
        c: &Op<'_>,
        id: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        if let Some(on) = ENABLED
            .bool(planned)
            .filter(|on| Some(*on) != ENABLED.bool(prior))
        {
            set_enabled(c, id, on).await?;
        }
        if let Some(on) = ROTATION
            .bool(planned)
            .filter(|on| Some(*on) != ROTATION.bool(prior))
        {
            set_rotation(c, id, on).await?;
        }
        let desc = DESCRIPTION.str(planned);
        if desc.is_some() && desc != DESCRIPTION.str(prior) {
            let req = c
                .kms
                .update_key_description()
                .key_id(id)
                .set_description(desc);
            answer("kms:UpdateKeyDescription", req.send().await)?;
        }
        let policy = POLICY.str(planned);
        if policy.is_some() && policy != POLICY.str(prior) {
            let req = c
                .kms
                .put_key_policy()
                .key_id(id)
                .policy_name("default")
                .set_policy(policy);
            let req = req.set_bypass_policy_lockout_safety_check(BYPASS.bool(planned));
            answer("kms:PutKeyPolicy", req.send().await)?;
        }
        Ok(None)
    }

    async fn delete(&self, c: &Op<'_>, id: &str) -> Result<(), ProviderError> {
        self.delete_state(c, id, &Value::Null).await
    }

    /// Schedules the deletion with the state's window; a key already pending is done.
    async fn delete_state(&self, c: &Op<'_>, id: &str, state: &Value) -> Result<(), ProviderError> {
        let days = WINDOW
            .get(state)
            .and_then(Value::as_number)
            .map(|d| d as i32);
        let req = c
            .kms
            .schedule_key_deletion()
            .key_id(id)
            .set_pending_window_in_days(days);
        match req.send().await {
            Err(e) if crate::error::code(&e) == Some("KMSInvalidStateException") => {
                match crate::managed::read_one(self, c, id).await? {
                    None => Ok(()),
                    Some(_) => Err(crate::error::sdk("kms:ScheduleKeyDeletion", e)),
                }
            }
            r => gone("kms:ScheduleKeyDeletion", r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::assert_read_matches_schema;

    #[test]
    fn read_returns_exactly_the_schema_and_the_window_is_checked() {
        let meta = KeyMetadata::builder().key_id("k-1").build().expect("meta");
        let x = Api {
            meta,
            rotation: true,
            policy: Some("{}".into()),
            tags: Tags::new(),
        };
        assert_read_matches_schema(Key, &x);
        let bad = Value::map([("deletion_window_in_days", Value::int(3))]);
        assert_eq!(
            Key.validate(&bad)[0].path,
            vec!["deletion_window_in_days".to_string()]
        );
        assert!(Key
            .validate(&Value::map([("deletion_window_in_days", Value::int(7))]))
            .is_empty());
    }
}
