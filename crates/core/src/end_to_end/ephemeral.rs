//! Ephemeral values (Terraform 1.10+) against `testdata/ephemeral-terraform-1.11.json`
//! (recorded from Terraform 1.11 by `testdata/record_ephemeral.py`): every recorded refusal
//! comes out with Terraform's summary at Terraform's file, line and column; and an
//! ephemeral resource, opened in plan and again in apply and closed after each, configures a
//! provider without its value (or the ephemeral variable it is made from) reaching the
//! state, the saved plan, or the rendered plan and its JSON.

use super::ephemeral_provider::{Consumer, Issuer, Log};
use super::support::{load, Fx, Sel};
use crate::diag::{Diagnostics, Severity, SourceMap};
use crate::plan::driver::prepare;
use crate::plan::render::{plan_json, render_plan, Style};
use crate::provider::Registry;
use crate::state::State;
use serde_json::Value as J;
use std::sync::Arc;

const RECORDED: &str = include_str!("../../testdata/ephemeral-terraform-1.11.json");

fn recorded() -> J {
    serde_json::from_str(RECORDED).expect("recorded JSON")
}

fn registry(log: &Log) -> Registry {
    let mut r = Registry::with_builtins();
    r.add(Arc::new(Issuer(log.clone())));
    r.add(Arc::new(Consumer(log.clone())));
    r
}

/// (summary, file, line, column, detail) of every error (or warning), sorted.
type Found = Vec<(String, String, u64, u64, String)>;

/// A detail as both sides can be compared: the location of a validation rule is written
/// differently (Terraform's `m/main.tf:5,3-13`, hubctl's `m/main.tf:5:3`), so it is left out.
fn comparable(detail: &str) -> String {
    const RULE_AT: &str = "This was checked by the validation rule at ";
    match detail.find(RULE_AT) {
        Some(i) => detail[..i + RULE_AT.len()].to_string(),
        None => detail.to_string(),
    }
}

fn found(d: &Diagnostics, sources: &SourceMap, root: &std::path::Path, sev: Severity) -> Found {
    let mut out: Found =
        d.0.iter()
            .filter(|x| x.severity == sev && x.summary != "Not planned")
            .map(|x| {
                let at = x.subject.map(|s| sources.location(s));
                let file = at.as_ref().map(|l| {
                    let p = l.path.strip_prefix(root).unwrap_or(&l.path);
                    p.display().to_string()
                });
                let (line, column) = at.map_or((0, 0), |l| (l.line as u64, l.column as u64));
                let detail = comparable(&x.detail.replace("hubctl", "Terraform"));
                let file = file.unwrap_or_default();
                (x.summary.clone(), file, line, column, detail)
            })
            .collect();
    out.sort();
    out
}

/// The recorded `errors` or `warnings` of one phase.
fn recorded_found(phase: &J, which: &str) -> Found {
    let mut out: Found = phase[which]
        .as_array()
        .expect("recorded diagnostics")
        .iter()
        .map(|e| {
            // Terraform's own slip ("accepting a ephemeral values") is not copied.
            let detail = e["detail"].as_str().unwrap_or("");
            let detail =
                detail.replace("accepting a ephemeral values", "accepting ephemeral values");
            (
                e["summary"].as_str().unwrap_or("").to_string(),
                e["file"].as_str().unwrap_or("").to_string(),
                e["line"].as_u64().unwrap_or(0),
                e["column"].as_u64().unwrap_or(0),
                comparable(&detail),
            )
        })
        .collect();
    out.sort();
    out
}

/// The recorded files, with Terraform's `terraform_remote_state` (which hubctl has not)
/// spelled as the test provider's `issuer_lookup`, on the same lines and columns.
fn files_of(case: &J) -> J {
    let mut files = case["files"].clone();
    for (_, text) in files.as_object_mut().expect("files") {
        let t = text.as_str().expect("text").replace(
            "data \"terraform_remote_state\" \"r\"",
            "data \"issuer_lookup\" \"r\"",
        );
        *text = J::String(t);
    }
    files
}

/// The errors and warnings hubctl's plan (with `-var s=SECRET`, where `var.s` is declared)
/// or validate reports for a recorded case, and where; those found before any walk (by the
/// loader or the static checks) come from there.
async fn diagnostics(case: &J, secret: &str, validate: bool) -> (Found, Found) {
    let log = Log::default();
    let reg = registry(&log);
    let files = files_of(case);
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files.as_object().expect("files") {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text.as_str().expect("text")).expect("write");
    }
    let (p, d) = prepare(dir.path(), &reg);
    let Some(p) = p else {
        let (config, _) = crate::config::load(dir.path());
        let of = |sev| found(&d, &config.sources, dir.path(), sev);
        return (of(Severity::Error), of(Severity::Warning));
    };
    let declared = p.config.root.variables.contains_key("s");
    let vars: &[(&str, &str)] = if declared { &[("s", secret)] } else { &[] };
    let fx = Fx {
        p: &p,
        dir: dir.path(),
        registry: reg,
    };
    let sel = Sel {
        vars,
        ..Sel::default()
    };
    let d = if validate {
        fx.validate().await
    } else {
        fx.plan_result(&State::new(), sel).await.1
    };
    let of = |sev| found(&d, &p.config.sources, dir.path(), sev);
    (of(Severity::Error), of(Severity::Warning))
}

