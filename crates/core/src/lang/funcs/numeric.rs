//! Numeric functions.

use super::args::{self, err};
use super::{Arity, FuncContext, FuncError, Ret, Spec};
use crate::lang::{Number, Value};

type R = Result<Value, FuncError>;

pub(super) const SPECS: &[Spec] = &[
    Spec::new("abs", Arity::Exact(1), Ret::Number, abs),
    Spec::new("ceil", Arity::Exact(1), Ret::Number, ceil),
    Spec::new("floor", Arity::Exact(1), Ret::Number, floor),
    Spec::new("log", Arity::Exact(2), Ret::Number, log),
    Spec::new("max", Arity::AtLeast(1), Ret::Number, max),
    Spec::new("min", Arity::AtLeast(1), Ret::Number, min),
    Spec::new("parseint", Arity::Exact(2), Ret::Number, parseint),
    Spec::new("pow", Arity::Exact(2), Ret::Number, pow),
    Spec::new("signum", Arity::Exact(1), Ret::Number, signum),
];

fn abs(args: Vec<Value>, _: &FuncContext) -> R {
    Ok(Value::Number(args::number(&args, 0)?.abs()))
}

fn ceil(args: Vec<Value>, _: &FuncContext) -> R {
    Ok(Value::Number(args::number(&args, 0)?.ceil()))
}

fn floor(args: Vec<Value>, _: &FuncContext) -> R {
    Ok(Value::Number(args::number(&args, 0)?.floor()))
}

/// Terraform's `signum` takes whole numbers only.
fn signum(args: Vec<Value>, _: &FuncContext) -> R {
    let x = args::integer(&args, 0)?;
    Ok(Value::int(x.signum()))
}

/// An f64 result (cty's `pow` and `log` compute in float64): an infinity is a number (which
/// `jsonencode` refuses), NaN is no number and fails the call.
fn float_result(r: f64, what: impl FnOnce() -> String) -> R {
    Number::from_f64(r)
        .map(Value::Number)
        .ok_or_else(|| FuncError::Other(what()))
}

fn pow(args: Vec<Value>, _: &FuncContext) -> R {
    let base = args::number(&args, 0)?.to_f64();
    let exp = args::number(&args, 1)?.to_f64();
    float_result(super::gopow::pow(base, exp), || {
        format!("{base} to the power {exp} is not a real number")
    })
}

/// The logarithm of `num` in `base`, in f64 as cty computes it: `log(0, 10)` is -Inf.
fn log(args: Vec<Value>, _: &FuncContext) -> R {
    let (num, base) = (
        args::number(&args, 0)?.to_f64(),
        args::number(&args, 1)?.to_f64(),
    );
    float_result(num.ln() / base.ln(), || {
        format!("the logarithm of {num} in base {base} is not a real number")
    })
}

/// `min`/`max`: the first argument the comparison prefers, itself (with its precision).
fn fold(args: &[Value], prefer: std::cmp::Ordering) -> R {
    let mut acc = args::number(args, 0)?;
    for i in 1..args.len() {
        let x = args::number(args, i)?;
        if x.cmp_num(&acc) == prefer {
            acc = x;
        }
    }
    Ok(Value::Number(acc))
}

fn max(args: Vec<Value>, _: &FuncContext) -> R {
    fold(&args, std::cmp::Ordering::Greater)
}

fn min(args: Vec<Value>, _: &FuncContext) -> R {
    fold(&args, std::cmp::Ordering::Less)
}

/// Parses an integer in base 2 to 62. Above base 36, lower-case letters are 10–35 and
/// upper-case 36–61 (Go's big-integer convention, which Terraform uses).
fn parseint(args: Vec<Value>, _: &FuncContext) -> R {
    let s = args::string(&args, 0)?;
    let base = args::integer(&args, 1)?;
    if !(2..=62).contains(&base) {
        return Err(err(
            1,
            "base must be a whole number between 2 and 62 inclusive",
        ));
    }
    let fail = || err(0, format!("cannot parse \"{s}\" as a base {base} integer"));
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    if digits.is_empty() {
        return Err(fail());
    }
    // Any size: Terraform parses into a big integer.
    let mut acc = dashu_int::IBig::ZERO;
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as i64 - '0' as i64,
            'a'..='z' => c as i64 - 'a' as i64 + 10,
            'A'..='Z' if base <= 36 => c as i64 - 'A' as i64 + 10,
            'A'..='Z' => c as i64 - 'A' as i64 + 36,
            _ => return Err(fail()),
        };
        if d >= base {
            return Err(fail());
        }
        acc = acc * dashu_int::IBig::from(base) + dashu_int::IBig::from(d);
    }
    if neg {
        acc = -acc;
    }
    Ok(Value::Number(Number::from_big_int(&acc)))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{arg_err, n, ok, s};

    #[test]
    fn arithmetic() {
        assert_eq!(ok("abs", vec![n(-12.4)]), n(12.4));
        assert_eq!(ok("ceil", vec![n(4.1)]), n(5.0));
        assert_eq!(ok("floor", vec![n(-4.1)]), n(-5.0));
        assert_eq!(ok("pow", vec![n(3.0), n(2.0)]), n(9.0));
        assert_eq!(ok("pow", vec![n(4.0), n(0.0)]), n(1.0));
        assert_eq!(ok("signum", vec![n(-13.0)]), n(-1.0));
        assert_eq!(ok("signum", vec![n(0.0)]), n(0.0));
        assert_eq!(ok("max", vec![n(12.0), n(54.0), n(3.0)]), n(54.0));
        assert_eq!(ok("min", vec![n(12.0), s("-3"), n(3.0)]), n(-3.0));
        assert!(arg_err("max", vec![n(1.0), s("x")]).contains("number"));
    }

    #[test]
    fn parseint_bases() {
        assert_eq!(ok("parseint", vec![s("100"), n(10.0)]), n(100.0));
        assert_eq!(ok("parseint", vec![s("FF"), n(16.0)]), n(255.0));
        assert_eq!(ok("parseint", vec![s("-10"), n(16.0)]), n(-16.0));
        assert_eq!(
            ok("parseint", vec![s("1011111011101111"), n(2.0)]),
            n(48879.0)
        );
        assert_eq!(ok("parseint", vec![s("aA"), n(62.0)]), n(656.0));
        assert_eq!(
            arg_err("parseint", vec![s("12"), n(2.0)]),
            "cannot parse \"12\" as a base 2 integer"
        );
        assert!(arg_err("parseint", vec![s("1"), n(63.0)]).contains("between 2 and 62"));
    }
}
