//! The nested blocks of `aws_eks_node_group` (`scaling_config`, `update_config`, `taint`,
//! `remote_access`) and its computed `resources`: schemas, reads and request parts.

use super::{first, int, list_of, object_ty, one_block, s, str_set, strings, strings_ty};
use aws_sdk_eks::types::{
    Nodegroup as Api, NodegroupScalingConfig, NodegroupUpdateConfig, RemoteAccessConfig, Taint,
    TaintEffect, UpdateLabelsPayload, UpdateTaintsPayload,
};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, BlockSchema, Invalid, Nesting, Schema};
use std::collections::BTreeMap;

pub(super) fn scaling_config() -> BlockSchema {
    let n = || AttrSchema::required(Type::Number);
    let s = Schema::new()
        .attr("desired_size", n())
        .attr("min_size", n())
        .attr("max_size", n());
    one_block(s, 1)
}

fn num(x: Option<i32>) -> Value {
    x.map_or(Value::Null, |n| Value::int(n.into()))
}

pub(super) fn read_scaling(x: &Api) -> Value {
    let Some(c) = x.scaling_config() else {
        return Value::Null;
    };
    Value::List(vec![Value::object([
        ("desired_size", num(c.desired_size())),
        ("min_size", num(c.min_size())),
        ("max_size", num(c.max_size())),
    ])])
}

pub(super) fn scaling_request(planned: &Value) -> NodegroupScalingConfig {
    let c = first(planned, "scaling_config");
    NodegroupScalingConfig::builder()
        .set_desired_size(int(c, "desired_size"))
        .set_min_size(int(c, "min_size"))
        .set_max_size(int(c, "max_size"))
        .build()
}

pub(super) fn update_config() -> BlockSchema {
    let n = || AttrSchema::optional(Type::Number);
    let s = Schema::new()
        .attr("max_unavailable", n())
        .attr("max_unavailable_percentage", n());
    one_block(s, 0)
}

/// Not reported (CreateNodegroup of an emulator drops it): null, state keeps what was set.
pub(super) fn read_update_config(x: &Api) -> Value {
    let Some(u) = x.update_config() else {
        return Value::Null;
    };
    Value::List(vec![Value::object([
        ("max_unavailable", num(u.max_unavailable())),
        (
            "max_unavailable_percentage",
            num(u.max_unavailable_percentage()),
        ),
    ])])
}

pub(super) fn update_config_request(planned: &Value) -> Option<NodegroupUpdateConfig> {
    let u = first(planned, "update_config");
    if u.is_null() {
        return None;
    }
    Some(
        NodegroupUpdateConfig::builder()
            .set_max_unavailable(int(u, "max_unavailable"))
            .set_max_unavailable_percentage(int(u, "max_unavailable_percentage"))
            .build(),
    )
}

/// `update_config` sets exactly one of its two arguments (Terraform's ExactlyOneOf).
pub(super) fn validate_update_config(config: &Value) -> Vec<Invalid> {
    let u = first(config, "update_config");
    if u.is_null() {
        return Vec::new();
    }
    let names = ["max_unavailable", "max_unavailable_percentage"];
    let found = hubctl_core::provider::validate::exactly_one_of(u, &names);
    found
        .map(|mut f| {
            let mut path = vec!["update_config".to_string(), "0".to_string()];
            path.append(&mut f.path);
            f.path = path;
            f
        })
        .into_iter()
        .collect()
}

pub(super) fn taint() -> BlockSchema {
    let s = Schema::new()
        .attr("key", AttrSchema::required(Type::String))
        .attr("value", AttrSchema::optional(Type::String))
        .attr("effect", AttrSchema::required(Type::String));
    BlockSchema {
        nesting: Nesting::Set,
        min_items: 0,
        max_items: Some(50),
        force_new: false,
        schema: s,
    }
}

pub(super) fn read_taints(x: &Api) -> Value {
    let one = |t: &Taint| {
        let o = |s: Option<&str>| s.map_or(Value::Null, Value::from);
        Value::object([
            ("key", o(t.key())),
            ("value", o(t.value())),
            ("effect", o(t.effect().map(|e| e.as_str()))),
        ])
    };
    Value::set(x.taints().iter().map(one).collect())
}

fn taints_of(v: &Value) -> Vec<Taint> {
    let xs = v
        .get_attr("taint")
        .and_then(Value::as_seq)
        .unwrap_or_default();
    xs.iter()
        .map(|t| {
            Taint::builder()
                .set_key(s(t, "key"))
                .set_value(s(t, "value"))
                .set_effect(s(t, "effect").map(|e| TaintEffect::from(e.as_str())))
                .build()
        })
        .collect()
}

pub(super) fn taints_request(planned: &Value) -> Option<Vec<Taint>> {
    Some(taints_of(planned)).filter(|t| !t.is_empty())
}

