//! The top-level blocks of one file, decoded into its module: each kind to its own list or
//! map, with a name declared twice (in this file or an earlier one) reported at both places.

use super::cx::Cx;
use super::{blocks, resource};
use crate::config::{Module, ProviderConfig, ResourceMode};
use crate::diag::{Diagnostic, Span};
use hcl_edit::structure::{Block, Body, Structure};
use std::collections::BTreeMap;

pub(super) const TOP_LEVEL: &[&str] = &[
    "terraform",
    "provider",
    "variable",
    "locals",
    "output",
    "resource",
    "data",
    "ephemeral",
    "module",
    "moved",
    "removed",
    "check",
    "import",
];

fn duplicate(summary: String, what: &str, span: Span, previous: Span) -> Diagnostic {
    Diagnostic::error(summary)
        .detail(format!(
            "{what} was already declared. Names must be unique within a module."
        ))
        .subject(span)
        .related(previous, "previous declaration")
}

/// Puts `item` under `name`, unless the name is taken: then a duplicate error at both.
fn insert_unique<V>(
    cx: &mut Cx,
    map: &mut BTreeMap<String, V>,
    (name, item, span): (String, V, Span),
    span_of: fn(&V) -> Span,
    (summary, what): (String, String),
) {
    if let Some(prev) = map.get(&name) {
        cx.push(duplicate(summary, &what, span, span_of(prev)));
        return;
    }
    map.insert(name, item);
}

/// Decodes the top-level blocks of one file into `m`, checking names against earlier files.
pub(super) fn decode_file(cx: &mut Cx, body: Body, m: &mut Module) {
    for s in body {
        match &s {
            Structure::Block(b) => decode_block(cx, b, m),
            Structure::Attribute(a) => {
                cx.unsupported_argument(a, "at the top level of a configuration file", TOP_LEVEL)
            }
        }
    }
}

fn decode_block(cx: &mut Cx, b: &Block, m: &mut Module) {
    match b.ident.as_str() {
        "terraform" => blocks::terraform(cx, b, &mut m.terraform),
        "provider" => {
            if let Some(p) = blocks::provider(cx, b) {
                add_provider(cx, m, p);
            }
        }
        "variable" => {
            if let Some(v) = blocks::variable(cx, b) {
                let what = format!("A variable named \"{}\"", v.name);
                let span = v.span;
                let entry = (v.name.clone(), v, span);
                let why = ("Duplicate variable declaration".into(), what);
                insert_unique(cx, &mut m.variables, entry, |v| v.span, why);
            }
        }
        "locals" => {
            for l in blocks::locals(cx, b) {
                let what = format!("A local value named \"{}\"", l.name);
                let span = l.span;
                let entry = (l.name.clone(), l, span);
                let why = ("Duplicate local value definition".into(), what);
                insert_unique(cx, &mut m.locals, entry, |l| l.span, why);
            }
        }
        "output" => {
            if let Some(o) = blocks::output(cx, b) {
                if o.ephemeral && m.path.is_empty() {
                    cx.push(
                        Diagnostic::error("Ephemeral output not allowed")
                            .detail("Ephemeral outputs are not allowed in context of a root module")
                            .subject(o.span),
                    );
                }
                let what = format!("An output named \"{}\"", o.name);
                let span = o.span;
                let entry = (o.name.clone(), o, span);
                let why = ("Duplicate output definition".into(), what);
                insert_unique(cx, &mut m.outputs, entry, |o| o.span, why);
            }
        }
        kind @ ("resource" | "data" | "ephemeral") => decode_resource(cx, b, m, kind),
        "module" => {
            if let Some(c) = resource::module_call(cx, b) {
                let what = format!("A module call named \"{}\"", c.name);
                let span = c.span;
                let entry = (c.name.clone(), c, span);
                let why = ("Duplicate module call".into(), what);
                insert_unique(cx, &mut m.module_calls, entry, |c| c.span, why);
            }
        }
        "moved" => m.moved.extend(blocks::moved(cx, b)),
        "removed" => m.removed.extend(blocks::removed(cx, b)),
        "import" if m.path.is_empty() => m.imports.extend(blocks::import(cx, b)),
        "import" => cx.push(
            Diagnostic::error("Invalid import block")
                .detail("Import blocks are only allowed in the root module; write this one in the root module, with the module path in its `to` address.")
                .subject(cx.header(b)),
        ),
        "check" => decode_check(cx, b, m),
        _ => cx.unsupported_block(b, "here", TOP_LEVEL),
    }
}

/// A `check` block: its assertions, and its scoped data sources, which join the module's
/// resources (a name taken by another data source is the usual duplicate error).
fn decode_check(cx: &mut Cx, b: &Block, m: &mut Module) {
    let Some(c) = blocks::check(cx, b) else {
        return;
    };
    let (check, data) = c;
    let mut keys = Vec::new();
    for d in data {
        keys.push(d.key());
        insert_resource(cx, m, d, "data");
    }
    let check = crate::config::Check {
        data: keys,
        ..check
    };
    let what = format!("A check block named \"{}\"", check.name);
    let span = check.span;
    let entry = (check.name.clone(), check, span);
    let why = ("Duplicate check block".into(), what);
    insert_unique(cx, &mut m.checks, entry, |c| c.span, why);
}

fn decode_resource(cx: &mut Cx, b: &Block, m: &mut Module, kind: &str) {
    let mode = match kind {
        "data" => ResourceMode::Data,
        "ephemeral" => ResourceMode::Ephemeral,
        _ => ResourceMode::Managed,
    };
    let Some(r) = resource::resource(cx, b, mode) else {
        return;
    };
    insert_resource(cx, m, r, kind);
}

fn insert_resource(cx: &mut Cx, m: &mut Module, r: crate::config::Resource, kind: &str) {
    let summary = format!("Duplicate {kind} \"{}\" configuration", r.type_name);
    let what = format!("A {kind} named \"{}\" of type \"{}\"", r.name, r.type_name);
    let span = r.span;
    let entry = (r.key(), r, span);
    insert_unique(cx, &mut m.resources, entry, |r| r.span, (summary, what));
}

/// A provider configuration is identified by its name and alias.
fn add_provider(cx: &mut Cx, m: &mut Module, p: ProviderConfig) {
    let Some(prev) = m
        .providers
        .iter()
        .find(|q| q.name == p.name && q.alias == p.alias)
    else {
        m.providers.push(p);
        return;
    };
    let what = match &p.alias {
        Some(a) => format!("A provider configuration \"{}\" with alias \"{a}\"", p.name),
        None => format!("A default provider configuration \"{}\"", p.name),
    };
    cx.push(duplicate(
        "Duplicate provider configuration".into(),
        &what,
        p.span,
        prev.span,
    ));
}
