//! Type constraints from expressions and Terraform's conversions to them.
//!
//! Conversion is where a loosely typed value (a tuple literal, an object literal, `"1"`)
//! meets a declared type (`list(number)`, `map(string)`, `object({...})`). Errors name the
//! path to the culprit (`element 2: a number is required`) so a user can find it in a large
//! variable value.

mod constraint;
mod unify;

pub use constraint::parse_constraint;
pub use unify::{unify, unify_types};

use super::{Number, ObjectAttr, Type, Value};
use crate::lang::VecMap;
use std::collections::BTreeMap;

/// Converts a value to a type as Terraform does (e.g. `"1"` → number, tuple → list,
/// object → map, missing optional attributes → default or null). Unknown values convert to
/// unknowns of the target type; marks are kept. The error says what was expected.
pub fn convert(value: Value, ty: &Type) -> Result<Value, String> {
    conv(value, ty).map_err(|e| e.to_string())
}

/// A conversion failure and the path to it, innermost step last.
struct ConvError {
    path: Vec<String>,
    message: String,
}

impl ConvError {
    fn new(message: impl Into<String>) -> Self {
        ConvError {
            path: Vec::new(),
            message: message.into(),
        }
    }

    fn at(mut self, step: String) -> Self {
        self.path.insert(0, step);
        self
    }
}

impl std::fmt::Display for ConvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for step in &self.path {
            write!(f, "{step}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

/// How Terraform names a type in "... required" messages (`list of string`).
pub fn friendly_name(ty: &Type) -> String {
    match ty {
        Type::Any => "any value".into(),
        Type::Bool => "bool".into(),
        Type::Number => "number".into(),
        Type::String => "string".into(),
        Type::List(t) => format!("list of {}", friendly_name(t)),
        Type::Set(t) => format!("set of {}", friendly_name(t)),
        Type::Map(t) => format!("map of {}", friendly_name(t)),
        Type::Object(_) => "object".into(),
        Type::Tuple(_) => "tuple".into(),
    }
}

fn mismatch(ty: &Type) -> ConvError {
    ConvError::new(format!("{} required", friendly_name(ty)))
}

fn conv(value: Value, ty: &Type) -> Result<Value, ConvError> {
    match value {
        Value::Sensitive(inner) => Ok(conv(*inner, ty)?.sensitive()),
        Value::Ephemeral(inner) => Ok(conv(*inner, ty)?.ephemeral()),
        Value::Unknown(own) => Ok(Value::Unknown(match ty {
            Type::Any => own,
            t => t.clone(),
        })),
        Value::Null => Ok(Value::Null),
        v => match ty {
            Type::Any => Ok(v),
            Type::String => to_string(v),
            Type::Number => to_number(v),
            Type::Bool => to_bool(v),
            Type::List(et) => match v {
                Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) if **et == Type::Any => {
                    Ok(Value::List(single_type(xs, "list")?))
                }
                Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                    Ok(Value::List(conv_elems(xs, et)?))
                }
                _ => Err(mismatch(ty)),
            },
            Type::Set(et) => match v {
                Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) if **et == Type::Any => {
                    Ok(Value::set(single_type(xs, "set")?))
                }
                Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                    Ok(Value::set(conv_elems(xs, et)?))
                }
                _ => Err(mismatch(ty)),
            },
            Type::Tuple(ts) => match v {
                Value::List(xs) | Value::Tuple(xs) if xs.len() == ts.len() => Ok(Value::Tuple(
                    xs.into_iter()
                        .zip(ts)
                        .enumerate()
                        .map(|(i, (x, t))| conv(x, t).map_err(|e| e.at(format!("element {i}"))))
                        .collect::<Result<_, _>>()?,
                )),
                Value::List(xs) | Value::Tuple(xs) => Err(ConvError::new(format!(
                    "tuple required with {} elements, got {}",
                    ts.len(),
                    xs.len()
                ))),
                _ => Err(mismatch(ty)),
            },
            Type::Map(et) => match v {
                Value::Map(m) | Value::Object(m) if **et == Type::Any => {
                    let (keys, vals): (Vec<String>, Vec<Value>) = m.into_iter().unzip();
                    let vals = single_type(vals, "map")?;
                    Ok(Value::Map(keys.into_iter().zip(vals).collect()))
                }
                Value::Map(m) | Value::Object(m) => Ok(Value::Map(
                    m.into_iter()
                        .map(|(k, x)| match conv(x, et) {
                            Ok(x) => Ok((k, x)),
                            Err(e) => Err(e.at(format!("element {k:?}"))),
                        })
                        .collect::<Result<_, _>>()?,
                )),
                _ => Err(mismatch(ty)),
            },
            Type::Object(attrs) => match v {
                Value::Map(m) | Value::Object(m) => to_object(m, attrs),
                _ => Err(mismatch(ty)),
            },
        },
    }
}

