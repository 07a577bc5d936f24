//! The function library.
//!
//! Each family module exposes a table of [`Spec`]s. The framework here does, once for all
//! functions, what Terraform's function layer does: arity checks, "unknown in → unknown
//! out", rejecting nulls, and carrying sensitivity from arguments to the result, so the
//! implementations only ever see plain, known values (unless they opt out).

mod args;
mod codec;
mod collection;
mod conversion;
mod crypto;
mod datetime;
mod encoding;
mod filehash;
mod filesystem;
mod format;
mod gopow;
mod network;
mod numeric;
mod params;
mod pattern;
mod sequence;
mod sets;
mod string;
mod text;
mod yaml_decode;
mod yaml_emit;

pub use params::param_name;
/// One YAML document as `yamldecode` reads it (YAML 1.1 scalars, as Terraform's go-cty-yaml):
/// providers that take YAML text (`kubectl_manifest`'s `yaml_body`, a kubeconfig) read it
/// the same way.
pub use yaml_decode::decode as yaml_document;

use crate::lang::{Type, Value};
use std::path::Path;
use std::sync::OnceLock;

/// Why a function call failed; the evaluator turns it into a diagnostic on the call.
#[derive(Debug, Clone, PartialEq)]
pub enum FuncError {
    UnknownFunction,
    /// Wrong number of arguments: `expected` is a human phrase ("2", "at least 1").
    Arity {
        expected: String,
        got: usize,
    },
    /// A specific argument (0-based) is invalid.
    Arg {
        index: usize,
        message: String,
    },
    Other(String),
}

impl std::fmt::Display for FuncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FuncError::UnknownFunction => write!(f, "there is no function with this name"),
            FuncError::Arity { expected, got } => {
                write!(f, "expected {expected} argument(s), got {got}")
            }
            FuncError::Arg { index, message } => write!(f, "argument {}: {message}", index + 1),
            FuncError::Other(m) => write!(f, "{m}"),
        }
    }
}

/// What functions may need from their surroundings.
pub struct FuncContext<'a> {
    pub base_dir: &'a Path,
}

/// Functions the evaluator implements itself: they need unevaluated arguments (`try`,
/// `can`) or the evaluator (`templatefile`).
const EVALUATOR_FUNCTIONS: &[&str] = &["can", "templatefile", "templatestring", "try"];

/// Calls function `name`. Unknown arguments give an unknown result unless the function
/// handles them; sensitive arguments give a sensitive result.
pub fn call(name: &str, args: Vec<Value>, ctx: &FuncContext) -> Result<Value, FuncError> {
    let Some(spec) = find(name) else {
        if EVALUATOR_FUNCTIONS.contains(&name) {
            return Err(FuncError::Other(format!(
                "{name} is evaluated by the expression evaluator, not the function library"
            )));
        }
        return Err(FuncError::UnknownFunction);
    };
    spec.arity.check(args.len())?;
    if spec.raw_marks {
        return (spec.f)(args, ctx);
    }
    let mut marked = crate::lang::Marks::NONE;
    let args: Vec<Value> = args
        .into_iter()
        .map(|a| {
            let (v, m) = a.deep_unmark();
            marked |= m;
            v
        })
        .collect();
    if !spec.unknowns && !args.iter().all(Value::is_wholly_known) {
        return Ok(Value::Unknown(spec.ret.ty()).mark_if(marked));
    }
    if !spec.nulls {
        if let Some(index) = args.iter().position(Value::is_null) {
            return Err(FuncError::Arg {
                index,
                message: "argument must not be null".into(),
            });
        }
    }
    Ok(nfc_value((spec.f)(args, ctx)?).mark_if(marked))
}

/// `s` in Unicode normal form C, as cty keeps every string (`"e\u0301"` is `"é"`); a string
/// already in NFC (all ASCII text) is returned as it is, without a copy.
pub fn nfc(s: String) -> String {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    if is_nfc_quick(s.chars()) == IsNormalized::Yes {
        return s;
    }
    s.nfc().collect()
}

