//! Root variables fed from outside the walk, and root outputs reported the moment they are
//! done. This is how `apply --all` runs the units of a tree as one graph: a dependent unit's
//! variable that reads a dependency's output waits for that output alone, so the resources
//! using it start as soon as it is known, and the others at once (`live/README.md`).

use super::run::Run;
use super::step::NodeResult;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

/// What a feed holds: nothing yet, the value, or why it will never come.
#[derive(Debug, Clone, PartialEq)]
pub enum Fed {
    Pending,
    Value(Value),
    Failed(String),
}

/// The receiving end of a root variable's feed.
pub type Feed = tokio::sync::watch::Receiver<Fed>;

/// Called with each root output's name and value as the walk completes it.
pub type OutputHook = Arc<dyn Fn(&str, &Value) + Send + Sync>;

/// A walk's feeds: the variables that wait, and the hook told of every root output.
#[derive(Default)]
pub struct Feeds {
    pub(crate) vars: BTreeMap<String, Feed>,
    pub(crate) values: BTreeMap<String, OnceLock<Value>>,
    pub(crate) on_output: Option<OutputHook>,
}

impl Feeds {
    pub fn new(vars: BTreeMap<String, Feed>, on_output: Option<OutputHook>) -> Feeds {
        let values = vars.keys().map(|k| (k.clone(), OnceLock::new())).collect();
        Feeds {
            vars,
            values,
            on_output,
        }
    }

    /// The value fed to root variable `name`, once it arrived.
    pub(crate) fn value(&self, name: &str) -> Option<&Value> {
        self.values.get(name)?.get()
    }
}

/// A root variable with a feed: waits for its value, then evaluates it as given.
pub(super) async fn eval_fed(run: &Run, name: &str) -> NodeResult {
    let mut rx = run.feeds.vars[name].clone();
    let fed = match rx.wait_for(|f| *f != Fed::Pending).await {
        Ok(f) => f.clone(),
        Err(_) => Fed::Failed("its source stopped before sending it".into()),
    };
    match fed {
        Fed::Value(v) => {
            let _ = run.feeds.values[name].set(v);
            super::nodes::eval_variable(run, 0, name)
        }
        Fed::Failed(why) => {
            let d = Diagnostic::error("Input not available").detail(format!(
                "The value of variable \"{name}\" did not arrive: {why}."
            ));
            NodeResult::value(Value::unknown(), Diagnostics::from(d))
        }
        Fed::Pending => unreachable!("waited until it was not pending"),
    }
}
