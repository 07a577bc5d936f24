//! Collects the references an expression makes; the graph builder turns them into edges.

use hcl_edit::expr::Expression;
use std::ops::Range;

/// A reference: the root name and the leading static attribute names of a traversal
/// (`module.vpc.vpc_id` → root `module`, attrs `[vpc, vpc_id]`), with its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub root: String,
    pub attrs: Vec<String>,
    pub range: Range<usize>,
}

/// All references in `expr`, in source order, excluding names bound by `for` expressions.
pub fn references(expr: &Expression) -> Vec<Reference> {
    let _ = expr;
    Vec::new()
}
