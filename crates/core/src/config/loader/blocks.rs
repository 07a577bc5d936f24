//! Decoders for the blocks whose schema the loader itself knows: `provider`, `variable`,
//! `locals`, `output`, `moved`, `removed`, `import`, `check`, and `validation`-shaped
//! conditions (`terraform` is in `terraform_block.rs`).

use super::cx::{root_name, Cx};
use crate::config::model::{
    Check, Expr, Import, Local, Moved, Output, ProviderConfig, Removed, Resource, ResourceMode,
    Validation, Variable,
};
use crate::diag::Diagnostic;
use crate::lang::convert::parse_constraint;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Attribute, Block, Structure};
use hcl_edit::visit::{visit_expr, Visit};
use hcl_edit::Span as _;

pub(super) use super::terraform_block::terraform;

/// An object key as written, without quotes (`aws`, `"aws"`, `aws.east`).
pub(super) fn object_key(cx: &Cx, key: &ObjectKey) -> String {
    match key {
        ObjectKey::Ident(i) => i.as_str().to_string(),
        ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
        ObjectKey::Expression(e) => cx.snippet(e.span()).to_string(),
    }
}

pub(super) fn provider(cx: &mut Cx, b: &Block) -> Option<ProviderConfig> {
    let name = cx.labels(b, &["name"])?.into_iter().next()?;
    let mut body = cx.body(&b.body);
    let mut alias = None;
    if let Some(a) = b.body.get_attribute("alias") {
        body.attributes.remove("alias");
        alias = cx.literal_string(a);
    }
    let for_each = b.body.get_attribute("for_each").map(|a| {
        body.attributes.remove("for_each");
        cx.expr(&a.value)
    });
    if let (Some(e), None) = (&for_each, &alias) {
        // OpenTofu's rule: the default configuration always has exactly one instance, so
        // that resources can use it without naming it.
        cx.push(
            Diagnostic::error("Alias required when using \"for_each\"")
                .detail("The for_each argument is allowed only for provider configurations with an alias.")
                .subject(e.span()),
        );
    }
    Some(ProviderConfig {
        name,
        alias,
        for_each,
        body,
        span: cx.header(b),
    })
}

pub(super) fn variable(cx: &mut Cx, b: &Block) -> Option<Variable> {
    const ARGS: &[&str] = &[
        "type",
        "default",
        "description",
        "sensitive",
        "ephemeral",
        "nullable",
        "validation",
    ];
    let name = cx.labels(b, &["name"])?.into_iter().next()?;
    let mut v = Variable {
        name,
        ty: None,
        default: None,
        description: None,
        sensitive: false,
        ephemeral: false,
        nullable: true,
        validations: Vec::new(),
        span: cx.header(b),
    };
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) => match a.key.as_str() {
                "type" => match parse_constraint(&a.value) {
                    Ok(ty) => v.ty = Some(ty),
                    Err((msg, range)) => cx.push(
                        Diagnostic::error("Invalid type specification")
                            .detail(msg)
                            .subject(cx.span(range.or_else(|| a.value.span()))),
                    ),
                },
                "default" => {
                    check_constant(cx, &a.value);
                    v.default = Some(cx.expr(&a.value));
                }
                "description" => v.description = cx.literal_string(a),
                "sensitive" => v.sensitive = cx.literal_bool(a).unwrap_or(false),
                "ephemeral" => v.ephemeral = cx.literal_bool(a).unwrap_or(false),
                "nullable" => v.nullable = cx.literal_bool(a).unwrap_or(true),
                _ => cx.unsupported_argument(a, "in a variable block", ARGS),
            },
            Structure::Block(inner) if inner.ident.as_str() == "validation" => {
                v.validations.extend(validation(cx, inner));
            }
            Structure::Block(inner) => cx.unsupported_block(inner, "in a variable block", ARGS),
        }
    }
    Some(v)
}

/// Terraform evaluates defaults without any context: references and calls are errors.
fn check_constant(cx: &mut Cx, e: &Expression) {
    struct Finder(Option<(std::ops::Range<usize>, &'static str)>);
    impl Visit for Finder {
        fn visit_expr(&mut self, e: &Expression) {
            if self.0.is_some() {
                return;
            }
            match e {
                Expression::Variable(v) => {
                    self.0 = v.span().map(|r| (r, "Variables not allowed"));
                }
                Expression::FuncCall(f) => {
                    self.0 = f.span().map(|r| (r, "Function calls not allowed"));
                }
                _ => visit_expr(self, e),
            }
        }
    }
    let mut finder = Finder(None);
    finder.visit_expr(e);
    if let Some((range, summary)) = finder.0 {
        cx.push(
            Diagnostic::error(summary)
                .detail(
                    "A variable's default value must be a constant: references to other \
                         objects and function calls cannot be used here.",
                )
                .subject(cx.span(Some(range))),
        );
    }
}

/// `validation`, `precondition` and `postcondition` blocks share one shape.
pub(super) fn validation(cx: &mut Cx, b: &Block) -> Option<Validation> {
    const ARGS: &[&str] = &["condition", "error_message"];
    if !cx.no_labels(b) {
        return None;
    }
    let (mut condition, mut message) = (None, None);
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) if a.key.as_str() == "condition" => {
                condition = Some(cx.expr(&a.value));
            }
            Structure::Attribute(a) if a.key.as_str() == "error_message" => {
                message = Some(cx.expr(&a.value));
            }
            Structure::Attribute(a) => {
                let ctx = format!("in a {} block", b.ident.as_str());
                cx.unsupported_argument(a, &ctx, ARGS);
            }
            Structure::Block(inner) => {
                let ctx = format!("in a {} block", b.ident.as_str());
                cx.unsupported_block(inner, &ctx, &[]);
            }
        }
    }
    if condition.is_none() {
        cx.missing_argument(b, "condition");
    }
    if message.is_none() {
        cx.missing_argument(b, "error_message");
    }
    Some(Validation {
        condition: condition?,
        error_message: message?,
        span: cx.header(b),
    })
}

