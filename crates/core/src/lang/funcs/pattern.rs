//! Regular-expression functions (`regex`, `regexall`) and `replace`, which switches to a
//! regular expression when its pattern is written `/.../`. The `regex` crate's syntax is
//! RE2's, the same family Terraform uses.

use super::args::{self, err};
use super::{Arity, FuncContext, FuncError, Prim, Ret, Spec};
use crate::lang::Value;
use regex::{Captures, Regex};

type R = Result<Value, FuncError>;

pub(super) const SPECS: &[Spec] = &[
    Spec::new("regex", Arity::Exact(2), Ret::Any, regex_fn),
    Spec::new(
        "regexall",
        Arity::Exact(2),
        Ret::ListOf(Prim::Any),
        regexall,
    ),
    Spec::new("replace", Arity::Exact(3), Ret::String, replace),
];

/// The shape of a pattern's results, fixed by its capture groups.
enum Shape {
    Whole,
    List,
    Named(Vec<String>),
}

fn compile(pattern: &str, index: usize) -> Result<(Regex, Shape), FuncError> {
    let re =
        Regex::new(pattern).map_err(|e| err(index, format!("invalid regular expression: {e}")))?;
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    let shape = if names.is_empty() {
        Shape::Whole
    } else if names.iter().all(Option::is_none) {
        Shape::List
    } else if names.iter().all(Option::is_some) {
        Shape::Named(names.iter().flatten().map(|s| s.to_string()).collect())
    } else {
        return Err(err(
            index,
            "invalid regular expression: cannot mix both named and unnamed capture groups",
        ));
    };
    Ok((re, shape))
}

fn group(c: &Captures, i: usize) -> Value {
    c.get(i)
        .map(|m| Value::from(m.as_str()))
        .unwrap_or(Value::Null)
}

fn result(c: &Captures, shape: &Shape) -> Value {
    match shape {
        Shape::Whole => group(c, 0),
        Shape::List => Value::Tuple((1..c.len()).map(|i| group(c, i)).collect()),
        Shape::Named(names) => Value::Object(
            names
                .iter()
                .map(|n| {
                    let v = c.name(n).map(|m| Value::from(m.as_str()));
                    (n.clone(), v.unwrap_or(Value::Null))
                })
                .collect::<crate::lang::VecMap<_, _>>(),
        ),
    }
}

fn regex_fn(args: Vec<Value>, _: &FuncContext) -> R {
    let (re, shape) = compile(&args::string(&args, 0)?, 0)?;
    let s = args::string(&args, 1)?;
    match re.captures(&s) {
        Some(c) => Ok(result(&c, &shape)),
        // Terraform fails the call here ("Error in function call"), not the argument.
        None => Err(FuncError::Other(
            "pattern did not match any part of the given string".into(),
        )),
    }
}

fn regexall(args: Vec<Value>, _: &FuncContext) -> R {
    let (re, shape) = compile(&args::string(&args, 0)?, 0)?;
    let s = args::string(&args, 1)?;
    Ok(Value::List(
        re.captures_iter(&s).map(|c| result(&c, &shape)).collect(),
    ))
}

fn replace(args: Vec<Value>, _: &FuncContext) -> R {
    let s = args::string(&args, 0)?;
    let pat = args::string(&args, 1)?;
    let with = args::string(&args, 2)?;
    if pat.len() > 1 && pat.starts_with('/') && pat.ends_with('/') {
        let re = Regex::new(&pat[1..pat.len() - 1])
            .map_err(|e| err(1, format!("invalid regular expression: {e}")))?;
        return Ok(Value::String(
            re.replace_all(&s, with.as_str()).into_owned(),
        ));
    }
    Ok(Value::String(s.replace(&pat, &with)))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{arg_err, call_err, list, ok, s, strs, tstrs};
    use crate::lang::Value;

    #[test]
    fn regex_shapes() {
        assert_eq!(
            ok(
                "regex",
                vec![s("[a-z]+"), s("53453453.345345aaabbbccc23454")]
            ),
            s("aaabbbccc")
        );
        assert_eq!(
            ok(
                "regex",
                vec![s(r"(\d\d\d\d)-(\d\d)-(\d\d)"), s("2019-02-01")]
            ),
            tstrs(&["2019", "02", "01"])
        );
        assert_eq!(
            ok(
                "regex",
                vec![
                    s(r"^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?"),
                    s("https://terraform.io/docs/")
                ]
            ),
            Value::object([("authority", s("terraform.io")), ("scheme", s("https"))])
        );
        // An optional group that did not take part is null.
        assert_eq!(
            ok("regex", vec![s("(a)|(b)"), s("b")]),
            Value::Tuple(vec![Value::Null, s("b")])
        );
        assert!(arg_err("regex", vec![s("^(?P<a>\\w+)-(\\d+)$"), s("ab-12")]).contains("mix"));
        assert!(call_err("regex", vec![s("x"), s("abc")]).contains("did not match"));
        assert!(arg_err("regex", vec![s("("), s("abc")]).contains("invalid regular expression"));
    }

    #[test]
    fn regexall_lists_every_match() {
        assert_eq!(
            ok("regexall", vec![s("[a-z]+"), s("1234abcd5678efgh9")]),
            strs(&["abcd", "efgh"])
        );
        assert_eq!(ok("regexall", vec![s("[a-z]+"), s("123")]), list(vec![]));
        assert_eq!(
            ok("regexall", vec![s(r"(\w)=(\d)"), s("a=1 b=2")]),
            list(vec![tstrs(&["a", "1"]), tstrs(&["b", "2"])])
        );
    }

    #[test]
    fn replace_plain_and_regex() {
        assert_eq!(
            ok("replace", vec![s("1 + 2 + 3"), s("+"), s("-")]),
            s("1 - 2 - 3")
        );
        assert_eq!(
            ok(
                "replace",
                vec![s("hello world"), s("/w.*d/"), s("everybody")]
            ),
            s("hello everybody")
        );
        assert_eq!(
            ok("replace", vec![s("hello world"), s("/(h)(e)/"), s("$2$1")]),
            s("ehllo world")
        );
        assert_eq!(ok("replace", vec![s("a/b"), s("/"), s("_")]), s("a_b"));
    }
}
