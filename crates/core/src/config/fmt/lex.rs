//! Splits source lines into the few token kinds layout cares about, carrying heredocs,
//! block comments and multi-line strings from one line to the next.

use std::collections::VecDeque;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Space,
    /// Anything without layout meaning: names, numbers, operators, heredoc openers.
    Word(String),
    /// A quoted string (with its interpolations), kept byte for byte.
    Str(String),
    Open(char),
    Close(char),
    /// A bare `=` (not `==`, `<=`, `=>`...): attribute and object-element assignment.
    Assign,
    Comma,
    Comment(String),
}

impl Tok {
    pub(super) fn text(&self) -> String {
        match self {
            Tok::Space => " ".to_string(),
            Tok::Word(s) | Tok::Str(s) | Tok::Comment(s) => s.clone(),
            Tok::Open(c) | Tok::Close(c) => c.to_string(),
            Tok::Assign => "=".to_string(),
            Tok::Comma => ",".to_string(),
        }
    }

    pub(super) fn bracket(&self) -> i32 {
        match self {
            Tok::Open(_) => 1,
            Tok::Close(_) => -1,
            _ => 0,
        }
    }
}

pub(super) enum Line {
    Blank,
    /// A heredoc's body or closing marker: kept as written, and, as in hclwrite (where the
    /// whole heredoc belongs to the line that opens it), no break in an alignment run.
    Heredoc(String),
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
pub(super) struct Lexer {
    heredoc: Option<String>,
    pending: VecDeque<String>,
    in_comment: bool,
    strs: Vec<Ctx>,
}

impl Lexer {
    pub(super) fn line(&mut self, raw: &str) -> Line {
        if let Some(marker) = &self.heredoc {
            if raw.trim() == marker {
                self.heredoc = self.pending.pop_front();
            }
            return Line::Heredoc(raw.to_string());
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
                // A line comment runs to the end of the line, trailing spaces included
                // (HCL's comment token does; terraform fmt keeps them).
                '#' => {
                    toks.push(Tok::Comment(text(start, c.len())));
                    break;
                }
                '/' if at(i) == '/' => {
                    toks.push(Tok::Comment(text(start, c.len())));
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
                ',' => Tok::Comma,
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
    c.is_whitespace() || "#/\"<>{}[]()=!,".contains(c)
}
