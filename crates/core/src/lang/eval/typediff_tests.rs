//! Differential test of types against Terraform 1.11: for every expression in
//! `testdata/typediff-exprs.txt`, `terraform console` printed `type(EXPR)` (see
//! `testdata/record_typediff.py`); hubctl's `Value::ty()` of the same expression must be the
//! same type: list vs tuple, map vs object, set, element and attribute types.

use super::testutil::ev_recorded;
use crate::lang::Type;
use std::path::Path;

/// A type as Terraform's console prints it, without whitespace or trailing commas.
fn console(t: &Type) -> String {
    let join = |parts: Vec<String>| parts.join(",");
    match t {
        Type::Any => "dynamic".into(),
        Type::Bool => "bool".into(),
        Type::Number => "number".into(),
        Type::String => "string".into(),
        Type::List(e) => format!("list({})", console(e)),
        Type::Set(e) => format!("set({})", console(e)),
        Type::Map(e) => format!("map({})", console(e)),
        Type::Tuple(ts) => format!("tuple([{}])", join(ts.iter().map(console).collect())),
        Type::Object(attrs) => {
            let attr = |(k, a): (&String, &crate::lang::ObjectAttr)| {
                let bare = k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                let key = if bare { k.clone() } else { format!("{k:?}") };
                format!("{key}:{}", console(&a.ty))
            };
            format!("object({{{}}})", join(attrs.iter().map(attr).collect()))
        }
    }
}

fn hubctl_type(expr: &str) -> Result<String, String> {
    let (v, diags) = ev_recorded(expr, Path::new("testdata/no-such-dir"))?;
    if diags.has_errors() {
        return Err(diags.0.iter().map(|d| d.summary.clone()).collect());
    }
    Ok(console(&v.ty()))
}

#[test]
fn types_match_terraform() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/typediff-terraform-1.11.json");
    let text = std::fs::read_to_string(&path).expect("golden file");
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("golden JSON");
    assert!(cases.len() >= 70);
    let mut failed = Vec::new();
    for case in &cases {
        let expr = case["expr"].as_str().expect("expr");
        let want = case["type"].as_str().expect("type");
        let want = want
            .replace(",]", "]")
            .replace(",)", ")")
            .replace(",}", "}");
        let got = hubctl_type(expr);
        if got.as_deref() != Ok(want.as_str()) {
            failed.push(format!("{expr}\n  terraform: {want}\n  hubctl:    {got:?}"));
        }
    }
    assert!(
        failed.is_empty(),
        "{} differences:\n{}",
        failed.len(),
        failed.join("\n")
    );
}
