//! `hubctl force-unlock LOCK_ID`: releases a lock left by a killed run, only when the given
//! ID matches the holder's.

use super::common::{backend, load, ERROR, OK};
use crate::args::ForceUnlockArgs;
use crate::views::Ui;
use hubctl_core::diag::{Diagnostic, SourceMap};

pub async fn run(ui: &Ui, base: &std::path::Path, a: ForceUnlockArgs) -> u8 {
    let Some(p) = load(ui, base, &a.dir) else {
        return ERROR;
    };
    let be = match backend(ui, &p.config, base, &a.dir).await {
        Ok(b) => b,
        Err(d) => {
            ui.diags(&d, &p.config.sources);
            return ERROR;
        }
    };
    match be.force_unlock(&a.lock_id).await {
        Ok(()) => {
            ui.line(format_args!(
                "{} The state has been unlocked.",
                ui.green("hubctl state has been successfully unlocked!")
            ));
            OK
        }
        Err(e) => {
            ui.diags(
                &Diagnostic::error("Failed to unlock state")
                    .detail(e.to_string())
                    .into(),
                &SourceMap::new(),
            );
            ERROR
        }
    }
}
