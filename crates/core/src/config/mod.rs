//! Configuration: every `*.tf` file of a directory forms one module (as in Terraform);
//! `module` blocks with local `source` paths load child modules recursively. Expressions stay
//! `hcl-edit` trees with byte spans, tagged with their file, so every later error can point
//! at file:line:column.

pub mod fmt;
mod loader;
mod model;
#[cfg(test)]
mod parsediff_tests;
pub mod triggers;
#[cfg(test)]
mod vardiff_tests;
pub mod vars;

pub use loader::{load, load_for_init, load_in, Pending, MAX_FILE_BYTES};
pub(crate) use loader::{model_body, normalize as normalize_path, parse_source, read_source};
pub use model::*;
