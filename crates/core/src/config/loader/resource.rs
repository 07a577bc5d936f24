//! Decoders for blocks with meta-arguments: `resource`, `data` and `module` calls. The
//! meta-arguments are taken out; what remains is kept schema-less for the engine.

use super::blocks::{object_key, validation};
use super::cx::{root_name, strip_parens, Cx};
use crate::config::model::{Lifecycle, ModuleCall, ProviderRef, Resource, ResourceMode};
use crate::diag::Diagnostic;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Attribute, Block, Structure};
use hcl_edit::Span as _;
use std::collections::BTreeMap;

pub(super) fn provisioner_warning(cx: &mut Cx, b: &Block) {
    cx.push(
        Diagnostic::warning("Provisioners are not supported")
            .detail(format!(
                "hubctl does not run provisioners; this \"{}\" block is ignored.",
                b.ident.as_str()
            ))
            .subject(cx.header(b)),
    );
}

/// Errors when both `count` and `for_each` are set: an object has one repetition mode.
fn check_repetition(cx: &mut Cx, count: Option<&Attribute>, for_each: Option<&Attribute>) {
    if let (Some(c), Some(f)) = (count, for_each) {
        cx.push(
            Diagnostic::error("Invalid combination of \"count\" and \"for_each\"")
                .detail(
                    "The \"count\" and \"for_each\" meta-arguments are mutually exclusive, \
                         only one should be used to be explicit about the number of resources \
                         to be created.",
                )
                .subject(cx.span(f.span()))
                .related(cx.span(c.span()), "\"count\" is set here"),
        );
    }
}

/// OpenTofu: "A given resource or module block cannot use `enabled` together with `count`
/// or `for_each`."
fn check_enabled(cx: &mut Cx, r: &Resource) {
    let Some(e) = &r.lifecycle.enabled else {
        return;
    };
    let other = match (&r.count, &r.for_each) {
        (Some(c), _) => ("count", c.span()),
        (None, Some(f)) => ("for_each", f.span()),
        (None, None) => return,
    };
    cx.push(
        Diagnostic::error(format!("Invalid combination of \"{}\" and \"enabled\"", other.0))
            .detail(format!("The \"{}\" and \"enabled\" meta-arguments are mutually-exclusive. Only one may be used to be explicit about the number of resources to be created.", other.0))
            .subject(e.span())
            .related(other.1, format!("\"{}\" is set here", other.0)),
    );
}

pub(super) fn resource(cx: &mut Cx, b: &Block, mode: ResourceMode) -> Option<Resource> {
    let mut labels = cx.labels(b, &["type", "name"])?.into_iter();
    let (type_name, name) = (labels.next()?, labels.next()?);
    let mut r = Resource {
        mode,
        type_name,
        name,
        count: None,
        for_each: None,
        depends_on: Vec::new(),
        provider: None,
        lifecycle: Lifecycle::default(),
        body: Default::default(),
        span: cx.header(b),
    };
    let mut lifecycle_span = None;
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) => match a.key.as_str() {
                "count" => r.count = Some(cx.expr(&a.value)),
                "for_each" => r.for_each = Some(cx.expr(&a.value)),
                "depends_on" => r.depends_on = cx.reference_list(a),
                "provider" => r.provider = cx.provider_ref(&a.value),
                _ => {
                    r.body
                        .attributes
                        .insert(a.key.as_str().to_string(), cx.attr(a));
                }
            },
            Structure::Block(inner) => match inner.ident.as_str() {
                "lifecycle" => {
                    let span = cx.header(inner);
                    if let Some(prev) = lifecycle_span {
                        cx.push(
                            Diagnostic::error("Duplicate lifecycle block")
                                .detail("Only one lifecycle block is allowed per resource.")
                                .subject(span)
                                .related(prev, "previous declaration"),
                        );
                        continue;
                    }
                    lifecycle_span = Some(span);
                    lifecycle(cx, inner, &mut r.lifecycle);
                }
                "provisioner" | "connection" => provisioner_warning(cx, inner),
                _ => r.body.blocks.push(cx.block(inner)),
            },
        }
    }
    check_repetition(
        cx,
        b.body.get_attribute("count"),
        b.body.get_attribute("for_each"),
    );
    check_enabled(cx, &r);
    if mode == ResourceMode::Ephemeral {
        ephemeral_lifecycle(cx, b);
    }
    Some(r)
}

