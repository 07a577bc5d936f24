//! Loads and checks a configuration (`prepare`), and plans it: `make_plan` walks with the
//! [`PlanStep`] and assembles the [`Plan`]; `validate` walks with every input unknown.

use super::model::{
    Action, OutputChange, Plan, Reason, ResourceChange, PLAN_FORMAT, PLAN_FORMAT_VERSION,
};
use super::step::{PlanOptions, PlanStep};
use crate::addr::resource_of;
use crate::config::{load_in, Config};
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::{build, Graph, NodeKind};
use crate::lang::Value;
use crate::state::{Mode, State};
use crate::walk::{walk, Extra, Run};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// A loaded configuration with its graph.
pub struct Prepared {
    pub config: Arc<Config>,
    pub graph: Graph,
    pub config_hash: String,
}

impl Prepared {
    /// A plan walk over this configuration, silent, with parallelism 4: what in-process
    /// tests of planning need (the CLI builds its runs with progress and its own options).
    #[cfg(test)]
    pub(crate) fn plan_run(
        &self,
        dir: &Path,
        registry: crate::provider::Registry,
        vars: BTreeMap<String, Value>,
        prior: State,
        refresh: bool,
    ) -> (Run, PlanOptions) {
        let (inputs, opts) = self.plan_inputs(dir, registry, vars, prior, refresh);
        (Run::new(inputs), opts)
    }

    /// What [`Self::plan_run`] builds its run from, for tests that change an input.
    #[cfg(test)]
    pub(crate) fn plan_inputs(
        &self,
        dir: &Path,
        registry: crate::provider::Registry,
        vars: BTreeMap<String, Value>,
        prior: State,
        refresh: bool,
    ) -> (crate::walk::RunInputs, PlanOptions) {
        let (prior, moves) = super::moves::refactor(&self.config.root, prior);
        let inputs = crate::walk::RunInputs {
            config: self.config.clone(),
            graph: Arc::new(self.graph.clone()),
            registry,
            root_dir: dir.to_path_buf(),
            base_dir: std::env::current_dir().unwrap_or_else(|_| dir.to_path_buf()),
            cwd: std::env::current_dir().unwrap_or_default(),
            mode: crate::walk::Mode::Plan,
            destroy: false,
            vars,
            prior: Arc::new(prior),
            parallelism: 4,
            targets: Vec::new(),
            excludes: Vec::new(),
        };
        let opts = PlanOptions {
            refresh,
            moves,
            ..PlanOptions::default()
        };
        (inputs, opts)
    }
}

/// Loads `dir`, builds the graph and checks what can be checked without values.
pub fn prepare(
    dir: &Path,
    registry: &crate::provider::Registry,
) -> (Option<Prepared>, Diagnostics) {
    prepare_in(Path::new(""), dir, registry)
}

/// [`prepare`] with `dir` resolved against `base` (see [`crate::config::load_in`]).
pub fn prepare_in(
    base: &Path,
    dir: &Path,
    registry: &crate::provider::Registry,
) -> (Option<Prepared>, Diagnostics) {
    let (config, mut diags) = load_in(base, dir);
    // Go on after other load errors, so reference errors come out in the same run.
    if config.incomplete {
        return (None, diags);
    }
    diags.extend(check_module_inputs(&config));
    diags.extend(super::check::check_schemas(&config, registry));
    diags.extend(super::import::check(&config.root));
    let (graph, gd) = build(&config);
    diags.extend(gd);
    if diags.has_errors() {
        return (None, diags);
    }
    let mut h = Sha256::new();
    for (_, f) in config.sources.files() {
        h.update(f.path.to_string_lossy().as_bytes());
        h.update([0]);
        h.update(f.text.as_bytes());
        h.update([0]);
    }
    let config_hash = hex::encode(h.finalize());
    (
        Some(Prepared {
            config: Arc::new(config),
            graph,
            config_hash,
        }),
        diags,
    )
}

