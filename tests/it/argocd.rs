//! `modules/argocd-bootstrap` applied through hubctl to the run's API server: the Argo CD
//! CRDs Established, the namespace, RBAC and Deployments, the root Application, the addon
//! Applications with their sync waves, the spoke-fleet ApplicationSet and the cluster
//! Secrets. A second plan has no changes, one edited value updates exactly one object, and
//! destroy removes everything.

use crate::kube::{cluster, get};
use crate::support::{copy_dir, Work};
use std::path::Path;

fn config(c: &crate::kube::Cluster, spoke_server: &str) -> String {
    format!(
        r#"provider "kubernetes" {{
  config_path = "{kubeconfig}"
}}
module "argocd" {{
  source        = "./modules/argocd-bootstrap"
  git_url       = "https://git.example.invalid/platform.git"
  hub           = {{ cluster_name = "hub", region = "us-east-1", vpc_id = "vpc-0abc", environment = "dev" }}
  ack_role_arns = {{ ec2 = "arn:aws:iam::000000000000:role/ack-ec2", iam = "arn:aws:iam::000000000000:role/ack-iam", eks = "arn:aws:iam::000000000000:role/ack-eks" }}
  spokes = {{
    alpha = {{ server = "{spoke_server}", ca_data = "Q0E=", role_arn = "arn:aws:iam::000000000000:role/spoke" }}
  }}
}}
"#,
        kubeconfig = c.kubeconfig
    )
}

