//! A model of Go's `big.Float`, the number inside every cty value: a sign, a binary
//! mantissa, an exponent and a precision in bits, with infinities and a signed zero, every
//! operation rounded to nearest-even at the precision its caller gives (Go: the receiver's).
//! Results are those of exact arithmetic correctly rounded, as Go's are.

use dashu_int::ops::{BitTest, DivRem, UnsignedAbs};
use dashu_int::{IBig, Sign, UBig};
use std::cmp::Ordering;

/// Zero, a finite nonzero value, or an infinity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    Zero,
    Finite,
    Inf,
}

/// `(-1)^neg * mant * 2^exp` when finite; `mant` is odd (no trailing zero bits) and has at
/// most `prec` bits.
#[derive(Clone, Debug)]
pub(crate) struct Float {
    pub(crate) neg: bool,
    pub(crate) form: Form,
    pub(crate) mant: UBig,
    pub(crate) exp: i64,
    pub(crate) prec: u32,
}

/// An operation without a real result (Go panics with `big.ErrNaN`): `Inf - Inf`, `0 * Inf`,
/// `0 / 0`, `Inf / Inf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NaN;

impl Float {
    pub(crate) fn zero(neg: bool, prec: u32) -> Float {
        Float {
            neg,
            form: Form::Zero,
            mant: UBig::ZERO,
            exp: 0,
            prec,
        }
    }

    pub(crate) fn inf(neg: bool) -> Float {
        // An infinity's precision changes no result; cty's come from `SetFloat64`.
        Float {
            neg,
            form: Form::Inf,
            mant: UBig::ZERO,
            exp: 0,
            prec: 53,
        }
    }

    /// `mant * 2^exp` (plus a nonzero amount below its last bit when `sticky`), rounded.
    pub(crate) fn finite(neg: bool, mant: UBig, exp: i64, sticky: bool, prec: u32) -> Float {
        if mant.is_zero() {
            return Float::zero(neg, prec);
        }
        let (mant, exp) = round(mant, exp, sticky, prec);
        // Go's exponent is an int32: beyond it a value overflows to an infinity or zero.
        let top = exp + mant.bit_len() as i64;
        if top > i32::MAX as i64 {
            return Float::inf(neg);
        }
        if top < i32::MIN as i64 {
            return Float::zero(neg, prec);
        }
        Float {
            neg,
            form: Form::Finite,
            mant,
            exp,
            prec,
        }
    }

    /// `mant * 2^exp` unrounded: an operand for one operation at some precision.
    pub(crate) fn exact(neg: bool, mant: UBig, exp: i64) -> Float {
        let prec = mant.bit_len().max(1) as u32;
        Float::finite(neg, mant, exp, false, prec)
    }

    /// An integer rounded to `prec` bits.
    pub(crate) fn from_int(i: &IBig, prec: u32) -> Float {
        let neg = i.sign() == Sign::Negative;
        Float::finite(neg, i.unsigned_abs(), 0, false, prec)
    }

