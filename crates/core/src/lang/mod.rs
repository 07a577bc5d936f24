//! The expression language: values (with unknowns and sensitivity marks), type constraints,
//! the expression IR and its evaluator, reference collection and the function library.

pub mod convert;
pub mod eval;
pub mod funcs;
pub mod ir;
mod marks;
pub mod number;
pub mod refs;
pub mod suggest;
pub mod types;
pub mod value;
mod value_json;
pub mod vecmap;

pub use eval::{eval, eval_template_str, EvalContext, MapResolver, Resolver};
pub use marks::Marks;
pub use refs::{references, Reference};
pub use suggest::did_you_mean;
pub use types::{ObjectAttr, Type};
pub use value::{Number, Value};
pub use vecmap::VecMap;
