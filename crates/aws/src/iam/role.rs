//! `aws_iam_role`.
//!
//! API calls: `CreateRole` (tags included), `GetRole` (refresh: one call per role, all at
//! once), `UpdateAssumeRolePolicy`, `UpdateRole` (description, max session duration),
//! `PutRolePermissionsBoundary` / `DeleteRolePermissionsBoundary`, `TagRole` / `UntagRole`,
//! `DeleteRole` (after detaching managed and deleting inline policies when
//! `force_detach_policies` is set).
//! Force-new: `name`, `name_prefix`, `path`.
//! Identity: the name, so an interrupted create is found by `GetRole` (with `name_prefix`
//! the name is made at create and an interrupted one cannot be found).
//! Refused: Terraform's exclusive `inline_policy` blocks and `managed_policy_arns` (use
//! `aws_iam_role_policy` and `aws_iam_role_policy_attachment`).
//! IAM's eventual consistency (a new role not yet assumable by EKS) is retried by the EKS
//! types, not here.

use super::{each, name_or_prefix, name_rules, refuse_set, tag_map, ROLE_TAGS};
use crate::config::AwsClients;
use crate::ec2::{answer, gone};
use crate::managed::{
    computed_str, empty_str, field_table, optional_bool, optional_computed_str_new, or_empty,
};
use crate::managed::{optional_str, optional_str_new, Field, Lookup, Managed, Op, TagStyle, Tags};
use async_trait::async_trait;
use aws_sdk_iam::types::Role as Api;
use aws_smithy_types::date_time::Format;
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, BlockSchema, Invalid, Nesting, ProviderError, Schema};

pub struct Role;

const INLINE_REFUSED: &str = "hubctl does not manage a role's inline policies exclusively from the role (Terraform's `inline_policy` blocks): declare each with an `aws_iam_role_policy` resource instead.";
const MANAGED_REFUSED: &str = "hubctl does not manage a role's policy attachments exclusively from the role (Terraform's `managed_policy_arns`, deprecated in AWS provider 5.x): declare each with an `aws_iam_role_policy_attachment` resource instead.";

fn max_session() -> AttrSchema {
    AttrSchema::optional(Type::Number).default(Value::int(3600))
}

fn strings() -> AttrSchema {
    AttrSchema::optional_computed(Type::Set(Box::new(Type::String)))
}

fn inline_policy() -> BlockSchema {
    let s = Schema::new()
        .attr("name", optional_str())
        .attr("policy", optional_str());
    BlockSchema {
        nesting: Nesting::Set,
        min_items: 0,
        max_items: None,
        force_new: false,
        schema: s,
    }
}

/// When a timestamp prints as RFC 3339 (as the Terraform provider stores it).
pub fn date(d: &aws_smithy_types::DateTime) -> Value {
    Value::from(d.fmt(Format::DateTime).unwrap_or_default())
}

field_table! { Api;
    ID = api("id", computed_str, |_, x| Value::from(x.role_name()));
    ARN = api("arn", computed_str, |_, x| Value::from(x.arn()));
    UNIQUE_ID = api("unique_id", computed_str, |_, x| Value::from(x.role_id()));
    CREATE_DATE = api("create_date", computed_str, |_, x| date(x.create_date()));
    NAME = api("name", optional_computed_str_new, |_, x| Value::from(x.role_name()));
    NAME_PREFIX = based("name_prefix", crate::iam::name_prefix_schema, crate::iam::keep_known);
    ASSUME = policy("assume_role_policy", || AttrSchema::required(Type::String),
        |x| x.assume_role_policy_document());
    PATH = api("path", || optional_str_new().default(Value::from("/")),
        |_, x| Value::from(x.path()));
    /// `""` when unset, as the Terraform provider's states have it.
    DESCRIPTION = api("description", empty_str, |_, x| or_empty(x.description()));
    MAX_SESSION = api("max_session_duration", max_session,
        |_, x| Value::int(x.max_session_duration().unwrap_or(3600).into()));
    BOUNDARY = api("permissions_boundary", empty_str,
        |_, x| or_empty(x.permissions_boundary().and_then(|b| b.permissions_boundary_arn())));
    FORCE_DETACH = kept("force_detach_policies", || optional_bool(false));
    /// Always empty here (setting it is refused); computed, as in the provider, so the
    /// attached ARNs a Terraform state holds are no diff.
    MANAGED_ARNS = api("managed_policy_arns", strings, |_, _| Value::set(vec![]));
    INLINE = block("inline_policy", inline_policy, |_, _| Value::set(vec![]));
}

