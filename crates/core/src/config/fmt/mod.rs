//! Canonical layout, as `terraform fmt` does it: two-space indentation per bracket level,
//! one space around `=`, `=` and trailing comments aligned within runs of consecutive
//! single-line attributes, no trailing whitespace. Like hclwrite, it leaves blank lines, the
//! final newline (or its absence) and CRLF line ends as they are.
//!
//! The text is parsed with `hcl-edit` only to reject invalid input; the layout itself is done
//! over lines of tokens, because that is how hclwrite decides indentation and alignment and
//! it leaves everything else (expressions, comments, heredocs) exactly as written.

mod lex;

use lex::{Lexer, Line, Tok};
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
    let mut lexer = Lexer::default();
    let mut crlf = Vec::new();
    let lines: Vec<Line> = text
        .split('\n')
        .map(|raw| {
            crlf.push(raw.ends_with('\r'));
            lexer.line(raw.strip_suffix('\r').unwrap_or(raw))
        })
        .collect();
    Ok(render(lines, &crlf))
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

/// A code line split into hclwrite's cells: what precedes `=`, the `= value` part (only when
/// the value is complete on this line) and a trailing comment.
struct Cells {
    indent: usize,
    lead: String,
    assign: Option<String>,
    comment: Option<String>,
}

/// The tokens' text without surrounding blanks; a line comment keeps its text to the end of
/// the line, trailing spaces included, as hclwrite keeps comment tokens whole.
fn join(toks: &[Tok]) -> String {
    let text = toks.iter().map(Tok::text).collect::<String>();
    match toks.last() {
        Some(Tok::Comment(_)) => text.trim_start().to_string(),
        _ => text.trim().to_string(),
    }
}

fn cells(mut toks: Vec<Tok>, indent: usize) -> Cells {
    // One space for every run of blanks, around every `=` and after commas.
    let mut norm: Vec<Tok> = Vec::with_capacity(toks.len() + 4);
    for t in toks.drain(..) {
        if t == Tok::Comma && norm.last() == Some(&Tok::Space) {
            norm.pop();
        }
        let need_space = t == Tok::Space
            || t == Tok::Assign
            || norm.last() == Some(&Tok::Assign)
            || (norm.last() == Some(&Tok::Comma) && !matches!(t, Tok::Close(_)));
        if need_space && !norm.is_empty() && norm.last() != Some(&Tok::Space) {
            norm.push(Tok::Space);
        }
        if t != Tok::Space {
            norm.push(t);
        }
    }
    while norm.last() == Some(&Tok::Space) {
        norm.pop();
    }
    let mut comment = None;
    if norm.len() > 1 {
        if let Some(Tok::Comment(c)) = norm.last() {
            comment = Some(c.clone());
            norm.pop();
        }
    }
    let assign_at = norm
        .iter()
        .position(|t| *t == Tok::Assign)
        .filter(|&i| i > 0 && norm[i..].iter().map(Tok::bracket).sum::<i32>() == 0);
    let (lead, assign) = match assign_at {
        Some(i) => (join(&norm[..i]), Some(join(&norm[i..]))),
        None => (join(&norm), None),
    };
    Cells {
        indent,
        lead,
        assign,
        comment,
    }
}

/// Closes `n` bracket openings: a line's net closes pop whole levels from the indent stack
/// (a level remembers how many openings its line made, as in `merge({`), and a partial close
/// only lowers the top level's count.
fn pop_levels(stack: &mut Vec<i32>, mut n: i32) {
    while n > 0 {
        let Some(top) = stack.last_mut() else {
            return;
        };
        if *top <= n {
            n -= *top;
            stack.pop();
        } else {
            *top -= n;
            return;
        }
    }
}

enum Out {
    Blank,
    Verbatim(String),
    Heredoc(String),
    Code(Cells),
}

