//! The drift report (`hubctl drift`): what changed outside hubctl since the last apply,
//! attribute by attribute, for a scheduled pipeline to alert on. A plan's `resource_drift`
//! holds whole objects; a pipeline wants the few attributes that moved. A value marked
//! sensitive on either side is never shown, only that it changed.

use super::diff::same;
use super::model::{Action, Plan, ResourceChange};
use crate::lang::Value;
use serde_json::{json, Value as J};

/// One attribute that differs between the state and the remote object.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftedAttribute {
    /// Terraform's path syntax: `tags["Name"]`, `ingress[0].cidr_blocks`.
    pub path: String,
    /// `None` when absent on that side, or when `sensitive`.
    pub before: Option<J>,
    pub after: Option<J>,
    pub sensitive: bool,
}

/// The attributes that differ between `before` and `after`, leaves first in path order.
/// Sets are compared whole (their elements have no stable path).
pub fn drifted_attributes(before: &Value, after: &Value) -> Vec<DriftedAttribute> {
    let mut out = Vec::new();
    walk("", Some(before), Some(after), false, &mut out);
    out
}

fn walk(
    path: &str,
    b: Option<&Value>,
    a: Option<&Value>,
    secret: bool,
    out: &mut Vec<DriftedAttribute>,
) {
    let secret = secret || b.is_some_and(Value::is_sensitive) || a.is_some_and(Value::is_sensitive);
    match (b.map(Value::peel), a.map(Value::peel)) {
        (Some(x), Some(y)) if same(x, y) => {}
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            for k in keys(x.iter().map(|(k, _)| k), y.iter().map(|(k, _)| k)) {
                walk(
                    &format!("{path}{}{k}", if path.is_empty() { "" } else { "." }),
                    x.get(&k),
                    y.get(&k),
                    secret,
                    out,
                );
            }
        }
        (Some(Value::Map(x)), Some(Value::Map(y))) => {
            for k in keys(x.iter().map(|(k, _)| k), y.iter().map(|(k, _)| k)) {
                walk(
                    &format!("{path}[{}]", J::String(k.clone())),
                    x.get(&k),
                    y.get(&k),
                    secret,
                    out,
                );
            }
        }
        (Some(Value::List(x) | Value::Tuple(x)), Some(Value::List(y) | Value::Tuple(y))) => {
            for i in 0..x.len().max(y.len()) {
                walk(&format!("{path}[{i}]"), x.get(i), y.get(i), secret, out);
            }
        }
        (None, None) => {}
        _ => out.push(DriftedAttribute {
            path: path.to_string(),
            before: b.filter(|_| !secret).map(Value::to_json_redacted),
            after: a.filter(|_| !secret).map(Value::to_json_redacted),
            sensitive: secret,
        }),
    }
}

/// The union of two key lists, sorted.
fn keys<'a>(
    x: impl Iterator<Item = &'a String>,
    y: impl Iterator<Item = &'a String>,
) -> Vec<String> {
    let mut all: Vec<String> = x.chain(y).cloned().collect();
    all.sort();
    all.dedup();
    all
}

/// What one drifted resource instance reports: updated with its attributes, or deleted.
fn resource_json(c: &ResourceChange) -> J {
    let deleted = c.action == Action::Delete;
    let attrs: Vec<J> = match (&c.before, &c.after) {
        (Some(b), Some(a)) if !deleted => drifted_attributes(b, a)
            .into_iter()
            .map(|d| json!({"path": d.path, "before": d.before, "after": d.after, "sensitive": d.sensitive}))
            .collect(),
        _ => Vec::new(),
    };
    json!({
        "address": c.address,
        "type": c.type_name,
        "provider_name": c.provider,
        "drift": if deleted { "deleted" } else { "updated" },
        "attributes": attrs,
    })
}

