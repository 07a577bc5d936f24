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

/// The source text of a bare identifier expression (`iterator = it`, `provider = aws.west`).
pub(crate) fn diag_text_of(e: &config::Expr) -> String {
    use hcl_edit::expr::Expression;
    match &e.expr {
        Expression::Variable(v) => v.as_str().to_string(),
        Expression::String(s) => s.as_str().to_string(),
        other => other.to_string().trim().to_string(),
    }
}
