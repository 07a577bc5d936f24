//! Provider `for_each` (OpenTofu 1.9), as OpenTofu documents it
//! (website/docs/language/providers/configuration.mdx, "for_each: Multiple instances of a
//! provider configuration" and "Referring to Provider Instances"; meta-arguments/
//! module-providers.mdx, "Module instances with differing provider instances"):
//! - an alternate configuration with `for_each` has one instance per element, its block
//!   evaluated with that element's `each`;
//! - `provider = consumer.spoke[each.key]` binds each resource instance to one of them, and
//!   a module call's `providers = { consumer = consumer.spoke[each.key] }` binds each module
//!   instance;
//! - the provider instance is used for all actions, deletes included, and an element removed
//!   from the provider's `for_each` while its objects are in state is "Provider instance not
//!   present";
//! - `for_each` is allowed only with an alias.
//!
//! The `consumer` test provider logs every create, read and delete with the token its
//! instance was configured with, so the tests see which instance did what.

use super::ephemeral_provider::{Consumer, Log};
use super::support::{load, Fx, Sel};
use crate::diag::Diagnostics;
use crate::provider::Registry;
use crate::state::State;
use serde_json::json;
use std::sync::Arc;

fn registry(log: &Log) -> Registry {
    let mut r = Registry::with_builtins();
    r.add(Arc::new(Consumer(log.clone())));
    r
}

/// Two spokes; `-var dropped=b` takes one out of the provider's `for_each` (and so out of
/// `local.spokes`), `-var retired=b` out of the resources' only.
const SPOKES: &str = r#"
variable "dropped" {
  default = ""
}
variable "retired" {
  default = ""
}
locals {
  spokes = { for k, v in { a = "tok-a", b = "tok-b" } : k => v if k != var.dropped }
}
provider "consumer" {
  alias    = "spoke"
  for_each = local.spokes
  token    = each.value
}
"#;

/// A configuration loaded with the logging `consumer` provider.
struct Case {
    dir: tempfile::TempDir,
    p: crate::plan::driver::Prepared,
    log: Log,
}

impl Case {
    fn new(files: serde_json::Value) -> Case {
        let log = Log::default();
        let (dir, p) = load(&files, &registry(&log));
        Case { dir, p, log }
    }

    fn fx(&self) -> Fx<'_> {
        Fx {
            p: &self.p,
            dir: self.dir.path(),
            registry: registry(&self.log),
        }
    }
}

fn logged(log: &Log, prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = log
        .lock()
        .expect("log")
        .iter()
        .filter(|l| l.starts_with(prefix))
        .cloned()
        .collect();
    v.sort();
    v
}

fn summaries(d: &Diagnostics) -> Vec<String> {
    d.0.iter()
        .filter(|x| x.severity == crate::diag::Severity::Error)
        .map(|x| x.summary.clone())
        .collect()
}

#[tokio::test]
async fn each_resource_instance_uses_the_provider_instance_it_selects() {
    let main = format!(
        "{SPOKES}\nresource \"consumer_thing\" \"per_spoke\" {{\n  for_each = {{ for k, v in local.spokes : k => v if k != var.retired }}\n  provider = consumer.spoke[each.key]\n  name     = each.key\n}}\n"
    );
    let case = Case::new(json!({ "main.tf": main }));
    let (fx, log) = (case.fx(), &case.log);
    let state = fx.applied().await;
    assert_eq!(
        logged(log, "create "),
        [
            "create consumer_thing.per_spoke[\"a\"] with tok-a",
            "create consumer_thing.per_spoke[\"b\"] with tok-b"
        ]
    );
    assert_eq!(
        state.resources["consumer_thing.per_spoke[\"b\"]"].provider,
        "consumer.spoke[\"b\"]"
    );
    // The refresh reads each object with the instance that created it; nothing changes.
    let plan = fx.plan(&state, Sel::default()).await;
    assert!(plan
        .changes
        .iter()
        .all(|c| c.action == crate::plan::Action::NoOp));
    assert_eq!(
        logged(log, "read "),
        ["read a with tok-a", "read b with tok-b"]
    );
    // Retiring "b" (the documented way: out of the resource's for_each, still in the
    // provider's) deletes its object with its own instance.
    let sel = Sel {
        vars: &[("retired", "b")],
        ..Sel::default()
    };
    let plan = fx.plan(&state, sel).await;
    let state = fx.apply_plan(&state, plan, sel).await;
    assert_eq!(
        logged(log, "delete "),
        ["delete consumer_thing.per_spoke[\"b\"] with tok-b"]
    );
    assert_eq!(state.resources.len(), 1);
}

