//! String functions. Positions and lengths count characters, not bytes, as Terraform's do.

use super::args::{self, err};
use super::{Arity, FuncContext, FuncError, Prim, Ret, Spec};
use crate::lang::Value;
use unicode_segmentation::UnicodeSegmentation;

type R = Result<Value, FuncError>;

pub(super) const SPECS: &[Spec] = &[
    Spec::new("chomp", Arity::Exact(1), Ret::String, chomp),
    Spec::new("endswith", Arity::Exact(2), Ret::Bool, endswith),
    Spec::new("indent", Arity::Exact(2), Ret::String, indent),
    Spec::new("join", Arity::AtLeast(2), Ret::String, join),
    Spec::new("lower", Arity::Exact(1), Ret::String, lower),
    Spec::new("split", Arity::Exact(2), Ret::ListOf(Prim::String), split),
    Spec::new("startswith", Arity::Exact(2), Ret::Bool, startswith),
    Spec::new("strcontains", Arity::Exact(2), Ret::Bool, strcontains),
    Spec::new("strrev", Arity::Exact(1), Ret::String, strrev),
    Spec::new("substr", Arity::Exact(3), Ret::String, substr),
    Spec::new("title", Arity::Exact(1), Ret::String, title),
    Spec::new("trim", Arity::Exact(2), Ret::String, trim),
    Spec::new("trimprefix", Arity::Exact(2), Ret::String, trimprefix),
    Spec::new("trimspace", Arity::Exact(1), Ret::String, trimspace),
    Spec::new("trimsuffix", Arity::Exact(2), Ret::String, trimsuffix),
    Spec::new("upper", Arity::Exact(1), Ret::String, upper),
];

fn one_string(args: &[Value], f: impl FnOnce(&str) -> String) -> R {
    Ok(Value::String(f(&args::string(args, 0)?)))
}

fn join(args: Vec<Value>, _: &FuncContext) -> R {
    let sep = args::string(&args, 0)?;
    let mut parts = Vec::new();
    for i in 1..args.len() {
        for (k, v) in args::seq(&args, i)?.iter().enumerate() {
            if v.is_null() {
                return Err(err(
                    i,
                    format!("element {k} is null; cannot concatenate null values"),
                ));
            }
            parts.push(args::str_of(v, i)?);
        }
    }
    Ok(Value::String(parts.join(&sep)))
}

/// Go's `strings.Split`: an empty separator splits into characters.
fn split(args: Vec<Value>, _: &FuncContext) -> R {
    let sep = args::string(&args, 0)?;
    let s = args::string(&args, 1)?;
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        s.split(sep.as_str()).map(Value::from).collect()
    };
    Ok(Value::List(parts))
}

fn lower(args: Vec<Value>, _: &FuncContext) -> R {
    one_string(&args, |s| s.chars().map(simple_lower).collect())
}

fn upper(args: Vec<Value>, _: &FuncContext) -> R {
    one_string(&args, |s| s.chars().map(simple_upper).collect())
}

