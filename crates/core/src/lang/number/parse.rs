//! Decimal text to a [`Float`] as cty's `ParseNumberVal` reads it: Go's
//! `big.ParseFloat(s, 10, 512, ToNearestEven)`. That is not always correctly rounded, so its
//! steps are followed: the digits as one exact integer, then one multiplication or division
//! by 5^k, where 5^k is exact up to 5^27 and beyond is built by squaring at 576 bits.

use super::float::Float;
use dashu_int::UBig;

/// The precision cty parses numbers at.
pub(crate) const PARSE_PREC: u32 = 512;

/// Go's exponent range (`MinExp`..`MaxExp` of `big.Float`) for the binary exponent.
const MAX_EXP: i64 = i32::MAX as i64;

/// `s` as Go's `ParseFloat` in base 10 reads it: an optional sign, digits with at most one
/// `.`, an optional `e`/`E` (decimal) or `p`/`P` (binary) exponent; or `Inf`/`inf` with an
/// optional sign. Nothing else, no spaces.
pub(crate) fn parse(s: &str, prec: u32) -> Option<Float> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body == "Inf" || body == "inf" {
        return Some(Float::inf(neg));
    }
    let end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (mantissa, exponent) = body.split_at(end);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.len() + frac.len() == 0 || frac.contains('.') {
        return None;
    }
    let (exp, binary) = match exponent.as_bytes().first() {
        None => (0, false),
        Some(b'e' | b'E') => (exponent_digits(&exponent[1..])?, false),
        Some(b'p' | b'P') => (exponent_digits(&exponent[1..])?, true),
        Some(_) => return None,
    };
    let digits = format!("{int}{frac}");
    let mant = UBig::from_str_radix(&digits, 10).ok()?;
    if mant.is_zero() {
        return Some(Float::zero(neg, prec));
    }
    // The digits after the point and a decimal exponent are powers of ten: 2^k * 5^k.
    let frac_len = frac.len() as i64;
    let exp5 = if binary { -frac_len } else { exp - frac_len };
    let exp2 = exp5 + if binary { exp } else { 0 };
    if exp2.abs() > MAX_EXP {
        return None;
    }
    let x = Float::exact(neg, mant, exp2);
    if exp5 == 0 {
        return Some(x.with_prec(prec));
    }
    let p = pow5(exp5.unsigned_abs(), prec + 64);
    let r = if exp5 < 0 {
        x.quo(&p, prec)
    } else {
        x.mul(&p, prec)
    };
    r.ok()
}

/// A signed decimal exponent (Go accepts at most what an int64 holds).
fn exponent_digits(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// 5^n as Go's parser computes it at precision `prec`: exact from a table up to 5^27, then
/// by binary powering with the factor kept at `prec + 64` bits.
fn pow5(n: u64, prec: u32) -> Float {
    const TABLE_MAX: u64 = 27;
    let exact = |k: u64| Float::exact(false, UBig::from(5u8).pow(k as usize), 0);
    if n <= TABLE_MAX {
        return exact(n).with_prec(prec);
    }
    let mut z = exact(TABLE_MAX).with_prec(prec);
    let mut f = exact(1).with_prec(prec + 64);
    let mut n = n - TABLE_MAX;
    while n > 0 {
        if n & 1 != 0 {
            z = z.mul(&f, prec).unwrap_or(z);
        }
        n >>= 1;
        if n > 0 {
            f = f.mul(&f, prec + 64).unwrap_or(f);
        }
    }
    z
}

#[cfg(test)]
mod tests {
    use super::super::text::text;
    use super::*;

    fn show(s: &str) -> Option<String> {
        parse(s, PARSE_PREC).map(|f| text(&f, b'f', -1))
    }

    #[test]
    fn reads_go_syntax() {
        assert_eq!(show("1.5").as_deref(), Some("1.5"));
        assert_eq!(show("0.1").as_deref(), Some("0.1"));
        assert_eq!(show("-0").as_deref(), Some("-0"));
        assert_eq!(show(".5").as_deref(), Some("0.5"));
        assert_eq!(show("5.").as_deref(), Some("5"));
        assert_eq!(show("1e3").as_deref(), Some("1000"));
        assert_eq!(show("1p4").as_deref(), Some("16"));
        assert_eq!(show("+Inf").as_deref(), Some("+Inf"));
        assert_eq!(show("1e400").map(|s| s.len()), Some(401));
        for bad in [
            "", ".", "1e", "1.2.3", " 1", "0x10", "1_0", "e5", "nan", "infinity",
        ] {
            assert_eq!(show(bad), None, "{bad:?}");
        }
    }
}