async fn get(c: &AwsClients, name: String) -> Result<Option<Api>, ProviderError> {
    if let Some(snap) = &c.iam_snapshot {
        return Ok(snap.role(&name));
    }
    let r = c.iam.get_role().role_name(name).send().await;
    Ok(answer("iam:GetRole", r)?.role().cloned())
}

/// Detaches every managed policy and deletes every inline policy of `name`.
async fn detach_all(c: &AwsClients, name: &str) -> Result<(), ProviderError> {
    let r = c
        .iam
        .list_attached_role_policies()
        .role_name(name)
        .send()
        .await;
    for p in answer("iam:ListAttachedRolePolicies", r)?.attached_policies() {
        let d = c.iam.detach_role_policy().role_name(name);
        let r = d
            .set_policy_arn(p.policy_arn().map(str::to_string))
            .send()
            .await;
        gone("iam:DetachRolePolicy", r)?;
    }
    let r = c.iam.list_role_policies().role_name(name).send().await;
    for p in answer("iam:ListRolePolicies", r)?.policy_names() {
        let r = c
            .iam
            .delete_role_policy()
            .role_name(name)
            .policy_name(p)
            .send()
            .await;
        gone("iam:DeleteRolePolicy", r)?;
    }
    Ok(())
}

/// CreateRole's answer, completed with what was sent where IAM leaves it out (its documented
/// example answers no `MaxSessionDuration`), so it serves as the created state.
fn with_sent(mut role: Api, planned: &Value, tags: &Tags) -> Api {
    if role.tags.is_none() {
        role.tags = Some(super::iam_tags(tags));
    }
    if role.permissions_boundary.is_none() {
        role.permissions_boundary = BOUNDARY.nonempty(planned).map(|arn| {
            let b = aws_sdk_iam::types::AttachedPermissionsBoundary::builder();
            let kind = aws_sdk_iam::types::PermissionsBoundaryAttachmentType::Policy;
            b.permissions_boundary_type(kind)
                .permissions_boundary_arn(arn)
                .build()
        });
    }
    if role.max_session_duration.is_none() {
        let secs = MAX_SESSION.get(planned).and_then(Value::as_number);
        role.max_session_duration = secs.map(|s| s as i32);
    }
    if role.description.is_none() {
        role.description = DESCRIPTION.nonempty(planned);
    }
    role
}

