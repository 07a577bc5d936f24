//! Planning: expand instances, evaluate bodies, refresh, diff, decide — and the plan model,
//! its file format and its rendering.

pub mod check;
pub mod check_blocks;
pub mod cross_checks;
pub mod data;
pub mod diff;
pub mod drift_report;
pub mod driver;
pub mod encoding;
pub mod events;
pub mod file;
pub use crate::walk::expand;
pub mod bundle;
pub mod html;
mod html_layout;
pub mod import;
pub mod import_each;
pub mod markdown;
mod model;
pub mod moves;
pub mod prevent_destroy;
pub mod provider_instances;
pub mod refresh;
pub mod refresh_only;
pub mod render;
pub mod resource;
mod stale;
pub mod step;
pub mod triggers;
mod validate;

pub use events::{Event, Observer, Silent};
pub use model::*;
pub use provider_instances::missing_provider_instance;
pub use step::{PlanOptions, PlanStep};

#[cfg(test)]
mod modules_tests;
#[cfg(test)]
mod refresh_tests;