pub(super) fn locals(cx: &mut Cx, b: &Block) -> Vec<Local> {
    if !cx.no_labels(b) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) => out.push(Local {
                name: a.key.as_str().to_string(),
                expr: cx.expr(&a.value),
                span: cx.span(a.span()),
            }),
            Structure::Block(inner) => cx.unsupported_block(inner, "in a locals block", &[]),
        }
    }
    out
}

pub(super) fn output(cx: &mut Cx, b: &Block) -> Option<Output> {
    const ARGS: &[&str] = &[
        "value",
        "description",
        "sensitive",
        "ephemeral",
        "depends_on",
        "precondition",
    ];
    let name = cx.labels(b, &["name"])?.into_iter().next()?;
    let (mut value, mut description, mut sensitive) = (None, None, false);
    let mut ephemeral = false;
    let (mut depends_on, mut preconditions) = (Vec::new(), Vec::new());
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) => match a.key.as_str() {
                "value" => value = Some(cx.expr(&a.value)),
                "description" => description = cx.literal_string(a),
                "sensitive" => sensitive = cx.literal_bool(a).unwrap_or(false),
                "ephemeral" => ephemeral = cx.literal_bool(a).unwrap_or(false),
                "depends_on" => depends_on = cx.reference_list(a),
                _ => cx.unsupported_argument(a, "in an output block", ARGS),
            },
            Structure::Block(inner) if inner.ident.as_str() == "precondition" => {
                preconditions.extend(validation(cx, inner));
            }
            Structure::Block(inner) => cx.unsupported_block(inner, "in an output block", ARGS),
        }
    }
    if value.is_none() {
        cx.missing_argument(b, "value");
    }
    Some(Output {
        name,
        expr: value?,
        description,
        sensitive,
        ephemeral,
        depends_on,
        preconditions,
        span: cx.header(b),
    })
}

/// An address argument of `moved`/`removed`, kept as written.
fn address(cx: &mut Cx, a: &Attribute) -> Option<String> {
    if root_name(&a.value).is_none() {
        cx.push(
            Diagnostic::error("Invalid address")
                .detail(format!(
                    "The \"{}\" argument must be a resource or module address, like \
                     aws_vpc.this or module.network.",
                    a.key.as_str()
                ))
                .subject(cx.span(a.value.span())),
        );
        return None;
    }
    Some(cx.snippet(a.value.span()).to_string())
}

pub(super) fn moved(cx: &mut Cx, b: &Block) -> Option<Moved> {
    if !cx.no_labels(b) {
        return None;
    }
    let (mut from, mut to) = (None, None);
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) if a.key.as_str() == "from" => from = address(cx, a),
            Structure::Attribute(a) if a.key.as_str() == "to" => to = address(cx, a),
            Structure::Attribute(a) => {
                cx.unsupported_argument(a, "in a moved block", &["from", "to"])
            }
            Structure::Block(inner) => cx.unsupported_block(inner, "in a moved block", &[]),
        }
    }
    for (name, present) in [
        ("from", b.body.has_attribute("from")),
        ("to", b.body.has_attribute("to")),
    ] {
        if !present {
            cx.missing_argument(b, name);
        }
    }
    Some(Moved {
        from: from?,
        to: to?,
        span: cx.header(b),
    })
}

