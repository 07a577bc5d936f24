//! The default planning rule: the planned state is the proposed one, and a change of a
//! force-new attribute, at any depth of nested blocks, requires replacement. Paths are
//! written as Terraform prints them: `vpc_config[0].subnet_ids`, `tags`.

use super::{BlockSchema, Nesting, PlannedState, Schema};
use crate::lang::{Value, VecMap};

/// The default planning rule (see [`super::Resource::plan`]).
pub fn plan_by_schema(schema: &Schema, prior: Option<&Value>, proposed: Value) -> PlannedState {
    let mut proposed = proposed;
    nested_computed(schema, prior, &mut proposed);
    let mut requires_replace = Vec::new();
    if let (Some(prior), Some(new)) = (prior.and_then(Value::as_map), proposed.as_map()) {
        replace_paths(schema, prior, new, "", &mut requires_replace);
    }
    PlannedState {
        planned: proposed,
        requires_replace,
    }
}

/// Computed attributes inside single and list blocks (`vpc_config[0].vpc_id`): the engine's
/// proposed value takes blocks from configuration alone, so these are null there. They keep
/// the prior element's value at the same position, or are unknown where there is none (on
/// create, or for an added element). Set elements have no position to carry a value from.
fn nested_computed(schema: &Schema, prior: Option<&Value>, planned: &mut Value) {
    let Some(m) = planned.as_map_mut() else {
        return;
    };
    for (name, b) in &schema.blocks {
        let before = prior.and_then(|p| p.get_attr(name));
        let Some(v) = m.get_mut(name) else { continue };
        match (b.nesting, v) {
            (Nesting::Single, v @ Value::Map(_) | v @ Value::Object(_)) => {
                fill_element(&b.schema, before.filter(|p| !p.is_null()), v)
            }
            (Nesting::List, Value::List(xs)) => {
                for (i, x) in xs.iter_mut().enumerate() {
                    let p = before.and_then(Value::as_seq).and_then(|s| s.get(i));
                    fill_element(&b.schema, p, x);
                }
            }
            _ => {}
        }
    }
}

fn fill_element(schema: &Schema, prior: Option<&Value>, element: &mut Value) {
    if let Some(m) = element.as_map_mut() {
        for (name, a) in &schema.attributes {
            let unset = m.get(name).is_none_or(Value::is_null);
            if a.computed && unset {
                let p = prior.and_then(|p| p.get_attr(name)).cloned();
                let v = p.unwrap_or_else(|| Value::Unknown(a.ty.clone()));
                m.insert(name.clone(), v);
            }
        }
    }
    nested_computed(schema, prior, element);
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Appends the paths below `prefix` whose change forces replacement.
fn replace_paths(
    schema: &Schema,
    prior: &VecMap<String, Value>,
    new: &VecMap<String, Value>,
    prefix: &str,
    out: &mut Vec<String>,
) {
    for (name, a) in &schema.attributes {
        if !a.force_new {
            continue;
        }
        let before = prior.get(name).unwrap_or(&Value::Null);
        let after = new.get(name).unwrap_or(&Value::Null);
        if !after.is_wholly_known() || before != after {
            out.push(join(prefix, name));
        }
    }
    for (name, b) in &schema.blocks {
        let before = prior.get(name).unwrap_or(&Value::Null);
        let after = new.get(name).unwrap_or(&Value::Null);
        let path = join(prefix, name);
        if b.force_new {
            if before != after {
                out.push(path);
            }
            continue;
        }
        if has_force_new(&b.schema) {
            block_paths(b, before, after, &path, out);
        }
    }
}

/// A nested block: single and list blocks compare element by element (a missing element
/// counts as all-null, so adding a block that sets a force-new attribute replaces); a set has
/// no positions, so any difference in its elements' force-new parts replaces the whole set.
fn block_paths(b: &BlockSchema, before: &Value, after: &Value, path: &str, out: &mut Vec<String>) {
    let empty = VecMap::new();
    match b.nesting {
        Nesting::Single => replace_paths(
            &b.schema,
            object_or(Some(before), &empty),
            object_or(Some(after), &empty),
            path,
            out,
        ),
        Nesting::List => {
            let xs = before.as_seq().unwrap_or(&[]);
            let ys = after.as_seq().unwrap_or(&[]);
            for i in 0..xs.len().max(ys.len()) {
                let p = format!("{path}[{i}]");
                replace_paths(
                    &b.schema,
                    object_or(xs.get(i), &empty),
                    object_or(ys.get(i), &empty),
                    &p,
                    out,
                );
            }
        }
        Nesting::Set => {
            let project = |v: &Value| -> Vec<Value> {
                let mut parts: Vec<Value> = v
                    .as_seq()
                    .unwrap_or(&[])
                    .iter()
                    .map(|e| force_new_part(&b.schema, object_or(Some(e), &empty)))
                    .collect();
                parts.sort_by(crate::lang::value::compare);
                parts
            };
            let (p, q) = (project(before), project(after));
            if p != q || q.iter().any(|x| !x.is_wholly_known()) {
                out.push(path.to_string());
            }
        }
    }
}

fn object_or<'a>(
    v: Option<&'a Value>,
    empty: &'a VecMap<String, Value>,
) -> &'a VecMap<String, Value> {
    v.and_then(Value::as_map).unwrap_or(empty)
}

/// The force-new attributes of one block element, nested blocks included.
fn force_new_part(schema: &Schema, m: &VecMap<String, Value>) -> Value {
    let mut part = VecMap::new();
    for (name, a) in &schema.attributes {
        if a.force_new {
            part.insert(name.clone(), m.get(name).cloned().unwrap_or(Value::Null));
        }
    }
    for (name, b) in &schema.blocks {
        if b.force_new || has_force_new(&b.schema) {
            part.insert(name.clone(), m.get(name).cloned().unwrap_or(Value::Null));
        }
    }
    Value::Map(part)
}