    /// Go's `SetFloat64`: exact, precision 53 (NaN is the caller's to reject).
    pub(crate) fn from_f64(f: f64) -> Float {
        let neg = f.is_sign_negative();
        if f == 0.0 {
            return Float::zero(neg, 53);
        }
        if f.is_infinite() {
            return Float::inf(neg);
        }
        let bits = f.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1u64 << 52) - 1);
        let (mant, exp) = if biased == 0 {
            (frac, -1074)
        } else {
            (frac | (1u64 << 52), biased - 1075)
        };
        Float::finite(neg, UBig::from(mant), exp, false, 53)
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.form == Form::Zero
    }

    pub(crate) fn is_inf(&self) -> bool {
        self.form == Form::Inf
    }

    /// Whether the value is a whole number (zero is).
    pub(crate) fn is_int(&self) -> bool {
        match self.form {
            Form::Zero => true,
            Form::Finite => self.exp >= 0,
            Form::Inf => false,
        }
    }

    /// Go's `MinPrec`: the bits needed to hold the value exactly.
    pub(crate) fn min_prec(&self) -> u32 {
        match self.form {
            Form::Finite => self.mant.bit_len() as u32,
            _ => 0,
        }
    }

    /// The exponent of the leading bit: the value is in `[2^top, 2^(top+1))`.
    fn top(&self) -> i64 {
        self.exp + self.mant.bit_len() as i64 - 1
    }

    pub(crate) fn neg(mut self) -> Float {
        self.neg = !self.neg;
        self
    }

    pub(crate) fn abs(mut self) -> Float {
        self.neg = false;
        self
    }

    /// The same value rounded to `prec` bits (Go's `SetPrec`, or `Set` into a receiver of
    /// that precision).
    pub(crate) fn with_prec(self, prec: u32) -> Float {
        match self.form {
            Form::Finite => Float::finite(self.neg, self.mant, self.exp, false, prec),
            Form::Zero => Float::zero(self.neg, prec),
            Form::Inf => self,
        }
    }

    /// The integer part, truncated toward zero, and whether that lost a fraction (Go's
    /// `Int`, whose accuracy is Below for a positive and Above for a negative fraction).
    pub(crate) fn trunc(&self) -> (IBig, bool) {
        if self.form != Form::Finite {
            return (IBig::ZERO, false);
        }
        let mag = if self.exp >= 0 {
            self.mant.clone() << self.exp as usize
        } else {
            self.mant.clone() >> (-self.exp) as usize
        };
        let sign = if self.neg {
            Sign::Negative
        } else {
            Sign::Positive
        };
        (IBig::from_parts(sign, mag), self.exp < 0)
    }

    /// Go's `Cmp`: -0 equals +0.
    pub(crate) fn cmp(&self, other: &Float) -> Ordering {
        let key = |f: &Float| -> i8 {
            match (f.form, f.neg) {
                (Form::Zero, _) => 0,
                (_, true) => -1,
                (_, false) => 1,
            }
        };
        let (a, b) = (key(self), key(other));
        if a != b || a == 0 {
            return a.cmp(&b);
        }
        let mag = self.cmp_abs(other);
        if self.neg {
            mag.reverse()
        } else {
            mag
        }
    }

    /// Compares magnitudes of two nonzero values.
    fn cmp_abs(&self, other: &Float) -> Ordering {
        match (self.form, other.form) {
            (Form::Inf, Form::Inf) => return Ordering::Equal,
            (Form::Inf, _) => return Ordering::Greater,
            (_, Form::Inf) => return Ordering::Less,
            _ => {}
        }
        self.top().cmp(&other.top()).then_with(|| {
            let e = self.exp.min(other.exp);
            let a = self.mant.clone() << (self.exp - e) as usize;
            let b = other.mant.clone() << (other.exp - e) as usize;
            a.cmp(&b)
        })
    }

    /// `self + other` rounded to `prec` (Go's `Add` into a receiver of that precision).
    pub(crate) fn add(&self, other: &Float, prec: u32) -> Result<Float, NaN> {
        match (self.form, other.form) {
            (Form::Inf, Form::Inf) if self.neg != other.neg => Err(NaN),
            (Form::Inf, _) => Ok(self.clone()),
            (_, Form::Inf) => Ok(other.clone()),
            (Form::Zero, Form::Zero) => Ok(Float::zero(self.neg && other.neg, prec)),
            (Form::Zero, _) => Ok(other.clone().with_prec(prec)),
            (_, Form::Zero) => Ok(self.clone().with_prec(prec)),
            (Form::Finite, Form::Finite) => Ok(add_finite(self, other, prec)),
        }
    }

    /// `self * other` rounded to `prec`.
    pub(crate) fn mul(&self, other: &Float, prec: u32) -> Result<Float, NaN> {
        let neg = self.neg != other.neg;
        match (self.form, other.form) {
            (Form::Inf, Form::Zero) | (Form::Zero, Form::Inf) => Err(NaN),
            (Form::Inf, _) | (_, Form::Inf) => Ok(Float::inf(neg)),
            (Form::Zero, _) | (_, Form::Zero) => Ok(Float::zero(neg, prec)),
            _ => {
                let mant = &self.mant * &other.mant;
                Ok(Float::finite(neg, mant, self.exp + other.exp, false, prec))
            }
        }
    }

    /// `self / other` rounded to `prec`; a nonzero value over zero is an infinity.
    pub(crate) fn quo(&self, other: &Float, prec: u32) -> Result<Float, NaN> {
        let neg = self.neg != other.neg;
        match (self.form, other.form) {
            (Form::Zero, Form::Zero) | (Form::Inf, Form::Inf) => Err(NaN),
            (Form::Zero, _) | (_, Form::Inf) => Ok(Float::zero(neg, prec)),
            (Form::Inf, _) | (_, Form::Zero) => Ok(Float::inf(neg)),
            _ => {
                // Enough quotient bits that the remainder only decides ties (sticky).
                let (a, b) = (self.mant.bit_len() as i64, other.mant.bit_len() as i64);
                let k = (prec as i64 + 2 + b - a).max(0);
                let (q, r) = (self.mant.clone() << k as usize).div_rem(&other.mant);
                let exp = self.exp - other.exp - k;
                Ok(Float::finite(neg, q, exp, !r.is_zero(), prec))
            }
        }
    }

    /// Go's `Float64`: the nearest f64 (ties to even), infinite beyond its range.
    pub(crate) fn to_f64(&self) -> f64 {
        let sign = if self.neg { -1.0 } else { 1.0 };
        match self.form {
            Form::Zero => return sign * 0.0,
            Form::Inf => return sign * f64::INFINITY,
            Form::Finite => {}
        }
        let top = self.top();
        if top > 1023 {
            return sign * f64::INFINITY;
        }
        // Normal numbers keep 53 bits; subnormals fewer, down to the 2^-1074 unit.
        let bits = if top >= -1022 { 53 } else { top + 1075 };
        if bits <= 0 {
            // Below half the smallest subnormal rounds to zero; above it, up to it.
            let half = bits == 0 && self.mant.bit_len() > 1;
            return sign * if half { f64::from_bits(1) } else { 0.0 };
        }
        let r = self.clone().with_prec(bits as u32);
        if r.top() > 1023 {
            return sign * f64::INFINITY;
        }
        let m = u64::try_from(&r.mant).unwrap_or(0) as f64;
        sign * scale(m, r.exp)
    }
}

