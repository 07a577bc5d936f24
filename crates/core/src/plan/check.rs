//! Static checks of every resource, data and provider body against its schema, before any
//! value is computed: unknown types, unsupported arguments and blocks (with a did-you-mean),
//! missing required arguments. They run with the reference checks, so one run reports them
//! all together.

use super::resource::ENGINE_BLOCKS;
use crate::config::{Body, Config, Module, ResourceMode};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::provider::{Registry, Schema};

pub fn check_schemas(config: &Config, registry: &Registry) -> Diagnostics {
    let mut diags = Diagnostics::new();
    check_module(&config.root, registry, &mut diags);
    diags
}

fn check_module(m: &Module, registry: &Registry, diags: &mut Diagnostics) {
    for r in m.resources.values() {
        match registry.schema_of(r.mode, &r.type_name) {
            Some(schema) => check_body(&r.body, &schema, r.span, ENGINE_BLOCKS, diags),
            None => {
                let (kind, names) = (r.mode.noun(), registry.type_names(r.mode));
                let mut d = Diagnostic::error(format!("Invalid {kind} type"))
                    .detail(format!(
                        "hubctl does not support {kind} type \"{}\".",
                        r.type_name
                    ))
                    .subject(r.span);
                let why = match r.mode {
                    ResourceMode::Managed => registry.unsupported(&r.type_name),
                    ResourceMode::Data | ResourceMode::Ephemeral => None,
                };
                if let Some(why) = why {
                    d = d.detail(why);
                } else if let Some(h) = crate::lang::did_you_mean(&r.type_name, names) {
                    d = d.help(format!("did you mean \"{h}\"?"));
                }
                diags.push(d);
            }
        }
    }
    for p in &m.providers {
        if let Some(provider) = registry.provider(&p.name) {
            check_body(&p.body, &provider.config_schema(), p.span, &[], diags);
        }
    }
    for child in m.children.values() {
        check_module(child, registry, diags);
    }
}

/// Checks names in one body (recursively into nested and `dynamic` blocks).
pub fn check_body(
    body: &Body,
    schema: &Schema,
    header: Span,
    skip_blocks: &[&str],
    diags: &mut Diagnostics,
) {
    for (name, a) in &body.attributes {
        if schema.attributes.get(name).is_some_and(|s| s.is_argument()) {
            continue;
        }
        let mut d = Diagnostic::error("Unsupported argument")
            .detail(format!(
                "An argument named \"{name}\" is not expected here."
            ))
            .subject(a.name_span);
        if schema.attributes.get(name).is_some_and(|s| s.computed) {
            d = d.detail(format!(
                "\"{name}\" is computed by the provider and cannot be set in configuration."
            ));
        } else if let Some(h) = crate::lang::did_you_mean(name, schema.argument_names()) {
            d = d.help(format!("did you mean \"{h}\"?"));
        }
        diags.push(d);
    }
    for (name, s) in &schema.attributes {
        if s.required && !body.attributes.contains_key(name) {
            diags.push(
                Diagnostic::error("Missing required argument")
                    .detail(format!(
                        "The argument \"{name}\" is required, but no definition was found."
                    ))
                    .subject(header),
            );
        }
    }
    for b in &body.blocks {
        let dynamic = b.kind == "dynamic";
        let kind = if dynamic {
            b.labels.first().map(String::as_str).unwrap_or("")
        } else {
            b.kind.as_str()
        };
        if skip_blocks.contains(&kind) {
            continue;
        }
        let Some(bs) = schema.blocks.get(kind) else {
            let mut d = Diagnostic::error("Unsupported block type")
                .detail(format!("Blocks of type \"{kind}\" are not expected here."))
                .subject(b.span);
            if let Some(h) =
                crate::lang::did_you_mean(kind, schema.blocks.keys().map(String::as_str))
            {
                d = d.help(format!("did you mean \"{h}\"?"));
            }
            diags.push(d);
            continue;
        };
        if dynamic {
            for c in b.body.blocks.iter().filter(|c| c.kind == "content") {
                check_body(&c.body, &bs.schema, c.span, &[], diags);
            }
        } else {
            check_body(&b.body, &bs.schema, b.span, &[], diags);
        }
    }
}
