//! `kubernetes_manifest`: one object of any kind, `manifest = {...}` (or `yamldecode(...)`),
//! applied by server-side apply as field manager `hubctl` (or `field_manager { name }`).
//!
//! State: `manifest` as configured, and `object`, the live object projected onto the
//! manifest's paths ([`crate::shape::project`]): managed fields, server defaults and status
//! are not in it, so they are never diffs, while a value another manager changed is.
//! `computed_fields` (default `metadata.labels`, `metadata.annotations`, as in the Terraform
//! provider) are taken whole from the server. The plan is a server-side dry run when the
//! cluster can answer, else the manifest itself; a custom resource whose CRD is in the
//! configuration is checked against its schema either way ([`crate::crd`]). A new kind,
//! name or namespace replaces.
//! Waits: a CRD until `Established`; `wait { fields, condition, rollout }` (an Argo CD
//! Application is only reported as the server has it, see [`crate::argo`]). Timeouts:
//! create/update/delete 10m by default.

use crate::flow::{self, ApplyOpts};
use crate::shape::normalize;
use crate::wait::WaitSpec;
use async_trait::async_trait;
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{
    AttrSchema, BlockSchema, Invalid, Nesting, OpContext, PlanContext, PlannedState, ProviderError,
    Resource, Schema,
};
use std::sync::OnceLock;
use std::time::Duration;

pub struct Manifest;

const TIMEOUT: Duration = Duration::from_secs(10 * 60);

fn list_block(schema: Schema) -> BlockSchema {
    BlockSchema {
        nesting: Nesting::List,
        min_items: 0,
        max_items: Some(1),
        force_new: false,
        schema,
    }
}

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        let condition = BlockSchema {
            max_items: None,
            ..list_block(
                Schema::new()
                    .attr("type", AttrSchema::optional(Type::String))
                    .attr("status", AttrSchema::optional(Type::String)),
            )
        };
        Schema::new()
            .attr("manifest", AttrSchema::required(Type::Any))
            .attr("object", AttrSchema::computed(Type::Any))
            .attr(
                "computed_fields",
                AttrSchema::optional(Type::List(Box::new(Type::String))),
            )
            .block(
                "field_manager",
                list_block(
                    Schema::new()
                        .attr("name", AttrSchema::optional(Type::String))
                        .attr("force_conflicts", AttrSchema::optional(Type::Bool)),
                ),
            )
            .block(
                "wait",
                list_block(
                    Schema::new()
                        .attr(
                            "fields",
                            AttrSchema::optional(Type::Map(Box::new(Type::String))),
                        )
                        .attr("rollout", AttrSchema::optional(Type::Bool))
                        .block("condition", condition),
                ),
            )
    })
}

/// The field manager and whether it takes over conflicting fields.
fn manager(v: &Value) -> (String, bool) {
    let b = v
        .get_attr("field_manager")
        .and_then(|b| b.peel().as_seq())
        .and_then(|xs| xs.first().cloned());
    let name = b
        .as_ref()
        .and_then(|b| b.get_attr("name"))
        .and_then(|n| n.peel().as_str().map(str::to_string));
    let force = b
        .as_ref()
        .and_then(|b| b.get_attr("force_conflicts"))
        .and_then(|f| f.peel().as_bool());
    (
        name.unwrap_or_else(|| "hubctl".into()),
        force.unwrap_or(false),
    )
}

fn computed(v: &Value) -> Vec<String> {
    match v
        .get_attr("computed_fields")
        .and_then(|c| c.peel().as_seq())
    {
        Some(xs) => xs
            .iter()
            .filter_map(|x| x.peel().as_str().map(str::to_string))
            .collect(),
        None => vec!["metadata.labels".into(), "metadata.annotations".into()],
    }
}

fn with(state: &Value, key: &str, v: Value) -> Value {
    let mut m = state.as_map().cloned().unwrap_or_default();
    m.insert(key.to_string(), v);
    Value::Object(m)
}

