//! Differential test of root input variables against Terraform 1.11: each case of
//! `testdata/vardiff-terraform-1.11.json` (variable blocks, tfvars files, `-var`/`-var-file`
//! in order, `TF_VAR_` values) was run by `terraform plan` (errors and warnings) and
//! `terraform console` (`jsonencode(EXPR)`), see `testdata/record_vardiff.py`. hubctl collects
//! the inputs with [`root_variables`], plans a root module whose outputs are the expressions,
//! and must print the same JSON, fail where Terraform fails and warn where it warns.

use super::vars::{parse_cli_var, root_variables, CliInput};
use crate::diag::{Diagnostics, SourceMap};
use crate::lang::Value;
use crate::plan::driver::prepare;
use crate::plan::PlanStep;
use crate::provider::Registry;
use crate::state::State;
use crate::walk::{walk, Extra};
use std::path::Path;
use std::sync::Arc;

/// Cases where hubctl knowingly differs, each with the reason it is left so.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    // Both fail; the summary differs.
    (
        "var_list_syntax_error",
        "hcl-edit's parse errors carry no HCL summary such as \"Missing expression\"",
    ),
    (
        "env_invalid_hcl",
        "hcl-edit's parse errors carry no HCL summary such as \"Missing expression\"",
    ),
];

/// Terraform's console shows this instead of a sensitive result.
const SENSITIVE: &str = "(sensitive value)";
const SENSITIVE_OUTPUT: &str = "Output refers to sensitive values";

/// What hubctl makes of one case: error summaries, warning summaries, and per expression
/// `Ok(json)` or `Err(console text)`.
struct Outcome {
    errors: Vec<String>,
    warnings: Vec<String>,
    results: Vec<Result<String, String>>,
}

fn summaries(d: &Diagnostics, errors: bool) -> Vec<String> {
    d.iter()
        .filter(|d| d.is_error() == errors)
        .map(|d| d.summary.clone())
        .collect()
}

async fn run_case(case: &serde_json::Value) -> Outcome {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut tf = case["tf"].as_str().expect("tf").to_string();
    let exprs: Vec<&str> = case["exprs"]
        .as_array()
        .expect("exprs")
        .iter()
        .map(|e| e.as_str().expect("expr"))
        .collect();
    for (i, e) in exprs.iter().enumerate() {
        tf.push_str(&format!(
            "output \"e{i}\" {{\n  value = jsonencode({e})\n}}\n"
        ));
    }
    std::fs::write(dir.path().join("main.tf"), tf).expect("write main.tf");
    for (name, text) in case["files"].as_object().expect("files") {
        std::fs::write(dir.path().join(name), text.as_str().expect("text")).expect("write");
    }
    let mut diags = Diagnostics::new();
    let mut cli = Vec::new();
    for a in case["args"].as_array().expect("args") {
        let value = a[1].as_str().expect("arg value");
        match a[0].as_str() {
            Some("-var") => match parse_cli_var(value) {
                Ok(input) => cli.push(input),
                Err(d) => diags.push(d),
            },
            _ => cli.push(CliInput::File(dir.path().join(value))),
        }
    }
    let env = case["env"]
        .as_object()
        .expect("env")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("env value").to_string()));
    let registry = Registry::with_builtins();
    let (prepared, d) = prepare(dir.path(), &registry);
    diags.extend(d);
    let mut results = Vec::new();
    if let Some(p) = prepared {
        let mut sources = SourceMap::new();
        let (vars, d) = root_variables(
            &p.config.root,
            Path::new(""),
            dir.path(),
            &cli,
            env,
            &mut sources,
        );
        diags.extend(d);
        let (run, opts) = p.plan_run(dir.path(), registry, vars, State::new(), false);
        let step = Arc::new(PlanStep::new(&run, opts));
        let res = walk(Arc::new(run), step, Extra::default()).await;
        diags.extend(res.diags);
        for i in 0..exprs.len() {
            results.push(match res.outputs.get(&format!("e{i}")) {
                Some(v) if v.contains_sensitive() => Err(SENSITIVE.to_string()),
                Some(Value::String(s)) => Ok(s.clone()),
                other => Err(format!("{other:?}")),
            });
        }
    }
    let errors = summaries(&diags, true)
        .into_iter()
        .filter(|s| s != SENSITIVE_OUTPUT)
        .collect();
    Outcome {
        errors,
        warnings: summaries(&diags, false),
        results,
    }
}

/// Where hubctl's outcome differs from Terraform's record, a description of it.
fn compare(case: &serde_json::Value, got: &Outcome) -> Option<String> {
    let strings = |v: &serde_json::Value| -> Vec<String> {
        let mut out: Vec<String> = v
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect();
        out.sort();
        out
    };
    let want_errors = strings(&case["errors"]);
    if !want_errors.is_empty() {
        // Terraform failed: hubctl must fail too, with one of Terraform's summaries.
        return (!got.errors.iter().any(|e| want_errors.contains(e))).then(|| {
            format!(
                "terraform errors: {want_errors:?}\n  hubctl errors: {:?}",
                got.errors
            )
        });
    }
    if !got.errors.is_empty() {
        return Some(format!(
            "terraform: no error\n  hubctl errors: {:?}",
            got.errors
        ));
    }
    let mut warnings = got.warnings.clone();
    warnings.sort();
    if warnings != strings(&case["warnings"]) {
        return Some(format!(
            "terraform warnings: {}\n  hubctl warnings: {warnings:?}",
            case["warnings"]
        ));
    }
    let mut diffs = Vec::new();
    for (i, want) in case["results"]
        .as_array()
        .expect("results")
        .iter()
        .enumerate()
    {
        let want = match (want["json"].as_str(), want["console"].as_str()) {
            (Some(j), _) => Ok(j.to_string()),
            (None, Some(c)) => Err(c.to_string()),
            _ => Err(format!("error: {}", want["error"])),
        };
        if got.results.get(i) != Some(&want) {
            diffs.push(format!(
                "{}\n    terraform: {want:?}\n    hubctl:    {:?}",
                case["exprs"][i],
                got.results.get(i)
            ));
        }
    }
    (!diffs.is_empty()).then(|| diffs.join("\n  "))
}

#[tokio::test]
async fn variables_match_terraform() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/vardiff-terraform-1.11.json");
    let text = std::fs::read_to_string(&path).expect("golden file");
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("golden JSON");
    assert!(cases.len() >= 100);
    let mut failed = Vec::new();
    let mut known_seen = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().expect("name");
        let diff = compare(case, &run_case(case).await);
        if KNOWN_DIFFERENCES.iter().any(|(n, _)| *n == name) {
            known_seen.push(name);
            if diff.is_none() {
                failed.push(format!(
                    "{name}: listed as a known difference but now matches"
                ));
            }
        } else if let Some(d) = diff {
            failed.push(format!("{name}:\n  {d}"));
        }
    }
    for (name, _) in KNOWN_DIFFERENCES {
        assert!(
            known_seen.contains(name),
            "known difference not in golden file: {name}"
        );
    }
    assert!(
        failed.is_empty(),
        "{} differences:\n{}",
        failed.len(),
        failed.join("\n")
    );
}
