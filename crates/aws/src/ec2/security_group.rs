//! `aws_security_group`.
//!
//! API calls: `CreateSecurityGroup` (tags in `TagSpecifications`), `RevokeSecurityGroupEgress`
//! (the allow-all egress rule AWS adds to a VPC group, removed after create as Terraform
//! does, so that only the rule resources define the group's rules), `DescribeSecurityGroups`
//! (refresh: one call per 200 groups, filtered by `group-id`), `CreateTags` / `DeleteTags`,
//! `RevokeSecurityGroupIngress` / `-Egress` (all rules, before delete, with
//! `revoke_rules_on_delete`), `DeleteSecurityGroup` (retried while a dependent object such
//! as a network interface still uses the group, up to the delete timeout, default 15m).
//! Force-new: `name`, `name_prefix`, `description`, `vpc_id`.
//! Inline `ingress` / `egress` blocks are refused: rules are the resources
//! `aws_vpc_security_group_ingress_rule` / `_egress_rule` (or `aws_security_group_rule`).

use super::common::{answer, arn, delete_when_unused, filters, owner, pages};
use crate::config::AwsClients;
use crate::managed::tags::{ec2_map, ec2_spec, EC2};
use crate::managed::{computed_str, created, fetch, field_table, opt, optional_bool};
use crate::managed::{optional_computed_str_new, optional_str_new, Field, Lookup, Managed, Op};
use crate::managed::{TagStyle, Tags};
use async_trait::async_trait;
use aws_sdk_ec2::types::{IpPermission, IpRange, ResourceType, SecurityGroup as Api};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::validate::conflicts_with;
use hubctl_core::provider::{AttrSchema, BlockSchema, Invalid, Nesting, ProviderError, Schema};
use std::time::Duration;

pub struct SecurityGroup;

const DELETE_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// Terraform's inline rule block, accepted by the schema only to be refused with a pointer
/// to the rule resources (a `dynamic "ingress"` is refused the same way).
fn inline_rules() -> BlockSchema {
    let strs = || AttrSchema::optional(Type::Set(Box::new(Type::String)));
    let s = Schema::new()
        .attr("from_port", AttrSchema::optional(Type::Number))
        .attr("to_port", AttrSchema::optional(Type::Number))
        .attr("protocol", AttrSchema::optional(Type::String))
        .attr("cidr_blocks", strs())
        .attr("ipv6_cidr_blocks", strs())
        .attr("prefix_list_ids", strs())
        .attr("security_groups", strs())
        .attr("self", AttrSchema::optional(Type::Bool))
        .attr("description", AttrSchema::optional(Type::String));
    BlockSchema {
        nesting: Nesting::Set,
        min_items: 0,
        max_items: None,
        force_new: false,
        schema: s,
    }
}

field_table! { Api;
    ID = api("id", computed_str, |_, g| opt(g.group_id()));
    ARN = api("arn", computed_str, |c, g| match g.security_group_arn() {
        Some(a) => Value::from(a),
        None => arn(c, "security-group", g.group_id(), g.owner_id()),
    });
    OWNER = api("owner_id", computed_str, |c, g| owner(c, g.owner_id()));
    NAME = api("name", optional_computed_str_new, |_, g| opt(g.group_name()));
    PREFIX = kept("name_prefix", optional_str_new);
    DESCRIPTION = api("description",
        || optional_str_new().default(Value::from("Managed by Terraform")),
        |_, g| opt(g.description()));
    VPC = api("vpc_id", optional_computed_str_new, |_, g| opt(g.vpc_id()));
    REVOKE = kept("revoke_rules_on_delete", || optional_bool(false));
    /// Always empty: rules are their own resources here.
    INGRESS = block("ingress", inline_rules, |_, _| Value::set(vec![]));
    EGRESS = block("egress", inline_rules, |_, _| Value::set(vec![]));
}

/// The group name to create: the configured one, else the prefix (Terraform's
/// `terraform-` when none) and a unique suffix.
fn name_for(planned: &Value) -> String {
    if let Some(n) = NAME.str(planned) {
        return n;
    }
    let prefix = PREFIX.str(planned).unwrap_or_else(|| "terraform-".into());
    let token = super::client_token(&prefix);
    format!("{prefix}{}", &token[..26])
}

/// The allow-all egress rule AWS gives every new VPC group.
fn allow_all_egress() -> IpPermission {
    IpPermission::builder()
        .ip_protocol("-1")
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
        .build()
}

async fn revoke_all(c: &AwsClients, g: &Api) -> Result<(), ProviderError> {
    let id = g.group_id().unwrap_or_default();
    if !g.ip_permissions().is_empty() {
        let req = c.ec2.revoke_security_group_ingress().group_id(id);
        let req = req.set_ip_permissions(Some(g.ip_permissions().to_vec()));
        answer("ec2:RevokeSecurityGroupIngress", req.send().await)?;
    }
    if !g.ip_permissions_egress().is_empty() {
        let req = c.ec2.revoke_security_group_egress().group_id(id);
        let req = req.set_ip_permissions(Some(g.ip_permissions_egress().to_vec()));
        answer("ec2:RevokeSecurityGroupEgress", req.send().await)?;
    }
    Ok(())
}

