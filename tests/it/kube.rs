//! The kubernetes provider against a real API server: kube-apiserver and
//! kube-controller-manager 1.20 with etcd, started once per test run by `scripts/kube.sh`
//! (which builds or reuses the binaries) on loopback ports, and stopped when this test
//! process exits. Each test uses its own namespaces and CRD groups, so they run in parallel.

use crate::support::Work;
use hubctl_core::lang::Value;
use hubctl_core::provider::{Provider, ProviderClient};
use hubctl_kubernetes::{Kube, KubernetesProvider};
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// Where the test run's API server is.
pub struct Cluster {
    pub api: String,
    pub token: String,
    pub ca: String,
    pub kubeconfig: String,
}

/// The run's cluster, started on first use.
pub fn cluster() -> &'static Cluster {
    static C: OnceLock<Cluster> = OnceLock::new();
    C.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let run = std::env::temp_dir().join(format!("hubctl-it-kube-{}", std::process::id()));
        let out = Command::new("bash")
            .arg(root.join("scripts/kube.sh"))
            .arg("start")
            .env("HUBCTL_KUBE_RUN", &run)
            .env("KUBE_STOP_WITH_PID", std::process::id().to_string())
            .output()
            .expect("run scripts/kube.sh start");
        assert!(
            out.status.success(),
            "scripts/kube.sh start failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let env: HashMap<String, String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("export "))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let get = |k: &str| {
            env.get(k)
                .cloned()
                .unwrap_or_else(|| panic!("kube.sh printed no {k}"))
        };
        Cluster {
            api: get("KUBE_API"),
            token: get("KUBE_TOKEN"),
            ca: get("KUBE_CA"),
            kubeconfig: get("KUBECONFIG"),
        }
    })
}

impl Cluster {
    /// A `provider "kubernetes"` block for this cluster.
    pub fn provider_block(&self, name: &str) -> String {
        format!(
            "provider \"{name}\" {{\n  host = \"{}\"\n  token = \"{}\"\n  cluster_ca_certificate = file(\"{}\")\n}}\n",
            self.api, self.token, self.ca
        )
    }

    /// A client configured as the provider block configures it.
    pub async fn client(&self) -> ProviderClient {
        let ca = std::fs::read_to_string(&self.ca).expect("read CA");
        let config = Value::map([
            ("host", Value::from(self.api.as_str())),
            ("token", Value::from(self.token.as_str())),
            ("cluster_ca_certificate", Value::from(ca)),
        ]);
        KubernetesProvider
            .configure(&config)
            .await
            .expect("configure")
    }
}

pub fn kube(client: &ProviderClient) -> &Kube {
    client.downcast_ref::<Kube>().expect("a kubernetes client")
}

/// GET `path`: the object, or `None` on 404.
pub async fn get(client: &ProviderClient, path: &str) -> Option<serde_json::Value> {
    match kube(client).request("GET", path, None).await {
        Ok(j) => Some(j),
        Err(e) if e.is_not_found() => None,
        Err(e) => panic!("GET {path}: {e}"),
    }
}

/// Server-side apply of YAML as another field manager, taking over conflicting fields.
pub async fn apply_as(client: &ProviderClient, manager: &str, path: &str, yaml: &str) {
    let p = format!("{path}?fieldManager={manager}&force=true");
    let body = Some(("application/apply-patch+yaml", yaml.as_bytes().to_vec()));
    kube(client)
        .request("PATCH", &p, body)
        .await
        .unwrap_or_else(|e| panic!("apply as {manager}: {e}"));
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// The configuration of the lifecycle test: a namespace, a ConfigMap in it, a CRD and one of
/// its custom resources (no reference orders the CR after the CRD: the provider waits), and
/// a `kubectl_manifest`.
fn lifecycle_config(c: &Cluster, value: &str) -> String {
    format!(
        r#"{kubernetes}
provider "kubectl" {{
  config_path = "{kubeconfig}"
}}
resource "kubernetes_namespace_v1" "team" {{
  metadata {{
    name   = "it-life"
    labels = {{ team = "hub" }}
  }}
}}
resource "kubernetes_config_map_v1" "settings" {{
  metadata {{
    name      = "settings"
    namespace = kubernetes_namespace_v1.team.metadata[0].name
  }}
  data = {{ mode = "{value}" }}
}}
resource "kubernetes_manifest" "crd" {{
  manifest = yamldecode(file("${{path.module}}/crd.yaml"))
}}
resource "kubernetes_manifest" "gadget" {{
  manifest = {{
    apiVersion = "life.example.com/v1"
    kind       = "Gadget"
    metadata   = {{ name = "g1", namespace = "default" }}
    spec       = {{ size = 3 }}
  }}
}}
resource "kubectl_manifest" "extra" {{
  yaml_body = <<-Y
    apiVersion: v1
    kind: ConfigMap
    metadata: {{name: extra, namespace: default}}
    data: {{x: "y"}}
  Y
}}
"#,
        kubernetes = c.provider_block("kubernetes"),
        kubeconfig = c.kubeconfig,
    )
}

const CRD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.life.example.com}
spec:
  group: life.example.com
  names: {kind: Gadget, listKind: GadgetList, plural: gadgets, singular: gadget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, minimum: 1}
";

const GADGET: &str = "/apis/life.example.com/v1/namespaces/default/gadgets/g1";

