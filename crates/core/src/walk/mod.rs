//! One walk for validate, plan and apply: the executor runs every graph node the moment
//! its dependencies are done. Variables, locals, outputs and provider configurations are
//! evaluated here alike for every mode; at resource nodes the mode's [`Step`] plans or
//! applies. This module knows nothing of `plan` or `apply`.

pub mod body;
pub mod driver;
pub mod enabled;
pub mod ephemeral;
pub mod ephemeral_rules;
pub mod executor;
pub mod expand;
pub mod feeds;
pub mod findings;
pub mod instances;
pub mod nodes;
pub mod provider;
pub mod run;
pub mod scope;
pub mod step;
pub mod targets;
pub mod timing;

pub use driver::{walk, Extra, WalkResult};
pub use feeds::{Fed, Feed, Feeds, OutputHook};
pub use run::{Mode, Run, RunInputs};
pub use step::{NodeResult, Step};