/// The report as JSON: `drifted`, one entry per drifted instance, and the counts.
pub fn report_json(plan: &Plan) -> J {
    let resources: Vec<J> = plan.drift.iter().map(resource_json).collect();
    let attributes: usize = resources
        .iter()
        .map(|r| r["attributes"].as_array().map_or(0, Vec::len))
        .sum();
    json!({
        "format_version": "1.0",
        "hubctl_version": plan.hubctl_version,
        "timestamp": plan.timestamp,
        "drifted": !resources.is_empty(),
        "resources": resources,
        "summary": {"resources": plan.drift.len(), "attributes": attributes},
    })
}

/// The report for a person: one block per drifted instance, one line per attribute.
pub fn render_report(plan: &Plan) -> String {
    if plan.drift.is_empty() {
        return "No drift: the remote objects match the state.\n".to_string();
    }
    let show = |v: &Option<J>, secret: bool| match (v, secret) {
        (_, true) => "(sensitive value)".to_string(),
        (None, _) => "(absent)".to_string(),
        (Some(v), _) => v.to_string(),
    };
    let mut s = String::new();
    for c in &plan.drift {
        if c.action == Action::Delete {
            s.push_str(&format!("{}: deleted outside hubctl\n", c.address));
            continue;
        }
        s.push_str(&format!("{}: changed outside hubctl\n", c.address));
        if let (Some(b), Some(a)) = (&c.before, &c.after) {
            for d in drifted_attributes(b, a) {
                s.push_str(&format!(
                    "  {}: {} -> {}\n",
                    d.path,
                    show(&d.before, d.sensitive),
                    show(&d.after, d.sensitive)
                ));
            }
        }
    }
    s.push_str(&format!(
        "\nDrift: {} resource instance(s).\n",
        plan.drift.len()
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(kv: &[(&str, Value)]) -> Value {
        Value::Object(kv.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    fn map(kv: &[(&str, &str)]) -> Value {
        Value::Map(
            kv.iter()
                .map(|(k, v)| (k.to_string(), Value::string(*v)))
                .collect(),
        )
    }

    #[test]
    fn only_the_attributes_that_moved_are_listed_with_terraforms_paths() {
        let before = obj(&[
            ("cidr_block", Value::string("10.0.0.0/16")),
            ("tags", map(&[("Name", "hub"), ("team", "platform")])),
            (
                "ports",
                Value::List(vec![Value::from(80), Value::from(443)]),
            ),
        ]);
        let after = obj(&[
            ("cidr_block", Value::string("10.0.0.0/16")),
            ("tags", map(&[("Name", "hub"), ("owner", "someone")])),
            (
                "ports",
                Value::List(vec![Value::from(80), Value::from(8443)]),
            ),
        ]);
        let got: Vec<(String, Option<J>, Option<J>)> = drifted_attributes(&before, &after)
            .into_iter()
            .map(|d| (d.path, d.before, d.after))
            .collect();
        assert_eq!(
            got,
            [
                ("ports[1]".to_string(), Some(json!(443)), Some(json!(8443))),
                ("tags[\"owner\"]".to_string(), None, Some(json!("someone"))),
                ("tags[\"team\"]".to_string(), Some(json!("platform")), None),
            ]
        );
    }

    #[test]
    fn a_sensitive_value_is_reported_changed_but_never_shown() {
        let secret = |s: &str| Value::Sensitive(Box::new(Value::string(s)));
        let before = obj(&[
            ("password", secret("hunter2")),
            ("name", Value::string("a")),
        ]);
        let after = obj(&[
            ("password", secret("letmein")),
            ("name", Value::string("a")),
        ]);
        let d = drifted_attributes(&before, &after);
        assert_eq!(
            d,
            [DriftedAttribute {
                path: "password".into(),
                before: None,
                after: None,
                sensitive: true
            }]
        );
        let nested = obj(&[(
            "conn",
            Value::Sensitive(Box::new(obj(&[("pw", Value::string("x"))]))),
        )]);
        let moved = obj(&[(
            "conn",
            Value::Sensitive(Box::new(obj(&[("pw", Value::string("y"))]))),
        )]);
        let d = drifted_attributes(&nested, &moved);
        assert_eq!(
            (d[0].path.as_str(), d[0].sensitive, &d[0].after),
            ("conn.pw", true, &None)
        );
    }
}
