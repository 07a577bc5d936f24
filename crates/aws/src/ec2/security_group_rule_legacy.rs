//! `aws_security_group_rule`: one ingress or egress permission of a group (possibly
//! several CIDRs), the older of Terraform's rule types.
//!
//! API calls: `AuthorizeSecurityGroupIngress` / `-Egress`, `DescribeSecurityGroups`
//! (refresh: the rules' groups, one call per 200, filtered by `group-id`),
//! `UpdateSecurityGroupRuleDescriptionsIngress` / `-Egress` (`description`, the only
//! in-place change), `RevokeSecurityGroupIngress` / `-Egress`.
//! Identity: Terraform's import id, `<sg>_<type>_<protocol>_<from>_<to>_<source>[_<source>...]`
//! (a source is a CIDR, a prefix list, a group id or `self`); the rule exists while its group
//! has every one of its sources with that protocol and those ports. `id` is `sgrule-` and a
//! number derived from it, as Terraform's is a hash of the rule.
//! Force-new: everything but `description`.

use super::common::{answer, filter, pages};
use super::sg_inline::to_permission;
use crate::config::AwsClients;
use crate::managed::{field_table, import_parts, Field, Identity, Lookup, Managed, Op, Tags};
use async_trait::async_trait;
use aws_sdk_ec2::types::{IpPermission, SecurityGroup};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, Invalid, ProviderError};

pub struct SecurityGroupRule;

/// A group and the key of one rule it holds.
#[derive(Clone)]
pub struct Held {
    group: SecurityGroup,
    key: String,
}

/// A rule as its key spells it.
#[derive(Debug, PartialEq)]
struct Spec {
    group: String,
    egress: bool,
    protocol: String,
    from: i32,
    to: i32,
    sources: Vec<String>,
}

/// Protocol names EC2 answers with, for numbers Terraform accepts.
fn canonical(p: &str) -> String {
    match p.to_ascii_lowercase().as_str() {
        "all" | "-1" => "-1".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        "58" => "icmpv6".into(),
        other => other.into(),
    }
}

fn parse(key: &str) -> Option<Spec> {
    let mut parts = key.split('_');
    let group = parts.next()?.to_string();
    let egress = match parts.next()? {
        "ingress" => false,
        "egress" => true,
        _ => return None,
    };
    let protocol = canonical(parts.next()?);
    let from = parts.next()?.parse().ok()?;
    let to = parts.next()?.parse().ok()?;
    let sources: Vec<String> = parts.map(str::to_string).collect();
    (!sources.is_empty()).then_some(Spec {
        group,
        egress,
        protocol,
        from,
        to,
        sources,
    })
}

fn list(v: &Value, k: &str) -> Vec<String> {
    let xs = v
        .get_attr(k)
        .and_then(|x| x.peel().as_seq())
        .unwrap_or_default();
    xs.iter()
        .filter_map(|x| x.peel().as_str().map(str::to_string))
        .collect()
}

