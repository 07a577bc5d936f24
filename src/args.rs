//! Command-line arguments (clap), kept apart from the commands that run them.

use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};

mod dr;
mod state;
pub use dr::*;
pub use state::*;

/// Accepts Terraform's single-dash long flags (`-auto-approve`, `-out=FILE`, `-var k=v`,
/// `-lock=false`) by rewriting them to the double-dash form, for every long flag the CLI has.
pub fn terraform_style(argv: Vec<String>, cmd: &clap::Command) -> Vec<String> {
    fn collect(cmd: &clap::Command, longs: &mut std::collections::HashSet<String>) {
        for a in cmd.get_arguments() {
            longs.extend(a.get_long().map(str::to_string));
            longs.extend(
                a.get_all_aliases()
                    .into_iter()
                    .flatten()
                    .map(str::to_string),
            );
        }
        // Nested groups too (`state rm -lock=false`).
        for sub in cmd.get_subcommands() {
            collect(sub, longs);
        }
    }
    let mut longs = std::collections::HashSet::new();
    collect(cmd, &mut longs);
    argv.into_iter()
        .enumerate()
        .map(|(i, a)| {
            let name = a
                .strip_prefix('-')
                .filter(|r| !r.starts_with('-'))
                .map(|r| r.split('=').next().unwrap_or(r));
            match name {
                Some(n) if i > 0 && n.len() > 1 && longs.contains(n) => format!("-{a}"),
                _ => a,
            }
        })
        .collect()
}
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "hubctl",
    version,
    about = "Plans and applies the AWS hub of a hub-spoke Kubernetes platform (Terraform-compatible HCL)."
)]
pub struct Cli {
    /// Disable colours in output.
    #[arg(long = "no-color", global = true)]
    pub no_color: bool,
    /// Resolve every relative path against DIR, as if run there (Terraform's `-chdir=DIR`).
    #[arg(long = "chdir", value_name = "DIR")]
    pub chdir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the command line (Terraform's single-dash flags accepted), and records the
    /// order of the -var/-var-file options, which clap keeps in separate lists.
    pub fn from_argv(argv: Vec<String>) -> Cli {
        let matches = Cli::command().get_matches_from(terraform_style(argv, &Cli::command()));
        let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        if let (Some((_, sub)), Some(v)) = (matches.subcommand(), cli.command.var_args_mut()) {
            v.order = var_order(sub);
        }
        cli
    }
}

/// Whether each -var/-var-file option is a file, in command-line order (clap's indices).
fn var_order(m: &ArgMatches) -> Vec<bool> {
    let mut at: Vec<(usize, bool)> = Vec::new();
    at.extend(
        m.indices_of("vars")
            .into_iter()
            .flatten()
            .map(|i| (i, false)),
    );
    at.extend(
        m.indices_of("var_files")
            .into_iter()
            .flatten()
            .map(|i| (i, true)),
    );
    at.sort_unstable();
    at.into_iter().map(|(_, file)| file).collect()
}

impl Command {
    /// The -var/-var-file options of the commands that take them.
    fn var_args_mut(&mut self) -> Option<&mut VarArgs> {
        match self {
            Command::Plan(a) => Some(&mut a.vars),
            Command::Apply(a) => Some(&mut a.vars),
            Command::Destroy(a) => Some(&mut a.vars),
            Command::Import(a) => Some(&mut a.vars),
            Command::Drift(a) => Some(&mut a.vars),
            _ => None,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check the configuration (syntax, references, types, arguments) without provider calls.
    Validate(ValidateArgs),
    /// Show what apply would change.
    Plan(PlanArgs),
    /// Make the changes (from the configuration, or exactly those of a saved plan file).
    Apply(ApplyArgs),
    /// Report what changed outside hubctl, attribute by attribute (a refresh-only plan that
    /// changes nothing); exit 0 without drift, 2 with drift, 1 on errors.
    Drift(DriftArgs),
    /// Destroy everything in the state.
    Destroy(DestroyArgs),
    /// Print root module outputs from the state.
    Output(OutputArgs),
    /// Print the dependency graph in DOT format.
    Graph(DirArg),
    /// Show a saved plan (or, without one, the state); --json gives Terraform's plan JSON.
    Show(ShowArgs),
    /// Rewrite configuration files to the canonical format.
    Fmt(FmtArgs),
    /// Release a stuck state lock (only when the ID matches).
    #[command(name = "force-unlock")]
    ForceUnlock(ForceUnlockArgs),
    /// Check the state backend (bucket, versioning, lock table, KMS key); --bootstrap creates them.
    Init(InitArgs),
    /// Adopt an existing object into the state as ADDR (its resource block must exist).
    Import(ImportArgs),
    /// Print a Terragrunt unit's resolved configuration (includes merged, functions and
    /// locals evaluated), as `terragrunt render` does.
    Render(RenderArgs),
    /// Print hubctl's version, the commit it was built from and that commit's date.
    Version(VersionArgs),
    /// Inspect and change the state (list, show, rm, mv, pull, push, import-terraform, history,
    /// rollback, rekey).
    #[command(subcommand)]
    State(StateCommand),
    /// Disaster recovery of an environment: `dr check`, then `dr rebuild`
    /// (docs/runbooks/hub-rebuild.md).
    #[command(subcommand)]
    Dr(DrCommand),
}

#[derive(Args, Debug, Clone)]
pub struct VersionArgs {
    /// As JSON, in the layout of `terraform version -json`.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct DirArg {
    /// The root module directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Args, Debug, Clone)]
pub struct ValidateArgs {
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Machine-readable diagnostics.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone, Default)]
pub struct VarArgs {
    /// Set a root input variable: --var name=value (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read root input variables from a .tfvars or .tfvars.json file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Whether each of the options above is a file, in command-line order (Terraform
    /// applies them left to right); filled by [`Cli::from_argv`].
    #[arg(skip)]
    pub order: Vec<bool>,
}

/// Which units a `--all` run takes (Terragrunt's queue flags; the older
/// `--terragrunt-include-dir`/`--terragrunt-exclude-dir` names are aliases).
#[derive(Args, Debug, Clone, Default)]
pub struct QueueArgs {
    /// With --all: only the units whose directory (relative to the working directory)
    /// matches GLOB, and the units they depend on (repeatable).
    #[arg(
        long = "queue-include-dir",
        alias = "terragrunt-include-dir",
        value_name = "GLOB"
    )]
    pub include: Vec<String>,
    /// With --all: leave out the units whose directory matches GLOB; their dependents read
    /// their outputs from their state (repeatable).
    #[arg(
        long = "queue-exclude-dir",
        alias = "terragrunt-exclude-dir",
        value_name = "GLOB"
    )]
    pub exclude: Vec<String>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct LockArgs {
    /// Take the state lock; -lock=false skips it (only safe for read-only use).
    #[arg(long = "lock", default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub lock: bool,
    /// Wait this long for a held lock (e.g. 5m), retrying with backoff; 0s fails at once.
    #[arg(long = "lock-timeout", default_value = "0s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub lock_timeout: std::time::Duration,
}

