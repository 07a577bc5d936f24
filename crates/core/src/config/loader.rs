//! Reads a directory of `*.tf` files into a [`Module`] tree. Placeholder: filled by the
//! loader work.

use super::{Config, Module};
use crate::diag::{Diagnostics, SourceMap};
use std::path::Path;

/// Loads the module in `dir` and all local child modules. Syntax errors are reported one per
/// file (the parser stops at the first), and loading goes on with the other files.
pub fn load(dir: &Path) -> (Config, Diagnostics) {
    let _ = dir;
    (
        Config {
            root: Module::default(),
            sources: SourceMap::new(),
        },
        Diagnostics::new(),
    )
}
