//! Encodings: JSON, YAML, base64 and URL query escaping.

use super::args::{self, err};
use super::{Arity, FuncContext, FuncError, Ret, Spec};
use crate::lang::Value;
use base64::Engine;

type R = Result<Value, FuncError>;

pub(super) const SPECS: &[Spec] = &[
    Spec::new("base64decode", Arity::Exact(1), Ret::String, base64decode),
    Spec::new("base64encode", Arity::Exact(1), Ret::String, base64encode),
    Spec::new("jsondecode", Arity::Exact(1), Ret::Any, jsondecode),
    Spec::new("jsonencode", Arity::Exact(1), Ret::String, jsonencode).nulls(),
    Spec::new("urlencode", Arity::Exact(1), Ret::String, urlencode),
    Spec::new("yamldecode", Arity::Exact(1), Ret::Any, yamldecode),
    Spec::new("yamlencode", Arity::Exact(1), Ret::String, yamlencode).nulls(),
];

/// Compact JSON as Terraform writes it: object keys sorted, numbers in plain decimal
/// (`1e21` is `1000000000000000000000`, `1e-7` is `0.0000001`, as Terraform's big floats
/// print) and `<`, `>`, `&`, U+2028 and U+2029 escaped, as Go's encoder does, so the text
/// can be embedded in HTML or JavaScript.
pub(super) fn json_text(v: &Value) -> String {
    let mut text = String::new();
    write_json(v, &mut text);
    if !text.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return text;
    }
    // These characters can only occur inside JSON strings, so replacing them everywhere
    // is an escape, never a change of structure.
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

fn write_json(v: &Value, out: &mut String) {
    match v {
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            out.push('[');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(x, out);
            }
            out.push(']');
        }
        Value::Map(m) | Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::from(k.as_str()).to_string());
                out.push(':');
                write_json(x, out);
            }
            out.push('}');
        }
        Value::Sensitive(inner) | Value::Ephemeral(inner) => write_json(inner, out),
        other => out.push_str(&other.to_json().to_string()),
    }
}

fn jsonencode(args: Vec<Value>, _: &FuncContext) -> R {
    if has_infinity(&args[0]) {
        return Err(err(0, "cannot serialize infinity as JSON"));
    }
    Ok(Value::String(json_text(&args[0])))
}

fn has_infinity(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.is_infinite(),
        Value::Sensitive(x) | Value::Ephemeral(x) => has_infinity(x),
        _ => v.as_seq().map_or_else(
            || v.as_map().is_some_and(|m| m.values().any(has_infinity)),
            |xs| xs.iter().any(has_infinity),
        ),
    }
}

fn jsondecode(args: Vec<Value>, _: &FuncContext) -> R {
    let s = args::string(&args, 0)?;
    let raw: &serde_json::value::RawValue =
        serde_json::from_str(&s).map_err(|e| err(0, format!("invalid JSON: {e}")))?;
    decode_raw(raw).map_err(|e| err(0, format!("invalid JSON: {e}")))
}

/// A JSON document as cty's `jsondecode` reads it: each number from its own text, exact
/// (`1e400`, `12345678901234567890123`), so the nested values are read one level at a time.
fn decode_raw(raw: &serde_json::value::RawValue) -> Result<Value, serde_json::Error> {
    use serde_json::value::RawValue;
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'{') => {
            let m: std::collections::BTreeMap<String, &RawValue> = serde_json::from_str(text)?;
            let fields = m.into_iter().map(|(k, v)| Ok((k, decode_raw(v)?)));
            Ok(Value::Object(
                fields.collect::<Result<_, serde_json::Error>>()?,
            ))
        }
        Some(b'[') => {
            let xs: Vec<&RawValue> = serde_json::from_str(text)?;
            let xs = xs.into_iter().map(decode_raw);
            Ok(Value::Tuple(xs.collect::<Result<_, _>>()?))
        }
        Some(b'-' | b'0'..=b'9') => {
            Ok(crate::lang::Number::parse(text).map_or(Value::Null, Value::Number))
        }
        _ => Ok(Value::from_json(&serde_json::from_str(text)?)),
    }
}

fn yamlencode(args: Vec<Value>, _: &FuncContext) -> R {
    Ok(Value::String(super::yaml_emit::yaml_text(&args[0])))
}

fn yamldecode(args: Vec<Value>, _: &FuncContext) -> R {
    let s = args::string(&args, 0)?;
    super::yaml_decode::decode(&s).map_err(|e| err(0, e))
}

