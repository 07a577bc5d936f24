//! Decimal text of a [`Float`] as Go's `big.Float.Text` writes it: cty's `tostring` and
//! `jsonencode` use `Text('f', -1)`, `format("%v")` uses `Text('g', -1)`, and `%e`/`%f`/`%g`
//! with a precision round the exact decimal expansion (ties to even). Precision -1 asks for
//! the fewest digits that still read back as the same value at the value's own precision,
//! which is why `0.1 + 0.2` prints `0.3` at 512 bits but an f64 result of `pow` prints 17
//! digits at most.

use super::float::{Float, Form};
use dashu_int::ops::BitTest;
use dashu_int::UBig;

/// The decimal `0.d1d2d3... * 10^exp` with ASCII digits and no trailing zeros (empty for 0).
#[derive(Clone, Debug, PartialEq)]
struct Decimal {
    digits: Vec<u8>,
    exp: i64,
}

impl Decimal {
    /// The exact decimal of `mant * 2^exp`.
    fn of(mant: &UBig, exp: i64) -> Decimal {
        if mant.is_zero() {
            return Decimal {
                digits: Vec::new(),
                exp: 0,
            };
        }
        let (int, frac_digits) = if exp >= 0 {
            (mant.clone() << exp as usize, 0)
        } else {
            // m / 2^k = m * 5^k / 10^k.
            let k = (-exp) as usize;
            (mant * UBig::from(5u8).pow(k), k as i64)
        };
        let text = int.to_string();
        let exp = text.len() as i64 - frac_digits;
        let mut d = Decimal {
            digits: text.into_bytes(),
            exp,
        };
        d.trim();
        d
    }

    fn at(&self, i: usize) -> u8 {
        self.digits.get(i).copied().unwrap_or(b'0')
    }

    fn trim(&mut self) {
        while self.digits.last() == Some(&b'0') {
            self.digits.pop();
        }
        if self.digits.is_empty() {
            self.exp = 0;
        }
    }

    /// Rounds to `n` digits, ties to even (a tie only when the digit is a final 5).
    fn round(&mut self, n: i64) {
        if n < 0 || n >= self.digits.len() as i64 {
            return;
        }
        let i = n as usize;
        let up = if self.digits[i] == b'5' && i + 1 == self.digits.len() {
            i > 0 && (self.digits[i - 1] - b'0') % 2 == 1
        } else {
            self.digits[i] >= b'5'
        };
        if up {
            self.round_up(n)
        } else {
            self.round_down(n)
        }
    }

    fn round_up(&mut self, n: i64) {
        if n < 0 || n >= self.digits.len() as i64 {
            return;
        }
        let mut i = n as usize;
        while i > 0 && self.digits[i - 1] == b'9' {
            i -= 1;
        }
        if i == 0 {
            self.digits = vec![b'1'];
            self.exp += 1;
        } else {
            self.digits[i - 1] += 1;
            self.digits.truncate(i);
        }
    }

    fn round_down(&mut self, n: i64) {
        if n < 0 || n >= self.digits.len() as i64 {
            return;
        }
        self.digits.truncate(n as usize);
        self.trim();
    }

    /// Cuts `self` (the exact decimal of `x`) to the shortest digits that lie within half
    /// an ulp of `x` at its precision, walking digit by digit against the decimals of the
    /// two half-ulp bounds as Go does (its digit-index comparison included).
    fn shortest(&mut self, x: &Float) {
        if self.digits.is_empty() {
            return;
        }
        // x = mant * 2^exp with prec + 1 bits, so the bounds are mant ± 1.
        let shift = x.prec as i64 + 1 - x.mant.bit_len() as i64;
        let mant = if shift >= 0 {
            x.mant.clone() << shift as usize
        } else {
            x.mant.clone() >> (-shift) as usize
        };
        let exp = x.exp - shift;
        let lower = Decimal::of(&(&mant - UBig::ONE), exp);
        let upper = Decimal::of(&(&mant + UBig::ONE), exp);
        // The bounds are outputs too only if the mantissa is even (ties round to it).
        let inclusive = !mant.bit(1);
        for i in 0..self.digits.len() {
            let (l, m, u) = (lower.at(i), self.digits[i], upper.at(i));
            let down = l != m || inclusive && i + 1 == lower.digits.len();
            let up = m != u && (inclusive || m + 1 < u || i + 1 < upper.digits.len());
            let n = i as i64 + 1;
            match (down, up) {
                (true, true) => return self.round(n),
                (true, false) => return self.round_down(n),
                (false, true) => return self.round_up(n),
                (false, false) => {}
            }
        }
    }
}

