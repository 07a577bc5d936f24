//! Argument access with Terraform's automatic conversions (a number or bool where a string
//! is expected becomes its string form; a numeric string where a number is expected becomes
//! the number) and its wording for type errors.

use super::FuncError;
use crate::lang::VecMap;
use crate::lang::{Number, Value};

pub(super) fn err(index: usize, message: impl Into<String>) -> FuncError {
    FuncError::Arg {
        index,
        message: message.into(),
    }
}

/// The string form of a primitive value, as Terraform converts it; `None` for others.
pub(super) fn prim_str(v: &Value) -> Option<String> {
    match v.peel() {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(super) fn string(args: &[Value], i: usize) -> Result<String, FuncError> {
    str_of(&args[i], i)
}

/// A value as a string, for elements of collections (index is the argument's).
pub(super) fn str_of(v: &Value, i: usize) -> Result<String, FuncError> {
    prim_str(v).ok_or_else(|| err(i, format!("string required, got {}", v.type_name())))
}

pub(super) fn number(args: &[Value], i: usize) -> Result<Number, FuncError> {
    num_of(&args[i], i)
}

pub(super) fn num_of(v: &Value, i: usize) -> Result<Number, FuncError> {
    match v.peel() {
        Value::Number(n) => Ok(n.clone()),
        Value::String(s) => {
            Number::parse(s).ok_or_else(|| err(i, format!("a number is required, got \"{s}\"")))
        }
        other => Err(err(
            i,
            format!("a number is required, got {}", other.type_name()),
        )),
    }
}

/// A whole number that fits an i64 (indexes, counts, bit lengths), as gocty converts one.
pub(super) fn integer(args: &[Value], i: usize) -> Result<i64, FuncError> {
    let n = number(args, i)?;
    n.as_i64()
        .ok_or_else(|| err(i, format!("value must be a whole number, got {n}")))
}

pub(super) fn bool_of(v: &Value, i: usize) -> Result<bool, FuncError> {
    match v.peel() {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" => Ok(true),
        Value::String(s) if s == "false" => Ok(false),
        other => Err(err(
            i,
            format!("a bool is required, got {}", other.type_name()),
        )),
    }
}

/// The elements of a list, tuple or set argument.
pub(super) fn seq(args: &[Value], i: usize) -> Result<&[Value], FuncError> {
    args[i]
        .as_seq()
        .ok_or_else(|| err(i, format!("list required, got {}", args[i].type_name())))
}

/// Takes ownership of a list or set argument's elements.
pub(super) fn take_seq(args: &mut [Value], i: usize) -> Result<Vec<Value>, FuncError> {
    match std::mem::replace(&mut args[i], Value::Null) {
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => Ok(xs),
        other => Err(err(i, format!("list required, got {}", other.type_name()))),
    }
}

/// The sequences at `indexes` with all their elements converted to one common type, as
/// Terraform does for `list(any)`/`set(any)` parameters that must agree
/// (`setunion([1], ["a"])` is `["1", "a"]`).
pub(super) fn unified_seqs(
    args: &[Value],
    indexes: &[usize],
) -> Result<Vec<Vec<Value>>, FuncError> {
    let mut lens = Vec::new();
    let mut all = Vec::new();
    for &i in indexes {
        let xs = seq(args, i)?;
        lens.push(xs.len());
        all.extend_from_slice(xs);
    }
    let mut all = crate::lang::convert::unify(all)
        .ok_or_else(|| FuncError::Other("all elements must have the same type".into()))?
        .into_iter();
    Ok(lens
        .into_iter()
        .map(|n| all.by_ref().take(n).collect())
        .collect())
}

pub(super) fn map(args: &[Value], i: usize) -> Result<&VecMap<String, Value>, FuncError> {
    args[i]
        .as_map()
        .ok_or_else(|| err(i, format!("map required, got {}", args[i].type_name())))
}

/// Elements of a list argument converted to strings (nulls rejected).
pub(super) fn strings(args: &[Value], i: usize) -> Result<Vec<String>, FuncError> {
    seq(args, i)?
        .iter()
        .enumerate()
        .map(|(k, v)| {
            if v.is_null() {
                Err(err(i, format!("element {k} is null")))
            } else {
                str_of(v, i)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_follow_terraform() {
        let args = vec![
            Value::int(5),
            Value::from("2.5"),
            Value::from("x"),
            Value::Bool(true),
        ];
        assert_eq!(string(&args, 0).ok().as_deref(), Some("5"));
        assert_eq!(string(&args, 3).ok().as_deref(), Some("true"));
        assert_eq!(
            number(&args, 1).map(|n| n.to_string()).ok().as_deref(),
            Some("2.5")
        );
        assert!(matches!(
            number(&args, 2),
            Err(FuncError::Arg { index: 2, .. })
        ));
        assert!(integer(&args, 1).is_err());
        assert_eq!(
            seq(&args, 0).err(),
            Some(err(0, "list required, got number"))
        );
        assert_eq!(Number::parse("nan"), None);
    }
}
