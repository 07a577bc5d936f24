//! Canonical layout, as `terraform fmt` does it: two-space indentation per bracket level,
//! one space around `=`, `=` and trailing comments aligned within runs of consecutive
//! single-line attributes, at most one blank line, no trailing whitespace, one final newline.
//!
//! The text is parsed with `hcl-edit` only to reject invalid input; the layout itself is done
//! over lines of tokens, because that is how hclwrite decides indentation and alignment and
//! it leaves everything else (expressions, comments, heredocs) exactly as written.

use std::collections::VecDeque;
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
    let lines: Vec<Line> = text
        .split('\n')
        .map(|raw| lexer.line(raw.strip_suffix('\r').unwrap_or(raw)))
        .collect();
    Ok(render(lines))
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

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Space,
    /// Anything without layout meaning: names, numbers, operators, heredoc openers.
    Word(String),
    /// A quoted string (with its interpolations), kept byte for byte.
    Str(String),
    Open(char),
    Close(char),
    /// A bare `=` (not `==`, `<=`, `=>`...): attribute and object-element assignment.
    Assign,
    Comment(String),
}

impl Tok {
    fn text(&self) -> String {
        match self {
            Tok::Space => " ".to_string(),
            Tok::Word(s) | Tok::Str(s) | Tok::Comment(s) => s.clone(),
            Tok::Open(c) | Tok::Close(c) => c.to_string(),
            Tok::Assign => "=".to_string(),
        }
    }

    fn bracket(&self) -> i32 {
        match self {
            Tok::Open(_) => 1,
            Tok::Close(_) => -1,
            _ => 0,
        }
    }
}

enum Line {
    Blank,
    /// Heredoc bodies and continuations of multi-line comments or strings: not re-laid-out,
    /// but their brackets still count for the lines that follow.
    Verbatim(String, i32),
    Code(Vec<Tok>),
}

#[derive(Clone, Copy)]
enum Ctx {
    Str,
    Interp(u32),
}

/// Carries what spans lines: heredocs, block comments and strings.
#[derive(Default)]
struct Lexer {
    heredoc: Option<String>,
    pending: VecDeque<String>,
    in_comment: bool,
    strs: Vec<Ctx>,
}

impl Lexer {
    fn line(&mut self, raw: &str) -> Line {
        if let Some(marker) = &self.heredoc {
            if raw.trim() == marker {
                self.heredoc = self.pending.pop_front();
            }
            return Line::Verbatim(raw.to_string(), 0);
        }
        let continued_comment = self.in_comment;
        let continued = continued_comment || !self.strs.is_empty();
        let toks = self.tokens(raw);
        if self.heredoc.is_none() {
            self.heredoc = self.pending.pop_front();
        }
        if continued {
            let net = toks.iter().map(Tok::bracket).sum();
            let text = if continued_comment {
                raw.trim_end()
            } else {
                raw
            };
            Line::Verbatim(text.to_string(), net)
        } else if toks.iter().all(|t| *t == Tok::Space) {
            Line::Blank
        } else {
            Line::Code(toks)
        }
    }

