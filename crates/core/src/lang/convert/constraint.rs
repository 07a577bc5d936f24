//! Parses type constraint expressions (`list(object({a = optional(string, "x")}))`).
//!
//! Type constraints are written in HCL expression syntax but are not evaluated: keywords and
//! calls are read structurally, and only `optional` defaults are evaluated (as constants).

use super::{convert, ObjectAttr, Type};
use crate::diag::{Diagnostic, FileId, Span as DiagSpan};
use crate::lang::eval::{eval, EvalContext, Resolver};
use crate::lang::suggest::did_you_mean;
use crate::lang::Value;
use hcl_edit::expr::{Expression, FuncCall, ObjectKey};
use hcl_edit::Span;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

type ParseResult<T> = Result<T, (String, Option<Range<usize>>)>;

const KEYWORDS: [&str; 4] = ["string", "number", "bool", "any"];
const CALLS: [&str; 6] = ["list", "set", "map", "tuple", "object", "optional"];

/// Parses a type constraint expression (`string`, `list(string)`, `map(object({...}))`,
/// `optional(string, "x")`, `any`). On error: a message and the byte range of the culprit.
pub fn parse_constraint(expr: &Expression) -> ParseResult<Type> {
    parse(expr, false).map(|a| a.ty)
}

fn fail<T>(msg: impl Into<String>, span: Option<Range<usize>>) -> ParseResult<T> {
    Err((msg.into(), span))
}

/// Parses one type; `in_object` allows `optional(...)`, which only makes sense for attributes.
fn parse(expr: &Expression, in_object: bool) -> ParseResult<ObjectAttr> {
    let ty =
        match expr {
            Expression::Parenthesis(p) => return parse(p.inner(), in_object),
            Expression::Variable(name) => match name.as_str() {
                "string" => Type::String,
                "number" => Type::Number,
                "bool" => Type::Bool,
                "any" => Type::Any,
                // Terraform 0.11 spellings, still accepted: a bare collection keyword means "of any".
                "list" => Type::List(Box::new(Type::Any)),
                "set" => Type::Set(Box::new(Type::Any)),
                "map" => Type::Map(Box::new(Type::Any)),
                other => {
                    let hint = did_you_mean(other, KEYWORDS.into_iter().chain(CALLS))
                        .map(|s| format!(" Did you mean \"{s}\"?"))
                        .unwrap_or_default();
                    return fail(
                        format!("The keyword \"{other}\" is not a valid type specification.{hint}"),
                        expr.span(),
                    );
                }
            },
            Expression::FuncCall(call) => return parse_call(call, in_object),
            _ => return fail(
                "A type specification is either a primitive type keyword (bool, number, string), \
                 a complex type constructor call (list, set, map, tuple, object) or any.",
                expr.span(),
            ),
        };
    Ok(ObjectAttr::required(ty))
}

fn parse_call(call: &FuncCall, in_object: bool) -> ParseResult<ObjectAttr> {
    let name = call.name.name.as_str();
    let args: Vec<&Expression> = call.args.iter().collect();
    let one_arg = |what: &str| -> ParseResult<&Expression> {
        match args.as_slice() {
            [a] => Ok(*a),
            _ => fail(
                format!("The {name} type constructor requires one argument specifying {what}."),
                call.span(),
            ),
        }
    };
    let ty = match name {
        "list" | "set" | "map" => {
            let inner = Box::new(parse(one_arg("the element type")?, false)?.ty);
            match name {
                "list" => Type::List(inner),
                "set" => Type::Set(inner),
                _ => Type::Map(inner),
            }
        }
        "tuple" => match one_arg("the element types as a list")? {
            Expression::Array(items) => Type::Tuple(
                items
                    .iter()
                    .map(|e| parse(e, false).map(|a| a.ty))
                    .collect::<Result<_, _>>()?,
            ),
            other => {
                return fail(
                    "The tuple type constructor requires a list of element types.",
                    other.span(),
                )
            }
        },
        "object" => match one_arg("the attribute types as an object")? {
            Expression::Object(obj) => {
                let mut attrs = BTreeMap::new();
                for (key, value) in obj.iter() {
                    let key_name = match key {
                        ObjectKey::Ident(id) => id.as_str().to_string(),
                        ObjectKey::Expression(Expression::String(s)) => s.as_str().to_string(),
                        other => {
                            return fail(
                                "Object constructor map keys must be attribute names.",
                                other.span(),
                            )
                        }
                    };
                    attrs.insert(key_name, parse(value.expr(), true)?);
                }
                Type::Object(attrs)
            }
            other => {
                return fail(
                    "The object type constructor requires an object of attribute types.",
                    other.span(),
                )
            }
        },
        "optional" if in_object => return parse_optional(call, &args),
        "optional" => {
            return fail(
                "Keyword \"optional\" is valid only as a modifier for object type attributes.",
                call.span(),
            )
        }
        other => {
            let hint = did_you_mean(other, CALLS)
                .map(|s| format!(" Did you mean \"{s}\"?"))
                .unwrap_or_default();
            return fail(
                format!("Keyword \"{other}\" is not a valid type constructor.{hint}"),
                call.name.name.span(),
            );
        }
    };
    Ok(ObjectAttr::required(ty))
}