/// The taints to add or change and to remove, from `prior` to `planned` (a taint is named
/// by its key and effect).
pub(super) fn taints_update(prior: &Value, planned: &Value) -> Option<UpdateTaintsPayload> {
    let (old, new) = (taints_of(prior), taints_of(planned));
    let same = |a: &Taint, b: &Taint| a.key() == b.key() && a.effect() == b.effect();
    let add: Vec<Taint> = new.iter().filter(|t| !old.contains(t)).cloned().collect();
    let remove: Vec<Taint> = old
        .iter()
        .filter(|t| !new.iter().any(|n| same(n, t)))
        .cloned()
        .collect();
    if add.is_empty() && remove.is_empty() {
        return None;
    }
    let p = UpdateTaintsPayload::builder();
    let p = p.set_add_or_update_taints(Some(add).filter(|a| !a.is_empty()));
    Some(
        p.set_remove_taints(Some(remove).filter(|r| !r.is_empty()))
            .build(),
    )
}

/// The labels to add or change and to remove.
pub(super) fn labels_update(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Option<UpdateLabelsPayload> {
    let (set, remove) = crate::tags::changes(old, new);
    if set.is_empty() && remove.is_empty() {
        return None;
    }
    let p = UpdateLabelsPayload::builder();
    let p = p.set_add_or_update_labels(
        Some(set.into_iter().collect()).filter(|m: &std::collections::HashMap<_, _>| !m.is_empty()),
    );
    Some(
        p.set_remove_labels(Some(remove).filter(|r| !r.is_empty()))
            .build(),
    )
}

pub(super) fn remote_access() -> BlockSchema {
    let s = Schema::new()
        .attr("ec2_ssh_key", AttrSchema::optional(Type::String))
        .attr(
            "source_security_group_ids",
            AttrSchema::optional(strings_ty(true)),
        );
    BlockSchema {
        force_new: true,
        ..one_block(s, 0)
    }
}

pub(super) fn read_remote_access(x: &Api) -> Value {
    let Some(r) = x.remote_access() else {
        return Value::List(vec![]);
    };
    Value::List(vec![Value::object([
        (
            "ec2_ssh_key",
            r.ec2_ssh_key().map_or(Value::Null, Value::from),
        ),
        (
            "source_security_group_ids",
            str_set(r.source_security_groups()),
        ),
    ])])
}

pub(super) fn remote_access_request(planned: &Value) -> Option<RemoteAccessConfig> {
    let r = first(planned, "remote_access");
    if r.is_null() {
        return None;
    }
    let groups = strings(r.get_attr("source_security_group_ids"));
    Some(
        RemoteAccessConfig::builder()
            .set_ec2_ssh_key(s(r, "ec2_ssh_key"))
            .set_source_security_groups(Some(groups).filter(|g| !g.is_empty()))
            .build(),
    )
}

pub(super) fn resources_ty() -> Type {
    let asg = list_of(object_ty(&[("name", Type::String)]));
    list_of(object_ty(&[
        ("autoscaling_groups", asg),
        ("remote_access_security_group_id", Type::String),
    ]))
}

pub(super) fn read_resources(x: &Api) -> Value {
    let Some(r) = x.resources() else {
        return Value::List(vec![]);
    };
    let asg = r
        .auto_scaling_groups()
        .iter()
        .map(|g| Value::object([("name", g.name().map_or(Value::Null, Value::from))]));
    let sg = r
        .remote_access_security_group()
        .map_or(Value::Null, Value::from);
    Value::List(vec![Value::object([
        ("autoscaling_groups", Value::List(asg.collect())),
        ("remote_access_security_group_id", sg),
    ])])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(taints: &[(&str, &str, &str)]) -> Value {
        let t = taints
            .iter()
            .map(|(k, v, e)| {
                Value::object([
                    ("key", Value::from(*k)),
                    ("value", Value::from(*v)),
                    ("effect", Value::from(*e)),
                ])
            })
            .collect();
        Value::object([("taint", Value::set(t))])
    }

    #[test]
    fn taint_changes_add_what_is_new_and_remove_what_is_gone() {
        let prior = group(&[("a", "1", "NO_SCHEDULE"), ("b", "1", "NO_EXECUTE")]);
        assert!(taints_update(&prior, &prior).is_none());
        let planned = group(&[("a", "2", "NO_SCHEDULE")]);
        let p = taints_update(&prior, &planned).unwrap();
        assert_eq!(p.add_or_update_taints().len(), 1);
        assert_eq!(p.add_or_update_taints()[0].value(), Some("2"));
        assert_eq!(p.remove_taints().len(), 1);
        assert_eq!(p.remove_taints()[0].key(), Some("b"));
    }

    #[test]
    fn update_config_needs_exactly_one_argument() {
        let cfg = |a: Value, b: Value| {
            Value::object([(
                "update_config",
                Value::List(vec![Value::object([
                    ("max_unavailable", a),
                    ("max_unavailable_percentage", b),
                ])]),
            )])
        };
        assert!(validate_update_config(&cfg(Value::int(1), Value::Null)).is_empty());
        let both = validate_update_config(&cfg(Value::int(1), Value::int(10)));
        assert_eq!(
            both[0].path,
            ["update_config", "0", "max_unavailable_percentage"]
        );
        assert_eq!(
            validate_update_config(&cfg(Value::Null, Value::Null)).len(),
            1
        );
    }
}
