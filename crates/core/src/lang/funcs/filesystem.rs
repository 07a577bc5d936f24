//! File reading (relative to the context's base directory) and path manipulation with Go's
//! `path/filepath` rules (`dirname("foo")` is `"."`, `basename("a/b/")` is `"b"`).

use super::args::{self, err};
use super::{Arity, FuncContext, FuncError, Ret, Spec};
use crate::lang::Value;
use base64::Engine;
use std::path::PathBuf;

type R = Result<Value, FuncError>;

pub(super) const SPECS: &[Spec] = &[
    Spec::new("abspath", Arity::Exact(1), Ret::String, abspath),
    Spec::new("basename", Arity::Exact(1), Ret::String, basename),
    Spec::new("dirname", Arity::Exact(1), Ret::String, dirname),
    Spec::new("file", Arity::Exact(1), Ret::String, file),
    Spec::new("filebase64", Arity::Exact(1), Ret::String, filebase64),
    Spec::new("fileexists", Arity::Exact(1), Ret::Bool, fileexists),
    Spec::new("pathexpand", Arity::Exact(1), Ret::String, pathexpand),
];

/// Reads the file named by argument 0, resolved against `ctx.base_dir`.
fn read(args: &[Value], ctx: &FuncContext) -> Result<(String, Vec<u8>), FuncError> {
    let path = args::string(args, 0)?;
    let full = ctx.base_dir.join(&path);
    match std::fs::read(&full) {
        Ok(bytes) => Ok((path, bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(err(0, format!("no file exists at \"{path}\"")))
        }
        Err(e) => Err(err(0, format!("cannot read \"{path}\": {e}"))),
    }
}

fn file(args: Vec<Value>, ctx: &FuncContext) -> R {
    let (path, bytes) = read(&args, ctx)?;
    String::from_utf8(bytes).map(Value::String).map_err(|_| {
        err(
            0,
            format!(
                "contents of \"{path}\" are not valid UTF-8; use the filebase64 function to \
                 obtain the Base64 encoded contents"
            ),
        )
    })
}

fn filebase64(args: Vec<Value>, ctx: &FuncContext) -> R {
    let (_, bytes) = read(&args, ctx)?;
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(bytes),
    ))
}

/// True for a regular file; false when nothing exists there; an error for anything else
/// (a directory is almost always a mistake in the argument).
fn fileexists(args: Vec<Value>, ctx: &FuncContext) -> R {
    let path = args::string(&args, 0)?;
    match std::fs::metadata(ctx.base_dir.join(&path)) {
        Ok(m) if m.is_file() => Ok(Value::Bool(true)),
        Ok(_) => Err(err(
            0,
            format!("\"{path}\" exists but is not a regular file"),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::Bool(false)),
        Err(e) => Err(err(0, format!("cannot stat \"{path}\": {e}"))),
    }
}

/// A leading `~` (alone or before `/`) becomes the home directory, as Terraform's
/// go-homedir does; `~user` is an error, as there.
fn pathexpand(args: Vec<Value>, _: &FuncContext) -> R {
    let path = args::string(&args, 0)?;
    let rest = match path.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
        Some(_) => {
            return Err(FuncError::Other(
                "cannot expand user-specific home dir".into(),
            ))
        }
        None => return Ok(Value::String(path)),
    };
    let home = std::env::var("HOME")
        .ok()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| err(0, "cannot expand \"~\": HOME is not set"))?;
    Ok(Value::String(format!("{home}{rest}")))
}

/// Lexically cleans a slash-separated path like Go's `filepath.Clean`.
pub(super) fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if rooted => {}
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

fn basename(args: Vec<Value>, _: &FuncContext) -> R {
    let path = args::string(&args, 0)?;
    if path.is_empty() {
        return Ok(Value::from("."));
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(Value::from("/"));
    }
    Ok(Value::from(trimmed.rsplit('/').next().unwrap_or(trimmed)))
}

fn dirname(args: Vec<Value>, _: &FuncContext) -> R {
    let path = args::string(&args, 0)?;
    let dir = match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "",
    };
    Ok(Value::String(clean(dir)))
}

