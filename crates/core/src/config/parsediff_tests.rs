//! Differential test of the HCL parser against Terraform 1.11: each file of
//! `testdata/parse-corpus/` (newlines inside and around expressions, in attribute values,
//! object constructors, brackets, parentheses, `for` expressions and templates, plus a few
//! module-shaped files) was run by `terraform validate` and, when valid, `terraform apply` and
//! `terraform output -json` (see `testdata/record_parse.py`). hubctl must accept exactly what
//! Terraform accepts, report a rejected case's first error on Terraform's line, and give every
//! root output Terraform's value.

use super::vars::root_variables;
use crate::diag::{Diagnostics, SourceMap};
use crate::plan::driver::prepare;
use crate::plan::PlanStep;
use crate::provider::Registry;
use crate::state::State;
use crate::walk::{walk, Extra};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Differences hubctl knowingly keeps, each with its reason: a case name, or `case.output`
/// for one output of an accepted case.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    (
        "heredoc_directives.v",
        "in a heredoc Terraform's `~` strips whitespace only on the marker's own line and the \
         `<<-` indent is measured after stripping; hubctl strips across lines and measures before",
    ),
    (
        "realworld_eks_node_groups.bootstrap",
        "in a heredoc Terraform's `~` strips whitespace only on the marker's own line and the \
         `<<-` indent is measured after stripping; hubctl strips across lines and measures before",
    ),
];

/// What hubctl makes of one case: the line of its first error, or the root outputs as JSON.
type Outcome = Result<BTreeMap<String, serde_json::Value>, Option<usize>>;

fn first_error_line(diags: &Diagnostics, sources: &SourceMap) -> Option<usize> {
    diags
        .iter()
        .find(|d| d.is_error())
        .and_then(|d| d.subject)
        .map(|s| sources.location(s).line)
}

async fn run_case(name: &str) -> Outcome {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/parse-corpus");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        corpus.join(format!("{name}.tf")),
        dir.path().join("main.tf"),
    )
    .expect("copy");
    let registry = Registry::with_builtins();
    let (prepared, diags) = prepare(dir.path(), &registry);
    let Some(p) = prepared.filter(|_| !diags.has_errors()) else {
        let (config, _) = super::load(dir.path());
        return Err(first_error_line(&diags, &config.sources));
    };
    let mut sources = SourceMap::new();
    let (vars, mut diags) = root_variables(
        &p.config.root,
        Path::new(""),
        dir.path(),
        &[],
        [],
        &mut sources,
    );
    let (run, opts) = p.plan_run(dir.path(), registry, vars, State::new(), false);
    let step = Arc::new(PlanStep::new(&run, opts));
    let res = walk(Arc::new(run), step, Extra::default()).await;
    diags.extend(res.diags);
    if diags.has_errors() {
        return Err(first_error_line(&diags, &p.config.sources));
    }
    Ok(res
        .outputs
        .iter()
        .map(|(k, v)| (k.clone(), v.to_json()))
        .collect())
}

/// Where hubctl's outcome differs from Terraform's record: the case name (with `.output` for
/// one output's value) and a description.
fn compare(name: &str, case: &serde_json::Value, got: &Outcome) -> Vec<(String, String)> {
    let valid = case["valid"].as_bool().expect("valid");
    let whole = |msg: String| vec![(name.to_string(), msg)];
    match got {
        Err(line) if valid => whole(format!("terraform accepts; hubctl fails at line {line:?}")),
        Ok(_) if !valid => whole(format!(
            "terraform rejects with {}; hubctl accepts",
            case["errors"]
        )),
        Err(line) => {
            let want = case["errors"][0]["line"].as_u64().map(|l| l as usize);
            if *line == want {
                return Vec::new();
            }
            whole(format!(
                "both reject, terraform at line {want:?} ({}), hubctl at line {line:?}",
                case["errors"][0]["summary"]
            ))
        }
        Ok(outputs) => {
            let want: BTreeMap<String, serde_json::Value> =
                serde_json::from_value(case["outputs"].clone()).expect("outputs");
            want.keys()
                .chain(outputs.keys())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .filter(|k| want.get(*k) != outputs.get(*k))
                .map(|k| {
                    let msg = format!(
                        "terraform: {:?}\n    hubctl:    {:?}",
                        want.get(k),
                        outputs.get(k)
                    );
                    (format!("{name}.{k}"), msg)
                })
                .collect()
        }
    }
}

