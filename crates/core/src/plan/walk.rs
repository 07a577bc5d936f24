//! One walk for validate, plan and apply: the executor runs every graph node the moment its
//! dependencies are done; each node takes its inputs (the values of the nodes it depends on,
//! written once into `values`) and returns its value, its planned changes and diagnostics.

use super::body::{eval_body, eval_expr, BodyCtx};
use super::model::{Plan, ResourceChange};
use super::scope::Scope;
use crate::apply::writer::StateWriter;
use crate::config::{Config, Module, Validation};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::graph::{build_module_at, Graph, NodeKind};
use crate::lang::convert::convert;
use crate::lang::{Resolver, Value};
use crate::provider::{ProviderClient, ProviderError, Registry};
use crate::state::{InstanceState, State};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::{OnceCell, Semaphore};

/// What the walk is for.
#[derive(Clone)]
pub enum WalkMode {
    /// No provider calls; root variables and count/for_each may be unknown.
    Validate,
    Plan {
        refresh: bool,
        destroy: bool,
    },
    Apply(Arc<Plan>),
}

/// Progress events for the CLI's display.
#[derive(Debug, Clone)]
pub enum Event {
    Refreshing {
        address: String,
        id: Option<String>,
    },
    Started {
        address: String,
        action: super::Action,
    },
    Still {
        address: String,
        action: super::Action,
        elapsed: std::time::Duration,
    },
    Done {
        address: String,
        action: super::Action,
        elapsed: std::time::Duration,
        id: Option<String>,
    },
    Failed {
        address: String,
        action: super::Action,
        error: String,
    },
}

pub trait Observer: Send + Sync {
    fn event(&self, e: Event);
}

/// An observer that ignores everything.
pub struct Silent;
impl Observer for Silent {
    fn event(&self, _e: Event) {}
}

/// Refreshed values by address; each instance takes its own entry out (no copies kept).
pub type RefreshResult = Mutex<HashMap<String, Result<Option<Value>, ProviderError>>>;

/// One batched refresh per (provider node, resource type), shared by the type's nodes.
type RefreshCells = Mutex<HashMap<(usize, String), Arc<OnceCell<RefreshResult>>>>;

/// Everything one walk shares; immutable except the write-once cells.
pub struct Run {
    pub config: Arc<Config>,
    pub graph: Arc<Graph>,
    pub registry: Registry,
    pub root_dir: PathBuf,
    pub mode: WalkMode,
    /// Root module input values as given (CLI, files, environment), not yet converted.
    pub vars: BTreeMap<String, Value>,
    pub prior: Arc<State>,
    /// Prior instances by config-level resource address.
    pub prior_by_resource: HashMap<String, Vec<String>>,
    pub values: Vec<OnceLock<Value>>,
    pub clients: Vec<OnceLock<ProviderClient>>,
    pub refreshes: RefreshCells,
    /// In apply mode: plan changes by instance address and by resource address.
    pub planned: HashMap<String, usize>,
    pub planned_by_resource: HashMap<String, Vec<usize>>,
    pub semaphore: Arc<Semaphore>,
    /// `--parallelism`, as given (the semaphore's size).
    pub parallelism: usize,
    pub writer: Option<StateWriter>,
    pub observer: Arc<dyn Observer>,
    /// What `moved`/`removed` blocks did to the state given; `prior` is the rewritten one.
    pub moves: super::moves::MoveReport,
    /// Instances to import (the root module's `import` blocks; `hubctl import` replaces
    /// them with its one target before the walk starts).
    pub imports: Vec<super::import::ImportTarget>,
    /// Instances `-replace=ADDR` asks to replace even though nothing forces it.
    pub replace: std::collections::HashSet<String>,
    /// `-target=ADDR`: only these nodes are walked (None: all). A saved plan's targets are
    /// taken over by its apply.
    pub targets: Option<super::targets::Targets>,
    /// `-refresh-only`: read every object and report drift; plan no action.
    pub refresh_only: bool,
    /// Planned changes of the resources `replace_triggered_by` names.
    pub triggers: super::triggers::Recorded,
}

/// What a node hands back to the executor.
#[derive(Default)]
pub struct NodeResult {
    pub value: Value,
    pub changes: Vec<ResourceChange>,
    pub diags: Diagnostics,
}

impl NodeResult {
    pub fn value(value: Value, diags: Diagnostics) -> Self {
        NodeResult {
            value,
            changes: Vec::new(),
            diags,
        }
    }
    pub fn failed(&self) -> bool {
        self.diags.has_errors()
    }
}

