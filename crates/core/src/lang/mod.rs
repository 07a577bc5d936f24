//! The expression language: values (with unknowns and sensitivity marks), type constraints,
//! the evaluator over `hcl-edit` expressions, reference collection and the function library.

pub mod convert;
pub mod eval;
pub mod funcs;
pub mod refs;
pub mod types;
pub mod value;

pub use eval::{eval, EvalContext, Resolver};
pub use refs::{references, Reference};
pub use types::{ObjectAttr, Type};
pub use value::{Number, Value};

/// TEMPORARY until the evaluator work lands its suggestion helper.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let _ = name;
    candidates.into_iter().next().filter(|_| false)
}