/// Resource targeting: `-target` (Terraform) and `-exclude` (OpenTofu 1.9), directly or from
/// files of one address a line; the two kinds cannot be mixed.
#[derive(Args, Debug, Clone, Default)]
pub struct TargetArgs {
    /// Plan only this resource, instance or module and what it depends on; with -destroy,
    /// it and everything that depends on it (repeatable; for exceptional situations such
    /// as recovering from errors).
    #[arg(long = "target", value_name = "ADDR")]
    pub targets: Vec<String>,
    /// Like -target, with the addresses read from FILE: one a line, `#` comments and blank
    /// lines ignored (repeatable).
    #[arg(long = "target-file", value_name = "FILE")]
    pub target_files: Vec<PathBuf>,
    /// Plan everything except this resource, instance or module and what depends on it;
    /// with -destroy, keep it and what it depends on (repeatable; OpenTofu's -exclude).
    #[arg(long = "exclude", value_name = "ADDR")]
    pub excludes: Vec<String>,
    /// Like -exclude, with the addresses read from FILE (as for -target-file).
    #[arg(long = "exclude-file", value_name = "FILE")]
    pub exclude_files: Vec<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct PlanArgs {
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Plan every Terragrunt unit (terragrunt.hcl) under DIR, in dependency order, each
    /// against its own state (Terragrunt's `run --all plan`; `run-all` is an alias).
    #[arg(long, alias = "run-all")]
    pub all: bool,
    /// Write the plan to FILE, for `hubctl apply FILE`.
    #[arg(long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit 0 for no changes, 1 for errors, 2 when there are changes.
    #[arg(long = "detailed-exitcode")]
    pub detailed_exitcode: bool,
    /// Print the plan as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write a Markdown summary to FILE, for a pull-request comment: counts per unit,
    /// then the replaced and destroyed addresses first (no values).
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Plan to destroy everything.
    #[arg(long)]
    pub destroy: bool,
    /// Replace this instance even if nothing forces it (repeatable; Terraform's -replace).
    #[arg(long = "replace", value_name = "ADDR")]
    pub replace: Vec<String>,
    #[command(flatten)]
    pub select: TargetArgs,
    /// Only read the remote objects and record what changed outside hubctl; change nothing.
    #[arg(long = "refresh-only")]
    pub refresh_only: bool,

    /// Skip reading the current state of remote objects.
    #[arg(long = "refresh", default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub refresh: bool,
    /// Operations run in parallel at most.
    #[arg(long, default_value_t = 10)]
    pub parallelism: usize,
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub queue: QueueArgs,
    #[command(flatten)]
    pub lock: LockArgs,
    /// Print the drift report instead of the plan (`hubctl drift`).
    #[arg(skip)]
    pub drift_report: bool,
}

#[derive(Args, Debug, Clone)]
pub struct DriftArgs {
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The report as JSON, for a scheduled pipeline to alert on: each drifted attribute
    /// before and after, secrets redacted.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub select: TargetArgs,
    /// Reads run in parallel at most.
    #[arg(long, default_value_t = 10)]
    pub parallelism: usize,
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub lock: LockArgs,
}

impl DriftArgs {
    /// The refresh-only plan the report comes from.
    pub fn plan_args(self) -> PlanArgs {
        PlanArgs {
            dir: self.dir,
            all: false,
            out: None,
            detailed_exitcode: true,
            json: self.json,
            markdown: None,
            destroy: false,
            replace: Vec::new(),
            select: self.select,
            refresh_only: true,
            refresh: true,
            parallelism: self.parallelism,
            vars: self.vars,
            queue: QueueArgs::default(),
            lock: self.lock,
            drift_report: true,
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct ApplyArgs {
    /// A root module directory, or a plan file written by `plan -out`.
    #[arg(default_value = ".")]
    pub target: PathBuf,
    /// Apply every Terragrunt unit under the directory, in dependency order, each to its own
    /// state (Terragrunt's `run --all apply`; `run-all` is an alias).
    #[arg(long, alias = "run-all")]
    pub all: bool,
    /// Destroy everything instead (Terraform's `apply -destroy`, the same as `hubctl destroy`).
    #[arg(long)]
    pub destroy: bool,
    /// Replace this instance even if nothing forces it (repeatable; Terraform's -replace).
    #[arg(long = "replace", value_name = "ADDR")]
    pub replace: Vec<String>,
    #[command(flatten)]
    pub select: TargetArgs,
    /// Only read the remote objects and record what changed outside hubctl; change nothing.
    #[arg(long = "refresh-only")]
    pub refresh_only: bool,
    /// What a failed apply does with the objects it created: keep them (the next apply
    /// resumes), or roll back (delete exactly those, nothing that existed before).
    #[arg(
        long = "on-failure",
        value_enum,
        default_value_t,
        value_name = "keep|rollback"
    )]
    pub on_failure: crate::commands::rollback::OnFailure,

    /// Do not ask for confirmation.
    #[arg(long = "auto-approve")]
    pub auto_approve: bool,
    /// Ask for approval on standard input (false: fail instead of asking).
    #[arg(long = "input", default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub input: bool,
    /// Operations run in parallel at most.
    #[arg(long, default_value_t = 10)]
    pub parallelism: usize,
    #[arg(long = "refresh", default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub refresh: bool,
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub queue: QueueArgs,
    #[command(flatten)]
    pub lock: LockArgs,
}

impl ApplyArgs {
    /// `apply --all DIR -auto-approve` with these queue globs, lock options and parallelism,
    /// everything else as the command line defaults it (what a rebuild or a saved tree plan
    /// runs).
    pub fn all_units(dir: PathBuf, queue: QueueArgs, lock: LockArgs, parallelism: usize) -> Self {
        ApplyArgs {
            target: dir,
            all: true,
            destroy: false,
            replace: Vec::new(),
            select: TargetArgs::default(),
            refresh_only: false,
            on_failure: Default::default(),
            auto_approve: true,
            input: false,
            parallelism,
            refresh: true,
            vars: VarArgs::default(),
            queue,
            lock,
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct DestroyArgs {
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Destroy every Terragrunt unit under DIR, dependents first, each in its own state.
    #[arg(long, alias = "run-all")]
    pub all: bool,
    #[arg(long = "auto-approve")]
    pub auto_approve: bool,
    /// Ask for approval on standard input (false: fail instead of asking).
    #[arg(long = "input", default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub input: bool,
    #[arg(long, default_value_t = 10)]
    pub parallelism: usize,
    #[command(flatten)]
    pub select: TargetArgs,
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub queue: QueueArgs,
    #[command(flatten)]
    pub lock: LockArgs,
}

#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// The root module directory.
    #[arg(long = "dir", default_value = ".")]
    pub dir: PathBuf,
    /// One output's name.
    pub name: Option<String>,
    #[arg(long)]
    pub json: bool,
    /// Print a string output without quotes.
    #[arg(long)]
    pub raw: bool,
    /// Print sensitive values instead of redacting them.
    #[arg(long = "show-sensitive")]
    pub show_sensitive: bool,
}

#[derive(Args, Debug, Clone)]
pub struct ShowArgs {
    /// A plan file written by `plan -out`; without it, the current state is shown.
    pub planfile: Option<PathBuf>,
    /// The root module directory whose state to show.
    #[arg(long = "dir", default_value = ".")]
    pub dir: PathBuf,
    #[arg(long, conflicts_with = "html")]
    pub json: bool,
    /// The plan as one self-contained HTML page (to stdout): its dependency graph coloured
    /// by action, the apply order, every change and why, drift apart; secrets redacted.
    #[arg(long, requires = "planfile")]
    pub html: bool,
}

#[derive(Args, Debug, Clone)]
pub struct RenderArgs {
    /// The unit directory (holding terragrunt.hcl).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Print JSON with Terragrunt's top-level keys.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct FmtArgs {
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Only check; exit 3 when files need formatting.
    #[arg(long)]
    pub check: bool,
    /// Also format subdirectories.
    #[arg(long)]
    pub recursive: bool,
}

#[derive(Args, Debug, Clone)]
pub struct InitArgs {
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Create what the backend needs and is missing (versioned, private, SSE-KMS bucket;
    /// LockID table; the KMS key for an alias/... kms_key_id).
    #[arg(long)]
    pub bootstrap: bool,
    /// Resolve every remote module's version again (the newest allowed), instead of keeping
    /// the installed ones that still match.
    #[arg(long)]
    pub upgrade: bool,
    /// Initialize every Terragrunt unit under DIR: working copies, modules, and each
    /// distinct state backend once (Terragrunt's `run --all init`; `run-all` is an alias).
    #[arg(long, alias = "run-all")]
    pub all: bool,
    #[command(flatten)]
    pub queue: QueueArgs,
}

#[derive(Args, Debug, Clone)]
pub struct ImportArgs {
    /// The root module directory (Terraform's `-config=DIR` works too).
    #[arg(long = "dir", visible_alias = "config", default_value = ".")]
    pub dir: std::path::PathBuf,
    /// The instance address to import to (`aws_vpc.hub`, `module.vpc.aws_subnet.this["a"]`).
    pub addr: String,
    /// The object's id, in the resource type's import syntax (`vpc-0abc`, `rtb-1_0.0.0.0/0`).
    pub id: String,
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub lock: LockArgs,
}

#[derive(Args, Debug, Clone)]
pub struct ForceUnlockArgs {
    pub lock_id: String,
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn terraform_single_dash_flags_are_accepted() {
        let argv = [
            "hubctl",
            "plan",
            "-out=p.plan",
            "-var",
            "a=1",
            "-lock=false",
            "-detailed-exitcode",
            "-x",
            "dir",
        ];
        let fixed = terraform_style(
            argv.iter().map(|s| s.to_string()).collect(),
            &Cli::command(),
        );
        assert_eq!(
            fixed,
            [
                "hubctl",
                "plan",
                "--out=p.plan",
                "--var",
                "a=1",
                "--lock=false",
                "--detailed-exitcode",
                "-x",
                "dir"
            ]
        );
        let cli = Cli::parse_from(fixed[..7].iter().chain(std::iter::once(&fixed[8])));
        match cli.command {
            Command::Plan(p) => {
                assert_eq!(p.out.as_deref(), Some(std::path::Path::new("p.plan")));
                assert!(!p.lock.lock && p.detailed_exitcode);
                assert_eq!(p.vars.vars, vec!["a=1".to_string()]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn aliases_take_single_dashes_too() {
        let argv = [
            "hubctl",
            "import",
            "-config=live/hub",
            "aws_vpc.hub",
            "vpc-1",
        ];
        let fixed = terraform_style(
            argv.iter().map(|s| s.to_string()).collect(),
            &Cli::command(),
        );
        match Cli::parse_from(fixed).command {
            Command::Import(i) => {
                assert_eq!(i.dir, std::path::PathBuf::from("live/hub"));
                assert_eq!((i.addr.as_str(), i.id.as_str()), ("aws_vpc.hub", "vpc-1"));
            }
            other => panic!("{other:?}"),
        }
    }
}