/// Every recorded case's plan and validate errors and warnings are Terraform's: summary,
/// file, line, column and detail. Two differences: Terraform's refusal of an `ephemeral` block of a
/// type its provider lacks has its own wording (hubctl says it as for any unknown type, at
/// the block); and Terraform's validate does not evaluate child module outputs, so it
/// finds a child's ephemeral output stored in a resource only at plan, hubctl already then.
/// A configuration Terraform's `init` refuses has only its validate recorded.
#[tokio::test]
async fn refusals_are_terraforms_at_their_locations() {
    let rec = recorded();
    let secret = rec["secret"].as_str().expect("secret");
    let mut checked = 0;
    for (name, case) in rec["cases"].as_object().expect("cases") {
        for phase in ["plan", "validate"] {
            if case.get(phase).is_none() {
                continue; // `terraform init` refused the configuration: validate only.
            }
            let (mut got, warnings) = diagnostics(case, secret, phase == "validate").await;
            if name == "ephemeral_lifecycle" {
                // Terraform stops before it would find that its provider lacks the type.
                got.retain(|e| e.0 != "Invalid ephemeral resource type");
            }
            let want = recorded_found(&case[phase], "errors");
            let want_warnings = recorded_found(&case[phase], "warnings");
            assert_eq!(warnings, want_warnings, "case {name}, {phase}: warnings");
            if name == "builtin_has_no_ephemeral_type" {
                assert_eq!((got.len(), got[0].2), (1, want[0].2), "{got:?}");
                assert_eq!(got[0].0, "Invalid ephemeral resource type");
                continue;
            }
            if (name.as_str(), phase) == ("child_ephemeral_output_into_resource", "validate") {
                let plan = recorded_found(&case["plan"], "errors");
                assert_eq!((want.len(), got), (0, plan), "case {name}");
                continue;
            }
            assert_eq!(got, want, "case {name}, {phase}");
            checked += 1;
        }
    }
    assert!(checked >= 28, "only {checked} checks");
}

/// An ephemeral resource fed by an ephemeral variable configures a provider, a child
/// module's ephemeral variable and output, a local and `ephemeralasnull` pass it along, a
/// failing check's message refers to it; the secret reaches the provider but nothing that
/// is kept or shown.
const NEVER_STORED: &str = r#"
variable "secret" {
  type      = string
  ephemeral = true
}

ephemeral "issuer_token" "t" {
  count  = 2
  name   = "hub${count.index}"
  secret = var.secret
}

provider "consumer" {
  token = local.token
}

locals {
  token = ephemeral.issuer_token.t[0].value
}

resource "consumer_thing" "x" {
  name = "x"
}

module "m" {
  source = "./m"
  tok    = ephemeral.issuer_token.t[1].value
}

resource "terraform_data" "keep" {
  input = ephemeralasnull({ tok = module.m.out, plain = "kept" })
}

output "plain" {
  value = ephemeralasnull([local.token, "shown"])
}

check "token" {
  assert {
    condition     = local.token == "nope"
    error_message = "the token is ${local.token}"
  }
}
"#;

const CHILD: &str = r#"
variable "tok" {
  type      = string
  ephemeral = true
}

output "out" {
  value     = "child-${var.tok}"
  ephemeral = true
}
"#;

fn lines(log: &Log, prefix: &str) -> Vec<String> {
    let all = log.lock().expect("log").clone();
    all.into_iter().filter(|l| l.starts_with(prefix)).collect()
}

