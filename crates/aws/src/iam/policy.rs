//! `aws_iam_policy` (a customer managed policy).
//!
//! API calls: `CreatePolicy` (tags included), `GetPolicy` + `GetPolicyVersion` (refresh: per
//! policy, all at once), `CreatePolicyVersion` (a new default version on a document change,
//! after deleting the oldest when IAM's five are used), `TagPolicy` / `UntagPolicy`,
//! `DeletePolicy` (after its non-default versions).
//! Force-new: `name`, `name_prefix`, `path`, `description` (IAM cannot change them).
//! Identity: the ARN AWS assigns; an interrupted create is found by name and path
//! (`ListPolicies` of the account's own policies).

use super::{each, name_or_prefix, name_rules, tag_map, POLICY_TAGS};
use crate::config::AwsClients;
use crate::ec2::{answer, gone};
use crate::managed::refresh::paged;
use crate::managed::{computed_str, field_table, opt, optional_computed_str_new, optional_str_new};
use crate::managed::{Field, Lookup, Managed, Op, TagStyle, Tags};
use async_trait::async_trait;
use aws_sdk_iam::types::{Policy as Meta, PolicyScopeType};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, Invalid, ProviderError};

pub struct Policy;

/// A policy and its default version's document.
#[derive(Clone, Debug)]
pub struct Api {
    pub meta: Meta,
    pub document: Option<String>,
}

field_table! { Api;
    ID = api("id", computed_str, |_, x| opt(x.meta.arn()));
    ARN = api("arn", computed_str, |_, x| opt(x.meta.arn()));
    NAME = api("name", optional_computed_str_new, |_, x| opt(x.meta.policy_name()));
    NAME_PREFIX = based("name_prefix", crate::iam::name_prefix_schema, crate::iam::keep_known);
    PATH = api("path", || optional_str_new().default(Value::from("/")),
        |_, x| Value::from(x.meta.path().unwrap_or("/")));
    /// `""` when unset, as the Terraform provider's states have it.
    DESCRIPTION = api("description", crate::managed::empty_str_new,
        |_, x| crate::managed::or_empty(x.meta.description()));
    DOCUMENT = policy("policy", || AttrSchema::required(Type::String), |x| x.document.as_deref());
    POLICY_ID = api("policy_id", computed_str, |_, x| opt(x.meta.policy_id()));
    ATTACHMENTS = api("attachment_count", || AttrSchema::computed(Type::Number),
        |_, x| Value::int(x.meta.attachment_count().unwrap_or(0).into()));
}

/// The policy `arn` with its default version's document.
pub async fn get(c: &AwsClients, arn: String) -> Result<Option<Api>, ProviderError> {
    let r = c.iam.get_policy().policy_arn(&arn).send().await;
    let Some(meta) = answer("iam:GetPolicy", r)?.policy().cloned() else {
        return Ok(None);
    };
    let version = meta.default_version_id().unwrap_or("v1").to_string();
    let r = c
        .iam
        .get_policy_version()
        .policy_arn(&arn)
        .version_id(version)
        .send()
        .await;
    let out = answer("iam:GetPolicyVersion", r)?;
    let document = out
        .policy_version()
        .and_then(|v| v.document())
        .map(str::to_string);
    Ok(Some(Api { meta, document }))
}

/// The account's own policies under `path` (every page).
pub async fn list_local(
    c: &AwsClients,
    scope: PolicyScopeType,
    path: Option<String>,
) -> Result<Vec<Meta>, ProviderError> {
    paged(|marker| {
        let req = c
            .iam
            .list_policies()
            .scope(scope.clone())
            .set_path_prefix(path.clone());
        async move {
            let out = answer("iam:ListPolicies", req.set_marker(marker).send().await)?;
            Ok((out.policies().to_vec(), out.marker().map(str::to_string)))
        }
    })
    .await
}

