//! Lossless JSON encoding of [`Value`] for plan files: unknowns, sets and sensitive marks
//! survive the round trip (`{"$unknown": true}`, `{"$set": [...]}`, `{"$sensitive": v}`;
//! a map whose keys start with `$` is wrapped as `{"$map": {...}}`).

use crate::lang::Value;
use serde_json::{json, Value as J};

pub fn encode(v: &Value) -> J {
    match v {
        Value::Unknown(_) => json!({"$unknown": true}),
        Value::Sensitive(x) => json!({"$sensitive": encode(x)}),
        Value::Set(xs) => json!({"$set": xs.iter().map(encode).collect::<Vec<_>>()}),
        Value::List(xs) => J::Array(xs.iter().map(encode).collect()),
        Value::Map(m) => {
            let obj: serde_json::Map<String, J> =
                m.iter().map(|(k, v)| (k.clone(), encode(v))).collect();
            if m.keys().any(|k| k.starts_with('$')) {
                json!({"$map": obj})
            } else {
                J::Object(obj)
            }
        }
        other => other.to_json(),
    }
}

pub fn decode(j: &J) -> Value {
    match j {
        J::Array(xs) => Value::List(xs.iter().map(decode).collect()),
        J::Object(m) => {
            if m.len() == 1 {
                let (k, v) = m
                    .iter()
                    .next()
                    .map(|(k, v)| (k.as_str(), v))
                    .unwrap_or(("", &J::Null));
                match k {
                    "$unknown" => return Value::unknown(),
                    "$sensitive" => return decode(v).sensitive(),
                    "$set" => {
                        return Value::Set(
                            v.as_array()
                                .map(|a| a.iter().map(decode).collect())
                                .unwrap_or_default(),
                        )
                    }
                    "$map" => {
                        return Value::Map(
                            v.as_object()
                                .map(|o| o.iter().map(|(k, v)| (k.clone(), decode(v))).collect())
                                .unwrap_or_default(),
                        )
                    }
                    _ => {}
                }
            }
            Value::Map(m.iter().map(|(k, v)| (k.clone(), decode(v))).collect())
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
    fn roundtrip_keeps_unknowns_sets_and_marks() {
        let v = Value::map([
            ("u", Value::unknown()),
            ("s", Value::set(vec![Value::from("a")])),
            ("p", Value::from("x").sensitive()),
            ("m", Value::map([("$odd", Value::int(1))])),
            ("l", Value::List(vec![Value::Null, Value::Bool(true)])),
        ]);
        assert_eq!(decode(&encode(&v)), v);
    }
}
