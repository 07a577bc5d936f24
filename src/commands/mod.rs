//! One file per verb.

mod apply;
mod common;
mod fmt;
mod graph;
mod import;
mod init;
mod output;
mod plan;
mod planfile;
mod show;
mod state;
mod unlock;
mod validate;

use crate::args::Command;
use crate::views::Ui;

pub async fn run(cmd: Command, ui: &Ui) -> u8 {
    match cmd {
        Command::Validate(a) => validate::run(ui, a).await,
        Command::Plan(a) => plan::run(ui, a).await,
        Command::Apply(a) => apply::run(ui, a).await,
        Command::Destroy(a) => apply::destroy(ui, a).await,
        Command::Output(a) => output::run(ui, a).await,
        Command::Graph(a) => graph::run(ui, a),
        Command::Show(a) => show::run(ui, a).await,
        Command::Fmt(a) => fmt::run(ui, a),
        Command::ForceUnlock(a) => unlock::run(ui, a).await,
        Command::State(c) => state::run(ui, c).await,
        Command::Init(a) => init::run(ui, a).await,
        Command::Import(a) => import::run(ui, a).await,
    }
}
