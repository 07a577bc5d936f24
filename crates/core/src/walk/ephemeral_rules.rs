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
            expr: hcl_edit::expr::Expression::from("x"),
        };
        assert!(refuse_in_output(false, &e, &plain).is_none());
        assert!(refuse_in_output(true, &e, &marked).is_none());
        assert!(refuse_in_output(false, &e, &marked).is_some());
        assert!(refuse_in_input(false, &e, &marked).is_some());
        assert!(refuse_repetition("count", &e, &Value::int(1).ephemeral()).is_some());
        assert!(refuse_repetition("for_each", &e, &plain).is_none());
    }
}
