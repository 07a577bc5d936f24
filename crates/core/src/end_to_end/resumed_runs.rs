//! Idempotency tokens: a create's token is kept with its intent record, so a create that is
//! interrupted with an uncertain outcome and resumed by the next run sends the same token
//! (an API that honours it answers with the first attempt's object), while every new intent
//! gets a token of its own. And the walks of one process share a provider's client.

use super::support::{load, Fx, Sel};
use crate::lang::{Type, Value};
use crate::provider::{
    AttrSchema, ErrorKind, OpContext, Provider, ProviderClient, ProviderError, Registry, Resource,
    Schema,
};
use crate::state::{State, Status};
use async_trait::async_trait;
use std::sync::{Arc, Mutex};

/// (address, token, recovering) of every create, in order.
type Creates = Arc<Mutex<Vec<(String, String, bool)>>>;

/// `tok_thing`: its first create of an address named `flaky` loses its answer.
struct Thing(Creates, Schema);

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &'static str {
        "tok_thing"
    }
    fn schema(&self) -> &Schema {
        &self.1
    }
    async fn create(&self, ctx: &OpContext<'_>, p: &Value) -> Result<Value, ProviderError> {
        let mut log = self.0.lock().unwrap();
        let seen = log.iter().any(|(a, _, _)| a == ctx.address);
        log.push((ctx.address.into(), ctx.create_token.into(), ctx.recovering));
        if ctx.address.contains("flaky") && !seen {
            return Err(ProviderError::new(
                "tok:Create",
                "connection reset after the request was sent",
            )
            .kind(ErrorKind::Uncertain));
        }
        let mut v = p.clone();
        if let Some(m) = v.as_map_mut() {
            m.insert("id".into(), Value::from(format!("id-{}", ctx.create_token)));
        }
        Ok(v)
    }
    async fn delete(&self, _: &OpContext<'_>, _: &Value) -> Result<(), ProviderError> {
        Ok(())
    }
}

struct Tok(Creates);

#[async_trait]
impl Provider for Tok {
    fn name(&self) -> &'static str {
        "tok"
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        let s = Schema::new().attr("id", AttrSchema::computed(Type::String));
        vec![Arc::new(Thing(self.0.clone(), s))]
    }
    async fn configure(&self, _: &Value) -> Result<ProviderClient, ProviderError> {
        Ok(Arc::new(()))
    }
}

#[tokio::test]
async fn a_resumed_create_sends_its_interrupted_attempts_token() {
    let creates: Creates = Arc::default();
    let mut registry = Registry::with_builtins();
    registry.add(Arc::new(Tok(creates.clone())));
    let files = serde_json::json!({ "main.tf": "resource \"tok_thing\" \"flaky\" {}\nresource \"tok_thing\" \"steady\" {}\n" });
    let (dir, p) = load(&files, &registry);
    let fx = Fx {
        p: &p,
        dir: dir.path(),
        registry,
    };

    let plan = fx.plan(&State::new(), Sel::default()).await;
    let (state, diags) = fx.apply_result(&State::new(), plan, Sel::default()).await;
    assert!(diags.has_errors(), "the first create of flaky fails");
    let state = state.expect("state written");
    let intent = &state.resources["tok_thing.flaky"];
    assert_eq!(
        intent.status,
        Status::Creating,
        "the uncertain create keeps its intent"
    );
    let first = creates.lock().unwrap().clone();
    let token_of = |a: &str, log: &[(String, String, bool)]| {
        log.iter()
            .filter(|(x, _, _)| x == a)
            .map(|(_, t, _)| t.clone())
            .collect::<Vec<_>>()
    };
    let flaky = token_of("tok_thing.flaky", &first);
    assert_eq!(intent.create_token.as_deref(), Some(flaky[0].as_str()));
    assert!(
        state.resources["tok_thing.steady"].create_token.is_none(),
        "a finished create keeps no token"
    );

    let plan = fx.plan(&state, Sel::default()).await;
    let (done, diags) = fx.apply_result(&state, plan, Sel::default()).await;
    assert!(!diags.has_errors(), "{diags:?}");
    let log = creates.lock().unwrap().clone();
    let resumed = log.last().expect("resumed create");
    assert_eq!(
        resumed,
        &("tok_thing.flaky".to_string(), flaky[0].clone(), true)
    );
    let done = done.expect("state");
    assert_eq!(done.resources["tok_thing.flaky"].status, Status::Ready);
    assert!(done.resources["tok_thing.flaky"].create_token.is_none());
    // Every new intent has its own token.
    let steady = token_of("tok_thing.steady", &log);
    assert_eq!(steady.len(), 1);
    assert_ne!(steady[0], flaky[0]);
    assert!(!flaky[0].is_empty());
}

/// Counts `configure` calls.
struct Counted(Arc<Mutex<usize>>);

#[async_trait]
impl Provider for Counted {
    fn name(&self) -> &'static str {
        "tok"
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        Tok(Arc::default()).resources()
    }
    async fn configure(&self, _: &Value) -> Result<ProviderClient, ProviderError> {
        *self.0.lock().unwrap() += 1;
        Ok(Arc::new(()))
    }
}

/// The plan walk and the apply walk of one process share the provider's client.
#[tokio::test]
async fn one_process_configures_a_provider_configuration_once() {
    let count = Arc::new(Mutex::new(0));
    let mut registry = Registry::with_builtins();
    registry.add(Arc::new(Counted(count.clone())));
    let files = serde_json::json!({ "main.tf": "resource \"tok_thing\" \"steady\" {}\n" });
    let (dir, p) = load(&files, &registry);
    let fx = Fx {
        p: &p,
        dir: dir.path(),
        registry,
    };
    let state = fx.applied().await;
    assert!(state.resources.contains_key("tok_thing.steady"));
    assert_eq!(
        *count.lock().unwrap(),
        1,
        "configured once for plan and apply"
    );
}
