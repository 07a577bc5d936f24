//! One object's operations by server-side apply: find which resource serves its kind,
//! apply (for real or as a dry run), read, delete and wait until gone, and the waits after
//! an apply (a CRD until `Established`, a `wait {}` block, a rollout). Kubernetes ordering
//! the graph does not carry is waited for here: a custom resource whose CRD is being
//! created in the same apply waits until its kind is served, an object whose namespace is
//! being created waits for the namespace.

use crate::client::{Kube, Served};
use hubctl_core::provider::{ErrorKind, OpContext, ProviderError};
use kube_core::dynamic::DynamicObject;
use kube_core::params::{DeleteParams, GetParams, Patch, PatchParams};
use kube_core::{Request, Resource};
use serde_json::Value as J;
use std::time::{Duration, Instant};

/// Where an object lives on the server.
#[derive(Clone, Debug)]
pub struct Target {
    pub served: Served,
    pub name: String,
    pub namespace: Option<String>,
}

impl Target {
    fn request(&self) -> Request {
        Request::new(DynamicObject::url_path(
            &self.served.resource,
            self.namespace.as_deref(),
        ))
    }

    /// `ConfigMap default/settings`, for messages.
    pub fn describe(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.served.resource.kind, self.name),
            None => format!("{} {}", self.served.resource.kind, self.name),
        }
    }
}