/// The non-default versions of `arn`, oldest first.
async fn old_versions(c: &AwsClients, arn: &str) -> Result<Vec<String>, ProviderError> {
    let r = c.iam.list_policy_versions().policy_arn(arn).send().await;
    let out = answer("iam:ListPolicyVersions", r)?;
    let mut v: Vec<_> = out
        .versions()
        .iter()
        .filter(|v| !v.is_default_version())
        .collect();
    v.sort_by_key(|v| v.create_date().map(|d| d.secs()));
    Ok(v.iter()
        .filter_map(|v| v.version_id().map(str::to_string))
        .collect())
}

async fn delete_version(c: &AwsClients, arn: &str, id: String) -> Result<(), ProviderError> {
    let r = c
        .iam
        .delete_policy_version()
        .policy_arn(arn)
        .version_id(id)
        .send()
        .await;
    gone("iam:DeletePolicyVersion", r)
}

#[async_trait]
impl Managed for Policy {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_iam_policy";
    const NOUN: &'static str = "IAM policy";
    const DESCRIBE: &'static str = "iam:GetPolicy";
    const TAGS: TagStyle = POLICY_TAGS;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        x.meta.arn().map(str::to_string)
    }

    fn tags(x: &Api) -> Tags {
        tag_map(x.meta.tags())
    }

    fn validate(&self, config: &Value) -> Vec<Invalid> {
        name_rules(config)
    }

    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        each(by.keys(), |k| get(c, k)).await
    }

    /// By name and path: the ARN is AWS's.
    async fn find_existing(
        &self,
        c: &Op<'_>,
        planned: &Value,
    ) -> Result<Option<Api>, ProviderError> {
        let Some(name) = NAME.str(planned) else {
            return Ok(None);
        };
        let all = list_local(c, PolicyScopeType::Local, PATH.str(planned)).await?;
        match all
            .iter()
            .find(|p| p.policy_name() == Some(name.as_str()))
            .and_then(|p| p.arn())
        {
            Some(arn) => get(c, arn.to_string()).await,
            None => Ok(None),
        }
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, tags: &Tags) -> Result<Api, ProviderError> {
        let req = c.iam.create_policy().policy_name(name_or_prefix(planned));
        let req = req
            .set_path(PATH.str(planned))
            .set_description(DESCRIPTION.nonempty(planned));
        let req = req.set_policy_document(DOCUMENT.str(planned));
        let req = req.set_tags(Some(super::iam_tags(tags)));
        let out = answer("iam:CreatePolicy", req.send().await)?;
        let meta = out.policy().cloned();
        let meta = meta
            .ok_or_else(|| ProviderError::new("iam:CreatePolicy", "the response has no policy"))?;
        Ok(Api {
            meta,
            document: None,
        })
    }

    async fn update_attrs(
        &self,
        c: &Op<'_>,
        arn: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        if DOCUMENT.str(prior) == DOCUMENT.str(planned) {
            return Ok(None);
        }
        // IAM keeps at most five versions: make room by deleting the oldest.
        let old = old_versions(c, arn).await?;
        if old.len() >= 4 {
            delete_version(c, arn, old[0].clone()).await?;
        }
        let req = c
            .iam
            .create_policy_version()
            .policy_arn(arn)
            .set_as_default(true);
        let r = req.set_policy_document(DOCUMENT.str(planned)).send().await;
        answer("iam:CreatePolicyVersion", r)?;
        Ok(None)
    }

    async fn delete(&self, c: &Op<'_>, arn: &str) -> Result<(), ProviderError> {
        match old_versions(c, arn).await {
            Err(e) if e.is_not_found() => return Ok(()),
            r => {
                for v in r? {
                    delete_version(c, arn, v).await?;
                }
            }
        }
        gone(
            "iam:DeletePolicy",
            c.iam.delete_policy().policy_arn(arn).send().await,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::assert_read_matches_schema;

    #[test]
    fn read_returns_exactly_the_schema() {
        let meta = Meta::builder()
            .arn("arn:aws:iam::1:policy/p")
            .policy_name("p")
            .build();
        assert_read_matches_schema(
            Policy,
            &Api {
                meta,
                document: Some("{}".into()),
            },
        );
    }
}
