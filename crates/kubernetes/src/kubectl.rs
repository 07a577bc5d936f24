//! `kubectl_manifest` (the community `kubectl` provider's type): one object as YAML text in
//! `yaml_body`. Applied by server-side apply like every object here; `server_side_apply =
//! false` (client-side apply) is not implemented and says so. `yaml_incluster` holds the
//! live object projected onto the YAML's paths (as JSON), so drift shows as its change.
//! `wait_for_rollout` (default true, as in that provider) waits for Deployments,
//! StatefulSets and DaemonSets; `apply_only` leaves the object in place on destroy.

use crate::flow::{self, ApplyOpts};
use crate::manifest::check_manifest;
use crate::shape::{normalize, set_at};
use crate::wait::WaitSpec;
use async_trait::async_trait;
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{
    AttrSchema, Invalid, OpContext, PlanContext, PlannedState, ProviderError, Resource, Schema,
};
use std::sync::OnceLock;
use std::time::Duration;

pub struct KubectlManifest;

const TIMEOUT: Duration = Duration::from_secs(10 * 60);
const COMPUTED: [&str; 7] = [
    "api_version",
    "kind",
    "name",
    "namespace",
    "uid",
    "id",
    "yaml_incluster",
];

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        let mut s = Schema::new()
            .attr("yaml_body", AttrSchema::required(Type::String))
            .attr("server_side_apply", AttrSchema::optional(Type::Bool))
            .attr("force_conflicts", AttrSchema::optional(Type::Bool))
            .attr("field_manager", AttrSchema::optional(Type::String))
            .attr("override_namespace", AttrSchema::optional(Type::String))
            .attr("wait_for_rollout", AttrSchema::optional(Type::Bool))
            .attr("apply_only", AttrSchema::optional(Type::Bool));
        for n in COMPUTED {
            s = s.attr(n, AttrSchema::computed(Type::String));
        }
        s
    })
}

fn flag(v: &Value, k: &str, default: bool) -> bool {
    v.get_attr(k)
        .and_then(|x| x.peel().as_bool())
        .unwrap_or(default)
}

fn text(v: &Value, k: &str) -> Option<String> {
    v.get_attr(k)
        .and_then(|x| x.peel().as_str())
        .map(str::to_string)
}

/// The object in `yaml_body` (`None` while unknown), with `override_namespace` applied.
pub(crate) fn parsed(v: &Value) -> Result<Option<Value>, String> {
    let Some(body) = v
        .get_attr("yaml_body")
        .filter(|b| b.is_wholly_known())
        .and_then(|b| b.peel().as_str())
    else {
        return Ok(None);
    };
    let mut m = normalize(
        &hubctl_core::lang::funcs::yaml_document(body)
            .map_err(|e| format!("yaml_body is not one YAML document: {e}"))?,
    );
    if let Some(ns) = text(v, "override_namespace") {
        set_at(&mut m, "metadata.namespace", Value::from(ns));
    }
    Ok(Some(m))
}

fn set(state: &mut Value, k: &str, v: Value) {
    if let Some(m) = state.as_map_mut() {
        m.insert(k.to_string(), v);
    }
}

fn opts(v: &Value) -> (String, bool, WaitSpec) {
    let manager = text(v, "field_manager").unwrap_or_else(|| "hubctl".into());
    let wait = WaitSpec {
        rollout: flag(v, "wait_for_rollout", true),
        ..WaitSpec::default()
    };
    (manager, flag(v, "force_conflicts", false), wait)
}

fn str_at(j: &serde_json::Value, path: &str) -> Value {
    crate::object::field(j, path)
        .and_then(|x| x.as_str())
        .map(Value::from)
        .unwrap_or(Value::from(""))
}

async fn apply(
    ctx: &OpContext<'_>,
    planned: &Value,
    timeout: Duration,
) -> Result<Value, ProviderError> {
    let m = parsed(planned)
        .map_err(ProviderError::msg)?
        .ok_or_else(|| ProviderError::msg("yaml_body is unknown at apply"))?;
    let (manager, force, wait) = opts(planned);
    let o = ApplyOpts {
        manager: &manager,
        force,
        wait: &wait,
        computed: &[],
        force_hint: "force_conflicts = true",
    };
    let (t, live) = flow::apply(ctx, &m, &o, timeout).await?;
    let mut s = planned.clone();
    fill(&mut s, &live, &m);
    set(
        &mut s,
        "id",
        Value::from(format!(
            "{}/{}",
            <kube_core::DynamicObject as kube_core::Resource>::url_path(
                &t.served.resource,
                t.namespace.as_deref()
            ),
            t.name
        )),
    );
    Ok(s)
}

