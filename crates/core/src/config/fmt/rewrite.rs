//! The rewrites `terraform fmt` makes on top of hclwrite's layout (Terraform's
//! `internal/command/fmt.go`): block labels are quoted, an attribute whose value is a single
//! interpolation (`"${x}"`) becomes the bare expression, and a `variable` block's legacy type
//! (`"string"`, `"list"`, `"map"`, bare `list`/`map`/`set`) becomes a modern type expression.
//! Only body attributes are rewritten, not the elements of object values.

use super::lex::{Kind, Token};

pub(super) fn apply(toks: &[Token]) -> Vec<Token> {
    let mut w = Walker {
        toks,
        i: 0,
        out: Vec::with_capacity(toks.len()),
    };
    w.body(&mut Vec::new());
    w.out.extend_from_slice(&toks[w.i..]);
    w.out
}

struct Walker<'a> {
    toks: &'a [Token],
    i: usize,
    out: Vec<Token>,
}

impl Walker<'_> {
    fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    fn copy(&mut self) {
        self.out.push(self.toks[self.i].clone());
        self.i += 1;
    }

    /// Items up to the `}` closing the body (left for the caller) or the end of input.
    fn body(&mut self, blocks: &mut Vec<String>) {
        while let Some(kind) = self.kind(self.i) {
            match kind {
                Kind::CBrace => return,
                Kind::Ident if self.kind(self.i + 1) == Some(Kind::Equal) => {
                    let in_variable = blocks.len() == 1 && blocks[0] == "variable";
                    let is_type = in_variable && self.toks[self.i].text == "type";
                    self.copy();
                    self.copy();
                    self.attribute_value(is_type);
                }
                Kind::Ident => self.block(blocks),
                _ => self.copy(),
            }
        }
    }

    /// The value runs to the end of its line (or to the `}` of a one-line block); trailing
    /// comments are not part of it.
    fn attribute_value(&mut self, is_type: bool) {
        let mut depth = 0;
        let mut end = self.i;
        while let Some(t) = self.toks.get(end) {
            if depth == 0 && (t.ends_line() || t.kind == Kind::CBrace) {
                break;
            }
            depth += t.bracket();
            end += 1;
        }
        while end > self.i && self.toks[end - 1].kind == Kind::Comment {
            end -= 1;
        }
        let value = &self.toks[self.i..end];
        let rewritten = if is_type {
            type_expr(value)
        } else {
            value_expr(value)
        };
        self.out.extend(rewritten.unwrap_or_else(|| value.to_vec()));
        self.i = end;
    }

    /// A block's type, its labels (quoted; comments among them dropped), and its body.
    fn block(&mut self, blocks: &mut Vec<String>) {
        let name = self.toks[self.i].text.clone();
        self.copy();
        while let Some(kind) = self.kind(self.i) {
            match kind {
                Kind::OBrace => break,
                Kind::Ident => {
                    let label = self.toks[self.i].text.clone();
                    self.out.extend(quoted(&label));
                    self.i += 1;
                }
                Kind::Comment => self.i += 1,
                Kind::OQuote => {
                    while self.kind(self.i).is_some_and(|k| k != Kind::CQuote) {
                        self.copy();
                    }
                    if self.kind(self.i).is_some() {
                        self.copy();
                    }
                }
                // Not a block after all (invalid input): leave the rest as it is.
                _ => return,
            }
        }
        if self.kind(self.i).is_none() {
            return;
        }
        self.copy();
        blocks.push(name);
        self.body(blocks);
        blocks.pop();
        if self.kind(self.i) == Some(Kind::CBrace) {
            self.copy();
        }
    }
}

fn quoted(text: &str) -> Vec<Token> {
    vec![
        Token::new(Kind::OQuote, "\""),
        Token::new(Kind::QuotedLit, text),
        Token::new(Kind::CQuote, "\""),
    ]
}

fn call(name: &str, arg: &str) -> Vec<Token> {
    vec![
        Token::new(Kind::Ident, name),
        Token::new(Kind::OParen, "("),
        Token::new(Kind::Ident, arg),
        Token::new(Kind::CParen, ")"),
    ]
}

/// `"${expr}"` → `expr` when the quotes hold exactly one interpolation and no literal text;
/// a multi-line expression gets parentheses unless it already starts and ends with them.
fn value_expr(toks: &[Token]) -> Option<Vec<Token>> {
    let n = toks.len();
    if n < 5
        || toks[0].kind != Kind::OQuote
        || toks[1].kind != Kind::Interp
        || toks[n - 2].kind != Kind::SeqEnd
        || toks[n - 1].kind != Kind::CQuote
    {
        return None;
    }
    let inside = &toks[2..n - 2];
    let mut quotes = 0;
    for t in inside {
        match t.kind {
            Kind::OQuote => quotes += 1,
            Kind::CQuote => quotes -= 1,
            _ if quotes > 0 => {}
            Kind::Interp | Kind::SeqEnd | Kind::QuotedLit => return None,
            _ => {}
        }
    }
    let first = inside.iter().position(|t| t.kind != Kind::Newline)?;
    let last = inside.iter().rposition(|t| t.kind != Kind::Newline)?;
    let trimmed = &inside[first..=last];
    let multi_line = trimmed.iter().any(|t| t.kind == Kind::Newline);
    let parens = trimmed[0].kind == Kind::OParen && trimmed[trimmed.len() - 1].kind == Kind::CParen;
    if multi_line && !parens {
        let mut wrapped = vec![Token::new(Kind::OParen, "(")];
        wrapped.extend_from_slice(trimmed);
        wrapped.push(Token::new(Kind::CParen, ")"));
        return Some(wrapped);
    }
    Some(trimmed.to_vec())
}

/// Terraform 0.11 type spellings: bare collection keywords mean `(any)`, quoted ones
/// `string`, `list(string)`, `map(string)`.
fn type_expr(toks: &[Token]) -> Option<Vec<Token>> {
    match toks {
        [t] if t.kind == Kind::Ident && matches!(t.text.as_str(), "list" | "map" | "set") => {
            Some(call(&t.text, "any"))
        }
        [o, lit, c]
            if o.kind == Kind::OQuote && lit.kind == Kind::QuotedLit && c.kind == Kind::CQuote =>
        {
            match lit.text.as_str() {
                "string" => Some(vec![Token::new(Kind::Ident, "string")]),
                "list" | "map" => Some(call(&lit.text, "string")),
                _ => None,
            }
        }
        _ => None,
    }
}
