//! What most commands share: loading the configuration, root variables, choosing and
//! locking the state backend, building a walk.

use crate::args::{LockArgs, VarArgs};
use crate::views::Ui;
use hubctl_aws::state::{S3Backend, S3Settings};
use hubctl_core::config::vars::{parse_cli_var, root_variables, CliInput};
use hubctl_core::config::{Config, Expr};
use hubctl_core::diag::{Diagnostic, Diagnostics, SourceMap, Span};
use hubctl_core::lang::{eval, EvalContext, Resolver, Value};
use hubctl_core::plan::driver::{prepare_in, Prepared};
use hubctl_core::plan::moves::{refactor, MoveReport};
use hubctl_core::provider::Registry;
use hubctl_core::state::{Backend, LocalBackend, LockInfo, State};
use hubctl_core::walk::targets::Selection;
use hubctl_core::walk::{Mode, Run, RunInputs};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Exit codes, as Terraform uses them.
pub const OK: u8 = 0;
pub const ERROR: u8 = 1;
pub const CHANGES: u8 = 2;

/// All providers this build of hubctl has: one registry per process, so that the walks of
/// one command share the provider clients they configure.
/// The directory relative paths resolve against (`-chdir`), set once at start.
pub static BASE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

pub fn registry() -> Registry {
    static ONE: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    ONE.get_or_init(|| {
        let mut r = Registry::with_builtins();
        // terraform_remote_state: local paths against the -chdir directory, as Terraform's
        // against its working directory; s3 states opened as the s3 backend opens them.
        let base = BASE.get().cloned().unwrap_or_default();
        let states = hubctl_aws::state::remote_states::RemoteStates {
            local: hubctl_core::provider::remote_state::LocalStates { base },
        };
        r.add(Arc::new(
            hubctl_core::provider::terraform_data::TerraformProvider::with_states(Arc::new(states)),
        ));
        r.add(Arc::new(hubctl_aws::AwsProvider));
        r.add(Arc::new(hubctl_kubernetes::KubernetesProvider));
        r.add(Arc::new(hubctl_kubernetes::KubectlProvider));
        r
    })
    .clone()
}

/// Loads and checks the configuration in `dir` (relative to `base`, the `-chdir`
/// directory); prints diagnostics. `None` on errors.
pub fn load(ui: &Ui, base: &Path, dir: &Path) -> Option<Prepared> {
    let (p, diags) = prepare_in(base, dir, &registry());
    match p {
        Some(p) => {
            ui.diags(&diags, &p.config.sources);
            Some(p)
        }
        None => {
            // Errors came before the sources were shared; reload the map for rendering.
            let (config, _) = hubctl_core::config::load_in(base, dir);
            ui.diags(&diags, &config.sources);
            None
        }
    }
}

/// Root input values from the environment, tfvars files and flags (files relative to `base`).
pub fn variables(
    ui: &Ui,
    config: &Config,
    base: &Path,
    dir: &Path,
    args: &VarArgs,
) -> Option<BTreeMap<String, Value>> {
    let mut sources = SourceMap::new();
    let mut diags = Diagnostics::new();
    let vars: Vec<Option<CliInput>> = args
        .vars
        .iter()
        .map(|v| parse_cli_var(v).map_err(|d| diags.push(d)).ok())
        .collect();
    let files = args
        .var_files
        .iter()
        .map(|f| Some(CliInput::File(f.clone())));
    // In command-line order when clap's indices account for every option, else files first.
    let n_files = args.order.iter().filter(|f| **f).count();
    let ordered = n_files == args.var_files.len() && args.order.len() - n_files == vars.len();
    let cli: Vec<CliInput> = if ordered {
        interleave(args.order.clone(), vars, files)
    } else {
        files.chain(vars).flatten().collect()
    };
    let (vars, d) = root_variables(
        &config.root,
        base,
        dir,
        &cli,
        std::env::vars(),
        &mut sources,
    );
    diags.extend(d);
    ui.diags(&diags, &sources);
    (!diags.has_errors()).then_some(vars)
}

/// Merges vars and files into command-line order (`None`: a var that failed to parse).
fn interleave(
    order: Vec<bool>,
    vars: Vec<Option<CliInput>>,
    mut files: impl Iterator<Item = Option<CliInput>>,
) -> Vec<CliInput> {
    let mut vars = vars.into_iter();
    order
        .into_iter()
        .filter_map(|is_file| if is_file { files.next() } else { vars.next() })
        .flatten()
        .collect()
}

