//! Decoding of the blocks whose values are evaluated in the full scope: `terraform`,
//! `remote_state`, `generate`, `dependency`, `dependencies`, and typed conversion of
//! attribute values with Terraform's wording for wrong types.

use super::model::*;
use super::scope::Scope;
use crate::config::{Attribute, Block, Body};
use crate::diag::{Diagnostic, Span};
use crate::lang::convert::convert;
use crate::lang::{Type, Value, VecMap};

/// Reports every attribute and block of `body` that is not in `attrs`/`blocks`; `refused`
/// names the ones refused on purpose (hooks) with their reason.
pub(super) fn check_body(
    s: &Scope,
    body: &Body,
    ctx: &str,
    attrs: &[&str],
    blocks: &[&str],
    refused: &[(&str, &str)],
) {
    let mut found: Vec<Diagnostic> = Vec::new();
    for (name, a) in body.attributes.iter() {
        if !attrs.contains(&name.as_str()) {
            found.push(unsupported("argument", name, ctx, attrs, refused).subject(a.name_span));
        }
    }
    for b in &body.blocks {
        if !blocks.contains(&b.kind.as_str()) {
            found.push(unsupported("block type", &b.kind, ctx, blocks, refused).subject(b.span));
        }
    }
    // In source order (attributes are kept sorted by name).
    found.sort_by_key(|d| d.subject.map(|s| s.start));
    found.into_iter().for_each(|d| s.loader.push(d));
}

fn unsupported(
    what: &str,
    name: &str,
    ctx: &str,
    valid: &[&str],
    refused: &[(&str, &str)],
) -> Diagnostic {
    if let Some((_, why)) = refused.iter().find(|(n, _)| *n == name) {
        return Diagnostic::error(format!("Unsupported {what}")).detail(format!(
            "\"{name}\" {ctx} is not supported by hubctl: {why}"
        ));
    }
    let d = Diagnostic::error(format!("Unsupported {what}"))
        .detail(format!("An {what} named \"{name}\" is not expected {ctx}."));
    match crate::lang::did_you_mean(name, valid.iter().copied()) {
        Some(s) => d.help(format!("did you mean \"{s}\"?")),
        None => d,
    }
}

/// Evaluates `a` and converts it to `ty`; `None` (reported) when it cannot be, or when it
/// is not known (a dependency output of a unit never applied).
pub(super) fn typed(s: &Scope, a: &Attribute, ty: &Type, what: &str) -> Option<Value> {
    let v = s.eval_checked(&a.expr)?;
    if !v.is_wholly_known() {
        s.loader.push(
            Diagnostic::error("Value not known yet")
                .detail(format!(
                    "The value of \"{}\" depends on values known only after apply (dependency outputs of a unit not applied yet); {what} must be known when the unit is read.",
                    a.name
                ))
                .subject(a.expr.span()),
        );
        return None;
    }
    match convert(v.deep_unmark().0, ty) {
        Ok(v) => Some(v),
        Err(why) => {
            s.loader.push(
                Diagnostic::error("Incorrect attribute value type")
                    .detail(format!(
                        "Inappropriate value for attribute \"{}\": {why}.",
                        a.name
                    ))
                    .subject(a.expr.span()),
            );
            None
        }
    }
}

pub(super) fn string(s: &Scope, body: &Body, name: &str) -> Option<String> {
    let a = body.attributes.get(name)?;
    typed(s, a, &Type::String, "it").and_then(|v| v.as_str().map(str::to_string))
}

pub(super) fn boolean(s: &Scope, body: &Body, name: &str) -> Option<bool> {
    let a = body.attributes.get(name)?;
    typed(s, a, &Type::Bool, "it").and_then(|v| v.as_bool())
}

pub(super) fn strings(s: &Scope, body: &Body, name: &str) -> Option<Vec<String>> {
    let a = body.attributes.get(name)?;
    let v = typed(s, a, &Type::List(Box::new(Type::String)), "it")?;
    Some(
        v.as_seq()
            .unwrap_or_default()
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
    )
}