    fn tokens(&mut self, line: &str) -> Vec<Tok> {
        let c: Vec<char> = line.chars().collect();
        let text = |a: usize, b: usize| c[a..b].iter().collect::<String>();
        let at = |i: usize| c.get(i).copied().unwrap_or('\0');
        let find_close = |from: usize| (from..c.len()).find(|&j| at(j) == '*' && at(j + 1) == '/');
        let mut toks = Vec::new();
        let mut i = 0;
        if self.in_comment {
            match find_close(0) {
                Some(e) => {
                    toks.push(Tok::Comment(text(0, e + 2)));
                    self.in_comment = false;
                    i = e + 2;
                }
                None => return vec![Tok::Comment(line.trim_end().to_string())],
            }
        }
        if !self.strs.is_empty() {
            let end = self.scan_string(&c, i);
            toks.push(Tok::Str(text(i, end)));
            i = end;
        }
        while i < c.len() {
            let ch = c[i];
            let start = i;
            i += 1;
            let tok = match ch {
                _ if ch.is_whitespace() => {
                    while at(i).is_whitespace() && i < c.len() {
                        i += 1;
                    }
                    Tok::Space
                }
                '#' => {
                    toks.push(Tok::Comment(text(start, c.len()).trim_end().to_string()));
                    break;
                }
                '/' if at(i) == '/' => {
                    toks.push(Tok::Comment(text(start, c.len()).trim_end().to_string()));
                    break;
                }
                '/' if at(i) == '*' => match find_close(i + 1) {
                    Some(e) => {
                        i = e + 2;
                        Tok::Comment(text(start, i))
                    }
                    None => {
                        self.in_comment = true;
                        toks.push(Tok::Comment(text(start, c.len()).trim_end().to_string()));
                        break;
                    }
                },
                '"' => {
                    self.strs.push(Ctx::Str);
                    i = self.scan_string(&c, i);
                    Tok::Str(text(start, i))
                }
                '<' if at(i) == '<' => {
                    let mut j = i + 1;
                    if at(j) == '-' {
                        j += 1;
                    }
                    let name_start = j;
                    while j < c.len() && (c[j].is_alphanumeric() || c[j] == '_') {
                        j += 1;
                    }
                    if j > name_start {
                        self.pending.push_back(text(name_start, j));
                    }
                    i = j;
                    Tok::Word(text(start, j))
                }
                '{' | '[' | '(' => Tok::Open(ch),
                '}' | ']' | ')' => Tok::Close(ch),
                '=' if at(i) == '=' || at(i) == '>' => {
                    i += 1;
                    Tok::Word(text(start, i))
                }
                '=' => Tok::Assign,
                '!' | '<' | '>' if at(i) == '=' => {
                    i += 1;
                    Tok::Word(text(start, i))
                }
                _ => {
                    while i < c.len() && !is_special(c[i]) {
                        i += 1;
                    }
                    Tok::Word(text(start, i))
                }
            };
            toks.push(tok);
        }
        toks
    }

    /// Scans a quoted string from `i` (just after the opening quote, or at the start of a
    /// continuation line) to just past its closing quote, or to the end of the line.
    fn scan_string(&mut self, c: &[char], mut i: usize) -> usize {
        let at = |i: usize| c.get(i).copied().unwrap_or('\0');
        while i < c.len() {
            match self.strs.last_mut() {
                None => return i,
                Some(Ctx::Str) => match c[i] {
                    '\\' => i += 2,
                    '"' => {
                        self.strs.pop();
                        i += 1;
                    }
                    '$' | '%' if at(i + 1) == c[i] => i += 2,
                    '$' | '%' if at(i + 1) == '{' => {
                        self.strs.push(Ctx::Interp(0));
                        i += 2;
                    }
                    _ => i += 1,
                },
                Some(Ctx::Interp(depth)) => {
                    match c[i] {
                        '"' => self.strs.push(Ctx::Str),
                        '{' => *depth += 1,
                        '}' if *depth == 0 => {
                            self.strs.pop();
                        }
                        '}' => *depth -= 1,
                        _ => {}
                    }
                    i += 1;
                }
            }
        }
        i.min(c.len())
    }
}

fn is_special(c: char) -> bool {
    c.is_whitespace() || "#/\"<>{}[]()=!".contains(c)
}

/// A code line split into hclwrite's cells: what precedes `=`, the `= value` part (only when
/// the value is complete on this line) and a trailing comment.
struct Cells {
    indent: usize,
    lead: String,
    assign: Option<String>,
    comment: Option<String>,
}

fn join(toks: &[Tok]) -> String {
    toks.iter()
        .map(Tok::text)
        .collect::<String>()
        .trim()
        .to_string()
}

