//! Data sources `aws_caller_identity` (`sts:GetCallerIdentity`), `aws_partition` (no call:
//! from the region), `aws_iam_policy` (by `arn`, or by `name` among `ListPolicies` of every
//! scope under `path_prefix`) and `aws_iam_role` (`GetRole` by name).

use super::partition_of;
use super::policy::{get as get_policy, list_local};
use crate::config::{clients, AwsClients};
use crate::ec2::answer;
use async_trait::async_trait;
use aws_sdk_iam::types::PolicyScopeType;
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, DataSource, Invalid, OpContext, ProviderError, Schema};
use std::sync::OnceLock;

pub struct CallerIdentity;
pub struct Partition;
pub struct PolicyData;
pub struct RoleData;

fn computed(names: &[&str]) -> Schema {
    names.iter().fold(Schema::new(), |s, n| {
        s.attr(n, AttrSchema::computed(Type::String))
    })
}

fn with(config: &Value, pairs: Vec<(&str, Value)>) -> Value {
    let mut m = config.as_map().cloned().unwrap_or_default();
    for (k, v) in pairs {
        m.insert(k.to_string(), v);
    }
    Value::Object(m)
}

fn tags(t: &[aws_sdk_iam::types::Tag]) -> Value {
    crate::tags::to_value(&super::tag_map(t))
}

#[async_trait]
impl DataSource for CallerIdentity {
    fn type_name(&self) -> &'static str {
        "aws_caller_identity"
    }
    fn schema(&self) -> &Schema {
        static S: OnceLock<Schema> = OnceLock::new();
        S.get_or_init(|| computed(&["id", "account_id", "arn", "user_id"]))
    }
    async fn read(&self, ctx: &OpContext<'_>, config: &Value) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        let out = answer(
            "sts:GetCallerIdentity",
            c.sts.get_caller_identity().send().await,
        )?;
        let s = |x: Option<&str>| Value::from(x.unwrap_or_default());
        Ok(with(
            config,
            vec![
                ("id", s(out.account())),
                ("account_id", s(out.account())),
                ("arn", s(out.arn())),
                ("user_id", s(out.user_id())),
            ],
        ))
    }
}

/// The partition's name, DNS suffix and reverse DNS prefix for a region.
pub fn partition(region: &str) -> (&'static str, &'static str, &'static str) {
    match partition_of(region) {
        "aws-cn" => ("aws-cn", "amazonaws.com.cn", "cn.com.amazonaws"),
        p => (p, "amazonaws.com", "com.amazonaws"),
    }
}

#[async_trait]
impl DataSource for Partition {
    fn type_name(&self) -> &'static str {
        "aws_partition"
    }
    fn schema(&self) -> &Schema {
        static S: OnceLock<Schema> = OnceLock::new();
        S.get_or_init(|| computed(&["id", "partition", "dns_suffix", "reverse_dns_prefix"]))
    }
    async fn read(&self, ctx: &OpContext<'_>, config: &Value) -> Result<Value, ProviderError> {
        let (p, dns, rev) = partition(&clients(ctx)?.region);
        Ok(with(
            config,
            vec![
                ("id", Value::from(p)),
                ("partition", Value::from(p)),
                ("dns_suffix", Value::from(dns)),
                ("reverse_dns_prefix", Value::from(rev)),
            ],
        ))
    }
}

fn s_of(v: &Value, k: &str) -> Option<String> {
    v.get_attr(k)
        .and_then(|x| x.peel().as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

async fn policy_arn(c: &AwsClients, config: &Value) -> Result<String, ProviderError> {
    if let Some(arn) = s_of(config, "arn") {
        return Ok(arn);
    }
    let name = s_of(config, "name").unwrap_or_default();
    let all = list_local(c, PolicyScopeType::All, s_of(config, "path_prefix")).await?;
    let found: Vec<_> = all
        .iter()
        .filter(|p| p.policy_name() == Some(name.as_str()))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.arn().unwrap_or_default().to_string()),
        [] => Err(ProviderError::new(
            "iam:ListPolicies",
            format!("no IAM policy named \"{name}\" was found"),
        )),
        _ => Err(ProviderError::new(
            "iam:ListPolicies",
            format!(
                "{} IAM policies are named \"{name}\": set `arn` or `path_prefix`",
                found.len()
            ),
        )),
    }
}

