//! `hubctl fmt [--check]`: canonical formatting. Exit 3 with --check when files need it.

use super::common::{ERROR, OK};
use crate::args::FmtArgs;
use crate::views::Ui;

pub fn run(ui: &Ui, a: FmtArgs) -> u8 {
    match hubctl_core::config::fmt::format_dir(&a.dir, a.recursive) {
        Ok(changed) => {
            for (path, _, formatted) in &changed {
                ui.line(path.display());
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
