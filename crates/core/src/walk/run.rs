//! What one walk shares: its inputs, fixed when the [`Run`] is built, and the write-once
//! cells the nodes fill (a node's value, a provider's client), read by the nodes after it.

use super::targets::{Selection, Targets};
use crate::addr::resource_of;
use crate::config::{Config, Module};
use crate::graph::{build_module_at, Graph};
use crate::lang::Value;
use crate::provider::{ProviderClient, Registry};
use crate::state::State;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

/// What the walk is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// No provider calls; root variables and count/for_each may be unknown.
    Validate,
    Plan,
    Apply,
}

/// Everything a walk is built from; [`Run::new`] takes it whole, nothing changes after.
pub struct RunInputs {
    pub config: Arc<Config>,
    pub graph: Arc<Graph>,
    pub registry: Registry,
    /// The root module's directory (`path.root`, the plan file's `root_dir`).
    pub root_dir: PathBuf,
    /// What relative paths (`file("x")`, `abspath("x")`) resolve against: the directory
    /// `-chdir` named, or the process's working directory.
    pub base_dir: PathBuf,
    /// `path.cwd`: the working directory hubctl was started in, before `-chdir` (Terraform's
    /// "original working directory").
    pub cwd: PathBuf,
    pub mode: Mode,
    /// Planning or applying a destroy.
    pub destroy: bool,
    /// Root module input values as given (CLI, files, environment), not yet converted.
    pub vars: BTreeMap<String, Value>,
    /// The prior state, already rewritten by `moved`/`removed` blocks.
    pub prior: Arc<State>,
    /// `--parallelism`: resource operations in flight at once.
    pub parallelism: usize,
    /// `-target=ADDR` addresses (empty: everything).
    pub targets: Vec<String>,
    /// `-exclude=ADDR` addresses (never together with `targets`).
    pub excludes: Vec<String>,
}

/// One walk's shared inputs and write-once cells.
pub struct Run {
    pub(crate) config: Arc<Config>,
    pub(crate) graph: Arc<Graph>,
    pub(crate) registry: Registry,
    pub(crate) root_dir: PathBuf,
    pub(crate) base_dir: PathBuf,
    pub(crate) cwd: PathBuf,
    pub(crate) mode: Mode,
    pub(crate) destroy: bool,
    pub(crate) vars: BTreeMap<String, Value>,
    pub(crate) prior: Arc<State>,
    /// Prior instances by config-level resource address.
    pub(crate) prior_by_resource: HashMap<String, Vec<String>>,
    pub(crate) semaphore: Semaphore,
    /// Time in provider operations per node, for the critical path.
    pub(crate) busy: super::timing::Busy,
    pub(crate) parallelism: usize,
    /// `-target`/`-exclude`: only these nodes are walked (None: all).
    pub(crate) targets: Option<Targets>,
    /// Each node's value, written once when it is done.
    pub(crate) values: Vec<OnceLock<Value>>,
    /// Each provider node's client, written once when it is configured.
    pub(crate) clients: Vec<OnceLock<ProviderClient>>,
    /// Each provider node with `for_each`: its instance keys, each with its client once
    /// configured (none while the configuration is known only after apply).
    pub(crate) keyed: Vec<OnceLock<BTreeMap<String, Option<ProviderClient>>>>,
    /// Each module call node's instances of the called module, written once.
    pub(crate) expansions: Vec<OnceLock<Vec<super::instances::ModuleInst>>>,
    /// `plantimestamp()`: fixed on first use in a plan, or set from the saved plan before an
    /// apply, so every expression of one plan and its apply sees the same instant.
    pub(crate) plan_timestamp: OnceLock<String>,
    /// The errors of each failed data source scoped in a `check` block (made warnings).
    pub(crate) scoped: Vec<OnceLock<Vec<String>>>,
    /// Each ephemeral resource node's opened instances, closed when the walk is done.
    pub(crate) opened: Vec<OnceLock<Vec<super::ephemeral::OpenedInstance>>>,
    /// Root variables fed from outside and the root-output hook (`apply --all`).
    pub(crate) feeds: super::feeds::Feeds,
}

impl Run {
    /// The same run with root variables fed from outside and a hook told of root outputs.
    pub fn with_feeds(mut self, feeds: super::feeds::Feeds) -> Run {
        self.feeds = feeds;
        self
    }

