//! Numbers as Terraform has them. A cty number is a Go `big.Float`: binary, with its own
//! precision in bits (512 for a parsed literal, `tonumber` or `jsondecode`; 64 for a count or
//! length; 53 for an f64 result of `pow` or `log`), every result rounded to nearest-even at
//! the larger precision of its operands, and printed with the fewest digits that read back
//! as the same value at that precision. So `0.1 + 0.2` is `0.3`, `1/3` has 155 digits,
//! integers of any size are exact, and `-0` keeps its sign.
//!
//! Why not a library float: `dashu-float` comes closest (binary, a precision per value,
//! nearest-even) but its addition may leave a guard bit beyond the precision, it has no
//! shortest-digits output, and Go's parser and cty's product are not the correctly rounded
//! operations a library offers. So the model of `big.Float` here is small and follows Go
//! (`float.rs`, `parse.rs`, `text.rs`) over the integers of `dashu-int`, a well-kept pure-Rust
//! big-integer crate.
//!
//! Cost: the common number is a small integer. It is held inline with its precision and
//! added, subtracted, multiplied, divided and compared in `i64` while the exact result fits
//! (checked arithmetic; anything else goes to the big path, which gives the same results).

mod float;
mod parse;
mod text;

use dashu_int::IBig;
use float::{Float, Form};
use std::cmp::Ordering;
use std::fmt;

pub use float::NaN;

/// Precision of integers from counts, lengths and indexes (cty's `NumberIntVal`).
const INT_PREC: u32 = 64;

/// A Terraform number: see the module documentation.
#[derive(Clone)]
pub struct Number(Repr);

#[derive(Clone)]
enum Repr {
    /// An integer exact at `prec` bits: `prec >= 64`, or `|v| <= 2^53` at 53 bits. Never -0.
    Small {
        v: i64,
        prec: u32,
    },
    Big(Box<Float>),
}

fn small_ok(v: i64, prec: u32) -> bool {
    prec >= INT_PREC || v.unsigned_abs() <= 1 << 53
}

impl Number {
    /// An integer as cty's `NumberIntVal` makes it (64 bits of precision).
    pub fn int(v: i64) -> Number {
        Number(Repr::Small { v, prec: INT_PREC })
    }

    /// An f64 as cty's `NumberFloatVal` makes it (53 bits); `None` for NaN.
    pub fn from_f64(f: f64) -> Option<Number> {
        if f.is_nan() {
            return None;
        }
        if f.fract() == 0.0
            && f.abs() <= 9_007_199_254_740_992.0
            && !(f == 0.0 && f.is_sign_negative())
        {
            return Some(Number(Repr::Small {
                v: f as i64,
                prec: 53,
            }));
        }
        Some(Number::of(Float::from_f64(f)))
    }