fn cells(mut toks: Vec<Tok>, indent: usize) -> Cells {
    // One space for every run of blanks, and around every `=`.
    let mut norm: Vec<Tok> = Vec::with_capacity(toks.len() + 4);
    for t in toks.drain(..) {
        let space_before = matches!(t, Tok::Assign) || norm.last() == Some(&Tok::Assign);
        if (t == Tok::Space || space_before) && !norm.is_empty() && norm.last() != Some(&Tok::Space)
        {
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

/// Pops `n` bracket openings off the indent stack (a level may hold several, as in `[{`).
/// Returns how many openings were taken from a level that stays open (`}` of `[{`).
fn pop_levels(stack: &mut Vec<i32>, mut n: i32) -> i32 {
    while n > 0 {
        let Some(top) = stack.last_mut() else {
            return 0;
        };
        if *top <= n {
            n -= *top;
            stack.pop();
        } else {
            *top -= n;
            return n;
        }
    }
    0
}

enum Out {
    Blank,
    Verbatim(String),
    Code(Cells),
}

fn render(lines: Vec<Line>) -> String {
    let mut stack: Vec<i32> = Vec::new();
    let mut out: Vec<Out> = Vec::new();
    for line in lines {
        match line {
            Line::Blank => {
                // At most one blank line, none at the start.
                if !matches!(out.last(), None | Some(Out::Blank)) {
                    out.push(Out::Blank);
                }
            }
            Line::Verbatim(text, net) => {
                apply(&mut stack, net);
                out.push(Out::Verbatim(text));
            }
            Line::Code(toks) => {
                let significant = toks.iter().filter(|t| **t != Tok::Space);
                let leading_closes = significant
                    .take_while(|t| matches!(t, Tok::Close(_)))
                    .count() as i32;
                let partial = pop_levels(&mut stack, leading_closes);
                let indent = stack.len();
                let mut rest: i32 = toks.iter().map(Tok::bracket).sum::<i32>() + leading_closes;
                // `}, {` inside `[{ ... }]` reopens the level it closed instead of nesting.
                if partial > 0 && rest > 0 {
                    let refill = rest.min(partial);
                    if let Some(top) = stack.last_mut() {
                        *top += refill;
                    }
                    rest -= refill;
                }
                apply(&mut stack, rest);
                out.push(Out::Code(cells(toks, indent)));
            }
        }
    }
    while matches!(out.last(), Some(Out::Blank)) {
        out.pop();
    }
    align(&mut out);
    let mut text = String::new();
    for o in out {
        match o {
            Out::Blank => {}
            Out::Verbatim(t) => text.push_str(&t),
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
        text.push('\n');
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
    let runs = |out: &[Out], pick: &dyn Fn(&Cells) -> bool| {
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut start = None;
        for (i, o) in out.iter().enumerate() {
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

    for (s, e) in runs(out, &|c| c.assign.is_some()) {
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
    for (s, e) in runs(out, &|c| c.comment.is_some()) {
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

    #[test]
    fn aligns_equals_within_runs_and_indents_blocks() {
        let src = "resource \"aws_vpc\" \"this\" {\ncidr_block=\"10.0.0.0/16\"\n    enable_dns_hostnames   =   true\n\n\n\ntags = {\nName = \"hub\"\n      Environment=\"dev\"\n}\n}\n";
        let want = "resource \"aws_vpc\" \"this\" {\n  cidr_block           = \"10.0.0.0/16\"\n  enable_dns_hostnames = true\n\n  tags = {\n    Name        = \"hub\"\n    Environment = \"dev\"\n  }\n}\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn multi_line_values_break_alignment_runs() {
        let src = "a = 1\nlonger_name = [\n1,\n2,\n]\nb = 2\ncc = 3\n";
        let want = "a = 1\nlonger_name = [\n  1,\n  2,\n]\nb  = 2\ncc = 3\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn comments_stay_and_trailing_ones_align() {
        let src = "# top comment   \nlocals {\n    # about a\n  a = 1 # one\n  bbb = 2    // two\n  /* block\n     comment */\n}\n";
        let want = "# top comment\nlocals {\n  # about a\n  a   = 1 # one\n  bbb = 2 // two\n  /* block\n     comment */\n}\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn strings_and_heredocs_are_untouched() {
        let src = "x = \"a  =  b  \"\ny = <<EOT\n  keep   this   \n{ not a block\nEOT\nz = \"${var.a}  ${ {a=1}.a }\"\n";
        let want = "x = \"a  =  b  \"\ny = <<EOT\n  keep   this   \n{ not a block\nEOT\nz = \"${var.a}  ${ {a=1}.a }\"\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn operators_with_equals_are_not_assignments() {
        let src = "x = a==b ? 1 : 2\nyy = {for k, v in m : k => v if v >= 1}\n";
        let want = "x  = a==b ? 1 : 2\nyy = {for k, v in m : k => v if v >= 1}\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn blank_lines_and_final_newline_are_normalized() {
        assert_eq!(fmt("\n\n a = 1\t\n\n\n\nb = 2\n\n\n"), "a = 1\n\nb = 2\n");
        assert_eq!(fmt("a = 1"), "a = 1\n");
        assert_eq!(fmt("a = 1\r\nbb = 2\r\n"), "a  = 1\nbb = 2\n");
        assert_eq!(fmt(""), "");
    }

    #[test]
    fn nested_brackets_on_one_line_indent_once() {
        let src = "x = [{\na = 1\n}, {\nb = 2\n}]\nf = merge(\nvar.a,\nvar.b)\ng = 1\n";
        let want = "x = [{\n  a = 1\n  }, {\n  b = 2\n}]\nf = merge(\n  var.a,\n  var.b)\ng = 1\n";
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