/// `m * 2^e` in f64 arithmetic, exact for a result in range (steps keep intermediates so).
fn scale(mut m: f64, mut e: i64) -> f64 {
    while e > 0 {
        let s = e.min(1000);
        m *= f64::powi(2.0, s as i32);
        e -= s;
    }
    while e < 0 {
        let s = (-e).min(1000);
        m /= f64::powi(2.0, s as i32);
        e += s;
    }
    m
}

/// The sum of two finite nonzero values. An operand entirely below the rounding position of
/// the other is replaced by a single bit there (same sign, same side of every rounding
/// boundary), which gives the same result as the exact sum without shifting by the gap.
fn add_finite(x: &Float, y: &Float, prec: u32) -> Float {
    let (x, y) = if x.top() >= y.top() { (x, y) } else { (y, x) };
    let floor = x.exp.min(x.top() - prec as i64 - 1) - 2;
    let (ymant, yexp) = if y.top() < floor {
        (UBig::ONE, floor)
    } else {
        (y.mant.clone(), y.exp)
    };
    let e = x.exp.min(yexp);
    let a = x.mant.clone() << (x.exp - e) as usize;
    let b = ymant << (yexp - e) as usize;
    if x.neg == y.neg {
        return Float::finite(x.neg, a + b, e, false, prec);
    }
    match a.cmp(&b) {
        // An exact zero difference is +0 when rounding to nearest.
        Ordering::Equal => Float::zero(false, prec),
        Ordering::Greater => Float::finite(x.neg, a - b, e, false, prec),
        Ordering::Less => Float::finite(y.neg, b - a, e, false, prec),
    }
}