    /// Decimal text as cty's `ParseNumberVal` reads it (number literals, `tonumber`,
    /// `jsondecode`, variables): `None` if it is not a number.
    pub fn parse(s: &str) -> Option<Number> {
        let digits = s.strip_prefix('-').unwrap_or(s);
        if (1..=18).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            let v: i64 = s.parse().ok()?;
            if v != 0 || !s.starts_with('-') {
                return Some(Number(Repr::Small {
                    v,
                    prec: parse::PARSE_PREC,
                }));
            }
        }
        parse::parse(s, parse::PARSE_PREC).map(Number::of)
    }

    /// A big integer as Go's `SetInt` stores it: `max(64, bit length)` bits, exact.
    pub fn from_big_int(i: &IBig) -> Number {
        use dashu_int::ops::{BitTest, UnsignedAbs};
        let prec = (i.unsigned_abs().bit_len() as u32).max(INT_PREC);
        Number::of(Float::from_int(i, prec))
    }

    fn of(f: Float) -> Number {
        let small = match f.form {
            Form::Zero if !f.neg => Some(0),
            Form::Finite if f.exp >= 0 && f.exp < 63 => {
                let m = i64::try_from(&f.mant).ok();
                m.and_then(|m| m.checked_mul(1 << f.exp))
                    .map(|m| if f.neg { -m } else { m })
            }
            _ => None,
        };
        match small {
            Some(v) if small_ok(v, f.prec) => Number(Repr::Small { v, prec: f.prec }),
            _ => Number(Repr::Big(Box::new(f))),
        }
    }

    fn float(&self) -> std::borrow::Cow<'_, Float> {
        match &self.0 {
            Repr::Small { v, prec } => {
                std::borrow::Cow::Owned(Float::from_int(&IBig::from(*v), *prec))
            }
            Repr::Big(f) => std::borrow::Cow::Borrowed(f),
        }
    }

    fn prec(&self) -> u32 {
        match &self.0 {
            Repr::Small { prec, .. } => *prec,
            Repr::Big(f) => f.prec,
        }
    }

    /// The nearest f64 (lossy: for providers' numeric attributes and `pow`/`log`).
    pub fn to_f64(&self) -> f64 {
        match &self.0 {
            Repr::Small { v, .. } => *v as f64,
            Repr::Big(f) => f.to_f64(),
        }
    }

    /// The value if it is a whole number that fits an i64 (exactly; -0 is 0).
    pub fn as_i64(&self) -> Option<i64> {
        match &self.0 {
            Repr::Small { v, .. } => Some(*v),
            Repr::Big(f) if f.is_int() => i64::try_from(f.trunc().0).ok(),
            Repr::Big(_) => None,
        }
    }

    /// The value if it is a whole number, of any size.
    pub fn to_big_int(&self) -> Option<IBig> {
        match &self.0 {
            Repr::Small { v, .. } => Some(IBig::from(*v)),
            Repr::Big(f) if f.is_int() => Some(f.trunc().0),
            Repr::Big(_) => None,
        }
    }

    pub fn is_int(&self) -> bool {
        matches!(&self.0, Repr::Small { .. }) || matches!(&self.0, Repr::Big(f) if f.is_int())
    }

    pub fn is_infinite(&self) -> bool {
        matches!(&self.0, Repr::Big(f) if f.is_inf())
    }

    /// -1, 0 or 1 (Go's `Sign`: -0 is 0).
    pub fn signum(&self) -> i8 {
        match &self.0 {
            Repr::Small { v, .. } => v.signum() as i8,
            Repr::Big(f) if f.is_zero() => 0,
            Repr::Big(f) => {
                if f.neg {
                    -1
                } else {
                    1
                }
            }
        }
    }

    /// The sign bit: true for negative numbers and for -0.
    pub fn is_sign_negative(&self) -> bool {
        match &self.0 {
            Repr::Small { v, .. } => *v < 0,
            Repr::Big(f) => f.neg,
        }
    }

    /// Go's `Cmp`: numeric order, -0 equal to 0.
    pub fn cmp_num(&self, other: &Number) -> Ordering {
        match (&self.0, &other.0) {
            (Repr::Small { v: a, .. }, Repr::Small { v: b, .. }) => a.cmp(b),
            _ => self.float().cmp(&other.float()),
        }
    }

    pub fn neg(&self) -> Number {
        match &self.0 {
            Repr::Small { v, prec } if *v != 0 && *v != i64::MIN => {
                Number(Repr::Small { v: -v, prec: *prec })
            }
            _ => Number::of(self.float().into_owned().neg()),
        }
    }

    pub fn abs(&self) -> Number {
        match &self.0 {
            Repr::Small { v, prec } if *v != i64::MIN => Number(Repr::Small {
                v: v.abs(),
                prec: *prec,
            }),
            _ => Number::of(self.float().into_owned().abs()),
        }
    }

    /// `a + b` (cty's `Add`); an error only for opposite infinities.
    pub fn add(&self, other: &Number) -> Result<Number, NaN> {
        let prec = self.prec().max(other.prec());
        if let (Repr::Small { v: a, .. }, Repr::Small { v: b, .. }) = (&self.0, &other.0) {
            if let Some(v) = a.checked_add(*b).filter(|v| small_ok(*v, prec)) {
                return Ok(Number(Repr::Small { v, prec }));
            }
        }
        self.float().add(&other.float(), prec).map(Number::of)
    }

    /// `a - b`: cty adds the negation.
    pub fn sub(&self, other: &Number) -> Result<Number, NaN> {
        self.add(&other.neg())
    }

    /// `a * b` as cty's `Multiply` has it: the product rounded at 512 bits, kept at the
    /// larger operand precision or the bits it needs, whichever is more.
    pub fn mul(&self, other: &Number) -> Result<Number, NaN> {
        let prec = self.prec().max(other.prec());
        if let (Repr::Small { v: a, .. }, Repr::Small { v: b, .. }) = (&self.0, &other.0) {
            // A zero product of a negative operand is -0: the big path.
            if let Some(v) = a
                .checked_mul(*b)
                .filter(|v| *v != 0 || (*a >= 0 && *b >= 0))
            {
                if small_ok(v, prec) {
                    return Ok(Number(Repr::Small { v, prec }));
                }
            }
        }
        let mut r = self.float().mul(&other.float(), parse::PARSE_PREC)?;
        r.prec = prec.max(r.min_prec());
        Ok(Number::of(r))
    }

    /// `a / b` (cty's `Divide`): a nonzero number over zero is an infinity, which callers
    /// that must not produce one check first.
    pub fn div(&self, other: &Number) -> Result<Number, NaN> {
        let prec = self.prec().max(other.prec());
        if let (Repr::Small { v: a, .. }, Repr::Small { v: b, .. }) = (&self.0, &other.0) {
            let exact = (*b != 0 && a.checked_rem(*b) == Some(0))
                .then(|| a.checked_div(*b))
                .flatten();
            // 0 over a negative is -0: the big path.
            if let Some(v) = exact.filter(|v| (*v != 0 || *b > 0) && small_ok(*v, prec)) {
                return Ok(Number(Repr::Small { v, prec }));
            }
        }
        self.float().quo(&other.float(), prec).map(Number::of)
    }

    /// `a % b` as cty's `Modulo` computes it: `a - b * trunc(a / b)` at `a`'s precision
    /// (the sign of the dividend); `a` itself when `b` is zero.
    pub fn rem(&self, other: &Number) -> Result<Number, NaN> {
        if self.is_infinite() || other.is_infinite() {
            return self.mul(other);
        }
        if other.signum() == 0 {
            return Ok(self.clone());
        }
        if let (Repr::Small { v: a, prec }, Repr::Small { v: b, .. }) = (&self.0, &other.0) {
            // Small enough that the rounded quotient truncates to the exact one.
            let fits = |x: i64| x.unsigned_abs() < 1 << 31;
            if fits(*a) && fits(*b) {
                return Ok(Number(Repr::Small {
                    v: a % b,
                    prec: *prec,
                }));
            }
        }
        let prec = self.prec();
        let quotient = self.div(other)?;
        let whole = Float::from_int(&quotient.float().trunc().0, prec);
        let product = other.float().mul(&whole, prec)?;
        self.float().add(&product.neg(), prec).map(Number::of)
    }

    /// cty's `floor`: the integer below, at the value's precision.
    pub fn floor(&self) -> Number {
        self.whole(|neg| neg)
    }

    /// cty's `ceil`: the integer above, at the value's precision.
    pub fn ceil(&self) -> Number {
        self.whole(|neg| !neg)
    }

    /// The truncated integer, one further from zero on the side `away(neg)` picks.
    fn whole(&self, away: impl Fn(bool) -> bool) -> Number {
        let f = self.float();
        if matches!(self.0, Repr::Small { .. }) || f.is_inf() {
            return self.clone();
        }
        let (mut i, inexact) = f.trunc();
        if inexact && away(f.neg) {
            i += if f.neg { IBig::from(-1) } else { IBig::ONE };
        }
        Number::of(Float::from_int(&i, f.prec))
    }

    /// Go's `big.Float` text in format `fmt` (`b'e'`, `b'E'`, `b'f'`, `b'g'`, `b'G'`)
    /// with `prec` digits, or the shortest that read back when `None`.
    pub fn go_text(&self, fmt: u8, prec: Option<usize>) -> String {
        text::text(&self.float(), fmt, prec.map_or(-1, |p| p as i64))
    }
}