/// An object/map attribute, kept as values (unknowns allowed: inputs and mocks may hold them).
pub(super) fn object(s: &Scope, body: &Body, name: &str) -> Option<VecMap<String, Value>> {
    let a = body.attributes.get(name)?;
    match s.eval(&a.expr).peel() {
        Value::Object(m) | Value::Map(m) => Some(m.clone()),
        Value::Unknown(_) => Some(VecMap::new()),
        other => {
            s.loader.push(
                Diagnostic::error("Incorrect attribute value type")
                    .detail(format!(
                        "Inappropriate value for attribute \"{name}\": object required, but got {}.",
                        other.type_name()
                    ))
                    .subject(a.expr.span()),
            );
            None
        }
    }
}

pub(super) fn missing(s: &Scope, span: Span, name: &str) {
    s.loader.push(
        Diagnostic::error("Missing required argument")
            .detail(format!(
                "The argument \"{name}\" is required, but no definition was found."
            ))
            .subject(span),
    );
}

/// The one label of a `generate`/`dependency`/`extra_arguments` block.
pub(super) fn label(s: &Scope, b: &Block) -> Option<String> {
    if b.labels.len() == 1 {
        return Some(b.labels[0].clone());
    }
    s.loader.push(
        Diagnostic::error(if b.labels.is_empty() {
            "Missing name for ".to_string() + &b.kind
        } else {
            format!("Extraneous label for {}", b.kind)
        })
        .detail(format!(
            "A {} block must have exactly one label: its name.",
            b.kind
        ))
        .subject(b.span),
    );
    None
}

const HOOK: &str = "hooks run arbitrary commands, which hubctl refuses";
const NOT_YET: &str = "hubctl does not implement it yet";

pub(super) fn terraform(s: &Scope, b: &Block) -> Terraform {
    check_body(
        s,
        &b.body,
        "in a terraform block",
        &["source"],
        &["extra_arguments"],
        &[
            ("before_hook", HOOK),
            ("after_hook", HOOK),
            ("error_hook", HOOK),
            ("include_in_copy", NOT_YET),
            ("exclude_from_copy", NOT_YET),
            ("copy_terraform_lock_file", NOT_YET),
        ],
    );
    let mut t = Terraform {
        source: string(s, &b.body, "source"),
        source_span: b.body.attributes.get("source").map(|a| a.expr.span()),
        extra_arguments: Vec::new(),
    };
    for e in b.body.blocks.iter().filter(|x| x.kind == "extra_arguments") {
        let Some(name) = label(s, e) else { continue };
        let ctx = "in an extra_arguments block";
        let attrs = [
            "commands",
            "arguments",
            "env_vars",
            "required_var_files",
            "optional_var_files",
        ];
        check_body(s, &e.body, ctx, &attrs, &[], &[]);
        if !e.body.attributes.contains_key("commands") {
            missing(s, e.span, "commands");
        }
        t.extra_arguments.push(ExtraArguments {
            name,
            commands: strings(s, &e.body, "commands").unwrap_or_default(),
            arguments: strings(s, &e.body, "arguments"),
            env_vars: object(s, &e.body, "env_vars"),
            required_var_files: strings(s, &e.body, "required_var_files"),
            optional_var_files: strings(s, &e.body, "optional_var_files"),
        });
    }
    t
}

pub(super) fn remote_state(s: &Scope, b: &Block) -> Option<RemoteState> {
    let attrs = [
        "backend",
        "config",
        "generate",
        "disable_init",
        "disable_dependency_optimization",
    ];
    check_body(
        s,
        &b.body,
        "in a remote_state block",
        &attrs,
        &[],
        &[("encryption", NOT_YET)],
    );
    let Some(backend) = string(s, &b.body, "backend") else {
        if !b.body.attributes.contains_key("backend") {
            missing(s, b.span, "backend");
        }
        return None;
    };
    let generate = b.body.attributes.get("generate").and_then(|a| {
        let ty = Type::Map(Box::new(Type::String));
        let v = typed(s, a, &ty, "generate")?;
        let get = |k: &str| v.get_attr(k).and_then(|x| x.as_str()).map(str::to_string);
        match (get("path"), get("if_exists")) {
            (Some(p), Some(i)) => Some((p, i)),
            _ => {
                s.loader.push(
                    Diagnostic::error("Invalid remote_state generate")
                        .detail("remote_state's generate needs both \"path\" and \"if_exists\".")
                        .subject(a.expr.span()),
                );
                None
            }
        }
    });
    Some(RemoteState {
        backend,
        config: object(s, &b.body, "config").map_or(Value::Null, Value::Object),
        generate,
        disable_init: boolean(s, &b.body, "disable_init").unwrap_or(false),
        disable_dependency_optimization: boolean(s, &b.body, "disable_dependency_optimization")
            .unwrap_or(false),
        span: b.span,
    })
}

