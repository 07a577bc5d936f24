//! `format` and `formatlist`: Go-style `printf` verbs as Terraform supports them
//! (`%v %#v %t %s %q %d %b %o %x %X %e %E %f %g %G %%`), with flags (`-+ 0#`), width,
//! precision and explicit argument indexes (`%[2]s`).

mod number;

use super::args::{err, prim_str};
use super::encoding::json_text;
use super::{Arity, FuncContext, FuncError, Prim, Ret, Spec};
use crate::lang::Value;

type R = Result<Value, FuncError>;

/// Largest width or precision accepted, so a typo cannot allocate gigabytes.
const MAX_WIDTH: usize = 10_000;

pub(super) const SPECS: &[Spec] = &[
    Spec::new("format", Arity::AtLeast(1), Ret::String, format).nulls(),
    Spec::new(
        "formatlist",
        Arity::AtLeast(1),
        Ret::ListOf(Prim::String),
        formatlist,
    )
    .nulls(),
];

fn format(args: Vec<Value>, _: &FuncContext) -> R {
    let spec = spec_arg(&args)?;
    let vals: Vec<&Value> = args[1..].iter().collect();
    Ok(Value::String(render(&spec, &vals)?))
}

/// Formats once per element of the list arguments; other arguments repeat on every line.
fn formatlist(args: Vec<Value>, _: &FuncContext) -> R {
    let spec = spec_arg(&args)?;
    let mut len: Option<(usize, usize)> = None;
    for (i, a) in args.iter().enumerate().skip(1) {
        if let Some(xs) = a.as_seq() {
            match len {
                Some((n, j)) if n != xs.len() => {
                    return Err(err(
                        i,
                        format!(
                            "argument {} has length {}, which is inconsistent with argument {} \
                             of length {n}",
                            i,
                            xs.len(),
                            j
                        ),
                    ))
                }
                None => len = Some((xs.len(), i)),
                _ => {}
            }
        }
    }
    let rows = len.map_or(1, |(n, _)| n);
    let mut out = Vec::with_capacity(rows);
    for row in 0..rows {
        let vals: Vec<&Value> = args[1..]
            .iter()
            .map(|a| a.as_seq().map_or(a, |xs| &xs[row]))
            .collect();
        out.push(Value::String(render(&spec, &vals)?));
    }
    Ok(Value::List(out))
}

fn spec_arg(args: &[Value]) -> Result<String, FuncError> {
    match &args[0] {
        Value::Null => Err(err(0, "format string must not be null")),
        v => prim_str(v)
            .ok_or_else(|| err(0, format!("format string required, got {}", v.type_name()))),
    }
}

#[derive(Default, Debug)]
struct Flags {
    minus: bool,
    plus: bool,
    zero: bool,
    space: bool,
    sharp: bool,
}

/// One parsed `%...` directive.
#[derive(Debug)]
struct Directive {
    flags: Flags,
    width: Option<usize>,
    prec: Option<usize>,
    verb: char,
    /// Byte offset of the `%` in the format string, for messages.
    at: usize,
    /// The directive's text, e.g. `%-5s`, for messages.
    text: String,
}

/// A position in the format string.
struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn digits(&mut self) -> Option<usize> {
        let mut n: Option<usize> = None;
        while let Some(c @ '0'..='9') = self.peek() {
            self.bump();
            n = Some(n.unwrap_or(0).saturating_mul(10) + (c as usize - '0' as usize));
        }
        n
    }

    /// An explicit argument index `[n]` (1-based in the text, 0-based here).
    fn index(&mut self) -> Result<Option<usize>, ()> {
        if self.peek() != Some('[') {
            return Ok(None);
        }
        self.bump();
        match (self.digits(), self.bump()) {
            (Some(n), Some(']')) if n > 0 => Ok(Some(n - 1)),
            _ => Err(()),
        }
    }
}