fn parse_optional(call: &FuncCall, args: &[&Expression]) -> ParseResult<ObjectAttr> {
    let (ty_expr, default_expr) = match args {
        [t] => (*t, None),
        [t, d] => (*t, Some(*d)),
        _ => {
            return fail(
                "Optional attribute modifier expects one or two arguments: the attribute type \
                 and an optional default value.",
                call.span(),
            )
        }
    };
    let ty = parse(ty_expr, false)?.ty;
    let default = match default_expr {
        None => None,
        Some(d) => {
            let value = constant(d)?;
            let value = convert(value, &ty).map_err(|e| {
                (
                    format!("Invalid default value for optional attribute: {e}."),
                    d.span(),
                )
            })?;
            Some(value)
        }
    };
    Ok(ObjectAttr {
        ty,
        optional: true,
        default,
    })
}

/// Type constraints cannot refer to anything: every name lookup fails.
struct NoVariables;

impl Resolver for NoVariables {
    fn resolve(
        &self,
        root: &str,
        _: &[&str],
        span: DiagSpan,
    ) -> Result<(Value, usize), Diagnostic> {
        Err(Diagnostic::error("Variables not allowed")
            .detail(format!(
                "Variables (here \"{root}\") may not be used in a type constraint default."
            ))
            .subject(span))
    }
}

fn constant(expr: &Expression) -> ParseResult<Value> {
    let ctx = EvalContext {
        file: FileId(0),
        resolver: &NoVariables,
        base_dir: Path::new("."),
    };
    let (value, diags) = eval(&crate::lang::ir::lower(expr), &ctx);
    match diags.iter().find(|d| d.is_error()) {
        Some(d) => {
            let range = d.subject.map(|s| s.range()).or_else(|| expr.span());
            fail(
                format!("Invalid default value for optional attribute: {}", d.detail),
                range,
            )
        }
        None => Ok(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcl_edit::parser::parse_expr;

    fn ty(src: &str) -> ParseResult<Type> {
        let expr = parse_expr(src).map_err(|e| (e.to_string(), None))?;
        parse_constraint(&expr)
    }

    #[test]
    fn primitives_and_collections() {
        assert_eq!(ty("string"), Ok(Type::String));
        assert_eq!(ty("any"), Ok(Type::Any));
        assert_eq!(ty("list(number)"), Ok(Type::List(Box::new(Type::Number))));
        assert_eq!(
            ty("map(set(bool))"),
            Ok(Type::Map(Box::new(Type::Set(Box::new(Type::Bool)))))
        );
        assert_eq!(
            ty("tuple([string, number])"),
            Ok(Type::Tuple(vec![Type::String, Type::Number]))
        );
        assert_eq!(ty("list"), Ok(Type::List(Box::new(Type::Any))));
    }

    #[test]
    fn objects_with_optional_attributes() {
        let t = ty("object({ name = string, size = optional(number, \"2\"), tags = optional(map(string)) })")
            .unwrap_or(Type::Any);
        let Type::Object(attrs) = t else {
            panic!("expected an object type, got {t:?}");
        };
        assert_eq!(attrs["name"], ObjectAttr::required(Type::String));
        assert!(attrs["size"].optional);
        assert_eq!(attrs["size"].default, Some(Value::int(2)));
        assert!(attrs["tags"].optional && attrs["tags"].default.is_none());
    }

    #[test]
    fn errors_point_at_the_culprit() {
        let src = "list(object({ a = strin }))";
        let (msg, range) = ty(src).unwrap_err();
        assert!(
            msg.contains("\"strin\"") && msg.contains("Did you mean \"string\"?"),
            "{msg}"
        );
        assert_eq!(range.map(|r| &src[r]), Some("strin"));
        let (msg, _) = ty("optional(string)").unwrap_err();
        assert!(msg.contains("only as a modifier"), "{msg}");
        let (msg, range) = ty("lst(string)").unwrap_err();
        assert!(msg.contains("Did you mean \"list\"?"), "{msg}");
        assert_eq!(range.map(|r| &"lst(string)"[r]), Some("lst"));
        assert!(ty("\"string\"").is_err());
        assert!(ty("object({ a = optional(number, \"x\") })").is_err());
        assert!(ty("object({ a = optional(number, var.x) })").is_err());
    }
}
