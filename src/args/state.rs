//! The `hubctl state ...` subcommands' arguments.

use super::LockArgs;
use clap::{Args, Subcommand};
use std::path::PathBuf;

impl StateCommand {
    /// The options every state subcommand shares.
    pub fn dir_args_mut(&mut self) -> &mut StateDirArgs {
        match self {
            StateCommand::List(a) => &mut a.common,
            StateCommand::Show(a) => &mut a.common,
            StateCommand::Rm(a) => &mut a.common,
            StateCommand::Mv(a) => &mut a.common,
            StateCommand::Pull(a) | StateCommand::History(a) | StateCommand::Pending(a) => a,
            StateCommand::Push(a) | StateCommand::ImportTerraform(a) => &mut a.common,
            StateCommand::Rollback(a) => &mut a.common,
            StateCommand::Rekey(a) => &mut a.common,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum StateCommand {
    /// List the resource instances in the state (only those under ADDR... when given).
    List(StateListArgs),
    /// Show one resource instance's attributes (sensitive ones redacted).
    Show(StateAddrArgs),
    /// Forget instances without destroying them.
    Rm(StateRmArgs),
    /// Move instances, resources or modules to another address.
    Mv(StateMvArgs),
    /// Print the state as JSON.
    Pull(StateDirArgs),
    /// Replace the state with a local file (refuses older serials and other lineages).
    Push(StatePushArgs),
    /// Convert a Terraform state (format version 4; a file, or s3://bucket/key of a
    /// Terraform S3 backend) into this state.
    #[command(name = "import-terraform")]
    ImportTerraform(StatePushArgs),
    /// List the stored versions of the state.
    History(StateDirArgs),
    /// List the operations an interrupted run left unfinished (creates and deletes whose
    /// outcome is unknown, deposed objects) and what the next apply does about each.
    Pending(StateDirArgs),
    /// Restore a stored version as a new serial, after showing the difference.
    Rollback(StateRollbackArgs),
    /// Re-encrypt the current state under another KMS key (key rotation).
    Rekey(StateRekeyArgs),
}

#[derive(Args, Debug, Clone)]
pub struct StateDirArgs {
    /// The root module directory (its backend configuration says where the state is).
    #[arg(long = "dir", default_value = ".")]
    pub dir: PathBuf,
    /// What `dir` and FILE arguments are relative to: the `-chdir` directory, set by
    /// `commands::state::run` (never the process's working directory).
    #[arg(skip)]
    pub base: PathBuf,
    #[command(flatten)]
    pub lock: LockArgs,
}

#[derive(Args, Debug, Clone)]
pub struct StateListArgs {
    /// Module, resource or instance addresses to filter by.
    pub addrs: Vec<String>,
    #[command(flatten)]
    pub common: StateDirArgs,
}

#[derive(Args, Debug, Clone)]
pub struct StateAddrArgs {
    pub addr: String,
    #[command(flatten)]
    pub common: StateDirArgs,
}

#[derive(Args, Debug, Clone)]
pub struct StateRmArgs {
    #[arg(required = true)]
    pub addrs: Vec<String>,
    #[command(flatten)]
    pub common: StateDirArgs,
}

#[derive(Args, Debug, Clone)]
pub struct StateMvArgs {
    pub src: String,
    pub dst: String,
    #[command(flatten)]
    pub common: StateDirArgs,
}

#[derive(Args, Debug, Clone)]
pub struct StatePushArgs {
    pub file: PathBuf,
    /// Overwrite even an unrelated or newer state.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub common: StateDirArgs,
}

#[derive(Args, Debug, Clone)]
pub struct StateRollbackArgs {
    /// The version ID from `hubctl state history`.
    #[arg(long = "version", value_name = "V")]
    pub version: String,
    /// Do not ask for confirmation.
    #[arg(long = "auto-approve")]
    pub auto_approve: bool,
    /// Ask for approval on standard input (false: fail instead of asking).
    #[arg(long = "input", default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub input: bool,
    #[command(flatten)]
    pub common: StateDirArgs,
}

#[derive(Args, Debug, Clone)]
pub struct StateRekeyArgs {
    /// The new key (`alias/...`, key id or ARN).
    #[arg(long = "to-kms-key-id", value_name = "KEY")]
    pub to_kms_key_id: String,
    #[command(flatten)]
    pub common: StateDirArgs,
}