/// Parses the directive whose `%` is at `at` (the cursor is just past it); returns it with
/// its explicit argument index, if any.
fn parse(c: &mut Cursor, at: usize) -> Result<(Directive, Option<usize>), FuncError> {
    let mut flags = Flags::default();
    while let Some(f @ ('-' | '+' | '0' | ' ' | '#')) = c.peek() {
        c.bump();
        match f {
            '-' => flags.minus = true,
            '+' => flags.plus = true,
            '0' => flags.zero = true,
            ' ' => flags.space = true,
            _ => flags.sharp = true,
        }
    }
    let bad_index = |c: &Cursor| {
        err(
            0,
            format!("invalid argument index in \"{}\" at {at}", &c.s[at..c.pos]),
        )
    };
    let mut explicit = c.index().map_err(|_| bad_index(c))?;
    let width = c.digits();
    let prec = if c.peek() == Some('.') {
        c.bump();
        Some(c.digits().unwrap_or(0))
    } else {
        None
    };
    if let Some(i) = c.index().map_err(|_| bad_index(c))? {
        explicit = Some(i);
    }
    if width.max(prec).is_some_and(|n| n > MAX_WIDTH) {
        return Err(err(
            0,
            format!(
                "width or precision in \"{}\" exceeds {MAX_WIDTH}",
                &c.s[at..c.pos]
            ),
        ));
    }
    let Some(verb) = c.bump() else {
        return Err(err(0, format!("unterminated format verb at {at}")));
    };
    let text = c.s[at..c.pos].to_string();
    Ok((
        Directive {
            flags,
            width,
            prec,
            verb,
            at,
            text,
        },
        explicit,
    ))
}

/// Renders `spec` against `args` (errors refer to the arguments as positions 1.. of the
/// call, the format string being 0).
fn render(spec: &str, args: &[&Value]) -> Result<String, FuncError> {
    let mut out = String::new();
    let mut next = 0usize;
    let mut used = 0usize;
    let mut c = Cursor { s: spec, pos: 0 };
    loop {
        let at = c.pos;
        let Some(ch) = c.bump() else { break };
        if ch != '%' {
            out.push(ch);
            continue;
        }
        let (d, explicit) = parse(&mut c, at)?;
        if d.verb == '%' {
            out.push('%');
            continue;
        }
        let i = explicit.unwrap_or(next);
        let Some(arg) = args.get(i) else {
            return Err(err(
                0,
                format!(
                    "not enough arguments for \"{}\" at {at}: need index {} but have {} total",
                    d.text,
                    i + 1,
                    args.len()
                ),
            ));
        };
        next = i + 1;
        used = used.max(next);
        let body = verb(&d, arg).map_err(|m| {
            err(
                i + 1,
                format!("unsupported value for \"{}\" at {}: {m}", d.text, d.at),
            )
        })?;
        out.push_str(&body);
    }
    if used < args.len() {
        return Err(FuncError::Other(format!(
            "too many arguments; only {used} used by format string"
        )));
    }
    Ok(out)
}

/// Formats one argument for one directive, padded to its width.
fn verb(d: &Directive, arg: &Value) -> Result<String, String> {
    if arg.is_null() {
        return Err("null value cannot be formatted".into());
    }
    let text = match d.verb {
        'v' if d.flags.sharp => json_text(arg),
        'v' => match arg {
            Value::String(s) => s.clone(),
            // cty: Go's `Text('g', -1)` (`1e+21`).
            Value::Number(n) => n.go_text(b'g', None),
            Value::Bool(b) => b.to_string(),
            other => json_text(other),
        },
        's' => truncate(&string(arg)?, d.prec),
        'q' => quote(&truncate(&string(arg)?, d.prec)),
        't' => match arg {
            Value::Bool(b) => b.to_string(),
            Value::String(s) if s == "true" || s == "false" => s.clone(),
            other => return Err(format!("bool required, got {}", other.type_name())),
        },
        'd' | 'b' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
            return number::format(d, &num(arg)?);
        }
        v => return Err(format!("unsupported format verb %{v}")),
    };
    Ok(pad(d, "", &text))
}

/// Pads `sign` + `body` to the directive's width: left-justified with `-`, otherwise
/// space-filled on the left.
fn pad(d: &Directive, sign: &str, body: &str) -> String {
    pad_with(d, false, sign, body)
}

/// Like [`pad`], zero-filling after the sign when `zero` (numbers with the `0` flag).
fn pad_with(d: &Directive, zero: bool, sign: &str, body: &str) -> String {
    let len = sign.chars().count() + body.chars().count();
    let fill = d.width.unwrap_or(0).saturating_sub(len);
    if d.flags.minus {
        format!("{sign}{body}{}", " ".repeat(fill))
    } else if zero {
        format!("{sign}{}{body}", "0".repeat(fill))
    } else {
        format!("{}{sign}{body}", " ".repeat(fill))
    }
}

