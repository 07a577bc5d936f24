//! From prior state and configuration to a proposed state and an action.

use super::model::Action;
use crate::config::Lifecycle;
use crate::lang::Value;
use crate::provider::{PlannedState, Schema};

/// Terraform's "proposed new state": configuration where set; for computed attributes left
/// unset, the prior value (or unknown on create); `ignore_changes` attributes keep the prior.
pub fn proposed(
    schema: &Schema,
    prior: Option<&Value>,
    config: &Value,
    lifecycle: &Lifecycle,
) -> Value {
    let cfg = config.as_map().cloned().unwrap_or_default();
    let prior_map = prior.and_then(Value::as_map);
    let mut out = crate::lang::VecMap::new();
    for (name, a) in &schema.attributes {
        let c = cfg.get(name).cloned().unwrap_or(Value::Null);
        let p = prior_map.and_then(|m| m.get(name));
        let v = if let (Some(pv), true) = (
            p,
            lifecycle.ignore_all_changes || lifecycle.ignore_changes.iter().any(|i| i == name),
        ) {
            pv.clone()
        } else if !c.is_null() || !a.computed {
            c
        } else {
            match p {
                Some(pv) => pv.clone(),
                None => Value::Unknown(a.ty.clone()),
            }
        };
        out.insert(name.clone(), v.mark_if(a.sensitive));
    }
    for name in schema.blocks.keys() {
        let c = cfg.get(name).cloned().unwrap_or(Value::Null);
        let ignored =
            lifecycle.ignore_all_changes || lifecycle.ignore_changes.iter().any(|i| i == name);
        let v = match (prior_map.and_then(|m| m.get(name)), ignored) {
            (Some(pv), true) => pv.clone(),
            _ => c,
        };
        out.insert(name.clone(), v);
    }
    Value::Object(out)
}

/// Equality that ignores sensitivity marks (a value does not change by being marked).
pub fn same(a: &Value, b: &Value) -> bool {
    a.clone().deep_unmark().0 == b.clone().deep_unmark().0
}

/// Equality of contents whatever the kinds: a set, list or tuple of the same elements, a
/// map or object of the same entries (an output written before types were kept in state
/// comes back with JSON's tuples and objects).
pub fn same_loose(a: &Value, b: &Value) -> bool {
    fn loosen(v: Value) -> Value {
        match v {
            Value::Set(xs) | Value::List(xs) | Value::Tuple(xs) => {
                Value::List(xs.into_iter().map(loosen).collect())
            }
            Value::Map(m) | Value::Object(m) => {
                Value::Map(m.into_iter().map(|(k, v)| (k, loosen(v))).collect())
            }
            v => v,
        }
    }
    loosen(a.clone().deep_unmark().0) == loosen(b.clone().deep_unmark().0)
}

/// The action for an instance.
pub fn decide(
    prior: Option<&Value>,
    tainted: bool,
    planned: &PlannedState,
    lifecycle: &Lifecycle,
) -> Action {
    let replace = if lifecycle.create_before_destroy {
        Action::CreateThenDelete
    } else {
        Action::DeleteThenCreate
    };
    match prior {
        None => Action::Create,
        Some(_) if tainted || !planned.requires_replace.is_empty() => replace,
        Some(p) if same(p, &planned.planned) => Action::NoOp,
        Some(_) => Action::Update,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Type;
    use crate::provider::AttrSchema;

    #[test]
    fn computed_attributes_keep_prior_or_become_unknown() {
        let s = Schema::new()
            .attr("id", AttrSchema::computed(Type::String))
            .attr("name", AttrSchema::optional(Type::String));
        let cfg = Value::map([("name", Value::from("a"))]);
        let p = proposed(&s, None, &cfg, &Lifecycle::default());
        assert!(p.get_attr("id").unwrap().is_unknown());
        let prior = Value::object([("id", Value::from("i-1")), ("name", Value::from("b"))]);
        let p = proposed(&s, Some(&prior), &cfg, &Lifecycle::default());
        assert_eq!(p.get_attr("id"), Some(&Value::from("i-1")));
        let lc = Lifecycle {
            ignore_changes: vec!["name".into()],
            ..Default::default()
        };
        assert_eq!(proposed(&s, Some(&prior), &cfg, &lc), prior);
    }
}
