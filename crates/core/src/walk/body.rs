//! Evaluates a resource, data or provider body against its schema: values converted to the
//! attribute types, nested blocks shaped by their nesting mode, `dynamic` blocks expanded,
//! sensitive attributes marked. Names (unsupported or missing arguments) are checked once,
//! statically, by `check`, before any walk.

use super::scope::With;
use crate::config::{Block, Body, Expr};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::lang::convert::convert;
use crate::lang::{eval, EvalContext, Resolver, Value, VecMap};
use crate::provider::{BlockSchema, Nesting, Schema};
use std::collections::BTreeMap;
use std::path::Path;

/// Evaluation surroundings shared by all expressions of one body.
pub struct BodyCtx<'a> {
    pub resolver: &'a dyn Resolver,
    pub base_dir: &'a Path,
    /// Block kinds handled by the engine itself and skipped here (e.g. `timeouts`).
    pub skip_blocks: &'a [&'a str],
}

pub fn eval_expr(e: &Expr, resolver: &dyn Resolver, base_dir: &Path) -> (Value, Diagnostics) {
    eval(
        &e.expr,
        &EvalContext {
            file: e.file,
            resolver,
            base_dir,
        },
    )
}

/// The object value of `body` under `schema`. `header` is where "missing argument" points.
pub fn eval_body(
    body: &Body,
    schema: &Schema,
    header: Span,
    ctx: &BodyCtx,
) -> (Value, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut obj = eval_attributes(body, schema, ctx, &mut diags);
    for (name, s) in &schema.attributes {
        if obj.contains_key(name) {
            continue;
        }
        obj.insert(name.clone(), s.default.clone().unwrap_or(Value::Null));
    }
    let mut groups = eval_blocks(body, schema, ctx, &mut diags);
    for (kind, bs) in &schema.blocks {
        let items = groups.remove(kind.as_str()).unwrap_or_default();
        obj.insert(
            kind.clone(),
            block_value(kind, bs, items, header, &mut diags),
        );
    }
    (Value::Object(obj), diags)
}

/// The arguments written in the body, converted to their schema types; one that fails to
/// evaluate or convert is unknown, so the rest of the body is still checked.
fn eval_attributes(
    body: &Body,
    schema: &Schema,
    ctx: &BodyCtx,
    diags: &mut Diagnostics,
) -> VecMap<String, Value> {
    let mut obj = VecMap::new();
    for (name, a) in &body.attributes {
        // Names were checked statically (`check::check_body`) before any walk.
        let Some(s) = schema.attributes.get(name).filter(|s| s.is_argument()) else {
            continue;
        };
        let (v, d) = eval_expr(&a.expr, ctx.resolver, ctx.base_dir);
        let failed = d.has_errors();
        diags.extend(d);
        if failed {
            obj.insert(name.clone(), Value::unknown());
            continue;
        }
        match convert(v, &s.ty) {
            Ok(v) => {
                obj.insert(name.clone(), v.mark_if(s.sensitive));
            }
            Err(msg) => {
                diags.push(
                    Diagnostic::error("Incorrect attribute value type")
                        .detail(format!(
                            "Inappropriate value for attribute \"{name}\": {msg}."
                        ))
                        .subject(a.expr.span()),
                );
                obj.insert(name.clone(), Value::unknown());
            }
        }
    }
    obj
}

/// Nested blocks evaluated and grouped by kind; `dynamic "kind"` expands into the same group.
fn eval_blocks<'b>(
    body: &'b Body,
    schema: &Schema,
    ctx: &BodyCtx,
    diags: &mut Diagnostics,
) -> BTreeMap<&'b str, Vec<(Value, Span)>> {
    let mut groups: BTreeMap<&str, Vec<(Value, Span)>> = BTreeMap::new();
    for b in &body.blocks {
        let kind = if b.kind == "dynamic" {
            b.labels.first().map(String::as_str).unwrap_or("")
        } else {
            b.kind.as_str()
        };
        if ctx.skip_blocks.contains(&kind) {
            continue;
        }
        let Some(bs) = schema.blocks.get(kind) else {
            continue;
        };
        if b.kind == "dynamic" {
            let (items, d) = expand_dynamic(b, &bs.schema, ctx);
            diags.extend(d);
            groups.entry(kind).or_default().extend(items);
        } else {
            let (v, d) = eval_body(&b.body, &bs.schema, b.span, ctx);
            diags.extend(d);
            groups.entry(kind).or_default().push((v, b.span));
        }
    }
    groups
}