#[async_trait]
impl Managed for SecurityGroup {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_security_group";
    const NOUN: &'static str = "security group";
    const DESCRIBE: &'static str = "ec2:DescribeSecurityGroups";
    const TAGS: TagStyle = EC2;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        x.group_id().map(str::to_string)
    }

    fn tags(x: &Api) -> Tags {
        ec2_map(x.tags())
    }

    fn validate(&self, config: &Value) -> Vec<Invalid> {
        let mut out: Vec<Invalid> = conflicts_with(config, "name", "name_prefix")
            .into_iter()
            .collect();
        for (block, kind) in [("ingress", "ingress"), ("egress", "egress")] {
            let n = config
                .get_attr(block)
                .and_then(Value::as_seq)
                .map_or(0, <[Value]>::len);
            if n > 0 {
                out.push(Invalid::at(
                    &[block],
                    "Inline security group rules are not supported",
                    format!("hubctl manages a security group's rules as separate resources: write each `{block}` block as an `aws_vpc_security_group_{kind}_rule` (or an `aws_security_group_rule` with type = \"{kind}\") whose security_group_id is this group's id."),
                ));
            }
        }
        out
    }

    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        let f = Some(filters(by, "group-id"));
        let req = || c.ec2.describe_security_groups().set_filters(f.clone());
        pages(Self::DESCRIBE, |t| req().set_next_token(t).send()).await
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, tags: &Tags) -> Result<Api, ProviderError> {
        let req = c.ec2.create_security_group().group_name(name_for(planned));
        let req = req
            .set_description(DESCRIPTION.str(planned))
            .set_vpc_id(VPC.str(planned));
        let req = req.tag_specifications(ec2_spec(ResourceType::SecurityGroup, tags));
        let out = answer("ec2:CreateSecurityGroup", req.send().await)?;
        let g = Api::builder()
            .set_group_id(out.group_id().map(str::to_string))
            .build();
        created::<Self>("ec2:CreateSecurityGroup", Some(&g))
    }

    /// Removes the allow-all egress rule AWS adds to a VPC group (Terraform does the same).
    async fn finish_create(
        &self,
        c: &Op<'_>,
        _planned: &Value,
        g: Api,
    ) -> Result<Api, ProviderError> {
        let id = g.group_id().unwrap_or_default().to_string();
        let g = fetch(self, c, &id).await?;
        let default = allow_all_egress();
        let has_default = g.ip_permissions_egress().iter().any(|p| {
            p.ip_protocol() == Some("-1")
                && p.ip_ranges()
                    .iter()
                    .any(|r| r.cidr_ip() == Some("0.0.0.0/0"))
        });
        if g.vpc_id().is_some() && has_default {
            let req = c
                .ec2
                .revoke_security_group_egress()
                .group_id(&id)
                .ip_permissions(default);
            answer("ec2:RevokeSecurityGroupEgress", req.send().await)?;
            return fetch(self, c, &id).await;
        }
        Ok(g)
    }

    /// An imported group gets Terraform's default for the argument AWS has no notion of.
    async fn complete(
        &self,
        _c: &AwsClients,
        _id: &str,
        v: &mut Value,
    ) -> Result<(), ProviderError> {
        if let Some(m) = v.as_map_mut() {
            if REVOKE
                .get(&Value::Object(m.clone()))
                .is_none_or(Value::is_null)
            {
                REVOKE.set(m, Value::Bool(false));
            }
        }
        Ok(())
    }

    async fn delete(&self, c: &Op<'_>, id: &str) -> Result<(), ProviderError> {
        self.delete_state(c, id, &Value::Null).await
    }

    /// With `revoke_rules_on_delete`, revokes every rule first (rules of other groups that
    /// reference this one would otherwise block the delete).
    async fn delete_state(&self, c: &Op<'_>, id: &str, state: &Value) -> Result<(), ProviderError> {
        if REVOKE.bool(state) == Some(true) {
            if let Some(g) = crate::managed::read_one(self, c, id).await? {
                revoke_all(c, &g).await?;
            }
        }
        let timeout = c.ctx.timeouts.delete.unwrap_or(DELETE_TIMEOUT);
        let what = format!("security group {id} to be unused");
        delete_when_unused(c.ctx, "ec2:DeleteSecurityGroup", &what, timeout, || {
            c.ec2.delete_security_group().group_id(id).send()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::assert_read_matches_schema;

    #[test]
    fn read_returns_exactly_the_schema() {
        let g = Api::builder()
            .group_id("sg-1")
            .group_name("hub")
            .vpc_id("vpc-1")
            .description("d")
            .build();
        assert_read_matches_schema(SecurityGroup, &g);
    }

    #[test]
    fn inline_rules_are_refused_with_a_pointer_to_the_rule_resources() {
        let rule = Value::object([("from_port", Value::int(443))]);
        let cfg = Value::object([
            ("ingress", Value::set(vec![rule])),
            ("egress", Value::set(vec![])),
        ]);
        let found = SecurityGroup.validate(&cfg);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, ["ingress"]);
        assert!(
            found[0]
                .detail
                .contains("aws_vpc_security_group_ingress_rule"),
            "{}",
            found[0].detail
        );
    }

    #[test]
    fn a_prefix_gives_a_unique_name() {
        let v = Value::object([("name", Value::Null), ("name_prefix", Value::from("eks-"))]);
        let n = name_for(&v);
        assert!(n.starts_with("eks-") && n.len() == 30, "{n}");
    }
}
