//! Values of objects as state holds them. A live object carries much the configuration
//! never wrote: `managedFields`, `resourceVersion`, server defaults, `status`. State keeps
//! the live object *projected* onto the paths the configuration sets, so none of those is a
//! diff, while a value another field manager changed at one of those paths is.

use hubctl_core::lang::{Value, VecMap};
use serde_json::Value as J;

/// One canonical form for comparisons: objects and tuples (what JSON reads back as), marks
/// kept. Configuration may hold maps and lists for the same content.
pub fn normalize(v: &Value) -> Value {
    match v {
        Value::Map(m) | Value::Object(m) => {
            Value::Object(m.iter().map(|(k, x)| (k.clone(), normalize(x))).collect())
        }
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            Value::Tuple(xs.iter().map(normalize).collect())
        }
        Value::Sensitive(x) => Value::Sensitive(Box::new(normalize(x))),
        other => other.clone(),
    }
}

/// `live` restricted to the paths `shape` has: each key of a shape object, each element of
/// a shape sequence (live elements beyond the shape's are kept whole: someone added them).
pub fn project(live: &Value, shape: &Value) -> Value {
    match (live.peel(), shape.peel()) {
        (l, s) if s.as_map().is_some() && l.as_map().is_some() => {
            let (l, s) = (l.as_map().expect("map"), s.as_map().expect("map"));
            let out: VecMap<String, Value> = s
                .iter()
                .map(|(k, sv)| (k.clone(), project(l.get(k).unwrap_or(&Value::Null), sv)))
                .collect();
            Value::Object(out)
        }
        (l, s) if s.as_seq().is_some() && l.as_seq().is_some() => {
            let (l, s) = (l.as_seq().expect("seq"), s.as_seq().expect("seq"));
            let out = l
                .iter()
                .enumerate()
                .map(|(i, x)| match s.get(i) {
                    Some(sv) => project(x, sv),
                    None => normalize(x),
                })
                .collect();
            Value::Tuple(out)
        }
        (l, _) => normalize(l),
    }
    .mark_if(shape.is_sensitive())
}

/// The value at a dotted path (`metadata.labels`), if any.
pub fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |cur, k| cur.peel().get_attr(k))
}

/// Sets the value at a dotted path, creating objects on the way.
pub fn set_at(v: &mut Value, path: &str, x: Value) {
    let mut cur = v;
    let keys: Vec<&str> = path.split('.').collect();
    for (i, k) in keys.iter().enumerate() {
        let Some(m) = cur.as_map_mut() else { return };
        if i + 1 == keys.len() {
            m.insert(k.to_string(), x);
            return;
        }
        cur = m.get_or_insert_with(k.to_string(), || Value::Object(VecMap::new()));
    }
}

/// JSON for the server: nulls dropped (an unset optional is not "set to null").
pub fn to_server(v: &Value) -> J {
    fn strip(j: J) -> J {
        match j {
            J::Object(m) => J::Object(
                m.into_iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k, strip(v)))
                    .collect(),
            ),
            J::Array(xs) => J::Array(xs.into_iter().map(strip).collect()),
            other => other,
        }
    }
    strip(v.to_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(s: &str) -> Value {
        Value::from_json(&serde_json::from_str(s).unwrap())
    }

    #[test]
    fn projection_keeps_only_configured_paths() {
        let live = j(
            r#"{"metadata":{"name":"a","uid":"u","managedFields":[1],"labels":{"x":"1","y":"2"}},
                       "spec":{"ports":[{"port":80,"protocol":"TCP"}]},"status":{"phase":"Active"}}"#,
        );
        let shape = Value::map([
            (
                "metadata",
                Value::map([
                    ("name", Value::from("a")),
                    ("labels", Value::map([("x", Value::from("0"))])),
                ]),
            ),
            (
                "spec",
                Value::map([(
                    "ports",
                    Value::List(vec![Value::map([("port", Value::int(80))])]),
                )]),
            ),
        ]);
        let p = project(&live, &shape);
        assert_eq!(
            p.to_json(),
            serde_json::json!({"metadata":{"name":"a","labels":{"x":"1"}},"spec":{"ports":[{"port":80}]}})
        );
        let grown = j(r#"{"spec":{"ports":[{"port":80},{"port":81}]}}"#);
        let p = project(
            &grown,
            &Value::map([("spec", shape.get_attr("spec").unwrap().clone())]),
        );
        assert_eq!(
            p.to_json(),
            serde_json::json!({"spec":{"ports":[{"port":80},{"port":81}]}})
        );
        assert_eq!(normalize(&shape), normalize(&normalize(&shape)));
    }

    #[test]
    fn paths_and_server_json() {
        let mut v = Value::Object(VecMap::new());
        set_at(&mut v, "metadata.labels", Value::map([("a", Value::Null)]));
        assert!(at(&v, "metadata.labels").is_some());
        assert_eq!(to_server(&v), serde_json::json!({"metadata":{"labels":{}}}));
    }
}