#[tokio::test]
async fn removing_the_provider_element_first_is_refused_before_anything_changes() {
    let main = format!(
        "{SPOKES}\nresource \"consumer_thing\" \"per_spoke\" {{\n  for_each = local.spokes\n  provider = consumer.spoke[each.key]\n  name     = each.key\n}}\n"
    );
    let case = Case::new(json!({ "main.tf": main }));
    let (fx, log) = (case.fx(), &case.log);
    let state = fx.applied().await;
    let sel = Sel {
        vars: &[("dropped", "b")],
        ..Sel::default()
    };
    let (_, d) = fx.plan_result(&state, sel).await;
    assert_eq!(summaries(&d), ["Provider instance not present"], "{d:?}");
    let detail =
        &d.0.iter()
            .find(|x| x.summary == "Provider instance not present")
            .expect("error")
            .detail;
    assert!(detail.contains("consumer.spoke[\"b\"]"), "{detail}");
    assert!(logged(log, "delete ").is_empty());
}

#[tokio::test]
async fn a_module_instance_gets_its_provider_instance_from_the_call() {
    let main = format!(
        "{SPOKES}\nmodule \"spoke\" {{\n  source    = \"./spoke\"\n  for_each  = local.spokes\n  providers = {{ consumer = consumer.spoke[each.key] }}\n  name      = \"thing-${{each.key}}\"\n}}\n"
    );
    let child =
        "variable \"name\" {}\nresource \"consumer_thing\" \"this\" {\n  name = var.name\n}\n";
    let case = Case::new(json!({ "main.tf": main, "spoke/main.tf": child }));
    let (fx, log) = (case.fx(), &case.log);
    let state = fx.applied().await;
    assert_eq!(
        logged(log, "create "),
        [
            "create module.spoke[\"a\"].consumer_thing.this with tok-a",
            "create module.spoke[\"b\"].consumer_thing.this with tok-b"
        ]
    );
    assert_eq!(
        state.resources["module.spoke[\"a\"].consumer_thing.this"].provider,
        "consumer.spoke[\"a\"]"
    );
}

/// Each wrong use is refused at its location before anything is called.
#[tokio::test]
async fn wrong_references_are_refused_where_they_are_written() {
    let cases = [
        ("provider \"consumer\" {\n  for_each = { a = 1 }\n}\n", "Alias required when using \"for_each\"", 2),
        (
            "provider \"consumer\" {\n  alias    = \"spoke\"\n  for_each = { a = \"x\" }\n}\nresource \"consumer_thing\" \"t\" {\n  provider = consumer.spoke\n  name     = \"t\"\n}\n",
            "Provider instance key required",
            6,
        ),
        (
            "provider \"consumer\" {\n  alias = \"one\"\n}\nresource \"consumer_thing\" \"t\" {\n  provider = consumer.one[\"a\"]\n  name     = \"t\"\n}\n",
            "Unexpected provider instance key",
            5,
        ),
    ];
    for (text, summary, line) in cases {
        let log = Log::default();
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("main.tf"), text).expect("write");
        let (_, d) = crate::plan::driver::prepare(dir.path(), &registry(&log));
        let e =
            d.0.iter()
                .find(|x| x.summary == summary)
                .unwrap_or_else(|| panic!("{summary}: {d:?}"));
        let start = e.subject.expect("subject").start as usize;
        assert_eq!(text[..start].matches('\n').count() + 1, line, "{summary}");
    }
}

#[tokio::test]
async fn a_key_the_provider_lacks_is_an_error_at_the_key() {
    let main = format!(
        "{SPOKES}\nresource \"consumer_thing\" \"t\" {{\n  provider = consumer.spoke[\"c\"]\n  name     = \"t\"\n}}\n"
    );
    let case = Case::new(json!({ "main.tf": main }));
    let fx = case.fx();
    let (_, d) = fx.plan_result(&State::new(), Sel::default()).await;
    assert_eq!(summaries(&d), ["Invalid provider instance key"], "{d:?}");
    assert!(d.0[0].detail.contains("\"a\", \"b\""), "{}", d.0[0].detail);
    assert!(fx
        .validate()
        .await
        .0
        .iter()
        .all(|x| x.severity != crate::diag::Severity::Error));
}