fn has_force_new(schema: &Schema) -> bool {
    schema.attributes.values().any(|a| a.force_new)
        || schema
            .blocks
            .values()
            .any(|b| b.force_new || has_force_new(&b.schema))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Type;
    use crate::provider::AttrSchema;

    fn eks_like() -> Schema {
        let vpc = Schema::new()
            .attr(
                "subnet_ids",
                AttrSchema::required(Type::Set(Box::new(Type::String))).force_new(),
            )
            .attr("endpoint_public_access", AttrSchema::optional(Type::Bool));
        let enc = Schema::new()
            .attr("resources", AttrSchema::required(Type::Any).force_new())
            .attr("note", AttrSchema::optional(Type::String));
        Schema::new()
            .attr("name", AttrSchema::required(Type::String).force_new())
            .block("vpc_config", block(Nesting::List, vpc))
            .block("encryption_config", block(Nesting::Set, enc))
    }

    fn block(nesting: Nesting, schema: Schema) -> BlockSchema {
        BlockSchema {
            nesting,
            min_items: 0,
            max_items: None,
            force_new: false,
            schema,
        }
    }

    fn cluster(subnets: &[&str], public: bool, enc: &[(&str, &str)]) -> Value {
        let vpc = Value::map([
            (
                "subnet_ids",
                Value::set(subnets.iter().map(|s| Value::from(*s)).collect()),
            ),
            ("endpoint_public_access", Value::Bool(public)),
        ]);
        let enc = enc
            .iter()
            .map(|(r, n)| Value::map([("resources", Value::from(*r)), ("note", Value::from(*n))]))
            .collect();
        Value::map([
            ("name", Value::from("hub")),
            ("vpc_config", Value::List(vec![vpc])),
            ("encryption_config", Value::set(enc)),
        ])
    }

    fn paths(prior: &Value, new: Value) -> Vec<String> {
        plan_by_schema(&eks_like(), Some(prior), new).requires_replace
    }

    #[test]
    fn force_new_inside_a_list_block_names_its_element_path() {
        let prior = cluster(&["a", "b"], true, &[("secrets", "x")]);
        assert!(paths(&prior, cluster(&["a", "b"], false, &[("secrets", "x")])).is_empty());
        assert_eq!(
            paths(&prior, cluster(&["a", "c"], true, &[("secrets", "x")])),
            vec!["vpc_config[0].subnet_ids".to_string()]
        );
    }

    #[test]
    fn a_set_block_replaces_when_its_force_new_parts_differ() {
        let prior = cluster(&["a"], true, &[("secrets", "x")]);
        assert!(paths(&prior, cluster(&["a"], true, &[("secrets", "y")])).is_empty());
        assert_eq!(
            paths(&prior, cluster(&["a"], true, &[("other", "x")])),
            vec!["encryption_config".to_string()]
        );
        assert_eq!(
            paths(&prior, cluster(&["a"], true, &[])),
            vec!["encryption_config".to_string()]
        );
    }

    #[test]
    fn adding_a_list_block_with_a_force_new_value_replaces() {
        let mut prior = cluster(&["a"], true, &[]);
        if let Some(m) = prior.as_map_mut() {
            m.insert("vpc_config".into(), Value::List(vec![]));
        }
        assert_eq!(
            paths(&prior, cluster(&["a"], true, &[])),
            vec!["vpc_config[0].subnet_ids".to_string()]
        );
    }

    #[test]
    fn computed_attributes_in_blocks_are_unknown_on_create_and_kept_after() {
        let vpc = Schema::new()
            .attr("subnet_ids", AttrSchema::required(Type::String))
            .attr("vpc_id", AttrSchema::computed(Type::String))
            .attr("cidrs", AttrSchema::optional_computed(Type::String));
        let schema = Schema::new().block("vpc_config", block(Nesting::List, vpc));
        let cfg = |cidrs: Value| {
            Value::map([(
                "vpc_config",
                Value::List(vec![Value::map([
                    ("subnet_ids", Value::from("a")),
                    ("vpc_id", Value::Null),
                    ("cidrs", cidrs),
                ])]),
            )])
        };
        let created = plan_by_schema(&schema, None, cfg(Value::Null)).planned;
        let el = &created.get_attr("vpc_config").unwrap().as_seq().unwrap()[0];
        assert!(el.get_attr("vpc_id").unwrap().is_unknown());
        assert!(el.get_attr("cidrs").unwrap().is_unknown());
        let mut prior = cfg(Value::from("0.0.0.0/0"));
        if let Some(Value::List(xs)) = prior.as_map_mut().unwrap().get_mut("vpc_config") {
            xs[0]
                .as_map_mut()
                .unwrap()
                .insert("vpc_id".into(), Value::from("vpc-1"));
        }
        let planned = plan_by_schema(&schema, Some(&prior), cfg(Value::Null)).planned;
        assert_eq!(planned, prior);
        // A value the user sets wins over the prior one.
        let set = plan_by_schema(&schema, Some(&prior), cfg(Value::from("10.0.0.0/8"))).planned;
        let el = &set.get_attr("vpc_config").unwrap().as_seq().unwrap()[0];
        assert_eq!(el.get_attr("cidrs"), Some(&Value::from("10.0.0.0/8")));
    }

    #[test]
    fn an_unknown_force_new_value_replaces() {
        let prior = cluster(&["a"], true, &[]);
        let mut new = cluster(&["a"], true, &[]);
        if let Some(m) = new.as_map_mut() {
            m.insert("name".into(), Value::unknown());
        }
        assert_eq!(paths(&prior, new), vec!["name".to_string()]);
    }
}
