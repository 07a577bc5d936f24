//! hubctl's engine: configuration → values → graph → plan → apply → state. It depends on no
//! network SDK, so its tests build and run in seconds; providers live in their own crates.

pub mod addr;
pub mod apply;
pub mod config;
pub mod diag;
pub mod graph;
pub mod lang;
pub mod live;
pub mod plan;
pub mod provider;
pub mod sources;
pub mod state;
pub mod walk;

#[cfg(test)]
mod end_to_end;
#[cfg(test)]
mod layering_tests;

/// The text of a bare identifier expression (`iterator = it`, `provider = aws.west`): the
/// name, a string's value, or the dotted names of an attribute traversal; empty for any
/// other expression (which names nothing).
pub(crate) fn diag_text_of(e: &config::Expr) -> String {
    use lang::ir::{Kind, OpKind};
    match &e.expr.kind {
        Kind::Variable(v) => v.as_str().to_string(),
        Kind::String(s) => s.to_string(),
        Kind::Traversal(t) => {
            let Kind::Variable(root) = &t.root.kind else {
                return String::new();
            };
            let mut out = root.as_str().to_string();
            for op in t.ops.iter() {
                let OpKind::GetAttr(name) = &op.kind else {
                    return String::new();
                };
                out.push('.');
                out.push_str(name.as_str());
            }
            out
        }
        _ => String::new(),
    }
}
