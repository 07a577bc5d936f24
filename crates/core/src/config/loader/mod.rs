//! Reads a directory of `*.tf` files into a [`Module`] tree, as Terraform does: every `*.tf`
//! file of one directory (sorted by name) forms one module, and `module` blocks with local
//! sources load their children recursively. All problems found are reported together.

mod blocks;
mod cx;
mod decode;
#[cfg(test)]
mod hostile_tests;
mod pieces;
#[cfg(test)]
mod pieces_tests;
mod read;
mod remote;
mod resource;
mod terraform_block;
#[cfg(test)]
mod tests;

use super::{Config, Module, ModuleCall};
use crate::diag::{Diagnostic, Diagnostics, FileId, SourceMap, Span};
use crate::sources::manifest::{Manifest, HUBCTL_MANIFEST};
use crate::sources::Source;
use cx::Cx;
use hcl_edit::structure::Body;
pub(crate) use read::read_source;
pub use read::MAX_FILE_BYTES;
pub use remote::Pending;
use std::path::{Component, Path, PathBuf};

/// Loads the module in `dir` and all child modules: local ones from their paths, remote ones
/// from the directories the module manifest records (see [`crate::sources::manifest`]), so
/// no command but `init` touches the network. Syntax errors are reported one per file (the
/// parser stops at the first), and loading goes on with the other files.
pub fn load(dir: &Path) -> (Config, Diagnostics) {
    load_in(Path::new(""), dir)
}

/// [`load`] with relative paths resolved against `base` (the `-chdir` directory) instead of
/// the process's working directory. Module directories and file names stay as written
/// (relative to `base`): they are what `path.module` and diagnostics show.
pub fn load_in(base: &Path, dir: &Path) -> (Config, Diagnostics) {
    let mut loader = Loader::new(base, dir);
    match Manifest::read(&base.join(dir)) {
        Ok(found) => loader.manifest = found,
        Err(e) => loader.manifest_error = Some(e),
    }
    loader.finish(dir)
}

/// For `init`: loads with `manifest` and, instead of reporting remote modules that are
/// missing or no longer match it, returns them to be installed.
pub fn load_for_init(
    base: &Path,
    dir: &Path,
    manifest: &Manifest,
) -> (Config, Diagnostics, Vec<Pending>) {
    let mut loader = Loader::new(base, dir);
    loader.manifest = Some((manifest.clone(), PathBuf::from(HUBCTL_MANIFEST)));
    loader.pending = Some(Vec::new());
    let root = loader.module(dir, Vec::new(), None);
    let pending = loader.pending.take().unwrap_or_default();
    let config = Config {
        root,
        sources: loader.sources,
        incomplete: loader.incomplete,
    };
    (config, loader.diags, pending)
}

struct Loader {
    /// What relative paths are resolved against on the filesystem.
    base: PathBuf,
    /// The root module's directory (relative to `base`): manifest directories are under it.
    root: PathBuf,
    /// The module manifest and the file it came from, if there is one.
    manifest: Option<(Manifest, PathBuf)>,
    /// Why the manifest could not be read; reported at the first remote module.
    manifest_error: Option<String>,
    /// In `init`'s mode, the remote modules to install instead of errors.
    pending: Option<Vec<Pending>>,
    sources: SourceMap,
    diags: Diagnostics,
    /// Canonical directories of the modules being loaded, to catch module cycles.
    stack: Vec<PathBuf>,
    /// Set when a file or module could not be read (see `Config::incomplete`).
    incomplete: bool,
}

/// Terraform's rule: a module with its own (non-empty) provider blocks cannot be called
/// with `count`, `for_each` or `depends_on`; its instances could not share one
/// configuration, nor be destroyed after the call is gone.
fn legacy_provider_check(diags: &mut Diagnostics, call: &ModuleCall, child: &Module) {
    let own = child
        .providers
        .iter()
        .any(|p| !p.body.attributes.is_empty() || !p.body.blocks.is_empty());
    let meta = call
        .count
        .iter()
        .chain(call.for_each.iter())
        .chain(call.depends_on.iter())
        .next();
    let (true, Some(meta)) = (own, meta) else {
        return;
    };
    diags.push(
        Diagnostic::error("Module is incompatible with count, for_each, and depends_on")
            .detail(format!(
                "The module at {} is a legacy module which contains its own local provider configurations, and so calls to it may not use the count, for_each, or depends_on arguments.\n\nIf you also control the module \"{}\", consider updating this module to instead expect provider configurations to be passed by its caller.",
                crate::addr::module_prefix(&child.path).trim_end_matches('.'),
                call.source
            ))
            .subject(meta.span()),
    );
}