fn string(arg: &Value) -> Result<String, String> {
    prim_str(arg).ok_or_else(|| format!("string required, got {}", arg.type_name()))
}

fn num(arg: &Value) -> Result<crate::lang::Number, String> {
    match arg {
        Value::Number(n) => Ok(n.clone()),
        Value::String(s) => crate::lang::Number::parse(s)
            .ok_or_else(|| format!("a number is required, got \"{s}\"")),
        other => Err(format!("a number is required, got {}", other.type_name())),
    }
}

fn truncate(s: &str, prec: Option<usize>) -> String {
    match prec {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_string(),
    }
}

/// Quotes like Go's `strconv.Quote`.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{arg_err, list, n, ok, run, s, strs};
    use crate::lang::Value;

    fn f(spec: &str, args: Vec<Value>) -> String {
        let mut all = vec![s(spec)];
        all.extend(args);
        match ok("format", all) {
            Value::String(s) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn terraform_examples() {
        assert_eq!(f("Hello, %s!", vec![s("Ander")]), "Hello, Ander!");
        assert_eq!(f("There are %d lights", vec![n(4.0)]), "There are 4 lights");
        assert_eq!(
            f("%-5s|%05.1f", vec![s("a"), n(std::f64::consts::PI)]),
            "a    |003.1"
        );
        assert_eq!(f("%.2f", vec![n(2.0 / 3.0)]), "0.67");
        assert_eq!(
            f("%5d|%-4d|%+d", vec![n(42.0), n(7.0), n(3.0)]),
            "   42|7   |+3"
        );
        assert_eq!(f("%t %v %%", vec![Value::Bool(true), n(1.5)]), "true 1.5 %");
        assert_eq!(f("%q", vec![s("a\"b\n")]), "\"a\\\"b\\n\"");
        assert_eq!(f("%v %#v", vec![strs(&["a"]), s("x")]), "[\"a\"] \"x\"");
        assert_eq!(f("%[2]s %[1]s %s", vec![s("a"), s("b")]), "b a b");
        assert_eq!(
            f(
                "%x %X %o %b %#x",
                vec![n(255.0), n(255.0), n(8.0), n(5.0), n(255.0)]
            ),
            "ff FF 10 101 0xff"
        );
        assert_eq!(f("%s", vec![n(12.0)]), "12");
        assert_eq!(f("%.3s|%6.2f", vec![s("abcdef"), n(-1.5)]), "abc| -1.50");
    }

    #[test]
    fn errors_name_the_verb() {
        assert!(arg_err("format", vec![s("%d"), s("x")]).contains("\"%d\""));
        assert!(arg_err("format", vec![s("%d"), n(1.5)]).contains("\"%d\""));
        assert!(arg_err("format", vec![s("%s %s"), s("x")]).contains("not enough arguments"));
        assert!(arg_err("format", vec![s("%z"), s("x")]).contains("%z"));
        assert!(arg_err("format", vec![s("%s"), strs(&["a"])]).contains("string required"));
        assert!(arg_err("format", vec![s("%s"), Value::Null]).contains("null"));
        assert!(run("format", vec![s("%s"), s("a"), s("b")]).is_err());
        assert!(arg_err("format", vec![s("50%")]).contains("unterminated"));
        assert!(arg_err("format", vec![s("%99999999999d"), n(1.0)]).contains("exceeds"));
    }

    #[test]
    fn formatlist_iterates_lists() {
        assert_eq!(
            ok(
                "formatlist",
                vec![
                    s("Hello, %s!"),
                    strs(&["Valentina", "Ander", "Olivia", "Sam"])
                ]
            ),
            strs(&[
                "Hello, Valentina!",
                "Hello, Ander!",
                "Hello, Olivia!",
                "Hello, Sam!"
            ])
        );
        assert_eq!(
            ok(
                "formatlist",
                vec![
                    s("%s, %s!"),
                    s("Salutations"),
                    strs(&["Valentina", "Ander"])
                ]
            ),
            strs(&["Salutations, Valentina!", "Salutations, Ander!"])
        );
        assert!(arg_err(
            "formatlist",
            vec![s("%s%s"), strs(&["a"]), list(vec![s("b"), s("c")])]
        )
        .contains("inconsistent"));
        assert_eq!(ok("formatlist", vec![s("%s"), s("x")]), strs(&["x"]));
    }
}
