//! Number verbs of `format`, as cty formats them with Go's `fmt`: integer verbs print the
//! exact integer (`%d` of `1e20` is all 21 digits), float verbs Go's `big.Float` text of the
//! exact value (`%e` prints `1.5e+00`, `%.1f` rounds the exact decimal expansion, ties to
//! even; `%g` without a precision is the shortest form).

use super::{pad_with, Directive};
use crate::lang::Number;
use dashu_int::ops::UnsignedAbs;

/// Formats `x` for an integer or floating-point verb, padded to the directive's width.
pub(super) fn format(d: &Directive, x: &Number) -> Result<String, String> {
    let integer_verb = matches!(d.verb, 'd' | 'b' | 'o' | 'x' | 'X');
    // Integers print their sign; floats Go's sign bit, so -0 is `-0.000000`.
    let negative = if integer_verb {
        x.signum() < 0
    } else {
        x.is_sign_negative()
    };
    let sign = if negative {
        "-"
    } else if x.is_infinite() {
        if d.flags.space {
            " "
        } else {
            "+"
        }
    } else if d.flags.plus {
        "+"
    } else if d.flags.space {
        " "
    } else {
        ""
    };
    let abs = x.abs();
    let (body, zero) = match d.verb {
        'd' | 'b' | 'o' | 'x' | 'X' => (integer(d, &abs)?, d.flags.zero && d.prec.is_none()),
        'f' | 'F' => (abs.go_text(b'f', Some(d.prec.unwrap_or(6))), d.flags.zero),
        'e' | 'E' => (
            abs.go_text(d.verb as u8, Some(d.prec.unwrap_or(6))),
            d.flags.zero,
        ),
        _ => (abs.go_text(d.verb as u8, d.prec), d.flags.zero),
    };
    let body = body.trim_start_matches('+').to_string();
    Ok(pad_with(d, zero && !x.is_infinite(), sign, &body))
}

fn integer(d: &Directive, abs: &Number) -> Result<String, String> {
    let Some(v) = abs.to_big_int() else {
        return Err(format!("an integer is required, got {abs}"));
    };
    let v = v.unsigned_abs();
    let (mut digits, prefix) = match d.verb {
        'b' => (v.in_radix(2).to_string(), "0b"),
        'o' => (v.in_radix(8).to_string(), "0"),
        'x' => (v.in_radix(16).to_string(), "0x"),
        'X' => (v.in_radix(16).to_string().to_uppercase(), "0X"),
        _ => (v.to_string(), ""),
    };
    if let Some(p) = d.prec {
        if digits.len() < p {
            digits = format!("{}{digits}", "0".repeat(p - digits.len()));
        }
    }
    Ok(if d.flags.sharp {
        format!("{prefix}{digits}")
    } else {
        digits
    })
}

#[cfg(test)]
mod tests {
    use super::super::super::tests::{n, ok, s};
    use crate::lang::Value;

    fn f(spec: &str, x: f64) -> Value {
        ok("format", vec![s(spec), n(x)])
    }

    #[test]
    fn floats_like_go() {
        assert_eq!(f("%e", 1500.0), s("1.500000e+03"));
        assert_eq!(f("%.2E", 0.000123), s("1.23E-04"));
        assert_eq!(f("%g", 1500.0), s("1500"));
        assert_eq!(f("%g", 1e6), s("1e+06"));
        assert_eq!(f("%g", 0.00001), s("1e-05"));
        assert_eq!(f("%g", 0.5), s("0.5"));
        assert_eq!(f("%.3g", std::f64::consts::PI), s("3.14"));
        assert_eq!(f("%.2g", 1234.0), s("1.2e+03"));
        assert_eq!(f("%f", 1.0), s("1.000000"));
        assert_eq!(f("%+.1f", 2.25), s("+2.2"));
        assert_eq!(f("%08.3f", -3.5), s("-003.500"));
        assert_eq!(f("%.3d", 7.0), s("007"));
        assert_eq!(f("%d", -12.0), s("-12"));
    }
}
