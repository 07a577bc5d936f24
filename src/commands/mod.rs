//! One file per verb.

mod apply;
mod apply_all;
mod common;
mod dr;
mod fmt;
mod graph;
mod import;
mod init;
mod init_all;
mod modules;
mod output;
mod plan;
mod plan_bundle;
mod planfile;
mod render;
pub mod rollback;
mod run_all;
mod show;
mod stack;
mod state;
mod targeting;
mod unit;
mod unit_copy;
mod unit_mocks;
mod unlock;
mod validate;
mod version;

use crate::args::Command;
use crate::views::Ui;
use std::path::Path;

/// Runs `cmd`. `base` is the absolute directory every relative path the user gives resolves
/// against (the `-chdir` directory, else the working directory); hubctl never changes its
/// working directory, so `path.cwd` stays the one it started in, as in Terraform.
pub async fn run(cmd: Command, ui: &Ui, base: &Path) -> u8 {
    let _ = common::BASE.set(base.to_path_buf());
    hubctl_core::live::set_identity(std::sync::Arc::new(hubctl_aws::identity::StsIdentity));
    match cmd {
        Command::Validate(a) => validate::run(ui, base, a).await,
        Command::Plan(a) => plan::run(ui, base, a).await,
        Command::Drift(a) => plan::run(ui, base, a.plan_args()).await,
        Command::Apply(a) => apply::run(ui, base, a).await,
        Command::Destroy(a) => apply::destroy(ui, base, a).await,
        Command::Output(a) => output::run(ui, base, a).await,
        Command::Graph(a) => graph::run(ui, base, a),
        Command::Show(a) => show::run(ui, base, a).await,
        Command::Fmt(a) => fmt::run(ui, base, a),
        Command::ForceUnlock(a) => unlock::run(ui, base, a).await,
        Command::State(c) => state::run(ui, base, c).await,
        Command::Dr(c) => dr::run(ui, base, c).await,
        Command::Init(a) => init::run(ui, base, a).await,
        Command::Import(a) => import::run(ui, base, a).await,
        Command::Render(a) => render::run(ui, base, a),
        Command::Version(a) => version::run(ui, a),
    }
}