struct Literal;
impl Resolver for Literal {
    fn resolve(&self, root: &str, _: &[&str], span: Span) -> Result<(Value, usize), Diagnostic> {
        Err(Diagnostic::error("Variables not allowed")
            .detail(format!("A backend configuration cannot refer to \"{root}\": it is read before anything is evaluated."))
            .subject(span))
    }
}

/// The configured backend block: its kind, evaluated arguments, the block's span and where
/// each argument is written (diagnostics about one argument point at it).
pub struct BackendBlock {
    pub kind: String,
    pub settings: BTreeMap<String, Value>,
    pub span: Span,
    args: BTreeMap<String, Expr>,
    names: BTreeMap<String, Span>,
}

impl BackendBlock {
    /// Where argument `path` is written: `name` or `name.key` (an entry of an object
    /// argument); the block when it is not written there.
    fn span_of(&self, path: &str) -> Span {
        let (name, key) = path
            .split_once('.')
            .map_or((path, None), |(n, k)| (n, Some(k)));
        let entry = key.and_then(|k| self.args.get(name)?.key_span(k));
        entry
            .or_else(|| self.names.get(name).copied())
            .unwrap_or(self.span)
    }
}

/// Evaluates the `terraform { backend "..." }` arguments (literals only); `dir` is the root
/// module's directory, relative to `base`.
pub fn backend_block(
    config: &Config,
    base: &Path,
    dir: &Path,
) -> Result<Option<BackendBlock>, Diagnostics> {
    let dir = &base.join(dir);
    let Some(b) = &config.root.terraform.backend else {
        return Ok(None);
    };
    let mut diags = Diagnostics::new();
    let mut settings = BTreeMap::new();
    for (k, a) in &b.config {
        let (v, d) = eval(
            &a.expr.expr,
            &EvalContext {
                file: a.expr.file,
                resolver: &Literal,
                base_dir: dir,
            },
        );
        diags.extend(d);
        settings.insert(k.clone(), v);
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Some(BackendBlock {
        kind: b.kind.clone(),
        settings,
        span: b.span,
        args: b
            .config
            .iter()
            .map(|(k, a)| (k.clone(), a.expr.clone()))
            .collect(),
        names: b
            .config
            .iter()
            .map(|(k, a)| (k.clone(), a.name_span))
            .collect(),
    }))
}

/// The `s3` backend's settings, or a diagnostic on the argument at fault (else the block).
pub fn s3_settings(b: &BackendBlock) -> Result<S3Settings, Diagnostics> {
    S3Settings::from_config(&b.settings).map_err(|e| {
        let at = e.arg.as_deref().map_or(b.span, |a| b.span_of(a));
        Diagnostic::error("Invalid backend configuration")
            .detail(e.message)
            .subject(at)
            .into()
    })
}

/// The state backend the configuration asks for (default: `.hubctl/state.json` in the root,
/// `dir`, which is relative to `base`).
pub async fn backend(
    ui: &Ui,
    config: &Config,
    base: &Path,
    dir: &Path,
) -> Result<Arc<dyn Backend>, Diagnostics> {
    let local = |p: PathBuf| Arc::new(LocalBackend::new(base.join(&p)).shown_as(p));
    let default = dir.join(".hubctl").join("state.json");
    let Some(b) = backend_block(config, base, dir)? else {
        return Ok(local(default));
    };
    let span = b.span;
    match b.kind.as_str() {
        "local" => {
            let path = b
                .settings
                .get("path")
                .and_then(|v| v.as_str().map(PathBuf::from))
                .map(|p| dir.join(p));
            Ok(local(path.unwrap_or(default)))
        }
        "s3" => {
            let s = s3_settings(&b)?;
            ui.diags(&s3_warnings(&s, span), &config.sources);
            Ok(Arc::new(S3Backend::connect(s).await))
        }
        other => Err(Diagnostic::error("Unsupported backend")
            .detail(format!(
                "hubctl does not support the backend \"{other}\"; the supported backends \
                 are \"local\" and \"s3\"."
            ))
            .subject(span)
            .into()),
    }
}

