//! Terragrunt's functions, as its documentation defines them. Paths they return are
//! absolute with forward slashes, as Terragrunt's are. Functions that run commands or need
//! AWS are refused with a reason, never approximated.

use super::scope::Scope;
use super::{absolute, relative, Cx, Include, UNIT_FILE};
use crate::lang::funcs::FuncError;
use crate::lang::Value;
use std::path::{Path, PathBuf};

/// Terragrunt's lists, from its documentation of `get_terraform_commands_that_need_*`.
const NEED_VARS: &[&str] = &[
    "apply", "console", "destroy", "import", "plan", "push", "refresh",
];
const NEED_INPUT: &[&str] = &["apply", "import", "init", "plan", "refresh"];
const NEED_LOCKING: &[&str] = &[
    "apply", "destroy", "import", "init", "plan", "refresh", "taint", "untaint",
];
const NEED_PARALLELISM: &[&str] = &["apply", "plan", "destroy"];

/// Terragrunt functions hubctl knows of but does not implement: named, so the message says
/// why rather than "unknown function".
const NOT_YET: &[&str] = &[
    "get_aws_account_alias",
    "sops_decrypt_file",
    "get_terraform_command",
    "get_terraform_cli_args",
    "read_tfvars_file",
    "mark_as_read",
    "get_default_retryable_errors",
    "constraint_check",
];

/// `None`: not a Terragrunt function (the Terraform library is tried next).
pub(super) fn call(s: &Scope, name: &str, args: &[Value]) -> Option<Result<Value, FuncError>> {
    let cx = s.cx;
    let r = match name {
        "find_in_parent_folders" => find_in_parent_folders(cx, args),
        "path_relative_to_include" => include_of(cx, args)
            .map(|inc| Value::from(relative(dir(&cx.config_path), include_dir(cx, inc)))),
        "path_relative_from_include" => include_of(cx, args)
            .map(|inc| Value::from(relative(include_dir(cx, inc), dir(&cx.config_path)))),
        "get_parent_terragrunt_dir" => {
            include_of(cx, args).map(|inc| path_value(include_dir(cx, inc)))
        }
        "get_terragrunt_dir" => none(args).map(|()| path_value(dir(&cx.config_path))),
        "get_original_terragrunt_dir" => none(args).map(|()| path_value(dir(&cx.original_path))),
        "get_working_dir" => none(args).map(|()| path_value(&working_dir(s))),
        "get_repo_root" => none(args).and_then(|()| repo_root(dir(&cx.config_path))),
        "get_path_to_repo_root" => none(args).and_then(|()| {
            let root = repo_root(dir(&cx.config_path))?;
            let root = PathBuf::from(root.as_str().unwrap_or_default());
            Ok(Value::from(relative(&root, dir(&cx.config_path))))
        }),
        "get_path_from_repo_root" => none(args).and_then(|()| {
            let root = repo_root(dir(&cx.config_path))?;
            let root = PathBuf::from(root.as_str().unwrap_or_default());
            Ok(Value::from(relative(dir(&cx.config_path), &root)))
        }),
        "get_env" => get_env(args),
        "get_platform" => none(args).map(|()| Value::from(platform())),
        "read_terragrunt_config" => super::decode::read_terragrunt_config(s, args),
        "overlay_merge" => super::overlay::call(args),
        "get_terraform_commands_that_need_vars" => none(args).map(|()| strings(NEED_VARS)),
        "get_terraform_commands_that_need_input" => none(args).map(|()| strings(NEED_INPUT)),
        "get_terraform_commands_that_need_locking" => none(args).map(|()| strings(NEED_LOCKING)),
        "get_terraform_commands_that_need_parallelism" => {
            none(args).map(|()| strings(NEED_PARALLELISM))
        }
        "get_aws_account_id" => none(args).and_then(|()| aws(|i| i.account)),
        "get_aws_caller_identity_arn" => none(args).and_then(|()| aws(|i| i.arn)),
        "get_aws_caller_identity_user_id" => none(args).and_then(|()| aws(|i| i.user_id)),
        "run_cmd" => Err(FuncError::Other(
            "hubctl does not run commands from configuration files (run_cmd). Read the value \
             from a file (file, yamldecode) or pass it as an input instead"
                .into(),
        )),
        n if NOT_YET.contains(&n) => Err(FuncError::Other(format!(
            "{n} is a Terragrunt function hubctl does not support yet"
        ))),
        _ => return None,
    };
    Some(r)
}

/// One part of the caller identity (STS `GetCallerIdentity`, asked once per process).
fn aws(part: fn(super::identity::CallerIdentity) -> String) -> Result<Value, FuncError> {
    super::identity::identity()
        .map(|i| Value::from(part(i)))
        .map_err(|e| FuncError::Other(format!("sts:GetCallerIdentity failed: {e}")))
}

fn none(args: &[Value]) -> Result<(), FuncError> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(FuncError::Arity {
            expected: "0".into(),
            got: args.len(),
        })
    }
}

fn string_arg(args: &[Value], i: usize) -> Result<Option<String>, FuncError> {
    match args.get(i).map(Value::peel) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(FuncError::Arg {
            index: i,
            message: format!("string required, but got {}", other.type_name()),
        }),
    }
}