/// Runs the health check on `obj` (a Lua table) with Debian's lua5.4 (scripts/kube.sh
/// installs it): "status message".
fn health(lua: &str, obj: &str) -> String {
    let script = format!(
        "obj = {obj}\nlocal h = (function()\n{lua}\nend)()\nio.write(h.status .. ' ' .. h.message)"
    );
    let out = std::process::Command::new("lua5.4")
        .args(["-e", &script])
        .output()
        .expect("run lua5.4 (scripts/kube.sh start installs it)");
    assert!(
        out.status.success(),
        "the health Lua fails: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Held by the tests that install the Argo CD CRDs (cluster-wide), so that one's destroy
/// does not delete the other's custom resources.
pub static ARGO_CRDS: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn bootstrap_applies_to_a_real_api_server() {
    let _crds = ARGO_CRDS.lock().unwrap_or_else(|e| e.into_inner());
    let c = cluster();
    let w = Work::empty();
    let module = Path::new(env!("CARGO_MANIFEST_DIR")).join("modules/argocd-bootstrap");
    copy_dir(&module, &w.path("modules/argocd-bootstrap"));
    w.write("main.tf", &config(c, "https://alpha.example.invalid"));
    let o = w.apply_ok(&[]);
    assert!(
        o.stdout
            .contains("Resources: 30 added, 0 changed, 0 destroyed."),
        "{}",
        o.stdout
    );
    // No Argo CD controller runs here: the Applications are reported as the server has them.
    assert!(
        o.stdout.contains("module.argocd.kubernetes_manifest.root: Application argocd/hub-bootstrap: no sync or health status yet"),
        "{}",
        o.stdout
    );
    assert_eq!(
        o.stdout.matches("no sync or health status yet").count(),
        6,
        "{}",
        o.stdout
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = rt.block_on(c.client());
    let get = |p: &str| rt.block_on(get(&client, p));
    for crd in ["applications", "appprojects", "applicationsets"] {
        let p =
            format!("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{crd}.argoproj.io");
        let crd = get(&p).unwrap_or_else(|| panic!("{p} missing"));
        let conds = crd["status"]["conditions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            conds
                .iter()
                .any(|c| c["type"] == "Established" && c["status"] == "True"),
            "{p} not Established"
        );
    }
    assert!(get("/api/v1/namespaces/argocd").is_some());
    for d in [
        "argocd-application-controller",
        "argocd-repo-server",
        "argocd-server",
        "argocd-applicationset-controller",
    ] {
        let dep = get(&format!("/apis/apps/v1/namespaces/argocd/deployments/{d}"))
            .unwrap_or_else(|| panic!("Deployment {d}"));
        assert_eq!(dep["spec"]["template"]["spec"]["serviceAccountName"], d);
    }
    assert!(get(
        "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/argocd-application-controller"
    )
    .is_some());
    let apps = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications";
    let root = get(&format!("{apps}/hub-bootstrap")).expect("root Application");
    assert_eq!(root["spec"]["source"]["path"], "hub/argocd/bootstrap");
    for (app, wave) in [
        ("kro", "-3"),
        ("ack-ec2", "-3"),
        ("ack-iam", "-3"),
        ("ack-eks", "-3"),
        ("metrics", "0"),
    ] {
        let a = get(&format!("{apps}/{app}")).unwrap_or_else(|| panic!("Application {app}"));
        assert_eq!(
            a["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"], wave,
            "{app}"
        );
    }
    let ack = get(&format!("{apps}/ack-iam")).unwrap();
    assert!(ack["spec"]["source"]["helm"]["values"]
        .as_str()
        .unwrap()
        .contains("arn:aws:iam::000000000000:role/ack-iam"));
    let set = get("/apis/argoproj.io/v1alpha1/namespaces/argocd/applicationsets/spoke-fleet")
        .expect("ApplicationSet");
    assert_eq!(
        set["spec"]["template"]["metadata"]["name"],
        "{{name}}-infrastructure"
    );
    assert_eq!(
        set["spec"]["generators"][0]["git"]["files"][0]["path"],
        "config/spokes/*.yaml"
    );
    for s in ["hub-cluster", "spoke-alpha"] {
        let sec = get(&format!("/api/v1/namespaces/argocd/secrets/{s}"))
            .unwrap_or_else(|| panic!("Secret {s}"));
        assert_eq!(
            sec["metadata"]["labels"]["argocd.argoproj.io/secret-type"],
            "cluster"
        );
        assert_eq!(
            sec["metadata"]["annotations"]["hub.platform/vpc-id"],
            "vpc-0abc"
        );
    }
    let cm = get("/api/v1/namespaces/argocd/configmaps/argocd-cm").expect("argocd-cm");
    let lua = cm["data"]["resource.customizations.health.argoproj.io_Application"]
        .as_str()
        .expect("health Lua");
    assert_eq!(
        lua,
        std::fs::read_to_string(module.join("health.lua")).unwrap()
    );
    assert_eq!(
        health(lua, "{}"),
        "Progressing waiting for the Application to report its health"
    );
    assert_eq!(
        health(
            lua,
            r#"{status = {health = {status = "Degraded", message = "x"}}}"#
        ),
        "Degraded x"
    );
    assert_eq!(
        health(lua, r#"{status = {health = {status = "Healthy"}}}"#),
        "Healthy "
    );

    let o = w.plan(&[]);
    o.expect_code(0);
    assert!(o.stdout.contains("No changes."), "{}", o.stdout);

    w.write("main.tf", &config(c, "https://alpha-2.example.invalid"));
    let o = w.plan(&[]);
    o.expect_code(2);
    assert_eq!(o.stdout.matches(" will be ").count(), 1, "{}", o.stdout);
    assert!(
        o.stdout.contains(
            r#"module.argocd.kubernetes_secret_v1.spoke_cluster["alpha"] will be updated in-place"#
        ),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{}",
        o.stdout
    );

    let o = w.run(&["destroy", &w.arg(), "--auto-approve"]);
    o.expect_code(0);
    assert!(
        o.stdout.contains("Resources: 30 destroyed."),
        "{}",
        o.stdout
    );
    assert!(get("/api/v1/namespaces/argocd").is_none());
    assert!(get(
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/applications.argoproj.io"
    )
    .is_none());
    assert!(get("/apis/rbac.authorization.k8s.io/v1/clusterroles/argocd-server").is_none());
}