/// cty's number equality: integers compare exactly, other numbers by their shortest text
/// (so a 512-bit 0.1 equals an f64 0.1), and -0 equals 0.
impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        if let (Repr::Small { v: a, .. }, Repr::Small { v: b, .. }) = (&self.0, &other.0) {
            return a == b;
        }
        if self.signum() != other.signum() || self.is_int() != other.is_int() {
            return false;
        }
        // At one precision the shortest text identifies the value: no need to print.
        if self.is_int() || self.prec() == other.prec() {
            return self.cmp_num(other) == Ordering::Equal;
        }
        self.to_string() == other.to_string()
    }
}

/// cty's `tostring` and `jsonencode` text: Go's `Text('f', -1)` (`-0`, `+Inf`).
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Small { v, .. } => write!(f, "{v}"),
            Repr::Big(x) => f.write_str(&text::text(x, b'f', -1)),
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({self}/{})", self.prec())
    }
}

impl From<i64> for Number {
    fn from(v: i64) -> Self {
        Number::int(v)
    }
}

impl From<u64> for Number {
    fn from(v: u64) -> Self {
        match i64::try_from(v) {
            Ok(v) => Number::int(v),
            Err(_) => Number::of(Float::from_int(&IBig::from(v), INT_PREC)),
        }
    }
}

#[cfg(test)]
mod tests;
