//! hubctl's Kubernetes provider. Every object is applied by server-side apply (field
//! manager `hubctl`) and kept in state as the live object projected onto what the
//! configuration sets ([`shape`]), so a second plan is "No changes" and a field another
//! manager changed is drift. Kinds are found by API discovery, so custom resources and any
//! server version work (objects are untyped `DynamicObject`s, kube-rs's request builders
//! make the calls). Two provider names serve the types: `kubernetes` (the Terraform
//! provider's types) and `kubectl` (`kubectl_manifest`, the community provider's). Custom
//! resources are checked at plan time against the CRDs of the same configuration ([`crd`]).

mod argo;
pub mod client;
pub mod config;
pub mod crd;
pub mod exec;
mod flow;
pub mod kubeconfig;
mod kubectl;
mod manifest;
pub mod object;
pub mod shape;
pub mod tls;
mod typed;
pub mod wait;

use async_trait::async_trait;
use hubctl_core::lang::Value;
use hubctl_core::provider::{
    Finding, PlannedInstance, Provider, ProviderClient, ProviderError, Resource, Schema,
};
use std::sync::Arc;

pub use client::Kube;

/// `provider "kubernetes"`.
pub struct KubernetesProvider;

/// `provider "kubectl"` (`kubectl_manifest`), configured with the same arguments.
pub struct KubectlProvider;

async fn configure(config: &Value, kubectl: bool) -> Result<ProviderClient, ProviderError> {
    let s = config::settings(config, kubectl).map_err(ProviderError::msg)?;
    Ok(Arc::new(config::connect(s).await?))
}

#[async_trait]
impl Provider for KubernetesProvider {
    fn name(&self) -> &'static str {
        "kubernetes"
    }

    fn config_schema(&self) -> Schema {
        config::schema()
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        let mut r: Vec<Arc<dyn Resource>> = vec![Arc::new(manifest::Manifest)];
        r.extend(typed::resources());
        r
    }

    fn unsupported(&self, type_name: &str) -> Option<String> {
        unsupported(type_name)
    }

    async fn configure(&self, config: &Value) -> Result<ProviderClient, ProviderError> {
        configure(config, false).await
    }

    /// Custom resources judged by the plan's CRDs ([`crd`]), with no cluster needed.
    fn check_plan(&self, planned: &[PlannedInstance]) -> Vec<Finding> {
        crd::check_plan(planned, &["kubernetes_manifest"])
    }
}

#[async_trait]
impl Provider for KubectlProvider {
    fn name(&self) -> &'static str {
        "kubectl"
    }

    fn config_schema(&self) -> Schema {
        config::schema()
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(kubectl::KubectlManifest)]
    }

    async fn configure(&self, config: &Value) -> Result<ProviderClient, ProviderError> {
        configure(config, true).await
    }

    fn check_plan(&self, planned: &[PlannedInstance]) -> Vec<Finding> {
        crd::check_plan(planned, &["kubectl_manifest"])
    }
}

/// Why a Kubernetes-related type this provider does not have is refused, and the route
/// that works instead.
pub fn unsupported(type_name: &str) -> Option<String> {
    if type_name == "helm_release" {
        return Some("hubctl does not implement helm_release: Helm's Go templates are a runtime of their own. Render the chart once (helm template) and apply its objects with kubernetes_manifest (manifest = yamldecode(...)), or let Argo CD install the chart from an Application.".into());
    }
    let kube = type_name.starts_with("kubernetes_")
        || type_name.starts_with("kubectl_")
        || type_name.starts_with("helm_");
    kube.then(|| format!("hubctl's kubernetes provider does not implement {type_name}; write the object as a kubernetes_manifest (manifest = {{ apiVersion = ..., kind = ..., metadata = {{ ... }} }}), which applies any kind by server-side apply."))
}
