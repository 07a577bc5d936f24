//! The plan walk's [`Step`]: plans each resource node (validate uses it too, with the
//! walk's mode saying that nothing is read). What it plans it keeps in one write-once cell
//! per node; `replace_triggered_by` reads the cells of the resources it names.

use super::events::{Observer, Silent};
use super::import::ImportTarget;
use super::model::ResourceChange;
use super::moves::MoveReport;
use crate::lang::Value;
use crate::provider::ProviderError;
use crate::walk::{NodeResult, Run, Step};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::OnceCell;

/// How to plan, beyond the walk's inputs.
pub struct PlanOptions {
    /// Read every managed object before planning (`-refresh=false` turns it off).
    pub refresh: bool,
    /// `-refresh-only`: read every object and report drift; plan no action.
    pub refresh_only: bool,
    /// Instances `-replace=ADDR` asks to replace even though nothing forces it.
    pub replace: HashSet<String>,
    /// Instances to import: `None` for the root module's `import` blocks; `hubctl import`
    /// gives its one target.
    pub imports: Option<Vec<ImportTarget>>,
    /// What `moved`/`removed` blocks did to the prior state (the run has the result).
    pub moves: MoveReport,
    pub observer: Arc<dyn Observer>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            refresh: true,
            refresh_only: false,
            replace: HashSet::new(),
            imports: None,
            moves: MoveReport::default(),
            observer: Arc::new(Silent),
        }
    }
}

/// Refreshed values by address; each instance takes its own entry out (no copies kept).
pub type RefreshResult = Mutex<HashMap<String, Result<Option<Value>, ProviderError>>>;

/// One batched refresh per (provider node, resource type), shared by the type's nodes.
pub(super) type RefreshCells = Mutex<HashMap<(usize, String), Arc<OnceCell<RefreshResult>>>>;

/// One refresh of every type per provider node, when a plan reads everything (no
/// `-target`): the first resource node to ask runs it and fills the types' cells.
pub(super) type ProviderRefreshCells = Mutex<HashMap<usize, Arc<OnceCell<()>>>>;

pub struct PlanStep {
    pub(crate) refresh: bool,
    pub(crate) refresh_only: bool,
    pub(crate) replace: HashSet<String>,
    pub(crate) imports: Vec<ImportTarget>,
    /// Whether the configuration's `for_each` import blocks count (not for `hubctl import`,
    /// which imports its one target).
    pub(crate) import_blocks: bool,
    pub(crate) observer: Arc<dyn Observer>,
    pub(super) refreshes: RefreshCells,
    pub(super) provider_refreshes: ProviderRefreshCells,
    /// Each resource node's planned changes, written once when it is planned.
    changes: Vec<OnceLock<Vec<ResourceChange>>>,
}

impl PlanStep {
    pub fn new(run: &Run, opts: PlanOptions) -> PlanStep {
        PlanStep {
            refresh: opts.refresh,
            refresh_only: opts.refresh_only,
            replace: opts.replace,
            import_blocks: opts.imports.is_none(),
            imports: opts
                .imports
                .unwrap_or_else(|| super::import::targets(&run.config.root)),
            observer: opts.observer,
            refreshes: Mutex::new(HashMap::new()),
            provider_refreshes: Mutex::new(HashMap::new()),
            changes: (0..run.graph.nodes.len())
                .map(|_| OnceLock::new())
                .collect(),
        }
    }

    /// The import targets among resource `key`'s instances in module `mi`: the static ones,
    /// and the `for_each` blocks' expanded now (their references are evaluated by then).
    pub(crate) fn imports_for(
        &self,
        run: &Run,
        mi: usize,
        key: &str,
        validate: bool,
    ) -> (Vec<ImportTarget>, crate::diag::Diagnostics) {
        let path = &run.graph.modules[mi].path;
        let mut out: Vec<ImportTarget> = self
            .imports
            .iter()
            .filter(|t| crate::addr::names_resource(&t.address, path, key))
            .cloned()
            .collect();
        if validate || !self.import_blocks {
            return (out, Default::default());
        }
        let (expanded, diags) = super::import_each::expand(run, path, key);
        out.extend(expanded);
        (out, diags)
    }

    /// The changes planned for resource node `n` (none while it is not planned yet).
    pub fn changes(&self, n: usize) -> &[ResourceChange] {
        self.changes
            .get(n)
            .and_then(OnceLock::get)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Every planned change, in node order, once the walk is done (copied only if
    /// something still holds the step).
    pub fn into_changes(step: Arc<PlanStep>) -> Vec<ResourceChange> {
        match Arc::try_unwrap(step) {
            Ok(s) => s
                .changes
                .into_iter()
                .filter_map(OnceLock::into_inner)
                .flatten()
                .collect(),
            Err(s) => s
                .changes
                .iter()
                .filter_map(OnceLock::get)
                .flatten()
                .cloned()
                .collect(),
        }
    }
}

#[async_trait::async_trait]
impl Step for PlanStep {
    async fn resource(&self, run: &Run, n: usize, mi: usize, key: &str) -> NodeResult {
        let (res, changes) = super::resource::plan_resource(run, self, n, mi, key).await;
        let _ = self.changes[n].set(changes);
        res
    }
}
