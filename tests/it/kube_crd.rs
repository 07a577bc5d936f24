//! Custom resources judged at plan time by the CustomResourceDefinition of the same
//! configuration, before the CRD is on any cluster: against the run's API server with the
//! CRD not installed, and with a provider that cannot be configured at plan (its host is
//! known only after apply). The Application CRD is the vendored Argo CD one; the group is
//! renamed where the API server is used, so the Argo CD tests running beside these (which
//! install the real CRD) cannot answer for it.

use crate::kube::{cluster, get};
use crate::support::Work;
use std::path::Path;

fn application_crd() -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("modules/argocd-bootstrap/crds/application-crd.yaml");
    std::fs::read_to_string(p).expect("read the vendored Application CRD")
}

/// 1-based line and column of the first `needle` in `text` (ASCII).
fn line_col(text: &str, needle: &str) -> (usize, usize) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the config"));
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

/// The `file:line:column` after each `error: <heading>` of `stderr`, the path cut to its
/// file name.
fn located(stderr: &str, heading: &str) -> Vec<String> {
    let head = format!("error: {heading}\n  --> ");
    stderr
        .match_indices(&head)
        .map(|(i, _)| {
            let rest = &stderr[i + head.len()..];
            let loc = rest.lines().next().unwrap_or("");
            loc.rsplit('/').next().unwrap_or(loc).to_string()
        })
        .collect()
}

fn app_config(provider: &str, group: &str, source: &str) -> String {
    format!(
        r#"{provider}
resource "kubernetes_manifest" "crd" {{
  manifest = yamldecode(file("${{path.module}}/crd.yaml"))
}}

resource "kubernetes_manifest" "app" {{
  manifest = {{
    apiVersion = "{group}/v1alpha1"
    kind       = "Application"
    metadata   = {{ name = "broken", namespace = "default" }}
    spec = {{
      project     = "default"
      source      = {source}
      destination = {{ server = "https://kubernetes.default.svc", namespace = "default" }}
    }}
  }}
}}
"#
    )
}

#[test]
fn a_malformed_application_is_refused_at_plan_while_its_crd_is_not_installed() {
    let c = cluster();
    let group = "crdcheck.example.com";
    let crd_path =
        format!("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/applications.{group}");
    let w = Work::empty();
    w.write("crd.yaml", &application_crd().replace("argoproj.io", group));
    let bad = r#"{ repoUrl = "https://git.example.invalid/platform.git", path = "hub" }"#;
    let config = app_config(&c.provider_block("kubernetes"), group, bad);
    w.write("main.tf", &config);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = rt.block_on(c.client());
    assert!(
        rt.block_on(get(&client, &crd_path)).is_none(),
        "the CRD is already installed"
    );

    let o = w.plan(&[]);
    o.expect_code(1);
    let (line, col) = line_col(&config, "{ repoUrl");
    let (_, value_col) = line_col(
        &config,
        "\"https://git.example.invalid/platform.git\", path",
    );
    // Required repoURL at the `source` object, the unknown repoUrl at its value.
    assert_eq!(
        located(&o.stderr, "kubernetes_manifest.app: Invalid Application"),
        [
            format!("main.tf:{line}:{col}"),
            format!("main.tf:{line}:{value_col}")
        ],
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains(&format!(
            "Application.{group} \"broken\" is invalid: spec.source.repoURL: Required value"
        )),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("spec.source.repoUrl: Unknown field"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("kubernetes_manifest.crd"), "{}", o.stderr);
    assert_eq!(
        o.stderr.matches("Invalid Application").count(),
        2,
        "{}",
        o.stderr
    );
    assert!(
        rt.block_on(get(&client, &crd_path)).is_none(),
        "a plan installed the CRD"
    );

    // The same configuration with the field spelled right plans.
    let good = r#"{ repoURL = "https://git.example.invalid/platform.git", path = "hub" }"#;
    w.write(
        "main.tf",
        &app_config(&c.provider_block("kubernetes"), group, good),
    );
    let o = w.plan(&[]);
    o.expect_code(2);
    assert!(
        o.stdout
            .contains("Plan: 2 to add, 0 to change, 0 to destroy."),
        "{}",
        o.stdout
    );
}

/// No cluster at all: the providers' host is known only after apply, so neither is
/// configured at plan. The CRD is a `kubectl_manifest`; it judges a `kubernetes_manifest`
/// Application (reported at the attribute inside the manifest) and a `kubectl_manifest` one
/// (reported at its `yaml_body`).
#[test]
fn the_crd_judges_custom_resources_when_the_provider_is_not_configured_at_plan() {
    let w = Work::empty();
    w.write("crd.yaml", &application_crd());
    let config = r#"resource "terraform_data" "cluster" {
  input = "https://127.0.0.1:9"
}

provider "kubernetes" {
  host  = terraform_data.cluster.output
  token = "unused"
}

provider "kubectl" {
  host  = terraform_data.cluster.output
  token = "unused"
}

resource "kubectl_manifest" "crd" {
  yaml_body = file("${path.module}/crd.yaml")
}

resource "kubernetes_manifest" "app" {
  manifest = {
    apiVersion = "argoproj.io/v1alpha1"
    kind       = "Application"
    metadata   = { name = "typed", namespace = "argocd" }
    spec = {
      project     = 7
      source      = { repoURL = terraform_data.cluster.output }
      destination = { server = "https://kubernetes.default.svc" }
    }
  }
}

resource "kubectl_manifest" "app" {
  yaml_body = <<-Y
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata: {name: nodest, namespace: argocd}
    spec:
      project: default
      source: {repoURL: "https://git.example.invalid/platform.git"}
  Y
}
"#;
    w.write("main.tf", config);
    let o = w.plan(&[]);
    o.expect_code(1);
    let (line, col) = line_col(config, "7\n");
    assert_eq!(
        located(&o.stderr, "kubernetes_manifest.app: Invalid Application"),
        [format!("main.tf:{line}:{col}")],
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains(
            r#"spec.project: Invalid value: 7: spec.project in body must be of type string: "integer""#
        ),
        "{}",
        o.stderr
    );
    let (line, col) = line_col(config, "<<-Y");
    assert_eq!(
        located(&o.stderr, "kubectl_manifest.app: Invalid Application"),
        [format!("main.tf:{line}:{col}")],
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("spec.destination: Required value"),
        "{}",
        o.stderr
    );
    // The repoURL known only after apply passes; only the two errors above are reported.
    assert_eq!(
        o.stderr.matches("Invalid Application").count(),
        2,
        "{}",
        o.stderr
    );
}
