//! Argo CD Applications reported as the server has them, and waited for only when asked.
//! No Argo CD controller runs on the test API server, so this test plays its part: it
//! writes an Application's status out of band (the vendored CRD has no status subresource,
//! so a merge patch of the object sets it) while hubctl waits for
//! `status.health.status = "Healthy"`; another Application nobody reports on times out
//! with an error naming the field and its value.

use crate::argocd::ARGO_CRDS;
use crate::kube::{cluster, get, kube};
use crate::support::Work;
use std::path::Path;
use std::time::{Duration, Instant};

fn config(c: &crate::kube::Cluster, apps: &[(&str, &str)]) -> String {
    let mut out = format!(
        r#"provider "kubernetes" {{
  config_path = "{}"
}}
resource "kubernetes_manifest" "crd" {{
  manifest = yamldecode(file("${{path.module}}/application-crd.yaml"))
}}
"#,
        c.kubeconfig
    );
    for (name, timeout) in apps {
        out.push_str(&format!(
            r#"resource "kubernetes_manifest" "{name}" {{
  manifest = {{
    apiVersion = "argoproj.io/v1alpha1"
    kind       = "Application"
    metadata   = {{ name = "{name}", namespace = "default" }}
    spec = {{
      project     = "default"
      source      = {{ repoURL = "https://git.example.invalid/platform.git", path = "{name}" }}
      destination = {{ server = "https://kubernetes.default.svc", namespace = "default" }}
    }}
  }}
  wait {{
    fields = {{ "status.health.status" = "Healthy" }}
  }}
  timeouts {{
    create = "{timeout}"
  }}
  depends_on = [kubernetes_manifest.crd]
}}
"#
        ));
    }
    out
}

#[test]
fn an_application_is_waited_for_when_asked_and_reported_as_the_server_has_it() {
    let _crds = ARGO_CRDS.lock().unwrap_or_else(|e| e.into_inner());
    let c = cluster();
    let w = Work::empty();
    let crd = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("modules/argocd-bootstrap/crds/application-crd.yaml");
    w.write(
        "application-crd.yaml",
        &std::fs::read_to_string(crd).unwrap(),
    );
    w.write("main.tf", &config(c, &[("healthy", "120s")]));

    // The "controller": once the Application exists, it reports it synced and healthy.
    let path = "/apis/argoproj.io/v1alpha1/namespaces/default/applications/healthy";
    let reporter = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = rt.block_on(cluster().client());
        let start = Instant::now();
        while rt.block_on(get(&client, path)).is_none() {
            assert!(start.elapsed() < Duration::from_secs(90), "never created");
            std::thread::sleep(Duration::from_millis(200));
        }
        // hubctl is waiting now; the status comes a little later, as a controller's would.
        std::thread::sleep(Duration::from_secs(2));
        let status = br#"{"status":{"sync":{"status":"Synced"},"health":{"status":"Healthy"}}}"#;
        rt.block_on(kube(&client).request(
            "PATCH",
            path,
            Some(("application/merge-patch+json", status.to_vec())),
        ))
        .expect("set the status");
        start.elapsed()
    });
    let o = w.apply_ok(&[]);
    reporter.join().expect("the status reporter");
    assert!(
        o.stdout.contains(
            "kubernetes_manifest.healthy: Application default/healthy: sync Synced, health Healthy"
        ),
        "{}",
        o.stdout
    );

    // An Application whose health nobody reports: the wait ends at the create timeout.
    w.write(
        "main.tf",
        &config(c, &[("healthy", "120s"), ("silent", "3s")]),
    );
    let o = w.run(&["apply", &w.arg(), "--auto-approve"]);
    o.expect_code(1);
    assert!(
        o.stderr.contains(
            r#"timed out after 3 s waiting for Application default/silent to be ready: field status.health.status = "Healthy" (now unset)"#
        ),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("kubernetes_manifest.silent"),
        "{}",
        o.stderr
    );

    w.run(&["destroy", &w.arg(), "--auto-approve"])
        .expect_code(0);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = rt.block_on(c.client());
    assert!(rt
        .block_on(get(
            &client,
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/applications.argoproj.io"
        ))
        .is_none());
}
