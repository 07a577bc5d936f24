//! Values and types as JSON: plain JSON for state attributes and `jsonencode`, and cty's
//! type JSON (`"string"`, `["list","string"]`, `["object",{...}]`, `"dynamic"`) that
//! Terraform writes beside each output in its state and in `terraform output -json`, so a
//! value read back has the type it was written with.

use super::convert::convert;
use super::types::{ObjectAttr, Type};
use super::value::{Number, Value};
use serde_json::{json, Value as J};

impl Value {
    /// Converts to JSON for state and plan files. Unknowns become null and marks are
    /// dropped: callers that must not leak secrets use [`Value::to_json_redacted`].
    pub fn to_json(&self) -> J {
        match self {
            Value::Null | Value::Unknown(_) => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => number_json(n),
            Value::String(s) => J::String(s.clone()),
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                J::Array(xs.iter().map(Value::to_json).collect())
            }
            Value::Map(m) | Value::Object(m) => {
                J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
            // Ephemeral values are refused wherever they would be stored (see
            // `walk::ephemeral`); a provider configuration still needs the plain JSON.
            Value::Sensitive(v) | Value::Ephemeral(v) => v.to_json(),
        }
    }

    /// JSON for human-facing output: sensitive values become `"(sensitive value)"` and
    /// unknowns `"(known after apply)"`.
    pub fn to_json_redacted(&self) -> J {
        match self {
            Value::Sensitive(_) => J::String("(sensitive value)".into()),
            Value::Ephemeral(v) if v.is_sensitive() => J::String("(sensitive value)".into()),
            Value::Ephemeral(_) => J::String("(ephemeral value)".into()),
            Value::Unknown(_) => J::String("(known after apply)".into()),
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                J::Array(xs.iter().map(Value::to_json_redacted).collect())
            }
            Value::Map(m) | Value::Object(m) => J::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.to_json_redacted()))
                    .collect(),
            ),
            v => v.to_json(),
        }
    }

    /// From JSON with no type to go by (`jsondecode`, an output written before types were
    /// kept): arrays become tuples and objects objects, as cty's `jsondecode` has them.
    pub fn from_json(j: &J) -> Value {
        match j {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            // As Terraform reads a state number: its text through `ParseNumberVal`.
            J::Number(n) => Number::parse(&n.to_string()).map_or(Value::Null, Value::Number),
            J::String(s) => Value::String(s.clone()),
            J::Array(xs) => Value::Tuple(xs.iter().map(Value::from_json).collect()),
            J::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// From JSON written with type `ty` (an output in state): lists, maps and sets come back
    /// as such. A value that does not fit the type is taken as untyped JSON.
    pub fn from_json_typed(j: &J, ty: &Type) -> Value {
        let v = Value::from_json(j);
        convert(v.clone(), ty).unwrap_or(v)
    }
}

impl Type {
    /// cty's JSON form of a type. Optional attributes (only in constraints) are written as
    /// plain attributes.
    pub fn to_cty_json(&self) -> J {
        match self {
            Type::Any => json!("dynamic"),
            Type::Bool => json!("bool"),
            Type::Number => json!("number"),
            Type::String => json!("string"),
            Type::List(t) => json!(["list", t.to_cty_json()]),
            Type::Set(t) => json!(["set", t.to_cty_json()]),
            Type::Map(t) => json!(["map", t.to_cty_json()]),
            Type::Tuple(ts) => json!([
                "tuple",
                ts.iter().map(Type::to_cty_json).collect::<Vec<_>>()
            ]),
            Type::Object(attrs) => {
                let m: serde_json::Map<String, J> = attrs
                    .iter()
                    .map(|(k, a)| (k.clone(), a.ty.to_cty_json()))
                    .collect();
                json!(["object", m])
            }
        }
    }

    /// Reads cty's JSON form of a type; `None` when it is not one.
    pub fn from_cty_json(j: &J) -> Option<Type> {
        if let Some(s) = j.as_str() {
            return match s {
                "dynamic" => Some(Type::Any),
                "bool" => Some(Type::Bool),
                "number" => Some(Type::Number),
                "string" => Some(Type::String),
                _ => None,
            };
        }
        let parts = j.as_array()?;
        let (kind, arg) = (parts.first()?.as_str()?, parts.get(1)?);
        let elem = || Type::from_cty_json(arg).map(Box::new);
        match kind {
            "list" => Some(Type::List(elem()?)),
            "set" => Some(Type::Set(elem()?)),
            "map" => Some(Type::Map(elem()?)),
            "tuple" => arg
                .as_array()?
                .iter()
                .map(Type::from_cty_json)
                .collect::<Option<_>>()
                .map(Type::Tuple),
            "object" => arg
                .as_object()?
                .iter()
                .map(|(k, t)| Some((k.clone(), ObjectAttr::required(Type::from_cty_json(t)?))))
                .collect::<Option<_>>()
                .map(Type::Object),
            _ => None,
        }
    }
}

impl Value {
    /// The value as the state and plan files will give it back: every number as
    /// [`number_json`] keeps it (a fraction beyond f64, or an integer beyond 64 bits,
    /// rounded to the nearest f64). A resource's arguments and a root output are compared
    /// with what was stored in this form, so an exact `1/3` does not differ from its stored
    /// self at every plan. Infinities stay (they are refused where they would be stored).
    pub fn as_stored(self) -> Value {
        match self {
            Value::Number(n) => Value::Number(stored_number(n)),
            Value::List(xs) => Value::List(xs.into_iter().map(Value::as_stored).collect()),
            Value::Tuple(xs) => Value::Tuple(xs.into_iter().map(Value::as_stored).collect()),
            Value::Set(xs) => Value::set(xs.into_iter().map(Value::as_stored).collect()),
            Value::Map(m) => Value::Map(m.into_iter().map(|(k, v)| (k, v.as_stored())).collect()),
            Value::Object(m) => {
                Value::Object(m.into_iter().map(|(k, v)| (k, v.as_stored())).collect())
            }
            Value::Sensitive(v) => Value::Sensitive(Box::new(v.as_stored())),
            Value::Ephemeral(v) => Value::Ephemeral(Box::new(v.as_stored())),
            other => other,
        }
    }
}

/// A number as [`number_json`] writes it and [`Value::from_json`] reads it back.
fn stored_number(n: Number) -> Number {
    match number_json(&n) {
        J::Number(j) if n.as_i64().is_none() => Number::parse(&j.to_string()).unwrap_or(n),
        _ => n,
    }
}

/// A number as serde_json holds one: exact as an i64 or u64, otherwise the nearest f64 (which
/// serde_json writes with its shortest digits). So state keeps integers of 64 bits and any
/// decimal of up to 17 significant digits exactly; beyond that, serde_json (without its
/// `arbitrary_precision` feature, which would change number handling for the Kubernetes
/// crates that share it) has no way to hold the text.
fn number_json(n: &Number) -> J {
    if let Some(i) = n.as_i64() {
        return J::from(i);
    }
    if let Some(u) = n.to_big_int().and_then(|i| u64::try_from(i).ok()) {
        return J::from(u);
    }
    serde_json::Number::from_f64(n.to_f64())
        .map(J::Number)
        .unwrap_or(J::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_json_roundtrips_in_cty_form() {
        let v = Value::object([
            ("l", Value::List(vec![Value::from("a")])),
            ("t", Value::Tuple(vec![Value::int(1), Value::Bool(true)])),
            ("m", Value::map([("k", Value::from("v"))])),
            ("s", Value::set(vec![Value::int(2)])),
            ("e", Value::List(vec![])),
            ("n", Value::Null),
        ]);
        let want = json!(["object", {
            "e": ["list", "dynamic"],
            "l": ["list", "string"],
            "m": ["map", "string"],
            "n": "dynamic",
            "s": ["set", "number"],
            "t": ["tuple", ["number", "bool"]],
        }]);
        assert_eq!(v.ty().to_cty_json(), want);
        assert_eq!(Type::from_cty_json(&want), Some(v.ty()));
        assert_eq!(Type::from_cty_json(&json!(["list"])), None);
        assert_eq!(Type::from_cty_json(&json!("float")), None);
    }

    #[test]
    fn typed_json_restores_lists_maps_and_sets() {
        let v = Value::object([
            ("s", Value::set(vec![Value::from("a"), Value::from("b")])),
            ("m", Value::map([("k", Value::int(1))])),
        ]);
        let back = Value::from_json_typed(&v.to_json(), &v.ty());
        assert_eq!(back, v);
        // Untyped JSON decodes to tuples and objects, as `jsondecode` does.
        assert_eq!(
            Value::from_json(&json!([1, {"a": "x"}])),
            Value::Tuple(vec![
                Value::int(1),
                Value::object([("a", Value::from("x"))])
            ])
        );
    }
}
