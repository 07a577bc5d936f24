//! Functions over lists, sets and maps: building, looking up and summarising.

use super::args::{self, err, seq, str_of, take_seq, unified_seqs};
use super::{Arity, FuncContext, FuncError, Prim, Ret, Spec};
use crate::lang::Value;
use std::collections::BTreeMap;

type R = Result<Value, FuncError>;

pub(super) const SPECS: &[Spec] = &[
    Spec::new("alltrue", Arity::Exact(1), Ret::Bool, alltrue),
    Spec::new("anytrue", Arity::Exact(1), Ret::Bool, anytrue),
    Spec::new("coalesce", Arity::AtLeast(1), Ret::Any, coalesce).nulls(),
    Spec::new("coalescelist", Arity::AtLeast(1), Ret::Any, coalescelist),
    Spec::new(
        "compact",
        Arity::Exact(1),
        Ret::ListOf(Prim::String),
        compact,
    ),
    Spec::new("concat", Arity::AtLeast(1), Ret::Any, concat).unknowns(),
    Spec::new("contains", Arity::Exact(2), Ret::Bool, contains).nulls(),
    Spec::new("distinct", Arity::Exact(1), Ret::Any, distinct),
    Spec::new("element", Arity::Exact(2), Ret::Any, element),
    Spec::new("flatten", Arity::Exact(1), Ret::Any, flatten),
    Spec::new("index", Arity::Exact(2), Ret::Number, index).nulls(),
    Spec::new("keys", Arity::Exact(1), Ret::ListOf(Prim::String), keys),
    Spec::new("length", Arity::Exact(1), Ret::Number, length).unknowns(),
    Spec::new("lookup", Arity::Between(2, 3), Ret::Any, lookup).nulls(),
    Spec::new("matchkeys", Arity::Exact(3), Ret::Any, matchkeys),
    Spec::new("merge", Arity::AtLeast(0), Ret::Any, merge)
        .nulls()
        .unknowns(),
    Spec::new("one", Arity::Exact(1), Ret::Any, one),
    Spec::new("sum", Arity::Exact(1), Ret::Number, sum),
    Spec::new(
        "transpose",
        Arity::Exact(1),
        Ret::MapOf(Prim::Any),
        transpose,
    ),
    Spec::new("values", Arity::Exact(1), Ret::Any, values),
    Spec::new("zipmap", Arity::Exact(2), Ret::Any, zipmap),
];

fn length(args: Vec<Value>, _: &FuncContext) -> R {
    let n = match &args[0] {
        Value::Unknown(_) => return Ok(Value::Unknown(crate::lang::Type::Number)),
        // Grapheme clusters, as Terraform counts: `e` with a combining accent is 1.
        Value::String(s) => {
            unicode_segmentation::UnicodeSegmentation::graphemes(s.as_str(), true).count()
        }
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => xs.len(),
        Value::Map(m) | Value::Object(m) => m.len(),
        other => {
            return Err(err(
                0,
                format!(
                    "argument must be a string, a collection type, or a structural type, got {}",
                    other.type_name()
                ),
            ))
        }
    };
    Ok(Value::int(n as i64))
}

fn concat(mut args: Vec<Value>, _: &FuncContext) -> R {
    if args.iter().any(Value::is_unknown) {
        return Ok(Value::unknown());
    }
    // Lists concatenate into a list; with any tuple among them the result is a tuple.
    let lists = args.iter().all(|a| matches!(a, Value::List(_)));
    let mut out = Vec::new();
    for i in 0..args.len() {
        if matches!(args[i], Value::Set(_)) {
            return Err(err(i, "all arguments must be lists or tuples; got a set"));
        }
        out.extend(take_seq(&mut args, i)?);
    }
    Ok(if lists {
        Value::List(out)
    } else {
        Value::Tuple(out)
    })
}

fn merge(args: Vec<Value>, _: &FuncContext) -> R {
    // Maps merge into a map; with any object among them the result is an object. As in
    // Terraform, only an argument unknown as a whole makes the result unknown: a map whose
    // values are known only after apply still has known keys (a `for_each` over the merge
    // can be planned).
    if args.iter().any(Value::is_unknown) {
        return Ok(Value::unknown());
    }
    let mut out = crate::lang::VecMap::new();
    let mut object = false;
    for (i, a) in args.into_iter().enumerate() {
        match a {
            Value::Null => {}
            Value::Map(m) => out.extend(m),
            Value::Object(m) => {
                object = true;
                out.extend(m)
            }
            other => return Err(err(i, format!("map required, got {}", other.type_name()))),
        }
    }
    Ok(if object {
        Value::Object(out)
    } else {
        Value::Map(out)
    })
}