/// Terraform: an ephemeral resource's `lifecycle` may only hold conditions; the other
/// arguments are about stored objects, which it never has.
fn ephemeral_lifecycle(cx: &mut Cx, b: &Block) {
    const MANAGED_ONLY: &[&str] = &[
        "create_before_destroy",
        "prevent_destroy",
        "ignore_changes",
        "replace_triggered_by",
    ];
    let lifecycles = b.body.iter().filter_map(|s| match s {
        Structure::Block(l) if l.ident.as_str() == "lifecycle" => Some(l),
        _ => None,
    });
    for l in lifecycles {
        for a in l.body.attributes() {
            let name = a.key.as_str();
            if !MANAGED_ONLY.contains(&name) {
                continue;
            }
            cx.push(
                Diagnostic::error("Invalid ephemeral resource lifecycle argument")
                    .detail(format!("The lifecycle argument \"{name}\" is defined only for managed resources (\"resource\" blocks), and is not valid for ephemeral resources."))
                    .subject(cx.span(a.span())),
            );
        }
    }
}

fn lifecycle(cx: &mut Cx, b: &Block, lc: &mut Lifecycle) {
    const ARGS: &[&str] = &[
        "create_before_destroy",
        "prevent_destroy",
        "enabled",
        "ignore_changes",
        "replace_triggered_by",
        "precondition",
        "postcondition",
    ];
    if !cx.no_labels(b) {
        return;
    }
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) => match a.key.as_str() {
                "create_before_destroy" => {
                    lc.create_before_destroy = cx.literal_bool(a).unwrap_or(false);
                }
                "prevent_destroy" => lc.prevent_destroy = Some(cx.expr(&a.value)),
                "enabled" => lc.enabled = Some(cx.expr(&a.value)),
                "ignore_changes" => ignore_changes(cx, a, lc),
                "replace_triggered_by" => lc.replace_triggered_by = triggers(cx, a),
                _ => cx.unsupported_argument(a, "in a lifecycle block", ARGS),
            },
            Structure::Block(inner) => match inner.ident.as_str() {
                "precondition" => lc.preconditions.extend(validation(cx, inner)),
                "postcondition" => lc.postconditions.extend(validation(cx, inner)),
                _ => cx.unsupported_block(inner, "in a lifecycle block", ARGS),
            },
        }
    }
}

/// `replace_triggered_by`: a list of resource references (see [`crate::config::triggers`]).
fn triggers(cx: &mut Cx, a: &Attribute) -> Vec<crate::config::Expr> {
    let Expression::Array(items) = strip_parens(&a.value) else {
        return cx.reference_list(a);
    };
    let mut out = Vec::new();
    for item in items.iter() {
        let lowered = cx.expr(item);
        match crate::config::triggers::parse(&lowered.expr) {
            Ok(_) => out.push(lowered),
            Err((summary, detail)) => cx.push(
                Diagnostic::error(summary)
                    .detail(detail)
                    .subject(cx.span(item.span())),
            ),
        }
    }
    out
}

/// `ignore_changes = all` or a list of attribute references (legacy strings accepted).
fn ignore_changes(cx: &mut Cx, a: &Attribute, lc: &mut Lifecycle) {
    match strip_parens(&a.value) {
        Expression::Variable(v) if v.as_str() == "all" => lc.ignore_all_changes = true,
        Expression::Array(items) => {
            for item in items.iter() {
                let name = match strip_parens(item) {
                    Expression::String(s) => Some(s.value().clone()),
                    e => root_name(e).map(str::to_string),
                };
                match name {
                    Some(n) => lc.ignore_changes.push(n),
                    None => cx.push(
                        Diagnostic::error("Invalid ignore_changes entry")
                            .detail(
                                "Each entry must be an attribute of the resource, like \
                                     tags or tags[\"Name\"].",
                            )
                            .subject(cx.span(item.span())),
                    ),
                }
            }
        }
        _ => cx.push(
            Diagnostic::error("Invalid ignore_changes value")
                .detail("ignore_changes must be the keyword all or a list of attribute names.")
                .subject(cx.span(a.value.span())),
        ),
    }
}