/// What a user must hear about a working but unsafe `s3` backend block.
fn s3_warnings(s: &S3Settings, span: Span) -> Diagnostics {
    let mut out = Diagnostics::default();
    if !s.encrypt {
        out.push(
            Diagnostic::warning("State stored without encryption")
                .detail(format!(
                    "The backend block has encrypt = false, so the state at {} (with every \
                     resource attribute, secrets included) is written in plaintext. Set \
                     encrypt = true and kms_key_id.",
                    s.location()
                ))
                .subject(span),
        );
    }
    if s.dynamodb_table.is_none() && !s.use_lockfile {
        out.push(
            Diagnostic::warning("State not locked")
                .detail(format!(
                    "The backend block sets neither dynamodb_table nor use_lockfile = true, \
                     so two runs can write {} at once. Set one of them.",
                    s.location()
                ))
                .subject(span),
        );
    }
    out
}

/// Takes the lock; while another run holds it, retries with backoff (1 s doubling to 10 s)
/// until `timeout` has passed, then reports the holder.
async fn lock_with_retry(
    ui: &Ui,
    backend: &Arc<dyn Backend>,
    operation: &str,
    timeout: std::time::Duration,
) -> Result<LockInfo, hubctl_core::state::StateError> {
    let start = std::time::Instant::now();
    let mut delay = std::time::Duration::from_secs(1);
    let mut announced = false;
    loop {
        match backend
            .lock(LockInfo::new(operation, &backend.describe()))
            .await
        {
            Err(hubctl_core::state::StateError::Locked(held))
                if start.elapsed() + delay <= timeout =>
            {
                if !announced {
                    let lease = match (&held.heartbeat, held.lease_seconds) {
                        (Some(beat), Some(secs)) => {
                            format!("; lease of {secs} s, last renewed {beat}")
                        }
                        _ => String::new(),
                    };
                    ui.err_line(format_args!(
                        "Waiting up to {} for the state lock held by {} ({}, ID {}{lease})...",
                        humantime::format_duration(timeout),
                        held.who,
                        held.operation,
                        held.id
                    ));
                    announced = true;
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(std::time::Duration::from_secs(10));
            }
            other => return other,
        }
    }
}

/// Runs `f` holding the state lock (unless disabled), releasing it whatever happens.
pub async fn with_lock<T, F, Fut>(
    ui: &Ui,
    backend: &Arc<dyn Backend>,
    lock: &LockArgs,
    operation: &str,
    f: F,
) -> Option<T>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    if !lock.lock {
        return Some(f().await);
    }
    let info = match lock_with_retry(ui, backend, operation, lock.lock_timeout).await {
        Ok(i) => i,
        Err(e) => {
            ui.diags(
                &Diagnostic::error("Error acquiring the state lock")
                    .detail(e.to_string())
                    .into(),
                &SourceMap::new(),
            );
            return None;
        }
    };
    if let Some(stale) = &info.took_over {
        ui.diags(&took_over(stale).into(), &SourceMap::new());
    }
    let out = f().await;
    match backend.unlock(&info.id).await {
        Ok(()) => {}
        // The run has already stopped writing; say once more why, without advice to
        // force-unlock a lock that is another run's now.
        Err(e @ hubctl_core::state::StateError::LockLost { .. }) => ui.diags(
            &Diagnostic::error("The state lock was lost during this run")
                .detail(e.to_string())
                .into(),
            &SourceMap::new(),
        ),
        Err(e) => ui.diags(&Diagnostic::error("Error releasing the state lock").detail(format!("{e}\n\nThe lock ID is {}; release it with `hubctl force-unlock {}` once no hubctl runs.", info.id, info.id)).into(), &SourceMap::new()),
    }
    Some(out)
}

/// The warning of a run that took over a stale lease: whose, and since when unrenewed.
fn took_over(stale: &LockInfo) -> Diagnostic {
    let or_unknown = |s: &str| {
        if s.is_empty() {
            "unknown".to_string()
        } else {
            s.to_string()
        }
    };
    Diagnostic::warning("Took over a stale state lock").detail(format!(
        "The lock {} ({} by {}, created {}) was last renewed at {}, and its lease of {} s \
         ran out, so its holder was killed, paused or cut off. This run took the lock over; \
         the old holder can no longer write the state. If it is still running, it stops at \
         its next write.",
        stale.id,
        or_unknown(&stale.operation),
        or_unknown(&stale.who),
        or_unknown(&stale.created),
        stale.heartbeat.as_deref().unwrap_or("an unknown time"),
        stale
            .lease_seconds
            .map_or_else(|| "unknown".to_string(), |s| s.to_string()),
    ))
}

