//! The typed resources with the Terraform provider's attribute names
//! (`kubernetes_namespace_v1`, `kubernetes_config_map_v1`, `kubernetes_secret_v1`,
//! `kubernetes_service_account_v1`): each kind says how its attributes map to the object
//! ([`Kind::body`]) and back ([`Kind::read`]); the rest is shared here. A `metadata` block
//! holds name, namespace (default `default`), labels and annotations, and the computed
//! `uid`. Unlike the Terraform provider, `resource_version` and `generation` are not kept:
//! controllers change them at any time (the token controller edits a new ServiceAccount),
//! so state would never settle. Maps the server may add keys to (labels,
//! annotations, data) are read back restricted to the keys state or configuration has, so
//! another manager's additions are not diffs. The plan is computed from configuration;
//! refresh reads the live object, so a value changed by another manager shows as drift.
//! A new name or namespace replaces. Import ids: `name` or `namespace/name`.

mod kinds;

use crate::flow::{self, ApplyOpts};
use crate::wait::WaitSpec;
use async_trait::async_trait;
use hubctl_core::lang::{Type, Value, VecMap};
use hubctl_core::plan::diff::same;
use hubctl_core::provider::{
    AttrSchema, BlockSchema, Nesting, OpContext, PlanContext, PlannedState, ProviderError,
    Resource, Schema,
};
use serde_json::{json, Value as J};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub fn resources() -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(Typed(kinds::Namespace, OnceLock::new())),
        Arc::new(Typed(kinds::ConfigMap, OnceLock::new())),
        Arc::new(Typed(kinds::Secret, OnceLock::new())),
        Arc::new(Typed(kinds::ServiceAccount, OnceLock::new())),
    ]
}

/// What differs between the typed kinds.
pub trait Kind: Send + Sync + 'static {
    fn type_name(&self) -> &'static str;
    fn api_version(&self) -> &'static str;
    fn kind(&self) -> &'static str;
    fn namespaced(&self) -> bool;
    /// The kind's attributes and blocks besides `metadata` and `id`.
    fn schema(&self, s: Schema) -> Schema;
    /// Defaults the Terraform provider fills in (`type = "Opaque"`).
    fn defaults(&self, planned: &mut VecMap<String, Value>) {
        let _ = planned;
    }
    /// The object's fields besides apiVersion, kind and metadata.
    fn body(&self, config: &Value) -> Result<VecMap<String, J>, ProviderError>;
    /// The kind's attributes from the live object; `reference` is the prior state (or the
    /// planned one after an apply), for restricting maps to known keys.
    fn read(&self, live: &J, reference: &Value, out: &mut VecMap<String, Value>);
    /// Attributes whose change replaces the object.
    fn force_new(&self) -> &'static [&'static str] {
        &[]
    }
    /// Map attributes read back restricted to known keys, with their object field
    /// (`("data", "data")`): an import takes every key.
    fn keyed_maps(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
    fn delete_timeout(&self) -> Duration {
        Duration::from_secs(5 * 60)
    }
}

pub struct Typed<K: Kind>(K, OnceLock<Schema>);

pub fn list_block(min: usize, max: Option<usize>, schema: Schema) -> BlockSchema {
    BlockSchema {
        nesting: Nesting::List,
        min_items: min,
        max_items: max,
        force_new: false,
        schema,
    }
}

fn metadata_schema(namespaced: bool) -> Schema {
    let map = || Type::Map(Box::new(Type::String));
    let mut s = Schema::new()
        .attr("name", AttrSchema::required(Type::String).force_new())
        .attr("labels", AttrSchema::optional(map()))
        .attr("annotations", AttrSchema::optional(map()))
        .attr("uid", AttrSchema::computed(Type::String));
    if namespaced {
        s = s.attr("namespace", AttrSchema::optional(Type::String).force_new());
    }
    s
}

