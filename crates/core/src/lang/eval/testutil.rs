//! Helpers for the evaluator's tests: parse a snippet, evaluate it against fixed variables.

use super::{eval, EvalContext, MapResolver};
use crate::diag::{Diagnostics, SourceMap, Span};
use crate::lang::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Variables every test snippet can use.
pub fn vars() -> BTreeMap<String, Value> {
    let mut m = BTreeMap::new();
    m.insert("n".into(), Value::int(2));
    m.insert("s".into(), Value::from("hi"));
    m.insert("t".into(), Value::Bool(true));
    m.insert("nul".into(), Value::Null);
    m.insert("u".into(), Value::unknown());
    m.insert("secret".into(), Value::from("pw").sensitive());
    m.insert(
        "xs".into(),
        Value::List(vec![Value::int(1), Value::int(2), Value::int(3)]),
    );
    m.insert(
        "objs".into(),
        Value::List(vec![
            Value::object([("id", Value::from("a")), ("n", Value::int(1))]),
            Value::object([("id", Value::from("b")), ("n", Value::int(2))]),
        ]),
    );
    m.insert(
        "m".into(),
        Value::map([("a", Value::int(1)), ("b", Value::int(2))]),
    );
    m.insert("tpl".into(), Value::from("${a}%{ if b } and b%{ endif }"));
    m.insert("set".into(), Value::set(vec!["y".into(), "x".into()]));
    m
}

/// Evaluates `src` with [`vars`]; returns the value and diagnostics.
pub fn ev_diags(src: &str) -> (Value, Diagnostics) {
    ev_in(src, Path::new("."))
}

pub fn ev_in(src: &str, base_dir: &Path) -> (Value, Diagnostics) {
    let expr = match crate::lang::ir::parse(src) {
        Ok(e) => e,
        Err(e) => panic!("test snippet does not parse: {e}"),
    };
    let resolver = MapResolver { vars: vars() };
    let ctx = EvalContext {
        file: crate::diag::FileId(0),
        resolver: &resolver,
        base_dir,
    };
    eval(&expr, &ctx)
}

/// Evaluates `src` with no variables, as the expressions recorded from Terraform are; a
/// parse failure is `Err` with its message.
pub fn ev_recorded(src: &str, base_dir: &Path) -> Result<(Value, Diagnostics), String> {
    ev_recorded_with(src, base_dir, BTreeMap::new())
}

/// [`ev_recorded`] with `vars` as the named values (`local` for the funcdiff locals).
pub fn ev_recorded_with(
    src: &str,
    base_dir: &Path,
    vars: BTreeMap<String, Value>,
) -> Result<(Value, Diagnostics), String> {
    let expr = crate::lang::ir::parse(src).map_err(|e| format!("parse: {e}"))?;
    let resolver = MapResolver { vars };
    let ctx = EvalContext {
        file: crate::diag::FileId(0),
        resolver: &resolver,
        base_dir,
    };
    Ok(eval(&expr, &ctx))
}

/// Evaluates `src`, asserting that it produced no diagnostics.
pub fn ev(src: &str) -> Value {
    let (v, d) = ev_diags(src);
    assert!(d.is_empty(), "unexpected diagnostics for {src}: {d:?}");
    v
}

/// Evaluates `src`, asserting one error; returns its summary, detail and the source text
/// its subject covers.
pub fn ev_err(src: &str) -> (String, String, String) {
    let (v, d) = ev_diags(src);
    assert!(d.has_errors(), "expected an error for {src}, got {v:?}");
    let first = &d.0[0];
    let covered = first
        .subject
        .map(|s: Span| src.get(s.range()).unwrap_or("").to_string())
        .unwrap_or_default();
    (first.summary.clone(), first.detail.clone(), covered)
}

/// A source map holding `src` as file 0, for line/column checks.
pub fn sources(src: &str) -> SourceMap {
    let mut sm = SourceMap::new();
    sm.add("main.tf", src.to_string());
    sm
}
