//! Differential test against Terraform 1.11: every expression in
//! `testdata/funcdiff-exprs.txt` was evaluated as `jsonencode(EXPR)` by `terraform console`
//! (see `testdata/record_funcdiff.py`); hubctl must return the same JSON text, and fail
//! where Terraform fails. File functions see `testdata/` as their directory (the recorder
//! copies `testdata/funcdiff-files/` into its own).

use super::testutil::{ev_recorded, ev_recorded_with};
use crate::lang::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

/// Cases where hubctl knowingly differs, each with the reason it is left so.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    // Terraform's format gives an unknown for a null argument, which would never become
    // known at apply; hubctl reports the null instead.
    (
        "format(\"%s\", null)",
        "a null argument is an error, not an unknown",
    ),
    (
        "format(\"%v\", null)",
        "a null argument is an error, not an unknown",
    ),
    // yaml-rust2 accepts what libyaml rejects.
    (
        "yamldecode(\"\\ta: 1\")",
        "yaml-rust2 takes a tab before a block key as separation; libyaml rejects it",
    ),
    (
        "yamldecode(\"a: >\\n  x\\n  \")",
        "yaml-rust2 reads a last line of indentation only, without a line break, as one more \
         empty line of the block scalar",
    ),
    // Terraform's unchecked arithmetic gives nonsense for negative bits and numbers.
    (
        "cidrsubnet(\"10.0.0.0/8\", -1, 0)",
        "negative newbits are rejected",
    ),
    (
        "cidrsubnet(\"10.0.0.0/8\", 8, -1)",
        "negative netnum is rejected",
    ),
    // Checked instead by base64gzip_decompresses_like_terraform.
    (
        "base64gzip(\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\")",
        "zlib's deflate finds other matches than Go's; the data decompresses the same",
    ),
];

/// The named values of `testdata/funcdiff-locals.tf` as `local`, each evaluated by hubctl
/// (the recorder gives Terraform the same file).
fn recorded_locals() -> &'static BTreeMap<String, Value> {
    static LOCALS: OnceLock<BTreeMap<String, Value>> = OnceLock::new();
    LOCALS.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/funcdiff-locals.tf");
        let text = std::fs::read_to_string(path).expect("funcdiff-locals.tf");
        let body = hcl_edit::parser::parse_body(&text).expect("locals parse");
        let locals = body.get_blocks("locals").flat_map(|b| b.body.attributes());
        let values = locals.map(|a| {
            let (v, d) = ev_recorded(a.value.to_string().trim(), Path::new(".")).expect("local");
            assert!(!d.has_errors(), "local.{}: {d:?}", a.key.as_str());
            (a.key.to_string(), v)
        });
        BTreeMap::from([("local".to_string(), Value::object(values))])
    })
}

/// What hubctl gives for `jsonencode(expr)`.
#[derive(Debug, PartialEq)]
enum Got {
    Json(String),
    /// Sensitive JSON text, which console shows as `(sensitive value)`.
    Sensitive(String),
    Unknown,
    /// The error summaries.
    Error(String),
}

fn hubctl_json(expr: &str) -> Got {
    let src = format!("jsonencode({expr})");
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let (v, diags) = match ev_recorded_with(&src, &base, recorded_locals().clone()) {
        Ok(r) => r,
        Err(e) => return Got::Error(e),
    };
    if diags.has_errors() {
        let summaries: Vec<_> = diags.0.iter().map(|d| d.summary.clone()).collect();
        return Got::Error(summaries.join("; "));
    }
    match v.deep_unmark() {
        (Value::String(s), m) if !m.sensitive => Got::Json(s),
        (Value::String(s), _) => Got::Sensitive(s),
        (Value::Unknown(_), _) => Got::Unknown,
        (other, _) => Got::Error(format!("not a string: {other:?}")),
    }
}

