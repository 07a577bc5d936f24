//! Where an ephemeral value may not go. It may flow into provider configurations, ephemeral
//! resources, locals, ephemeral variables and outputs, and `ephemeralasnull`; anything that
//! would be kept beyond the run refuses it, at the expression that brought it: a managed
//! resource's or data source's argument (both are stored in state), a non-ephemeral output
//! or module variable, and `count`/`for_each` (instance keys are stored). The wording is
//! Terraform 1.11's (recorded by `testdata/record_ephemeral.py`).

use crate::config::{Body, Expr};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::lang::Value;

/// Errors for the arguments of a managed resource or data source (`body`, evaluated to
/// `config`) that hold ephemeral values: at the argument's expression, or at the header of
/// a nested block whose content holds one.
pub fn refuse_stored(body: &Body, config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let got = |name: &str| {
        config
            .peel()
            .get_attr(name)
            .is_some_and(Value::contains_ephemeral)
    };
    for (name, a) in &body.attributes {
        if got(name) {
            diags.push(not_persistable(name, a.expr.span()));
        }
    }
    let mut reported = Vec::new();
    for b in &body.blocks {
        if got(&b.kind) && !reported.contains(&b.kind) {
            reported.push(b.kind.clone());
            diags.push(not_persistable(&b.kind, b.span));
        }
    }
    diags
}

fn not_persistable(name: &str, at: Span) -> Diagnostic {
    Diagnostic::error("Invalid use of ephemeral value")
        .detail(format!("Ephemeral values are not valid for \"{name}\", because it is not a write-only attribute and must be persisted to state."))
        .subject(at)
}

/// The error for an output not declared `ephemeral = true` whose value is ephemeral.
pub fn refuse_in_output(declared: bool, e: &Expr, v: &Value) -> Option<Diagnostic> {
    (!declared && v.contains_ephemeral()).then(|| {
        Diagnostic::error("Ephemeral value not allowed")
            .detail("This output value is not declared as returning an ephemeral value, so it cannot be set to a result derived from an ephemeral value.")
            .subject(e.span())
    })
}

/// The error for a module call argument holding an ephemeral value for a variable not
/// declared `ephemeral = true`. (Terraform's text says "accepting a ephemeral values".)
pub fn refuse_in_input(declared: bool, e: &Expr, v: &Value) -> Option<Diagnostic> {
    (!declared && v.contains_ephemeral()).then(|| {
        Diagnostic::error("Ephemeral value not allowed")
            .detail("This input variable is not declared as accepting ephemeral values, so it cannot be set to a result derived from an ephemeral value.")
            .subject(e.span())
    })
}

/// The error for a `count` or `for_each` (`which`) derived from an ephemeral value: the
/// instances it makes are stored, so the next run could not reproduce them.
pub fn refuse_repetition(which: &str, e: &Expr, v: &Value) -> Option<Diagnostic> {
    if !v.contains_ephemeral() {
        return None;
    }
    let (summary, detail) = if which == "count" {
        ("Invalid count argument", "The given \"count\" is derived from an ephemeral value, which means that hubctl cannot persist it between plan/apply rounds. Use only non-ephemeral values to specify the number of resource instances.")
    } else {
        ("Invalid for_each argument", "The given \"for_each\" value is derived from an ephemeral value, which means that hubctl cannot persist it between plan/apply rounds. Use only non-ephemeral values to specify a resource's instance keys.")
    };
    Some(Diagnostic::error(summary).detail(detail).subject(e.span()))
}

/// Which kind of condition an error message explains: Terraform words them differently.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// A variable's `validation` rule.
    Validation,
    /// A `check` block's assertion or an output's `precondition`.
    Check,
}

/// What a failed condition shows of its evaluated error message `msg` (written at `at`):
/// the text; for a sensitive message, a sentence saying it is not shown; for one derived
/// from an ephemeral value, such a sentence too and the diagnostic that says why (an error
/// for a validation, a warning for a check, as in Terraform), so the value is neither shown
/// nor kept with the check results.
pub fn error_message(msg: &Value, at: Span, kind: Condition) -> (String, Option<Diagnostic>) {
    const SUMMARY: &str = "Error message refers to ephemeral values";
    const SENSITIVE: &str =
        "The error message included a sensitive value, so it will not be displayed.";
    let (inner, marks) = msg.peel_marked();
    if msg.contains_ephemeral() {
        return match kind {
            Condition::Validation => (
                SENSITIVE.into(),
                Some(Diagnostic::error(SUMMARY).detail("The error expression used to explain this condition refers to ephemeral values. hubctl will not display the resulting message.\n\nYou can correct this by removing references to ephemeral values, or by carefully using the ephemeralasnull() function if the expression will not reveal the ephemeral data.").subject(at)),
            ),
            Condition::Check => (
                "This check failed, but has an invalid error message as described in the other accompanying messages.".into(),
                Some(Diagnostic::warning(SUMMARY).detail("The error expression used to explain this condition refers to ephemeral values, so hubctl will not display the resulting message.\n\nYou can correct this by removing references to ephemeral values, or by using the ephemeralasnull() function on the references to not reveal ephemeral data.").subject(at)),
            ),
        };
    }
    let text = match inner {
        _ if marks.sensitive => SENSITIVE.into(),
        Value::String(s) => s.clone(),
        _ => "(error message could not be evaluated)".into(),
    };
    (text, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_pass_and_ephemeral_ones_are_refused() {
        let plain = Value::object([("a", Value::from("x"))]);
        let marked = Value::object([("a", Value::from("x").ephemeral())]);
        assert!(refuse_stored(&Body::default(), &marked).0.is_empty());
        let e = Expr {
            file: crate::diag::FileId(0),
            expr: crate::lang::ir::lower(&hcl_edit::expr::Expression::from("x")),
        };
        assert!(refuse_in_output(false, &e, &plain).is_none());
        assert!(refuse_in_output(true, &e, &marked).is_none());
        assert!(refuse_in_output(false, &e, &marked).is_some());
        assert!(refuse_in_input(false, &e, &marked).is_some());
        assert!(refuse_repetition("count", &e, &Value::int(1).ephemeral()).is_some());
        assert!(refuse_repetition("for_each", &e, &plain).is_none());
    }

    #[test]
    fn error_messages_hide_marked_values() {
        let at = Span::new(crate::diag::FileId(0), 0..1);
        let shown = error_message(&Value::from("bad"), at, Condition::Check);
        assert_eq!(shown, ("bad".to_string(), None));
        let (text, d) = error_message(&Value::from("pw").sensitive(), at, Condition::Check);
        assert!(text.contains("sensitive value") && d.is_none());
        let secret = Value::from("tok").ephemeral();
        let (text, d) = error_message(&secret, at, Condition::Check);
        assert!(!text.contains("tok"));
        assert_eq!(d.map(|d| d.severity), Some(crate::diag::Severity::Warning));
        let (text, d) = error_message(&secret, at, Condition::Validation);
        assert!(!text.contains("tok"));
        assert_eq!(d.map(|d| d.severity), Some(crate::diag::Severity::Error));
    }
}