/// Rounds `mant * 2^exp` (with `sticky`: plus something below its last bit) to `prec` bits,
/// ties to even; returns an odd mantissa and its exponent.
fn round(mant: UBig, exp: i64, sticky: bool, prec: u32) -> (UBig, i64) {
    let len = mant.bit_len();
    let (mut q, mut exp) = if len > prec as usize {
        let shift = len - prec as usize;
        let half = mant.bit(shift - 1);
        let below = sticky || mant.trailing_zeros().is_some_and(|tz| tz < shift - 1);
        let mut q = mant >> shift;
        if half && (below || q.bit(0)) {
            q += UBig::ONE;
        }
        (q, exp + shift as i64)
    } else {
        (mant, exp)
    };
    // A carry out of the top (all ones rounded up) is a power of two: trimmed below.
    let tz = q.trailing_zeros().unwrap_or(0);
    if tz > 0 {
        q >>= tz;
        exp += tz as i64;
    }
    (q, exp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64) -> Float {
        Float::from_f64(x)
    }

    #[test]
    fn rounds_to_nearest_even() {
        // 2^53 + 1 is a tie between 2^53 and 2^53 + 2 at 53 bits: even wins.
        let x = Float::from_int(&IBig::from((1i64 << 53) + 1), 53);
        assert_eq!(x.to_f64(), 9007199254740992.0);
        let x = Float::from_int(&IBig::from((1i64 << 53) + 3), 53);
        assert_eq!(x.to_f64(), 9007199254740996.0);
        let third = f(1.0).quo(&f(3.0), 53).unwrap();
        assert_eq!(third.to_f64(), 1.0 / 3.0);
        let sum = f(0.1).add(&f(0.2), 53).unwrap();
        assert_eq!(sum.to_f64(), 0.1 + 0.2);
        assert_eq!(f(0.1).mul(&f(3.0), 53).unwrap().to_f64(), 0.1 * 3.0);
    }

    #[test]
    fn far_apart_operands_round_as_the_exact_sum() {
        let big = Float::finite(false, UBig::ONE, 4000, false, 64);
        let sum = big.add(&f(1.0), 64).unwrap();
        assert_eq!(sum.cmp(&big), Ordering::Equal);
        // 1 + 2^-64 is a tie at 64 bits; a far smaller operand decides it either way.
        let tie = Float::finite(false, (UBig::ONE << 64) + UBig::ONE, -64, false, 65);
        let tiny = Float::finite(false, UBig::ONE, -3000, false, 64);
        let up = tie.add(&tiny, 64).unwrap();
        assert_eq!(
            (up.mant.clone(), up.exp),
            ((UBig::ONE << 63) + UBig::ONE, -63)
        );
        let down = tie.add(&tiny.neg(), 64).unwrap();
        assert_eq!(down.cmp(&f(1.0)), Ordering::Equal);
        assert_eq!(
            tie.add(&Float::zero(false, 64), 64).unwrap().cmp(&f(1.0)),
            Ordering::Equal
        );
    }

    #[test]
    fn zeros_infinities_and_nan() {
        let z = Float::zero(false, 64);
        assert!(z.neg().mul(&f(5.0), 64).unwrap().neg);
        assert!(!f(1.0).add(&f(-1.0), 64).unwrap().neg);
        assert_eq!(
            Float::inf(false).add(&Float::inf(true), 64).err(),
            Some(NaN)
        );
        assert!(f(1.0).quo(&Float::zero(true, 64), 64).unwrap().is_inf());
        assert_eq!(f(-1e-320).to_f64(), -1e-320);
        assert_eq!(f(f64::MAX).to_f64(), f64::MAX);
    }
}
