//! `aws_default_network_acl`: adopts a VPC's default network ACL (named by
//! `default_network_acl_id`) and manages its inline `ingress` / `egress` entries and the
//! subnets associated with it.
//!
//! API calls: `DescribeNetworkAcls` (adoption and refresh, by `network-acl-id`),
//! `CreateNetworkAclEntry` / `DeleteNetworkAclEntry` (only the entries that change),
//! `ReplaceNetworkAclAssociation` (listed subnets not yet associated), `CreateTags` /
//! `DeleteTags`.
//! Create makes the entries exactly the configured ones (AWS's unchangeable `*` rule 32767
//! stays); delete leaves the ACL with no entries. Protocols are kept as EC2 keeps them, by
//! number (`tcp` is planned as `"6"`, `all` as `"-1"`), so a name never shows as a diff.
//! Subnets cannot leave the default ACL except to another one: a subnet removed from
//! `subnet_ids` stays associated (as with Terraform's type).
//! Force-new: `default_network_acl_id`.

use super::common::{answer, arn, filters, gone, owner};
use crate::config::AwsClients;
use crate::managed::tags::{ec2_map, EC2};
use crate::managed::{computed_str, fetch, field_table, opt, read_one, required_str_new};
use crate::managed::{Field, Lookup, Managed, Op, TagStyle, Tags};
use async_trait::async_trait;
use aws_sdk_ec2::types::RuleAction;
use aws_sdk_ec2::types::{IcmpTypeCode, NetworkAcl as Api, PortRange};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{plan_by_schema, AttrSchema, BlockSchema, Nesting};
use hubctl_core::provider::{PlannedState, ProviderError, Schema};

pub struct DefaultNetworkAcl;

/// The rule AWS puts last in every ACL; it cannot be changed or deleted.
const CATCH_ALL: i32 = 32767;

fn entry_block() -> BlockSchema {
    let n = |d: i64| AttrSchema::optional(Type::Number).default(Value::int(d));
    let s = |d: &str| AttrSchema::optional(Type::String).default(Value::from(d));
    let schema = Schema::new()
        .attr("rule_no", AttrSchema::required(Type::Number))
        .attr("action", AttrSchema::required(Type::String))
        .attr("protocol", AttrSchema::required(Type::String))
        .attr("from_port", AttrSchema::required(Type::Number))
        .attr("to_port", AttrSchema::required(Type::Number))
        .attr("cidr_block", s(""))
        .attr("ipv6_cidr_block", s(""))
        .attr("icmp_type", n(0))
        .attr("icmp_code", n(0));
    BlockSchema {
        nesting: Nesting::Set,
        min_items: 0,
        max_items: None,
        force_new: false,
        schema,
    }
}

/// EC2's protocol number for a name (`tcp` → `6`); numbers and unknown names unchanged.
fn protocol_number(p: &str) -> String {
    match p.to_ascii_lowercase().as_str() {
        "all" | "-1" => "-1".into(),
        "icmp" => "1".into(),
        "tcp" => "6".into(),
        "udp" => "17".into(),
        "icmpv6" => "58".into(),
        other => other.into(),
    }
}