/// `list(any)` and friends: the elements must share one type, found by unification.
fn single_type(xs: Vec<Value>, kind: &str) -> Result<Vec<Value>, ConvError> {
    unify(xs).ok_or_else(|| ConvError::new(format!("{kind} of any single type required")))
}

fn conv_elems(xs: Vec<Value>, et: &Type) -> Result<Vec<Value>, ConvError> {
    xs.into_iter()
        .enumerate()
        .map(|(i, x)| conv(x, et).map_err(|e| e.at(format!("element {i}"))))
        .collect()
}

fn to_object(
    mut m: VecMap<String, Value>,
    attrs: &BTreeMap<String, ObjectAttr>,
) -> Result<Value, ConvError> {
    let mut out = crate::lang::VecMap::new();
    for (name, attr) in attrs {
        // A null stands for "absent" only where there is a default to put in its place: an
        // explicit null for a required attribute is a valid (null) value in Terraform.
        let v = match (m.remove(name), attr.optional) {
            (Some(v), _) if !v.is_null() || attr.default.is_none() => v,
            (_, true) => attr.default.clone().unwrap_or(Value::Null),
            (Some(null), false) => null,
            (None, false) => {
                return Err(ConvError::new(format!("attribute {name:?} is required")));
            }
        };
        let v = conv(v, &attr.ty).map_err(|e| e.at(format!("attribute {name:?}")))?;
        out.insert(name.clone(), v);
    }
    Ok(Value::Object(out))
}

fn to_string(v: Value) -> Result<Value, ConvError> {
    match v {
        Value::String(_) => Ok(v),
        Value::Number(n) => Ok(Value::String(n.to_string())),
        Value::Bool(b) => Ok(Value::String(b.to_string())),
        _ => Err(mismatch(&Type::String)),
    }
}

fn to_number(v: Value) -> Result<Value, ConvError> {
    match v {
        Value::Number(_) => Ok(v),
        Value::String(s) => Number::parse(&s)
            .map(Value::Number)
            .ok_or_else(|| ConvError::new("a number is required")),
        _ => Err(mismatch(&Type::Number)),
    }
}

