use super::*;
use crate::addr::names_resource;
use crate::plan::driver::{make_plan, prepare};
use crate::plan::render::{plan_json, render_plan, Style};
use crate::plan::Action;
use crate::provider::{
    AttrSchema, Provider, ProviderClient, ProviderError, Registry, Resource as ResourceType,
};
use crate::state::State;
use async_trait::async_trait;
use std::sync::Arc;

/// A cloud of two objects: `t-1` named "alpha" and `t-2` named "beta".
struct Thing(Schema);

fn cloud(id: &str) -> Option<Value> {
    let name = match id {
        "t-1" => "alpha",
        "t-2" => "beta",
        _ => return None,
    };
    Some(Value::map([
        ("id", Value::from(id)),
        ("name", Value::from(name)),
    ]))
}

#[async_trait]
impl ResourceType for Thing {
    fn type_name(&self) -> &'static str {
        "fake_thing"
    }
    fn schema(&self) -> &Schema {
        &self.0
    }
    async fn create(&self, _: &OpContext<'_>, p: &Value) -> Result<Value, ProviderError> {
        Ok(p.clone())
    }
    async fn import(&self, _: &OpContext<'_>, id: &str) -> Result<Value, ProviderError> {
        if id.starts_with("bad") {
            return Err(ProviderError::new(
                "fake:Describe",
                format!("no thing {id}"),
            ));
        }
        Ok(Value::map([("id", Value::from(id))]))
    }
    async fn read_many(
        &self,
        _: &OpContext<'_>,
        states: &[Value],
    ) -> Vec<Result<Option<Value>, ProviderError>> {
        states
            .iter()
            .map(|s| Ok(s.get_attr("id").and_then(|i| i.as_str()).and_then(cloud)))
            .collect()
    }
    async fn delete(&self, _: &OpContext<'_>, _: &Value) -> Result<(), ProviderError> {
        Ok(())
    }
}

/// A type with nothing remote to adopt: it keeps the default `import`, which refuses.
struct Plain(Schema);

#[async_trait]
impl ResourceType for Plain {
    fn type_name(&self) -> &'static str {
        "fake_plain"
    }
    fn schema(&self) -> &Schema {
        &self.0
    }
    async fn create(&self, _: &OpContext<'_>, p: &Value) -> Result<Value, ProviderError> {
        Ok(p.clone())
    }
    async fn delete(&self, _: &OpContext<'_>, _: &Value) -> Result<(), ProviderError> {
        Ok(())
    }
}

struct Fake;

#[async_trait]
impl Provider for Fake {
    fn name(&self) -> &'static str {
        "fake"
    }
    fn resources(&self) -> Vec<Arc<dyn ResourceType>> {
        let s = Schema::new()
            .attr("name", AttrSchema::optional(crate::lang::Type::String))
            .attr("id", AttrSchema::computed(crate::lang::Type::String));
        vec![Arc::new(Thing(s.clone())), Arc::new(Plain(s))]
    }
    async fn configure(&self, _: &Value) -> Result<ProviderClient, ProviderError> {
        Ok(Arc::new(()))
    }
}

const THINGS: &str = r#"
resource "fake_thing" "a" { name = "alpha" }
resource "fake_thing" "b" { name = "renamed" }
locals { second = "t-${1 + 1}" }
"#;

async fn plan_of(files: &str, prior: State) -> (super::Plan, Diagnostics) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.tf"), files).expect("write");
    let mut registry = Registry::with_builtins();
    registry.add(Arc::new(Fake));
    let (p, d) = prepare(dir.path(), &registry);
    let Some(p) = p else {
        return (plan_stub(), d);
    };
    let (run, opts) = p.plan_run(dir.path(), registry, Default::default(), prior, true);
    let run = Arc::new(run);
    let (plan, diags) = make_plan(run.clone(), opts, p.config_hash.clone(), false).await;
    // What `hubctl import` would persist: the imported objects only.
    let ops = import_ops(&run, &plan);
    assert_eq!(ops.len(), plan.summary().import);
    (plan, diags)
}

fn plan_stub() -> super::Plan {
    serde_json::from_value(serde_json::json!({
        "format": "x", "format_version": 0, "hubctl_version": "0", "destroy": false,
        "config_hash": "", "state_lineage": null, "state_serial": null, "variables": {},
        "changes": [], "output_changes": [], "errored": true
    }))
    .expect("stub plan")
}

fn summaries(d: &Diagnostics) -> Vec<String> {
    d.iter().map(|d| d.summary.clone()).collect()
}

#[tokio::test]
async fn imports_plan_against_the_configuration() {
    let files = format!(
        "{THINGS}\nimport {{\n  to = fake_thing.a\n  id = \"t-1\"\n}}\nimport {{\n  to = fake_thing.b\n  id = local.second\n}}\n"
    );
    let (plan, diags) = plan_of(&files, State::new()).await;
    assert!(!diags.has_errors(), "{:?}", summaries(&diags));
    let a = plan.change("fake_thing.a").expect("a planned");
    assert_eq!(a.action, Action::NoOp);
    assert_eq!(a.importing.as_ref().map(|i| i.id.as_str()), Some("t-1"));
    let b = plan.change("fake_thing.b").expect("b planned");
    assert_eq!(b.action, Action::Update);
    assert_eq!(b.importing.as_ref().map(|i| i.id.as_str()), Some("t-2"));
    assert_eq!(
        b.before.as_ref().and_then(|v| v.get_attr("name")),
        Some(&Value::from("beta"))
    );
    let s = plan.summary();
    assert_eq!((s.import, s.add, s.change, s.destroy), (2, 0, 1, 0));
    assert!(plan.has_changes());
    let text = render_plan(&plan, Style::default());
    assert!(text.contains("# fake_thing.a will be imported"), "{text}");
    assert!(text.contains("# (imported from \"t-2\")"), "{text}");
    assert!(text.contains("Plan: 2 to import, 0 to add, 1 to change, 0 to destroy."));
    let j = plan_json(&plan);
    assert_eq!(j["resource_changes"][0]["change"]["importing"]["id"], "t-1");
    assert_eq!(j["summary"]["import"], 2);
}

