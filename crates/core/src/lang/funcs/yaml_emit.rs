//! `yamlencode` text exactly as Terraform writes it. Terraform drives libyaml's emitter (the Go
//! port in go-cty-yaml) with every string double-quoted, or as a literal block (`|`) when it
//! holds a line break, keys quoted the same way, and numbers, bools and null plain. Matching
//! it byte for byte matters: the text ends up in attributes (ConfigMaps, Helm values), and a
//! state imported from Terraform must plan no changes.
//!
//! A general YAML serializer (serde_yaml_ng) picks its own styles (`yes` unquoted, which YAML
//! 1.1 readers take for a boolean), so this is a small emitter that keeps libyaml's layout
//! state (column, indent, whether the last output was whitespace or indentation) for the
//! events Terraform produces: block mappings and sequences, empty ones as `{}` / `[]`.

use crate::lang::Value;

const BEST_INDENT: i64 = 2;
const BEST_WIDTH: usize = 80;
/// libyaml's limit on the length (bytes) of a key written as `key: value`.
const SIMPLE_KEY_MAX: usize = 128;

/// The YAML document of `v`, as Terraform's `yamlencode` returns it.
pub fn yaml_text(v: &Value) -> String {
    let mut e = Emitter {
        out: String::new(),
        column: 0,
        indent: -1,
        indents: Vec::new(),
        whitespace: true,
        indention: true,
        open_ended: false,
    };
    e.node(v, Ctx::ROOT);
    // Implicit document end, then the stream end (`...` after a plain root scalar).
    e.write_indent();
    if e.open_ended {
        e.indicator("...", true, false, false);
        e.write_indent();
    }
    e.out
}

/// Where a node is written, as libyaml's emitter tracks it.
#[derive(Clone, Copy)]
struct Ctx {
    root: bool,
    mapping: bool,
    simple_key: bool,
}

impl Ctx {
    const ROOT: Ctx = Ctx {
        root: true,
        mapping: false,
        simple_key: false,
    };
    const ITEM: Ctx = Ctx {
        root: false,
        mapping: false,
        simple_key: false,
    };
    const VALUE: Ctx = Ctx {
        root: false,
        mapping: true,
        simple_key: false,
    };
    const KEY: Ctx = Ctx {
        root: false,
        mapping: true,
        simple_key: true,
    };
}

struct Emitter {
    out: String,
    /// In characters, as libyaml counts for line folding.
    column: usize,
    indent: i64,
    indents: Vec<i64>,
    /// The last thing written was whitespace (no separating space needed).
    whitespace: bool,
    /// Only indentation has been written on this line so far.
    indention: bool,
    /// The document needs an explicit end marker.
    open_ended: bool,
}

enum Style {
    Plain,
    DoubleQuoted,
    Literal,
}

impl Emitter {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn indicator(
        &mut self,
        s: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        s.chars().for_each(|c| self.put(c));
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
        self.open_ended = false;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn node(&mut self, v: &Value, ctx: Ctx) {
        match v.peel() {
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) if xs.is_empty() => {
                self.empty("[", "]")
            }
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => self.sequence(xs, ctx),
            Value::Map(m) | Value::Object(m) if m.is_empty() => self.empty("{", "}"),
            Value::Map(m) | Value::Object(m) => {
                self.increase_indent(false, false);
                for (k, v) in m.iter() {
                    self.write_indent();
                    if k.len() <= SIMPLE_KEY_MAX && !analyze(k).multiline {
                        self.string(k, Ctx::KEY);
                        self.indicator(":", false, false, false);
                    } else {
                        self.indicator("?", true, false, true);
                        self.string(k, Ctx::VALUE);
                        self.write_indent();
                        self.indicator(":", true, false, true);
                    }
                    self.node(v, Ctx::VALUE);
                }
                self.pop_indent();
            }
            Value::String(s) => self.string(s, ctx),
            Value::Bool(b) => self.scalar(if *b { "true" } else { "false" }, Style::Plain, ctx),
            // Full decimal, never an exponent; zero unsigned.
            Value::Number(n) if n.signum() == 0 => self.scalar("0", Style::Plain, ctx),
            Value::Number(n) => self.scalar(&n.to_string(), Style::Plain, ctx),
            // Null; unknown and sensitive values never reach a function's encoder.
            _ => self.scalar("null", Style::Plain, ctx),
        }
    }

