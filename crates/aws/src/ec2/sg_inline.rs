//! The inline `ingress` / `egress` rule blocks of `aws_default_security_group`: their
//! schema (Terraform's: every list defaults to empty, `self` to false, `description` to
//! `""`, so a configured element and one read back have the same shape), and the mapping
//! between one element and EC2's `IpPermission`.

use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, UserIdGroupPair};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, BlockSchema, Nesting, Schema};
use std::collections::BTreeMap;

fn strs(set: bool) -> AttrSchema {
    let s = Box::new(Type::String);
    let (ty, empty) = if set {
        (Type::Set(s), Value::set(vec![]))
    } else {
        (Type::List(s), Value::List(vec![]))
    };
    AttrSchema::optional(ty).default(empty)
}

pub(super) fn block() -> BlockSchema {
    let s = Schema::new()
        .attr("from_port", AttrSchema::required(Type::Number))
        .attr("to_port", AttrSchema::required(Type::Number))
        .attr("protocol", AttrSchema::required(Type::String))
        .attr("cidr_blocks", strs(false))
        .attr("ipv6_cidr_blocks", strs(false))
        .attr("prefix_list_ids", strs(false))
        .attr("security_groups", strs(true))
        .attr(
            "self",
            AttrSchema::optional(Type::Bool).default(Value::Bool(false)),
        )
        .attr(
            "description",
            AttrSchema::optional(Type::String).default(Value::from("")),
        );
    BlockSchema {
        nesting: Nesting::Set,
        min_items: 0,
        max_items: None,
        force_new: false,
        schema: s,
    }
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

/// EC2's permission for one element of group `own` (`self` names it).
pub(super) fn to_permission(el: &Value, own: &str) -> IpPermission {
    let port = |k: &str| {
        el.get_attr(k)
            .and_then(|x| x.peel().as_number())
            .map(|n| n as i32)
    };
    let desc = el
        .get_attr("description")
        .and_then(Value::as_str)
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    let proto = el
        .get_attr("protocol")
        .and_then(Value::as_str)
        .unwrap_or("-1");
    let mut p = IpPermission::builder().ip_protocol(proto);
    if proto != "-1" {
        p = p
            .set_from_port(port("from_port"))
            .set_to_port(port("to_port"));
    }
    for c in list(el, "cidr_blocks") {
        p = p.ip_ranges(
            IpRange::builder()
                .cidr_ip(c)
                .set_description(desc.clone())
                .build(),
        );
    }
    for c in list(el, "ipv6_cidr_blocks") {
        p = p.ipv6_ranges(
            Ipv6Range::builder()
                .cidr_ipv6(c)
                .set_description(desc.clone())
                .build(),
        );
    }
    for l in list(el, "prefix_list_ids") {
        let pl = PrefixListId::builder()
            .prefix_list_id(l)
            .set_description(desc.clone());
        p = p.prefix_list_ids(pl.build());
    }
    let mut groups = list(el, "security_groups");
    if el.get_attr("self").and_then(Value::as_bool) == Some(true) {
        groups.push(own.to_string());
    }
    for g in groups {
        let pair = UserIdGroupPair::builder()
            .group_id(g)
            .set_description(desc.clone());
        p = p.user_id_group_pairs(pair.build());
    }
    p.build()
}

/// The sources of one description inside a permission.
#[derive(Default)]
struct Sources {
    cidrs: Vec<String>,
    v6: Vec<String>,
    lists: Vec<String>,
    groups: Vec<String>,
    own: bool,
}

/// The elements EC2's permissions make, one per permission and description (Terraform
/// splits a permission whose sources carry different descriptions the same way).
pub(super) fn from_permissions(perms: &[IpPermission], own: &str) -> Value {
    let mut out = Vec::new();
    for p in perms {
        let mut by: BTreeMap<String, Sources> = BTreeMap::new();
        let d = |x: Option<&str>| x.unwrap_or_default().to_string();
        for r in p.ip_ranges() {
            by.entry(d(r.description()))
                .or_default()
                .cidrs
                .extend(r.cidr_ip().map(str::to_string));
        }
        for r in p.ipv6_ranges() {
            by.entry(d(r.description()))
                .or_default()
                .v6
                .extend(r.cidr_ipv6().map(str::to_string));
        }
        for r in p.prefix_list_ids() {
            let e = by.entry(d(r.description())).or_default();
            e.lists.extend(r.prefix_list_id().map(str::to_string));
        }
        for g in p.user_id_group_pairs() {
            let e = by.entry(d(g.description())).or_default();
            match g.group_id() {
                Some(id) if id == own => e.own = true,
                Some(id) => e.groups.push(id.to_string()),
                None => {}
            }
        }
        for (desc, s) in by {
            let strs =
                |xs: &[String]| Value::List(xs.iter().map(|x| Value::from(x.as_str())).collect());
            let groups = Value::set(s.groups.iter().map(|x| Value::from(x.as_str())).collect());
            out.push(Value::object([
                ("from_port", Value::int(p.from_port().unwrap_or(0).into())),
                ("to_port", Value::int(p.to_port().unwrap_or(0).into())),
                ("protocol", Value::from(p.ip_protocol().unwrap_or("-1"))),
                ("cidr_blocks", strs(&s.cidrs)),
                ("ipv6_cidr_blocks", strs(&s.v6)),
                ("prefix_list_ids", strs(&s.lists)),
                ("security_groups", groups),
                ("self", Value::Bool(s.own)),
                ("description", Value::from(desc)),
            ]));
        }
    }
    Value::set(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(proto: &str, port: i64, cidrs: &[&str], own: bool, desc: &str) -> Value {
        Value::object([
            ("from_port", Value::int(port)),
            ("to_port", Value::int(port)),
            ("protocol", Value::from(proto)),
            (
                "cidr_blocks",
                Value::List(cidrs.iter().map(|c| Value::from(*c)).collect()),
            ),
            ("ipv6_cidr_blocks", Value::List(vec![])),
            ("prefix_list_ids", Value::List(vec![])),
            ("security_groups", Value::set(vec![])),
            ("self", Value::Bool(own)),
            ("description", Value::from(desc)),
        ])
    }

    #[test]
    fn an_element_round_trips_through_ec2s_permission() {
        for e in [
            el("tcp", 443, &["10.0.0.0/16"], false, "https"),
            el("-1", 0, &[], true, ""),
        ] {
            let p = to_permission(&e, "sg-own");
            assert_eq!(from_permissions(&[p], "sg-own"), Value::set(vec![e]));
        }
        let p = to_permission(&el("-1", 0, &[], true, ""), "sg-own");
        assert_eq!(p.from_port(), None, "all protocols: no ports sent");
        assert_eq!(p.user_id_group_pairs()[0].group_id(), Some("sg-own"));
    }
}
