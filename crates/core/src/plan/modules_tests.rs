//! Module calls with `count`/`for_each` through the plan driver: instance addresses, values
//! across module instances, and the errors of an unusable `count`/`for_each`.

use crate::diag::Diagnostics;
use crate::plan::driver::{make_plan, prepare};
use crate::plan::Plan;
use crate::provider::Registry;
use crate::state::State;
use std::sync::Arc;

const CHILD: &str = "variable \"k\" {}\nresource \"terraform_data\" \"this\" {\n  input = var.k\n}\noutput \"k\" {\n  value = terraform_data.this.input\n}\n";

async fn plan_files(files: &[(&str, &str)]) -> (Plan, Diagnostics, String) {
    plan_with(files, Registry::with_builtins(), State::new()).await
}

async fn plan_with(
    files: &[(&str, &str)],
    registry: Registry,
    prior: State,
) -> (Plan, Diagnostics, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    let (p, mut d) = prepare(dir.path(), &registry);
    let p = p.unwrap_or_else(|| panic!("{d:?}"));
    let (run, opts) = p.plan_run(dir.path(), registry, Default::default(), prior, true);
    let (plan, diags) = make_plan(Arc::new(run), opts, p.config_hash.clone(), true).await;
    d.extend(diags);
    let where_ =
        d.0.first()
            .and_then(|x| x.subject)
            .map(|s| p.config.sources.location(s).to_string())
            .unwrap_or_default();
    (plan, d, where_)
}

fn addresses(plan: &Plan) -> Vec<&str> {
    plan.changes.iter().map(|c| c.address.as_str()).collect()
}

#[tokio::test]
async fn each_and_count_reach_the_module_instances() {
    let main = r#"
module "m" {
  source   = "./m"
  for_each = { b = "x", a = "y" }
  k        = "${each.key}=${each.value}"
}
module "c" {
  source = "./m"
  count  = 2
  k      = module.m["a"].k
}
output "by_key" { value = { for k, m in module.m : k => m.k } }
output "counted" { value = module.c[*].k }
"#;
    let (plan, d, _) = plan_files(&[("main.tf", main), ("m/main.tf", CHILD)]).await;
    assert!(!d.has_errors(), "{d:?}");
    assert_eq!(
        addresses(&plan),
        [
            "module.c[0].terraform_data.this",
            "module.c[1].terraform_data.this",
            "module.m[\"a\"].terraform_data.this",
            "module.m[\"b\"].terraform_data.this",
        ]
    );
    let after = |a: &str| {
        let c = plan.changes.iter().find(|c| c.address == a).expect(a);
        c.after.as_ref().and_then(|v| v.get_attr("input")).cloned()
    };
    assert_eq!(
        after("module.m[\"b\"].terraform_data.this"),
        Some(crate::lang::Value::from("b=x"))
    );
    // Known at plan time through the module output: the tuple of the counted instances.
    assert_eq!(
        after("module.c[1].terraform_data.this"),
        Some(crate::lang::Value::from("a=y"))
    );
}

#[tokio::test]
async fn unknown_module_for_each_and_count_are_terraforms_errors() {
    let main = r#"
resource "terraform_data" "u" {
  input = "x"
}
module "s" {
  source   = "./m"
  for_each = toset([terraform_data.u.output])
  k        = each.key
}
"#;
    let (_, d, at) = plan_files(&[("main.tf", main), ("m/main.tf", CHILD)]).await;
    assert_eq!(d.0[0].summary, "Invalid for_each argument");
    // Terraform says "set" here: its toset() keeps the set type of a partly unknown list,
    // hubctl's gives an unknown of no particular type, so hubctl says "map" (its text for
    // a wholly unknown value).
    assert!(d.0[0].detail.contains("derived from resource attributes that cannot be determined until apply, and so hubctl cannot determine the full set of keys"), "{}", d.0[0].detail);
    assert!(at.ends_with("main.tf:7:14"), "{at}");
    let main = r#"
resource "terraform_data" "u" {
  input = "x"
}
module "n" {
  source = "./m"
  count  = length(terraform_data.u.output)
  k      = count.index
}
"#;
    let (_, d, at) = plan_files(&[("main.tf", main), ("m/main.tf", CHILD)]).await;
    assert_eq!(d.0[0].summary, "Invalid count argument");
    assert!(at.ends_with("main.tf:7:12"), "{at}");
}

