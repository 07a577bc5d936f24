//! Number verbs of `format`, matching Go's `fmt` output (`%e` prints `1.5e+00`, `%g`
//! switches to exponent form outside 1e-4..1e6 for shortest output, ...).

use super::{pad_with, Directive};

/// Formats `x` for an integer or floating-point verb, padded to the directive's width.
pub(super) fn format(d: &Directive, x: f64) -> Result<String, String> {
    let sign = if x.is_sign_negative() && x != 0.0 {
        "-"
    } else if d.flags.plus {
        "+"
    } else if d.flags.space {
        " "
    } else {
        ""
    };
    let abs = x.abs();
    let (body, zero) = match d.verb {
        'd' | 'b' | 'o' | 'x' | 'X' => (integer(d, abs)?, d.flags.zero && d.prec.is_none()),
        'f' | 'F' => (format!("{:.*}", d.prec.unwrap_or(6), abs), d.flags.zero),
        'e' | 'E' => (
            exponent(abs, d.prec.unwrap_or(6), d.verb == 'E'),
            d.flags.zero,
        ),
        _ => (general(d, abs), d.flags.zero),
    };
    Ok(pad_with(d, zero, sign, &body))
}

fn integer(d: &Directive, abs: f64) -> Result<String, String> {
    if abs.fract() != 0.0 || !abs.is_finite() || abs >= 1.7e38 {
        return Err(format!("an integer is required, got {abs}"));
    }
    let v = abs as u128;
    let (mut digits, prefix) = match d.verb {
        'b' => (format!("{v:b}"), "0b"),
        'o' => (format!("{v:o}"), "0"),
        'x' => (format!("{v:x}"), "0x"),
        'X' => (format!("{v:X}"), "0X"),
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

/// `%e`: mantissa with `prec` decimals and a signed, at-least-two-digit exponent.
fn exponent(abs: f64, prec: usize, upper: bool) -> String {
    split_exp(&format!("{abs:.prec$e}"), upper)
}

/// Rewrites Rust's `1.5e3` into Go's `1.5e+03`.
fn split_exp(rust: &str, upper: bool) -> String {
    let (mant, exp) = rust.split_once('e').unwrap_or((rust, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let e = if upper { 'E' } else { 'e' };
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mant}{e}{sign}{:02}", exp.abs())
}

fn exp_of(rust_exp: &str) -> i32 {
    rust_exp
        .split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0)
}

/// `%g`: exponent form for large or small exponents, plain otherwise, without trailing
/// zeros (unless `#`).
fn general(d: &Directive, abs: f64) -> String {
    let upper = d.verb == 'G';
    match d.prec {
        None => {
            let shortest = format!("{abs:e}");
            let exp = exp_of(&shortest);
            if !(-4..6).contains(&exp) {
                split_exp(&shortest, upper)
            } else {
                abs.to_string()
            }
        }
        Some(p) => {
            let p = p.max(1);
            let exp = exp_of(&format!("{abs:.*e}", p - 1));
            let s = if exp < -4 || exp >= p as i32 {
                let s = format!("{abs:.*e}", p - 1);
                let (mant, e) = s.split_once('e').unwrap_or((&s, "0"));
                let mant = if d.flags.sharp {
                    mant.to_string()
                } else {
                    trim_zeros(mant)
                };
                return split_exp(&format!("{mant}e{e}"), upper);
            } else {
                format!("{abs:.*}", (p as i32 - 1 - exp).max(0) as usize)
            };
            if d.flags.sharp {
                s
            } else {
                trim_zeros(&s)
            }
        }
    }
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
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
