//! Custom resources judged at plan time by the CustomResourceDefinitions of the same
//! configuration ([`check_plan`]). The server refuses a malformed custom resource at its
//! dry run once the CRD is installed; on a first plan it is not (the CRD is applied by the
//! same run, or the cluster does not exist yet and the provider is not even configured), so
//! without this check a malformed Application would only fail halfway through the apply.
//! Each CRD given as a `kubernetes_manifest` or `kubectl_manifest` in the plan judges the
//! custom resources of its group, kind and version against that version's
//! `openAPIV3Schema` ([`schema`]), and a version it does not serve is refused too.

pub mod schema;
#[cfg(test)]
mod tests;

use hubctl_core::lang::Value;
use hubctl_core::provider::{Finding, PlannedInstance};
use schema::{Problem, Seg};

/// One CRD of the plan: what it defines, and where.
struct Crd<'a> {
    address: &'a str,
    attribute: &'static str,
    name: String,
    group: String,
    kind: String,
    /// Each version's name, whether it is served, and its schema.
    versions: Vec<(String, bool, Option<Value>)>,
}

/// The object an instance applies (`None` while unknown) and the argument that holds it.
fn manifest_of(p: &PlannedInstance) -> Option<(Value, &'static str)> {
    match p.type_name.as_str() {
        "kubernetes_manifest" => Some((p.value.get_attr("manifest")?.clone(), "manifest")),
        "kubectl_manifest" => Some((crate::kubectl::parsed(&p.value).ok()??, "yaml_body")),
        _ => None,
    }
}

fn text(v: &Value, path: &str) -> Option<String> {
    crate::shape::at(v, path)?
        .peel()
        .as_str()
        .map(str::to_string)
}

/// The CRD `m` defines, when it is one and what it defines is known.
fn crd<'a>(p: &'a PlannedInstance, m: &Value, attribute: &'static str) -> Option<Crd<'a>> {
    let api = text(m, "apiVersion")?;
    if !api.starts_with("apiextensions.k8s.io/") || text(m, "kind")? != "CustomResourceDefinition" {
        return None;
    }
    // apiextensions.k8s.io/v1beta1 has one schema for every version.
    let shared = crate::shape::at(m, "spec.validation.openAPIV3Schema").cloned();
    let mut versions = Vec::new();
    for v in crate::shape::at(m, "spec.versions")
        .and_then(|v| v.peel().as_seq())
        .unwrap_or(&[])
    {
        let Some(name) = text(v, "name") else {
            continue;
        };
        let served = crate::shape::at(v, "served").and_then(|s| s.peel().as_bool()) != Some(false);
        let schema = crate::shape::at(v, "schema.openAPIV3Schema")
            .cloned()
            .or_else(|| shared.clone());
        versions.push((name, served, schema));
    }
    if let (Some(version), true) = (text(m, "spec.version"), versions.is_empty()) {
        versions.push((version, true, shared));
    }
    Some(Crd {
        address: &p.address,
        attribute,
        name: text(m, "metadata.name").unwrap_or_default(),
        group: text(m, "spec.group")?,
        kind: text(m, "spec.names.kind")?,
        versions,
    })
}

/// The findings on the custom resources of `own` types (the calling provider's) in
/// `planned`, judged by every CRD in `planned` (whichever provider applies it).
pub fn check_plan(planned: &[PlannedInstance], own: &[&str]) -> Vec<Finding> {
    let manifests: Vec<(&PlannedInstance, Value, &'static str)> = planned
        .iter()
        .filter(|p| !p.data)
        .filter_map(|p| manifest_of(p).map(|(m, a)| (p, m, a)))
        .collect();
    let crds: Vec<Crd> = manifests
        .iter()
        .filter_map(|(p, m, a)| crd(p, m, a))
        .collect();
    if crds.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (p, m, attribute) in &manifests {
        if !own.contains(&p.type_name.as_str()) {
            continue;
        }
        let (Some(api), Some(kind)) = (text(m, "apiVersion"), text(m, "kind")) else {
            continue;
        };
        let Some((group, version)) = api.split_once('/') else {
            continue;
        };
        let Some(c) = crds.iter().find(|c| c.group == group && c.kind == kind) else {
            continue;
        };
        let resource = Resource {
            p,
            attribute,
            kind: &kind,
            name: text(m, "metadata.name").unwrap_or_else(|| "(known after apply)".into()),
        };
        match c.versions.iter().find(|(n, ..)| n == version) {
            Some((_, true, Some(schema))) if schema.is_wholly_known() => {
                for problem in schema::validate(schema, m) {
                    out.push(resource.finding(c, version, &problem));
                }
            }
            Some((_, true, _)) => {}
            _ => out.push(resource.unserved(c, version)),
        }
    }
    out
}

/// The custom resource a finding is about.
struct Resource<'a> {
    p: &'a PlannedInstance,
    attribute: &'static str,
    kind: &'a str,
    name: String,
}

impl Resource<'_> {
    fn related(&self, c: &Crd) -> Option<(String, String, String)> {
        Some((
            c.address.to_string(),
            c.attribute.to_string(),
            format!("the CustomResourceDefinition {}", c.name),
        ))
    }

    fn finding(&self, c: &Crd, version: &str, problem: &Problem) -> Finding {
        let mut detail = format!(
            "{}.{} {:?} is invalid: {}\n\nChecked at plan time against the openAPIV3Schema of version {version} of CustomResourceDefinition {}, which {} applies in this configuration.",
            self.kind,
            c.group,
            self.name,
            problem.line(),
            c.name,
            c.address
        );
        if problem.message.starts_with("Unknown field") {
            detail.push_str(" A field the schema does not declare is refused, as kubectl --validate=strict and server-side apply with fieldValidation=Strict refuse it: the API server would drop it silently, and what it sets would never take effect.");
        }
        Finding {
            address: self.p.address.clone(),
            attribute: self.attribute.to_string(),
            path: problem
                .path
                .iter()
                .map(|s| match s {
                    Seg::Key(k) => k.clone(),
                    Seg::Index(i) => i.to_string(),
                })
                .collect(),
            summary: format!("Invalid {}", self.kind),
            detail,
            related: self.related(c),
        }
    }

    fn unserved(&self, c: &Crd, version: &str) -> Finding {
        let served: Vec<&str> = c
            .versions
            .iter()
            .filter(|(_, s, _)| *s)
            .map(|(n, ..)| n.as_str())
            .collect();
        Finding {
            address: self.p.address.clone(),
            attribute: self.attribute.to_string(),
            path: vec!["apiVersion".into()],
            summary: format!("Invalid {}", self.kind),
            detail: format!(
                "CustomResourceDefinition {} ({}) serves no version {version:?} of {}: it serves {}. The API server would answer \"no matches for kind\".",
                c.name,
                c.address,
                self.kind,
                if served.is_empty() { "none".to_string() } else { served.join(", ") }
            ),
            related: self.related(c),
        }
    }
}