fn dir(p: &Path) -> &Path {
    p.parent().unwrap_or(Path::new("/"))
}

fn path_value(p: &Path) -> Value {
    Value::from(p.to_string_lossy().replace('\\', "/"))
}

fn strings(xs: &[&str]) -> Value {
    Value::List(xs.iter().map(|x| Value::from(*x)).collect())
}

/// `find_in_parent_folders([name, [fallback]])`: the first `name` in a folder above the
/// unit's (the unit's own folder is not searched), as an absolute path.
fn find_in_parent_folders(cx: &Cx, args: &[Value]) -> Result<Value, FuncError> {
    if args.len() > 2 {
        return Err(FuncError::Arity {
            expected: "at most 2".into(),
            got: args.len(),
        });
    }
    let name = string_arg(args, 0)?.unwrap_or_else(|| UNIT_FILE.to_string());
    let mut current = dir(&cx.config_path).to_path_buf();
    while let Some(parent) = current.parent() {
        let candidate = absolute(&parent.join(&name));
        if candidate.exists() {
            return Ok(path_value(&candidate));
        }
        current = parent.to_path_buf();
    }
    if let Some(fallback) = args.get(1) {
        return Ok(fallback.clone());
    }
    Err(FuncError::Other(format!(
        "could not find a {name} in any of the parent folders of {}",
        cx.config_path.display()
    )))
}

/// The include a path function refers to: the one that led here, else the named one (or
/// the only/first one) of this file; `None` when the file includes nothing.
fn include_of<'c>(cx: &'c Cx, args: &[Value]) -> Result<Option<&'c Include>, FuncError> {
    let name = string_arg(args, 0)?;
    if args.len() > 1 {
        return Err(FuncError::Arity {
            expected: "at most 1".into(),
            got: args.len(),
        });
    }
    if let Some(inc) = &cx.from_child {
        return Ok(Some(inc));
    }
    match name {
        None => Ok(cx.includes.first()),
        Some(n) => match cx.includes.iter().find(|i| i.name == n) {
            Some(inc) => Ok(Some(inc)),
            None => Err(FuncError::Arg {
                index: 0,
                message: format!("this file has no include block named \"{n}\""),
            }),
        },
    }
}

/// The folder of the included file, or of the unit itself when nothing is included.
fn include_dir<'c>(cx: &'c Cx, inc: Option<&'c Include>) -> &'c Path {
    match inc {
        Some(i) => dir(&i.path),
        None => dir(&cx.config_path),
    }
}

/// `get_repo_root()`: the nearest folder above the unit holding `.git` (what
/// `git rev-parse --show-toplevel` answers, without running git).
fn repo_root(start: &Path) -> Result<Value, FuncError> {
    let mut d = Some(start);
    while let Some(cur) = d {
        if cur.join(".git").exists() {
            return Ok(path_value(cur));
        }
        d = cur.parent();
    }
    Err(FuncError::Other(format!(
        "{} is not inside a git repository (no .git folder above it)",
        start.display()
    )))
}

/// `get_working_dir()`: where the module runs, as Terragrunt answers. Without a
/// `terraform { source }` that is the unit's folder; with one, hubctl's working copy
/// `.hubctl/work` in it, and with a `//subdir` source the module's folder inside that copy
/// (the package is copied whole, the module runs in its folder). The unit's own source wins
/// over an included one, as the merge does. A source that cannot be evaluated where the
/// function is called (it reads a local not defined yet) answers the copy's root.
fn working_dir(s: &Scope) -> PathBuf {
    let unit = dir(&s.cx.original_path);
    let files = std::iter::once(s.cx.original_path.clone())
        .chain(s.cx.includes.iter().map(|i| i.path.clone()))
        .chain(s.cx.from_child.iter().map(|i| i.path.clone()));
    for f in files {
        let Some((_, body)) = s.loader.body(&f, None) else {
            continue;
        };
        let source = body
            .blocks
            .iter()
            .filter(|b| b.kind == "terraform")
            .find_map(|b| b.body.attributes.get("source"));
        let Some(a) = source else { continue };
        let work = unit.join(".hubctl").join("work");
        let t = super::Terraform {
            source: s
                .eval_quiet(&a.expr)
                .and_then(|v| v.as_str().map(str::to_string)),
            ..Default::default()
        };
        return t.source_subdir().map_or(work.clone(), |sub| work.join(sub));
    }
    unit.to_path_buf()
}

/// `get_env(name, [default])`: without a default, an unset variable is an error.
fn get_env(args: &[Value]) -> Result<Value, FuncError> {
    if args.is_empty() || args.len() > 2 {
        return Err(FuncError::Arity {
            expected: "1 or 2".into(),
            got: args.len(),
        });
    }
    let name = string_arg(args, 0)?.unwrap_or_default();
    match std::env::var(&name) {
        Ok(v) => Ok(Value::from(v)),
        Err(_) => match string_arg(args, 1)? {
            Some(d) => Ok(Value::from(d)),
            None => Err(FuncError::Other(format!(
                "the environment variable {name} is not set, and no default was given"
            ))),
        },
    }
}

/// Go's `runtime.GOOS` names, which Terragrunt returns.
fn platform() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    }
}