fn entries(a: &Api, egress: bool) -> Value {
    let num = |n: Option<i32>| Value::int(n.unwrap_or(0).into());
    let els = a.entries().iter().filter(|e| e.egress() == Some(egress));
    let els = els.filter(|e| e.rule_number() != Some(CATCH_ALL)).map(|e| {
        let ports = e.port_range();
        let icmp = e.icmp_type_code();
        Value::object([
            ("rule_no", num(e.rule_number())),
            (
                "action",
                Value::from(e.rule_action().map_or("", |a| a.as_str())),
            ),
            (
                "protocol",
                Value::from(protocol_number(e.protocol().unwrap_or("-1"))),
            ),
            ("from_port", num(ports.and_then(|p| p.from()))),
            ("to_port", num(ports.and_then(|p| p.to()))),
            (
                "cidr_block",
                Value::from(e.cidr_block().unwrap_or_default()),
            ),
            (
                "ipv6_cidr_block",
                Value::from(e.ipv6_cidr_block().unwrap_or_default()),
            ),
            ("icmp_type", num(icmp.and_then(|i| i.r#type()))),
            ("icmp_code", num(icmp.and_then(|i| i.code()))),
        ])
    });
    Value::set(els.collect())
}

field_table! { Api;
    ID = api("id", computed_str, |_, a| opt(a.network_acl_id()));
    ACL = api("default_network_acl_id", required_str_new, |_, a| opt(a.network_acl_id()));
    ARN = api("arn", computed_str, |c, a| arn(c, "network-acl", a.network_acl_id(), a.owner_id()));
    OWNER = api("owner_id", computed_str, |c, a| owner(c, a.owner_id()));
    VPC = api("vpc_id", computed_str, |_, a| opt(a.vpc_id()));
    SUBNETS = api("subnet_ids", || AttrSchema::optional_computed(Type::Set(Box::new(Type::String))),
        |_, a| Value::set(a.associations().iter().filter_map(|s| s.subnet_id()).map(Value::from).collect()));
    INGRESS = block("ingress", entry_block, |_, a| entries(a, false));
    EGRESS = block("egress", entry_block, |_, a| entries(a, true));
}

/// The planned entries with protocols by number.
fn normalize(v: &mut Value) {
    for f in [&INGRESS, &EGRESS] {
        let Some(els) = f.get(v).and_then(Value::as_seq).map(<[Value]>::to_vec) else {
            continue;
        };
        let els = els.into_iter().map(|mut e| {
            let p = e
                .get_attr("protocol")
                .and_then(Value::as_str)
                .map(protocol_number);
            if let (Some(p), Some(m)) = (p, e.as_map_mut()) {
                m.insert("protocol".into(), Value::from(p));
            }
            e
        });
        let els = Value::set(els.collect());
        if let Some(m) = v.as_map_mut() {
            f.set(m, els);
        }
    }
}

fn int(e: &Value, k: &str) -> i32 {
    e.get_attr(k).and_then(Value::as_number).unwrap_or(0.0) as i32
}

fn str_of<'a>(e: &'a Value, k: &str) -> Option<&'a str> {
    e.get_attr(k)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

async fn create_entry(
    c: &AwsClients,
    id: &str,
    egress: bool,
    e: &Value,
) -> Result<(), ProviderError> {
    let proto = str_of(e, "protocol").unwrap_or("-1").to_string();
    let mut req = c
        .ec2
        .create_network_acl_entry()
        .network_acl_id(id)
        .egress(egress);
    req = req.rule_number(int(e, "rule_no")).protocol(&proto);
    req = req.rule_action(RuleAction::from(str_of(e, "action").unwrap_or("deny")));
    req = req.set_cidr_block(str_of(e, "cidr_block").map(str::to_string));
    req = req.set_ipv6_cidr_block(str_of(e, "ipv6_cidr_block").map(str::to_string));
    if proto == "6" || proto == "17" {
        let range = PortRange::builder()
            .from(int(e, "from_port"))
            .to(int(e, "to_port"));
        req = req.port_range(range.build());
    }
    if proto == "1" || proto == "58" {
        let icmp = IcmpTypeCode::builder()
            .r#type(int(e, "icmp_type"))
            .code(int(e, "icmp_code"));
        req = req.icmp_type_code(icmp.build());
    }
    answer("ec2:CreateNetworkAclEntry", req.send().await).map(|_| ())
}

/// Makes the ACL's entries and associations those `planned` configures (no entries for
/// a null `planned`).
async fn converge(c: &AwsClients, a: &Api, planned: &Value) -> Result<(), ProviderError> {
    let id = a.network_acl_id().unwrap_or_default();
    for (f, egress) in [(&INGRESS, false), (&EGRESS, true)] {
        let have = entries(a, egress);
        let have = have.as_seq().unwrap_or_default();
        let want = f.get(planned).and_then(Value::as_seq).unwrap_or_default();
        for e in have.iter().filter(|e| !want.contains(e)) {
            let req = c
                .ec2
                .delete_network_acl_entry()
                .network_acl_id(id)
                .egress(egress);
            let r = req.rule_number(int(e, "rule_no")).send().await;
            answer("ec2:DeleteNetworkAclEntry", r)?;
        }
        for e in want.iter().filter(|e| !have.contains(e)) {
            create_entry(c, id, egress, e).await?;
        }
    }
    let wanted = SUBNETS.get(planned).filter(|s| s.is_wholly_known());
    let wanted = wanted.and_then(Value::as_seq).unwrap_or_default();
    for s in wanted.iter().filter_map(Value::as_str) {
        if a.associations().iter().any(|x| x.subnet_id() == Some(s)) {
            continue;
        }
        replace_association(c, id, s).await?;
    }
    Ok(())
}

/// Moves subnet `s` from the ACL it is associated with to `id`.
async fn replace_association(c: &AwsClients, id: &str, s: &str) -> Result<(), ProviderError> {
    let f = super::common::filter("association.subnet-id", [s.to_string()]);
    let out = c.ec2.describe_network_acls().filters(f).send().await;
    let out = answer("ec2:DescribeNetworkAcls", out)?;
    let assoc = out.network_acls().iter().flat_map(|a| a.associations());
    let Some(aid) = assoc
        .filter(|x| x.subnet_id() == Some(s))
        .find_map(|x| x.network_acl_association_id())
    else {
        return Ok(());
    };
    let req = c
        .ec2
        .replace_network_acl_association()
        .association_id(aid)
        .network_acl_id(id);
    answer("ec2:ReplaceNetworkAclAssociation", req.send().await).map(|_| ())
}

#[async_trait]
impl Managed for DefaultNetworkAcl {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_default_network_acl";
    const NOUN: &'static str = "default network ACL";
    const DESCRIBE: &'static str = "ec2:DescribeNetworkAcls";
    const TAGS: TagStyle = EC2;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        x.network_acl_id().map(str::to_string)
    }

    fn tags(x: &Api) -> Tags {
        ec2_map(x.tags())
    }

    fn plan(&self, schema: &Schema, prior: Option<&Value>, proposed: Value) -> PlannedState {
        let mut p = plan_by_schema(schema, prior, proposed);
        normalize(&mut p.planned);
        crate::tags::plan_tags_all(prior, &mut p.planned);
        p
    }

    /// By `NetworkAclIds` (not every EC2 implementation has the `network-acl-id` filter);
    /// when one of them is gone, which fails the whole call, one call per id.
    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        let Lookup::Keys(ids) = by else {
            let out = c
                .ec2
                .describe_network_acls()
                .set_filters(Some(filters(by, "")))
                .send()
                .await;
            return Ok(answer(Self::DESCRIBE, out)?.network_acls().to_vec());
        };
        let all = c
            .ec2
            .describe_network_acls()
            .set_network_acl_ids(Some(ids.to_vec()));
        match all.send().await {
            Ok(out) => return Ok(out.network_acls().to_vec()),
            Err(e) if !crate::error::is_not_found(Self::DESCRIBE, &e) => {
                return Err(crate::error::sdk(Self::DESCRIBE, e))
            }
            Err(_) => {}
        }
        let mut found = Vec::new();
        for id in ids {
            match c
                .ec2
                .describe_network_acls()
                .network_acl_ids(id)
                .send()
                .await
            {
                Ok(out) => found.extend(out.network_acls().iter().cloned()),
                Err(e) => gone(Self::DESCRIBE, Err::<(), _>(e))?,
            }
        }
        Ok(found)
    }

    /// Adopting is repeatable: an interrupted create is simply done again.
    async fn find_existing(
        &self,
        _c: &Op<'_>,
        _planned: &Value,
    ) -> Result<Option<Api>, ProviderError> {
        Ok(None)
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, tags: &Tags) -> Result<Api, ProviderError> {
        let id = ACL.str(planned).unwrap_or_default();
        let a = read_one(self, c, &id).await?;
        let a = a.ok_or_else(|| {
            ProviderError::new(Self::DESCRIBE, format!("network ACL {id} not found"))
        })?;
        super::common::tag_adopted(c, &id, tags).await?;
        Ok(a)
    }

    async fn finish_create(
        &self,
        c: &Op<'_>,
        planned: &Value,
        a: Api,
    ) -> Result<Api, ProviderError> {
        converge(c, &a, planned).await?;
        fetch(self, c, a.network_acl_id().unwrap_or_default()).await
    }

    async fn update_attrs(
        &self,
        c: &Op<'_>,
        id: &str,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        let a = fetch(self, c, id).await?;
        converge(c, &a, planned).await.map(|_| None)
    }

    /// Leaves the ACL with no entries but AWS's catch-all, without the address tag.
    async fn delete(&self, c: &Op<'_>, id: &str) -> Result<(), ProviderError> {
        let Some(a) = read_one(self, c, id).await? else {
            return Ok(());
        };
        converge(c, &a, &Value::Null).await?;
        super::common::release_adopted(c, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::assert_read_matches_schema;
    use aws_sdk_ec2::types::NetworkAclEntry;

    #[test]
    fn read_returns_exactly_the_schema_without_the_catch_all() {
        let catch_all = NetworkAclEntry::builder()
            .rule_number(CATCH_ALL)
            .egress(false)
            .build();
        let allow = NetworkAclEntry::builder()
            .rule_number(100)
            .egress(false)
            .protocol("6")
            .rule_action(RuleAction::Allow)
            .cidr_block("0.0.0.0/0")
            .port_range(PortRange::builder().from(443).to(443).build())
            .build();
        let a = Api::builder()
            .network_acl_id("acl-1")
            .entries(catch_all)
            .entries(allow)
            .build();
        assert_read_matches_schema(DefaultNetworkAcl, &a);
        let els = entries(&a, false);
        assert_eq!(els.as_seq().unwrap().len(), 1);
        assert_eq!(
            els.as_seq().unwrap()[0].get_attr("from_port"),
            Some(&Value::int(443))
        );
    }

    #[test]
    fn protocols_are_planned_by_number() {
        assert_eq!(protocol_number("TCP"), "6");
        assert_eq!(protocol_number("all"), "-1");
        assert_eq!(protocol_number("50"), "50");
    }
}
