//! Type unification: the single type Terraform finds for values that must share one (the
//! branches of a conditional, the elements of `tolist([...])`, the arguments of `coalesce`
//! or `setunion`), and the conversion of each value to it. Mirrors cty's rules so that
//! `true ? 1 : "a"` is `"1"` and `tolist([1, true])` is an error, as in Terraform.

use super::{conv, ObjectAttr, Type, Value};
use std::collections::BTreeMap;

/// Converts `values` to one common type, or `None` when they have none.
pub fn unify(values: Vec<Value>) -> Option<Vec<Value>> {
    let types: Vec<Type> = values.iter().map(Value::ty).collect();
    let ty = unify_types(&types)?;
    values.into_iter().map(|v| cast(v, &ty)).collect()
}

/// The common type of `types` (`Any` is a null or untyped unknown and fits anything).
pub fn unify_types(types: &[Type]) -> Option<Type> {
    let known: Vec<&Type> = types.iter().filter(|t| **t != Type::Any).collect();
    let Some(first) = known.first() else {
        return Some(Type::Any);
    };
    if known.iter().all(|t| t == first) {
        return Some((*first).clone());
    }
    let count = |f: fn(&Type) -> bool| known.iter().filter(|t| f(t)).count();
    let maps = count(|t| matches!(t, Type::Map(_)));
    let lists = count(|t| matches!(t, Type::List(_)));
    let sets = count(|t| matches!(t, Type::Set(_)));
    let objects = count(|t| matches!(t, Type::Object(_)));
    let tuples = count(|t| matches!(t, Type::Tuple(_)));
    let n = known.len();
    // cty: with a null or untyped unknown among collections or structures, the result
    // could take any shape once known, so it stays dynamic (values are left as they are).
    let dynamic = known.len() < types.len();
    if dynamic && maps + lists + sets + objects + tuples > 0 {
        return Some(Type::Any);
    }
    let elems = |ts: &[&Type]| -> Option<Type> {
        let all: Vec<Type> = ts.iter().flat_map(|t| element_types(t)).collect();
        unify_types(&all)
    };
    if maps + objects == n && maps + objects > 0 {
        if objects == n {
            return unify_objects(&known);
        }
        return Some(Type::Map(Box::new(elems(&known)?)));
    }
    if lists + tuples == n && lists + tuples > 0 {
        if tuples == n {
            return unify_tuples(&known);
        }
        return Some(Type::List(Box::new(elems(&known)?)));
    }
    if sets == n {
        return Some(Type::Set(Box::new(elems(&known)?)));
    }
    if objects > 0 && tuples > 0 {
        return None;
    }
    // Otherwise one of the given types must take all the others by safe conversion
    // (number and bool become string; never the reverse).
    known
        .iter()
        .find(|want| known.iter().all(|t| safe(t, want)))
        .map(|t| (*t).clone())
}

/// Element (or attribute) types of a collection or structural type.
fn element_types(t: &Type) -> Vec<Type> {
    match t {
        Type::List(e) | Type::Set(e) | Type::Map(e) => vec![(**e).clone()],
        Type::Tuple(ts) => ts.clone(),
        Type::Object(attrs) => attrs.values().map(|a| a.ty.clone()).collect(),
        _ => Vec::new(),
    }
}