/// The current state (a fresh one, and `false`, when there is none yet).
pub async fn load_state(ui: &Ui, backend: &Arc<dyn Backend>) -> Option<(State, bool)> {
    match backend.load().await {
        Ok(Some(s)) => Some((s, true)),
        Ok(None) => Some((State::new(), false)),
        Err(e) => {
            ui.diags(
                &Diagnostic::error("Failed to load state")
                    .detail(e.to_string())
                    .into(),
                &SourceMap::new(),
            );
            None
        }
    }
}

/// What a walk is for, beyond the prepared configuration and the prior state.
pub struct Walk<'a> {
    /// What relative paths resolve against (the `-chdir` directory).
    pub base: &'a Path,
    /// The root module's directory as given (`path.root`), relative to `base`.
    pub dir: &'a Path,
    pub mode: Mode,
    pub destroy: bool,
    pub vars: BTreeMap<String, Value>,
    pub parallelism: usize,
    /// `-target`/`-exclude` addresses (a saved plan's, when applying one).
    pub select: Selection,
}

/// A walk over the prepared configuration. The prior state is rewritten by the `moved` and
/// `removed` blocks first; what they did is returned beside the run.
pub fn make_run(p: &Prepared, w: Walk<'_>, prior: State) -> (Arc<Run>, MoveReport) {
    make_fed_run(p, w, prior, Default::default())
}

/// [`make_run`] with root variables fed while it runs and a hook on root outputs.
pub fn make_fed_run(
    p: &Prepared,
    w: Walk<'_>,
    prior: State,
    feeds: hubctl_core::walk::Feeds,
) -> (Arc<Run>, MoveReport) {
    let mut graph = p.graph.clone();
    hubctl_core::plan::driver::add_orphan_providers(&mut graph, &prior);
    let (prior, moves) = refactor(&p.config.root, prior);
    let run = Run::new(RunInputs {
        config: p.config.clone(),
        graph: Arc::new(graph),
        registry: registry(),
        root_dir: w.dir.to_path_buf(),
        base_dir: w.base.to_path_buf(),
        // hubctl never changes its working directory, so this is the one it started in.
        cwd: std::env::current_dir().unwrap_or_else(|_| w.base.to_path_buf()),
        mode: w.mode,
        destroy: w.destroy,
        vars: w.vars,
        prior: Arc::new(prior),
        parallelism: w.parallelism,
        targets: w.select.targets,
        excludes: w.select.excludes,
    })
    .with_feeds(feeds);
    (Arc::new(run), moves)
}

/// The `-replace=ADDR` instances, normalized (`aws_x.a["k"]`); a diagnostic for any that is
/// not an instance address.
pub fn replace_targets(ui: &Ui, addrs: &[String]) -> Option<std::collections::HashSet<String>> {
    let mut out = std::collections::HashSet::new();
    for a in addrs {
        match hubctl_core::addr::InstanceAddr::parse(a.trim()) {
            Ok(i) => {
                out.insert(i.to_string());
            }
            Err(e) => {
                ui.diags(
                    &Diagnostic::error("Invalid -replace address")
                        .detail(format!("{a:?} is not a resource instance address: {e}."))
                        .into(),
                    &SourceMap::new(),
                );
                return None;
            }
        }
    }
    Some(out)
}

/// A warning for each `-replace` address the plan does not replace (Terraform warns too:
/// a typo there would otherwise silently do nothing).
pub fn unmatched_replacements(
    plan: &hubctl_core::plan::Plan,
    targets: &std::collections::HashSet<String>,
) -> Diagnostics {
    let mut d = Diagnostics::new();
    let mut missing: Vec<&String> = targets
        .iter()
        .filter(|t| {
            !plan
                .changes
                .iter()
                .any(|c| &c.address == *t && c.action.is_replace())
        })
        .collect();
    missing.sort();
    for t in missing {
        d.push(
            Diagnostic::warning("Replace request not used").detail(format!(
                "-replace={t} matches no resource instance that exists in the state and the \
             configuration, so nothing is replaced for it."
            )),
        );
    }
    d
}
