//! Lossless JSON encoding of [`Value`] for plan files: unknowns with their types, the kinds
//! of collections and sensitive marks survive the round trip. Tuples and objects are plain
//! JSON arrays and objects; the rest are one-key wrappers: `{"$unknown": <cty type>}`,
//! `{"$list": [...]}`, `{"$set": [...]}`, `{"$map": {...}}`, `{"$sensitive": v}`, and
//! `{"$object": {...}}` for an object with a key that starts with `$`.

use crate::lang::{Type, Value, VecMap};
use serde_json::{json, Value as J};

pub fn encode(v: &Value) -> J {
    let all = |xs: &[Value]| J::Array(xs.iter().map(encode).collect());
    let entries = |m: &VecMap<String, Value>| -> J {
        J::Object(m.iter().map(|(k, v)| (k.clone(), encode(v))).collect())
    };
    match v {
        Value::Unknown(t) => json!({"$unknown": t.to_cty_json()}),
        Value::Sensitive(x) => json!({"$sensitive": encode(x)}),
        // Never written: an ephemeral value is refused before it reaches a plan
        // (`walk::ephemeral`); should one slip through, the plan holds null, not the value.
        Value::Ephemeral(_) => J::Null,
        Value::Set(xs) => json!({"$set": all(xs)}),
        Value::List(xs) => json!({"$list": all(xs)}),
        Value::Tuple(xs) => all(xs),
        Value::Map(m) => json!({"$map": entries(m)}),
        Value::Object(m) if m.keys().any(|k| k.starts_with('$')) => {
            json!({"$object": entries(m)})
        }
        Value::Object(m) => entries(m),
        other => other.to_json(),
    }
}

pub fn decode(j: &J) -> Value {
    let all = |v: &J| -> Vec<Value> {
        v.as_array()
            .map(|a| a.iter().map(decode).collect())
            .unwrap_or_default()
    };
    let entries = |v: &J| -> VecMap<String, Value> {
        v.as_object()
            .map(|o| o.iter().map(|(k, v)| (k.clone(), decode(v))).collect())
            .unwrap_or_default()
    };
    match j {
        J::Array(_) => Value::Tuple(all(j)),
        J::Object(m) => {
            if let (1, Some((k, v))) = (m.len(), m.iter().next()) {
                match k.as_str() {
                    // `true`: a plan file written before unknowns kept their type.
                    "$unknown" => {
                        return Value::Unknown(Type::from_cty_json(v).unwrap_or(Type::Any))
                    }
                    "$sensitive" => return decode(v).sensitive(),
                    "$set" => return Value::Set(all(v)),
                    "$list" => return Value::List(all(v)),
                    "$map" => return Value::Map(entries(v)),
                    "$object" => return Value::Object(entries(v)),
                    _ => {}
                }
            }
            Value::Object(entries(j))
        }
        other => Value::from_json(other),
    }
}

pub mod opt_value {
    use super::*;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Value>, s: S) -> Result<S::Ok, S::Error> {
        v.as_ref().map(encode).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
        Ok(Option::<J>::deserialize(d)?.map(|j| decode(&j)))
    }
}

pub mod value_map {
    use super::*;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(v: &BTreeMap<String, Value>, s: S) -> Result<S::Ok, S::Error> {
        v.iter()
            .map(|(k, v)| (k.clone(), encode(v)))
            .collect::<BTreeMap<_, _>>()
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, Value>, D::Error> {
        Ok(BTreeMap::<String, J>::deserialize(d)?
            .into_iter()
            .map(|(k, j)| (k, decode(&j)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_keeps_unknowns_kinds_and_marks() {
        let v = Value::object([
            ("u", Value::unknown()),
            ("ut", Value::Unknown(Type::List(Box::new(Type::String)))),
            ("s", Value::set(vec![Value::from("a")])),
            ("p", Value::from("x").sensitive()),
            ("m", Value::map([("$odd", Value::int(1))])),
            ("o", Value::object([("$odd", Value::int(1))])),
            ("l", Value::List(vec![Value::Null, Value::Bool(true)])),
            ("t", Value::Tuple(vec![Value::int(1), Value::from("a")])),
            ("e", Value::map::<&str>([])),
        ]);
        let back = decode(&encode(&v));
        assert_eq!(back, v);
        assert_eq!(back.ty(), v.ty());
        // An older plan file's untyped unknown.
        assert_eq!(decode(&json!({"$unknown": true})), Value::unknown());
    }
}
