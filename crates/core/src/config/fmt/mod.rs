//! `hubctl fmt`: the canonical layout `terraform fmt` produces. The text is tokenized as
//! hclsyntax does (`lex`), Terraform's own rewrites are applied (`rewrite`: quoted labels,
//! unwrapped `"${x}"`, modern variable types), then hclwrite's formatter decides every space
//! (`layout`: indentation, spacing between tokens, alignment of `=` and comments). Only
//! whitespace between tokens changes otherwise: comments, heredoc text, blank lines, the
//! final newline (or its absence) and CRLF line ends stay as written.
//!
//! The text is parsed with `hcl-edit` only to reject invalid input, as terraform refuses to
//! format what it cannot parse.

mod layout;
mod lex;
mod rewrite;

use std::io;
use std::path::{Path, PathBuf};

/// Formats one file. Errors (with line and column) when the text is not valid HCL.
pub fn format_source(text: &str) -> Result<String, String> {
    if let Err(e) = hcl_edit::parser::parse_body(text) {
        let loc = e.location();
        return Err(format!(
            "line {}, column {}: {}",
            loc.line(),
            loc.column(),
            e.message()
        ));
    }
    let mut toks = rewrite::apply(&lex::lex(text));
    layout::format(&mut toks);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for t in &toks {
        out.extend(std::iter::repeat_n(' ', t.spaces));
        out.push_str(&t.text);
    }
    Ok(out)
}

/// The `.tf`/`.tfvars` files under `dir` whose formatting differs, with their original and
/// formatted text; the caller decides whether to write them or report them (`--check`).
/// Hidden directories (`.terraform`, `.git`) are skipped.
pub fn format_dir(dir: &Path, recursive: bool) -> io::Result<Vec<(PathBuf, String, String)>> {
    let mut files = Vec::new();
    collect(dir, recursive, &mut files)?;
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let original = std::fs::read_to_string(&path)?;
        let formatted = format_source(&original).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {e}", path.display()),
            )
        })?;
        if formatted != original {
            out.push((path, original, formatted));
        }
    }
    Ok(out)
}

fn collect(dir: &Path, recursive: bool, files: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if path.is_dir() {
            if recursive && !hidden {
                collect(&path, recursive, files)?;
            }
        } else if path.extension().is_some_and(|e| e == "tf" || e == "tfvars") {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(src: &str) -> String {
        let out = format_source(src).expect("valid HCL");
        assert_eq!(
            format_source(&out).as_deref(),
            Ok(out.as_str()),
            "not idempotent"
        );
        out
    }

    /// Every case recorded from `terraform fmt` 1.11 (`testdata/record_fmt.py`).
    #[test]
    fn matches_terraform_fmt() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fmt-terraform-1.11.json");
        let text = std::fs::read_to_string(path).expect("golden file");
        let cases: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).expect("golden JSON");
        assert!(cases.len() >= 10);
        let mut failed = Vec::new();
        for (name, case) in &cases {
            let input = case["input"].as_str().expect("input");
            let want = case["output"].as_str().expect("output");
            let got = fmt(input);
            if got != want {
                failed.push(format!("--- {name}\nwant: {want:?}\ngot:  {got:?}"));
            }
        }
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }

    #[test]
    fn operators_with_equals_are_not_assignments() {
        let src = "x = a==b ? 1 : 2\nyy = {for k, v in m : k => v if v >= 1}\n";
        let want = "x  = a == b ? 1 : 2\nyy = { for k, v in m : k => v if v >= 1 }\n";
        assert_eq!(fmt(src), want);
    }

    /// terraform fmt unwraps one level per run (recorded from terraform fmt 1.11).
    #[test]
    fn nested_interpolation_unwraps_one_level_per_run() {
        let once = format_source("a = \"${ \"${ b }\" }\"\n").expect("valid");
        assert_eq!(once, "a = \"${b}\"\n");
        assert_eq!(format_source(&once).as_deref(), Ok("a = b\n"));
    }

    #[test]
    fn invalid_input_is_an_error() {
        let err = format_source("resource \"a\" {\n  x = \n}\n").expect_err("invalid");
        assert!(err.starts_with("line 2"), "{err}");
    }

    #[test]
    fn format_dir_lists_only_changed_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sub = dir.path().join("mod");
        let hidden = dir.path().join(".terraform");
        std::fs::create_dir_all(&sub).expect("mkdir");
        std::fs::create_dir_all(&hidden).expect("mkdir");
        std::fs::write(dir.path().join("ok.tf"), "a = 1\n").expect("write");
        std::fs::write(dir.path().join("bad.tf"), "a=1\n").expect("write");
        std::fs::write(dir.path().join("notes.txt"), "a=1\n").expect("write");
        std::fs::write(sub.join("x.tfvars"), "b=2\n").expect("write");
        std::fs::write(hidden.join("y.tf"), "c=3\n").expect("write");

        let flat = format_dir(dir.path(), false).expect("reads");
        assert_eq!(flat.len(), 1);
        assert_eq!(flat[0].0, dir.path().join("bad.tf"));
        assert_eq!(
            (flat[0].1.as_str(), flat[0].2.as_str()),
            ("a=1\n", "a = 1\n")
        );

        let deep = format_dir(dir.path(), true).expect("reads");
        let names: Vec<_> = deep.iter().map(|d| d.0.clone()).collect();
        assert_eq!(names, [dir.path().join("bad.tf"), sub.join("x.tfvars")]);
    }
}
