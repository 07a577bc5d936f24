//! The plan walk's [`Step`]: plans each resource node (validate uses it too, with the
//! walk's mode saying that nothing is read). What it plans it keeps in one write-once cell
//! per node; `replace_triggered_by` reads the cells of the resources it names.

use super::events::{Event, Observer, Silent};
use super::import::ImportTarget;
use super::model::ResourceChange;
use super::moves::MoveReport;
use crate::config::{Resource, ResourceMode};
use crate::lang::Value;
use crate::provider::{OpContext, ProviderError};
use crate::state::{Mode as StateMode, Status};
use crate::walk::{Mode, NodeResult, Run, Step};
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
type RefreshCells = Mutex<HashMap<(usize, String), Arc<OnceCell<RefreshResult>>>>;

pub struct PlanStep {
    pub(crate) refresh: bool,
    pub(crate) refresh_only: bool,
    pub(crate) replace: HashSet<String>,
    pub(crate) imports: Vec<ImportTarget>,
    pub(crate) observer: Arc<dyn Observer>,
    refreshes: RefreshCells,
    /// Each resource node's planned changes, written once when it is planned.
    changes: Vec<OnceLock<Vec<ResourceChange>>>,
}

impl PlanStep {
    pub fn new(run: &Run, opts: PlanOptions) -> PlanStep {
        PlanStep {
            refresh: opts.refresh,
            refresh_only: opts.refresh_only,
            replace: opts.replace,
            imports: opts
                .imports
                .unwrap_or_else(|| super::import::targets(&run.config.root)),
            observer: opts.observer,
            refreshes: Mutex::new(HashMap::new()),
            changes: (0..run.graph.nodes.len())
                .map(|_| OnceLock::new())
                .collect(),
        }
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

    /// One batched read of every prior instance of this type under this provider; shared
    /// by all resource nodes of the type (the first to ask makes the call, the others wait).
    pub(crate) async fn refresh(
        &self,
        run: &Run,
        n: usize,
        r: &Resource,
    ) -> Option<Arc<OnceCell<RefreshResult>>> {
        if r.mode == ResourceMode::Data || run.mode != Mode::Plan || !self.refresh {
            return None;
        }
        let p = *run.graph.provider_of.get(&n)?;
        let cell = {
            let mut m = self.refreshes.lock().ok()?;
            m.entry((p, r.type_name.clone()))
                .or_insert_with(|| Arc::new(OnceCell::new()))
                .clone()
        };
        cell.get_or_init(|| self.read_all(run, p, &r.type_name))
            .await;
        Some(cell)
    }

    async fn read_all(&self, run: &Run, p: usize, type_name: &str) -> RefreshResult {
        let mut out = HashMap::new();
        let Some((_, rt)) = run.registry.resource(type_name) else {
            return Mutex::new(out);
        };
        let Some(client) = run.clients[p].get().cloned() else {
            return Mutex::new(out);
        };
        let mut addrs = Vec::new();
        let mut states = Vec::new();
        for (a, inst) in &run.prior.resources {
            if inst.type_name != type_name
                || inst.mode != StateMode::Managed
                || inst.status == Status::Creating
            {
                continue;
            }
            if run.node_of(a).and_then(|rn| run.graph.provider_of.get(&rn)) != Some(&p) {
                continue;
            }
            self.observer.event(Event::Refreshing {
                address: a.clone(),
                id: inst
                    .attributes
                    .get("id")
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
            });
            addrs.push(a.clone());
            states.push(inst.value());
        }
        if states.is_empty() {
            return Mutex::new(out);
        }
        let noop = |_: &str| {};
        let addr = format!("{type_name} (refresh)");
        let ctx = OpContext {
            client: &client,
            address: &addr,
            timeouts: Default::default(),
            recovering: false,
            recovered: &crate::provider::no_recovery,
            note: &crate::provider::no_note,
            progress: &noop,
        };
        let _permit = run.semaphore.acquire().await;
        let results = rt.read_many(&ctx, &states).await;
        for (a, res) in addrs.into_iter().zip(results) {
            out.insert(a, res);
        }
        Mutex::new(out)
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