/// The blocks of one kind as a value of its nesting mode, after checking their number.
fn block_value(
    kind: &str,
    bs: &BlockSchema,
    items: Vec<(Value, Span)>,
    header: Span,
    diags: &mut Diagnostics,
) -> Value {
    if items.len() < bs.min_items {
        diags.push(
            Diagnostic::error("Insufficient blocks")
                .detail(format!(
                    "At least {} \"{kind}\" block(s) are required.",
                    bs.min_items
                ))
                .subject(header),
        );
    }
    if let Some(max) = bs.max_items {
        if items.len() > max {
            diags.push(
                Diagnostic::error("Too many blocks")
                    .detail(format!(
                        "No more than {max} \"{kind}\" block(s) are allowed."
                    ))
                    .subject(items[max].1),
            );
        }
    }
    let vals: Vec<Value> = items.into_iter().map(|(v, _)| v).collect();
    match bs.nesting {
        Nesting::Single => vals.into_iter().next().unwrap_or(Value::Null),
        Nesting::List => Value::List(vals),
        Nesting::Set => Value::set(vals),
    }
}

/// `dynamic "kind" { for_each = ..., iterator = it, content { ... } }`.
fn expand_dynamic(b: &Block, schema: &Schema, ctx: &BodyCtx) -> (Vec<(Value, Span)>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let kind = b.labels.first().cloned().unwrap_or_default();
    let Some(fe) = b.body.attributes.get("for_each") else {
        diags.push(
            Diagnostic::error("Missing required argument")
                .detail("A dynamic block requires \"for_each\".")
                .subject(b.span),
        );
        return (Vec::new(), diags);
    };
    let iterator = b
        .body
        .attributes
        .get("iterator")
        .map(|a| crate::diag_text_of(&a.expr))
        .unwrap_or_else(|| kind.clone());
    let Some(content) = b.body.blocks.iter().find(|c| c.kind == "content") else {
        diags.push(
            Diagnostic::error("Missing content block")
                .detail("A dynamic block requires a \"content\" block.")
                .subject(b.span),
        );
        return (Vec::new(), diags);
    };
    let (coll, d) = eval_expr(&fe.expr, ctx.resolver, ctx.base_dir);
    let failed = d.has_errors();
    diags.extend(d);
    if failed {
        return (Vec::new(), diags);
    }
    let (coll, marked) = coll.unmark();
    let pairs: Vec<(Value, Value)> = match coll {
        Value::List(xs) | Value::Tuple(xs) => xs
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Value::int(i as i64), v))
            .collect(),
        Value::Set(xs) => xs.into_iter().map(|v| (v.clone(), v)).collect(),
        Value::Map(m) | Value::Object(m) => {
            m.into_iter().map(|(k, v)| (Value::String(k), v)).collect()
        }
        Value::Null => Vec::new(),
        Value::Unknown(_) => return (vec![(Value::unknown(), b.span)], diags),
        other => {
            diags.push(
                Diagnostic::error("Invalid dynamic for_each value")
                    .detail(format!(
                        "Cannot use a {} value in for_each. An iterable collection is required.",
                        other.type_name()
                    ))
                    .subject(fe.expr.span()),
            );
            return (Vec::new(), diags);
        }
    };
    let mut out = Vec::new();
    for (k, v) in pairs {
        let it = Value::map([("key", k), ("value", v)]).mark_if(marked);
        let with = With {
            inner: ctx.resolver,
            name: &iterator,
            value: it,
        };
        let sub = BodyCtx {
            resolver: &with,
            base_dir: ctx.base_dir,
            skip_blocks: ctx.skip_blocks,
        };
        let (v, d) = eval_body(&content.body, schema, content.span, &sub);
        diags.extend(d);
        out.push((v, content.span));
    }
    (out, diags)
}
