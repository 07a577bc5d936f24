//! Digests of files' contents (`filesha256` and friends: the string hashes applied to a
//! file's bytes, which need not be UTF-8) and `fileset`.

use super::args;
use super::filesystem::clean;
use super::{Arity, FuncContext, FuncError, Prim, Ret, Spec};
use crate::lang::Value;
use base64::Engine;
use md5::Md5;
use sha2::{Digest, Sha256, Sha512};
use std::path::Path;

type R = Result<Value, FuncError>;

pub(super) const SPECS: &[Spec] = &[
    Spec::new(
        "filebase64sha256",
        Arity::Exact(1),
        Ret::String,
        filebase64sha256,
    ),
    Spec::new(
        "filebase64sha512",
        Arity::Exact(1),
        Ret::String,
        filebase64sha512,
    ),
    Spec::new("filemd5", Arity::Exact(1), Ret::String, filemd5),
    Spec::new(
        "fileset",
        Arity::Exact(2),
        Ret::ListOf(Prim::String),
        fileset,
    ),
    Spec::new("filesha1", Arity::Exact(1), Ret::String, filesha1),
    Spec::new("filesha256", Arity::Exact(1), Ret::String, filesha256),
    Spec::new("filesha512", Arity::Exact(1), Ret::String, filesha512),
];

/// The file's bytes; a missing or unreadable file fails the call, as in Terraform (where
/// `file` instead reports an invalid argument).
fn read(args: &[Value], ctx: &FuncContext) -> Result<Vec<u8>, FuncError> {
    let path = args::string(args, 0)?;
    std::fs::read(ctx.base_dir.join(&path)).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            std::io::ErrorKind::IsADirectory => "is a directory".to_string(),
            _ => e.to_string(),
        };
        FuncError::Other(format!("cannot read {path}: {why}"))
    })
}

fn hex_of(args: &[Value], ctx: &FuncContext, digest: fn(&[u8]) -> Vec<u8>) -> R {
    let bytes = read(args, ctx)?;
    Ok(Value::String(hex::encode(digest(&bytes))))
}

fn base64_of(args: &[Value], ctx: &FuncContext, digest: fn(&[u8]) -> Vec<u8>) -> R {
    let bytes = read(args, ctx)?;
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(digest(&bytes)),
    ))
}

fn filemd5(args: Vec<Value>, ctx: &FuncContext) -> R {
    hex_of(&args, ctx, |b| Md5::digest(b).to_vec())
}

fn filesha1(args: Vec<Value>, ctx: &FuncContext) -> R {
    hex_of(&args, ctx, |b| sha1::Sha1::digest(b).to_vec())
}

fn filesha256(args: Vec<Value>, ctx: &FuncContext) -> R {
    hex_of(&args, ctx, |b| Sha256::digest(b).to_vec())
}

fn filesha512(args: Vec<Value>, ctx: &FuncContext) -> R {
    hex_of(&args, ctx, |b| Sha512::digest(b).to_vec())
}

fn filebase64sha256(args: Vec<Value>, ctx: &FuncContext) -> R {
    base64_of(&args, ctx, |b| Sha256::digest(b).to_vec())
}

fn filebase64sha512(args: Vec<Value>, ctx: &FuncContext) -> R {
    base64_of(&args, ctx, |b| Sha512::digest(b).to_vec())
}

/// The regular files matching `pattern` taken relative to `path` (`*` and `?` stay within
/// one path segment, `**` spans several), as a sorted set of `/`-separated paths relative to
/// `path`. As in Terraform, the two are joined and cleaned first (so `../*.txt` looks beside
/// `path`), and a missing directory gives an empty set.
fn fileset(args: Vec<Value>, ctx: &FuncContext) -> R {
    let path = clean(&args::string(&args, 0)?);
    let pattern = args::string(&args, 1)?;
    let failed = |e: &dyn std::fmt::Display| {
        FuncError::Other(format!("failed to glob pattern {pattern:?}: {e}"))
    };
    let full = clean(&format!("{path}/{pattern}"));
    let segments: Vec<&str> = full.split('/').collect();
    let lit = segments
        .iter()
        .position(|s| s.contains(['*', '?', '[', '{', '\\']))
        .unwrap_or(segments.len());
    let prefix = segments[..lit].join("/");
    let mut found = Vec::new();
    if lit == segments.len() {
        if std::fs::metadata(ctx.base_dir.join(&full)).is_ok_and(|m| m.is_file()) {
            found.push(full.clone());
        }
    } else {
        let matcher = globset::GlobBuilder::new(&segments[lit..].join("/"))
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| failed(&e))?
            .compile_matcher();
        let mut files = Vec::new();
        walk(&ctx.base_dir.join(&prefix), "", &mut files).map_err(|e| failed(&e))?;
        found.extend(
            files
                .into_iter()
                .filter(|f| matcher.is_match(f))
                .map(|f| clean(&format!("{prefix}/{f}"))),
        );
    }
    let mut rel: Vec<String> = found.iter().map(|f| relative(&path, f)).collect();
    rel.sort();
    rel.dedup();
    Ok(Value::Set(rel.into_iter().map(Value::String).collect()))
}

/// `target` relative to `base` (both cleaned, both relative or both absolute), lexically,
/// like Go's `filepath.Rel`.
fn relative(base: &str, target: &str) -> String {
    let parts = |p: &str| -> Vec<String> {
        p.split('/')
            .filter(|s| !s.is_empty() && *s != ".")
            .map(str::to_string)
            .collect()
    };
    let (b, t) = (parts(base), parts(target));
    let common = b.iter().zip(&t).take_while(|(x, y)| x == y).count();
    let mut out: Vec<String> = vec!["..".to_string(); b.len() - common];
    out.extend(t[common..].iter().cloned());
    if out.is_empty() {
        ".".into()
    } else {
        out.join("/")
    }
}

/// Collects the regular files below `dir` (following symbolic links) as paths relative to
/// the walk's root; a missing directory has none.
fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(())
        }
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let meta = std::fs::metadata(entry.path())?;
        if meta.is_dir() {
            walk(&entry.path(), &rel, out)?;
        } else if meta.is_file() {
            out.push(rel);
        }
    }
    Ok(())
}