#[tokio::test]
async fn a_target_already_in_state_is_not_imported_again() {
    let mut prior = State::new();
    prior.resources.insert(
        "fake_thing.a".into(),
        InstanceState::from_value(
            Mode::Managed,
            "fake_thing",
            "fake",
            &cloud("t-1").expect("t-1"),
            vec![],
            Status::Ready,
            false,
        ),
    );
    let files = format!("{THINGS}\nimport {{\n  to = fake_thing.a\n  id = \"t-2\"\n}}\n");
    let (plan, diags) = plan_of(&files, prior).await;
    assert!(!diags.has_errors(), "{:?}", summaries(&diags));
    let a = plan.change("fake_thing.a").expect("a planned");
    assert!(a.importing.is_none());
    assert_eq!(a.action, Action::NoOp);
    assert_eq!(plan.summary().import, 0);
}

#[tokio::test]
async fn missing_objects_and_targets_are_errors_at_the_block() {
    let files = format!(
        "{THINGS}\nimport {{\n  to = fake_thing.a\n  id = \"t-404\"\n}}\nimport {{\n  to = fake_thing.b\n  id = \"bad-1\"\n}}\n"
    );
    let (_, diags) = plan_of(&files, State::new()).await;
    let mut got = summaries(&diags);
    got.sort();
    assert_eq!(
        got,
        [
            "Cannot import non-existent remote object",
            "Cannot import non-existent remote object",
        ]
    );
    for d in diags.iter() {
        assert!(d.subject.is_some(), "{} has no location", d.summary);
    }
    let bad = diags
        .iter()
        .find(|d| d.detail.contains("bad-1"))
        .expect("the provider's error");
    assert!(bad.detail.contains("fake:Describe"));
    assert_eq!(bad.address.as_deref(), Some("fake_thing.b"));
}

#[tokio::test]
async fn targets_without_configuration_fail_before_the_walk() {
    let files = format!(
        "{THINGS}\nimport {{\n  to = fake_thing.nope\n  id = \"t-1\"\n}}\nimport {{\n  to = fake_thing.a\n  id = \"t-1\"\n}}\nimport {{\n  to = fake_thing.a\n  id = \"t-2\"\n}}\n"
    );
    let (plan, diags) = plan_of(&files, State::new()).await;
    assert!(plan.changes.is_empty(), "the walk ran");
    assert_eq!(
        summaries(&diags),
        [
            "Configuration for import target does not exist",
            "Duplicate import configuration"
        ]
    );
    let help = diags.iter().next().and_then(|d| d.help.clone());
    assert!(help.is_some_and(|h| h.contains("resource \"fake_thing\" \"nope\"")));
}

#[tokio::test]
async fn instances_of_counted_resources_are_imported_by_key() {
    let files = r#"
resource "fake_thing" "a" {
  count = 2
  name  = count.index == 0 ? "alpha" : "beta"
}
import {
  to = fake_thing.a[1]
  id = "t-2"
}
"#;
    let (plan, diags) = plan_of(files, State::new()).await;
    assert!(!diags.has_errors(), "{:?}", summaries(&diags));
    assert_eq!(
        plan.change("fake_thing.a[0]").map(|c| c.action),
        Some(Action::Create)
    );
    let one = plan.change("fake_thing.a[1]").expect("planned");
    assert_eq!((one.action, one.importing.is_some()), (Action::NoOp, true));
}

#[tokio::test]
async fn unknown_ids_keys_and_unsupported_types_are_refused() {
    let files = r#"
resource "fake_thing" "a" {
  count = 1
  name  = "alpha"
}
resource "fake_plain" "d" {}
resource "fake_thing" "c" {}
resource "fake_thing" "e" {}
import {
  to = fake_thing.c
  id = fake_thing.e.id
}
import {
  to = fake_thing.a[3]
  id = "t-1"
}
import {
  to = fake_plain.d
  id = "x"
}
"#;
    let (_, diags) = plan_of(files, State::new()).await;
    let mut got = summaries(&diags);
    got.sort();
    assert_eq!(
        got,
        [
            "Configuration for import target does not exist",
            "Invalid import id argument",
            "Resource type does not support import",
        ]
    );
}

#[test]
fn literal_targets_normalize_addresses() {
    let t = ImportTarget::literal(" module.net.aws_vpc.x[\"k\"] ", "vpc-1").expect("parses");
    assert_eq!(t.address, "module.net.aws_vpc.x[\"k\"]");
    assert!(ImportTarget::literal("aws_vpc", "x").is_err());
    assert!(names_resource("module.a.t.n[0]", &["a".into()], "t.n"));
    assert!(!names_resource("t.n", &["a".into()], "t.n"));
}
