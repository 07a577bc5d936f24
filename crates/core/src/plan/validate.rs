//! Runs a type's own rules ([`crate::provider::Resource::validate`]) on one instance's
//! evaluated configuration and points each finding at the attribute it names.

use crate::config::{Body, Resource, ResourceMode};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::lang::Value;
use crate::provider::Invalid;
use crate::walk::Run;

/// The type's findings as error diagnostics at their attributes' locations.
pub fn check(run: &Run, r: &Resource, config: &Value) -> Diagnostics {
    let found = match r.mode {
        ResourceMode::Managed => run
            .registry
            .resource(&r.type_name)
            .map(|(_, t)| t.validate(config)),
        ResourceMode::Data => run
            .registry
            .data_source(&r.type_name)
            .map(|(_, t)| t.validate(config)),
    };
    let mut diags = Diagnostics::new();
    for f in found.unwrap_or_default() {
        diags.push(diagnostic(r, f));
    }
    diags
}

fn diagnostic(r: &Resource, f: Invalid) -> Diagnostic {
    Diagnostic::error(f.summary)
        .detail(f.detail)
        .subject(locate(&r.body, &f.path).unwrap_or(r.span))
}

/// The span of the deepest part of `path` the body spells out: the attribute itself, or
/// the nested block that holds it, so a rule about a block's content points into it. A
/// number after a block name picks that block among those of its kind.
fn locate(body: &Body, path: &[String]) -> Option<Span> {
    let (first, rest) = path.split_first()?;
    if let Some(a) = body.attributes.get(first) {
        return Some(a.span);
    }
    let (index, rest) = match rest.split_first() {
        Some((i, more)) if i.parse::<usize>().is_ok() => (i.parse().unwrap_or(0), more),
        _ => (0, rest),
    };
    let b = body.blocks.iter().filter(|b| &b.kind == first).nth(index)?;
    Some(locate(&b.body, rest).unwrap_or(b.span))
}
