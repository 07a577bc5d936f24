//! Configuration: every `*.tf` file of a directory forms one module (as in Terraform);
//! `module` blocks with local `source` paths load child modules recursively. Each file is
//! parsed with `hcl-edit` and its expressions lowered to the compact [IR](crate::lang::ir)
//! (byte spans, tagged with their file, so every later error can point at file:line:column);
//! the lossless tree is dropped once the file is decoded.

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