pub(super) fn removed(cx: &mut Cx, b: &Block) -> Option<Removed> {
    if !cx.no_labels(b) {
        return None;
    }
    let (mut from, mut destroy) = (None, true);
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) if a.key.as_str() == "from" => from = address(cx, a),
            Structure::Attribute(a) => cx.unsupported_argument(a, "in a removed block", &["from"]),
            Structure::Block(inner) if inner.ident.as_str() == "lifecycle" => {
                if !cx.no_labels(inner) {
                    continue;
                }
                for s in inner.body.iter() {
                    match s {
                        Structure::Attribute(a) if a.key.as_str() == "destroy" => {
                            destroy = cx.literal_bool(a).unwrap_or(true);
                        }
                        Structure::Attribute(a) => {
                            cx.unsupported_argument(
                                a,
                                "in a removed lifecycle block",
                                &["destroy"],
                            );
                        }
                        Structure::Block(x) => cx.unsupported_block(x, "in a lifecycle block", &[]),
                    }
                }
            }
            Structure::Block(inner) if inner.ident.as_str() == "provisioner" => {
                super::resource::provisioner_warning(cx, inner);
            }
            Structure::Block(inner) => {
                cx.unsupported_block(inner, "in a removed block", &["lifecycle"]);
            }
        }
    }
    if !b.body.has_attribute("from") {
        cx.missing_argument(b, "from");
    }
    Some(Removed {
        from: from?,
        destroy,
        span: cx.header(b),
    })
}

pub(super) fn import(cx: &mut Cx, b: &Block) -> Option<Import> {
    const ARGS: &[&str] = &["to", "id", "for_each"];
    if !cx.no_labels(b) {
        return None;
    }
    let (mut to, mut id, mut for_each) = (None, None, None);
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) if a.key.as_str() == "to" => to = Some(a),
            Structure::Attribute(a) if a.key.as_str() == "id" => id = Some(cx.expr(&a.value)),
            Structure::Attribute(a) if a.key.as_str() == "for_each" => {
                for_each = Some(cx.expr(&a.value));
            }
            Structure::Attribute(a) => cx.unsupported_argument(a, "in an import block", ARGS),
            Structure::Block(inner) => cx.unsupported_block(inner, "in an import block", ARGS),
        }
    }
    for name in ["to", "id"] {
        if !b.body.has_attribute(name) {
            cx.missing_argument(b, name);
        }
    }
    let (to, to_key) = match (to, &for_each) {
        (Some(a), Some(_)) => keyed_address(cx, a)?,
        (Some(a), None) => (address(cx, a)?, None),
        (None, _) => return None,
    };
    Some(Import {
        to,
        to_key,
        for_each,
        id: id?,
        span: cx.header(b),
    })
}

/// `to` of an import with `for_each`: a static address, or one whose last index is an
/// expression (`aws_iam_role.this[each.key]`), split into the resource address and that
/// expression. Keys computed anywhere else (a module instance's) are refused at the key.
fn keyed_address(cx: &mut Cx, a: &Attribute) -> Option<(String, Option<Expr>)> {
    let Expression::Traversal(t) = &a.value else {
        return address(cx, a).map(|to| (to, None));
    };
    let Some((last, before)) = t.operators.split_last() else {
        return address(cx, a).map(|to| (to, None));
    };
    let computed = |op: &TraversalOperator| matches!(op, TraversalOperator::Index(i) if !matches!(i, Expression::String(_) | Expression::Number(_)));
    if let Some(op) = before.iter().find(|op| computed(op.value())) {
        cx.push(
            Diagnostic::error("Invalid import address")
                .detail("hubctl computes only the resource's own instance key in an import block's `to` (aws_iam_role.this[each.key]); write the module instance keys as literals.")
                .subject(cx.span(op.span())),
        );
        return None;
    }
    let TraversalOperator::Index(key) = last.value() else {
        return address(cx, a).map(|to| (to, None));
    };
    if !computed(last.value()) {
        return address(cx, a).map(|to| (to, None));
    }
    let start = a.value.span().map(|r| r.start)?;
    let end = last.span().map(|r| r.start)?;
    let to = cx.snippet(Some(start..end)).to_string();
    Some((to, Some(cx.expr(key))))
}

/// `check "name" { assert {...} data "t" "n" {...} }`: the check (without its data keys,
/// which the caller fills in) and its scoped data sources.
pub(super) fn check(cx: &mut Cx, b: &Block) -> Option<(Check, Vec<Resource>)> {
    let name = cx.labels(b, &["name"])?.into_iter().next()?;
    let mut asserts = Vec::new();
    let mut data = Vec::new();
    for s in b.body.iter() {
        match s {
            Structure::Block(inner) if inner.ident.as_str() == "assert" => {
                asserts.extend(validation(cx, inner));
            }
            Structure::Block(inner) if inner.ident.as_str() == "data" => {
                data.extend(super::resource::resource(cx, inner, ResourceMode::Data));
            }
            Structure::Block(inner) => {
                cx.unsupported_block(inner, "in a check block", &["assert", "data"])
            }
            Structure::Attribute(a) => cx.unsupported_argument(a, "in a check block", &[]),
        }
    }
    if asserts.is_empty() {
        cx.push(
            Diagnostic::error("Missing assert block")
                .detail(format!("The check block \"{name}\" needs at least one assert block: it is what the check checks."))
                .subject(cx.header(b)),
        );
        return None;
    }
    let check = Check {
        name,
        asserts,
        data: Vec::new(),
        span: cx.header(b),
    };
    Some((check, data))
}