/// Module call arguments that the child module does not declare as variables.
fn check_module_inputs(config: &Config) -> Diagnostics {
    fn walk(m: &crate::config::Module, diags: &mut Diagnostics) {
        for (name, call) in &m.module_calls {
            let Some(child) = m.children.get(name) else {
                continue;
            };
            for (arg, a) in &call.inputs {
                if !child.variables.contains_key(arg) {
                    let mut d = Diagnostic::error("Unsupported argument")
                        .detail(format!("An argument named \"{arg}\" is not expected here: module \"{name}\" declares no variable \"{arg}\"."))
                        .subject(a.name_span);
                    if let Some(h) =
                        crate::lang::did_you_mean(arg, child.variables.keys().map(String::as_str))
                    {
                        d = d.help(format!("did you mean \"{h}\"?"));
                    }
                    diags.push(d);
                }
            }
            walk(child, diags);
        }
    }
    let mut d = Diagnostics::new();
    walk(&config.root, &mut d);
    d
}

/// Makes sure every provider an orphaned state instance needs has a node (orphans of
/// removed configuration are deleted with the root module's provider configuration).
pub fn add_orphan_providers(graph: &mut Graph, state: &State) {
    let wanted: std::collections::BTreeSet<&str> = state
        .resources
        .values()
        .map(|i| crate::addr::split_provider_instance(&i.provider).0)
        .filter(|p| !p.is_empty())
        .collect();
    for p in wanted {
        let kind = NodeKind::Provider(p.to_string());
        if graph.node(0, &kind).is_none() {
            let id = graph.nodes.len();
            graph.nodes.push(crate::graph::Node {
                module: 0,
                kind: kind.clone(),
                span: None,
                deps: vec![],
            });
            graph.index.insert((0, kind), id);
        }
    }
}

/// Checks the configuration with every input unknown: the walk of `hubctl validate`.
pub async fn validate(run: Arc<Run>) -> Diagnostics {
    let step = PlanStep::new(&run, PlanOptions::default());
    walk(run, Arc::new(step), Extra::default()).await.diags
}

/// Plans: walks in plan (or destroy-plan) mode and assembles the [`Plan`].
pub async fn make_plan(
    run: Arc<Run>,
    mut opts: PlanOptions,
    config_hash: String,
    had_state: bool,
) -> (Plan, Diagnostics) {
    let destroy = run.destroy;
    let moves = std::mem::take(&mut opts.moves);
    let mut diags = moves.diags.clone();
    let refresh_only = opts.refresh_only;
    let step = Arc::new(PlanStep::new(&run, opts));
    let res = walk(run.clone(), step.clone(), Extra::default()).await;
    let mut changes = PlanStep::into_changes(step);
    diags.extend(res.diags);
    // Check blocks see the planned values; a destroy plan has nothing left to check.
    let checks = if destroy {
        Vec::new()
    } else {
        let (checks, d) = super::check_blocks::evaluate(&run);
        diags.extend(d);
        checks
    };
    changes.extend(orphans(&run, refresh_only));
    diags.extend(super::provider_instances::check_deletes(&run, &changes));
    if destroy {
        changes.retain(|c| c.action == Action::Delete);
        diags.extend(protected(&run, &changes));
    }
    changes.sort_by_cached_key(|c| crate::addr::sort_key(&c.address));
    if !destroy && !refresh_only {
        diags.extend(super::cross_checks::check_across(&run, &changes));
    }
    let (drift, changes): (Vec<ResourceChange>, Vec<ResourceChange>) = changes
        .into_iter()
        .partition(|c| c.reason == Some(Reason::Drift));
    let output_changes = output_changes(&run, &res.outputs);
    for s in &res.skipped {
        diags.push(Diagnostic::warning("Not planned").detail(format!(
            "{s} was not planned because something it depends on failed."
        )));
    }
    let plan = Plan {
        format: PLAN_FORMAT.to_string(),
        format_version: PLAN_FORMAT_VERSION,
        hubctl_version: env!("CARGO_PKG_VERSION").to_string(),
        destroy,
        root_dir: run.root_dir.display().to_string(),
        config_hash,
        state_lineage: had_state.then(|| run.prior.lineage.clone()),
        state_serial: had_state.then_some(run.prior.serial),
        variables: stored_variables(&run),
        ephemeral_variables: ephemeral_variables(&run),
        changes,
        output_changes,
        errored: diags.has_errors(),
        moved: moves.moved,
        forgotten: moves.forgotten,
        targets: run
            .targets
            .as_ref()
            .map(|t| t.addrs.clone())
            .unwrap_or_default(),
        excludes: run
            .targets
            .as_ref()
            .map(|t| t.excludes.clone())
            .unwrap_or_default(),
        refresh_only,
        drift,
        timestamp: Some(run.plan_timestamp().to_string()),
        mocked: Vec::new(),
        checks,
    };
    (plan, diags)
}