/// Objects with the same attribute names unify attribute by attribute; otherwise they
/// can only be a map of one element type.
fn unify_objects(known: &[&Type]) -> Option<Type> {
    let names = |t: &Type| match t {
        Type::Object(a) => a.keys().cloned().collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    let first = names(known[0]);
    if known.iter().any(|t| names(t) != first) {
        let all: Vec<Type> = known.iter().flat_map(|t| element_types(t)).collect();
        return Some(Type::Map(Box::new(unify_types(&all)?)));
    }
    let mut attrs = BTreeMap::new();
    for name in first {
        let ts: Vec<Type> = known
            .iter()
            .filter_map(|t| match t {
                Type::Object(a) => a.get(&name).map(|a| a.ty.clone()),
                _ => None,
            })
            .collect();
        attrs.insert(name, ObjectAttr::required(unify_types(&ts)?));
    }
    Some(Type::Object(attrs))
}

/// Tuples of one length unify element by element; otherwise into a list.
fn unify_tuples(known: &[&Type]) -> Option<Type> {
    let len = element_types(known[0]).len();
    if known.iter().any(|t| element_types(t).len() != len) {
        let all: Vec<Type> = known.iter().flat_map(|t| element_types(t)).collect();
        return Some(Type::List(Box::new(unify_types(&all)?)));
    }
    let per: Option<Vec<Type>> = (0..len)
        .map(|i| {
            let ts: Vec<Type> = known.iter().map(|t| element_types(t)[i].clone()).collect();
            unify_types(&ts)
        })
        .collect();
    Some(Type::Tuple(per?))
}

/// Whether Terraform converts `from` to `to` without possible loss.
fn safe(from: &Type, to: &Type) -> bool {
    match (from, to) {
        (f, t) if f == t => true,
        (Type::Any, _) | (_, Type::Any) => true,
        (Type::Number | Type::Bool, Type::String) => true,
        (Type::List(a), Type::List(b)) | (Type::Set(a), Type::Set(b)) => safe(a, b),
        (Type::Map(a), Type::Map(b)) => safe(a, b),
        (Type::Tuple(ts), Type::List(e) | Type::Set(e)) => ts.iter().all(|t| safe(t, e)),
        (Type::Object(a), Type::Map(e)) => a.values().all(|x| safe(&x.ty, e)),
        _ => false,
    }
}

/// Converts a value to a unified type.
fn cast(v: Value, ty: &Type) -> Option<Value> {
    let cast_all = |xs: Vec<Value>, e: &Type| -> Option<Vec<Value>> {
        xs.into_iter().map(|x| cast(x, e)).collect()
    };
    match (v, ty) {
        (v @ Value::Null, _) | (v, Type::Any) => Some(v),
        (Value::Unknown(_), t) => Some(Value::Unknown(t.clone())),
        (Value::Sensitive(inner), t) => Some(cast(*inner, t)?.sensitive()),
        (Value::Ephemeral(inner), t) => Some(cast(*inner, t)?.ephemeral()),
        (Value::List(xs) | Value::Tuple(xs) | Value::Set(xs), Type::List(e)) => {
            Some(Value::List(cast_all(xs, e)?))
        }
        (Value::List(xs) | Value::Tuple(xs) | Value::Set(xs), Type::Set(e)) => {
            Some(Value::set(cast_all(xs, e)?))
        }
        (Value::List(xs) | Value::Tuple(xs), Type::Tuple(ts)) if xs.len() == ts.len() => {
            Some(Value::Tuple(
                xs.into_iter()
                    .zip(ts)
                    .map(|(x, t)| cast(x, t))
                    .collect::<Option<_>>()?,
            ))
        }
        (Value::Map(m) | Value::Object(m), Type::Map(e)) => Some(Value::Map(
            m.into_iter()
                .map(|(k, x)| Some((k, cast(x, e)?)))
                .collect::<Option<_>>()?,
        )),
        (Value::Map(m) | Value::Object(m), Type::Object(attrs)) => Some(Value::Object(
            m.into_iter()
                .map(|(k, x)| {
                    let t = attrs.get(&k).map(|a| &a.ty).unwrap_or(&Type::Any);
                    Some((k, cast(x, t)?))
                })
                .collect::<Option<_>>()?,
        )),
        (v, t @ (Type::String | Type::Number | Type::Bool)) => conv(v, t).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(xs: &[&str]) -> Value {
        Value::List(xs.iter().map(|x| Value::from(*x)).collect())
    }

    #[test]
    fn primitives_unify_to_string_only_when_a_string_is_present() {
        assert_eq!(
            unify(vec![Value::int(1), Value::from("a")]),
            Some(vec![Value::from("1"), Value::from("a")])
        );
        assert_eq!(unify(vec![Value::int(1), Value::Bool(true)]), None);
        assert_eq!(
            unify(vec![Value::Null, Value::int(1)]),
            Some(vec![Value::Null, Value::int(1)])
        );
    }

    #[test]
    fn tuples_and_objects_unify_structurally() {
        let one = Value::List(vec![Value::int(1)]);
        assert_eq!(
            unify(vec![one.clone(), strs(&["a", "b"])]),
            Some(vec![strs(&["1"]), strs(&["a", "b"])])
        );
        assert_eq!(unify(vec![one, Value::map([("a", Value::int(1))])]), None);
        let a = Value::map([("a", Value::int(1))]);
        let b = Value::map([("b", Value::from("x"))]);
        assert_eq!(
            unify(vec![a, b.clone()]),
            Some(vec![Value::map([("a", Value::from("1"))]), b])
        );
    }
}
