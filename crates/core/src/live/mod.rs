//! live/: the Terragrunt layer. Reads `terragrunt.hcl` unit files (and whatever `include`
//! finds, `root.hcl` usually) with Terragrunt's vocabulary and meaning: `include` with
//! `no_merge`/`shallow`/`deep` merges, `locals`, `inputs`, `terraform`, `remote_state`,
//! `generate`, `dependency`, `dependencies`, `prevent_destroy`, `skip`, and Terragrunt's
//! functions beside every Terraform one. What hubctl does not implement is refused at its
//! location, never ignored; `run_cmd` and hooks are refused because they run commands.
//!
//! Evaluation follows Terragrunt's order for one file: `include` blocks (functions only),
//! the included files (parsed as seen from this unit), `locals`, `dependency` blocks, then
//! everything else; the included configurations are then merged under the file's own.
//! This module depends on no AWS crate: `get_aws_account_id` and its siblings say so.

mod blocks;
mod decode;
mod funcs;
mod identity;
#[cfg(test)]
mod inputs_tests;
mod merge;
mod model;
mod overlay;
mod plan_time;
mod render;
mod scope;
mod source;
mod spokes;
#[cfg(test)]
mod spokes_tests;
mod stack;
#[cfg(test)]
mod tests;
mod workdir;
#[cfg(test)]
mod workdir_tests;

pub use identity::{set_identity, AwsIdentity, CallerIdentity};
pub use model::*;
pub use overlay::overlay_merge;
pub use plan_time::plan_time_variables;
pub use render::{render_json, render_text, to_value};
pub use source::{remote_source, SOURCE_KEY};
pub use spokes::{check_repo_spokes, check_spokes};
pub use stack::{discover, units_under, QueueFilter, Stack};
pub use workdir::{
    backend_hcl, generated_files, module_dir, module_package, write_generated, GeneratedFile,
};

use crate::config::Body;
use crate::diag::{Diagnostic, Diagnostics, FileId, SourceMap, Span};
use crate::lang::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The file name of a unit.
pub const UNIT_FILE: &str = "terragrunt.hcl";

/// Where dependency outputs come from: a run-all answers from each unit's state (or with
/// unknowns for a unit never applied); `render` has no state and answers `None`.
pub trait DependencyOutputs: Sync {
    fn outputs(&self, unit: &Path) -> Option<Value>;
}

/// No outputs anywhere: dependencies use their mocks, else unknown values.
pub struct NoOutputs;

impl DependencyOutputs for NoOutputs {
    fn outputs(&self, _: &Path) -> Option<Value> {
        None
    }
}

pub struct Options<'a> {
    /// The Terraform command being run (`plan`, `apply`, `render`): mock outputs are used
    /// only for the commands a dependency allows (`render` uses them whenever present, as
    /// Terragrunt's render does when outputs cannot be read).
    pub command: &'a str,
    pub outputs: &'a dyn DependencyOutputs,
    /// Whether `mock_outputs` may stand in for outputs not available or not known yet. A
    /// run over a whole tree passes false (a dependency not applied yet has unknown
    /// outputs), and true only to read again the inputs a plan must know (`count` over a
    /// dependency output); such a plan is never applied.
    pub mocks: bool,
    /// Paths in diagnostics are shown relative to this directory when under it.
    pub base: &'a Path,
}

/// Reads unit files, caching each parsed file; diagnostics collect here until `finish`.
/// Interior mutability because evaluation (`read_terragrunt_config`) parses files from inside
/// a function call, where only `&self` is at hand.
pub struct Loader<'a> {
    opts: Options<'a>,
    st: Mutex<State>,
}

#[derive(Default)]
struct State {
    sources: SourceMap,
    files: HashMap<PathBuf, Option<(FileId, Arc<Body>)>>,
    units: HashMap<PathBuf, Option<Arc<UnitConfig>>>,
    diags: Diagnostics,
}

/// What Terragrunt calls the parsing context: which unit is being read and through which
/// include, which decides what `get_terragrunt_dir()` and `path_relative_to_include()` say.
#[derive(Debug, Clone)]
pub(crate) struct Cx {
    /// The configuration being evaluated: the unit, or a `read_terragrunt_config` target.
    pub config_path: PathBuf,
    /// The unit first asked for (`get_original_terragrunt_dir()`).
    pub original_path: PathBuf,
    /// The include blocks of the file being read (its own).
    pub includes: Vec<Include>,
    /// When reading an included file: the include block of the child that led here.
    pub from_child: Option<Include>,
    /// Nesting of `read_terragrunt_config`, to stop a file reading itself forever.
    pub depth: usize,
}

impl<'a> Loader<'a> {
    pub fn new(opts: Options<'a>) -> Self {
        Loader {
            opts,
            st: Mutex::new(State::default()),
        }
    }

    /// The configuration of the unit in `dir` (a directory holding `terragrunt.hcl`, or the
    /// file itself); `None` after errors, which are in the diagnostics.
    pub fn unit(&self, dir: &Path) -> Option<Arc<UnitConfig>> {
        let path = unit_file(&absolute(dir));
        if let Some(done) = self.lock().units.get(&path) {
            return done.clone();
        }
        let cx = Cx {
            config_path: path.clone(),
            original_path: path.clone(),
            includes: Vec::new(),
            from_child: None,
            depth: 0,
        };
        let unit = decode::parse_config(self, &path, &cx, None).map(Arc::new);
        self.lock().units.insert(path, unit.clone());
        unit
    }

    /// The files read and every diagnostic so far.
    pub fn finish(self) -> (SourceMap, Diagnostics) {
        let st = self.st.into_inner().unwrap_or_else(|e| e.into_inner());
        (st.sources, st.diags)
    }

    pub fn has_errors(&self) -> bool {
        self.lock().diags.has_errors()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.st.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn push(&self, d: Diagnostic) {
        self.lock().diags.push(d);
    }

    pub(crate) fn extend(&self, d: Diagnostics) {
        self.lock().diags.extend(d);
    }

    pub(crate) fn options(&self) -> &Options<'a> {
        &self.opts
    }

    /// Reads and parses `path` once; a missing file is reported at `subject` (the include
    /// or dependency that named it).
    pub(crate) fn body(&self, path: &Path, subject: Option<Span>) -> Option<(FileId, Arc<Body>)> {
        if let Some(done) = self.lock().files.get(path) {
            return done.clone();
        }
        let shown = path.strip_prefix(self.opts.base).unwrap_or(path);
        let parsed = {
            let mut st = self.lock();
            let read = crate::config::read_source(&mut st.sources, path, shown, subject);
            match read.and_then(|file| Ok((file, crate::config::parse_source(&st.sources, file)?)))
            {
                Ok((file, body)) => Some((file, Arc::new(crate::config::model_body(file, &body)))),
                Err(d) => {
                    st.diags.push(d);
                    None
                }
            }
        };
        self.lock().files.insert(path.to_path_buf(), parsed.clone());
        parsed
    }
}

/// `dir/terragrunt.hcl` for a directory, the path itself for a file.
pub fn unit_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join(UNIT_FILE)
    } else {
        path.to_path_buf()
    }
}

/// An absolute, lexically normalised path (no `.` or `..`), as Terragrunt's paths are.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    crate::config::normalize_path(&joined)
}

/// `path` relative to `base` with `..` where needed (Go's `filepath.Rel`, slashes), both
/// absolute and normalised; "." when equal.
pub fn relative(path: &Path, base: &Path) -> String {
    let p: Vec<_> = path.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(
        p[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}
