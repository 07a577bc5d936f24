//! `aws_iam_role_policy_attachment`.
//!
//! API calls: `AttachRolePolicy`, `ListAttachedRolePolicies` (refresh: one call per role,
//! however many of its attachments the state has), `DetachRolePolicy`.
//! Force-new: `role`, `policy_arn` (an attachment has nothing to update).
//! Identity: `role/policy_arn` (Terraform's import id), built from the configuration; the
//! state's `id` is the same string.

use super::each;
use crate::config::AwsClients;
use crate::ec2::{answer, gone};
use crate::managed::refresh::paged;
use crate::managed::{computed_str, field_table, import_parts, required_str_new};
use crate::managed::{Field, Identity, Lookup, Managed, Op, Tags};
use async_trait::async_trait;
use hubctl_core::lang::Value;
use hubctl_core::provider::ProviderError;
use std::collections::BTreeMap;

pub struct Attachment;

#[derive(Clone, Debug)]
pub struct Api {
    pub role: String,
    pub arn: String,
}

field_table! { Api;
    ID = api("id", computed_str, |_, x| Value::from(format!("{}/{}", x.role, x.arn)));
    ROLE = api("role", required_str_new, |_, x| Value::from(x.role.as_str()));
    ARN = api("policy_arn", required_str_new, |_, x| Value::from(x.arn.as_str()));
}

/// The managed policies attached to `role` (every page).
async fn attached(
    c: &AwsClients,
    role: String,
) -> Result<Option<(String, Vec<String>)>, ProviderError> {
    if let Some(snap) = &c.iam_snapshot {
        return Ok(snap.attached(&role).map(|arns| (role, arns)));
    }
    let arns = paged(|marker| {
        let req = c
            .iam
            .list_attached_role_policies()
            .role_name(&role)
            .set_marker(marker);
        async move {
            let out = answer("iam:ListAttachedRolePolicies", req.send().await)?;
            let arns = out
                .attached_policies()
                .iter()
                .filter_map(|p| p.policy_arn());
            Ok((
                arns.map(str::to_string).collect::<Vec<_>>(),
                out.marker().map(str::to_string),
            ))
        }
    })
    .await?;
    Ok(Some((role, arns)))
}

fn split(key: &str) -> (&str, &str) {
    key.split_once('/').unwrap_or((key, ""))
}

#[async_trait]
impl Managed for Attachment {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_iam_role_policy_attachment";
    const NOUN: &'static str = "IAM role policy attachment";
    const DESCRIBE: &'static str = "iam:ListAttachedRolePolicies";
    const IDENTITY: Identity = Identity::Composite;
    /// Built from what was sent: the call answers nothing else.
    const CREATE_ANSWER_COMPLETE: bool = true;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        Some(format!("{}/{}", x.role, x.arn))
    }

    fn state_key(state: &Value) -> Option<String> {
        Some(format!("{}/{}", ROLE.str(state)?, ARN.str(state)?))
    }

    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        let mut by_role: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for k in by.keys() {
            let (role, arn) = split(k);
            by_role
                .entry(role.to_string())
                .or_default()
                .push(arn.to_string());
        }
        let roles: Vec<String> = by_role.keys().cloned().collect();
        let found = each(&roles, |r| attached(c, r)).await?;
        let mut out = Vec::new();
        for (role, arns) in found {
            let wanted = &by_role[&role];
            for arn in arns.into_iter().filter(|a| wanted.contains(a)) {
                out.push(Api {
                    role: role.clone(),
                    arn,
                });
            }
        }
        Ok(out)
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, _: &Tags) -> Result<Api, ProviderError> {
        let role = ROLE.str(planned).unwrap_or_default();
        let arn = ARN.str(planned).unwrap_or_default();
        let r = c
            .iam
            .attach_role_policy()
            .role_name(&role)
            .policy_arn(&arn)
            .send()
            .await;
        answer("iam:AttachRolePolicy", r)?;
        Ok(Api { role, arn })
    }

    async fn delete(&self, c: &Op<'_>, key: &str) -> Result<(), ProviderError> {
        let (role, arn) = split(key);
        let r = c
            .iam
            .detach_role_policy()
            .role_name(role)
            .policy_arn(arn)
            .send()
            .await;
        gone("iam:DetachRolePolicy", r)
    }

    async fn import_key(&self, _: &AwsClients, id: &str) -> Result<String, ProviderError> {
        import_parts(Self::TYPE_NAME, id, '/', "ROLE/POLICY_ARN")?;
        Ok(id.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::assert_read_matches_schema;

    #[test]
    fn read_returns_exactly_the_schema() {
        let x = Api {
            role: "r".into(),
            arn: "arn:aws:iam::aws:policy/P".into(),
        };
        assert_read_matches_schema(Attachment, &x);
    }
}