/// Go's per-rune case mapping, which Terraform uses: a letter whose full mapping is several
/// characters (`ß` → `SS`) stays as it is, and `Σ` never becomes a final `ς`.
fn simple_upper(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// The one lower-case mapping of several characters, `İ` → `i̇`, is `i` in Go.
fn simple_lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Go's title case: like upper case except for the digraphs `ǅ`, `ǈ`, `ǋ` and `ǲ`.
fn simple_title(c: char) -> char {
    match c {
        '\u{1C4}'..='\u{1C6}' => '\u{1C5}',
        '\u{1C7}'..='\u{1C9}' => '\u{1C8}',
        '\u{1CA}'..='\u{1CC}' => '\u{1CB}',
        '\u{1F1}'..='\u{1F3}' => '\u{1F2}',
        _ => simple_upper(c),
    }
}

/// Upper-cases the first letter of each word; letters, digits and `_` form words, as in
/// Go's `strings.Title`.
fn title(args: Vec<Value>, _: &FuncContext) -> R {
    one_string(&args, |s| {
        let mut out = String::with_capacity(s.len());
        let mut prev_sep = true;
        for c in s.chars() {
            if prev_sep {
                out.push(simple_title(c));
            } else {
                out.push(c);
            }
            prev_sep = !(c.is_alphanumeric() || c == '_');
        }
        out
    })
}

fn trimspace(args: Vec<Value>, _: &FuncContext) -> R {
    one_string(&args, |s| s.trim().to_string())
}

fn trim(args: Vec<Value>, _: &FuncContext) -> R {
    let s = args::string(&args, 0)?;
    let cutset: Vec<char> = args::string(&args, 1)?.chars().collect();
    Ok(Value::from(s.trim_matches(cutset.as_slice())))
}

fn trimprefix(args: Vec<Value>, _: &FuncContext) -> R {
    let s = args::string(&args, 0)?;
    let p = args::string(&args, 1)?;
    Ok(Value::from(s.strip_prefix(p.as_str()).unwrap_or(&s)))
}

fn trimsuffix(args: Vec<Value>, _: &FuncContext) -> R {
    let s = args::string(&args, 0)?;
    let p = args::string(&args, 1)?;
    Ok(Value::from(s.strip_suffix(p.as_str()).unwrap_or(&s)))
}

/// Removes all trailing newlines (`\n`, `\r\n` or `\r`).
fn chomp(args: Vec<Value>, _: &FuncContext) -> R {
    one_string(&args, |s| s.trim_end_matches(['\n', '\r']).to_string())
}

/// Indents every line but the first, for embedding multi-line text in indented output.
fn indent(args: Vec<Value>, _: &FuncContext) -> R {
    let n = args::integer(&args, 0)?;
    if !(0..=10_000).contains(&n) {
        return Err(err(0, "the number of spaces must be between 0 and 10000"));
    }
    let s = args::string(&args, 1)?;
    let pad = format!("\n{}", " ".repeat(n as usize));
    Ok(Value::String(s.replace('\n', &pad)))
}

/// `substr(s, offset, length)`: a negative offset counts from the end, length -1 (or any
/// length past the end) means "to the end". Offsets count grapheme clusters, as in
/// Terraform: `e` with a combining accent is one.
fn substr(args: Vec<Value>, _: &FuncContext) -> R {
    let s = args::string(&args, 0)?;
    let offset = args::integer(&args, 1)?;
    let length = args::integer(&args, 2)?;
    let chars: Vec<&str> = s.graphemes(true).collect();
    let total = chars.len() as i64;
    let start = if offset < 0 {
        (total + offset).max(0)
    } else {
        offset.min(total)
    };
    let end = if length < 0 {
        total
    } else {
        start.saturating_add(length).min(total)
    };
    Ok(Value::String(chars[start as usize..end as usize].concat()))
}

fn startswith(args: Vec<Value>, _: &FuncContext) -> R {
    let s = args::string(&args, 0)?;
    Ok(Value::Bool(s.starts_with(&args::string(&args, 1)?)))
}

fn strcontains(args: Vec<Value>, _: &FuncContext) -> R {
    let s = args::string(&args, 0)?;
    Ok(Value::Bool(s.contains(&args::string(&args, 1)?)))
}

fn endswith(args: Vec<Value>, _: &FuncContext) -> R {
    let s = args::string(&args, 0)?;
    Ok(Value::Bool(s.ends_with(&args::string(&args, 1)?)))
}

/// Reverses the grapheme clusters, so a letter keeps its combining marks (as Terraform).
fn strrev(args: Vec<Value>, _: &FuncContext) -> R {
    one_string(&args, |s| s.graphemes(true).rev().collect())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{arg_err, list, n, ok, s, strs};
    use crate::lang::Value;

    #[test]
    fn join_and_split() {
        assert_eq!(
            ok("join", vec![s(", "), strs(&["foo", "bar"]), strs(&["baz"])]),
            s("foo, bar, baz")
        );
        assert_eq!(
            ok("join", vec![s("-"), list(vec![n(1.0), Value::Bool(true)])]),
            s("1-true")
        );
        assert!(arg_err("join", vec![s(","), list(vec![Value::Null])]).contains("null"));
        assert!(arg_err("join", vec![s(","), list(vec![strs(&["a"])])]).contains("list"));
        assert_eq!(
            ok("split", vec![s(","), s("foo,bar,baz")]),
            strs(&["foo", "bar", "baz"])
        );
        assert_eq!(ok("split", vec![s(","), s("")]), strs(&[""]));
        assert_eq!(ok("split", vec![s(""), s("ab")]), strs(&["a", "b"]));
    }

    #[test]
    fn case_and_trimming() {
        assert_eq!(ok("upper", vec![s("hello")]), s("HELLO"));
        assert_eq!(ok("lower", vec![s("АЛЛО!")]), s("алло!"));
        assert_eq!(
            ok("title", vec![s("hello world-wide web_x")]),
            s("Hello World-Wide Web_x")
        );
        assert_eq!(ok("trimspace", vec![s("  hello\n\n")]), s("hello"));
        assert_eq!(ok("trim", vec![s("?!hello?!"), s("!?")]), s("hello"));
        assert_eq!(
            ok("trimprefix", vec![s("helloworld"), s("hello")]),
            s("world")
        );
        assert_eq!(
            ok("trimprefix", vec![s("hellohello"), s("hello")]),
            s("hello")
        );
        assert_eq!(
            ok("trimsuffix", vec![s("helloworld"), s("world")]),
            s("hello")
        );
        assert_eq!(ok("chomp", vec![s("hello\r\n\n")]), s("hello"));
        assert_eq!(ok("chomp", vec![s("a\nb")]), s("a\nb"));
    }

    #[test]
    fn indent_substr_and_friends() {
        assert_eq!(
            ok("indent", vec![n(2.0), s("[\n  foo,\n  bar,\n]\n")]),
            s("[\n    foo,\n    bar,\n  ]\n  ")
        );
        assert_eq!(
            ok("substr", vec![s("hello world"), n(1.0), n(4.0)]),
            s("ello")
        );
        assert_eq!(ok("substr", vec![s("🤔🤷"), n(0.0), n(1.0)]), s("🤔"));
        assert_eq!(
            ok("substr", vec![s("hello world"), n(-5.0), n(-1.0)]),
            s("world")
        );
        assert_eq!(ok("substr", vec![s("hello"), n(3.0), n(100.0)]), s("lo"));
        assert_eq!(ok("substr", vec![s("hello"), n(10.0), n(1.0)]), s(""));
        assert_eq!(
            ok("startswith", vec![s("hello"), s("he")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("endswith", vec![s("hello"), s("he")]),
            Value::Bool(false)
        );
        assert_eq!(ok("strrev", vec![s("héllo")]), s("olléh"));
    }
}