/// Absolute form of a path, relative to `ctx.base_dir` (the `-chdir` directory, where
/// Terraform has switched to); a relative base is taken from the process's directory.
fn abspath(args: Vec<Value>, ctx: &FuncContext) -> R {
    let path = args::string(&args, 0)?;
    let full = if path.starts_with('/') {
        PathBuf::from(&path)
    } else if ctx.base_dir.is_absolute() {
        ctx.base_dir.join(&path)
    } else {
        std::env::current_dir()
            .map_err(|e| err(0, format!("cannot determine the working directory: {e}")))?
            .join(ctx.base_dir)
            .join(&path)
    };
    Ok(Value::String(clean(
        &full.to_string_lossy().replace('\\', "/"),
    )))
}

#[cfg(test)]
mod tests {
    use super::super::tests::s;
    use super::super::{call, FuncContext, FuncError};
    use crate::lang::Value;

    fn run_in(dir: &std::path::Path, name: &str, arg: &str) -> Result<Value, FuncError> {
        call(name, vec![s(arg)], &FuncContext { base_dir: dir })
    }

    #[test]
    fn reads_files_relative_to_base_dir() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("hello.txt"), "Hello World")?;
        std::fs::write(dir.path().join("bin"), [0xff, 0x00])?;
        std::fs::create_dir(dir.path().join("sub"))?;
        let d = dir.path();
        assert_eq!(run_in(d, "file", "hello.txt"), Ok(s("Hello World")));
        assert_eq!(
            run_in(d, "filebase64", "hello.txt"),
            Ok(s("SGVsbG8gV29ybGQ="))
        );
        assert_eq!(run_in(d, "filebase64", "bin"), Ok(s("/wA=")));
        assert_eq!(run_in(d, "fileexists", "hello.txt"), Ok(Value::Bool(true)));
        assert_eq!(run_in(d, "fileexists", "nope"), Ok(Value::Bool(false)));
        assert!(run_in(d, "fileexists", "sub").is_err());
        let missing = run_in(d, "file", "nope.txt");
        assert_eq!(
            missing,
            Err(FuncError::Arg {
                index: 0,
                message: "no file exists at \"nope.txt\"".into()
            })
        );
        assert!(
            matches!(run_in(d, "file", "bin"), Err(FuncError::Arg { message, .. }) if message.contains("UTF-8"))
        );
        Ok(())
    }

    #[test]
    fn path_functions_follow_go() {
        let d = std::path::Path::new(".");
        let pairs = |name: &str, cases: &[(&str, &str)]| {
            for (input, want) in cases {
                assert_eq!(run_in(d, name, input), Ok(s(want)), "{name}({input:?})");
            }
        };
        pairs(
            "basename",
            &[
                ("foo/bar/baz.txt", "baz.txt"),
                ("foo/bar/", "bar"),
                ("/", "/"),
                ("", "."),
            ],
        );
        pairs(
            "dirname",
            &[
                ("foo/bar/baz.txt", "foo/bar"),
                ("baz", "."),
                ("/foo", "/"),
                ("a//b/../c/x", "a/c"),
            ],
        );
        let Ok(Value::String(abs)) = run_in(d, "abspath", "x/../y") else {
            panic!("abspath failed")
        };
        assert!(abs.starts_with('/') && abs.ends_with("/y"));
        // Against the base directory (-chdir), not the process's working directory.
        let base = std::path::Path::new("/srv/live/hub");
        assert_eq!(run_in(base, "abspath", "../x/./y"), Ok(s("/srv/live/x/y")));
        assert_eq!(run_in(base, "abspath", "/etc/z"), Ok(s("/etc/z")));
    }

    #[test]
    fn pathexpand_replaces_a_leading_tilde_only() {
        let d = std::path::Path::new(".");
        let home = std::env::var("HOME").expect("HOME set for tests");
        assert_eq!(run_in(d, "pathexpand", "~"), Ok(s(&home)));
        assert_eq!(
            run_in(d, "pathexpand", "~/a/b"),
            Ok(s(&format!("{home}/a/b")))
        );
        assert_eq!(run_in(d, "pathexpand", "a/~"), Ok(s("a/~")));
        assert!(run_in(d, "pathexpand", "~bob").is_err());
    }
}
