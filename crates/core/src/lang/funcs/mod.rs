//! The function library. Placeholder: filled by the functions work.

use crate::lang::Value;
use std::path::Path;

/// Why a function call failed; the evaluator turns it into a diagnostic on the call.
#[derive(Debug, Clone, PartialEq)]
pub enum FuncError {
    UnknownFunction,
    /// Wrong number of arguments: `expected` is a human phrase ("2", "at least 1").
    Arity {
        expected: String,
        got: usize,
    },
    /// A specific argument (0-based) is invalid.
    Arg {
        index: usize,
        message: String,
    },
    Other(String),
}

/// What functions may need from their surroundings.
pub struct FuncContext<'a> {
    pub base_dir: &'a Path,
}

/// Calls function `name`. Unknown arguments give an unknown result unless the function
/// handles them; sensitive arguments give a sensitive result.
pub fn call(name: &str, args: Vec<Value>, ctx: &FuncContext) -> Result<Value, FuncError> {
    let _ = (name, args, ctx);
    Err(FuncError::UnknownFunction)
}

/// Names of all functions (for "did you mean" hints).
pub fn names() -> &'static [&'static str] {
    &[]
}