/// The first element of a list block.
pub fn first<'a>(v: &'a Value, block: &str) -> Option<&'a Value> {
    v.get_attr(block)
        .and_then(|b| b.peel().as_seq())
        .and_then(|xs| xs.first())
}

pub fn text(v: &Value, k: &str) -> Option<String> {
    v.get_attr(k)
        .and_then(|x| x.peel().as_str())
        .map(str::to_string)
}

/// A live string map restricted to the keys `reference` has (all keys when it has none and
/// `all` is set; null when the reference is null and the live map is empty).
pub fn known_keys(
    live: Option<&J>,
    reference: Option<&Value>,
    all: bool,
    decode: impl Fn(&J) -> Option<String>,
) -> Value {
    let live = live.and_then(J::as_object);
    let keys = reference.and_then(|r| r.peel().as_map());
    let m: VecMap<String, Value> = live
        .into_iter()
        .flatten()
        .filter(|(k, _)| match keys {
            Some(keys) => keys.contains_key(k.as_str()),
            None => all && !k.contains("kubernetes.io/"),
        })
        .filter_map(|(k, v)| Some((k.clone(), Value::from(decode(v)?))))
        .collect();
    match (reference.map(Value::is_null).unwrap_or(true), m.is_empty()) {
        (true, true) => Value::Null,
        _ => Value::Map(m),
    }
}

fn str_map(v: Option<&Value>) -> Option<J> {
    let m = v?.peel().as_map()?;
    Some(J::Object(
        m.iter()
            .filter_map(|(k, x)| Some((k.clone(), J::from(x.peel().as_str()?))))
            .collect(),
    ))
}

impl<K: Kind> Typed<K> {
    fn meta(&self, v: &Value) -> (String, Option<String>) {
        let m = first(v, "metadata");
        let name = m.and_then(|m| text(m, "name")).unwrap_or_default();
        let ns = match self.0.namespaced() {
            true => Some(
                m.and_then(|m| text(m, "namespace"))
                    .unwrap_or_else(|| "default".into()),
            ),
            false => None,
        };
        (name, ns)
    }

    /// The object to apply for a planned state.
    fn manifest(&self, planned: &Value) -> Result<Value, ProviderError> {
        let (name, ns) = self.meta(planned);
        let m = first(planned, "metadata");
        let mut meta = json!({"name": name});
        if let Some(ns) = ns {
            meta["namespace"] = J::from(ns);
        }
        for k in ["labels", "annotations"] {
            if let Some(x) = str_map(m.and_then(|m| m.get_attr(k))) {
                meta[k] = x;
            }
        }
        let mut obj =
            json!({"apiVersion": self.0.api_version(), "kind": self.0.kind(), "metadata": meta});
        for (k, v) in self.0.body(planned)? {
            obj[k] = v;
        }
        Ok(Value::from_json(&obj))
    }

    /// The state for a live object.
    fn state(&self, live: &J, reference: &Value) -> Value {
        let r = first(reference, "metadata");
        let s = |p: &str| {
            crate::object::field(live, p)
                .and_then(J::as_str)
                .map(Value::from)
                .unwrap_or(Value::Null)
        };
        let mut meta = VecMap::new();
        meta.insert("name".into(), s("metadata.name"));
        if self.0.namespaced() {
            meta.insert("namespace".into(), s("metadata.namespace"));
        }
        for k in ["labels", "annotations"] {
            let v = known_keys(
                crate::object::field(live, &format!("metadata.{k}")),
                r.and_then(|r| r.get_attr(k)),
                false,
                |v| v.as_str().map(str::to_string),
            );
            meta.insert(k.into(), v);
        }
        meta.insert("uid".into(), s("metadata.uid"));
        let mut out = VecMap::new();
        let (name, ns) = self.meta(&Value::map([(
            "metadata",
            Value::List(vec![Value::Object(meta.clone())]),
        )]));
        out.insert(
            "id".into(),
            Value::from(ns.map(|n| format!("{n}/{name}")).unwrap_or(name)),
        );
        out.insert("metadata".into(), Value::List(vec![Value::Object(meta)]));
        self.0.read(live, reference, &mut out);
        Value::Object(out)
    }

