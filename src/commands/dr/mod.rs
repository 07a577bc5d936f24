//! `hubctl dr check` and `hubctl dr rebuild`: the disaster-recovery runbook as commands
//! (docs/runbooks/hub-rebuild.md). The check reads every unit of an environment (state,
//! lock, stored versions, the objects behind the state) without changing anything; the
//! rebuild acts on what it found: restores unreadable states, converges the environment as
//! one graph, verifies, and reports the time of each phase (the recovery time).

mod check;
mod rebuild;
mod report;

use crate::args::DrCommand;
use crate::views::Ui;
use std::path::Path;

pub async fn run(ui: &Ui, base: &Path, cmd: DrCommand) -> u8 {
    match cmd {
        DrCommand::Check(a) => check::run(ui, base, a).await,
        DrCommand::Rebuild(a) => rebuild::run(ui, base, a).await,
    }
}
