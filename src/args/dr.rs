//! The `hubctl dr ...` subcommands' arguments: disaster recovery of a whole environment.

use super::{LockArgs, QueueArgs};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum DrCommand {
    /// Check every unit under DIR: is its state readable and its lock free, which objects
    /// exist and which are missing, which state version is the last good one. Exit 0 when
    /// healthy, 2 when a rebuild has work to do, 1 when it could not tell.
    Check(DrCheckArgs),
    /// Rebuild the units under DIR: restore unreadable states to their last good version,
    /// refresh, re-create what is missing in dependency order as one graph (the bootstrap
    /// included), then verify with a plan that must show no changes; a timed report per
    /// phase. Destroys are refused unless --allow-destroy.
    Rebuild(DrRebuildArgs),
}

#[derive(Args, Debug, Clone)]
pub struct DrCheckArgs {
    /// The environment: a folder of Terragrunt units (e.g. live/staging).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Reads run in parallel at most.
    #[arg(long, default_value_t = 10)]
    pub parallelism: usize,
    #[command(flatten)]
    pub queue: QueueArgs,
}

#[derive(Args, Debug, Clone)]
pub struct DrRebuildArgs {
    /// The environment: a folder of Terragrunt units (e.g. live/staging).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Restore UNIT's state to VERSION (from `hubctl dr check` or `state history`) instead
    /// of only restoring unreadable states to their last good version (repeatable; UNIT as
    /// the check names it, e.g. live/staging/eks).
    #[arg(long = "restore", value_name = "UNIT=VERSION")]
    pub restore: Vec<String>,
    /// Let the rebuild destroy objects the configuration no longer has. Without it a plan
    /// that destroys anything (other than a replacement) is refused: a rebuild re-creates
    /// and re-points, it never removes.
    #[arg(long = "allow-destroy")]
    pub allow_destroy: bool,
    /// Do not ask for confirmation.
    #[arg(long = "auto-approve")]
    pub auto_approve: bool,
    /// Ask for approval on standard input (false: fail instead of asking).
    #[arg(long = "input", default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub input: bool,
    /// Operations run in parallel at most.
    #[arg(long, default_value_t = 10)]
    pub parallelism: usize,
    #[command(flatten)]
    pub queue: QueueArgs,
    #[command(flatten)]
    pub lock: LockArgs,
}
