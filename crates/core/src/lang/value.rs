//! The value model. Like Terraform's cty, "not known until apply" and "sensitive" live
//! inside the value, so they flow through operators, functions, templates and diffs without
//! every caller special-casing them.

use super::types::Type;
use super::vecmap::VecMap;
use std::fmt;

/// A number. Terraform numbers are arbitrary-precision; a hub's numbers (ports, counts,
/// sizes, CIDR offsets) fit an f64 exactly, and integral values print without a fraction.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Number(pub f64);

impl Number {
    pub fn as_i64(&self) -> Option<i64> {
        (self.0.fract() == 0.0 && self.0.abs() < 9.007_199_254_740_992e15).then_some(self.0 as i64)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_i64() {
            // Terraform keeps the sign of a negative zero (`-0`, `tonumber("-0")`).
            Some(0) if self.0.is_sign_negative() => write!(f, "-0"),
            Some(i) => write!(f, "{i}"),
            None => write!(f, "{}", self.0),
        }
    }
}

impl From<i64> for Number {
    fn from(v: i64) -> Self {
        Number(v as f64)
    }
}

/// A configuration or state value.
///
/// Lists and tuples share `List`; maps and objects share `Map` (keys sorted, as Terraform
/// prints them). `Set` holds distinct elements in a canonical (sorted) order.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(VecMap<String, Value>),
    /// Known only after apply; carries the type when the type is known.
    Unknown(Type),
    /// A value marked sensitive: it must never be printed.
    Sensitive(Box<Value>),
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn number(n: impl Into<f64>) -> Value {
        Value::Number(Number(n.into()))
    }

    pub fn int(n: i64) -> Value {
        Value::Number(Number(n as f64))
    }

    pub fn unknown() -> Value {
        Value::Unknown(Type::Any)
    }

    pub fn map<K: Into<String>>(items: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(items.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// Builds a set: sorts and removes duplicates.
    pub fn set(mut items: Vec<Value>) -> Value {
        items.sort_by(compare);
        items.dedup();
        Value::Set(items)
    }

    pub fn sensitive(self) -> Value {
        match self {
            Value::Sensitive(_) => self,
            v => Value::Sensitive(Box::new(v)),
        }
    }

    pub fn is_null(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Sensitive(v) => v.is_null(),
            _ => false,
        }
    }

    /// True when this value itself (not a nested element) is unknown.
    pub fn is_unknown(&self) -> bool {
        match self {
            Value::Unknown(_) => true,
            Value::Sensitive(v) => v.is_unknown(),
            _ => false,
        }
    }

    /// True when the value or anything nested in it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::Sensitive(v) => v.is_wholly_known(),
            Value::List(xs) | Value::Set(xs) => xs.iter().all(Value::is_wholly_known),
            Value::Map(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    pub fn is_sensitive(&self) -> bool {
        matches!(self, Value::Sensitive(_))
    }

    /// True when the value or anything nested in it is marked sensitive.
    pub fn contains_sensitive(&self) -> bool {
        match self {
            Value::Sensitive(_) => true,
            Value::List(xs) | Value::Set(xs) => xs.iter().any(Value::contains_sensitive),
            Value::Map(m) => m.values().any(Value::contains_sensitive),
            _ => false,
        }
    }

    /// Removes the top-level mark; returns the inner value and whether it was marked.
    pub fn unmark(self) -> (Value, bool) {
        match self {
            Value::Sensitive(v) => (v.unmark().0, true),
            v => (v, false),
        }
    }

    /// Removes all marks, deep; returns whether any was found. Functions use this and
    /// re-mark their result, so sensitivity is never dropped by a computation.
    pub fn deep_unmark(self) -> (Value, bool) {
        match self {
            Value::Sensitive(v) => (v.deep_unmark().0, true),
            Value::List(xs) => {
                let (xs, m) = unmark_all(xs);
                (Value::List(xs), m)
            }
            Value::Set(xs) => {
                let (xs, m) = unmark_all(xs);
                (Value::Set(xs), m)
            }
            Value::Map(map) => {
                let mut any = false;
                let map = map
                    .into_iter()
                    .map(|(k, v)| {
                        let (v, m) = v.deep_unmark();
                        any |= m;
                        (k, v)
                    })
                    .collect();
                (Value::Map(map), any)
            }
            v => (v, false),
        }
    }

    /// Marks `self` sensitive when `marked` is true.
    pub fn mark_if(self, marked: bool) -> Value {
        if marked {
            self.sensitive()
        } else {
            self
        }
    }

    /// The inner value, looking through a sensitive mark.
    pub fn peel(&self) -> &Value {
        match self {
            Value::Sensitive(v) => v.peel(),
            v => v,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.peel() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.peel() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        match self.peel() {
            Value::Number(n) => Some(n.0),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&VecMap<String, Value>> {
        match self.peel() {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Elements of a list or set.
    pub fn as_seq(&self) -> Option<&[Value]> {
        match self.peel() {
            Value::List(xs) | Value::Set(xs) => Some(xs),
            _ => None,
        }
    }

    /// Attribute of an object/map value (`None` if absent or not a map).
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(name))
    }

    /// The name of the value's type as Terraform's messages say it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "object",
            Value::Unknown(_) => "unknown",
            Value::Sensitive(v) => v.type_name(),
        }
    }

    /// The value's type as far as it is known.
    pub fn type_of(&self) -> Type {
        match self {
            Value::Null => Type::Any,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(xs) => Type::Tuple(xs.iter().map(Value::type_of).collect()),
            Value::Set(xs) => Type::Set(Box::new(
                xs.first().map(Value::type_of).unwrap_or(Type::Any),
            )),
            Value::Map(m) => Type::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), super::types::ObjectAttr::required(v.type_of())))
                    .collect(),
            ),
            Value::Unknown(t) => t.clone(),
            Value::Sensitive(v) => v.type_of(),
        }
    }

    /// Converts to JSON for state and plan files. Unknowns become null and marks are
    /// dropped: callers that must not leak secrets use [`Value::to_json_redacted`].
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null | Value::Unknown(_) => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => J::from(i),
                None => serde_json::Number::from_f64(n.0)
                    .map(J::Number)
                    .unwrap_or(J::Null),
            },
            Value::String(s) => J::String(s.clone()),
            Value::List(xs) | Value::Set(xs) => J::Array(xs.iter().map(Value::to_json).collect()),
            Value::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
            Value::Sensitive(v) => v.to_json(),
        }
    }

    /// JSON for human-facing output: sensitive values become `"(sensitive value)"` and
    /// unknowns `"(known after apply)"`.
    pub fn to_json_redacted(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Sensitive(_) => J::String("(sensitive value)".into()),
            Value::Unknown(_) => J::String("(known after apply)".into()),
            Value::List(xs) | Value::Set(xs) => {
                J::Array(xs.iter().map(Value::to_json_redacted).collect())
            }
            Value::Map(m) => J::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.to_json_redacted()))
                    .collect(),
            ),
            v => v.to_json(),
        }
    }

    /// From JSON (state files, `jsondecode`). Arrays become lists, objects maps.
    pub fn from_json(j: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match j {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => Value::Number(Number(n.as_f64().unwrap_or(0.0))),
            J::String(s) => Value::String(s.clone()),
            J::Array(xs) => Value::List(xs.iter().map(Value::from_json).collect()),
            J::Object(m) => Value::Map(
                m.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

fn unmark_all(xs: Vec<Value>) -> (Vec<Value>, bool) {
    let mut any = false;
    let xs = xs
        .into_iter()
        .map(|v| {
            let (v, m) = v.deep_unmark();
            any |= m;
            v
        })
        .collect();
    (xs, any)
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
            Value::List(_) => 4,
            Value::Set(_) => 5,
            Value::Map(_) => 6,
            Value::Unknown(_) => 7,
            Value::Sensitive(_) => 8,
        }
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x.0.partial_cmp(&y.0).unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => {
            for (p, q) in x.iter().zip(y) {
                let o = compare(p, q);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Map(x), Value::Map(y)) => {
            for ((k1, v1), (k2, v2)) in x.iter().zip(y) {
                let o = k1.cmp(k2).then_with(|| compare(v1, v2));
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Sensitive(x), Value::Sensitive(y)) => compare(x, y),
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
        assert!(marked && !plain.contains_sensitive());
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
            Value::map([("a", Value::int(1))])
        );
        assert_eq!(Number(3.0).to_string(), "3");
        assert_eq!(Number(0.5).to_string(), "0.5");
    }

    #[test]
    fn sets_are_canonical() {
        let s = Value::set(vec![Value::from("b"), Value::from("a"), Value::from("b")]);
        assert_eq!(s, Value::Set(vec![Value::from("a"), Value::from("b")]));
    }
}
