//! Functions that build or reorder sequences: `range`, `slice`, `sort`, `reverse`,
//! `chunklist`.

use super::args::{self, err, take_seq};
use super::{Arity, FuncContext, FuncError, Prim, Ret, Spec};
use crate::lang::{Number, Value};

type R = Result<Value, FuncError>;

/// Terraform's cap on `range`, so a typo in a limit cannot exhaust memory.
const RANGE_LIMIT: usize = 1024;

pub(super) const SPECS: &[Spec] = &[
    Spec::new("chunklist", Arity::Exact(2), Ret::Any, chunklist),
    Spec::new(
        "range",
        Arity::Between(1, 3),
        Ret::ListOf(Prim::Number),
        range,
    ),
    Spec::new("reverse", Arity::Exact(1), Ret::Any, reverse),
    Spec::new("slice", Arity::Exact(3), Ret::Any, slice),
    Spec::new("sort", Arity::Exact(1), Ret::ListOf(Prim::String), sort),
];

fn range(args: Vec<Value>, _: &FuncContext) -> R {
    let (start, limit, step) = match args.len() {
        1 => (Number::int(0), args::number(&args, 0)?, None),
        2 => (args::number(&args, 0)?, args::number(&args, 1)?, None),
        _ => (
            args::number(&args, 0)?,
            args::number(&args, 1)?,
            Some(args::number(&args, 2)?),
        ),
    };
    let up = limit.cmp_num(&start).is_ge();
    let step = step.unwrap_or_else(|| Number::int(if up { 1 } else { -1 }));
    match step.signum() {
        0 => return Err(err(2, "step must not be zero")),
        s if s < 0 && limit.cmp_num(&start).is_gt() => {
            return Err(err(2, "end must be less than start when step is negative"))
        }
        s if s > 0 && limit.cmp_num(&start).is_lt() => {
            return Err(err(
                2,
                "end must be greater than start when step is positive",
            ))
        }
        _ => {}
    }
    let mut out = Vec::new();
    let mut x = start;
    let before = |x: &Number| {
        let o = x.cmp_num(&limit);
        if step.signum() > 0 {
            o.is_lt()
        } else {
            o.is_gt()
        }
    };
    while before(&x) {
        if out.len() == RANGE_LIMIT {
            return Err(FuncError::Other(format!(
                "more than {RANGE_LIMIT} values were generated; either decrease the difference \
                 between start and limit or use a larger step"
            )));
        }
        let next = x.add(&step).map_err(|_| err(2, "step must be finite"))?;
        out.push(Value::Number(std::mem::replace(&mut x, next)));
    }
    Ok(Value::List(out))
}

fn slice(mut args: Vec<Value>, _: &FuncContext) -> R {
    let start = args::integer(&args, 1)?;
    let end = args::integer(&args, 2)?;
    if matches!(args[0], Value::Set(_)) {
        return Err(err(0, "a list is required, not a set"));
    }
    let kind = same_kind(&args[0]);
    let xs = take_seq(&mut args, 0)?;
    if start < 0 {
        return Err(err(1, "the starting index must not be negative"));
    }
    if end > xs.len() as i64 {
        return Err(err(
            2,
            format!(
                "the ending index must not be greater than the length of the list ({})",
                xs.len()
            ),
        ));
    }
    if start > end {
        return Err(err(
            1,
            "the starting index must not be greater than the ending index",
        ));
    }
    Ok(kind(
        xs.into_iter()
            .skip(start as usize)
            .take((end - start) as usize)
            .collect(),
    ))
}

/// The constructor of a sequence of the same kind as `v`: a tuple stays a tuple.
fn same_kind(v: &Value) -> fn(Vec<Value>) -> Value {
    match v {
        Value::Tuple(_) => Value::Tuple,
        _ => Value::List,
    }
}

/// Sorts lexically; numbers are compared as their string forms, like Terraform.
fn sort(args: Vec<Value>, _: &FuncContext) -> R {
    let mut xs = args::strings(&args, 0)?;
    xs.sort();
    Ok(Value::List(xs.into_iter().map(Value::String).collect()))
}

