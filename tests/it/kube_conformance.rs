//! Every kubernetes resource type runs the resource conformance suite (hubctl-core's
//! `provider::conformance`) against the run's API server: create/read, a recovering create
//! that must not duplicate, import where the type has it, an update round trip, delete
//! twice, and a read after an out-of-band delete. Counts and out-of-band deletes go to the
//! API directly.

use crate::kube::{cluster, get, kube};
use async_trait::async_trait;
use hubctl_core::lang::Value;
use hubctl_core::provider::conformance::{resource_suite, Case, Remote};
use hubctl_core::provider::{Provider, ProviderClient, Resource};
use hubctl_kubernetes::{KubectlProvider, KubernetesProvider};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One object on the server, seen around the provider.
struct Obj {
    client: ProviderClient,
    /// The collection (`/api/v1/namespaces/default/configmaps`).
    list: &'static str,
    name: &'static str,
}

#[async_trait]
impl Remote for Obj {
    async fn count(&self) -> usize {
        let list = get(&self.client, self.list).await.expect("list");
        let items = list["items"].as_array().cloned().unwrap_or_default();
        items
            .iter()
            .filter(|i| i["metadata"]["name"] == self.name)
            .count()
    }

    /// Deletes and waits until the object is gone (a namespace is finalised first).
    async fn delete_out_of_band(&self, _: &Value) {
        let path = format!("{}/{}", self.list, self.name);
        kube(&self.client)
            .request("DELETE", &path, None)
            .await
            .expect("delete");
        let start = Instant::now();
        while get(&self.client, &path).await.is_some() {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{path} not gone after 60 s"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

fn resource(p: &dyn Provider, type_name: &str) -> Arc<dyn Resource> {
    p.resources()
        .into_iter()
        .find(|r| r.type_name() == type_name)
        .expect("type")
}

fn metadata(name: &str, namespace: Option<&str>, labels: Option<&str>) -> Value {
    let mut m = vec![("name", Value::from(name))];
    if let Some(ns) = namespace {
        m.push(("namespace", Value::from(ns)));
    }
    if let Some(l) = labels {
        m.push(("labels", Value::map([("tier", Value::from(l))])));
    }
    Value::List(vec![Value::map(m)])
}

fn ns_name(state: &Value) -> String {
    state
        .get_attr("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

async fn run(
    type_name: &str,
    (config, update): (Value, Value),
    remote: (&'static str, &'static str),
    import: bool,
) {
    let c = cluster();
    let client = c.client().await;
    let provider: &dyn Provider = if type_name == "kubectl_manifest" {
        &KubectlProvider
    } else {
        &KubernetesProvider
    };
    let remote = Obj {
        client: client.clone(),
        list: remote.0,
        name: remote.1,
    };
    let case = Case {
        resource: resource(provider, type_name),
        client,
        address: &format!("{type_name}.conformance"),
        config,
        update: Some(update),
        import_id: import.then_some(ns_name as fn(&Value) -> String),
        remote: Some(&remote),
    };
    resource_suite(&case).await;
}

#[tokio::test]
async fn namespace_conforms() {
    let cfg = |l| Value::map([("metadata", metadata("it-conf-ns", None, Some(l)))]);
    run(
        "kubernetes_namespace_v1",
        (cfg("a"), cfg("b")),
        ("/api/v1/namespaces", "it-conf-ns"),
        true,
    )
    .await;
}

#[tokio::test]
async fn config_map_conforms() {
    let cfg = |v| {
        Value::map([
            ("metadata", metadata("conf-cm", Some("default"), Some("x"))),
            ("data", Value::map([("k", Value::from(v))])),
        ])
    };
    run(
        "kubernetes_config_map_v1",
        (cfg("v"), cfg("w")),
        ("/api/v1/namespaces/default/configmaps", "conf-cm"),
        true,
    )
    .await;
}

#[tokio::test]
async fn secret_conforms() {
    let cfg = |v| {
        Value::map([
            ("metadata", metadata("conf-secret", Some("default"), None)),
            (
                "data",
                Value::map([("password", Value::from(v))]).sensitive(),
            ),
        ])
    };
    run(
        "kubernetes_secret_v1",
        (cfg("p"), cfg("q")),
        ("/api/v1/namespaces/default/secrets", "conf-secret"),
        true,
    )
    .await;
}

#[tokio::test]
async fn service_account_conforms() {
    let cfg = |automount| {
        Value::map([
            ("metadata", metadata("conf-sa", Some("default"), None)),
            ("automount_service_account_token", Value::from(automount)),
            (
                "image_pull_secret",
                Value::List(vec![Value::map([("name", Value::from("registry"))])]),
            ),
        ])
    };
    run(
        "kubernetes_service_account_v1",
        (cfg(true), cfg(false)),
        ("/api/v1/namespaces/default/serviceaccounts", "conf-sa"),
        true,
    )
    .await;
}

#[tokio::test]
async fn manifest_conforms() {
    let cfg = |v| {
        let meta = Value::map([
            ("name", Value::from("conf-manifest")),
            ("namespace", Value::from("default")),
        ]);
        let m = Value::map([
            ("apiVersion", Value::from("v1")),
            ("kind", Value::from("ConfigMap")),
            ("metadata", meta),
            ("data", Value::map([("k", Value::from(v))])),
        ]);
        Value::map([("manifest", m)])
    };
    run(
        "kubernetes_manifest",
        (cfg("1"), cfg("2")),
        ("/api/v1/namespaces/default/configmaps", "conf-manifest"),
        false,
    )
    .await;
}

#[tokio::test]
async fn kubectl_manifest_conforms() {
    let cfg = |v| {
        let y = format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: conf-kubectl, namespace: default}}\ndata: {{k: \"{v}\"}}\n");
        Value::map([("yaml_body", Value::from(y))])
    };
    run(
        "kubectl_manifest",
        (cfg("1"), cfg("2")),
        ("/api/v1/namespaces/default/configmaps", "conf-kubectl"),
        false,
    )
    .await;
}