/// The config-level address of a state key (`a.b["k"]` → `a.b`, deposed suffix dropped).
pub fn resource_of(address: &str) -> &str {
    let a = address
        .split_once(" (deposed")
        .map(|(a, _)| a)
        .unwrap_or(address);
    match a.find('[') {
        Some(i) => &a[..i],
        None => a,
    }
}

impl Run {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        config: Arc<Config>,
        graph: Arc<Graph>,
        registry: Registry,
        root_dir: PathBuf,
        mode: WalkMode,
        vars: BTreeMap<String, Value>,
        prior: Arc<State>,
        parallelism: usize,
        writer: Option<StateWriter>,
        observer: Arc<dyn Observer>,
    ) -> Run {
        let mut moves = super::moves::MoveReport::default();
        let prior = if super::moves::needs_refactoring(&config.root, &prior) {
            let mut s = State::clone(&prior);
            moves = super::moves::apply_refactorings(&config.root, &mut s);
            Arc::new(s)
        } else {
            prior
        };
        let mut prior_by_resource: HashMap<String, Vec<String>> = HashMap::new();
        for k in prior.resources.keys() {
            prior_by_resource
                .entry(resource_of(k).to_string())
                .or_default()
                .push(k.clone());
        }
        let n = graph.nodes.len();
        let mut planned = HashMap::new();
        let mut planned_by_resource: HashMap<String, Vec<usize>> = HashMap::new();
        if let WalkMode::Apply(plan) = &mode {
            for (i, c) in plan.changes.iter().enumerate() {
                planned.insert(c.address.clone(), i);
                planned_by_resource
                    .entry(c.resource.clone())
                    .or_default()
                    .push(i);
            }
        }
        let imports = super::import::targets(&config.root);
        let triggers = super::triggers::Recorded::new(&config, &graph, &mode);
        let saved_targets = match &mode {
            WalkMode::Apply(plan) if !plan.targets.is_empty() => Some(plan.targets.clone()),
            _ => None,
        };
        let mut run = Run {
            config,
            graph,
            registry,
            root_dir,
            mode,
            vars,
            prior,
            prior_by_resource,
            values: (0..n).map(|_| OnceLock::new()).collect(),
            clients: (0..n).map(|_| OnceLock::new()).collect(),
            refreshes: Mutex::new(HashMap::new()),
            planned,
            planned_by_resource,
            semaphore: Arc::new(Semaphore::new(parallelism.max(1))),
            parallelism: parallelism.max(1),
            writer,
            observer,
            moves,
            imports,
            replace: Default::default(),
            targets: None,
            refresh_only: false,
            triggers,
        };
        if let Some(addrs) = saved_targets {
            run.set_targets(&addrs);
        }
        run
    }

    /// Restricts the walk to `addrs` and what they depend on (`-target`).
    pub fn set_targets(&mut self, addrs: &[String]) {
        if !addrs.is_empty() {
            self.targets = Some(super::targets::Targets::resolve(self, addrs));
        }
    }

    /// Whether instance `address` of resource node `n` is planned or applied (`-target` may
    /// name single instances).
    pub fn instance_targeted(&self, n: usize, address: &str) -> bool {
        self.targets.as_ref().is_none_or(|t| t.instance(n, address))
    }

    /// Whether node `n` is walked (every node, unless `-target` narrowed the walk).
    pub fn targeted(&self, n: usize) -> bool {
        self.targets.as_ref().is_none_or(|t| t.nodes.contains(&n))
    }

    pub fn module(&self, mi: usize) -> &Module {
        build_module_at(&self.config.root, &self.graph.modules[mi].path)
    }

    /// `path.module`: the module's directory as loaded (relative when the root was).
    pub fn module_dir(&self, mi: usize) -> String {
        self.module(mi).dir.display().to_string()
    }

    pub fn base_dir(&self) -> PathBuf {
        std::env::current_dir().unwrap_or_else(|_| self.root_dir.clone())
    }

    pub fn is_validate(&self) -> bool {
        matches!(self.mode, WalkMode::Validate)
    }

    /// Planning or applying a destroy: locals and outputs may refer to objects already gone
    /// (a destroy re-run after a partial failure); their values no longer matter.
    pub fn is_destroy(&self) -> bool {
        match &self.mode {
            WalkMode::Plan { destroy, .. } => *destroy,
            WalkMode::Apply(plan) => plan.destroy,
            WalkMode::Validate => false,
        }
    }

    /// The prior state of one instance as a value, sensitive attributes re-marked.
    pub fn prior_value(&self, address: &str) -> Option<Value> {
        self.prior.resources.get(address).map(instance_value)
    }
}

