//! The one printer: the only code in hubctl that writes to stdout or stderr. Commands say
//! what to show through [`Ui`]; `clippy.toml` forbids `println!`, `eprintln!`,
//! `std::io::stdout` and the like everywhere else, so no output bypasses the views (colour,
//! terminal detection, a future JSON view) by accident.
#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]

use super::Ui;
use std::fmt::Display;
use std::io::{IsTerminal, Write};

/// Writes `s` to stdout as is (the caller supplies any newline).
pub(super) fn out(s: impl Display) {
    print!("{s}");
}

/// Writes `s` and a newline to stdout.
pub(super) fn line(s: impl Display) {
    println!("{s}");
}

/// Writes `s` to stderr as is.
pub(super) fn err(s: impl Display) {
    eprint!("{s}");
}

/// Sends what `out` wrote so far, e.g. before waiting for an answer on stdin.
pub(super) fn flush_out() {
    let _ = std::io::stdout().flush();
}

/// Whether stdout is a terminal.
pub(super) fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// Whether stderr is a terminal.
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Where `HUBCTL_LOG` tracing goes: stderr, beside the diagnostics.
pub fn log_writer() -> std::io::Stderr {
    std::io::stderr()
}

impl Ui {
    /// Prints `s` to stdout as is (stderr in a [`Ui::json_view`]).
    pub fn out(&self, s: impl Display) {
        if self.human_to_stderr {
            err(s);
        } else {
            out(s);
        }
    }

    /// Prints `s` and a newline to stdout (stderr in a [`Ui::json_view`]).
    pub fn line(&self, s: impl Display) {
        if self.human_to_stderr {
            eprintln!("{s}");
        } else {
            line(s);
        }
    }

    /// Prints `s` and a newline to stderr: messages that are not diagnostics (Terraform's
    /// plain "Warning: ..." lines, lock waits).
    pub fn err_line(&self, s: impl Display) {
        eprintln!("{s}");
    }

    /// Prints `v` as pretty JSON and a newline to stdout (the `-json` views).
    pub fn json(&self, v: &serde_json::Value) {
        line(serde_json::to_string_pretty(v).unwrap_or_default());
    }
}
