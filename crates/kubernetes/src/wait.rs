//! What an apply waits for before it reports the object created: a CRD until `Established`
//! (so custom resources after it can be applied), and what the `wait {}` block asks for:
//! field values, conditions, or a finished rollout (Deployment, StatefulSet, DaemonSet).

use crate::client::Kube;
use crate::object::{field, get, has_condition, Target};
use hubctl_core::lang::Value;
use hubctl_core::provider::{OpContext, ProviderError};
use serde_json::Value as J;
use std::time::{Duration, Instant};

/// A `wait {}` block, read.
#[derive(Default, Debug, Clone, PartialEq)]
pub struct WaitSpec {
    /// Field path → the value it must have (compared as text).
    pub fields: Vec<(String, String)>,
    /// Condition type → status.
    pub conditions: Vec<(String, String)>,
    pub rollout: bool,
}

fn text(v: &Value) -> Option<String> {
    v.peel().as_str().map(str::to_string)
}

impl WaitSpec {
    /// From the resource's `wait` block (a list of at most one).
    pub fn from_block(v: Option<&Value>) -> WaitSpec {
        let Some(b) = v.and_then(|v| v.peel().as_seq()).and_then(|xs| xs.first()) else {
            return WaitSpec::default();
        };
        let fields = b
            .get_attr("fields")
            .and_then(|f| f.peel().as_map())
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), text(v)?)))
                    .collect()
            })
            .unwrap_or_default();
        let conditions = b
            .get_attr("condition")
            .and_then(|c| c.peel().as_seq())
            .map(|cs| {
                cs.iter()
                    .filter_map(|c| {
                        Some((text(c.get_attr("type")?)?, text(c.get_attr("status")?)?))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let rollout = b
            .get_attr("rollout")
            .and_then(|r| r.peel().as_bool())
            .unwrap_or(false);
        WaitSpec {
            fields,
            conditions,
            rollout,
        }
    }
}

fn int(obj: &J, path: &str) -> i64 {
    field(obj, path).and_then(J::as_i64).unwrap_or(0)
}

/// What a rollout still waits for, or `None` when it is done (kinds without rollouts are).
pub fn rollout_pending(obj: &J) -> Option<String> {
    let kind = obj.get("kind").and_then(J::as_str).unwrap_or("");
    let generation_seen = int(obj, "status.observedGeneration") >= int(obj, "metadata.generation");
    let want = field(obj, "spec.replicas").and_then(J::as_i64).unwrap_or(1);
    let pending = match kind {
        "Deployment" => {
            let (updated, available) = (
                int(obj, "status.updatedReplicas"),
                int(obj, "status.availableReplicas"),
            );
            let done = generation_seen
                && updated >= want
                && available >= want
                && has_condition(obj, "Available", "True");
            (!done).then(|| format!("Deployment available: {available}/{want} replicas available, {updated} updated"))
        }
        "StatefulSet" => {
            let ready = int(obj, "status.readyReplicas");
            let same = field(obj, "status.currentRevision") == field(obj, "status.updateRevision");
            let done = generation_seen && ready >= want && same;
            (!done).then(|| format!("StatefulSet ready: {ready}/{want} replicas ready"))
        }
        "DaemonSet" => {
            let (ready, desired) = (
                int(obj, "status.numberReady"),
                int(obj, "status.desiredNumberScheduled"),
            );
            let done = generation_seen && ready >= desired;
            (!done).then(|| format!("DaemonSet ready: {ready}/{desired} pods ready"))
        }
        _ => None,
    };
    pending
}

/// What `obj` still waits for under `spec`, or `None` when it is ready.
pub fn pending(obj: &J, spec: &WaitSpec) -> Option<String> {
    let kind = obj.get("kind").and_then(J::as_str).unwrap_or("");
    if kind == "CustomResourceDefinition" && !has_condition(obj, "Established", "True") {
        return Some("condition Established".into());
    }
    for (path, want) in &spec.fields {
        let have = field(obj, path).map(|v| match v {
            J::String(s) => s.clone(),
            other => other.to_string(),
        });
        if have.as_deref() != Some(want.as_str()) {
            return Some(format!(
                "field {path} = {want:?} (now {})",
                have.as_deref().unwrap_or("unset")
            ));
        }
    }
    for (ty, status) in &spec.conditions {
        if !has_condition(obj, ty, status) {
            return Some(format!("condition {ty} = {status}"));
        }
    }
    if spec.rollout {
        return rollout_pending(obj);
    }
    None
}

/// Waits until `live` (re-read every second) satisfies `spec`; returns the last read.
pub async fn until_ready(
    kube: &Kube,
    t: &Target,
    live: J,
    spec: &WaitSpec,
    ctx: &OpContext<'_>,
    timeout: Duration,
) -> Result<J, ProviderError> {
    let start = Instant::now();
    let mut live = live;
    loop {
        let Some(what) = pending(&live, spec) else {
            return Ok(live);
        };
        let msg = format!("{} to be ready: {what}", t.describe());
        if start.elapsed() >= timeout {
            return Err(ProviderError::msg(format!(
                "timed out after {} s waiting for {msg}",
                timeout.as_secs()
            )));
        }
        (ctx.progress)(&msg);
        tokio::time::sleep(Duration::from_secs(1)).await;
        live = get(kube, t).await?.ok_or_else(|| {
            ProviderError::msg(format!("{} disappeared while waiting for it", t.describe()))
        })?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn crds_wait_for_established_and_deployments_for_available() {
        let crd = json!({"kind":"CustomResourceDefinition","status":{"conditions":[{"type":"NamesAccepted","status":"True"}]}});
        assert_eq!(
            pending(&crd, &WaitSpec::default()).as_deref(),
            Some("condition Established")
        );
        let crd = json!({"kind":"CustomResourceDefinition","status":{"conditions":[{"type":"Established","status":"True"}]}});
        assert_eq!(pending(&crd, &WaitSpec::default()), None);
        let rollout = WaitSpec {
            rollout: true,
            ..WaitSpec::default()
        };
        let dep = json!({"kind":"Deployment","metadata":{"generation":2},"spec":{"replicas":2},
            "status":{"observedGeneration":2,"updatedReplicas":2,"availableReplicas":1}});
        assert!(pending(&dep, &rollout)
            .unwrap()
            .contains("1/2 replicas available"));
        let done = json!({"kind":"Deployment","metadata":{"generation":2},"spec":{"replicas":2},
            "status":{"observedGeneration":2,"updatedReplicas":2,"availableReplicas":2,
            "conditions":[{"type":"Available","status":"True"}]}});
        assert_eq!(pending(&done, &rollout), None);
    }

    #[test]
    fn fields_and_conditions() {
        let spec = WaitSpec {
            fields: vec![("status.phase".into(), "Active".into())],
            conditions: vec![("Ready".into(), "True".into())],
            rollout: false,
        };
        let obj = json!({"kind":"X","status":{"phase":"Pending"}});
        assert!(pending(&obj, &spec).unwrap().contains("now Pending"));
        let obj = json!({"kind":"X","status":{"phase":"Active","conditions":[{"type":"Ready","status":"True"}]}});
        assert_eq!(pending(&obj, &spec), None);
    }
}