/// A state instance's attributes as a [`Value`], with its sensitive attributes marked.
pub fn instance_value(inst: &InstanceState) -> Value {
    let mut v = Value::from_json(&inst.attributes);
    if let Some(m) = v.as_map_mut() {
        for name in &inst.sensitive_attributes {
            if let Some(x) = m.remove(name) {
                m.insert(name.clone(), x.sensitive());
            }
        }
    }
    v
}

/// Evaluates one non-resource node (resources live in `plan::resource` / `apply::resource`).
pub async fn eval_node(run: Arc<Run>, n: usize) -> NodeResult {
    if !run.targeted(n) {
        return NodeResult::value(Value::unknown(), Diagnostics::new());
    }
    let node = &run.graph.nodes[n];
    let mi = node.module;
    match node.kind.clone() {
        NodeKind::Variable(name) => eval_variable(&run, mi, &name),
        NodeKind::Local(name) => {
            let l = &run.module(mi).locals[&name];
            let (v, d) = eval_expr(&l.expr, &Scope::new(&run, mi), &run.base_dir());
            lenient_in_destroy(&run, v, d)
        }
        NodeKind::Output(name) => {
            let r = eval_output(&run, mi, &name);
            lenient_in_destroy(&run, r.value, r.diags)
        }
        NodeKind::Provider(key) => super::provider_node::configure(&run, n, mi, &key).await,
        NodeKind::Resource(key) => match &run.mode {
            WalkMode::Apply(plan) => {
                crate::apply::resource::apply_resource(&run, n, mi, &key, plan.clone()).await
            }
            _ => super::resource::plan_resource(&run, n, mi, &key).await,
        },
    }
}

fn lenient_in_destroy(run: &Run, v: Value, d: Diagnostics) -> NodeResult {
    if run.is_destroy() && d.has_errors() {
        return NodeResult::value(Value::unknown(), Diagnostics::new());
    }
    NodeResult::value(v, d)
}

fn eval_variable(run: &Run, mi: usize, name: &str) -> NodeResult {
    let module = run.module(mi);
    let var = &module.variables[name];
    let mut diags = Diagnostics::new();
    let base = run.base_dir();
    let path = &run.graph.modules[mi].path;
    // Where the value comes from, and the span to blame when it is wrong.
    let (raw, blame): (Option<Value>, Span) = if path.is_empty() {
        if run.is_validate() {
            (
                Some(Value::Unknown(
                    var.ty.clone().unwrap_or(crate::lang::Type::Any),
                )),
                var.span,
            )
        } else {
            (run.vars.get(name).cloned(), var.span)
        }
    } else {
        let parent = run.graph.modules[mi].parent.unwrap_or(0);
        let call = &run.module(parent).module_calls[path.last().map(String::as_str).unwrap_or("")];
        match call.inputs.get(name) {
            Some(a) => {
                let (v, d) = eval_expr(&a.expr, &Scope::new(run, parent), &base);
                diags.extend(d);
                (Some(v), a.expr.span())
            }
            None => (None, call.span),
        }
    };
    if diags.has_errors() {
        return NodeResult::value(Value::unknown(), diags);
    }
    // For a non-nullable variable a null means "not set": the default applies, as in Terraform.
    let raw = raw.filter(|v| var.nullable || !v.is_null() || var.default.is_none());
    let from_default = raw.is_none();
    let raw = match raw {
        Some(v) => v,
        None => match &var.default {
            Some(d) => {
                let (v, dd) = eval_expr(d, &Scope::new(run, mi), &base);
                diags.extend(dd);
                v
            }
            None => {
                let d = if path.is_empty() {
                    Diagnostic::error("No value for required variable").detail(format!(
                        "The root module input variable \"{name}\" is not set, and has no default value. Use a -var or -var-file command line argument, or a TF_VAR_{name} environment variable, to provide a value."
                    ))
                } else {
                    Diagnostic::error("Missing required argument")
                        .detail(format!("The argument \"{name}\" is required, but no definition was found: module variable \"{name}\" has no default."))
                };
                diags.push(d.subject(blame).related(var.span, "variable declared here"));
                return NodeResult::value(Value::unknown(), diags);
            }
        },
    };
    let mut v = match &var.ty {
        Some(t) => {
            match convert(raw, t) {
                Ok(v) => v,
                Err(msg) => {
                    let summary = if from_default {
                        "Invalid default value for variable"
                    } else {
                        "Invalid value for input variable"
                    };
                    diags.push(
                    Diagnostic::error(summary)
                        .detail(format!("The given value is not suitable for var.{name} declared at {}: {msg}.", run.config.sources.location(var.span)))
                        .subject(blame),
                );
                    return NodeResult::value(Value::unknown(), diags);
                }
            }
        }
        None => raw,
    };
    if v.is_null() && !var.nullable {
        let (summary, blame) = if from_default {
            ("Invalid default value for variable", var.span)
        } else {
            ("Required variable not set", blame)
        };
        diags.push(
            Diagnostic::error(summary)
                .detail(format!(
                    "The given value is not suitable for var.{name}: the value must not be null."
                ))
                .subject(blame),
        );
    }
    if !diags.has_errors() {
        diags.extend(check_validations(
            run,
            mi,
            name,
            &v,
            &var.validations,
            blame,
        ));
    }
    if var.sensitive {
        v = v.sensitive();
    }
    NodeResult::value(v, diags)
}