fn base64encode(args: Vec<Value>, _: &FuncContext) -> R {
    let s = args::string(&args, 0)?;
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(s.as_bytes()),
    ))
}

fn base64decode(args: Vec<Value>, _: &FuncContext) -> R {
    let s = args::string(&args, 0)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.as_bytes())
        .map_err(|_| FuncError::Other(format!("failed to decode base64 data {s:?}")))?;
    String::from_utf8(bytes).map(Value::String).map_err(|_| {
        FuncError::Other("the result of decoding the provided string is not valid UTF-8".into())
    })
}

/// Query-string escaping like Go's `url.QueryEscape`: spaces become `+`.
fn urlencode(args: Vec<Value>, _: &FuncContext) -> R {
    let s = args::string(&args, 0)?;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Value::String(out))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{arg_err, call_err, n, ok, s, tstrs};
    use crate::lang::Value;

    #[test]
    fn json_roundtrip() {
        let v = Value::object([
            ("hello", s("world")),
            ("a", Value::Tuple(vec![n(1.0), n(1.5)])),
        ]);
        assert_eq!(
            ok("jsonencode", vec![v.clone()]),
            s(r#"{"a":[1,1.5],"hello":"world"}"#)
        );
        assert_eq!(
            ok(
                "jsondecode",
                vec![s(r#"{"hello": "world", "a": [1, 1.5]}"#)]
            ),
            v
        );
        assert_eq!(ok("jsonencode", vec![Value::Null]), s("null"));
        assert_eq!(
            ok("jsonencode", vec![s("<b>&")]),
            s(r#""\u003cb\u003e\u0026""#)
        );
        assert_eq!(
            ok("jsonencode", vec![Value::set(vec![s("b"), s("a")])]),
            s(r#"["a","b"]"#)
        );
        assert_eq!(ok("jsondecode", vec![s("true")]), Value::Bool(true));
        assert!(arg_err("jsondecode", vec![s("{")]).contains("invalid JSON"));
    }

    #[test]
    fn yaml_roundtrip() {
        let v = Value::object([("a", s("b")), ("c", tstrs(&["x", "true"])), ("k", n(1.0))]);
        assert_eq!(
            ok("yamlencode", vec![v.clone()]),
            s("\"a\": \"b\"\n\"c\":\n- \"x\"\n- \"true\"\n\"k\": 1\n")
        );
        assert_eq!(ok("yamldecode", vec![s("a: b\nc: [x, 'true']\nk: 1\n")]), v);
        assert_eq!(
            ok("yamldecode", vec![s("1: one\ntrue: yes\n")]),
            Value::object([("1", s("one")), ("true", Value::Bool(true))])
        );
        // Terraform: "missing start of document", not null.
        assert!(arg_err("yamldecode", vec![s("")]).contains("missing start"));
        let nested = Value::Tuple(vec![Value::object([
            ("a", n(1.5)),
            ("b", tstrs(&["x: y", "multi\nline"])),
        ])]);
        let text = ok("yamlencode", vec![nested.clone()]);
        assert_eq!(
            text,
            s("- \"a\": 1.5\n  \"b\":\n  - \"x: y\"\n  - |-\n    multi\n    line\n")
        );
        assert_eq!(ok("yamldecode", vec![text]), nested);
        assert!(arg_err("yamldecode", vec![s("a: [")]).starts_with("on line "));
    }

    #[test]
    fn base64_and_url() {
        assert_eq!(
            ok("base64encode", vec![s("Hello World")]),
            s("SGVsbG8gV29ybGQ=")
        );
        assert_eq!(
            ok("base64decode", vec![s("SGVsbG8gV29ybGQ=")]),
            s("Hello World")
        );
        assert!(call_err("base64decode", vec![s("%%")]).contains("base64"));
        assert!(call_err("base64decode", vec![s("/w==")]).contains("UTF-8"));
        assert_eq!(
            ok("urlencode", vec![s("Hello World!")]),
            s("Hello+World%21")
        );
        assert_eq!(ok("urlencode", vec![s("☃")]), s("%E2%98%83"));
        assert_eq!(
            ok("urlencode", vec![s("foo:bar@localhost?foo=bar&bar=baz")]),
            s("foo%3Abar%40localhost%3Ffoo%3Dbar%26bar%3Dbaz")
        );
    }
}
