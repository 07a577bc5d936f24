//! `hubctl fmt [--check]`: canonical formatting. Exit 3 with --check when files need it.

use super::common::{ERROR, OK};
use crate::args::FmtArgs;
use crate::views::Ui;

/// Files are found under `base` (`-chdir`) and named relative to it, as Terraform does.
pub fn run(ui: &Ui, base: &std::path::Path, a: FmtArgs) -> u8 {
    match hubctl_core::config::fmt::format_dir(&base.join(&a.dir), a.recursive) {
        Ok(changed) => {
            for (path, _, formatted) in &changed {
                ui.line(path.strip_prefix(base).unwrap_or(path).display());
                if !a.check {
                    if let Err(e) = std::fs::write(path, formatted) {
                        ui.err_line(format_args!(
                            "Error: failed to write {}: {e}",
                            path.display()
                        ));
                        return ERROR;
                    }
                }
            }
            if a.check && !changed.is_empty() {
                3
            } else {
                OK
            }
        }
        Err(e) => {
            ui.err_line(format_args!("Error: {e}"));
            ERROR
        }
    }
}