#[test]
fn apply_no_changes_update_drift_conflict_destroy() {
    let c = cluster();
    let w = Work::empty();
    w.write("crd.yaml", CRD);
    w.write("main.tf", &lifecycle_config(c, "a"));
    w.apply_ok(&[]);
    let client = rt().block_on(c.client());
    let rt = rt();
    let cm = rt
        .block_on(get(
            &client,
            "/api/v1/namespaces/it-life/configmaps/settings",
        ))
        .expect("ConfigMap created");
    assert_eq!(cm["data"]["mode"], "a");
    let g = rt.block_on(get(&client, GADGET)).expect("Gadget created");
    assert_eq!(g["spec"]["size"], 3);

    let o = w.plan(&[]);
    o.expect_code(0);
    assert!(o.stdout.contains("No changes."), "{}", o.stdout);

    // One value edited: exactly that object is updated in place.
    w.write("main.tf", &lifecycle_config(c, "b"));
    let o = w.plan(&[]);
    o.expect_code(2);
    assert!(
        o.stdout
            .contains("kubernetes_config_map_v1.settings will be updated in-place"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains(r#"~ "mode" = "a" -> "b""#)
            || o.stdout.contains(r#"~ mode = "a" -> "b""#),
        "{}",
        o.stdout
    );
    w.apply_ok(&[]);
    let cm = rt
        .block_on(get(
            &client,
            "/api/v1/namespaces/it-life/configmaps/settings",
        ))
        .unwrap();
    assert_eq!(cm["data"]["mode"], "b");

    // Another field manager takes spec.size: the plan shows the drift, and the apply is a
    // conflict naming that manager (hubctl does not force by default).
    let yaml = "apiVersion: life.example.com/v1\nkind: Gadget\nmetadata: {name: g1, namespace: default}\nspec: {size: 7}\n";
    rt.block_on(apply_as(&client, "intruder", GADGET, yaml));
    let o = w.plan(&[]);
    o.expect_code(2);
    assert!(
        o.stdout
            .contains("kubernetes_manifest.gadget will be updated in-place"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("size = 7 -> 3"), "{}", o.stdout);
    assert!(
        o.stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{}",
        o.stdout
    );
    let dir = w.arg();
    let o = w.run(&["apply", &dir, "--auto-approve"]);
    o.expect_code(1);
    assert!(
        o.stderr.contains(r#"conflict with "intruder""#),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("Gadget default/g1"), "{}", o.stderr);

    w.run(&["destroy", &dir, "--auto-approve"]).expect_code(0);
    for path in [
        "/api/v1/namespaces/it-life",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.life.example.com",
        "/api/v1/namespaces/default/configmaps/extra",
    ] {
        assert!(
            rt.block_on(get(&client, path)).is_none(),
            "{path} survived destroy"
        );
    }
}

#[test]
fn provider_fed_by_a_resource_plans_and_applies_in_one_go() {
    let c = cluster();
    let w = Work::empty();
    let ca = std::fs::read_to_string(&c.ca).unwrap();
    w.write("ca.pem", &ca);
    w.write(
        "main.tf",
        &format!(
            r#"resource "terraform_data" "cluster" {{
  input = "{api}"
}}
provider "kubernetes" {{
  host                   = terraform_data.cluster.output
  token                  = "{token}"
  cluster_ca_certificate = file("${{path.module}}/ca.pem")
}}
resource "kubernetes_namespace_v1" "late" {{
  metadata {{
    name = "it-deferred"
  }}
}}
"#,
            api = c.api,
            token = c.token
        ),
    );
    let o = w.plan(&[]);
    o.expect_code(2);
    assert!(
        o.stdout
            .contains("Plan: 2 to add, 0 to change, 0 to destroy."),
        "{}",
        o.stdout
    );
    w.apply_ok(&[]);
    let client = rt().block_on(c.client());
    assert!(rt()
        .block_on(get(&client, "/api/v1/namespaces/it-deferred"))
        .is_some());
    w.plan(&[]).expect_code(0);
    w.run(&["destroy", &w.arg(), "--auto-approve"])
        .expect_code(0);
    assert!(rt()
        .block_on(get(&client, "/api/v1/namespaces/it-deferred"))
        .is_none());
}

#[test]
fn helm_release_and_other_kubernetes_types_are_refused_once_each() {
    let w = Work::empty();
    w.write(
        "main.tf",
        r#"resource "helm_release" "argo" {
  name  = "argo-cd"
  chart = "argo-cd"
}

resource "kubernetes_deployment_v1" "app" {
}

resource "helm_release" "metrics" {
  name = "metrics"
}
"#,
    );
    let o = w.run(&["validate", &w.arg()]);
    o.expect_code(1);
    assert_eq!(
        o.stderr.matches("Invalid resource type").count(),
        3,
        "{}",
        o.stderr
    );
    for (line, ty) in [
        (1, "helm_release"),
        (6, "kubernetes_deployment_v1"),
        (9, "helm_release"),
    ] {
        assert!(
            o.stderr.contains(&format!("main.tf:{line}:1")),
            "no diagnostic at line {line}:\n{}",
            o.stderr
        );
        assert!(o.stderr.contains(ty));
    }
    assert_eq!(
        o.stderr.matches("kubernetes_manifest").count(),
        3,
        "{}",
        o.stderr
    );
}