/// A provider `fake` with one data source, `fake_echo`, whose `output` is its `input`.
struct Fake;
struct Echo;

#[async_trait::async_trait]
impl crate::provider::Provider for Fake {
    fn name(&self) -> &'static str {
        "fake"
    }
    fn resources(&self) -> Vec<Arc<dyn crate::provider::Resource>> {
        Vec::new()
    }
    fn data_sources(&self) -> Vec<Arc<dyn crate::provider::DataSource>> {
        vec![Arc::new(Echo)]
    }
    async fn configure(
        &self,
        _: &crate::lang::Value,
    ) -> Result<crate::provider::ProviderClient, crate::provider::ProviderError> {
        Ok(Arc::new(()))
    }
}

#[async_trait::async_trait]
impl crate::provider::DataSource for Echo {
    fn type_name(&self) -> &'static str {
        "fake_echo"
    }
    fn schema(&self) -> &crate::provider::Schema {
        use crate::lang::Type;
        use crate::provider::{AttrSchema, Schema};
        static S: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
        S.get_or_init(|| {
            Schema::new()
                .attr("input", AttrSchema::optional(Type::Any))
                .attr("output", AttrSchema::computed(Type::Any))
        })
    }
    async fn read(
        &self,
        _: &crate::provider::OpContext<'_>,
        config: &crate::lang::Value,
    ) -> Result<crate::lang::Value, crate::provider::ProviderError> {
        let mut v = config.clone();
        let input = v
            .get_attr("input")
            .cloned()
            .unwrap_or(crate::lang::Value::Null);
        if let Some(m) = v.as_map_mut() {
            m.insert("output".into(), input);
        }
        Ok(v)
    }
}

#[tokio::test]
async fn module_depends_on_defers_its_data_sources_while_a_dependency_changes() {
    let main = r#"
variable "v" {
  default = 1
}
resource "terraform_data" "z" {
  input = var.v
}
module "m" {
  source     = "./m"
  depends_on = [terraform_data.z]
}
"#;
    let child = "data \"fake_echo\" \"d\" {\n  input = \"x\"\n}\n";
    let files = [("main.tf", main), ("m/main.tf", child)];
    let registry = || {
        let mut r = Registry::with_builtins();
        r.add(Arc::new(Fake));
        r
    };
    let read = |plan: &Plan| {
        let c = plan
            .changes
            .iter()
            .find(|c| c.address == "module.m.data.fake_echo.d")
            .expect("data change");
        (c.action, c.reason)
    };
    // terraform_data.z is created: the read waits for the apply.
    let (plan, d, _) = plan_with(&files, registry(), State::new()).await;
    assert!(!d.has_errors(), "{d:?}");
    assert_eq!(
        read(&plan),
        (
            crate::plan::Action::Read,
            Some(crate::plan::Reason::DependencyPending)
        )
    );
    // terraform_data.z unchanged: read now.
    let mut prior = State::new();
    prior.resources.insert(
        "terraform_data.z".into(),
        crate::state::InstanceState {
            mode: crate::state::Mode::Managed,
            type_name: "terraform_data".into(),
            provider: "terraform".into(),
            attributes: serde_json::json!({ "id": "z", "input": 1, "output": 1, "triggers_replace": null }),
            sensitive_attributes: vec![],
            dependencies: vec![],
            status: crate::state::Status::Ready,
            create_before_destroy: false,
            create_token: None,
        },
    );
    let (plan, d, _) = plan_with(&files, registry(), prior).await;
    assert!(!d.has_errors(), "{d:?}");
    assert_eq!(read(&plan), (crate::plan::Action::NoOp, None));
}
