//! A provider's or type's own rules ([`crate::provider::Invalid`] findings) as diagnostics at
//! the attribute they name, for resource and provider blocks alike.

use crate::config::Body;
use crate::diag::{Diagnostic, Span};
use crate::provider::Invalid;

/// The finding as a diagnostic in `body`, at the attribute its path names, else at `block`.
pub fn diagnostic(body: &Body, block: Span, f: Invalid) -> Diagnostic {
    let d = if f.warning {
        Diagnostic::warning(f.summary)
    } else {
        Diagnostic::error(f.summary)
    };
    d.detail(f.detail)
        .subject(locate(body, &f.path).unwrap_or(block))
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