fn reverse(mut args: Vec<Value>, _: &FuncContext) -> R {
    let kind = same_kind(&args[0]);
    let mut xs = take_seq(&mut args, 0)?;
    xs.reverse();
    Ok(kind(xs))
}

fn chunklist(mut args: Vec<Value>, _: &FuncContext) -> R {
    let size = args::integer(&args, 1)?;
    if size < 0 {
        return Err(err(1, "the size argument must be positive"));
    }
    let xs = take_seq(&mut args, 0)?;
    if size == 0 {
        return Ok(Value::List(vec![Value::List(xs)]));
    }
    Ok(Value::List(
        xs.chunks(size as usize)
            .map(|c| Value::List(c.to_vec()))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{arg_err, list, n, ok, run, s, strs};
    use crate::lang::Value;

    fn nums(xs: &[f64]) -> Value {
        list(xs.iter().map(|x| n(*x)).collect())
    }

    #[test]
    fn range_follows_terraform_rules() {
        assert_eq!(ok("range", vec![n(3.0)]), nums(&[0.0, 1.0, 2.0]));
        assert_eq!(ok("range", vec![n(1.0), n(4.0)]), nums(&[1.0, 2.0, 3.0]));
        assert_eq!(
            ok("range", vec![n(1.0), n(8.0), n(2.0)]),
            nums(&[1.0, 3.0, 5.0, 7.0])
        );
        assert_eq!(ok("range", vec![n(4.0), n(1.0)]), nums(&[4.0, 3.0, 2.0]));
        assert_eq!(
            ok("range", vec![n(10.0), n(5.0), n(-2.0)]),
            nums(&[10.0, 8.0, 6.0])
        );
        assert_eq!(ok("range", vec![n(0.0)]), nums(&[]));
        assert_eq!(ok("range", vec![n(1.0), n(2.0), n(0.5)]), nums(&[1.0, 1.5]));
        assert!(arg_err("range", vec![n(0.0), n(3.0), n(0.0)]).contains("zero"));
        assert_eq!(
            ok("range", vec![n(1024.0)]).as_seq().map(<[Value]>::len),
            Some(1024)
        );
        assert!(run("range", vec![n(1025.0)]).is_err());
    }

    #[test]
    fn slice_checks_bounds() {
        let l = strs(&["a", "b", "c", "d"]);
        assert_eq!(
            ok("slice", vec![l.clone(), n(1.0), n(3.0)]),
            strs(&["b", "c"])
        );
        assert_eq!(ok("slice", vec![l.clone(), n(2.0), n(2.0)]), strs(&[]));
        assert!(arg_err("slice", vec![l.clone(), n(0.0), n(5.0)]).contains("length"));
        assert!(arg_err("slice", vec![l.clone(), n(3.0), n(1.0)]).contains("greater"));
        assert!(arg_err("slice", vec![l, n(-1.0), n(1.0)]).contains("negative"));
    }

    #[test]
    fn sort_reverse_chunklist() {
        assert_eq!(
            ok("sort", vec![strs(&["e", "d", "a", "x"])]),
            strs(&["a", "d", "e", "x"])
        );
        // Numbers sort as strings.
        assert_eq!(
            ok("sort", vec![nums(&[10.0, 9.0, 1.0])]),
            strs(&["1", "10", "9"])
        );
        assert_eq!(ok("reverse", vec![strs(&["a", "b"])]), strs(&["b", "a"]));
        assert_eq!(
            ok("chunklist", vec![strs(&["a", "b", "c", "d", "e"]), n(2.0)]),
            list(vec![strs(&["a", "b"]), strs(&["c", "d"]), strs(&["e"])])
        );
        assert_eq!(
            ok("chunklist", vec![strs(&["a"]), n(0.0)]),
            list(vec![strs(&["a"])])
        );
        assert_eq!(ok("reverse", vec![list(vec![s("x")])]), strs(&["x"]));
    }
}