fn to_bool(v: Value) -> Result<Value, ConvError> {
    match v {
        Value::Bool(_) => Ok(v),
        Value::String(s) => match s.as_str() {
            // cty also reads "1" and "0" (as `-var flag=1` gives).
            "true" | "1" => Ok(Value::Bool(true)),
            "false" | "0" => Ok(Value::Bool(false)),
            _ => Err(ConvError::new("a bool is required")),
        },
        _ => Err(mismatch(&Type::Bool)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }

    #[test]
    fn primitives_convert_when_lossless() {
        assert_eq!(convert("1".into(), &Type::Number), Ok(Value::int(1)));
        assert_eq!(convert("2.5".into(), &Type::Number), Ok(Value::number(2.5)));
        assert_eq!(convert("true".into(), &Type::Bool), Ok(Value::Bool(true)));
        assert_eq!(convert(Value::int(1), &Type::String), Ok("1".into()));
        assert_eq!(
            convert(Value::Bool(false), &Type::String),
            Ok("false".into())
        );
        assert_eq!(
            convert("abc".into(), &Type::Number),
            Err("a number is required".into())
        );
        assert_eq!(
            convert(" 1".into(), &Type::Number),
            Err("a number is required".into())
        );
        assert_eq!(
            convert("yes".into(), &Type::Bool),
            Err("a bool is required".into())
        );
        assert_eq!(
            convert(Value::int(1), &Type::Bool),
            Err("bool required".into())
        );
        assert_eq!(
            convert(Value::List(vec![]), &Type::String),
            Err("string required".into())
        );
    }

    #[test]
    fn collections_convert_elements_with_paths() {
        let v = Value::List(vec!["1".into(), Value::int(2)]);
        assert_eq!(
            convert(v, &list(Type::Number)),
            Ok(Value::List(vec![Value::int(1), Value::int(2)]))
        );
        let bad = Value::List(vec![Value::int(1), Value::int(2), "x".into()]);
        assert_eq!(
            convert(bad, &list(Type::Number)),
            Err("element 2: a number is required".into())
        );
        let set = convert(
            Value::List(vec!["b".into(), "a".into(), "b".into()]),
            &Type::Set(Box::new(Type::String)),
        );
        assert_eq!(set, Ok(Value::Set(vec!["a".into(), "b".into()])));
        assert_eq!(
            convert(Value::map([("a", Value::int(1))]), &list(Type::String)),
            Err("list of string required".into())
        );
        let m = convert(
            Value::map([("a", Value::int(1))]),
            &Type::Map(Box::new(Type::String)),
        );
        assert_eq!(m, Ok(Value::map([("a", Value::from("1"))])));
        let tuple = Type::Tuple(vec![Type::String, Type::Number]);
        assert_eq!(
            convert(Value::List(vec![Value::int(1), "2".into()]), &tuple),
            Ok(Value::Tuple(vec!["1".into(), Value::int(2)]))
        );
        assert!(convert(Value::List(vec![]), &tuple).is_err());
    }

    #[test]
    fn objects_apply_optional_defaults_and_drop_extras() {
        let mut attrs = BTreeMap::new();
        attrs.insert("name".to_string(), ObjectAttr::required(Type::String));
        attrs.insert(
            "size".to_string(),
            ObjectAttr {
                ty: Type::Number,
                optional: true,
                default: Some(Value::int(3)),
            },
        );
        attrs.insert(
            "tag".to_string(),
            ObjectAttr {
                ty: Type::String,
                optional: true,
                default: None,
            },
        );
        let ty = Type::Object(attrs);
        let v = Value::map([("name", Value::from("a")), ("extra", Value::Bool(true))]);
        assert_eq!(
            convert(v, &ty),
            Ok(Value::object([
                ("name", Value::from("a")),
                ("size", Value::int(3)),
                ("tag", Value::Null)
            ]))
        );
        assert_eq!(
            convert(Value::map([("size", Value::int(1))]), &ty),
            Err("attribute \"name\" is required".into())
        );
        let nested = list(ty);
        let v = Value::List(vec![Value::map([("name", Value::List(vec![]))])]);
        assert_eq!(
            convert(v, &nested),
            Err("element 0: attribute \"name\": string required".into())
        );
    }

    #[test]
    fn null_unknown_and_sensitive() {
        assert_eq!(convert(Value::Null, &Type::Number), Ok(Value::Null));
        assert_eq!(
            convert(Value::unknown(), &list(Type::String)),
            Ok(Value::Unknown(list(Type::String)))
        );
        assert_eq!(
            convert(Value::from("1").sensitive(), &Type::Number),
            Ok(Value::int(1).sensitive())
        );
        let v = Value::List(vec![Value::unknown(), "a".into()]);
        assert_eq!(
            convert(v, &list(Type::String)),
            Ok(Value::List(vec![Value::Unknown(Type::String), "a".into()]))
        );
    }
}