    /// An imported object's reference: every key it has (but the `kubernetes.io/` ones the
    /// server and controllers set).
    fn reference_from(&self, live: &J) -> Value {
        let keys = |p: &str| {
            let m = crate::object::field(live, p).and_then(J::as_object);
            let m = m.map(|m| {
                m.iter()
                    .filter(|(k, _)| !k.contains("kubernetes.io/"))
                    .map(|(k, _)| (k.clone(), Value::from("")))
                    .collect::<VecMap<_, _>>()
            });
            m.map(Value::Map).unwrap_or(Value::Null)
        };
        let meta = Value::map([
            ("labels", keys("metadata.labels")),
            ("annotations", keys("metadata.annotations")),
        ]);
        let mut r = VecMap::new();
        r.insert("metadata".to_string(), Value::List(vec![meta]));
        for (attr, field) in self.0.keyed_maps() {
            r.insert(attr.to_string(), keys(field));
        }
        Value::Object(r)
    }

    async fn apply(
        &self,
        ctx: &OpContext<'_>,
        planned: &Value,
        timeout: Duration,
    ) -> Result<Value, ProviderError> {
        let m = self.manifest(planned)?;
        let wait = WaitSpec::default();
        let o = ApplyOpts { manager: "hubctl", force: false, wait: &wait, computed: &[], force_hint: "a kubernetes_manifest with field_manager { force_conflicts = true } (the typed resources never force)" };
        let (_, live) = flow::apply(ctx, &m, &o, timeout).await?;
        Ok(self.state(&live, planned))
    }
}

/// The planned metadata: namespace defaulted, computed parts from the prior state.
fn plan_metadata(
    planned: &mut VecMap<String, Value>,
    prior: Option<&Value>,
    schema: &Schema,
    namespaced: bool,
) {
    for (name, b) in &schema.blocks {
        if let Some(v) = planned.get_mut(name) {
            *v = block_list(v, &b.schema);
        }
    }
    let prior_meta = prior
        .and_then(|p| first(p, "metadata"))
        .and_then(|m| m.as_map());
    let Some(meta) = planned
        .get_mut("metadata")
        .and_then(Value::as_map_mut_seq_first)
    else {
        return;
    };
    if namespaced && meta.get("namespace").is_none_or(Value::is_null) {
        meta.insert("namespace".into(), Value::from("default"));
    }
    let uid = prior_meta.and_then(|p| p.get("uid")).cloned();
    meta.insert("uid".into(), uid.unwrap_or_else(Value::unknown));
}

/// A list block's value as state reads it back: a list of objects with every attribute.
fn block_list(v: &Value, schema: &Schema) -> Value {
    let Some(xs) = v.as_seq() else {
        return v.clone();
    };
    let object = |x: &Value| {
        let mut m = x.as_map().cloned().unwrap_or_default();
        for k in schema.attributes.keys() {
            if !m.contains_key(k) {
                m.insert(k.clone(), Value::Null);
            }
        }
        Value::Object(m)
    };
    Value::List(xs.iter().map(object).collect())
}

/// Mutable access to the first element of a list block's value.
trait SeqFirst {
    fn as_map_mut_seq_first(&mut self) -> Option<&mut VecMap<String, Value>>;
}

impl SeqFirst for Value {
    fn as_map_mut_seq_first(&mut self) -> Option<&mut VecMap<String, Value>> {
        match self {
            Value::List(xs) | Value::Tuple(xs) => xs.first_mut()?.as_map_mut(),
            _ => None,
        }
    }
}

