//! `hubctl state pending`: what an interrupted run left unfinished. Every create and
//! delete records an intent in state before its API call; an intent still there means the
//! run stopped (killed, lost connection) before it knew the outcome.

use super::reading;
use crate::args::StateDirArgs;
use crate::commands::common::{load_state, OK};
use crate::views::Ui;
use hubctl_core::state::{InstanceState, Status};

/// What the next apply does about one unfinished operation; None when nothing is pending.
pub(crate) fn pending_words(addr: &str, inst: &InstanceState) -> Option<&'static str> {
    if addr.contains(" (deposed") {
        return Some("deposed by a replacement: the next apply deletes it");
    }
    match inst.status {
        Status::Creating => Some(
            "create interrupted: the object may exist; the next apply adopts it (by its \
             address tag, name or natural key) or creates it",
        ),
        Status::Deleting => Some(
            "delete interrupted: the next apply finishes the delete, and re-creates the \
             object if the configuration still has it",
        ),
        Status::Ready | Status::Tainted => None,
    }
}

pub(super) async fn pending(ui: &Ui, a: StateDirArgs) -> u8 {
    reading(ui, &a, "pending", |be| async move {
        let Some((state, _)) = load_state(ui, &be).await else {
            return crate::commands::common::ERROR;
        };
        let mut rows: Vec<(&String, &'static str)> = state
            .resources
            .iter()
            .filter_map(|(k, i)| pending_words(k, i).map(|w| (k, w)))
            .collect();
        rows.sort_by_cached_key(|(k, _)| hubctl_core::addr::sort_key(k));
        if rows.is_empty() {
            ui.line("No pending operations: every operation of the last run finished.");
            return OK;
        }
        for (addr, words) in &rows {
            ui.line(format_args!("{addr}: {words}"));
        }
        ui.line(format_args!(
            "\n{} pending. Run `hubctl apply` to resolve them (`hubctl plan` shows how).",
            rows.len()
        ));
        OK
    })
    .await
}