impl Loader {
    fn new(base: &Path, dir: &Path) -> Loader {
        Loader {
            base: base.to_path_buf(),
            root: dir.to_path_buf(),
            manifest: None,
            manifest_error: None,
            pending: None,
            sources: SourceMap::new(),
            diags: Diagnostics::new(),
            stack: Vec::new(),
            incomplete: false,
        }
    }

    fn finish(mut self, dir: &Path) -> (Config, Diagnostics) {
        let root = self.module(dir, Vec::new(), None);
        let config = Config {
            root,
            sources: self.sources,
            incomplete: self.incomplete,
        };
        (config, self.diags)
    }

    /// `caller` is the `source` span of the module call that led here (none for the root).
    fn module(&mut self, dir: &Path, path: Vec<String>, caller: Option<Span>) -> Module {
        let mut module = Module {
            dir: dir.to_path_buf(),
            path,
            ..Module::default()
        };
        let Some(files) = self.files_of(dir, caller) else {
            return module;
        };
        // One file at a time, and a large file one piece at a time (`pieces`), each syntax
        // tree lowered and dropped as it is decoded, so the peak is one piece's tree.
        for f in &files {
            let read = read::read_source(&mut self.sources, &self.base.join(f), f, None);
            let file = match read {
                Ok(file) => file,
                Err(d) => {
                    self.incomplete = true;
                    self.diags.push(d);
                    continue;
                }
            };
            let text = self.sources.file(file).text.clone();
            // A file with a syntax error contributes only that error, as when parsed whole.
            let mut decoded = Diagnostics::new();
            let mut cx = Cx {
                file,
                text: &text,
                diags: &mut decoded,
            };
            let each = |body| decode::decode_file(&mut cx, body, &mut module);
            match pieces::for_each(&text, pieces::PIECE_BYTES, each) {
                Ok(()) => self.diags.extend(decoded),
                Err(e) => {
                    self.incomplete = true;
                    self.diags.push(syntax_error(&text, file, &e));
                }
            }
        }
        let on_disk = self.base.join(dir);
        self.stack.push(on_disk.canonicalize().unwrap_or(on_disk));
        let calls: Vec<ModuleCall> = module.module_calls.values().cloned().collect();
        for call in calls {
            let (name, source, span) = (call.name.clone(), call.source.clone(), call.source_span);
            let child_dir = match &call.source_addr {
                None => continue,
                Some(Source::Local(_)) => normalize(&dir.join(&source)),
                Some(_) => match self.installed_dir(&module.path, &call) {
                    Some(d) => d,
                    None => continue,
                },
            };
            if !self.child_loadable(&name, &source, &child_dir, span) {
                continue;
            }
            let mut child_path = module.path.clone();
            child_path.push(name.clone());
            let child = self.module(&child_dir, child_path, Some(span));
            legacy_provider_check(&mut self.diags, &module.module_calls[&name], &child);
            module.children.insert(name, child);
        }
        self.stack.pop();
        module
    }

    /// The module's `.tf` files; none, or an unreadable directory, is an error at `caller`.
    fn files_of(&mut self, dir: &Path, caller: Option<Span>) -> Option<Vec<PathBuf>> {
        let d = match tf_files(&self.base, dir) {
            Ok(files) if !files.is_empty() => return Some(files),
            Ok(_) => Diagnostic::error("No configuration files").detail(format!(
                "The directory {} contains no .tf files, so there is no module to load.",
                dir.display()
            )),
            Err(e) => Diagnostic::error("Cannot read configuration directory")
                .detail(format!("Reading {} failed: {e}.", dir.display())),
        };
        self.incomplete = true;
        self.diags.push(d.subject_opt(caller));
        None
    }

