//! A unit's working copy: where its module runs, with the files its `generate` blocks and
//! `remote_state { generate }` produce. Generated files go into the working copy, never
//! into the module's own folder; `if_exists` is honoured as Terragrunt documents it.

use super::model::*;
use crate::diag::Diagnostic;
use crate::lang::Value;
use std::path::{Path, PathBuf};

/// One file to generate: its path in the working copy, its text and `if_exists`.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedFile {
    pub path: String,
    pub text: String,
    pub if_exists: String,
}

/// The module directory a unit runs: `terraform { source }` with a local path, `//`
/// separating the package from the module inside it; the unit's folder without a source.
pub fn module_dir(u: &UnitConfig) -> Result<PathBuf, Diagnostic> {
    let (package, sub) = module_package(u)?;
    Ok(sub.map_or(package.clone(), |s| package.join(s)))
}

/// The package a unit's source names and the module's folder inside it (after `//`). As in
/// Terragrunt, the whole package is what a working copy holds, so that a module's `../x`
/// sources find their siblings.
pub fn module_package(u: &UnitConfig) -> Result<(PathBuf, Option<String>), Diagnostic> {
    let unit_dir = u.path.parent().unwrap_or(Path::new("/"));
    let Some(t) = u.terraform.as_ref().filter(|t| t.source.is_some()) else {
        return Ok((unit_dir.to_path_buf(), None));
    };
    let source = t.source.as_deref().unwrap_or_default();
    let package = match t.source_subdir() {
        Some(sub) => &source[..source.len() - sub.len() - 2],
        None => source,
    };
    if !super::source::is_local(package) {
        return super::source::installed(u, t);
    }
    let root = super::absolute(&unit_dir.join(package));
    let sub = t.source_subdir().map(str::to_string);
    let dir = sub.as_ref().map_or(root.clone(), |s| root.join(s));
    if !dir.is_dir() {
        return Err(Diagnostic::error("Module source not found")
            .detail(format!(
                "The source \"{source}\" names {}, which is not a directory.",
                dir.display()
            ))
            .subject_opt(t.source_span));
    }
    Ok((root, sub))
}

/// The files a unit generates, `generate` blocks by name then the backend file; disabled
/// blocks are left out.
pub fn generated_files(u: &UnitConfig) -> Vec<GeneratedFile> {
    let mut out: Vec<GeneratedFile> = u
        .generate
        .values()
        .filter(|g| !g.disable)
        .map(|g| GeneratedFile {
            path: g.path.clone(),
            text: g.file_text(),
            if_exists: g.if_exists.clone(),
        })
        .collect();
    if let Some(rs) = &u.remote_state {
        if let Some((path, if_exists)) = &rs.generate {
            let text = format!("# {SIGNATURE}\n{}", backend_hcl(rs));
            out.push(GeneratedFile {
                path: path.clone(),
                text,
                if_exists: if_exists.clone(),
            });
        }
    }
    out
}

/// `terraform { backend "<kind>" { ... } }` for a `remote_state`, arguments sorted by name.
pub fn backend_hcl(rs: &RemoteState) -> String {
    let mut body = String::new();
    if let Some(m) = rs.config.as_map() {
        let width = m.keys().map(String::len).max().unwrap_or(0);
        for (k, v) in m.iter() {
            body.push_str(&format!("    {k:width$} = {}\n", literal(v)));
        }
    }
    format!(
        "terraform {{\n  backend \"{}\" {{\n{body}  }}\n}}\n",
        rs.backend
    )
}

/// A value as an HCL literal (strings quoted with `${` and `%{` escaped).
fn literal(v: &Value) -> String {
    match v.peel() {
        Value::String(s) => {
            let quoted = serde_json::Value::String(s.clone()).to_string();
            quoted.replace("${", "$${").replace("%{", "%%{")
        }
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            format!(
                "[{}]",
                xs.iter().map(literal).collect::<Vec<_>>().join(", ")
            )
        }
        Value::Map(m) | Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, x)| format!("{} = {}", literal(&Value::from(k.clone())), literal(x)))
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
        Value::Unknown(_) | Value::Null => "null".into(),
        other => other.to_json().to_string(),
    }
}

/// Writes the files into `dir` by their `if_exists`: `overwrite`; `overwrite_terragrunt`
/// (only a file that carries the signature, i.e. one generated before); `skip`; `error`.
/// Returns the files written.
pub fn write_generated(dir: &Path, files: &[GeneratedFile]) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut written = Vec::new();
    for f in files {
        let path = dir.join(&f.path);
        let fail = |what: String| Diagnostic::error("Cannot generate file").detail(what);
        if path.exists() {
            let ours = std::fs::read_to_string(&path)
                .is_ok_and(|t| t.lines().take(1).any(|l| l.contains(SIGNATURE)));
            match f.if_exists.as_str() {
                "skip" => continue,
                "error" => return Err(fail(format!("{} exists and if_exists is \"error\".", path.display()))),
                "overwrite_terragrunt" if !ours => {
                    return Err(fail(format!(
                        "{} exists and was not generated (no signature line); if_exists = \"overwrite_terragrunt\" overwrites only generated files.",
                        path.display()
                    )))
                }
                _ => {}
            }
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| fail(format!("{}: {e}", parent.display())))?;
        }
        std::fs::write(&path, &f.text).map_err(|e| fail(format!("{}: {e}", path.display())))?;
        written.push(path);
    }
    Ok(written)
}