/// `apiVersion`, `kind`, `metadata.name` and `metadata.namespace` of a manifest.
pub fn identity(obj: &J) -> Result<(String, String, String, Option<String>), String> {
    let s = |v: Option<&J>| {
        v.and_then(J::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let api_version = s(obj.get("apiVersion")).ok_or("the object has no apiVersion")?;
    let kind = s(obj.get("kind")).ok_or("the object has no kind")?;
    let meta = obj.get("metadata");
    let name = s(meta.and_then(|m| m.get("name"))).ok_or("the object has no metadata.name")?;
    let ns = s(meta.and_then(|m| m.get("namespace")));
    Ok((api_version, kind, name, ns))
}

fn invalid(msg: String) -> ProviderError {
    ProviderError::msg(msg).kind(ErrorKind::Invalid)
}

/// The target of `obj`, or `None` while its kind is not served.
pub async fn target(kube: &Kube, obj: &J) -> Result<Option<Target>, ProviderError> {
    let (api_version, kind, name, ns) = identity(obj).map_err(invalid)?;
    let Some(served) = kube.served(&api_version, &kind).await? else {
        return Ok(None);
    };
    let namespace = match served.namespaced {
        true => Some(ns.unwrap_or_else(|| kube.default_namespace.clone())),
        false => None,
    };
    Ok(Some(Target {
        served,
        name,
        namespace,
    }))
}

/// Polls `step` every half second until it gives a value or `timeout` passes, reporting
/// `what` as progress.
async fn poll<T, F, Fut>(
    ctx: &OpContext<'_>,
    what: &str,
    timeout: Duration,
    mut step: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, ProviderError>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = step().await? {
            return Ok(v);
        }
        if start.elapsed() >= timeout {
            return Err(ProviderError::msg(format!(
                "timed out after {} s waiting for {what}",
                timeout.as_secs()
            )));
        }
        (ctx.progress)(what);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The target once its kind is served (a CRD in the same apply may still be being created).
pub async fn target_when_served(
    kube: &Kube,
    obj: &J,
    ctx: &OpContext<'_>,
    timeout: Duration,
) -> Result<Target, ProviderError> {
    let (api_version, kind, ..) = identity(obj).map_err(invalid)?;
    let what = format!(
        "kind {kind} of {api_version} to be served (is its CustomResourceDefinition applied?)"
    );
    poll(ctx, &what, timeout, || target(kube, obj)).await
}

/// The parameters of a server-side apply. Field validation is `Strict`, as kubectl's
/// default `--validate=strict`: a field the kind's schema does not declare is an error, not
/// dropped silently (the plan-time check of custom resources, [`crate::crd`], refuses the
/// same). API servers before 1.25 ignore the parameter and prune such fields.
fn apply_params(manager: &str, force: bool, dry_run: bool) -> PatchParams {
    let mut pp = PatchParams::apply(manager).validation_strict();
    if force {
        pp = pp.force();
    }
    if dry_run {
        pp = pp.dry_run();
    }
    pp
}

/// Server-side apply of `obj` as `manager`. A conflict names the other field manager.
/// `force_hint` says how the resource takes fields over (`field_manager { force_conflicts = true }`).
pub async fn apply(
    kube: &Kube,
    t: &Target,
    obj: &J,
    manager: &str,
    force: bool,
    dry_run: bool,
    force_hint: &str,
) -> Result<J, ProviderError> {
    let pp = apply_params(manager, force, dry_run);
    let req = t
        .request()
        .patch(&t.name, &pp, &Patch::Apply(obj))
        .map_err(|e| ProviderError::msg(e.to_string()))?;
    let op = if dry_run {
        "kubernetes:apply (dry run)"
    } else {
        "kubernetes:apply"
    };
    kube.send(req, op).await.map_err(|mut e| {
        e.message = match e.kind {
            ErrorKind::Conflict => format!(
                "{}: {}. Another field manager owns these fields; set {force_hint} to take them over",
                t.describe(),
                e.message
            ),
            _ => format!("{}: {}", t.describe(), e.message),
        };
        e
    })
}

/// Applies, waiting while the object's namespace does not exist yet (being created in the
/// same apply): the server answers such an apply with 404.
pub async fn apply_when_possible(
    kube: &Kube,
    t: &Target,
    obj: &J,
    (manager, force, force_hint): (&str, bool, &str),
    ctx: &OpContext<'_>,
    timeout: Duration,
) -> Result<J, ProviderError> {
    let what = format!(
        "namespace {} of {} to exist",
        t.namespace.as_deref().unwrap_or(""),
        t.describe()
    );
    poll(ctx, &what, timeout, || async {
        match apply(kube, t, obj, manager, force, false, force_hint).await {
            Ok(j) => Ok(Some(j)),
            Err(e) if e.is_not_found() && t.namespace.is_some() => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await
}

/// The live object, or `None` when it is gone.
pub async fn get(kube: &Kube, t: &Target) -> Result<Option<J>, ProviderError> {
    let req = t
        .request()
        .get(&t.name, &GetParams::default())
        .map_err(|e| ProviderError::msg(e.to_string()))?;
    match kube.send(req, "kubernetes:get").await {
        Ok(j) => Ok(Some(j)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(mut e) => {
            e.message = format!("{}: {}", t.describe(), e.message);
            Err(e)
        }
    }
}

/// Deletes the object and waits until it is gone (finalizers, a namespace's contents).
pub async fn delete(
    kube: &Kube,
    t: &Target,
    ctx: &OpContext<'_>,
    timeout: Duration,
) -> Result<(), ProviderError> {
    let req = t
        .request()
        .delete(&t.name, &DeleteParams::background())
        .map_err(|e| ProviderError::msg(e.to_string()))?;
    match kube.send(req, "kubernetes:delete").await {
        Ok(_) => {}
        Err(e) if e.is_not_found() => return Ok(()),
        Err(mut e) => {
            e.message = format!("{}: {}", t.describe(), e.message);
            return Err(e);
        }
    }
    let what = format!("{} to be deleted", t.describe());
    poll(ctx, &what, timeout, || async {
        Ok(get(kube, t).await?.is_none().then_some(()))
    })
    .await
}

/// The value at a path like `status.conditions[0].type`.
pub fn field<'a>(obj: &'a J, path: &str) -> Option<&'a J> {
    let mut cur = obj;
    for part in path.split('.') {
        let (key, idx) = match part.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        if !key.is_empty() {
            cur = cur.get(key)?;
        }
        if let Some(i) = idx {
            cur = cur.get(i)?;
        }
    }
    Some(cur)
}

/// Whether condition `ty` has status `status`.
pub fn has_condition(obj: &J, ty: &str, status: &str) -> bool {
    field(obj, "status.conditions")
        .and_then(J::as_array)
        .is_some_and(|cs| {
            cs.iter().any(|c| {
                c.get("type").and_then(J::as_str) == Some(ty)
                    && c.get("status").and_then(J::as_str) == Some(status)
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_ask_for_strict_field_validation() {
        let obj = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap"});
        let pp = apply_params("hubctl", true, true);
        let req = Request::new("/api/v1/namespaces/default/configmaps")
            .patch("settings", &pp, &Patch::Apply(&obj))
            .expect("request");
        let query = req.uri().query().unwrap_or("").to_string();
        for want in [
            "fieldValidation=Strict",
            "fieldManager=hubctl",
            "force=true",
            "dryRun=All",
        ] {
            assert!(query.contains(want), "{query}");
        }
        let plain = apply_params("hubctl", false, false);
        let req = Request::new("/api/v1/namespaces/default/configmaps")
            .patch("settings", &plain, &Patch::Apply(&obj))
            .expect("request");
        let query = req.uri().query().unwrap_or("").to_string();
        assert!(query.contains("fieldValidation=Strict"), "{query}");
        assert!(
            !query.contains("dryRun") && !query.contains("force"),
            "{query}"
        );
    }
}