#[async_trait]
impl Managed for Role {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_iam_role";
    const NOUN: &'static str = "IAM role";
    const DESCRIBE: &'static str = "iam:GetRole";
    const IDENTITY: crate::managed::Identity = crate::managed::Identity::Name("name");
    const TAGS: TagStyle = ROLE_TAGS;
    const CREATE_ANSWER_COMPLETE: bool = true;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        Some(x.role_name().to_string())
    }

    fn tags(x: &Api) -> Tags {
        tag_map(x.tags())
    }

    /// `name` / `name_prefix`, the refused exclusive arguments, and a trust policy that
    /// conditions on an OIDC issuer other than the one it trusts (checked whenever the
    /// policy is known at plan time).
    fn validate(&self, config: &Value) -> Vec<Invalid> {
        let mut out = name_rules(config);
        out.extend(refuse_set(config, "inline_policy", INLINE_REFUSED));
        out.extend(refuse_set(config, "managed_policy_arns", MANAGED_REFUSED));
        let trust = ASSUME.get(config).and_then(|v| v.peel().as_str());
        if let Some(why) = trust.and_then(crate::policy::foreign_issuer) {
            let summary = "Trust policy conditions on another OIDC issuer";
            out.push(Invalid::at(&["assume_role_policy"], summary, why));
        }
        out
    }

    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        each(by.keys(), |k| get(c, k)).await
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, tags: &Tags) -> Result<Api, ProviderError> {
        let req = c.iam.create_role().role_name(name_or_prefix(planned));
        let req = req.set_assume_role_policy_document(ASSUME.str(planned));
        let req = req
            .set_path(PATH.str(planned))
            .set_description(DESCRIPTION.nonempty(planned));
        let secs = MAX_SESSION.get(planned).and_then(Value::as_number);
        let req = req.set_max_session_duration(secs.map(|s| s as i32));
        let req = req.set_permissions_boundary(BOUNDARY.nonempty(planned));
        let req = req.set_tags(Some(super::iam_tags(tags)));
        let out = answer("iam:CreateRole", req.send().await)?;
        let role = out.role().cloned();
        let role =
            role.ok_or_else(|| ProviderError::new("iam:CreateRole", "the response has no role"))?;
        Ok(with_sent(role, planned, tags))
    }

    async fn update_attrs(
        &self,
        c: &Op<'_>,
        name: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        if ASSUME.str(prior) != ASSUME.str(planned) {
            let req = c.iam.update_assume_role_policy().role_name(name);
            let r = req.set_policy_document(ASSUME.str(planned)).send().await;
            answer("iam:UpdateAssumeRolePolicy", r)?;
        }
        let secs = |v: &Value| MAX_SESSION.get(v).and_then(Value::as_number);
        if DESCRIPTION.nonempty(prior) != DESCRIPTION.nonempty(planned)
            || secs(prior) != secs(planned)
        {
            let req = c.iam.update_role().role_name(name);
            let desc = DESCRIPTION.nonempty(planned).unwrap_or_default();
            let req = req
                .description(desc)
                .set_max_session_duration(secs(planned).map(|s| s as i32));
            answer("iam:UpdateRole", req.send().await)?;
        }
        if BOUNDARY.nonempty(prior) != BOUNDARY.nonempty(planned) {
            match BOUNDARY.nonempty(planned) {
                Some(arn) => {
                    let req = c.iam.put_role_permissions_boundary().role_name(name);
                    let r = req.permissions_boundary(arn).send().await;
                    answer("iam:PutRolePermissionsBoundary", r)?;
                }
                None => {
                    let req = c.iam.delete_role_permissions_boundary().role_name(name);
                    gone("iam:DeleteRolePermissionsBoundary", req.send().await)?;
                }
            }
        }
        Ok(None)
    }

    async fn delete(&self, c: &Op<'_>, name: &str) -> Result<(), ProviderError> {
        gone(
            "iam:DeleteRole",
            c.iam.delete_role().role_name(name).send().await,
        )
    }

    async fn delete_state(
        &self,
        c: &Op<'_>,
        name: &str,
        state: &Value,
    ) -> Result<(), ProviderError> {
        if FORCE_DETACH.bool(state).unwrap_or(false) {
            match detach_all(c, name).await {
                Err(e) if e.is_not_found() => return Ok(()),
                r => r?,
            }
        }
        self.delete(c, name).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::assert_read_matches_schema;

    fn api() -> Api {
        Api::builder()
            .role_name("hub")
            .path("/")
            .role_id("AROA1")
            .arn("arn:aws:iam::123456789012:role/hub")
            .create_date(aws_smithy_types::DateTime::from_secs(0))
            .assume_role_policy_document("%7B%7D")
            .build()
            .expect("role")
    }

    #[test]
    fn read_returns_exactly_the_schema() {
        assert_read_matches_schema(Role, &api());
    }

    #[test]
    fn exclusive_policy_arguments_are_refused_at_their_place() {
        let cfg = Value::map([
            ("name", Value::from("r")),
            (
                "managed_policy_arns",
                Value::set(vec![Value::from("arn:x")]),
            ),
            ("inline_policy", Value::set(vec![])),
        ]);
        let found = Role.validate(&cfg);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].path, vec!["managed_policy_arns".to_string()]);
        assert!(found[0].detail.contains("aws_iam_role_policy_attachment"));
        let both = Value::map([
            ("name", Value::from("a")),
            ("name_prefix", Value::from("b")),
        ]);
        assert_eq!(
            Role.validate(&both)[0].path,
            vec!["name_prefix".to_string()]
        );
    }
}
