//! Output: diagnostics (human or JSON, from the one model), plans, progress. All printing
//! goes through [`Ui`], which knows whether stdout/stderr are terminals and if colour is on;
//! only `printer` writes the bytes.

mod confirm;
mod printer;
mod progress;

pub use confirm::Confirm;

pub use printer::{log_writer, stderr_is_terminal};
pub use progress::Progress;

use hubctl_core::diag::{render_human, Diagnostics, RenderOptions, SourceMap};

pub struct Ui {
    pub color: bool,
    pub stdout_tty: bool,
    /// The human text goes to stderr, so stdout holds only the JSON a `-json` view prints
    /// at its end (`plan --all --json`): a CI log still shows the progress.
    pub human_to_stderr: bool,
}

impl Ui {
    pub fn new(color_wanted: bool) -> Self {
        let stdout_tty = printer::stdout_is_terminal();
        let no_color_env = std::env::var_os("NO_COLOR").is_some();
        Ui {
            color: color_wanted && !no_color_env && stderr_is_terminal(),
            stdout_tty,
            human_to_stderr: false,
        }
    }

    /// This view with the human text on stderr, for a command whose stdout is JSON.
    pub fn json_view(&self) -> Ui {
        Ui {
            color: self.color,
            stdout_tty: false,
            human_to_stderr: true,
        }
    }

    /// Prints diagnostics to stderr.
    pub fn diags(&self, diags: &Diagnostics, sources: &SourceMap) {
        if diags.is_empty() {
            return;
        }
        printer::err(render_human(
            diags,
            sources,
            RenderOptions { color: self.color },
        ));
    }

    pub fn plan_style(&self) -> hubctl_core::plan::render::Style {
        hubctl_core::plan::render::Style {
            color: self.color && self.stdout_tty,
        }
    }

    pub fn bold(&self, s: &str) -> String {
        if self.color && self.stdout_tty {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    pub fn green(&self, s: &str) -> String {
        if self.color && self.stdout_tty {
            format!("\x1b[1;32m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}