/// A resolver where `var.<name>` is the value being validated.
struct Validating<'a> {
    inner: &'a Scope<'a>,
    name: &'a str,
    value: &'a Value,
}

impl Resolver for Validating<'_> {
    fn resolve(
        &self,
        root: &str,
        attrs: &[&str],
        span: Span,
    ) -> Result<(Value, usize), Diagnostic> {
        if root == "var" && attrs.first() == Some(&self.name) {
            return Ok((self.value.clone(), 1));
        }
        self.inner.resolve(root, attrs, span)
    }
}

fn check_validations(
    run: &Run,
    mi: usize,
    name: &str,
    v: &Value,
    rules: &[Validation],
    blame: Span,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let scope = Scope::new(run, mi);
    let r = Validating {
        inner: &scope,
        name,
        value: v,
    };
    for rule in rules {
        let (c, d) = eval_expr(&rule.condition, &r, &run.base_dir());
        if d.has_errors() {
            diags.extend(d);
            continue;
        }
        match c.peel() {
            Value::Bool(true) | Value::Unknown(_) => {}
            Value::Bool(false) => {
                let (msg, _) = eval_expr(&rule.error_message, &r, &run.base_dir());
                let msg = error_message_text(&msg);
                diags.push(
                    Diagnostic::error("Invalid value for variable")
                        .detail(format!(
                            "{msg}\n\nThis was checked by the validation rule at {}.",
                            run.config.sources.location(rule.span)
                        ))
                        .subject(blame)
                        .related(rule.condition.span(), "validation condition"),
                );
            }
            _ => diags.push(
                Diagnostic::error("Invalid variable validation result")
                    .detail("The validation condition must return true or false.")
                    .subject(rule.condition.span()),
            ),
        }
    }
    diags
}

/// The text of a failed check's `error_message`; a sensitive one is not shown (Terraform's
/// wording).
fn error_message_text(msg: &Value) -> String {
    match msg {
        Value::String(s) => s.clone(),
        Value::Sensitive(_) => {
            "The error message included a sensitive value, so it will not be displayed.".into()
        }
        _ => "(error message could not be evaluated)".into(),
    }
}

fn eval_output(run: &Run, mi: usize, name: &str) -> NodeResult {
    let o = &run.module(mi).outputs[name];
    let scope = Scope::new(run, mi);
    let (v, mut diags) = eval_expr(&o.expr, &scope, &run.base_dir());
    for p in &o.preconditions {
        let (c, d) = eval_expr(&p.condition, &scope, &run.base_dir());
        diags.extend(d);
        // A sensitive condition still decides; only its value stays unshown.
        if c.peel().as_bool() == Some(false) {
            let (msg, _) = eval_expr(&p.error_message, &scope, &run.base_dir());
            diags.push(
                Diagnostic::error("Module output value precondition failed")
                    .detail(error_message_text(&msg))
                    .subject(p.condition.span()),
            );
        }
    }
    if !diags.has_errors() && v.contains_sensitive() && !o.sensitive {
        diags.push(
            Diagnostic::error("Output refers to sensitive values")
                .detail("To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, hubctl requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.")
                .subject(o.span)
                .help("add `sensitive = true` to the output block"),
        );
    }
    let v = if o.sensitive { v.sensitive() } else { v };
    NodeResult::value(v, diags)
}

/// Evaluates a provider block body against the provider's schema.
pub fn provider_config(
    run: &Run,
    mi: usize,
    key: &str,
    schema: &crate::provider::Schema,
) -> (Value, Diagnostics) {
    let module = run.module(mi);
    let Some(p) = module.providers.iter().find(|p| {
        let k = match &p.alias {
            Some(a) => format!("{}.{}", p.name, a),
            None => p.name.clone(),
        };
        k == key
    }) else {
        return (Value::Null, Diagnostics::new());
    };
    let scope = Scope::new(run, mi);
    let base = run.base_dir();
    eval_body(
        &p.body,
        schema,
        p.span,
        &BodyCtx {
            resolver: &scope,
            base_dir: &base,
            skip_blocks: &[],
        },
    )
}