/// The computed attributes from a live object.
fn fill(s: &mut Value, live: &serde_json::Value, m: &Value) {
    set(s, "api_version", str_at(live, "apiVersion"));
    set(s, "kind", str_at(live, "kind"));
    set(s, "name", str_at(live, "metadata.name"));
    set(s, "namespace", str_at(live, "metadata.namespace"));
    set(s, "uid", str_at(live, "metadata.uid"));
    set(
        s,
        "yaml_incluster",
        Value::from(flow::observed(live, m, &[]).to_json().to_string()),
    );
}

#[async_trait]
impl Resource for KubectlManifest {
    fn type_name(&self) -> &'static str {
        "kubectl_manifest"
    }

    fn schema(&self) -> &Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Invalid> {
        let mut out = Vec::new();
        if config
            .get_attr("server_side_apply")
            .and_then(|v| v.peel().as_bool())
            == Some(false)
        {
            out.push(Invalid::warn_at(&["server_side_apply"], "Argument has no effect", "hubctl applies every object by server-side apply (field manager \"hubctl\" unless field_manager is set); client-side apply is not implemented."));
        }
        match parsed(config) {
            Err(e) => out.push(Invalid::at(&["yaml_body"], "Invalid YAML", e)),
            Ok(Some(m)) => out.extend(check_manifest(&m, "yaml_body")),
            Ok(None) => {}
        }
        out
    }

    async fn plan(
        &self,
        ctx: &PlanContext<'_>,
        prior: Option<&Value>,
        proposed: Value,
    ) -> Result<PlannedState, ProviderError> {
        let m = parsed(&proposed).map_err(ProviderError::msg)?;
        let prior_m = prior.and_then(|p| parsed(p).ok().flatten());
        let replace = matches!((&prior_m, &m), (Some(a), Some(b)) if flow::other_object(a, b));
        let mut planned = proposed.clone();
        if prior.is_none() || replace {
            for n in COMPUTED {
                set(&mut planned, n, Value::unknown());
            }
        }
        if let Some(m) = &m {
            let (manager, force, _) = opts(&proposed);
            let o = ApplyOpts {
                manager: &manager,
                force,
                wait: &WaitSpec::default(),
                computed: &[],
                force_hint: "force_conflicts = true",
            };
            let view = if replace {
                None
            } else {
                flow::dry_run(ctx, m, &o).await?
            };
            let same_body = prior_m.as_ref() == Some(m);
            // Without a dry run (the cluster cannot answer, or another manager owns a field),
            // an unchanged body is planned as the body itself: drift at its paths shows.
            let view = match (view, same_body) {
                (Some(v), _) => Value::from(v.to_json().to_string()),
                (None, true) => Value::from(flow::from_config(m, &[]).to_json().to_string()),
                (None, false) => Value::unknown(),
            };
            set(&mut planned, "yaml_incluster", view);
        }
        let requires_replace = if replace {
            vec!["yaml_body".to_string()]
        } else {
            Vec::new()
        };
        Ok(PlannedState {
            planned,
            requires_replace,
        })
    }

    async fn create(&self, ctx: &OpContext<'_>, planned: &Value) -> Result<Value, ProviderError> {
        apply(ctx, planned, ctx.timeouts.create.unwrap_or(TIMEOUT)).await
    }

    async fn update(
        &self,
        ctx: &OpContext<'_>,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        apply(ctx, planned, ctx.timeouts.update.unwrap_or(TIMEOUT)).await
    }

    async fn read_many(
        &self,
        ctx: &OpContext<'_>,
        states: &[Value],
    ) -> Vec<Result<Option<Value>, ProviderError>> {
        let mut out = Vec::with_capacity(states.len());
        for s in states {
            let r = match parsed(s) {
                Err(e) => Err(ProviderError::msg(e)),
                Ok(None) => Ok(Some(s.clone())),
                Ok(Some(m)) => flow::read(ctx, &m).await.map(|live| {
                    live.map(|l| {
                        let mut s = s.clone();
                        fill(&mut s, &l, &m);
                        s
                    })
                }),
            };
            out.push(r);
        }
        out
    }

    async fn delete(&self, ctx: &OpContext<'_>, state: &Value) -> Result<(), ProviderError> {
        if flag(state, "apply_only", false) {
            return Ok(());
        }
        match parsed(state).map_err(ProviderError::msg)? {
            Some(m) => flow::delete(ctx, &m, ctx.timeouts.delete.unwrap_or(TIMEOUT)).await,
            None => Ok(()),
        }
    }
}
