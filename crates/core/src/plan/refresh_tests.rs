//! A plan reads all of a provider's types in one `read_types` call when it reads
//! everything, and only the targeted types, one `read_many` each, under `-target`.

use crate::lang::{Type, Value};
use crate::plan::driver::{make_plan, prepare};
use crate::plan::Action;
use crate::provider::{
    read_each_type, AttrSchema, OpContext, Provider, ProviderClient, ProviderError, ReadResults,
    Registry, Resource, Schema,
};
use crate::state::{InstanceState, Mode, State, Status};
use async_trait::async_trait;
use std::sync::{Arc, Mutex};

/// What the fake provider was asked, in order: `types a,b` or `many a`.
type Calls = Arc<Mutex<Vec<String>>>;

/// A type whose objects' `name` is "in the cloud" (drifted from the prior state).
struct Thing {
    name: &'static str,
    schema: Schema,
    calls: Calls,
}

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &'static str {
        self.name
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    async fn create(&self, _: &OpContext<'_>, p: &Value) -> Result<Value, ProviderError> {
        Ok(p.clone())
    }
    async fn read_many(&self, _: &OpContext<'_>, states: &[Value]) -> ReadResults {
        let short = self.name.trim_start_matches("fake_");
        self.calls.lock().unwrap().push(format!("many {short}"));
        let drifted = |s: &Value| {
            let id = s.get_attr("id").cloned().unwrap_or(Value::Null);
            Value::map([("id", id), ("name", Value::from("in the cloud"))])
        };
        states.iter().map(|s| Ok(Some(drifted(s)))).collect()
    }
    async fn delete(&self, _: &OpContext<'_>, _: &Value) -> Result<(), ProviderError> {
        Ok(())
    }
}

struct Fake(Calls);

#[async_trait]
impl Provider for Fake {
    fn name(&self) -> &'static str {
        "fake"
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        let schema = Schema::new()
            .attr("name", AttrSchema::optional(Type::String))
            .attr("id", AttrSchema::computed(Type::String));
        ["fake_a", "fake_b"]
            .into_iter()
            .map(|name| {
                let t = Thing {
                    name,
                    schema: schema.clone(),
                    calls: self.0.clone(),
                };
                Arc::new(t) as Arc<dyn Resource>
            })
            .collect()
    }
    async fn configure(&self, _: &Value) -> Result<ProviderClient, ProviderError> {
        Ok(Arc::new(()))
    }
    async fn read_types(
        &self,
        ctx: &OpContext<'_>,
        types: &[(Arc<dyn Resource>, Vec<Value>)],
        parallel: usize,
    ) -> Vec<ReadResults> {
        let names: Vec<&str> = types
            .iter()
            .map(|(t, _)| t.type_name().trim_start_matches("fake_"))
            .collect();
        self.0
            .lock()
            .unwrap()
            .push(format!("types {}", names.join(",")));
        read_each_type(ctx, types, parallel).await
    }
}

/// `fake_b.x` depends on `fake_a.x`, so a type-by-type refresh would read them in turn.
const FILES: &str = r#"
resource "fake_a" "x" { name = "a" }
resource "fake_b" "x" { name = fake_a.x.name }
"#;

fn prior() -> State {
    let mut s = State::new();
    for (t, id) in [("fake_a", "a-1"), ("fake_b", "b-1")] {
        let v = Value::map([("id", Value::from(id)), ("name", Value::from("a"))]);
        s.resources.insert(
            format!("{t}.x"),
            InstanceState::from_value(Mode::Managed, t, "fake", &v, vec![], Status::Ready, false),
        );
    }
    s
}

async fn plan_with(targets: Vec<String>) -> (crate::plan::Plan, Vec<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.tf"), FILES).expect("write");
    let calls: Calls = Arc::default();
    let mut registry = Registry::with_builtins();
    registry.add(Arc::new(Fake(calls.clone())));
    let (p, d) = prepare(dir.path(), &registry);
    let p = p.unwrap_or_else(|| panic!("{d:?}"));
    let (inputs, opts) = p.plan_inputs(dir.path(), registry, Default::default(), prior(), true);
    let run = crate::walk::Run::new(crate::walk::RunInputs { targets, ..inputs });
    let (plan, diags) = make_plan(Arc::new(run), opts, p.config_hash.clone(), true).await;
    assert!(!diags.has_errors(), "{diags:?}");
    let calls = calls.lock().unwrap().clone();
    (plan, calls)
}

#[tokio::test]
async fn a_full_plan_reads_every_type_of_a_provider_at_once() {
    let (plan, calls) = plan_with(vec![]).await;
    assert_eq!(calls, ["types a,b", "many a", "many b"]);
    // The reads took effect: both objects drifted back to their configuration.
    for a in ["fake_a.x", "fake_b.x"] {
        assert_eq!(
            plan.change(a).map(|c| c.action),
            Some(Action::Update),
            "{a}"
        );
    }
}

#[tokio::test]
async fn a_targeted_plan_reads_only_the_targeted_types() {
    let (plan, calls) = plan_with(vec!["fake_a.x".into()]).await;
    assert_eq!(calls, ["many a"]);
    assert_eq!(
        plan.change("fake_a.x").map(|c| c.action),
        Some(Action::Update)
    );
}
