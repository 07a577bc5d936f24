use super::decode;
use crate::lang::Value;

fn one(src: &str) -> Value {
    match decode(&format!("a: {src}")) {
        Ok(Value::Object(m)) => m.get("a").cloned().expect("key a"),
        other => panic!("{src}: {other:?}"),
    }
}

fn num(n: f64) -> Value {
    Value::number(n)
}

fn s(x: &str) -> Value {
    Value::String(x.into())
}

#[test]
fn plain_scalars_resolve_by_yaml_1_1() {
    for t in ["yes", "Yes", "ON", "y", "True"] {
        assert_eq!(one(t), Value::Bool(true), "{t}");
    }
    for f in ["no", "OFF", "N", "false"] {
        assert_eq!(one(f), Value::Bool(false), "{f}");
    }
    for z in ["~", "null", "NULL", ""] {
        assert_eq!(one(z), Value::Null, "{z:?}");
    }
    assert_eq!(one("tRUE"), s("tRUE"));
    assert_eq!(one("0o17"), num(15.0));
    assert_eq!(one("0x1F"), num(31.0));
    assert_eq!(one("0777"), num(777.0));
    assert_eq!(one(".5"), num(0.5));
    assert_eq!(one("5."), num(5.0));
    assert_eq!(one("-.5e-2"), num(-0.005));
    for str_like in [
        "1_000", "0b101", "-0x10", "0x", "1e", "0.1.2", "1:30", "inf", "+",
    ] {
        assert_eq!(one(str_like), s(str_like));
    }
    assert!(decode("a: 0xffffffffffffffffff")
        .unwrap_err()
        .contains("cannot parse"));
}

#[test]
fn quoted_and_block_scalars() {
    assert_eq!(one("'yes'"), s("yes"));
    assert_eq!(one("!!int '12'"), s("12"));
    assert_eq!(one("|\n  yes\n"), s("yes\n"));
    assert_eq!(one("|-\n  yes\n"), s("true"));
    assert_eq!(one("|-\n  012"), s("12"));
    assert_eq!(one(">-\n  ~"), Value::Null);
    assert_eq!(one("!!int |-\n  012"), num(12.0));
    assert_eq!(one("'it''s'"), s("it's"));
}

#[test]
fn tags() {
    assert_eq!(one("!!str 1"), s("1"));
    assert_eq!(one("!!int 0b101"), num(5.0));
    assert_eq!(one("!!int 1_000"), num(1000.0));
    assert_eq!(one("!!int -0x10"), num(-16.0));
    assert_eq!(one("!!null x"), Value::Null);
    assert_eq!(one("!!binary aGk="), s("aGk="));
    assert!(decode("a: !!bool maybe")
        .unwrap_err()
        .contains("cannot parse \"maybe\""));
    assert!(decode("a: !custom x")
        .unwrap_err()
        .contains("unsupported tag \"!custom\""));
    assert!(decode("a: !!seq {x: 1}")
        .unwrap_err()
        .contains("can't interpret mapping"));
}

#[test]
fn timestamps_become_rfc3339() {
    assert_eq!(one("2001-12-14"), s("2001-12-14T00:00:00Z"));
    assert_eq!(one("2001-1-2"), s("2001-01-02T00:00:00Z"));
    assert_eq!(one("2001-12-14 21:59:43"), s("2001-12-14T21:59:43Z"));
    assert_eq!(
        one("2001-12-14T21:59:43.10-05:00"),
        s("2001-12-14T21:59:43-05:00")
    );
    assert_eq!(one("2001-13-14"), s("2001-13-14"));
    assert_eq!(one("2001-02-29"), s("2001-02-29"));
    assert_eq!(one("'2001-12-14'"), s("2001-12-14"));
}

#[test]
fn merge_keys_anchors_and_documents() {
    let v = decode("b: &b {x: 1, v: 1}\nc:\n  v: 3\n  <<: *b\nd:\n  <<: *b\n  v: 3").unwrap();
    let Value::Object(m) = v else { panic!() };
    let get = |k: &str, f: &str| match m.get(k) {
        Some(Value::Object(o)) => o.get(f).cloned(),
        _ => None,
    };
    assert_eq!(get("c", "v"), Some(num(1.0)));
    assert_eq!(get("d", "v"), Some(num(3.0)));
    assert_eq!(get("d", "x"), Some(num(1.0)));
    assert!(decode("c:\n  <<: [{x: 1}]")
        .unwrap_err()
        .contains("cannot merge tuple"));
    assert!(decode("a: &a [*a]")
        .unwrap_err()
        .contains("its own definition"));
    assert!(decode("a: *nope").is_err());
    assert!(decode("--- 1\n--- 2").is_err());
    assert!(decode("")
        .unwrap_err()
        .contains("missing start of document"));
    assert!(decode("~: 2")
        .unwrap_err()
        .contains("mapping key cannot be null"));
    assert!(decode("? [1, 2]\n: x")
        .unwrap_err()
        .contains("only strings"));
    assert_eq!(decode("1.50: x").unwrap(), Value::object([("1.5", s("x"))]));
}