/// A function's string result in normal form C (strings a function builds, such as a
/// reversal, may not be).
fn nfc_value(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(nfc(s)),
        other => other,
    }
}

/// Names of all functions (for "did you mean" hints), sorted.
pub fn names() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut all: Vec<&'static str> = families()
            .iter()
            .flat_map(|f| f.iter().map(|s| s.name))
            .chain(EVALUATOR_FUNCTIONS.iter().copied())
            .collect();
        all.sort_unstable();
        all
    })
}

fn families() -> [&'static [Spec]; 16] {
    [
        codec::SPECS,
        collection::SPECS,
        conversion::SPECS,
        crypto::SPECS,
        datetime::SPECS,
        encoding::SPECS,
        filehash::SPECS,
        filesystem::SPECS,
        format::SPECS,
        network::SPECS,
        numeric::SPECS,
        pattern::SPECS,
        sequence::SPECS,
        sets::SPECS,
        string::SPECS,
        text::SPECS,
    ]
}

fn find(name: &str) -> Option<&'static Spec> {
    families()
        .into_iter()
        .flat_map(|f| f.iter())
        .find(|s| s.name == name)
}

/// A function implementation: gets the (arity-checked) arguments by value.
type Impl = fn(Vec<Value>, &FuncContext) -> Result<Value, FuncError>;

/// How many arguments a function takes.
#[derive(Debug, Clone, Copy)]
enum Arity {
    Exact(usize),
    Between(usize, usize),
    AtLeast(usize),
}

impl Arity {
    fn check(self, got: usize) -> Result<(), FuncError> {
        let (ok, expected) = match self {
            Arity::Exact(n) => (got == n, n.to_string()),
            Arity::Between(lo, hi) => (
                (lo..=hi).contains(&got),
                if hi == lo + 1 {
                    format!("{lo} or {hi}")
                } else {
                    format!("{lo} to {hi}")
                },
            ),
            Arity::AtLeast(n) => (got >= n, format!("at least {n}")),
        };
        if ok {
            Ok(())
        } else {
            Err(FuncError::Arity { expected, got })
        }
    }
}

/// The type of the unknown a function returns when its arguments are not all known.
#[derive(Debug, Clone, Copy)]
enum Ret {
    Any,
    Bool,
    Number,
    String,
    ListOf(Prim),
    MapOf(Prim),
}

/// Element types for [`Ret`]'s collections.
#[derive(Debug, Clone, Copy)]
enum Prim {
    Any,
    Number,
    String,
}

impl Prim {
    fn ty(self) -> Type {
        match self {
            Prim::Any => Type::Any,
            Prim::Number => Type::Number,
            Prim::String => Type::String,
        }
    }
}

impl Ret {
    fn ty(self) -> Type {
        match self {
            Ret::Any => Type::Any,
            Ret::Bool => Type::Bool,
            Ret::Number => Type::Number,
            Ret::String => Type::String,
            Ret::ListOf(p) => Type::List(Box::new(p.ty())),
            Ret::MapOf(p) => Type::Map(Box::new(p.ty())),
        }
    }
}

/// One function: its name, arity, result type and which cases it handles itself.
struct Spec {
    name: &'static str,
    arity: Arity,
    ret: Ret,
    /// Receives arguments that are (partly) unknown instead of answering "unknown".
    unknowns: bool,
    /// Accepts null arguments.
    nulls: bool,
    /// Receives the arguments with their marks and marks the result itself.
    raw_marks: bool,
    f: Impl,
}

impl Spec {
    const fn new(name: &'static str, arity: Arity, ret: Ret, f: Impl) -> Spec {
        Spec {
            name,
            arity,
            ret,
            unknowns: false,
            nulls: false,
            raw_marks: false,
            f,
        }
    }

    const fn unknowns(self) -> Spec {
        Spec {
            unknowns: true,
            ..self
        }
    }