fn text(v: &Value, k: &str) -> Option<String> {
    v.get_attr(k)
        .and_then(|x| x.peel().as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn num(v: &Value, k: &str) -> Option<i64> {
    v.get_attr(k)
        .and_then(|x| x.peel().as_number())
        .map(|n| n as i64)
}

/// The key of a configured or stored rule (none while a part is unknown).
fn key_of(v: &Value) -> Option<String> {
    let mut sources = list(v, "cidr_blocks");
    sources.extend(list(v, "ipv6_cidr_blocks"));
    sources.extend(list(v, "prefix_list_ids"));
    sources.extend(text(v, "source_security_group_id"));
    if v.get_attr("self").and_then(Value::as_bool) == Some(true) {
        sources.push("self".into());
    }
    let head = [
        text(v, "security_group_id")?,
        text(v, "type")?,
        text(v, "protocol")?,
        num(v, "from_port")?.to_string(),
        num(v, "to_port")?.to_string(),
    ];
    (!sources.is_empty()).then(|| {
        head.iter()
            .cloned()
            .chain(sources)
            .collect::<Vec<_>>()
            .join("_")
    })
}

/// Terraform's id shape, `sgrule-<number>`, from the key.
fn rule_id(key: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(key.as_bytes());
    format!("sgrule-{}", u32::from_be_bytes([h[0], h[1], h[2], h[3]]))
}

/// The description of `source` in `p`, if `p` has it.
fn source_in(p: &IpPermission, source: &str, own: &str) -> Option<Option<String>> {
    let d = |x: Option<&str>| Some(x.map(str::to_string));
    if let Some(r) = p.ip_ranges().iter().find(|r| r.cidr_ip() == Some(source)) {
        return d(r.description());
    }
    if let Some(r) = p
        .ipv6_ranges()
        .iter()
        .find(|r| r.cidr_ipv6() == Some(source))
    {
        return d(r.description());
    }
    if let Some(r) = p
        .prefix_list_ids()
        .iter()
        .find(|r| r.prefix_list_id() == Some(source))
    {
        return d(r.description());
    }
    let group = if source == "self" { own } else { source };
    let pair = p
        .user_id_group_pairs()
        .iter()
        .find(|g| g.group_id() == Some(group));
    pair.and_then(|g| d(g.description()))
}

/// Whether `g` holds the rule, and with which description.
fn held(g: &SecurityGroup, s: &Spec) -> Option<Option<String>> {
    let own = g.group_id().unwrap_or_default();
    let perms = if s.egress {
        g.ip_permissions_egress()
    } else {
        g.ip_permissions()
    };
    let ports = |p: &IpPermission| {
        s.protocol == "-1" || (p.from_port() == Some(s.from) && p.to_port() == Some(s.to))
    };
    let p = perms.iter().find(|p| {
        canonical(p.ip_protocol().unwrap_or("-1")) == s.protocol
            && ports(p)
            && s.sources.iter().all(|src| source_in(p, src, own).is_some())
    })?;
    source_in(p, &s.sources[0], own)
}

/// The rule as an inline element, for the permission the calls send.
fn element(v: &Value, with_description: bool) -> Value {
    let strs = |k: &str| Value::List(list(v, k).into_iter().map(Value::from).collect());
    let groups = text(v, "source_security_group_id")
        .into_iter()
        .map(Value::from)
        .collect();
    let desc = if with_description {
        text(v, "description").unwrap_or_default()
    } else {
        String::new()
    };
    Value::object([
        ("from_port", Value::int(num(v, "from_port").unwrap_or(0))),
        ("to_port", Value::int(num(v, "to_port").unwrap_or(0))),
        (
            "protocol",
            Value::from(text(v, "protocol").unwrap_or_else(|| "-1".into())),
        ),
        ("cidr_blocks", strs("cidr_blocks")),
        ("ipv6_cidr_blocks", strs("ipv6_cidr_blocks")),
        ("prefix_list_ids", strs("prefix_list_ids")),
        ("security_groups", Value::set(groups)),
        (
            "self",
            Value::Bool(v.get_attr("self").and_then(Value::as_bool) == Some(true)),
        ),
        ("description", Value::from(desc)),
    ])
}

fn spec_value(h: &Held, f: fn(&Spec) -> Value) -> Value {
    parse(&h.key).map_or(Value::Null, |s| f(&s))
}

/// One kind of source of the key, in key order; null when there is none (as an argument
/// left out).
fn sources_of(s: &Spec, keep: fn(&str) -> bool) -> Value {
    let xs: Vec<Value> = s
        .sources
        .iter()
        .filter(|x| keep(x))
        .map(|x| Value::from(x.as_str()))
        .collect();
    if xs.is_empty() {
        Value::Null
    } else {
        Value::List(xs)
    }
}

fn is_v4(s: &str) -> bool {
    s.contains('.') && s.contains('/')
}
fn is_v6(s: &str) -> bool {
    s.contains(':') && s.contains('/')
}

field_table! { Held;
    ID = api("id", || AttrSchema::computed(Type::String), |_, h| Value::from(rule_id(&h.key)));
    TYPE = api("type", || AttrSchema::required(Type::String).force_new(),
        |_, h| spec_value(h, |s| Value::from(if s.egress { "egress" } else { "ingress" })));
    GROUP = api("security_group_id", || AttrSchema::required(Type::String).force_new(),
        |_, h| spec_value(h, |s| Value::from(s.group.as_str())));
    PROTOCOL = kept("protocol", || AttrSchema::required(Type::String).force_new());
    FROM = api("from_port", || AttrSchema::required(Type::Number).force_new(),
        |_, h| spec_value(h, |s| Value::int(s.from.into())));
    TO = api("to_port", || AttrSchema::required(Type::Number).force_new(),
        |_, h| spec_value(h, |s| Value::int(s.to.into())));
    CIDRS = api("cidr_blocks", || AttrSchema::optional(Type::List(Box::new(Type::String))).force_new(),
        |_, h| spec_value(h, |s| sources_of(s, is_v4)));
    CIDRS6 = api("ipv6_cidr_blocks", || AttrSchema::optional(Type::List(Box::new(Type::String))).force_new(),
        |_, h| spec_value(h, |s| sources_of(s, is_v6)));
    LISTS = api("prefix_list_ids", || AttrSchema::optional(Type::List(Box::new(Type::String))).force_new(),
        |_, h| spec_value(h, |s| sources_of(s, |x| x.starts_with("pl-"))));
    SOURCE = api("source_security_group_id",
        || AttrSchema::optional_computed(Type::String).force_new(),
        |_, h| spec_value(h, |s| {
            s.sources.iter().find(|x| x.starts_with("sg-")).map_or(Value::Null, |x| Value::from(x.as_str()))
        }));
    SELF_ = api("self", || AttrSchema::optional(Type::Bool).default(Value::Bool(false)).force_new(),
        |_, h| spec_value(h, |s| Value::Bool(s.sources.iter().any(|x| x == "self"))));
    DESCRIPTION = api("description", || AttrSchema::optional(Type::String),
        |_, h| parse(&h.key).and_then(|s| held(&h.group, &s)).flatten().map_or(Value::Null, Value::from));
}

#[async_trait]
impl Managed for SecurityGroupRule {
    type Api = Held;
    const TYPE_NAME: &'static str = "aws_security_group_rule";
    const NOUN: &'static str = "security group rule";
    const DESCRIBE: &'static str = "ec2:DescribeSecurityGroups";
    const IDENTITY: Identity = Identity::Composite;

    fn fields() -> &'static [&'static Field<Held>] {
        FIELDS
    }

    fn key(x: &Held) -> Option<String> {
        Some(x.key.clone())
    }

    fn state_key(state: &Value) -> Option<String> {
        key_of(state)
    }

    fn validate(&self, config: &Value) -> Vec<Invalid> {
        let set = |k: &str| {
            config
                .get_attr(k)
                .is_some_and(|v| !v.is_null() && v.as_seq().is_none_or(|s| !s.is_empty()))
        };
        let selfish = config.get_attr("self").and_then(Value::as_bool) == Some(true);
        let mut out = Vec::new();
        if let Some(t) = config.get_attr("type").and_then(Value::as_str) {
            if t != "ingress" && t != "egress" {
                out.push(Invalid::at(
                    &["type"],
                    "Invalid value",
                    format!("type must be \"ingress\" or \"egress\", not \"{t}\"."),
                ));
            }
        }
        let any = [
            "cidr_blocks",
            "ipv6_cidr_blocks",
            "prefix_list_ids",
            "source_security_group_id",
        ]
        .iter()
        .any(|k| set(k));
        if !any && !selfish {
            out.push(Invalid::at(&[], "Missing source", "one of cidr_blocks, ipv6_cidr_blocks, prefix_list_ids, self or source_security_group_id must be set."));
        }
        if set("source_security_group_id") && (set("cidr_blocks") || selfish) {
            out.push(Invalid::at(
                &["source_security_group_id"],
                "Conflicting configuration arguments",
                "\"source_security_group_id\": conflicts with cidr_blocks and self",
            ));
        }
        out
    }

    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Held>, ProviderError> {
        let specs: Vec<(String, Spec)> = by
            .keys()
            .iter()
            .filter_map(|k| Some((k.clone(), parse(k)?)))
            .collect();
        let mut groups: Vec<String> = specs.iter().map(|(_, s)| s.group.clone()).collect();
        groups.sort();
        groups.dedup();
        if groups.is_empty() {
            return Ok(Vec::new());
        }
        let f = Some(vec![filter("group-id", groups)]);
        let req = || c.ec2.describe_security_groups().set_filters(f.clone());
        let found = pages(Self::DESCRIBE, |t| req().set_next_token(t).send()).await?;
        Ok(specs
            .into_iter()
            .filter_map(|(key, s)| {
                let g = found
                    .iter()
                    .find(|g| g.group_id() == Some(s.group.as_str()))?;
                held(g, &s).map(|_| Held {
                    group: g.clone(),
                    key,
                })
            })
            .collect())
    }

    async fn create(
        &self,
        c: &Op<'_>,
        planned: &Value,
        _tags: &Tags,
    ) -> Result<Held, ProviderError> {
        let key = key_of(planned).ok_or_else(|| ProviderError::msg("the rule has no source"))?;
        let group = text(planned, "security_group_id").unwrap_or_default();
        let p = to_permission(&element(planned, true), &group);
        if text(planned, "type").as_deref() == Some("egress") {
            let req = c
                .ec2
                .authorize_security_group_egress()
                .group_id(&group)
                .ip_permissions(p);
            answer("ec2:AuthorizeSecurityGroupEgress", req.send().await)?;
        } else {
            let req = c
                .ec2
                .authorize_security_group_ingress()
                .group_id(&group)
                .ip_permissions(p);
            answer("ec2:AuthorizeSecurityGroupIngress", req.send().await)?;
        }
        Ok(Held {
            group: SecurityGroup::builder().group_id(group).build(),
            key,
        })
    }

    async fn update_attrs(
        &self,
        c: &Op<'_>,
        _key: &str,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        let group = text(planned, "security_group_id").unwrap_or_default();
        let p = to_permission(&element(planned, true), &group);
        if text(planned, "type").as_deref() == Some("egress") {
            let req = c
                .ec2
                .update_security_group_rule_descriptions_egress()
                .group_id(&group)
                .ip_permissions(p);
            answer(
                "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
                req.send().await,
            )?;
        } else {
            let req = c
                .ec2
                .update_security_group_rule_descriptions_ingress()
                .group_id(&group)
                .ip_permissions(p);
            answer(
                "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
                req.send().await,
            )?;
        }
        Ok(None)
    }

    /// An import has no configured spelling of the protocol: the key's.
    async fn complete(
        &self,
        _c: &AwsClients,
        key: &str,
        v: &mut Value,
    ) -> Result<(), ProviderError> {
        let spelled = key.split('_').nth(2).unwrap_or("-1").to_string();
        if let Some(m) = v.as_map_mut() {
            if m.get(PROTOCOL.name).is_none_or(Value::is_null) {
                PROTOCOL.set(m, Value::from(spelled));
            }
        }
        Ok(())
    }

    async fn import_key(&self, _c: &AwsClients, id: &str) -> Result<String, ProviderError> {
        import_parts(
            Self::TYPE_NAME,
            id,
            '_',
            "sg-id_type_protocol_from_to_source",
        )?;
        parse(id).map(|_| id.to_string()).ok_or_else(|| {
            ProviderError::msg(format!("invalid aws_security_group_rule import id \"{id}\": expected sg-id_type_protocol_from_to_source"))
        })
    }

    async fn delete(&self, c: &Op<'_>, key: &str) -> Result<(), ProviderError> {
        let Some(s) = parse(key) else { return Ok(()) };
        let Some(h) = crate::managed::read_one(self, c, key).await? else {
            return Ok(());
        };
        let v = crate::managed::from_api(self, c, &h, &Value::Null);
        let mut v = v;
        if let Some(m) = v.as_map_mut() {
            m.insert("protocol".into(), Value::from(s.protocol.as_str()));
        }
        let p = to_permission(&element(&v, false), &s.group);
        if s.egress {
            let req = c
                .ec2
                .revoke_security_group_egress()
                .group_id(&s.group)
                .ip_permissions(p);
            super::common::gone("ec2:RevokeSecurityGroupEgress", req.send().await)
        } else {
            let req = c
                .ec2
                .revoke_security_group_ingress()
                .group_id(&s.group)
                .ip_permissions(p);
            super::common::gone("ec2:RevokeSecurityGroupIngress", req.send().await)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> Value {
        Value::object([
            ("security_group_id", Value::from("sg-1")),
            ("type", Value::from("ingress")),
            ("protocol", Value::from("tcp")),
            ("from_port", Value::int(443)),
            ("to_port", Value::int(443)),
            (
                "cidr_blocks",
                Value::List(vec![Value::from("10.0.0.0/16"), Value::from("10.1.0.0/16")]),
            ),
            ("self", Value::Bool(false)),
        ])
    }

    #[test]
    fn the_key_is_terraforms_import_id_and_parses_back() {
        let k = key_of(&rule()).unwrap();
        assert_eq!(k, "sg-1_ingress_tcp_443_443_10.0.0.0/16_10.1.0.0/16");
        let s = parse(&k).unwrap();
        assert_eq!((s.egress, s.from, s.sources.len()), (false, 443, 2));
        assert!(rule_id(&k).starts_with("sgrule-"));
    }

    #[test]
    fn a_group_holds_the_rule_only_with_every_source() {
        let p = to_permission(&element(&rule(), true), "sg-1");
        let g = SecurityGroup::builder()
            .group_id("sg-1")
            .ip_permissions(p)
            .build();
        let s = parse("sg-1_ingress_6_443_443_10.0.0.0/16_10.1.0.0/16").unwrap();
        assert_eq!(held(&g, &s), Some(None));
        let missing = parse("sg-1_ingress_tcp_443_443_10.0.0.0/16_10.9.0.0/16").unwrap();
        assert_eq!(held(&g, &missing), None);
        let other_port = parse("sg-1_ingress_tcp_80_80_10.0.0.0/16").unwrap();
        assert_eq!(held(&g, &other_port), None);
    }
}
