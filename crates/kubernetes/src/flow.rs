//! The steps every object type shares: plan by server-side dry run (or from configuration
//! when the cluster cannot answer yet), apply and wait, read back, delete and wait.

use crate::client::{is_unreachable, Kube};
use crate::object::{self, Target};
use crate::shape::{at, normalize, project, set_at};
use crate::wait::{self, WaitSpec};
use hubctl_core::lang::Value;
use hubctl_core::provider::{OpContext, PlanContext, ProviderClient, ProviderError};
use serde_json::Value as J;
use std::time::Duration;

/// The configured client behind a context.
pub fn kube(client: &ProviderClient) -> Result<&Kube, ProviderError> {
    client.downcast_ref::<Kube>().ok_or_else(|| {
        ProviderError::msg(
            "internal error: the kubernetes provider was not configured for this resource",
        )
    })
}

/// How one object is applied.
pub struct ApplyOpts<'a> {
    pub manager: &'a str,
    pub force: bool,
    pub wait: &'a WaitSpec,
    /// Paths whose whole live value is kept (server-mutated: labels, annotations).
    pub computed: &'a [String],
    /// How the resource takes over fields another manager owns, for conflict errors.
    pub force_hint: &'a str,
}

/// The state's view of a live object: projected onto the manifest's paths, computed paths
/// taken whole from the server.
pub fn observed(live: &J, manifest: &Value, computed: &[String]) -> Value {
    let live = Value::from_json(live);
    let mut out = project(&live, manifest);
    for path in computed {
        if at(manifest, path).is_some() {
            set_at(
                &mut out,
                path,
                at(&live, path).map(normalize).unwrap_or(Value::Null),
            );
        }
    }
    out
}

/// The planned view without a server: the manifest, computed paths unknown.
pub fn from_config(manifest: &Value, computed: &[String]) -> Value {
    let mut out = normalize(manifest);
    for path in computed {
        if at(manifest, path).is_some() {
            set_at(&mut out, path, Value::unknown());
        }
    }
    out
}

/// The dry-run view of applying `manifest`, or `None` when the cluster cannot say yet: it is
/// unreachable, the kind is not served (its CRD is in this apply), the namespace does not
/// exist yet, or another manager owns a field (the plan then shows the drift; the apply
/// reports the conflict).
pub async fn dry_run(
    ctx: &PlanContext<'_>,
    manifest: &Value,
    o: &ApplyOpts<'_>,
) -> Result<Option<Value>, ProviderError> {
    let Some(client) = ctx.client else {
        return Ok(None);
    };
    if !manifest.is_wholly_known() {
        return Ok(None);
    }
    let kube = kube(client)?;
    let obj = crate::shape::to_server(manifest);
    let t = match object::target(kube, &obj).await {
        Ok(Some(t)) => t,
        Ok(None) => return Ok(None),
        Err(e) if is_unreachable(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    match object::apply(kube, &t, &obj, o.manager, o.force, true, o.force_hint).await {
        Ok(live) => Ok(Some(observed(&live, manifest, o.computed))),
        Err(e)
            if is_unreachable(&e)
                || e.is_not_found()
                || e.kind == hubctl_core::provider::ErrorKind::Conflict =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Applies `manifest` (waiting for its kind and namespace), then waits as asked; an Argo CD
/// Application's status is noted as the server has it then ([`crate::argo`]). Returns
/// where it lives and the observed view.
pub async fn apply(
    ctx: &OpContext<'_>,
    manifest: &Value,
    o: &ApplyOpts<'_>,
    timeout: Duration,
) -> Result<(Target, J), ProviderError> {
    let kube = kube(ctx.client)?;
    let obj = crate::shape::to_server(manifest);
    let t = object::target_when_served(kube, &obj, ctx, timeout).await?;
    let live = object::apply_when_possible(
        kube,
        &t,
        &obj,
        (o.manager, o.force, o.force_hint),
        ctx,
        timeout,
    )
    .await?;
    let live = wait::until_ready(kube, &t, live, o.wait, ctx, timeout).await?;
    if let Some(line) = crate::argo::application_status(&live) {
        (ctx.note)(&line);
    }
    Ok((t, live))
}

/// The live object behind `manifest`, `None` when it (or its kind) is gone.
pub async fn read(ctx: &OpContext<'_>, manifest: &Value) -> Result<Option<J>, ProviderError> {
    let kube = kube(ctx.client)?;
    let obj = crate::shape::to_server(manifest);
    match object::target(kube, &obj).await? {
        None => Ok(None),
        Some(t) => object::get(kube, &t).await,
    }
}

/// Deletes the object behind `manifest` and waits until it is gone.
pub async fn delete(
    ctx: &OpContext<'_>,
    manifest: &Value,
    timeout: Duration,
) -> Result<(), ProviderError> {
    let kube = kube(ctx.client)?;
    let obj = crate::shape::to_server(manifest);
    match object::target(kube, &obj).await? {
        None => Ok(()),
        Some(t) => object::delete(kube, &t, ctx, timeout).await,
    }
}

/// Whether the two manifests name different objects (a change that replaces).
pub fn other_object(prior: &Value, new: &Value) -> bool {
    if !new.is_wholly_known() {
        return false;
    }
    let id = |v: &Value| object::identity(&crate::shape::to_server(v)).ok();
    id(prior) != id(new)
}
