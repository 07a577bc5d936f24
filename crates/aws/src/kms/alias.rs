//! `aws_kms_alias`.
//!
//! API calls: `CreateAlias`, `ListAliases` (refresh: one paged call for every alias of the
//! state), `UpdateAlias` (a new `target_key_id`), `DeleteAlias`.
//! Force-new: `name`, `name_prefix`.
//! Identity: the name, so an interrupted create is found by it.
//! Plan-time validation that Terraform leaves to AWS: the name must start with `alias/` and
//! must not be in the reserved `alias/aws/` space.

use crate::config::AwsClients;
use crate::ec2::{answer, gone};
use crate::iam::{name_or_prefix, name_rules, partition_of};
use crate::managed::refresh::paged;
use crate::managed::{computed_str, field_table, optional_computed_str_new};
use crate::managed::{Field, Identity, Lookup, Managed, Op, Tags};
use async_trait::async_trait;
use aws_sdk_kms::types::AliasListEntry as Api;
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{
    plan_by_schema, AttrSchema, Invalid, PlannedState, ProviderError, Schema,
};

pub struct Alias;

/// The ARN of the key an alias points at, in the alias's account and region.
fn key_arn(c: &AwsClients, x: &Api) -> Value {
    let Some(id) = x.target_key_id() else {
        return Value::Null;
    };
    let account = x
        .alias_arn()
        .and_then(|a| a.split(':').nth(4))
        .or(c.account_id.as_deref());
    let p = partition_of(&c.region);
    Value::from(format!(
        "arn:{p}:kms:{}:{}:key/{id}",
        c.region,
        account.unwrap_or_default()
    ))
}

field_table! { Api;
    ID = api("id", computed_str, |_, x| opt_str(x.alias_name()));
    ARN = api("arn", computed_str, |_, x| opt_str(x.alias_arn()));
    NAME = api("name", optional_computed_str_new, |_, x| opt_str(x.alias_name()));
    NAME_PREFIX = based("name_prefix", crate::iam::name_prefix_schema, crate::iam::keep_known);
    /// The configured spelling (a key id or ARN) stays while it names the same key.
    TARGET = based("target_key_id", || AttrSchema::required(Type::String), |_, x, base, name| {
        let id = x.target_key_id().unwrap_or_default();
        match base.get_attr(name).and_then(Value::as_str) {
            Some(b) if b == id || b.ends_with(&format!(":key/{id}")) => Value::from(b),
            _ => Value::from(id),
        }
    });
    TARGET_ARN = api("target_key_arn", computed_str, key_arn);
}

fn opt_str(x: Option<&str>) -> Value {
    crate::managed::opt(x)
}

/// The name rules, at the argument that breaks them.
fn check_name(config: &Value, arg: &str) -> Option<Invalid> {
    let v = config.get_attr(arg)?.as_str()?;
    let bad = if !v.starts_with("alias/") {
        "must start with \"alias/\""
    } else if v.starts_with("alias/aws/") {
        "must not start with \"alias/aws/\", which is reserved for AWS managed keys"
    } else if !v["alias/".len()..]
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/_-".contains(c))
    {
        "may hold only letters, digits and / _ - after \"alias/\""
    } else {
        return None;
    };
    Some(Invalid::at(&[arg], "Invalid KMS alias name", format!("\"{arg}\" {bad}, got \"{v}\" (AWS would refuse it with a ValidationException at apply)")))
}

#[async_trait]
impl Managed for Alias {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_kms_alias";
    const NOUN: &'static str = "KMS alias";
    const DESCRIBE: &'static str = "kms:ListAliases";
    const IDENTITY: Identity = Identity::Name("name");
    const MAX_KEYS: usize = usize::MAX;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        x.alias_name().map(str::to_string)
    }

    /// A new target gives a new target ARN, known after apply.
    fn plan(&self, schema: &Schema, prior: Option<&Value>, proposed: Value) -> PlannedState {
        let mut p = plan_by_schema(schema, prior, proposed);
        let moved = prior.is_some_and(|pr| TARGET.get(pr) != TARGET.get(&p.planned));
        if let Some(m) = p.planned.as_map_mut().filter(|_| moved) {
            TARGET_ARN.set(m, Value::unknown());
        }
        p
    }

    fn validate(&self, config: &Value) -> Vec<Invalid> {
        let mut out = name_rules(config);
        out.extend(check_name(config, "name"));
        out.extend(check_name(config, "name_prefix"));
        out
    }

    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        let keys = by.keys();
        if keys.is_empty() {
            return Ok(vec![]);
        }
        let all = paged(|marker| {
            let req = c.kms.list_aliases().set_marker(marker);
            async move {
                let out = answer("kms:ListAliases", req.send().await)?;
                let next = out
                    .truncated()
                    .then(|| out.next_marker().map(str::to_string))
                    .flatten();
                Ok((out.aliases().to_vec(), next))
            }
        })
        .await?;
        let wanted = |a: &Api| a.alias_name().is_some_and(|n| keys.iter().any(|k| k == n));
        Ok(all.into_iter().filter(wanted).collect())
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, _: &Tags) -> Result<Api, ProviderError> {
        let name = name_or_prefix(planned);
        let req = c
            .kms
            .create_alias()
            .alias_name(&name)
            .set_target_key_id(TARGET.str(planned));
        answer("kms:CreateAlias", req.send().await)?;
        Ok(Api::builder().alias_name(name).build())
    }

    async fn update_attrs(
        &self,
        c: &Op<'_>,
        name: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        if TARGET.str(prior) != TARGET.str(planned) {
            let req = c
                .kms
                .update_alias()
                .alias_name(name)
                .set_target_key_id(TARGET.str(planned));
            answer("kms:UpdateAlias", req.send().await)?;
        }
        Ok(None)
    }

    async fn delete(&self, c: &Op<'_>, name: &str) -> Result<(), ProviderError> {
        gone(
            "kms:DeleteAlias",
            c.kms.delete_alias().alias_name(name).send().await,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::assert_read_matches_schema;

    #[test]
    fn read_returns_exactly_the_schema() {
        let x = Api::builder()
            .alias_name("alias/hub")
            .target_key_id("k-1")
            .build();
        assert_read_matches_schema(Alias, &x);
    }

    #[test]
    fn an_alias_name_without_the_prefix_is_refused_at_the_argument() {
        let bad = Value::map([
            ("name", Value::from("hub-secrets")),
            ("target_key_id", Value::from("k")),
        ]);
        let f = Alias.validate(&bad);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].path, vec!["name".to_string()]);
        assert!(
            f[0].detail.contains("must start with \"alias/\""),
            "{}",
            f[0].detail
        );
        let reserved = Value::map([("name_prefix", Value::from("alias/aws/x"))]);
        assert_eq!(
            Alias.validate(&reserved)[0].path,
            vec!["name_prefix".to_string()]
        );
        assert!(Alias
            .validate(&Value::map([("name", Value::from("alias/hub-secrets"))]))
            .is_empty());
    }
}