/// `x` in Go's format `fmt` (`'e'`, `'E'`, `'f'`, `'g'`, `'G'`) with `prec` digits (-1:
/// shortest), signed as Go signs it (`-0`, `+Inf`).
pub(crate) fn text(x: &Float, fmt: u8, prec: i64) -> String {
    let mut out = String::new();
    if x.neg {
        out.push('-');
    }
    if x.form == Form::Inf {
        if !x.neg {
            out.push('+');
        }
        out.push_str("Inf");
        return out;
    }
    let mut d = if x.form == Form::Finite {
        Decimal::of(&x.mant, x.exp)
    } else {
        Decimal::of(&UBig::ZERO, 0)
    };
    let shortest = prec < 0;
    let mut prec = prec;
    let len = |d: &Decimal| d.digits.len() as i64;
    if shortest {
        d.shortest(x);
        prec = match fmt {
            b'e' | b'E' => len(&d) - 1,
            b'f' => (len(&d) - d.exp).max(0),
            _ => len(&d),
        };
    } else {
        match fmt {
            b'e' | b'E' => d.round(1 + prec),
            b'f' => d.round(d.exp + prec),
            _ => {
                prec = prec.max(1);
                d.round(prec);
            }
        }
    }
    match fmt {
        b'e' | b'E' => fmt_e(&mut out, fmt, prec, &d),
        b'f' => fmt_f(&mut out, prec, &d),
        _ => general(&mut out, fmt, prec, shortest, &d),
    }
    out
}

/// `%g`: `%e` for exponents below -4 or from the precision up (6 when shortest), else `%f`.
fn general(out: &mut String, fmt: u8, mut prec: i64, shortest: bool, d: &Decimal) {
    let len = d.digits.len() as i64;
    let mut eprec = prec;
    if eprec > len && len >= d.exp {
        eprec = len;
    }
    if shortest {
        eprec = 6;
    }
    let exp = d.exp - 1;
    if exp < -4 || exp >= eprec {
        prec = prec.min(len);
        return fmt_e(out, fmt + b'e' - b'g', prec - 1, d);
    }
    if prec > d.exp {
        prec = len;
    }
    fmt_f(out, (prec - d.exp).max(0), d)
}

/// `d.ddddde±dd`.
fn fmt_e(out: &mut String, fmt: u8, prec: i64, d: &Decimal) {
    out.push(d.digits.first().copied().unwrap_or(b'0') as char);
    if prec > 0 {
        out.push('.');
        for i in 1..=prec as usize {
            out.push(d.at(i) as char);
        }
    }
    out.push(fmt as char);
    let exp = if d.digits.is_empty() { 0 } else { d.exp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", exp.abs()));
}

/// `ddd.ddd`, the integer part padded with zeros.
fn fmt_f(out: &mut String, prec: i64, d: &Decimal) {
    if d.exp > 0 {
        for i in 0..d.exp as usize {
            out.push(d.at(i) as char);
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 0..prec {
            let at = d.exp + i;
            out.push(if at < 0 {
                '0'
            } else {
                d.at(at as usize) as char
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go(x: f64, fmt: u8, prec: i64) -> String {
        text(&Float::from_f64(x), fmt, prec)
    }

    #[test]
    fn shortest_at_the_values_precision() {
        assert_eq!(go(0.1, b'f', -1), "0.1");
        assert_eq!(go(0.1 + 0.2, b'f', -1), "0.30000000000000004");
        assert_eq!(go(1e23, b'f', -1), "100000000000000000000000");
        assert_eq!(
            go(2f64.powi(100), b'f', -1),
            "1267650600228229400000000000000"
        );
        assert_eq!(go(-0.0, b'f', -1), "-0");
        assert_eq!(go(1.0, b'f', -1), "1");
        assert_eq!(go(f64::NEG_INFINITY, b'f', -1), "-Inf");
        // At 512 bits the exact f64 value of 0.1 is itself the shortest.
        let wide = Float::from_f64(0.1).with_prec(512);
        assert_eq!(
            text(&wide, b'f', -1),
            "0.1000000000000000055511151231257827021181583404541015625"
        );
    }

    #[test]
    fn go_verbs() {
        assert_eq!(go(1e21, b'g', -1), "1e+21");
        assert_eq!(go(123456.0, b'g', -1), "123456");
        assert_eq!(go(1234567.0, b'g', -1), "1.234567e+06");
        assert_eq!(go(0.000012345, b'g', -1), "1.2345e-05");
        assert_eq!(go(1234.5678, b'e', 6), "1.234568e+03");
        assert_eq!(go(2.5, b'f', 0), "2");
        assert_eq!(go(3.5, b'f', 0), "4");
        assert_eq!(go(1.23456, b'f', 2), "1.23");
        assert_eq!(go(0.0001, b'f', 1), "0.0");
        assert_eq!(go(0.09, b'f', 1), "0.1");
        assert_eq!(go(std::f64::consts::PI, b'g', 3), "3.14");
        assert_eq!(go(0.0, b'e', 2), "0.00e+00");
    }
}
