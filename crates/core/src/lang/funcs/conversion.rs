//! Explicit type conversions (`tostring`, `tolist`, ...) and the sensitivity marks
//! (`sensitive`, `nonsensitive`), which are the only functions that change marks.

use super::args::{err, parse_number, prim_str};
use super::{Arity, FuncContext, FuncError, Prim, Ret, Spec};
use crate::lang::Value;

type R = Result<Value, FuncError>;

pub(super) const SPECS: &[Spec] = &[
    Spec::new("nonsensitive", Arity::Exact(1), Ret::Any, nonsensitive).raw_marks(),
    Spec::new("sensitive", Arity::Exact(1), Ret::Any, sensitive).raw_marks(),
    Spec::new("tobool", Arity::Exact(1), Ret::Bool, tobool).nulls(),
    Spec::new("tolist", Arity::Exact(1), Ret::ListOf(Prim::Any), tolist)
        .nulls()
        .unknowns(),
    Spec::new("tomap", Arity::Exact(1), Ret::MapOf(Prim::Any), tomap)
        .nulls()
        .unknowns(),
    Spec::new("tonumber", Arity::Exact(1), Ret::Number, tonumber).nulls(),
    Spec::new("toset", Arity::Exact(1), Ret::Any, toset).nulls(),
    Spec::new("tostring", Arity::Exact(1), Ret::String, tostring).nulls(),
];

fn sensitive(mut args: Vec<Value>, _: &FuncContext) -> R {
    Ok(args.remove(0).sensitive())
}

fn nonsensitive(mut args: Vec<Value>, _: &FuncContext) -> R {
    Ok(args.remove(0).deep_unmark().0)
}

fn cannot(v: &Value, to: &str) -> FuncError {
    err(0, format!("cannot convert {} to {to}", v.type_name()))
}

fn tostring(args: Vec<Value>, _: &FuncContext) -> R {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        v => prim_str(v)
            .map(Value::String)
            .ok_or_else(|| cannot(v, "string")),
    }
}

fn tonumber(args: Vec<Value>, _: &FuncContext) -> R {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        Value::Number(n) => Ok(Value::Number(*n)),
        Value::String(s) => parse_number(s)
            .map(Value::number)
            .ok_or_else(|| err(0, format!("cannot convert \"{s}\" to number"))),
        v => Err(cannot(v, "number")),
    }
}

fn tobool(args: Vec<Value>, _: &FuncContext) -> R {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::String(s) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
        Value::String(s) => Err(err(0, format!("cannot convert \"{s}\" to bool"))),
        v => Err(cannot(v, "bool")),
    }
}

/// Gives mixed primitive elements one type, as Terraform does when it builds a list or map
/// from a tuple or object: when strings are present, numbers and bools become strings.
fn unify(xs: Vec<Value>) -> Vec<Value> {
    let has_string = xs.iter().any(|x| matches!(x, Value::String(_)));
    let mixed = xs
        .iter()
        .any(|x| matches!(x, Value::Number(_) | Value::Bool(_)));
    if !(has_string && mixed) {
        return xs;
    }
    xs.into_iter()
        .map(|x| match prim_str(&x) {
            Some(s) => Value::String(s),
            None => x,
        })
        .collect()
}

fn tolist(mut args: Vec<Value>, _: &FuncContext) -> R {
    match args.remove(0) {
        Value::Null => Ok(Value::Null),
        Value::Unknown(_) => Ok(Value::Unknown(Ret::ListOf(Prim::Any).ty())),
        Value::List(xs) | Value::Set(xs) => Ok(Value::List(unify(xs))),
        v => Err(cannot(&v, "list")),
    }
}

fn toset(mut args: Vec<Value>, _: &FuncContext) -> R {
    match args.remove(0) {
        Value::Null => Ok(Value::Null),
        Value::List(xs) | Value::Set(xs) => Ok(Value::set(unify(xs))),
        v => Err(cannot(&v, "set")),
    }
}

fn tomap(mut args: Vec<Value>, _: &FuncContext) -> R {
    match args.remove(0) {
        Value::Null => Ok(Value::Null),
        Value::Unknown(_) => Ok(Value::Unknown(Ret::MapOf(Prim::Any).ty())),
        Value::Map(m) => {
            let (keys, vals): (Vec<String>, Vec<Value>) = m.into_iter().unzip();
            Ok(Value::Map(keys.into_iter().zip(unify(vals)).collect()))
        }
        v => Err(cannot(&v, "map")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{arg_err, list, n, ok, s, strs};
    use crate::lang::{Type, Value};

    #[test]
    fn primitive_conversions() {
        assert_eq!(ok("tostring", vec![n(1.0)]), s("1"));
        assert_eq!(ok("tostring", vec![Value::Bool(true)]), s("true"));
        assert_eq!(ok("tostring", vec![Value::Null]), Value::Null);
        assert!(arg_err("tostring", vec![strs(&["a"])]).contains("list"));
        assert_eq!(ok("tonumber", vec![s("1.5")]), n(1.5));
        assert_eq!(ok("tonumber", vec![n(2.0)]), n(2.0));
        assert_eq!(
            arg_err("tonumber", vec![s("no")]),
            "cannot convert \"no\" to number"
        );
        assert_eq!(ok("tobool", vec![s("true")]), Value::Bool(true));
        assert!(arg_err("tobool", vec![n(1.0)]).contains("number"));
        assert_eq!(
            ok("tostring", vec![Value::unknown()]),
            Value::Unknown(Type::String)
        );
    }

    #[test]
    fn collection_conversions() {
        assert_eq!(
            ok("tolist", vec![list(vec![s("a"), n(1.0)])]),
            strs(&["a", "1"])
        );
        assert_eq!(
            ok("toset", vec![strs(&["c", "b", "c"])]),
            Value::Set(vec![s("b"), s("c")])
        );
        assert_eq!(
            ok("tolist", vec![Value::set(vec![s("b"), s("a")])]),
            strs(&["a", "b"])
        );
        let m = Value::map([("a", n(1.0)), ("b", s("x"))]);
        assert_eq!(
            ok("tomap", vec![m]),
            Value::map([("a", s("1")), ("b", s("x"))])
        );
        assert!(arg_err("tomap", vec![strs(&[])]).contains("list"));
        assert_eq!(
            ok("tolist", vec![list(vec![Value::unknown()])]),
            list(vec![Value::unknown()])
        );
    }
}
