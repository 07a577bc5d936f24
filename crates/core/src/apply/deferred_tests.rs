//! A provider whose configuration is known only after apply (as a Kubernetes provider fed
//! by an EKS cluster's endpoint): plan without configuring it, configure it during apply.

use crate::apply::apply;
use crate::lang::{Type, Value};
use crate::plan::driver::{make_plan, prepare};
use crate::plan::Action;
use crate::plan::Silent;
use crate::provider::{
    AttrSchema, OpContext, Provider, ProviderClient, ProviderError, Registry, Resource, Schema,
};
use crate::state::{Backend, LocalBackend, State};
use crate::walk::{Mode, Run, RunInputs};
use async_trait::async_trait;
use std::sync::{Arc, Mutex};

/// What the fake provider saw, in order.
type Log = Arc<Mutex<Vec<String>>>;

struct Late(Log);

#[async_trait]
impl Provider for Late {
    fn name(&self) -> &'static str {
        "late"
    }
    fn config_schema(&self) -> Schema {
        Schema::new().attr("endpoint", AttrSchema::required(Type::String))
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Thing(self.0.clone()))]
    }
    async fn configure(&self, config: &Value) -> Result<ProviderClient, ProviderError> {
        let Some(endpoint) = config.get_attr("endpoint").and_then(Value::as_str) else {
            return Err(ProviderError::msg("endpoint must be a known string"));
        };
        self.0.lock().unwrap().push(format!("configure {endpoint}"));
        Ok(Arc::new(endpoint.to_string()))
    }
}

struct Thing(Log);

fn thing_schema() -> &'static Schema {
    static S: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        Schema::new()
            .attr("name", AttrSchema::required(Type::String))
            .attr("id", AttrSchema::computed(Type::String))
    })
}

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &'static str {
        "late_thing"
    }
    fn schema(&self) -> &Schema {
        thing_schema()
    }
    async fn create(&self, ctx: &OpContext<'_>, planned: &Value) -> Result<Value, ProviderError> {
        let endpoint = ctx.client.downcast_ref::<String>().expect("our client");
        let name = planned
            .get_attr("name")
            .and_then(Value::as_str)
            .unwrap_or("");
        self.0.lock().unwrap().push(format!("create {name}"));
        let mut v = planned.clone();
        if let Some(m) = v.as_map_mut() {
            m.insert("id".into(), Value::from(format!("{endpoint}/{name}")));
        }
        Ok(v)
    }
    async fn delete(&self, _: &OpContext<'_>, _: &Value) -> Result<(), ProviderError> {
        Ok(())
    }
}

const CONFIG: &str = r#"
resource "terraform_data" "cluster" {
  input = "c1"
}
provider "late" {
  endpoint = "https://${terraform_data.cluster.id}"
}
resource "late_thing" "app" {
  name = "app"
}
output "app_id" {
  value = late_thing.app.id
}
"#;

#[tokio::test]
async fn a_provider_known_after_apply_plans_unknowns_and_is_configured_during_apply() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.tf"), CONFIG).expect("write");
    let log: Log = Arc::default();
    let mut registry = Registry::with_builtins();
    registry.add(Arc::new(Late(log.clone())));
    let (p, d) = prepare(dir.path(), &registry);
    let p = p.unwrap_or_else(|| panic!("{d:?}"));
    let (run, opts) = p.plan_run(
        dir.path(),
        registry.clone(),
        Default::default(),
        State::new(),
        true,
    );
    let (plan, diags) = make_plan(Arc::new(run), opts, p.config_hash.clone(), false).await;
    assert!(!diags.has_errors(), "{diags:?}");
    let app = plan.change("late_thing.app").expect("planned");
    assert_eq!(app.action, Action::Create);
    // What `plan --detailed-exitcode` turns into exit code 2.
    assert!(plan.has_changes());
    let text = crate::plan::render::render_plan(&plan, Default::default());
    assert!(text.contains("(known after apply)"), "{text}");
    let after = app.after.as_ref().expect("after");
    assert!(after.get_attr("id").is_some_and(Value::is_unknown));
    assert!(
        log.lock().unwrap().is_empty(),
        "configured at plan time: {:?}",
        log.lock().unwrap()
    );

    let plan = Arc::new(plan);
    let backend: Arc<dyn Backend> =
        Arc::new(LocalBackend::new(dir.path().join("terraform.tfstate")));
    let graph = Arc::new(p.graph.clone());
    let run = Run::new(RunInputs {
        config: p.config.clone(),
        graph,
        registry,
        root_dir: dir.path().to_path_buf(),
        base_dir: dir.path().to_path_buf(),
        cwd: dir.path().to_path_buf(),
        mode: Mode::Apply,
        destroy: false,
        vars: Default::default(),
        prior: Arc::new(State::new()),
        parallelism: 4,
        targets: vec![],
        excludes: vec![],
    });
    let (state, diags) = apply(
        Arc::new(run),
        plan.clone(),
        &Default::default(),
        Arc::new(Silent),
        backend,
        State::new(),
    )
    .await;
    assert!(!diags.has_errors(), "{diags:?}");
    let state = state.expect("state");
    let cluster = state.resources["terraform_data.cluster"].attributes["id"]
        .as_str()
        .expect("cluster id")
        .to_string();
    let seen = log.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            format!("configure https://{cluster}"),
            "create app".to_string()
        ]
    );
    assert_eq!(
        state.resources["late_thing.app"].attributes["id"],
        serde_json::json!(format!("https://{cluster}/app"))
    );
}
