//! What a walk does at the nodes that differ by mode. Variables, locals, outputs and
//! provider configurations are evaluated the same way in validate, plan and apply (in
//! `nodes` and `provider`); resources are planned or applied by the mode's [`Step`], and
//! apply adds nodes of its own (standalone deletes) that the graph does not have.

use super::run::Run;
use crate::diag::Diagnostics;
use crate::lang::Value;

/// What a node hands back to the walk: its value (what references to it see) and its
/// diagnostics. Anything else a step produces (planned changes) it keeps in cells of its own.
#[derive(Default)]
pub struct NodeResult {
    pub value: Value,
    pub diags: Diagnostics,
}

impl NodeResult {
    pub fn value(value: Value, diags: Diagnostics) -> Self {
        NodeResult { value, diags }
    }
    pub fn failed(&self) -> bool {
        self.diags.has_errors()
    }
}

/// The mode-specific part of a walk.
#[async_trait::async_trait]
pub trait Step: Send + Sync {
    /// Plans or applies resource node `n` (`key` in module `mi`), every instance of it.
    async fn resource(&self, run: &Run, n: usize, mi: usize, key: &str) -> NodeResult;

    /// Runs extra node `k` (beyond the graph's nodes; see [`super::driver::Extra`]).
    async fn extra(&self, _run: &Run, _k: usize) -> NodeResult {
        NodeResult::default()
    }

    /// How extra node `k` is named when it is skipped.
    fn extra_name(&self, k: usize) -> String {
        format!("extra node {k}")
    }
}
