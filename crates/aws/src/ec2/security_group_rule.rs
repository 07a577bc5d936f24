//! `aws_vpc_security_group_ingress_rule` and `aws_vpc_security_group_egress_rule`: one rule
//! each, with its own id (`sgr-...`), the same code for both directions.
//!
//! API calls: `AuthorizeSecurityGroupIngress` / `-Egress` (one permission, tags in
//! `TagSpecifications`), `DescribeSecurityGroupRules` (refresh: one call per 200 rules,
//! filtered by `security-group-rule-id`), `ModifySecurityGroupRules` (in-place changes),
//! `CreateTags` / `DeleteTags`, `RevokeSecurityGroupIngress` / `-Egress` by rule id.
//! Force-new: `security_group_id`. Everything else is changed in place, as in Terraform.
//! Quirk: EC2 reports -1 for the ports of a rule without ports; a port left out stays null.

use super::common::{answer, arn, filters, gone, pages};
use crate::config::AwsClients;
use crate::managed::tags::{ec2_map, ec2_spec, EC2};
use crate::managed::{computed_str, created, field_table, opt, optional_str, required_str};
use crate::managed::{required_str_new, Field, Lookup, Managed, Op, TagStyle, Tags};
use async_trait::async_trait;
use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, ResourceType};
use aws_sdk_ec2::types::{SecurityGroupRule as Api, SecurityGroupRuleRequest};
use aws_sdk_ec2::types::{SecurityGroupRuleUpdate, UserIdGroupPair};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::validate::exactly_one_of;
use hubctl_core::provider::{AttrSchema, Invalid, ProviderError};

/// A rule of one direction: `VpcRule::<false>` is ingress, `VpcRule::<true>` egress.
pub struct VpcRule<const EGRESS: bool>;

fn port() -> AttrSchema {
    AttrSchema::optional(Type::Number)
}

fn port_value(p: Option<i32>) -> Value {
    p.map_or(Value::Null, |p| Value::int(p.into()))
}

field_table! { Api;
    ID = api("id", computed_str, |_, r| opt(r.security_group_rule_id()));
    RULE_ID = api("security_group_rule_id", computed_str, |_, r| opt(r.security_group_rule_id()));
    ARN = api("arn", computed_str, |c, r| match r.security_group_rule_arn() {
        Some(a) => Value::from(a),
        None => arn(c, "security-group-rule", r.security_group_rule_id(), r.group_owner_id()),
    });
    GROUP = api("security_group_id", required_str_new, |_, r| opt(r.group_id()));
    PROTOCOL = api("ip_protocol", required_str, |_, r| opt(r.ip_protocol()));
    FROM = api("from_port", port, |_, r| port_value(r.from_port()));
    TO = api("to_port", port, |_, r| port_value(r.to_port()));
    CIDR4 = api("cidr_ipv4", optional_str, |_, r| opt(r.cidr_ipv4()));
    CIDR6 = api("cidr_ipv6", optional_str, |_, r| opt(r.cidr_ipv6()));
    PREFIX_LIST = api("prefix_list_id", optional_str, |_, r| opt(r.prefix_list_id()));
    REFERENCED = api("referenced_security_group_id", optional_str,
        |_, r| opt(r.referenced_group_info().and_then(|g| g.group_id())));
    DESCRIPTION = api("description", optional_str, |_, r| opt(r.description()));
}

const SOURCES: [&str; 4] = [
    "cidr_ipv4",
    "cidr_ipv6",
    "prefix_list_id",
    "referenced_security_group_id",
];

fn int(f: &Field<Api>, v: &Value) -> Option<i32> {
    f.get(v)
        .and_then(|x| x.peel().as_number())
        .map(|n| n as i32)
}

/// The one permission a rule authorizes or revokes.
fn permission(planned: &Value) -> IpPermission {
    let desc = DESCRIPTION.str(planned);
    let mut p = IpPermission::builder()
        .set_ip_protocol(PROTOCOL.str(planned))
        .set_from_port(int(&FROM, planned))
        .set_to_port(int(&TO, planned));
    if let Some(c) = CIDR4.str(planned) {
        p = p.ip_ranges(
            IpRange::builder()
                .cidr_ip(c)
                .set_description(desc.clone())
                .build(),
        );
    }
    if let Some(c) = CIDR6.str(planned) {
        p = p.ipv6_ranges(
            Ipv6Range::builder()
                .cidr_ipv6(c)
                .set_description(desc.clone())
                .build(),
        );
    }
    if let Some(l) = PREFIX_LIST.str(planned) {
        let pl = PrefixListId::builder()
            .prefix_list_id(l)
            .set_description(desc.clone());
        p = p.prefix_list_ids(pl.build());
    }
    if let Some(g) = REFERENCED.str(planned) {
        let pair = UserIdGroupPair::builder().group_id(g).set_description(desc);
        p = p.user_id_group_pairs(pair.build());
    }
    p.build()
}

/// ModifySecurityGroupRules' form of the planned rule (both ports always sent: -1 when
/// unset, as EC2 reports them).
fn update_request(id: &str, planned: &Value) -> SecurityGroupRuleUpdate {
    let r = SecurityGroupRuleRequest::builder()
        .set_ip_protocol(PROTOCOL.str(planned))
        .from_port(int(&FROM, planned).unwrap_or(-1))
        .to_port(int(&TO, planned).unwrap_or(-1))
        .set_cidr_ipv4(CIDR4.str(planned))
        .set_cidr_ipv6(CIDR6.str(planned))
        .set_prefix_list_id(PREFIX_LIST.str(planned))
        .set_referenced_group_id(REFERENCED.str(planned))
        .set_description(DESCRIPTION.str(planned))
        .build();
    SecurityGroupRuleUpdate::builder()
        .security_group_rule_id(id)
        .security_group_rule(r)
        .build()
}