/// hclwrite's indentation: a line with a net opening is indented at the current depth and
/// opens one level; a line with a net closing is indented after the levels it closes; the
/// brackets themselves (`}, {`, `}, local.tags)`) only count through their sum.
fn render(lines: Vec<Line>, crlf: &[bool]) -> String {
    let mut stack: Vec<i32> = Vec::new();
    let mut out: Vec<Out> = Vec::new();
    for line in lines {
        match line {
            Line::Blank => out.push(Out::Blank),
            Line::Heredoc(text) => out.push(Out::Heredoc(text)),
            Line::Verbatim(text, net) => {
                apply(&mut stack, net);
                out.push(Out::Verbatim(text));
            }
            Line::Code(toks) => {
                let net: i32 = toks.iter().map(Tok::bracket).sum();
                let indent = if net > 0 {
                    stack.len()
                } else {
                    pop_levels(&mut stack, -net);
                    stack.len()
                };
                if net > 0 {
                    stack.push(net);
                }
                out.push(Out::Code(cells(toks, indent)));
            }
        }
    }
    align(&mut out);
    let mut text = String::new();
    for (i, o) in out.into_iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        match o {
            Out::Blank => {}
            Out::Verbatim(t) | Out::Heredoc(t) => text.push_str(&t),
            Out::Code(c) => {
                text.push_str(&" ".repeat(2 * c.indent));
                text.push_str(&c.lead);
                if let Some(a) = c.assign {
                    text.push_str(&a);
                }
                if let Some(comment) = c.comment {
                    text.push_str(&comment);
                }
            }
        }
        if crlf.get(i).copied().unwrap_or(false) {
            text.push('\r');
        }
    }
    text
}

/// A line with a net opening increases the indent by one level, whatever the count.
fn apply(stack: &mut Vec<i32>, net: i32) {
    if net > 0 {
        stack.push(net);
    } else {
        pop_levels(stack, -net);
    }
}

/// Pads `lead` so `=` lines up within runs of assignment lines, then pads the code so
/// trailing comments line up within runs of commented lines. Pads are folded into the text.
fn align(out: &mut [Out]) {
    let runs = |out: &[Out], pick: &dyn Fn(&Cells) -> bool, through_heredocs: bool| {
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut start = None;
        for (i, o) in out.iter().enumerate() {
            if through_heredocs && start.is_some() && matches!(o, Out::Heredoc(_)) {
                continue;
            }
            let inside = matches!(o, Out::Code(c) if pick(c));
            match (inside, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    runs.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            runs.push((s, out.len()));
        }
        runs
    };
    let width = |s: &str| s.chars().count();

    for (s, e) in runs(out, &|c| c.assign.is_some(), true) {
        let col = cells_in(&out[s..e])
            .map(|c| 2 * c.indent + width(&c.lead))
            .max()
            .unwrap_or(0);
        for c in cells_in_mut(&mut out[s..e]) {
            let pad = col - (2 * c.indent + width(&c.lead)) + 1;
            if let Some(a) = c.assign.take() {
                c.assign = Some(format!("{}{a}", " ".repeat(pad)));
            }
        }
    }
    let code_width =
        |c: &Cells| 2 * c.indent + width(&c.lead) + c.assign.as_deref().map_or(0, width);
    for (s, e) in runs(out, &|c| c.comment.is_some(), false) {
        let col = cells_in(&out[s..e]).map(code_width).max().unwrap_or(0);
        for c in cells_in_mut(&mut out[s..e]) {
            let pad = col - code_width(c) + 1;
            if let Some(comment) = c.comment.take() {
                c.comment = Some(format!("{}{comment}", " ".repeat(pad)));
            }
        }
    }
}

fn cells_in(out: &[Out]) -> impl Iterator<Item = &Cells> {
    out.iter().filter_map(|o| match o {
        Out::Code(c) => Some(c),
        _ => None,
    })
}

fn cells_in_mut(out: &mut [Out]) -> impl Iterator<Item = &mut Cells> {
    out.iter_mut().filter_map(|o| match o {
        Out::Code(c) => Some(c),
        _ => None,
    })
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
        let want = "x  = a==b ? 1 : 2\nyy = {for k, v in m : k => v if v >= 1}\n";
        assert_eq!(fmt(src), want);
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