#[async_trait]
impl<K: Kind> Resource for Typed<K> {
    fn type_name(&self) -> &'static str {
        self.0.type_name()
    }

    fn schema(&self) -> &Schema {
        self.1.get_or_init(|| {
            let s = Schema::new()
                .attr("id", AttrSchema::computed(Type::String))
                .block(
                    "metadata",
                    list_block(1, Some(1), metadata_schema(self.0.namespaced())),
                );
            self.0.schema(s)
        })
    }

    async fn plan(
        &self,
        _: &PlanContext<'_>,
        prior: Option<&Value>,
        proposed: Value,
    ) -> Result<PlannedState, ProviderError> {
        let mut m = proposed.as_map().cloned().unwrap_or_default();
        self.0.defaults(&mut m);
        plan_metadata(&mut m, prior, self.schema(), self.0.namespaced());
        let (name, ns) = self.meta(&Value::Object(m.clone()));
        m.insert(
            "id".into(),
            Value::from(ns.map(|n| format!("{n}/{name}")).unwrap_or(name)),
        );
        let mut requires_replace = Vec::new();
        if let Some(p) = prior {
            let (a, b) = (self.meta(p), self.meta(&Value::Object(m.clone())));
            if a.0 != b.0 {
                requires_replace.push("metadata[0].name".to_string());
            }
            if a.1 != b.1 {
                requires_replace.push("metadata[0].namespace".to_string());
            }
            for k in self.0.force_new() {
                if !same(
                    p.get_attr(k).unwrap_or(&Value::Null),
                    m.get(*k).unwrap_or(&Value::Null),
                ) {
                    requires_replace.push(k.to_string());
                }
            }
        }
        if !requires_replace.is_empty() {
            if let Some(meta) = m.get_mut("metadata").and_then(Value::as_map_mut_seq_first) {
                meta.insert("uid".into(), Value::unknown());
            }
        }
        Ok(PlannedState {
            planned: Value::Object(m),
            requires_replace,
        })
    }

    async fn create(&self, ctx: &OpContext<'_>, planned: &Value) -> Result<Value, ProviderError> {
        self.apply(
            ctx,
            planned,
            ctx.timeouts.create.unwrap_or(Duration::from_secs(5 * 60)),
        )
        .await
    }

    async fn update(
        &self,
        ctx: &OpContext<'_>,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        self.apply(
            ctx,
            planned,
            ctx.timeouts.update.unwrap_or(Duration::from_secs(5 * 60)),
        )
        .await
    }

    async fn read_many(
        &self,
        ctx: &OpContext<'_>,
        states: &[Value],
    ) -> Vec<Result<Option<Value>, ProviderError>> {
        let mut out = Vec::with_capacity(states.len());
        for s in states {
            let r = match self.manifest(s) {
                Ok(m) => flow::read(ctx, &m)
                    .await
                    .map(|l| l.map(|l| self.state(&l, s))),
                Err(e) => Err(e),
            };
            out.push(r);
        }
        out
    }

    async fn import(&self, ctx: &OpContext<'_>, id: &str) -> Result<Value, ProviderError> {
        let (ns, name) = match (self.0.namespaced(), id.split_once('/')) {
            (true, Some((ns, name))) => (Some(ns), name),
            (true, None) => (Some("default"), id),
            (false, _) => (None, id),
        };
        let mut meta = vec![("name", Value::from(name))];
        if let Some(ns) = ns {
            meta.push(("namespace", Value::from(ns)));
        }
        let m = self.manifest(&Value::map([(
            "metadata",
            Value::List(vec![Value::map(meta)]),
        )]))?;
        match flow::read(ctx, &m).await? {
            Some(live) => Ok(self.state(&live, &self.reference_from(&live))),
            None => Err(
                ProviderError::msg(format!("{} {id} does not exist", self.0.kind()))
                    .kind(hubctl_core::provider::ErrorKind::NotFound),
            ),
        }
    }

    async fn delete(&self, ctx: &OpContext<'_>, state: &Value) -> Result<(), ProviderError> {
        let m = self.manifest(state)?;
        flow::delete(
            ctx,
            &m,
            ctx.timeouts.delete.unwrap_or(self.0.delete_timeout()),
        )
        .await
    }
}