#[async_trait]
impl<const EGRESS: bool> Managed for VpcRule<EGRESS> {
    type Api = Api;
    const TYPE_NAME: &'static str = if EGRESS {
        "aws_vpc_security_group_egress_rule"
    } else {
        "aws_vpc_security_group_ingress_rule"
    };
    const NOUN: &'static str = "security group rule";
    const DESCRIBE: &'static str = "ec2:DescribeSecurityGroupRules";
    const TAGS: TagStyle = EC2;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        x.security_group_rule_id().map(str::to_string)
    }

    fn tags(x: &Api) -> Tags {
        ec2_map(x.tags())
    }

    fn validate(&self, config: &Value) -> Vec<Invalid> {
        exactly_one_of(config, &SOURCES).into_iter().collect()
    }

    /// Rules of the lookup in this direction only (an id names one rule, but an address
    /// tag must not find a rule of the other type).
    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        let f = Some(filters(by, "security-group-rule-id"));
        let req = || c.ec2.describe_security_group_rules().set_filters(f.clone());
        let all = pages(Self::DESCRIBE, |t| req().set_next_token(t).send()).await?;
        Ok(all
            .into_iter()
            .filter(|r| r.is_egress() == Some(EGRESS))
            .collect())
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, tags: &Tags) -> Result<Api, ProviderError> {
        let spec = ec2_spec(ResourceType::SecurityGroupRule, tags);
        let group = GROUP.str(planned);
        let rules = if EGRESS {
            let req = c.ec2.authorize_security_group_egress().set_group_id(group);
            let req = req
                .ip_permissions(permission(planned))
                .tag_specifications(spec);
            let out = answer("ec2:AuthorizeSecurityGroupEgress", req.send().await)?;
            out.security_group_rules().to_vec()
        } else {
            let req = c.ec2.authorize_security_group_ingress().set_group_id(group);
            let req = req
                .ip_permissions(permission(planned))
                .tag_specifications(spec);
            let out = answer("ec2:AuthorizeSecurityGroupIngress", req.send().await)?;
            out.security_group_rules().to_vec()
        };
        created::<Self>("ec2:AuthorizeSecurityGroupRule", rules.first())
    }

    async fn update_attrs(
        &self,
        c: &Op<'_>,
        id: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        let changed = FIELDS
            .iter()
            .any(|f| f.name != "tags" && f.get(prior) != f.get(planned));
        if changed {
            let req = c
                .ec2
                .modify_security_group_rules()
                .set_group_id(GROUP.str(planned));
            let req = req.security_group_rules(update_request(id, planned));
            answer("ec2:ModifySecurityGroupRules", req.send().await)?;
        }
        Ok(None)
    }

    async fn delete(&self, c: &Op<'_>, id: &str) -> Result<(), ProviderError> {
        let Some(r) = crate::managed::read_one(self, c, id).await? else {
            return Ok(());
        };
        let group = r.group_id().unwrap_or_default();
        if EGRESS {
            let req = c.ec2.revoke_security_group_egress().group_id(group);
            gone(
                "ec2:RevokeSecurityGroupEgress",
                req.security_group_rule_ids(id).send().await,
            )
        } else {
            let req = c.ec2.revoke_security_group_ingress().group_id(group);
            gone(
                "ec2:RevokeSecurityGroupIngress",
                req.security_group_rule_ids(id).send().await,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::assert_read_matches_schema;

    fn rule() -> Api {
        Api::builder()
            .security_group_rule_id("sgr-1")
            .group_id("sg-1")
            .is_egress(false)
            .ip_protocol("tcp")
            .from_port(443)
            .to_port(443)
            .cidr_ipv4("10.0.0.0/16")
            .build()
    }

    #[test]
    fn read_returns_exactly_the_schema() {
        assert_read_matches_schema(VpcRule::<false>, &rule());
        assert_read_matches_schema(VpcRule::<true>, &rule());
    }

    #[test]
    fn one_source_exactly() {
        let v = Value::object([
            ("cidr_ipv4", Value::from("0.0.0.0/0")),
            ("referenced_security_group_id", Value::from("sg-2")),
        ]);
        assert_eq!(
            VpcRule::<false>.validate(&v)[0].path,
            ["referenced_security_group_id"]
        );
        assert!(VpcRule::<true>
            .validate(&Value::object([("cidr_ipv4", Value::from("0.0.0.0/0"))]))
            .is_empty());
    }

    #[test]
    fn the_permission_carries_the_source_and_description() {
        let v = Value::object([
            ("ip_protocol", Value::from("tcp")),
            ("from_port", Value::int(443)),
            ("to_port", Value::int(443)),
            ("referenced_security_group_id", Value::from("sg-2")),
            ("description", Value::from("nodes")),
        ]);
        let p = permission(&v);
        assert_eq!(p.from_port(), Some(443));
        assert_eq!(p.user_id_group_pairs()[0].group_id(), Some("sg-2"));
        assert_eq!(p.user_id_group_pairs()[0].description(), Some("nodes"));
        assert!(p.ip_ranges().is_empty());
        let u = update_request(
            "sgr-1",
            &Value::object([("ip_protocol", Value::from("-1"))]),
        );
        let r = u.security_group_rule().unwrap();
        assert_eq!((r.from_port(), r.to_port()), (Some(-1), Some(-1)));
    }
}
