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
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    let registry = Registry::with_builtins();
    let (p, mut d) = prepare(dir.path(), &registry);
    let p = p.unwrap_or_else(|| panic!("{d:?}"));
    let (run, opts) = p.plan_run(dir.path(), registry, Default::default(), State::new(), true);
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
