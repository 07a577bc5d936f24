//! Explicit type conversions (`tostring`, `tolist`, ...) and the marks (`sensitive`,
//! `nonsensitive`, `ephemeralasnull`), which are the only functions that change marks.

use super::args::{err, prim_str};
use super::{Arity, FuncContext, FuncError, Prim, Ret, Spec};
use crate::lang::convert::convert;
use crate::lang::{Number, Type, Value};

type R = Result<Value, FuncError>;

pub(super) const SPECS: &[Spec] = &[
    Spec::new("nonsensitive", Arity::Exact(1), Ret::Any, nonsensitive).raw_marks(),
    Spec::new("issensitive", Arity::Exact(1), Ret::Bool, issensitive).raw_marks(),
    Spec::new("sensitive", Arity::Exact(1), Ret::Any, sensitive).raw_marks(),
    Spec::new(
        "ephemeralasnull",
        Arity::Exact(1),
        Ret::Any,
        ephemeralasnull,
    )
    .raw_marks(),
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

/// Whether the value itself is marked sensitive (not whether something inside it is); an
/// unknown that is not marked may still become sensitive, so the answer is unknown.
fn issensitive(args: Vec<Value>, _: &FuncContext) -> R {
    Ok(match &args[0] {
        v if v.is_sensitive() => Value::Bool(true),
        v if v.is_unknown() => Value::Unknown(crate::lang::Type::Bool),
        _ => Value::Bool(false),
    })
}

/// Removes the sensitive marks only: an ephemeral value stays ephemeral.
fn nonsensitive(mut args: Vec<Value>, _: &FuncContext) -> R {
    Ok(args.remove(0).nonsensitive())
}

/// Terraform 1.10: the value with every ephemeral part (at any depth) null, so what is left
/// may be stored.
fn ephemeralasnull(mut args: Vec<Value>, _: &FuncContext) -> R {
    Ok(args.remove(0).ephemeral_as_null())
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
        Value::Number(n) => Ok(Value::Number(n.clone())),
        Value::String(s) => Number::parse(s)
            .map(Value::Number)
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

/// `tolist`, `toset` and `tomap` convert to a collection of "any single type": the
/// elements are unified, so `tolist([1, "a"])` is `["1", "a"]` and `tolist([1, true])` fails.
fn single(v: Value, ty: Type, from: &str, to: &str) -> R {
    convert(v, &ty).map_err(|_| {
        err(
            0,
            format!("cannot convert {from} to {to} of any single type"),
        )
    })
}

fn tolist(mut args: Vec<Value>, _: &FuncContext) -> R {
    match args.remove(0) {
        Value::Null => Ok(Value::Null),
        Value::Unknown(_) => Ok(Value::Unknown(Ret::ListOf(Prim::Any).ty())),
        v @ (Value::List(_) | Value::Tuple(_)) => {
            single(v, Type::List(Box::new(Type::Any)), "tuple", "list")
        }
        v @ Value::Set(_) => single(v, Type::List(Box::new(Type::Any)), "set", "list"),
        v => Err(cannot(&v, "list")),
    }
}

fn toset(mut args: Vec<Value>, _: &FuncContext) -> R {
    match args.remove(0) {
        Value::Null => Ok(Value::Null),
        v @ (Value::List(_) | Value::Tuple(_) | Value::Set(_)) => {
            single(v, Type::Set(Box::new(Type::Any)), "tuple", "set")
        }
        v => Err(cannot(&v, "set")),
    }
}

fn tomap(mut args: Vec<Value>, _: &FuncContext) -> R {
    match args.remove(0) {
        Value::Null => Ok(Value::Null),
        Value::Unknown(_) => Ok(Value::Unknown(Ret::MapOf(Prim::Any).ty())),
        v @ (Value::Map(_) | Value::Object(_)) => {
            single(v, Type::Map(Box::new(Type::Any)), "object", "map")
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