    pub fn new(i: RunInputs) -> Run {
        let mut prior_by_resource: HashMap<String, Vec<String>> = HashMap::new();
        for k in i.prior.resources.keys() {
            prior_by_resource
                .entry(resource_of(k).into_owned())
                .or_default()
                .push(k.clone());
        }
        let n = i.graph.nodes.len();
        let sel = Selection {
            targets: i.targets,
            excludes: i.excludes,
        };
        let targets =
            (!sel.is_empty()).then(|| Targets::resolve(&i.graph, &i.prior, i.destroy, &sel));
        Run {
            prior_by_resource,
            semaphore: Semaphore::new(i.parallelism.max(1)),
            busy: Default::default(),
            parallelism: i.parallelism.max(1),
            targets,
            values: (0..n).map(|_| OnceLock::new()).collect(),
            clients: (0..n).map(|_| OnceLock::new()).collect(),
            keyed: (0..n).map(|_| OnceLock::new()).collect(),
            expansions: (0..n).map(|_| OnceLock::new()).collect(),
            plan_timestamp: OnceLock::new(),
            scoped: (0..n).map(|_| OnceLock::new()).collect(),
            opened: (0..n).map(|_| OnceLock::new()).collect(),
            feeds: Default::default(),
            config: i.config,
            graph: i.graph,
            registry: i.registry,
            root_dir: i.root_dir,
            base_dir: i.base_dir,
            cwd: i.cwd,
            mode: i.mode,
            destroy: i.destroy,
            vars: i.vars,
            prior: i.prior,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The prior state the walk sees (after `moved`/`removed` blocks).
    pub fn prior(&self) -> &State {
        &self.prior
    }

    /// Whether instance `address` of resource node `n` is planned or applied (`-target` and
    /// `-exclude` may name single instances).
    pub fn instance_targeted(&self, n: usize, address: &str) -> bool {
        self.targets.as_ref().is_none_or(|t| t.instance(n, address))
    }

    /// Whether node `n` is walked (every node, unless `-target`/`-exclude` narrowed the walk).
    pub fn targeted(&self, n: usize) -> bool {
        self.targets.as_ref().is_none_or(|t| t.nodes.contains(&n))
    }

    /// The errors node `n` had, when it is a data source scoped in a `check` block that
    /// failed (its errors became warnings).
    pub fn scoped_problems(&self, n: usize) -> Option<Vec<String>> {
        self.scoped.get(n).and_then(|c| c.get().cloned())
    }

    pub fn module(&self, mi: usize) -> &Module {
        build_module_at(&self.config.root, &self.graph.modules[mi].path)
    }

    /// `path.module`: the module's directory as loaded (relative when the root was).
    pub fn module_dir(&self, mi: usize) -> String {
        self.module(mi).dir.display().to_string()
    }

    pub fn base_dir(&self) -> &std::path::Path {
        &self.base_dir
    }

    /// What `plantimestamp()` returns in this walk: the plan's instant in RFC 3339, whole
    /// seconds in UTC as Terraform's (`2026-12-02T06:18:31Z`).
    pub fn plan_timestamp(&self) -> &str {
        self.plan_timestamp.get_or_init(|| {
            let now = time::OffsetDateTime::now_utc();
            let now = now.replace_nanosecond(0).unwrap_or(now);
            now.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        })
    }

    /// Makes `plantimestamp()` the saved plan's `ts` (before an apply walk); false when a
    /// value was already in use.
    pub fn use_plan_timestamp(&self, ts: String) -> bool {
        self.plan_timestamp.set(ts).is_ok()
    }

    pub fn is_validate(&self) -> bool {
        self.mode == Mode::Validate
    }

    /// Planning or applying a destroy: locals and outputs may refer to objects already gone
    /// (a destroy re-run after a partial failure); their values no longer matter.
    pub fn is_destroy(&self) -> bool {
        self.destroy
    }

    /// The prior state of one instance as a value, sensitive attributes re-marked.
    pub fn prior_value(&self, address: &str) -> Option<Value> {
        self.prior.resources.get(address).map(|i| i.value())
    }

    /// The resource node a state address belongs to, if the configuration still has it.
    pub fn node_of(&self, address: &str) -> Option<usize> {
        self.graph.resource_node(address)
    }

    /// The client of provider instance `provider` (`aws`, `aws.by_region["x"]`, as a change
    /// or the state records it) of the configuration resource node `n` uses.
    pub fn client_for(&self, n: usize, provider: &str) -> Option<ProviderClient> {
        let p = *self.graph.provider_of.get(&n)?;
        self.client_at(p, provider)
    }

    /// The client of provider instance `provider` of provider node `p`.
    pub fn client_at(&self, p: usize, provider: &str) -> Option<ProviderClient> {
        match crate::addr::split_provider_instance(provider).1 {
            Some(key) => self.keyed.get(p)?.get()?.get(&key).cloned().flatten(),
            None => self.clients.get(p)?.get().cloned(),
        }
    }

    /// Whether provider node `p` has `for_each` and no instance `key` (known once it ran).
    pub fn lacks_provider_instance(&self, p: usize, key: &str) -> bool {
        self.keyed
            .get(p)
            .and_then(|c| c.get())
            .is_some_and(|m| !m.contains_key(key))
    }

    /// The provider configuration key a resource node uses (`aws`, `aws.west`).
    pub fn provider_key(&self, n: usize) -> String {
        match self
            .graph
            .provider_of
            .get(&n)
            .map(|&p| &self.graph.nodes[p].kind)
        {
            Some(crate::graph::NodeKind::Provider(k)) => k.clone(),
            _ => String::new(),
        }
    }

    /// The full address prefix of a resource in a module.
    pub fn resource_address(&self, mi: usize, key: &str) -> String {
        format!(
            "{}{}",
            crate::addr::module_prefix(&self.graph.modules[mi].path),
            key
        )
    }
}
