//! Root variables fed while the apply runs (`walk::feeds`, what `apply --all` builds on):
//! a resource reading a fed variable waits for the feed and the others do not, each root
//! output is told the moment it is done, and a feed that never comes fails only what reads it.

use super::support::{load, Fx, Sel};
use crate::lang::Value;
use crate::plan::driver::make_plan;
use crate::plan::PlanOptions;
use crate::provider::Registry;
use crate::state::State;
use crate::walk::{Fed, Feeds, Mode, OutputHook, Run};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

const CONFIG: &str = r#"
variable "vpc_id" {
  type = string
}

resource "terraform_data" "early" {
  input = "independent"
}

resource "terraform_data" "late" {
  input = var.vpc_id
}

output "early" {
  value = terraform_data.early.output
}

output "late" {
  value = terraform_data.late.output
}
"#;

/// Plans with `vpc_id` not known yet, then applies with it fed by `feed` (called from the
/// output hook with each output's name): the outputs in the order they were told, the
/// state, and whether the apply had errors.
async fn fed_apply(
    feed: impl Fn(&str) -> Option<Fed> + Send + Sync + 'static,
) -> (Vec<String>, Option<State>, bool) {
    let registry = Registry::with_builtins();
    let (dir, p) = load(&serde_json::json!({ "main.tf": CONFIG }), &registry);
    let fx = Fx {
        p: &p,
        dir: dir.path(),
        registry,
    };
    let unknown = |mode| {
        let mut i = fx.inputs(State::new(), mode, Sel::default());
        i.vars.insert("vpc_id".into(), Value::unknown());
        i
    };
    let (plan, d) = make_plan(
        Arc::new(Run::new(unknown(Mode::Plan))),
        PlanOptions::default(),
        p.config_hash.clone(),
        false,
    )
    .await;
    assert!(!d.has_errors(), "{d:?}");
    let (tx, rx) = tokio::sync::watch::channel(Fed::Pending);
    let told: Arc<Mutex<Vec<String>>> = Arc::default();
    let (t2, tx) = (told.clone(), Mutex::new(Some(tx)));
    let hook: OutputHook = Arc::new(move |name, _| {
        t2.lock().unwrap().push(name.to_string());
        let mut tx = tx.lock().unwrap();
        match feed(name) {
            Some(f) => {
                let _ = tx.as_ref().map(|t| t.send(f));
            }
            None if name == "early" => *tx = None,
            None => {}
        }
    });
    let feeds = Feeds::new(BTreeMap::from([("vpc_id".to_string(), rx)]), Some(hook));
    let run = Arc::new(Run::new(unknown(Mode::Apply)).with_feeds(feeds));
    let (state, d) = fx.apply_walk(run, plan, &State::new()).await;
    let told = told.lock().unwrap().clone();
    (told, state, d.has_errors())
}

fn output(state: &State, address: &str) -> serde_json::Value {
    state.resources[address].attributes["output"].clone()
}

#[tokio::test]
async fn a_fed_variable_holds_back_only_what_reads_it() {
    // The feed is sent only once `early` is out: `late` cannot have started before.
    let (told, state, failed) =
        fed_apply(|name| (name == "early").then(|| Fed::Value(Value::string("vpc-0abc")))).await;
    assert!(!failed);
    assert_eq!(told, ["early", "late"]);
    let state = state.expect("state");
    assert_eq!(output(&state, "terraform_data.late"), "vpc-0abc");
    assert_eq!(output(&state, "terraform_data.early"), "independent");
}

#[tokio::test]
async fn a_feed_that_never_comes_fails_only_what_reads_it() {
    let (told, state, failed) = fed_apply(|_| None).await;
    assert!(failed);
    assert_eq!(told, ["early"]);
    let state = state.expect("what was applied is kept");
    assert_eq!(output(&state, "terraform_data.early"), "independent");
    assert!(!state.resources.contains_key("terraform_data.late"));
}