#[tokio::test]
async fn ephemeral_values_are_used_but_never_stored() {
    let secret = recorded()["secret"].as_str().expect("secret").to_string();
    let log = Log::default();
    let reg = registry(&log);
    let files = serde_json::json!({"main.tf": NEVER_STORED, "m/main.tf": CHILD});
    let (dir, p) = load(&files, &reg);
    let fx = Fx {
        p: &p,
        dir: dir.path(),
        registry: reg,
    };
    let vars = [("secret", secret.as_str())];
    let sel = Sel {
        vars: &vars,
        ..Sel::default()
    };
    let (plan, _) = fx.plan_diags(&State::new(), sel).await;
    assert_eq!(lines(&log, "open ").len(), 2, "opened in the plan: {log:?}");
    assert_eq!(
        lines(&log, "close ").len(),
        2,
        "closed after the plan: {log:?}"
    );
    let configured = lines(&log, "configure consumer with ");
    assert!(
        configured[0].contains(&format!("tok-hub0-{secret}")),
        "{configured:?}"
    );
    let saved = serde_json::to_string(&plan).expect("plan JSON");
    let shown = render_plan(&plan, Style::default());
    let json = plan_json(&plan).to_string();
    for (what, text) in [
        ("saved plan", &saved),
        ("rendered plan", &shown),
        ("plan JSON", &json),
    ] {
        assert!(
            !text.contains(&secret),
            "the secret is in the {what}:\n{text}"
        );
    }
    assert!(shown.contains("shown") && shown.contains("kept"), "{shown}");
    assert_eq!(plan_json(&plan)["checks"][0]["status"], "fail", "{json}");
    let (state, d) = fx.apply_result(&State::new(), plan, sel).await;
    assert!(!d.has_errors(), "{d:?}");
    assert_eq!(
        lines(&log, "open ").len(),
        4,
        "opened again in the apply: {log:?}"
    );
    assert_eq!(lines(&log, "close ").len(), 4, "{log:?}");
    assert!(lines(&log, "close ephemeral.issuer_token.t[1] lease-hub1").len() == 2);
    let created = lines(&log, "create consumer_thing.x with ");
    assert!(
        created[0].ends_with(&format!("tok-hub0-{secret}")),
        "{created:?}"
    );
    let bytes = std::fs::read_to_string(dir.path().join("terraform.tfstate")).expect("state");
    assert!(
        !bytes.contains(&secret),
        "the secret is in the state:\n{bytes}"
    );
    let state = state.expect("state");
    let keep = &state.resources["terraform_data.keep"];
    let input = keep.attributes.get("input").expect("input");
    assert_eq!(input, &serde_json::json!({"tok": null, "plain": "kept"}));
}

/// A saved plan does not hold an ephemeral variable's value: applying it without the
/// variable is Terraform's error.
#[tokio::test]
async fn a_saved_plan_needs_its_ephemeral_variables_again() {
    let rec = recorded();
    let secret = rec["secret"].as_str().expect("secret");
    let want = &rec["saved_plan"]["apply_without_variable"]["errors"][0];
    let case = &rec["cases"]["ephemeralasnull"];
    let log = Log::default();
    let reg = registry(&log);
    let (dir, p) = load(&files_of(case), &reg);
    let fx = Fx {
        p: &p,
        dir: dir.path(),
        registry: reg,
    };
    let vars = [("s", secret)];
    let given = Sel {
        vars: &vars,
        ..Sel::default()
    };
    let (plan, _) = fx.plan_diags(&State::new(), given).await;
    assert!(plan.variables.is_empty(), "{:?}", plan.variables);
    let (_, d) = fx.apply_result(&State::new(), plan, Sel::default()).await;
    let e =
        d.0.iter()
            .find(|x| x.severity == Severity::Error)
            .expect("an error");
    assert_eq!(e.summary, want["summary"].as_str().expect("summary"));
    assert_eq!(e.detail, want["detail"].as_str().expect("detail"));
}

/// Validate opens nothing; a plan does not open an instance whose configuration is known
/// only after apply (its value is unknown, so is what it configures), and the apply opens
/// it once what it depends on is applied.
#[tokio::test]
async fn opened_only_once_the_configuration_is_known() {
    let log = Log::default();
    let reg = registry(&log);
    let files = serde_json::json!({"main.tf": r#"
resource "terraform_data" "name" {
  input = "late"
}

ephemeral "issuer_token" "known" {
  name = "early"
}

ephemeral "issuer_token" "later" {
  name       = terraform_data.name.id
  depends_on = [ephemeral.issuer_token.known]
}

provider "consumer" {
  token = ephemeral.issuer_token.later.value
}

resource "consumer_thing" "x" {
  name = "x"
}
"#});
    let (dir, p) = load(&files, &reg);
    let fx = Fx {
        p: &p,
        dir: dir.path(),
        registry: reg,
    };
    let d = fx.validate().await;
    assert!(!d.has_errors(), "{d:?}");
    assert!(lines(&log, "open ").is_empty(), "validate opened: {log:?}");
    let plan = fx.plan(&State::new(), Sel::default()).await;
    let opened = lines(&log, "open ");
    assert_eq!(opened, ["open ephemeral.issuer_token.known"], "{log:?}");
    assert!(lines(&log, "configure consumer").is_empty(), "{log:?}");
    let (_, d) = fx.apply_result(&State::new(), plan, Sel::default()).await;
    assert!(!d.has_errors(), "{d:?}");
    let opened = lines(&log, "open ");
    assert_eq!(opened.len(), 3, "{log:?}");
    assert_eq!(
        opened[2], "open ephemeral.issuer_token.later",
        "after what it names"
    );
    let created = lines(&log, "create consumer_thing.x with tok-");
    assert_eq!(created.len(), 1, "{log:?}");
    assert_eq!(lines(&log, "close ").len(), 3, "{log:?}");
}