    fn sequence(&mut self, xs: &[Value], ctx: Ctx) {
        self.increase_indent(false, ctx.mapping && !self.indention);
        for x in xs {
            self.write_indent();
            self.indicator("-", true, false, true);
            self.node(x, Ctx::ITEM);
        }
        self.pop_indent();
    }

    fn empty(&mut self, open: &str, close: &str) {
        self.indicator(open, true, true, false);
        self.indicator(close, false, false, false);
    }

    fn string(&mut self, s: &str, ctx: Ctx) {
        let a = analyze(s);
        let style = if s.contains('\n') && a.block_allowed && !ctx.simple_key {
            Style::Literal
        } else {
            Style::DoubleQuoted
        };
        self.scalar(s, style, ctx);
    }

    fn scalar(&mut self, s: &str, style: Style, ctx: Ctx) {
        self.increase_indent(true, false);
        match style {
            Style::Plain => {
                if !self.whitespace {
                    self.put(' ');
                }
                s.chars().for_each(|c| self.put(c));
                self.whitespace = false;
                self.indention = false;
                if ctx.root {
                    self.open_ended = true;
                }
            }
            Style::DoubleQuoted => self.double_quoted(s, !ctx.simple_key),
            Style::Literal => self.literal(s),
        }
        self.pop_indent();
    }

    fn double_quoted(&mut self, s: &str, allow_breaks: bool) {
        self.indicator("\"", true, false, false);
        // libyaml checks for a byte-order mark at the start of the value for every
        // character, so a value starting with one is escaped whole.
        let bom = s.starts_with('\u{feff}');
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if !printable(c) || bom || is_break(c) || c == '"' || c == '\\' {
                self.escape(c);
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i + 1 < chars.len()
                {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
            i += 1;
        }
        self.indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn escape(&mut self, c: char) {
        self.put('\\');
        let short = match c {
            '\0' => Some('0'),
            '\u{7}' => Some('a'),
            '\u{8}' => Some('b'),
            '\t' => Some('t'),
            '\n' => Some('n'),
            '\u{b}' => Some('v'),
            '\u{c}' => Some('f'),
            '\r' => Some('r'),
            '\u{1b}' => Some('e'),
            '"' => Some('"'),
            '\\' => Some('\\'),
            '\u{85}' => Some('N'),
            '\u{a0}' => Some('_'),
            '\u{2028}' => Some('L'),
            '\u{2029}' => Some('P'),
            _ => None,
        };
        if let Some(s) = short {
            self.put(s);
            return;
        }
        let v = c as u32;
        let (tag, digits) = match v {
            0..=0xFF => ('x', 2),
            0x100..=0xFFFF => ('u', 4),
            _ => ('U', 8),
        };
        self.put(tag);
        for d in format!("{v:0digits$X}").chars() {
            self.put(d);
        }
    }

    fn literal(&mut self, s: &str) {
        self.indicator("|", true, false, false);
        let first = s.chars().next();
        if first.is_some_and(|c| c == ' ' || is_break(c)) {
            self.indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        let mut rev = s.chars().rev();
        let chomp = match (rev.next(), rev.next()) {
            (Some(last), _) if !is_break(last) => Some("-"),
            (Some(_), None) => Some("+"),
            (Some(_), Some(before)) if is_break(before) => Some("+"),
            _ => None,
        };
        if let Some(h) = chomp {
            self.indicator(h, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in s.chars() {
            if is_break(c) {
                if c == '\n' {
                    self.put_break();
                } else {
                    self.out.push(c);
                    self.column = 0;
                }
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// What libyaml's scalar analysis decides for the styles Terraform asks for.
struct Analysis {
    multiline: bool,
    block_allowed: bool,
}

fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis {
            multiline: false,
            block_allowed: false,
        };
    }
    let mut line_breaks = false;
    let mut special = false;
    let mut space_break = false;
    let mut previous_space = false;
    for c in s.chars() {
        special |= !printable(c);
        if c == ' ' {
            previous_space = true;
        } else if is_break(c) {
            line_breaks = true;
            space_break |= previous_space;
            previous_space = false;
        } else {
            previous_space = false;
        }
    }
    Analysis {
        multiline: line_breaks,
        block_allowed: !s.ends_with(' ') && !space_break && !special,
    }
}

/// libyaml's printable set (tab and everything outside the BMP are not).
fn printable(c: char) -> bool {
    matches!(c as u32, 0x0A | 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD) && c != '\u{feff}'
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
#[path = "yaml_emit_tests.rs"]
mod tests;
