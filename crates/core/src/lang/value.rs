//! The value model. Like Terraform's cty, "not known until apply" and the marks
//! ("sensitive", "ephemeral"; see `lang::marks`) live inside the value, so they flow through operators, functions, templates and diffs without
//! every caller special-casing them.

use super::types::Type;
use super::vecmap::VecMap;

pub use super::number::Number;

/// A configuration or state value.
///
/// The kinds are Terraform's (cty's): a `[a, b]` literal is a `Tuple` and `{a = 1}` an
/// `Object`; `tolist`/`tomap`, type constraints and schemas make `List`s and `Map`s. A list's
/// elements share one type, a tuple's need not; the same for maps and objects. Keys are kept
/// sorted, as Terraform prints them; `Set` holds distinct elements in a canonical order.
/// Code that only reads elements should use [`Value::as_seq`] and [`Value::as_map`], which
/// see every kind of sequence and of string-keyed record.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Tuple(Vec<Value>),
    Set(Vec<Value>),
    Map(VecMap<String, Value>),
    Object(VecMap<String, Value>),
    /// Known only after apply; carries the type when the type is known.
    Unknown(Type),
    /// A value marked sensitive: it must never be printed.
    Sensitive(Box<Value>),
    /// A value marked ephemeral (Terraform 1.10): it exists only during one run and must
    /// never be stored in state or a plan file. When both marks apply, this one is outside:
    /// `Ephemeral(Sensitive(v))` (see `lang::marks`).
    Ephemeral(Box<Value>),
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// An f64 as a number (53 bits of precision, as cty's `NumberFloatVal`); NaN, which
    /// no Terraform number is, becomes null.
    pub fn number(n: impl Into<f64>) -> Value {
        Number::from_f64(n.into()).map_or(Value::Null, Value::Number)
    }

    pub fn int(n: i64) -> Value {
        Value::Number(Number::int(n))
    }

    pub fn unknown() -> Value {
        Value::Unknown(Type::Any)
    }

    pub fn map<K: Into<String>>(items: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(items.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn object<K: Into<String>>(items: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(items.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// Builds a set: sorts and removes duplicates.
    pub fn set(mut items: Vec<Value>) -> Value {
        items.sort_by(compare);
        items.dedup();
        Value::Set(items)
    }

    // The accessors below see only an unmarked value: a marked one answers `None`, so no
    // secret leaves through them unnoticed. Reading through a mark is spelled out at the
    // call site, `v.peel().as_str()` or `v.peel_marked()`.

    /// The string; `None` for any other kind and for a sensitive string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as the nearest f64 (lossy beyond 53 bits: for providers' attributes).
    pub fn as_number(&self) -> Option<f64> {
        self.as_num().map(Number::to_f64)
    }

    /// The number itself, exact.
    pub fn as_num(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// Entries of a map or object. A marked value has none: see [`Value::peel_marked`].
    pub fn as_map(&self) -> Option<&VecMap<String, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Entries of a map or object, to change in place.
    pub fn as_map_mut(&mut self) -> Option<&mut VecMap<String, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Elements of a list, tuple or set. A marked value has none: see [`Value::peel_marked`].
    pub fn as_seq(&self) -> Option<&[Value]> {
        match self {
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => Some(xs),
            _ => None,
        }
    }

    /// Attribute of an object/map value (`None` if absent, not a map, or marked as a whole).
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(name))
    }

    /// The name of the value's kind as Terraform's messages say it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
            Value::Unknown(_) => "unknown",
            Value::Sensitive(v) | Value::Ephemeral(v) => v.type_name(),
        }
    }

    /// The value's type as far as it is known (Terraform's `type()`): a null or an untyped
    /// unknown is `Any` (cty's dynamic), an empty list a list of `Any`.
    pub fn ty(&self) -> Type {
        let common = |xs: &mut dyn Iterator<Item = &Value>| -> Box<Type> {
            let ts: Vec<Type> = xs.map(Value::ty).collect();
            Box::new(super::convert::unify_types(&ts).unwrap_or(Type::Any))
        };
        match self {
            Value::Null => Type::Any,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(xs) => Type::List(common(&mut xs.iter())),
            Value::Set(xs) => Type::Set(common(&mut xs.iter())),
            Value::Map(m) => Type::Map(common(&mut m.values())),
            Value::Tuple(xs) => Type::Tuple(xs.iter().map(Value::ty).collect()),
            Value::Object(m) => Type::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), super::types::ObjectAttr::required(v.ty())))
                    .collect(),
            ),
            Value::Unknown(t) => t.clone(),
            Value::Sensitive(v) | Value::Ephemeral(v) => v.ty(),
        }
    }
}

/// A total order over values, used for sets and `sort`: by kind, then by content.
pub fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::List(_) | Value::Tuple(_) => 4,
            Value::Set(_) => 5,
            Value::Map(_) | Value::Object(_) => 6,
            Value::Unknown(_) => 7,
            Value::Sensitive(_) => 8,
            Value::Ephemeral(_) => 9,
        }
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x.cmp_num(y),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::List(x) | Value::Tuple(x), Value::List(y) | Value::Tuple(y))
        | (Value::Set(x), Value::Set(y)) => {
            for (p, q) in x.iter().zip(y) {
                let o = compare(p, q);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Map(x) | Value::Object(x), Value::Map(y) | Value::Object(y)) => {
            for ((k1, v1), (k2, v2)) in x.iter().zip(y) {
                let o = k1.cmp(k2).then_with(|| compare(v1, v2));
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Sensitive(x), Value::Sensitive(y)) | (Value::Ephemeral(x), Value::Ephemeral(y)) => {
            compare(x, y)
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::int(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_survive_unmark_and_remark() {
        let v = Value::List(vec![Value::from("a"), Value::from("s").sensitive()]);
        assert!(v.contains_sensitive());
        let (plain, marked) = v.deep_unmark();
        assert!(marked.sensitive && !plain.contains_sensitive());
        assert!(plain.mark_if(true).is_sensitive());
    }

    #[test]
    fn json_roundtrip_and_redaction() {
        let v = Value::map([
            ("a", Value::int(1)),
            ("p", Value::from("x").sensitive()),
            ("u", Value::unknown()),
        ]);
        assert_eq!(v.to_json_redacted()["p"], "(sensitive value)");
        assert_eq!(v.to_json_redacted()["u"], "(known after apply)");
        assert_eq!(
            Value::from_json(&serde_json::json!({"a": 1})),
            Value::object([("a", Value::int(1))])
        );
        assert_eq!(Number::int(3).to_string(), "3");
        assert_eq!(
            Number::parse("0.5").map(|n| n.to_string()).as_deref(),
            Some("0.5")
        );
    }

    #[test]
    fn sets_are_canonical() {
        let s = Value::set(vec![Value::from("b"), Value::from("a"), Value::from("b")]);
        assert_eq!(s, Value::Set(vec![Value::from("a"), Value::from("b")]));
    }
}