const IF_EXISTS: &[&str] = &["overwrite", "overwrite_terragrunt", "skip", "error"];

pub(super) fn generate(s: &Scope, b: &Block) -> Option<(String, Generate)> {
    let name = label(s, b)?;
    let attrs = [
        "path",
        "if_exists",
        "contents",
        "comment_prefix",
        "disable_signature",
        "disable",
        "if_disabled",
    ];
    check_body(s, &b.body, "in a generate block", &attrs, &[], &[]);
    for required in ["path", "if_exists", "contents"] {
        if !b.body.attributes.contains_key(required) {
            missing(s, b.span, required);
        }
    }
    let if_exists = string(s, &b.body, "if_exists")?;
    if !IF_EXISTS.contains(&if_exists.as_str()) {
        let at = b.body.attributes.get("if_exists").map(|a| a.expr.span());
        s.loader.push(
            Diagnostic::error("Invalid if_exists")
                .detail(format!(
                    "if_exists must be one of {}; got \"{if_exists}\".",
                    IF_EXISTS.join(", ")
                ))
                .subject_opt(at),
        );
    }
    let g = Generate {
        path: string(s, &b.body, "path")?,
        if_exists,
        contents: string(s, &b.body, "contents")?,
        comment_prefix: string(s, &b.body, "comment_prefix").unwrap_or_else(|| "# ".into()),
        disable_signature: boolean(s, &b.body, "disable_signature").unwrap_or(false),
        disable: boolean(s, &b.body, "disable").unwrap_or(false),
        span: b.span,
    };
    Some((name, g))
}

/// `dependencies { paths = [...] }`.
pub(super) fn dependencies(s: &Scope, b: &Block) -> Option<Vec<String>> {
    check_body(s, &b.body, "in a dependencies block", &["paths"], &[], &[]);
    if !b.body.attributes.contains_key("paths") {
        missing(s, b.span, "paths");
    }
    strings(s, &b.body, "paths")
}

/// Where each input is set: its key in the `inputs` object constructor (the whole
/// attribute when `inputs` is built otherwise, by `merge()` say), with the dependency
/// blocks its value expression reads.
pub(super) fn input_sources(
    body: &Body,
    inputs: Option<&VecMap<String, Value>>,
) -> VecMap<String, InputSource> {
    let (Some(a), Some(inputs)) = (body.attributes.get("inputs"), inputs) else {
        return VecMap::new();
    };
    let deps_of = |e: &crate::lang::ir::Expr| {
        let mut names: Vec<String> = Vec::new();
        for r in crate::lang::references(e) {
            let name = r.attrs.first().filter(|_| r.root == "dependency");
            if let Some(n) = name.filter(|n| !names.contains(n)) {
                names.push(n.clone());
            }
        }
        names
    };
    let entries: Vec<(&str, Span, &crate::lang::ir::Expr)> = match &a.expr.expr.kind {
        crate::lang::ir::Kind::Object(items) => items
            .iter()
            .filter_map(|(k, v)| {
                let name: &str = match k {
                    crate::lang::ir::ObjectKey::Ident(id, _) => id.as_str(),
                    crate::lang::ir::ObjectKey::Expr(e) => match &e.kind {
                        crate::lang::ir::Kind::String(s) => s,
                        _ => return None,
                    },
                };
                let range = k.pos().range()?;
                Some((name, Span::new(a.expr.file, range), v))
            })
            .collect(),
        _ => Vec::new(),
    };
    let whole = InputSource {
        span: a.expr.span(),
        dependencies: deps_of(&a.expr.expr),
    };
    inputs
        .keys()
        .map(|k| {
            let src = entries.iter().find(|(n, _, _)| n == k).map_or_else(
                || whole.clone(),
                |(_, span, v)| InputSource {
                    span: *span,
                    dependencies: deps_of(v),
                },
            );
            (k.clone(), src)
        })
        .collect()
}
