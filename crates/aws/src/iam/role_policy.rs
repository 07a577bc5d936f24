//! `aws_iam_role_policy` (an inline policy of a role).
//!
//! API calls: `PutRolePolicy` (create and update), `GetRolePolicy` (refresh: per policy, all
//! at once), `DeleteRolePolicy`.
//! Force-new: `role`, `name`, `name_prefix`.
//! Identity: `role:name` (Terraform's id and import id), built from the configuration, so an
//! interrupted create is found by `GetRolePolicy`.

use super::{each, name_or_prefix, name_rules};
use crate::config::AwsClients;
use crate::ec2::{answer, gone};
use crate::managed::{computed_str, field_table, import_parts, optional_computed_str_new};
use crate::managed::{required_str_new, Field, Identity, Lookup, Managed, Op, Tags};
use async_trait::async_trait;
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, Invalid, ProviderError};

pub struct RolePolicy;

/// One inline policy.
#[derive(Clone, Debug)]
pub struct Api {
    pub role: String,
    pub name: String,
    pub document: String,
}

field_table! { Api;
    ID = api("id", computed_str, |_, x| Value::from(format!("{}:{}", x.role, x.name)));
    ROLE = api("role", required_str_new, |_, x| Value::from(x.role.as_str()));
    NAME = api("name", optional_computed_str_new, |_, x| Value::from(x.name.as_str()));
    NAME_PREFIX = based("name_prefix", crate::iam::name_prefix_schema, crate::iam::keep_known);
    DOCUMENT = policy("policy", || AttrSchema::required(Type::String), |x| Some(&x.document));
}

async fn get(c: &AwsClients, key: String) -> Result<Option<Api>, ProviderError> {
    let Some((role, name)) = key.split_once(':') else {
        return Ok(None);
    };
    if let Some(snap) = &c.iam_snapshot {
        let doc = snap.inline(role, name);
        return Ok(doc.map(|document| Api {
            role: role.to_string(),
            name: name.to_string(),
            document,
        }));
    }
    let r = c
        .iam
        .get_role_policy()
        .role_name(role)
        .policy_name(name)
        .send()
        .await;
    let out = answer("iam:GetRolePolicy", r)?;
    Ok(Some(Api {
        role: out.role_name().to_string(),
        name: out.policy_name().to_string(),
        document: out.policy_document().to_string(),
    }))
}

async fn put(
    c: &AwsClients,
    role: &str,
    name: &str,
    doc: Option<String>,
) -> Result<(), ProviderError> {
    let req = c.iam.put_role_policy().role_name(role).policy_name(name);
    answer(
        "iam:PutRolePolicy",
        req.set_policy_document(doc).send().await,
    )
    .map(|_| ())
}

#[async_trait]
impl Managed for RolePolicy {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_iam_role_policy";
    const NOUN: &'static str = "IAM role policy";
    const DESCRIBE: &'static str = "iam:GetRolePolicy";
    const IDENTITY: Identity = Identity::Composite;
    /// Built from what was sent: the call answers nothing else.
    const CREATE_ANSWER_COMPLETE: bool = true;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        Some(format!("{}:{}", x.role, x.name))
    }

    fn state_key(state: &Value) -> Option<String> {
        let id = ID.str(state).filter(|s| !s.is_empty());
        id.or_else(|| Some(format!("{}:{}", ROLE.str(state)?, NAME.str(state)?)))
    }

    fn validate(&self, config: &Value) -> Vec<Invalid> {
        name_rules(config)
    }

    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        each(by.keys(), |k| get(c, k)).await
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, _: &Tags) -> Result<Api, ProviderError> {
        let role = ROLE.str(planned).unwrap_or_default();
        let name = name_or_prefix(planned);
        let document = DOCUMENT.str(planned).unwrap_or_default();
        put(c, &role, &name, Some(document.clone())).await?;
        Ok(Api {
            role,
            name,
            document,
        })
    }

    async fn update_attrs(
        &self,
        c: &Op<'_>,
        key: &str,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        let (role, name) = key.split_once(':').unwrap_or((key, ""));
        put(c, role, name, DOCUMENT.str(planned)).await?;
        Ok(None)
    }

    async fn delete(&self, c: &Op<'_>, key: &str) -> Result<(), ProviderError> {
        let (role, name) = key.split_once(':').unwrap_or((key, ""));
        let r = c
            .iam
            .delete_role_policy()
            .role_name(role)
            .policy_name(name)
            .send()
            .await;
        gone("iam:DeleteRolePolicy", r)
    }

    async fn import_key(&self, _: &AwsClients, id: &str) -> Result<String, ProviderError> {
        import_parts(Self::TYPE_NAME, id, ':', "ROLE:NAME")?;
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
            name: "p".into(),
            document: "{}".into(),
        };
        assert_read_matches_schema(RolePolicy, &x);
        let planned = Value::map([("role", Value::from("r")), ("name", Value::from("p"))]);
        assert_eq!(RolePolicy::state_key(&planned).as_deref(), Some("r:p"));
    }
}