    const fn nulls(self) -> Spec {
        Spec {
            nulls: true,
            ..self
        }
    }

    const fn raw_marks(self) -> Spec {
        Spec {
            raw_marks: true,
            unknowns: true,
            nulls: true,
            ..self
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Calls `name` with a context rooted at the current directory.
    pub(crate) fn run(name: &str, args: Vec<Value>) -> Result<Value, FuncError> {
        call(
            name,
            args,
            &FuncContext {
                base_dir: Path::new("."),
            },
        )
    }

    pub(crate) fn ok(name: &str, args: Vec<Value>) -> Value {
        match run(name, args) {
            Ok(v) => v,
            Err(e) => panic!("{name} failed: {e:?}"),
        }
    }

    /// The message of an argument error (panics on success or another error kind).
    pub(crate) fn arg_err(name: &str, args: Vec<Value>) -> String {
        match run(name, args) {
            Err(FuncError::Arg { message, .. }) => message,
            other => panic!("{name}: expected an argument error, got {other:?}"),
        }
    }

    /// The message of a failed call ("Call to function ... failed: ...").
    pub(crate) fn call_err(name: &str, args: Vec<Value>) -> String {
        match run(name, args) {
            Err(FuncError::Other(message)) => message,
            other => panic!("{name}: expected a failed call, got {other:?}"),
        }
    }

    pub(crate) fn s(x: &str) -> Value {
        Value::from(x)
    }

    pub(crate) fn n(x: f64) -> Value {
        Value::number(x)
    }

    pub(crate) fn list(xs: Vec<Value>) -> Value {
        Value::List(xs)
    }

    pub(crate) fn strs(xs: &[&str]) -> Value {
        Value::List(xs.iter().map(|x| Value::from(*x)).collect())
    }

    /// A tuple of strings, as `["a", "b"]` and `jsondecode` give.
    pub(crate) fn tstrs(xs: &[&str]) -> Value {
        Value::Tuple(xs.iter().map(|x| Value::from(*x)).collect())
    }

    #[test]
    fn every_requested_function_exists_once() {
        let names = names();
        let mut dedup = names.to_vec();
        dedup.dedup();
        assert_eq!(dedup.len(), names.len(), "duplicate function names");
        let requested = "cidrsubnet, cidrhost, cidrnetmask, cidrsubnets, format, formatlist, \
             join, split, concat, merge, lookup, element, length, keys, values, zipmap, tomap, \
             toset, tolist, tostring, tonumber, tobool, flatten, distinct, contains, coalesce, \
             coalescelist, compact, one, jsonencode, jsondecode, yamlencode, yamldecode, file, \
             fileexists, filebase64, basename, dirname, abspath, replace, regex, regexall, \
             lower, upper, title, trimspace, trim, trimprefix, trimsuffix, chomp, indent, \
             substr, startswith, endswith, strrev, min, max, abs, ceil, floor, pow, signum, \
             parseint, range, slice, sort, reverse, setunion, setintersection, setsubtract, \
             setproduct, index, chunklist, alltrue, anytrue, sum, transpose, matchkeys, \
             base64encode, base64decode, base64sha256, sha1, sha256, sha512, md5, uuid, \
             timestamp, formatdate, timeadd, urlencode, sensitive, nonsensitive, try, can, \
             templatefile, strcontains, filesha1, filesha256, filesha512, filemd5, \
             filebase64sha256, filebase64sha512, fileset, csvdecode, base64gzip, uuidv5, \
             timecmp, log, pathexpand, issensitive, ephemeralasnull";
        for f in requested.split(", ") {
            assert!(names.contains(&f), "{f} missing");
        }
    }

    #[test]
    fn unknown_function_and_evaluator_functions() {
        assert_eq!(run("nope", vec![]), Err(FuncError::UnknownFunction));
        assert!(matches!(run("try", vec![]), Err(FuncError::Other(_))));
    }

    #[test]
    fn arity_errors_say_what_was_expected() {
        let arity = |name: &str, args: Vec<Value>| match run(name, args) {
            Err(FuncError::Arity { expected, got }) => (expected, got),
            other => panic!("{other:?}"),
        };
        assert_eq!(arity("upper", vec![]), ("1".into(), 0));
        assert_eq!(arity("lookup", vec![s("a")]), ("2 or 3".into(), 1));
        assert_eq!(arity("range", vec![]), ("1 to 3".into(), 0));
        assert_eq!(arity("join", vec![s(",")]), ("at least 2".into(), 1));
    }

    #[test]
    fn unknown_arguments_give_typed_unknowns() {
        assert_eq!(
            ok("upper", vec![Value::unknown()]),
            Value::Unknown(Type::String)
        );
        assert_eq!(
            ok("join", vec![s(","), list(vec![s("a"), Value::unknown()])]),
            Value::Unknown(Type::String)
        );
        // length looks at the collection, not its elements.
        assert_eq!(
            ok("length", vec![list(vec![Value::unknown(), s("a")])]),
            Value::int(2)
        );
        assert_eq!(
            ok("length", vec![Value::unknown()]),
            Value::Unknown(Type::Number)
        );
    }

    #[test]
    fn sensitive_arguments_give_sensitive_results() {
        let v = ok("upper", vec![s("secret").sensitive()]);
        assert_eq!(v, s("SECRET").sensitive());
        let v = ok("join", vec![s("-"), list(vec![s("a"), s("b").sensitive()])]);
        assert_eq!(v, s("a-b").sensitive());
        let v = ok("upper", vec![Value::unknown().sensitive()]);
        assert_eq!(v, Value::Unknown(Type::String).sensitive());
        assert_eq!(ok("lower", vec![s("A")]), s("a"));
    }

    #[test]
    fn sensitive_and_nonsensitive() {
        assert_eq!(ok("sensitive", vec![s("x")]), s("x").sensitive());
        assert_eq!(ok("nonsensitive", vec![s("x").sensitive()]), s("x"));
        assert_eq!(
            ok("nonsensitive", vec![list(vec![s("x").sensitive()])]),
            list(vec![s("x")])
        );
        assert_eq!(
            ok("sensitive", vec![Value::unknown()]),
            Value::unknown().sensitive()
        );
        assert_eq!(
            ok("issensitive", vec![Value::unknown()]),
            Value::Unknown(Type::Bool)
        );
        assert_eq!(
            ok("issensitive", vec![Value::unknown().sensitive()]),
            Value::Bool(true)
        );
    }

    /// Ephemeral marks flow through functions like sensitive ones; `nonsensitive` keeps them
    /// and `ephemeralasnull` replaces the ephemeral parts with null.
    #[test]
    fn ephemeral_marks_and_ephemeralasnull() {
        let e = s("tok").ephemeral();
        assert_eq!(ok("upper", vec![e.clone()]), s("TOK").ephemeral());
        let joined = ok("join", vec![s("-"), list(vec![s("a"), e.clone()])]);
        assert!(joined.is_ephemeral() && !joined.is_sensitive());
        let both = s("pw").sensitive().ephemeral();
        assert_eq!(ok("nonsensitive", vec![both]), s("pw").ephemeral());
        assert_eq!(ok("ephemeralasnull", vec![e.clone()]), Value::Null);
        assert_eq!(
            ok("ephemeralasnull", vec![list(vec![s("a"), e])]),
            list(vec![s("a"), Value::Null])
        );
        assert_eq!(
            ok("ephemeralasnull", vec![Value::unknown().ephemeral()]),
            Value::Null
        );
    }

    #[test]
    fn nulls_are_rejected_unless_accepted() {
        assert_eq!(
            run("upper", vec![Value::Null]),
            Err(FuncError::Arg {
                index: 0,
                message: "argument must not be null".into()
            })
        );
        assert_eq!(ok("coalesce", vec![Value::Null, s("a")]), s("a"));
    }
}
