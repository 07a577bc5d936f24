//! Evaluates `hcl-edit` expressions to [`Value`]s. Placeholder: filled by the evaluator work.

use crate::diag::{Diagnostic, Diagnostics, FileId, Span};
use crate::lang::Value;
use hcl_edit::expr::Expression;
use std::path::Path;

/// Answers references (`var.x`, `aws_vpc.this.id`, `module.vpc.vpc_id`, `count.index`, ...).
///
/// The evaluator hands over the root name and the leading static attribute names of a
/// traversal; the resolver returns the value and how many of those names it consumed (so
/// `terraform_data.a.output` resolves to the resource `terraform_data.a`, consuming 1, and
/// the evaluator applies `.output`). This keeps lookups O(1) however many resources exist.
pub trait Resolver: Sync {
    fn resolve(&self, root: &str, attrs: &[&str], span: Span)
        -> Result<(Value, usize), Diagnostic>;
}

/// What an evaluation needs besides the expression.
pub struct EvalContext<'a> {
    /// The file the expression was parsed from (spans are byte ranges in it).
    pub file: FileId,
    pub resolver: &'a dyn Resolver,
    /// Directory that relative paths in `file()`, `templatefile()` ... are resolved against
    /// (Terraform resolves them against the working directory; users write `${path.module}/x`).
    pub base_dir: &'a Path,
}

/// Evaluates an expression; never panics, errors come back as diagnostics with spans.
pub fn eval(expr: &Expression, ctx: &EvalContext) -> (Value, Diagnostics) {
    let _ = (expr, ctx);
    (
        Value::Null,
        Diagnostics::from(Diagnostic::error("evaluator not implemented")),
    )
}
