//! Go's `math.Pow`, which cty's `pow` calls: an integer power by repeated squaring of the
//! mantissa with the binary exponent kept apart, so `pow(10, 23)` is exactly the f64 nearest
//! 1e23 (libm's `powf` is one ulp off there). The fractional part of the power goes through
//! `exp(yf * ln x)` as Go's does.

/// `x^y` as Go computes it (NaN where Go returns NaN).
pub(super) fn pow(x: f64, y: f64) -> f64 {
    if y == 0.0 || x == 1.0 {
        return 1.0;
    }
    if y == 1.0 {
        return x;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 || x.is_infinite() || y.is_infinite() || y.abs() == 0.5 {
        // The special cases agree with IEEE powf.
        return x.powf(y);
    }
    let (yi, mut yf) = (y.abs().trunc(), y.abs().fract());
    if yf != 0.0 && x < 0.0 {
        return f64::NAN;
    }
    if yi >= 9.223_372_036_854_776e18 {
        return x.powf(y);
    }
    let mut yi = yi as i64;
    // ans = a1 * 2^ae
    let mut a1 = 1.0;
    let mut ae: i64 = 0;
    if yf != 0.0 {
        if yf > 0.5 {
            yf -= 1.0;
            yi += 1;
        }
        a1 = (yf * x.ln()).exp();
    }
    let (mut x1, mut xe) = frexp(x);
    while yi != 0 {
        if !(-(1 << 12)..=(1 << 12)).contains(&xe) {
            // Catastrophic overflow: the exponent alone decides.
            ae += xe;
            break;
        }
        if yi & 1 == 1 {
            a1 *= x1;
            ae += xe;
        }
        x1 *= x1;
        xe <<= 1;
        if x1 < 0.5 {
            x1 += x1;
            xe -= 1;
        }
        yi >>= 1;
    }
    if y < 0.0 {
        a1 = 1.0 / a1;
        ae = -ae;
    }
    ldexp(a1, ae)
}

/// `x = frac * 2^exp` with `0.5 <= |frac| < 1` (x finite, nonzero).
fn frexp(x: f64) -> (f64, i64) {
    let (x, bias) = if x.abs() < f64::MIN_POSITIVE {
        (x * (1u64 << 52) as f64, -52)
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64 - 1022 + bias;
    let frac = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (frac, exp)
}

/// `frac * 2^exp`, rounding once if the result is subnormal.
fn ldexp(frac: f64, exp: i64) -> f64 {
    if frac == 0.0 || !frac.is_finite() {
        return frac;
    }
    let (f, e) = frexp(frac);
    let exp = exp + e;
    if exp < -1074 {
        return 0.0f64.copysign(frac);
    }
    if exp > 1024 {
        return f64::INFINITY.copysign(frac);
    }
    // f in [0.5, 1): f * 2^exp, in at most two exact steps and one rounding.
    let (mut v, mut e) = (f, exp);
    while e > 0 {
        let s = e.min(1000);
        v *= 2f64.powi(s as i32);
        e -= s;
    }
    if e < 0 {
        if e >= -1000 {
            v *= 2f64.powi(e as i32);
        } else {
            v *= 2f64.powi(-1000);
            v *= 2f64.powi((e + 1000) as i32);
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::pow;

    #[test]
    fn integer_powers_like_go() {
        assert_eq!(pow(10.0, 23.0), 1e23);
        assert_eq!(pow(10.0, 22.0), 1e22);
        assert_eq!(pow(2.0, 100.0), 2f64.powi(100));
        assert_eq!(pow(2.0, -1.0), 0.5);
        assert_eq!(pow(2.0, 0.5), std::f64::consts::SQRT_2);
        assert!(pow(-8.0, 0.5).is_nan());
        assert_eq!(pow(10.0, 400.0), f64::INFINITY);
        assert_eq!(pow(0.0, -1.0), f64::INFINITY);
    }
}
