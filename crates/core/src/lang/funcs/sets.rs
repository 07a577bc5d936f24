//! Set algebra. Lists are accepted where sets are expected (Terraform converts them); results
//! are canonical sets built with [`Value::set`].

use super::args::{seq, unified_seqs};
use super::{Arity, FuncContext, FuncError, Ret, Spec};
use crate::lang::Value;

type R = Result<Value, FuncError>;

/// Cap on `setproduct`'s result, so a few large inputs cannot exhaust memory.
const MAX_PRODUCT: usize = 100_000;

pub(super) const SPECS: &[Spec] = &[
    Spec::new(
        "setintersection",
        Arity::AtLeast(1),
        Ret::Any,
        setintersection,
    ),
    Spec::new("setproduct", Arity::AtLeast(2), Ret::Any, setproduct),
    Spec::new("setsubtract", Arity::Exact(2), Ret::Any, setsubtract),
    Spec::new("setunion", Arity::AtLeast(1), Ret::Any, setunion),
];

/// The arguments' elements, unified to one type across all arguments.
fn all_unified(args: &[Value]) -> Result<Vec<Vec<Value>>, FuncError> {
    unified_seqs(args, &(0..args.len()).collect::<Vec<_>>())
}

fn setunion(args: Vec<Value>, _: &FuncContext) -> R {
    Ok(Value::set(all_unified(&args)?.concat()))
}

fn setintersection(args: Vec<Value>, _: &FuncContext) -> R {
    let mut sets = all_unified(&args)?.into_iter();
    let mut acc = sets.next().unwrap_or_default();
    for other in sets {
        acc.retain(|x| other.contains(x));
    }
    Ok(Value::set(acc))
}

fn setsubtract(args: Vec<Value>, _: &FuncContext) -> R {
    let mut sets = all_unified(&args)?.into_iter();
    let mut acc = sets.next().unwrap_or_default();
    let minus = sets.next().unwrap_or_default();
    acc.retain(|x| !minus.contains(x));
    Ok(Value::set(acc))
}

/// The Cartesian product; a set when every argument is a set, otherwise a list (so element
/// order from list arguments is kept).
fn setproduct(args: Vec<Value>, _: &FuncContext) -> R {
    let mut size = 1usize;
    for i in 0..args.len() {
        size = size.saturating_mul(seq(&args, i)?.len());
    }
    if size > MAX_PRODUCT {
        return Err(FuncError::Other(format!(
            "the product would have {size} elements, more than the limit of {MAX_PRODUCT}"
        )));
    }
    let mut product: Vec<Vec<Value>> = vec![Vec::new()];
    for i in 0..args.len() {
        // Each argument is a `list(any)`: its elements share one type.
        let xs = unified_seqs(&args, &[i])?.concat();
        product = product
            .into_iter()
            .flat_map(|prefix| {
                xs.clone().into_iter().map(move |x| {
                    let mut p = prefix.clone();
                    p.push(x);
                    p
                })
            })
            .collect();
    }
    let elems = product.into_iter().map(Value::Tuple).collect();
    if args.iter().all(|a| matches!(a, Value::Set(_))) {
        Ok(Value::set(elems))
    } else {
        Ok(Value::List(elems))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{list, ok, s, strs, tstrs};
    use crate::lang::Value;

    fn set(xs: &[&str]) -> Value {
        Value::set(xs.iter().map(|x| s(x)).collect())
    }

    #[test]
    fn union_intersection_subtract() {
        assert_eq!(
            ok(
                "setunion",
                vec![set(&["a", "b"]), strs(&["b", "c"]), set(&["d"])]
            ),
            set(&["a", "b", "c", "d"])
        );
        assert_eq!(
            ok(
                "setintersection",
                vec![set(&["a", "b"]), set(&["b", "c"]), set(&["b", "d"])]
            ),
            set(&["b"])
        );
        assert_eq!(
            ok("setsubtract", vec![set(&["a", "b", "c"]), set(&["a", "c"])]),
            set(&["b"])
        );
    }

    #[test]
    fn product_of_sets_and_lists() {
        let p = ok(
            "setproduct",
            vec![set(&["development", "staging"]), set(&["app1", "app2"])],
        );
        assert_eq!(
            p,
            Value::set(vec![
                tstrs(&["development", "app1"]),
                tstrs(&["development", "app2"]),
                tstrs(&["staging", "app1"]),
                tstrs(&["staging", "app2"]),
            ])
        );
        let p = ok("setproduct", vec![tstrs(&["b", "a"]), tstrs(&["x"])]);
        assert_eq!(p, list(vec![tstrs(&["b", "x"]), tstrs(&["a", "x"])]));
        assert_eq!(
            ok("setproduct", vec![tstrs(&["a"]), tstrs(&[])]),
            list(vec![])
        );
    }
}