#[test]
fn functions_match_terraform() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/funcdiff-terraform-1.11.json");
    let text = std::fs::read_to_string(&path).expect("golden file");
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("golden JSON");
    assert!(cases.len() >= 300);
    let mut failed = Vec::new();
    let mut known_seen = Vec::new();
    for case in &cases {
        let expr = case["expr"].as_str().expect("expr");
        let got = hubctl_json(expr);
        let ok = if let Some(want) = case["json"].as_str() {
            got == Got::Json(want.to_string())
        } else if case["error"].is_string() {
            matches!(got, Got::Error(_))
        } else if case["console"] == "(sensitive value)" {
            matches!(got, Got::Sensitive(_))
        } else {
            // "(known after apply)": Terraform's result is unknown.
            got == Got::Unknown
        };
        if KNOWN_DIFFERENCES.iter().any(|(e, _)| *e == expr) {
            known_seen.push(expr);
            if ok {
                failed.push(format!(
                    "{expr}\n  listed as a known difference but now matches"
                ));
            }
        } else if !ok {
            let want = [&case["json"], &case["error"], &case["console"]]
                .into_iter()
                .find(|v| !v.is_null())
                .cloned()
                .unwrap_or_default();
            failed.push(format!("{expr}\n  terraform: {want}\n  hubctl:    {got:?}"));
        }
    }
    for (expr, _) in KNOWN_DIFFERENCES {
        assert!(
            known_seen.contains(expr),
            "known difference not in golden file: {expr}"
        );
    }
    assert!(
        failed.is_empty(),
        "{} differences:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// The gunzipped bytes of a JSON-quoted base64 string.
fn gunzip_json(json: &str) -> Vec<u8> {
    use base64::Engine;
    use std::io::Read;
    let b64: String = serde_json::from_str(json).expect("JSON string");
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64");
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&raw[..])
        .read_to_end(&mut out)
        .expect("gzip");
    out
}

/// Every `base64gzip` result, even one whose compressed bytes differ, holds the same data
/// as Terraform's.
#[test]
fn base64gzip_decompresses_like_terraform() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/funcdiff-terraform-1.11.json");
    let text = std::fs::read_to_string(&path).expect("golden file");
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("golden JSON");
    let mut seen = 0;
    for case in &cases {
        let expr = case["expr"].as_str().expect("expr");
        let Some(want) = case["json"]
            .as_str()
            .filter(|_| expr.starts_with("base64gzip("))
        else {
            continue;
        };
        let Got::Json(got) = hubctl_json(expr) else {
            panic!("{expr}: base64gzip fails")
        };
        assert_eq!(gunzip_json(&got), gunzip_json(want), "{expr}");
        seen += 1;
    }
    assert!(seen >= 3);
}

/// The first error of `expr` as (summary, detail).
fn hubctl_error(expr: &str) -> Option<(String, String)> {
    let (_, diags) = ev_recorded(expr, Path::new("testdata/no-such-dir")).ok()?;
    let d = diags.0.into_iter().find(|d| d.is_error())?;
    Some((d.summary, d.detail))
}

/// Argument errors that differ from Terraform's, each with the reason it is left so.
const KNOWN_ARG_DIFFERENCES: &[(&str, &str)] = &[(
    "format(\"%d\", \"x\")",
    "format's verb errors name the \"args\" parameter; Terraform fails the call",
)];

/// Argument errors recorded from Terraform (`testdata/record_funcargs.py`): the same summary,
/// and an invalid argument names the same parameter (`Invalid value for "newbits"
/// parameter`); a failed call names the function.
#[test]
fn argument_errors_match_terraform() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/funcargs-terraform-1.11.json");
    let text = std::fs::read_to_string(&path).expect("golden file");
    let rec: serde_json::Value = serde_json::from_str(&text).expect("golden JSON");
    let cases = rec["errors"].as_array().expect("errors");
    assert!(cases.len() >= 15);
    let lead = |detail: &str| detail.split(':').next().unwrap_or_default().to_string();
    let mut failed = Vec::new();
    for case in cases {
        let expr = case["expr"].as_str().expect("expr");
        let (summary, detail) = (case["summary"].as_str(), case["detail"].as_str());
        let got = hubctl_error(expr);
        let ok = got
            .as_ref()
            .is_some_and(|(s, d)| Some(s.as_str()) == summary && Some(lead(d)) == detail.map(lead));
        if KNOWN_ARG_DIFFERENCES.iter().any(|(e, _)| *e == expr) {
            if ok {
                failed.push(format!(
                    "{expr}\n  listed as a known difference but now matches"
                ));
            }
        } else if !ok {
            failed.push(format!(
                "{expr}\n  terraform: {summary:?}: {detail:?}\n  hubctl:    {got:?}"
            ));
        }
    }
    assert!(
        failed.is_empty(),
        "{} differences:\n{}",
        failed.len(),
        failed.join("\n")
    );
}