/// The errors for a destroy plan's deletes of instances whose resource has
/// `prevent_destroy` (Terraform refuses the whole destroy).
fn protected(run: &Run, changes: &[ResourceChange]) -> Diagnostics {
    let mut d = Diagnostics::new();
    for c in changes {
        let Some(n) = run.node_of(&c.address) else {
            continue;
        };
        let node = &run.graph.nodes[n];
        let NodeKind::Resource(key) = &node.kind else {
            continue;
        };
        let r = &run.module(node.module).resources[key];
        d.0.extend(super::prevent_destroy::check(
            run,
            node.module,
            r,
            &c.address,
        ));
    }
    d
}

/// Deletes of instances whose resource left the configuration (or of everything, for
/// destroy).
fn orphans(run: &Run, refresh_only: bool) -> Vec<ResourceChange> {
    let destroy = run.destroy;
    let mut changes = Vec::new();
    for (addr, inst) in &run.prior.resources {
        let in_config = run.node_of(addr).is_some();
        let targeted = run.targets.as_ref().is_none_or(|t| t.covers(addr));
        if targeted && !refresh_only && (destroy || !in_config) {
            changes.push(ResourceChange {
                address: addr.clone(),
                resource: resource_of(addr).to_string(),
                mode: inst.mode,
                type_name: inst.type_name.clone(),
                provider: inst.provider.clone(),
                action: Action::Delete,
                before: Some(inst.value()),
                after: None,
                replace_paths: vec![],
                // Terraform's reason even when the whole module call is gone; "no module"
                // is for a module instance whose key the call no longer has.
                reason: (!destroy).then_some(Reason::NoResourceConfig),
                importing: None,
            });
        }
    }
    changes
}

/// The root module outputs' changes: what the walk computed against the stored values.
fn output_changes(run: &Run, outputs: &BTreeMap<String, Value>) -> Vec<OutputChange> {
    let mut output_changes = Vec::new();
    let prior_outputs = &run.prior.outputs;
    let root = &run.config.root;
    for (name, o) in &root.outputs {
        let node = run.graph.node(0, &NodeKind::Output(name.clone()));
        if node.is_some_and(|n| !run.targeted(n)) {
            continue;
        }
        let after = if run.destroy {
            None
        } else {
            outputs.get(name).cloned()
        };
        let before = prior_outputs.get(name).map(|p| {
            let v = Value::from_json(&p.value);
            if p.sensitive {
                v.sensitive()
            } else {
                v
            }
        });
        let action = match (&before, &after) {
            (None, Some(_)) => Action::Create,
            (Some(_), None) => Action::Delete,
            // The state holds the output's numbers as `as_stored` gives them.
            (Some(b), Some(a)) if super::diff::same_loose(b, &a.clone().as_stored()) => {
                Action::NoOp
            }
            (Some(_), Some(_)) => Action::Update,
            (None, None) => continue,
        };
        output_changes.push(OutputChange {
            name: name.clone(),
            action,
            before,
            after,
            sensitive: o.sensitive,
        });
    }
    for (name, p) in prior_outputs {
        if !root.outputs.contains_key(name) {
            output_changes.push(OutputChange {
                name: name.clone(),
                action: Action::Delete,
                before: Some(Value::from_json(&p.value)),
                after: None,
                sensitive: p.sensitive,
            });
        }
    }
    output_changes
}

/// Whether a state instance counts as managed (for summaries).
pub fn is_managed(m: Mode) -> bool {
    m == Mode::Managed
}

/// The names of the ephemeral root variables that were set.
fn ephemeral_variables(run: &Run) -> Vec<String> {
    let declared = &run.config.root.variables;
    run.vars
        .keys()
        .filter(|k| declared.get(*k).is_some_and(|v| v.ephemeral))
        .cloned()
        .collect()
}

/// The root variable values a plan keeps: all but the ephemeral variables', which are never
/// written (the apply of a saved plan must be given them again, as in Terraform).
fn stored_variables(run: &Run) -> BTreeMap<String, Value> {
    let declared = &run.config.root.variables;
    run.vars
        .iter()
        .filter(|(k, _)| !declared.get(*k).is_some_and(|v| v.ephemeral))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
