use super::*;

fn n(s: &str) -> Number {
    Number::parse(s).unwrap_or_else(|| panic!("{s} is a number"))
}

fn show(r: Result<Number, NaN>) -> String {
    r.expect("a number").to_string()
}

#[test]
fn decimal_arithmetic_at_512_bits() {
    assert_eq!(show(n("0.1").add(&n("0.2"))), "0.3");
    assert_eq!(n("0.1").add(&n("0.2")).unwrap(), n("0.3"));
    assert_eq!(show(n("0.1").mul(&n("3"))), "0.3");
    assert_eq!(show(n("10").div(&n("4"))), "2.5");
    let third = n("1").div(&n("3")).unwrap().to_string();
    assert_eq!(third.len(), 157, "{third}");
    assert!(third.ends_with("3335"));
    assert!(third.starts_with("0.3333"));
    assert_eq!(show(n("5.5").rem(&n("2"))), "1.5");
    assert_eq!(show(n("-7").rem(&n("3"))), "-1");
}

#[test]
fn integers_of_any_size_are_exact() {
    let big = n("100000000000000000000");
    assert_eq!(big.to_string(), "100000000000000000000");
    assert_eq!(show(big.add(&Number::int(1))), "100000000000000000001");
    assert_eq!(
        show(n("9223372036854775807").add(&Number::int(1))),
        "9223372036854775808"
    );
    assert_eq!(
        show(n("-9223372036854775808").neg().mul(&n("2"))),
        "18446744073709551616"
    );
    assert_eq!(n("9223372036854775807").as_i64(), Some(i64::MAX));
    assert_eq!(big.as_i64(), None);
    assert_eq!(n("1e400").to_string().len(), 401);
}

#[test]
fn precision_follows_the_operands() {
    // An f64 result (53 bits) prints as f64 does; added to a literal it widens to 512.
    let f = Number::from_f64(2f64.powi(100)).unwrap();
    assert_eq!(f.to_string(), "1267650600228229400000000000000");
    assert_eq!(show(f.add(&n("1"))), "1267650600228229401496703205377");
    let tenth = Number::from_f64(0.1).unwrap();
    assert_eq!(tenth, n("0.1"));
    assert_eq!(
        show(tenth.add(&n("0"))),
        "0.1000000000000000055511151231257827021181583404541015625"
    );
    // Counts are 64-bit: their quotient has 64 bits.
    assert_eq!(
        show(Number::int(1).div(&Number::int(3))),
        "0.33333333333333333334"
    );
}

#[test]
fn signed_zero_and_infinity() {
    assert_eq!(n("-0").to_string(), "-0");
    assert_eq!(n("0").neg().to_string(), "-0");
    assert_eq!(n("-0"), n("0"));
    assert_eq!(show(Number::int(0).mul(&Number::int(-5))), "-0");
    assert_eq!(show(n("-0").sub(&n("0"))), "-0");
    assert_eq!(show(n("0").sub(&n("0"))), "0");
    assert_eq!(show(n("0").div(&n("-3"))), "-0");
    assert_eq!(n("-0.5").ceil().to_string(), "0");
    assert_eq!(n("-1.5").floor().to_string(), "-2");
    let inf = n("+Inf");
    assert!(inf.is_infinite());
    assert_eq!(show(inf.add(&n("1"))), "+Inf");
    assert_eq!(inf.sub(&inf).err(), Some(NaN));
    assert_eq!(show(n("1").div(&n("0"))), "+Inf");
}

#[test]
fn small_fast_path_matches_the_big_path() {
    let samples = [
        0i64,
        1,
        -1,
        2,
        -3,
        7,
        1 << 31,
        -(1 << 40),
        i64::MAX,
        i64::MIN,
        1 << 53,
    ];
    for &a in &samples {
        for &b in &samples {
            let (x, y) = (Number::int(a), Number::int(b));
            let (bx, by) = (
                Number::of(x.float().into_owned()),
                Number::of(y.float().into_owned()),
            );
            // The same values forced through the big path.
            let big = |v: &Number| Number(Repr::Big(Box::new(v.float().into_owned())));
            let (bx, by) = (big(&bx), big(&by));
            type Op = fn(&Number, &Number) -> Result<Number, NaN>;
            let ops: [Op; 4] = [Number::add, Number::sub, Number::mul, Number::rem];
            for op in ops {
                let (fast, slow) = (op(&x, &y), op(&bx, &by));
                assert_eq!(
                    fast.map(|v| v.to_string()),
                    slow.map(|v| v.to_string()),
                    "{a} {b}"
                );
            }
            if b != 0 {
                assert_eq!(show(x.div(&y)), show(bx.div(&by)), "{a} / {b}");
            }
            assert_eq!(x.cmp_num(&y), bx.cmp_num(&by));
        }
    }
}

/// A number must not grow `Value` (32 bytes, set by `Type`): 100,000-resource configurations.
#[test]
fn a_number_keeps_value_small() {
    assert!(std::mem::size_of::<Number>() <= 16);
    assert!(std::mem::size_of::<crate::lang::Value>() <= 32);
}
