//! Planning: expand instances, evaluate bodies, refresh, diff, decide — and the plan model,
//! its file format and its rendering.

pub mod body;
pub mod check;
pub mod data;
#[cfg(test)]
mod deferred_tests;
pub mod diff;
pub mod driver;
pub mod encoding;
pub mod expand;
pub mod import;
mod model;
pub mod moves;
mod provider_node;
pub mod refresh_only;
pub mod render;
pub mod resource;
pub mod scope;
pub mod targets;
pub mod triggers;
mod validate;
pub mod walk;

pub use model::*;