fn lookup(args: Vec<Value>, _: &FuncContext) -> R {
    let m = args::map(&args, 0)?;
    let key = args::string(&args, 1)?;
    match (m.get(&key), args.get(2)) {
        (Some(v), _) => Ok(v.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(err(
            1,
            format!("the given key \"{key}\" does not exist in the map"),
        )),
    }
}

/// Terraform's element takes any value and fails the call (not an argument) when it cannot
/// index it.
fn element(args: Vec<Value>, _: &FuncContext) -> R {
    let cannot = |what: &str| FuncError::Other(format!("cannot read elements from {what}"));
    if matches!(args[0], Value::Set(_)) {
        // Sets have no order a user could index by; Terraform refuses them too.
        return Err(cannot("set"));
    }
    let xs = args[0]
        .as_seq()
        .ok_or_else(|| cannot(args[0].type_name()))?;
    let i = args::integer(&args, 1)?;
    if i < 0 {
        return Err(err(1, "cannot use element function with a negative index"));
    }
    if xs.is_empty() {
        return Err(FuncError::Other(
            "cannot use element function with an empty list".into(),
        ));
    }
    Ok(xs[(i as usize) % xs.len()].clone())
}

fn keys(args: Vec<Value>, _: &FuncContext) -> R {
    let m = args::map(&args, 0)?;
    Ok(seq_like_record(
        &args[0],
        m.keys().map(|k| Value::from(k.as_str())).collect(),
    ))
}

/// An object's keys or values are a tuple, a map's a list.
fn seq_like_record(record: &Value, xs: Vec<Value>) -> Value {
    if matches!(record, Value::Object(_)) {
        Value::Tuple(xs)
    } else {
        Value::List(xs)
    }
}

fn values(args: Vec<Value>, _: &FuncContext) -> R {
    let m = args::map(&args, 0)?;
    Ok(seq_like_record(&args[0], m.values().cloned().collect()))
}

fn zipmap(args: Vec<Value>, _: &FuncContext) -> R {
    let keys = args::strings(&args, 0)?;
    let vals = seq(&args, 1)?;
    if keys.len() != vals.len() {
        return Err(err(
            1,
            format!(
                "number of keys ({}) does not match number of values ({})",
                keys.len(),
                vals.len()
            ),
        ));
    }
    // A tuple of values (elements of any types) makes an object, a list or set a map.
    let entries = keys.into_iter().zip(vals.iter().cloned()).collect();
    Ok(if matches!(args[1], Value::Tuple(_)) {
        Value::Object(entries)
    } else {
        Value::Map(entries)
    })
}

fn flatten(mut args: Vec<Value>, _: &FuncContext) -> R {
    fn go(xs: Vec<Value>, out: &mut Vec<Value>) {
        for x in xs {
            match x {
                Value::List(ys) | Value::Tuple(ys) | Value::Set(ys) => go(ys, out),
                other => out.push(other),
            }
        }
    }
    let mut out = Vec::new();
    go(take_seq(&mut args, 0)?, &mut out);
    Ok(Value::Tuple(out))
}

fn distinct(args: Vec<Value>, _: &FuncContext) -> R {
    let mut out: Vec<Value> = Vec::new();
    for x in unified_seqs(&args, &[0])?.concat() {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    Ok(Value::List(out))
}

fn contains(args: Vec<Value>, _: &FuncContext) -> R {
    Ok(Value::Bool(seq(&args, 0)?.contains(&args[1])))
}

fn index(args: Vec<Value>, _: &FuncContext) -> R {
    match seq(&args, 0)?.iter().position(|x| x == &args[1]) {
        Some(i) => Ok(Value::int(i as i64)),
        None => Err(err(1, "item not found")),
    }
}

fn coalesce(args: Vec<Value>, _: &FuncContext) -> R {
    // The result has the type all arguments unify to: `coalesce(1, "x")` is "1".
    let args = crate::lang::convert::unify(args)
        .ok_or_else(|| FuncError::Other("all arguments must have the same type".into()))?;
    args.into_iter()
        .find(|v| !v.is_null() && v.as_str() != Some(""))
        .ok_or_else(|| FuncError::Other("no non-null, non-empty-string arguments".into()))
}

fn coalescelist(args: Vec<Value>, _: &FuncContext) -> R {
    for i in 0..args.len() {
        if !seq(&args, i)?.is_empty() {
            return Ok(args[i].clone());
        }
    }
    Err(FuncError::Other(
        "no non-null, non-empty list arguments".into(),
    ))
}

fn compact(args: Vec<Value>, _: &FuncContext) -> R {
    let mut out = Vec::new();
    for v in seq(&args, 0)? {
        if !v.is_null() {
            let s = str_of(v, 0)?;
            if !s.is_empty() {
                out.push(Value::String(s));
            }
        }
    }
    Ok(Value::List(out))
}

fn one(mut args: Vec<Value>, _: &FuncContext) -> R {
    let mut xs = take_seq(&mut args, 0)?;
    match xs.len() {
        0 => Ok(Value::Null),
        1 => Ok(xs.remove(0)),
        n => Err(err(
            0,
            format!(
                "must be a list, set, or tuple value with either zero or one elements, got {n}"
            ),
        )),
    }
}

fn bools(args: &[Value]) -> Result<Vec<bool>, FuncError> {
    seq(args, 0)?
        .iter()
        .map(|v| {
            if v.is_null() {
                Ok(false)
            } else {
                args::bool_of(v, 0)
            }
        })
        .collect()
}

fn alltrue(args: Vec<Value>, _: &FuncContext) -> R {
    Ok(Value::Bool(bools(&args)?.into_iter().all(|b| b)))
}

fn anytrue(args: Vec<Value>, _: &FuncContext) -> R {
    Ok(Value::Bool(bools(&args)?.into_iter().any(|b| b)))
}

fn sum(args: Vec<Value>, _: &FuncContext) -> R {
    let xs = seq(&args, 0)?;
    if xs.is_empty() {
        return Err(err(0, "cannot sum an empty list"));
    }
    // Terraform's sum: the first element, then each next one added (cty's `Add`).
    let mut total = args::num_of(&xs[0], 0)?;
    for x in &xs[1..] {
        total = total
            .add(&args::num_of(x, 0)?)
            .map_err(|_| FuncError::Other("can't compute sum of opposing infinities".into()))?;
    }
    Ok(Value::Number(total))
}

fn transpose(args: Vec<Value>, _: &FuncContext) -> R {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (k, v) in args::map(&args, 0)? {
        let xs = v
            .as_seq()
            .ok_or_else(|| err(0, format!("the value for key \"{k}\" must be a list")))?;
        for x in xs {
            out.entry(str_of(x, 0)?)
                .or_default()
                .push(Value::from(k.as_str()));
        }
    }
    Ok(Value::Map(
        out.into_iter().map(|(k, v)| (k, Value::List(v))).collect(),
    ))
}

fn matchkeys(args: Vec<Value>, _: &FuncContext) -> R {
    let vals = seq(&args, 0)?;
    // Keys and search set are compared after unifying them: `[2]` finds `"2"`.
    let mut unified = unified_seqs(&args, &[1, 2])?.into_iter();
    let keys = unified.next().unwrap_or_default();
    let search = unified.next().unwrap_or_default();
    if vals.len() != keys.len() {
        return Err(err(1, "length of keys and values should be equal"));
    }
    Ok(Value::List(
        vals.iter()
            .zip(keys)
            .filter(|(_, k)| search.contains(k))
            .map(|(v, _)| v.clone())
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{arg_err, call_err, list, n, ok, run, s, strs, tstrs};
    use crate::lang::Value;

    fn obj(items: &[(&str, Value)]) -> Value {
        Value::map(items.iter().cloned())
    }

    #[test]
    fn concat_merge_lookup() {
        assert_eq!(
            ok("concat", vec![strs(&["a"]), strs(&["b", "c"])]),
            strs(&["a", "b", "c"])
        );
        assert_eq!(
            ok("concat", vec![strs(&["a"]), Value::unknown()]),
            Value::unknown()
        );
        let m = ok(
            "merge",
            vec![
                obj(&[("a", s("b")), ("c", s("d"))]),
                Value::Null,
                obj(&[("e", s("f")), ("c", s("z"))]),
            ],
        );
        assert_eq!(m, obj(&[("a", s("b")), ("c", s("z")), ("e", s("f"))]));
        // Values known only after apply keep the keys known; a whole unknown map does not.
        let later = obj(&[("a", Value::unknown())]);
        let m = ok("merge", vec![later, obj(&[("b", s("c"))])]);
        assert_eq!(m, obj(&[("a", Value::unknown()), ("b", s("c"))]));
        assert_eq!(
            ok("merge", vec![Value::unknown(), obj(&[("b", s("c"))])]),
            Value::unknown()
        );
        let m = obj(&[("a", s("ay")), ("b", s("bee"))]);
        assert_eq!(ok("lookup", vec![m.clone(), s("a"), s("what?")]), s("ay"));
        assert_eq!(
            ok("lookup", vec![m.clone(), s("c"), s("what?")]),
            s("what?")
        );
        assert!(arg_err("lookup", vec![m, s("c")]).contains("\"c\""));
    }

    #[test]
    fn element_wraps_and_length_counts_characters() {
        let l = strs(&["a", "b", "c"]);
        assert_eq!(ok("element", vec![l.clone(), n(1.0)]), s("b"));
        assert_eq!(ok("element", vec![l.clone(), n(3.0)]), s("a"));
        assert!(call_err("element", vec![list(vec![]), n(0.0)]).contains("empty"));
        assert!(arg_err("element", vec![l.clone(), n(-1.0)]).contains("negative"));
        assert_eq!(ok("length", vec![s("héllo")]), Value::int(5));
        assert_eq!(ok("length", vec![l]), Value::int(3));
        assert_eq!(ok("length", vec![obj(&[("a", n(1.0))])]), Value::int(1));
        assert!(run("length", vec![n(1.0)]).is_err());
    }

    #[test]
    fn keys_values_zipmap_transpose() {
        let m = obj(&[("d", n(3.0)), ("a", n(1.0)), ("c", n(2.0))]);
        assert_eq!(ok("keys", vec![m.clone()]), strs(&["a", "c", "d"]));
        assert_eq!(ok("values", vec![m]), list(vec![n(1.0), n(2.0), n(3.0)]));
        assert_eq!(
            ok(
                "zipmap",
                vec![strs(&["a", "b"]), list(vec![n(1.0), n(2.0)])]
            ),
            obj(&[("a", n(1.0)), ("b", n(2.0))])
        );
        assert!(arg_err("zipmap", vec![strs(&["a"]), list(vec![])]).contains("(1)"));
        let t = ok(
            "transpose",
            vec![obj(&[("a", strs(&["1", "2"])), ("b", strs(&["2", "3"]))])],
        );
        assert_eq!(
            t,
            obj(&[
                ("1", strs(&["a"])),
                ("2", strs(&["a", "b"])),
                ("3", strs(&["b"]))
            ])
        );
    }

    #[test]
    fn flatten_distinct_contains_index() {
        let nested = list(vec![
            strs(&["a", "b"]),
            list(vec![]),
            list(vec![s("c"), list(vec![s("d")])]),
        ]);
        assert_eq!(ok("flatten", vec![nested]), tstrs(&["a", "b", "c", "d"]));
        assert_eq!(
            ok("distinct", vec![strs(&["b", "a", "b", "c", "a"])]),
            strs(&["b", "a", "c"])
        );
        let l = list(vec![s("a"), list(vec![n(1.0)])]);
        assert_eq!(
            ok("contains", vec![l.clone(), list(vec![n(1.0)])]),
            Value::Bool(true)
        );
        assert_eq!(ok("contains", vec![l.clone(), s("b")]), Value::Bool(false));
        assert_eq!(ok("index", vec![l.clone(), s("a")]), Value::int(0));
        assert_eq!(arg_err("index", vec![l, s("z")]), "item not found");
    }

    #[test]
    fn coalescing_and_compacting() {
        assert_eq!(ok("coalesce", vec![s(""), Value::Null, s("b")]), s("b"));
        assert!(run("coalesce", vec![Value::Null, s("")]).is_err());
        assert_eq!(
            ok("coalescelist", vec![strs(&[]), strs(&["c", "d"])]),
            strs(&["c", "d"])
        );
        assert_eq!(
            ok(
                "compact",
                vec![list(vec![s("a"), s(""), Value::Null, s("b")])]
            ),
            strs(&["a", "b"])
        );
        assert_eq!(ok("one", vec![list(vec![])]), Value::Null);
        assert_eq!(ok("one", vec![strs(&["x"])]), s("x"));
        assert!(arg_err("one", vec![strs(&["x", "y"])]).contains("zero or one"));
    }

    #[test]
    fn booleans_sums_matchkeys() {
        assert_eq!(
            ok("alltrue", vec![list(vec![Value::Bool(true), s("true")])]),
            Value::Bool(true)
        );
        assert_eq!(ok("alltrue", vec![list(vec![])]), Value::Bool(true));
        assert_eq!(ok("anytrue", vec![list(vec![])]), Value::Bool(false));
        assert_eq!(
            ok(
                "anytrue",
                vec![list(vec![Value::Bool(false), Value::Bool(true)])]
            ),
            Value::Bool(true)
        );
        assert_eq!(
            ok("sum", vec![list(vec![n(10.0), n(13.0), n(6.0), n(4.5)])]),
            n(33.5)
        );
        assert!(arg_err("sum", vec![list(vec![])]).contains("empty"));
        assert_eq!(
            ok(
                "matchkeys",
                vec![
                    strs(&["i-123", "i-abc", "i-def"]),
                    strs(&["us-west", "us-east", "us-east"]),
                    strs(&["us-east"])
                ]
            ),
            strs(&["i-abc", "i-def"])
        );
    }
}