#[tokio::test]
async fn parsing_matches_terraform() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/parse-terraform-1.11.json");
    let text = std::fs::read_to_string(&path).expect("golden file");
    let golden: serde_json::Value = serde_json::from_str(&text).expect("golden JSON");
    let cases = golden["cases"].as_array().expect("cases");
    assert!(cases.len() >= 40);
    let mut corpus: Vec<String> = std::fs::read_dir(path.with_file_name("parse-corpus"))
        .expect("corpus")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    corpus.sort();
    let recorded: Vec<String> = cases
        .iter()
        .map(|c| format!("{}.tf", c["name"].as_str().expect("name")))
        .collect();
    assert_eq!(corpus, recorded, "re-record with testdata/record_parse.py");
    let mut failed = Vec::new();
    let mut known_seen = Vec::new();
    for case in cases {
        let name = case["name"].as_str().expect("name");
        for (key, msg) in compare(name, case, &run_case(name).await) {
            if KNOWN_DIFFERENCES.iter().any(|(k, _)| *k == key) {
                known_seen.push(key);
            } else {
                failed.push(format!("{key}:\n  {msg}"));
            }
        }
    }
    for (key, _) in KNOWN_DIFFERENCES {
        if !known_seen.iter().any(|k| k == key) {
            failed.push(format!("{key}: listed as a known difference but matches"));
        }
    }
    assert!(
        failed.is_empty(),
        "{} differences:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// Checks every expression's span in `text`: present, inside its parent's, and without
/// surrounding whitespace (which belongs to the decor).
struct SpanCheck<'a> {
    text: &'a str,
    parents: Vec<std::ops::Range<usize>>,
    errors: Vec<String>,
}

impl hcl_edit::visit::Visit for SpanCheck<'_> {
    fn visit_expr(&mut self, expr: &hcl_edit::expr::Expression) {
        use hcl_edit::Span as _;
        let Some(span) = expr.span() else {
            self.errors.push(format!("no span: {expr:?}"));
            return;
        };
        let inner = &self.text[span.clone()];
        let parent = self.parents.last().cloned().unwrap_or(0..self.text.len());
        if inner.is_empty() || inner.trim() != inner || !parent.contains(&span.start) {
            self.errors
                .push(format!("bad span {span:?} in {parent:?}: {inner:?}"));
        }
        self.parents.push(span);
        hcl_edit::visit::visit_expr(self, expr);
        self.parents.pop();
    }
}

/// Every expression the parser builds from a corpus file has a sound span (diagnostics point
/// with them), also inside the `for` expressions and brackets whose newline handling is patched.
#[test]
fn corpus_spans_are_sound() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/parse-corpus");
    let mut parsed = 0;
    for entry in std::fs::read_dir(corpus).expect("corpus") {
        let path = entry.expect("entry").path();
        // The hostile_* cases are not all UTF-8; they never parse.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(body) = hcl_edit::parser::parse_body(&text) else {
            continue;
        };
        parsed += 1;
        let mut check = SpanCheck {
            text: &text,
            parents: Vec::new(),
            errors: Vec::new(),
        };
        hcl_edit::visit::visit_body(&mut check, &body);
        assert!(
            check.errors.is_empty(),
            "{}: {:?}",
            path.display(),
            check.errors
        );
    }
    assert!(parsed >= 50, "only {parsed} corpus files parse");
}