pub(super) fn module_call(cx: &mut Cx, b: &Block) -> Option<ModuleCall> {
    let name = cx.labels(b, &["name"])?.into_iter().next()?;
    let mut call = ModuleCall {
        name,
        source: String::new(),
        source_span: cx.header(b),
        source_addr: None,
        version: None,
        count: None,
        for_each: None,
        depends_on: Vec::new(),
        inputs: BTreeMap::new(),
        providers: BTreeMap::new(),
        span: cx.header(b),
    };
    for s in b.body.iter() {
        let a = match s {
            Structure::Attribute(a) => a,
            Structure::Block(inner) => {
                cx.unsupported_block(inner, "in a module block", &[]);
                continue;
            }
        };
        module_argument(cx, a, &mut call);
    }
    if !b.body.has_attribute("source") {
        cx.missing_argument(b, "source");
    }
    check_version(cx, &mut call);
    check_repetition(
        cx,
        b.body.get_attribute("count"),
        b.body.get_attribute("for_each"),
    );
    Some(call)
}

/// One argument of a module block: the engine's (source, count/for_each, depends_on,
/// providers) or an input variable.
fn module_argument(cx: &mut Cx, a: &Attribute, call: &mut ModuleCall) {
    match a.key.as_str() {
        "source" => {
            call.source_span = cx.span(a.value.span());
            if let Some(src) = cx.literal_string(a) {
                match crate::sources::addr::parse(&src) {
                    Ok(addr) => call.source_addr = Some(addr),
                    Err(detail) => cx.push(
                        Diagnostic::error("Invalid module source address")
                            .detail(detail)
                            .subject(call.source_span),
                    ),
                }
                call.source = src;
            }
        }
        "version" => {
            let span = cx.span(a.value.span());
            if let Some(text) = cx.literal_string(a) {
                match crate::sources::Constraints::parse(&text) {
                    Ok(c) => call.version = Some((c, span)),
                    Err(e) => cx.push(
                        Diagnostic::error("Invalid version constraint")
                            .detail(format!(
                                "This string does not use correct version constraint \
                                 syntax: {e}."
                            ))
                            .subject(span),
                    ),
                }
            }
        }
        "count" => call.count = Some(cx.expr(&a.value)),
        "for_each" => call.for_each = Some(cx.expr(&a.value)),
        "depends_on" => call.depends_on = cx.reference_list(a),
        "providers" => call.providers = providers_map(cx, a),
        _ => {
            call.inputs.insert(a.key.as_str().to_string(), cx.attr(a));
        }
    }
}

/// A `version` is only meaningful for a registry source, as in Terraform.
fn check_version(cx: &mut Cx, call: &mut ModuleCall) {
    use crate::sources::Source;
    let why = match (&call.version, &call.source_addr) {
        (Some(_), Some(Source::Local(_))) => "because it has a relative local path",
        (Some(_), Some(Source::Remote(_))) => "because it doesn't come from a module registry",
        _ => return,
    };
    let (_, span) = call.version.take().expect("checked above");
    cx.push(
        Diagnostic::error("Invalid version constraint")
            .detail(format!(
                "Cannot apply a version constraint to module \"{}\" {why}.",
                call.name
            ))
            .subject(span),
    );
}

fn providers_map(cx: &mut Cx, a: &Attribute) -> BTreeMap<String, ProviderRef> {
    let mut out = BTreeMap::new();
    let Expression::Object(obj) = strip_parens(&a.value) else {
        cx.push(
            Diagnostic::error("Invalid providers argument")
                .detail(
                    "\"providers\" must be a map from child provider names to provider \
                         configurations, like { aws = aws.west }.",
                )
                .subject(cx.span(a.value.span())),
        );
        return out;
    };
    for (key, value) in obj.iter() {
        let child = object_key(cx, key);
        if let Some(parent) = cx.provider_ref(value.expr()) {
            out.insert(child, parent);
        }
    }
    out
}
