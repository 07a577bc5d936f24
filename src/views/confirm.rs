//! The approval prompt of apply, destroy and rollback. As in Terraform, the answer is read
//! from standard input whether or not it is a terminal (`echo yes | hubctl apply` works), so
//! a pipeline can approve; a closed input (CI's /dev/null) or `-input=false` cancels at once
//! instead of hanging.

use super::{printer, Ui};
use hubctl_core::diag::{Diagnostic, SourceMap};
use std::io::BufRead;

/// One approval question.
pub struct Confirm<'a> {
    /// The bold question, e.g. "Do you want to perform these actions?".
    pub question: &'a str,
    /// Lines under the question, before "Only 'yes' will be accepted".
    pub detail: Option<&'a str>,
    /// The command asking, for messages ("hubctl apply").
    pub command: &'a str,
    /// Printed when the answer is not "yes" ("Apply cancelled.").
    pub cancelled: &'a str,
    /// `-input=false` forbids asking.
    pub input: bool,
}

impl Ui {
    /// Asks for "yes"; true only for that answer.
    pub fn confirm(&self, c: Confirm<'_>) -> bool {
        if !c.input {
            self.refuse(&c, "input is disabled (-input=false)");
            return false;
        }
        printer::out(format_args!("\n{}\n", self.bold(c.question)));
        if let Some(d) = c.detail {
            printer::line(format_args!("  {d}"));
        }
        printer::out("  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
        printer::flush_out();
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => {
                printer::line("");
                self.refuse(&c, "standard input is closed");
                false
            }
            Ok(_) if line.trim() == "yes" => {
                printer::line("");
                true
            }
            Ok(_) => {
                printer::line(format_args!("\n{}", c.cancelled));
                false
            }
        }
    }

    fn refuse(&self, c: &Confirm<'_>, why: &str) {
        let d = Diagnostic::error("No approval").detail(format!(
            "{} asks for confirmation, but {why}. Review the output above and run again \
             with --auto-approve to proceed without confirmation, or answer the prompt.",
            c.command
        ));
        self.diags(&d.into(), &SourceMap::new());
    }
}