fn manifest_of(v: &Value) -> Value {
    normalize(v.get_attr("manifest").unwrap_or(&Value::Null))
}

/// Applies the planned state's manifest and returns the state.
async fn apply(
    ctx: &OpContext<'_>,
    planned: &Value,
    timeout: Duration,
) -> Result<Value, ProviderError> {
    let manifest = manifest_of(planned);
    let (name, force) = manager(planned);
    let wait = WaitSpec::from_block(planned.get_attr("wait"));
    let computed = computed(planned);
    let o = ApplyOpts {
        manager: &name,
        force,
        wait: &wait,
        computed: &computed,
        force_hint: "field_manager { force_conflicts = true }",
    };
    let (_, live) = flow::apply(ctx, &manifest, &o, timeout).await?;
    let state = with(planned, "manifest", manifest.clone());
    Ok(with(
        &state,
        "object",
        flow::observed(&live, &manifest, &computed),
    ))
}

/// Whether `path` is absent or empty in `m`; an unknown on the way may still hold it.
fn missing(m: &Value, path: &str) -> bool {
    let mut cur = m;
    for k in path.split('.') {
        if cur.is_unknown() {
            return false;
        }
        match cur.peel().get_attr(k) {
            Some(v) => cur = v,
            None => return true,
        }
    }
    match cur.peel() {
        Value::Unknown(_) => false,
        Value::String(s) => s.is_empty(),
        _ => true,
    }
}

/// Checks a manifest has what every object needs (where known).
pub fn check_manifest(m: &Value, at: &str) -> Vec<Invalid> {
    if m.is_unknown() {
        return Vec::new();
    }
    if m.peel().as_map().is_none() {
        let detail = "The manifest must be an object with apiVersion, kind and metadata.";
        return vec![Invalid::at(&[at], "Invalid manifest", detail)];
    }
    ["apiVersion", "kind", "metadata.name"]
        .into_iter()
        .filter(|p| missing(m, p))
        .map(|p| {
            let detail = format!("The manifest has no {p}: every Kubernetes object needs apiVersion, kind and metadata.name.");
            Invalid::at(&[at], "Invalid manifest", detail)
        })
        .collect()
}

#[async_trait]
impl Resource for Manifest {
    fn type_name(&self) -> &'static str {
        "kubernetes_manifest"
    }

    fn schema(&self) -> &Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Invalid> {
        match config.get_attr("manifest") {
            Some(m) if !m.is_null() => check_manifest(m, "manifest"),
            _ => Vec::new(),
        }
    }

    async fn plan(
        &self,
        ctx: &PlanContext<'_>,
        prior: Option<&Value>,
        proposed: Value,
    ) -> Result<PlannedState, ProviderError> {
        let manifest = manifest_of(&proposed);
        let replace = prior.is_some_and(|p| flow::other_object(&manifest_of(p), &manifest));
        let (name, force) = manager(&proposed);
        let wait = WaitSpec::default();
        let computed = computed(&proposed);
        let o = ApplyOpts {
            manager: &name,
            force,
            wait: &wait,
            computed: &computed,
            force_hint: "field_manager { force_conflicts = true }",
        };
        let object = match replace {
            true => None,
            false => flow::dry_run(ctx, &manifest, &o).await?,
        };
        let object = object.unwrap_or_else(|| flow::from_config(&manifest, &computed));
        let planned = with(&with(&proposed, "manifest", manifest), "object", object);
        let requires_replace = if replace {
            vec!["manifest".to_string()]
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
            let manifest = manifest_of(s);
            out.push(flow::read(ctx, &manifest).await.map(|live| {
                live.map(|l| with(s, "object", flow::observed(&l, &manifest, &computed(s))))
            }));
        }
        out
    }

    async fn delete(&self, ctx: &OpContext<'_>, state: &Value) -> Result<(), ProviderError> {
        flow::delete(
            ctx,
            &manifest_of(state),
            ctx.timeouts.delete.unwrap_or(TIMEOUT),
        )
        .await
    }
}