#[async_trait]
impl DataSource for PolicyData {
    fn type_name(&self) -> &'static str {
        "aws_iam_policy"
    }
    fn schema(&self) -> &Schema {
        static S: OnceLock<Schema> = OnceLock::new();
        S.get_or_init(|| {
            let oc = || AttrSchema::optional_computed(Type::String);
            computed(&["id", "description", "path", "policy", "policy_id"])
                .attr("arn", oc())
                .attr("name", oc())
                .attr("path_prefix", AttrSchema::optional(Type::String))
                .attr("attachment_count", AttrSchema::computed(Type::Number))
                .attr(
                    "tags",
                    AttrSchema::optional_computed(Type::Map(Box::new(Type::String))),
                )
        })
    }
    fn validate(&self, config: &Value) -> Vec<Invalid> {
        let set = |k: &str| config.get_attr(k).is_some_and(|v| !v.is_null());
        if set("arn") && (set("name") || set("path_prefix")) {
            let at = if set("name") { "name" } else { "path_prefix" };
            return vec![Invalid::at(
                &[at],
                "Conflicting configuration arguments",
                format!("\"{at}\": conflicts with arn"),
            )];
        }
        Vec::new()
    }
    async fn read(&self, ctx: &OpContext<'_>, config: &Value) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        let arn = policy_arn(c, config).await?;
        let p = get_policy(c, arn.clone()).await?;
        let p = p.ok_or_else(|| {
            ProviderError::new("iam:GetPolicy", format!("IAM policy {arn} not found"))
        })?;
        let s = |x: Option<&str>| Value::from(x.unwrap_or_default());
        let doc = p.document.as_deref().map(crate::policy::decode_url);
        Ok(with(
            config,
            vec![
                ("id", Value::from(arn.as_str())),
                ("arn", Value::from(arn.as_str())),
                ("name", s(p.meta.policy_name())),
                ("path", s(p.meta.path())),
                ("description", s(p.meta.description())),
                ("policy", s(doc.as_deref())),
                ("policy_id", s(p.meta.policy_id())),
                (
                    "attachment_count",
                    Value::int(p.meta.attachment_count().unwrap_or(0).into()),
                ),
                ("tags", tags(p.meta.tags())),
            ],
        ))
    }
}

#[async_trait]
impl DataSource for RoleData {
    fn type_name(&self) -> &'static str {
        "aws_iam_role"
    }
    fn schema(&self) -> &Schema {
        static S: OnceLock<Schema> = OnceLock::new();
        S.get_or_init(|| {
            let last = Type::List(Box::new(Type::Object(
                ["last_used_date", "region"]
                    .into_iter()
                    .map(|k| {
                        (
                            k.to_string(),
                            hubctl_core::lang::ObjectAttr {
                                ty: Type::String,
                                optional: false,
                                default: None,
                            },
                        )
                    })
                    .collect(),
            )));
            computed(&[
                "id",
                "arn",
                "assume_role_policy",
                "create_date",
                "description",
                "path",
                "permissions_boundary",
                "unique_id",
            ])
            .attr("name", AttrSchema::required(Type::String))
            .attr("max_session_duration", AttrSchema::computed(Type::Number))
            .attr("role_last_used", AttrSchema::computed(last))
            .attr(
                "tags",
                AttrSchema::optional_computed(Type::Map(Box::new(Type::String))),
            )
        })
    }
    async fn read(&self, ctx: &OpContext<'_>, config: &Value) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        let name = s_of(config, "name").unwrap_or_default();
        let out = answer(
            "iam:GetRole",
            c.iam.get_role().role_name(&name).send().await,
        )?;
        let r = out
            .role()
            .ok_or_else(|| ProviderError::new("iam:GetRole", "the response has no role"))?;
        let s = |x: Option<&str>| Value::from(x.unwrap_or_default());
        let doc = r
            .assume_role_policy_document()
            .map(crate::policy::decode_url);
        let used = r.role_last_used().map(|u| {
            Value::object([
                (
                    "last_used_date",
                    Value::from(
                        u.last_used_date()
                            .and_then(|d| d.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
                            .unwrap_or_default(),
                    ),
                ),
                ("region", s(u.region())),
            ])
        });
        Ok(with(
            config,
            vec![
                ("id", Value::from(r.role_name())),
                ("arn", Value::from(r.arn())),
                ("assume_role_policy", s(doc.as_deref())),
                ("create_date", super::role::date(r.create_date())),
                ("description", s(r.description())),
                ("path", Value::from(r.path())),
                (
                    "permissions_boundary",
                    s(r.permissions_boundary()
                        .and_then(|b| b.permissions_boundary_arn())),
                ),
                ("unique_id", Value::from(r.role_id())),
                (
                    "max_session_duration",
                    Value::int(r.max_session_duration().unwrap_or(3600).into()),
                ),
                ("role_last_used", Value::List(used.into_iter().collect())),
                ("tags", tags(r.tags())),
            ],
        ))
    }
}