    /// Whether module `name`'s local source is a directory that is not already being loaded
    /// (a module cannot contain itself); else an error at the `source` argument.
    fn child_loadable(&mut self, name: &str, source: &str, child_dir: &Path, span: Span) -> bool {
        let child_on_disk = self.base.join(child_dir);
        let why = match std::fs::metadata(&child_on_disk) {
            Ok(m) if m.is_dir() => None,
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Some(format!(
                "The module \"{name}\" has source \"{source}\", which resolves to {}, but \
                 it cannot be read: {e}.",
                child_dir.display()
            )),
            _ => Some(format!(
                "The module \"{name}\" has source \"{source}\", which resolves to {}, but \
                 no such directory exists.",
                child_dir.display()
            )),
        };
        if let Some(why) = why {
            self.incomplete = true;
            self.diags.push(
                Diagnostic::error("Module source not found")
                    .detail(why)
                    .subject(span),
            );
            return false;
        }
        let canonical = child_on_disk.canonicalize().unwrap_or(child_on_disk);
        if !self.stack.contains(&canonical) {
            return true;
        }
        self.incomplete = true;
        let chain = self
            .stack
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(" → ");
        self.diags.push(
            Diagnostic::error("Module cycle")
                .detail(format!(
                    "The module \"{name}\" loads {}, which is already being loaded: \
                     {chain} → {}. A module cannot contain itself.",
                    child_dir.display(),
                    canonical.display()
                ))
                .subject(span),
        );
        false
    }
}

/// Parses a file already in `sources`; a syntax error becomes one diagnostic at its
/// position (the parser stops at the first). Shared with the Terragrunt layer (`live`).
pub(crate) fn parse_source(sources: &SourceMap, file: FileId) -> Result<Body, Diagnostic> {
    let text = &sources.file(file).text;
    hcl_edit::parser::parse_body(text).map_err(|e| syntax_error(text, file, &e))
}

/// The diagnostic of a parser error in `text`: at its position, an invalid character named.
fn syntax_error(text: &str, file: FileId, e: &hcl_edit::parser::Error) -> Diagnostic {
    let mut start = e.location().offset().min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    if let Some(d) = read::invalid_character(text, start, file) {
        return d;
    }
    let end = text[start..]
        .char_indices()
        .nth(1)
        .map_or(text.len(), |(i, _)| start + i);
    let summary = if e.message().contains("redefined attribute") {
        "Duplicate argument"
    } else {
        "Syntax error"
    };
    let detail = if summary == "Duplicate argument" {
        "An argument may be set only once in a block; this one is set again here.".to_string()
    } else {
        let mut m = e.message().to_string();
        if let Some(first) = m.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        format!("{m}.")
    };
    Diagnostic::error(summary)
        .detail(detail)
        .subject(Span::new(file, start..end))
}

/// The schema-less model of a parsed body (attributes and blocks with spans), for callers
/// outside the loader that decode their own vocabulary (`live`'s unit files).
pub(crate) fn model_body(file: FileId, body: &Body) -> crate::config::Body {
    let mut diags = Diagnostics::new();
    let cx = Cx {
        file,
        text: "",
        diags: &mut diags,
    };
    cx.body(body)
}

/// The `*.tf` files directly in `dir`, sorted by name; named as Go's `filepath.Join` names
/// them (`main.tf`, not `./main.tf`), which is how Terraform's diagnostics show them.
fn tf_files(base: &Path, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(base.join(dir))? {
        let entry = entry?;
        let path = entry.path();
        // A `.tf` entry that cannot be examined (a symlink loop, a dangling link) is kept,
        // so reading it reports why instead of the file being skipped without a word.
        let readable_dir = std::fs::metadata(&path).is_ok_and(|m| m.is_dir());
        if !readable_dir && path.extension().is_some_and(|e| e == "tf") {
            files.push(normalize(&dir.join(entry.file_name())));
        }
    }
    files.sort();
    Ok(files)
}

/// Removes `.` and resolves `..` lexically, so child module dirs read like `modules/vpc`.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let last = out.components().next_back();
                match last {
                    Some(Component::Normal(_)) => {
                        out.pop();
                    }
                    Some(Component::RootDir | Component::Prefix(_)) => {}
                    _ => out.push(".."),
                }
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}
