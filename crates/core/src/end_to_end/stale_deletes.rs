//! Deletes of instances whose key (or module instance) left the configuration run in
//! reverse dependency order, as Terraform's do: what depended on an object goes first. A
//! resource's own node ran before its dependents', so it must not delete its stale
//! instances itself (a VPC of a removed module instance went before its subnets).

use super::ephemeral_provider::{Consumer, Log};
use super::support::{load, Fx, Sel};
use crate::provider::Registry;
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn a_removed_module_instance_deletes_dependents_first() {
    let log = Log::default();
    let mut registry = Registry::with_builtins();
    registry.add(Arc::new(Consumer(log.clone())));
    let main = "variable \"keep\" {\n  default = \"\"\n}\nprovider \"consumer\" {\n  token = \"t\"\n}\nmodule \"m\" {\n  source   = \"./m\"\n  for_each = { for k in [\"a\", \"b\"] : k => k if k != var.keep }\n}\n";
    let child = "resource \"consumer_thing\" \"base\" {\n  name = \"base\"\n}\nresource \"consumer_thing\" \"top\" {\n  name = \"on-${consumer_thing.base.name}\"\n}\nresource \"consumer_thing\" \"leaf\" {\n  name = \"on-${consumer_thing.top.name}\"\n}\n";
    let (dir, p) = load(&json!({ "main.tf": main, "m/main.tf": child }), &registry);
    let fx = Fx {
        p: &p,
        dir: dir.path(),
        registry,
    };
    let state = fx.applied().await;
    let sel = Sel {
        vars: &[("keep", "b")],
        ..Sel::default()
    };
    let plan = fx.plan(&state, sel).await;
    let state = fx.apply_plan(&state, plan, sel).await;
    let deletes: Vec<String> = log
        .lock()
        .expect("log")
        .iter()
        .filter(|l| l.starts_with("delete "))
        .cloned()
        .collect();
    assert_eq!(
        deletes,
        [
            "delete module.m[\"b\"].consumer_thing.leaf with t",
            "delete module.m[\"b\"].consumer_thing.top with t",
            "delete module.m[\"b\"].consumer_thing.base with t"
        ]
    );
    assert_eq!(state.resources.len(), 3);
}
