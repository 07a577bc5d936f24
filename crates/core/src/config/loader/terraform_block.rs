//! The `terraform` block: `required_version`, `backend`, `required_providers` (which
//! providers hubctl runs, refused by name otherwise) and the settings it accepts.

use super::blocks::object_key;
use super::cx::{strip_parens, Cx};
use crate::config::model::{Backend, TerraformBlock};
use crate::diag::Diagnostic;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Structure};
use hcl_edit::Span as _;

pub(super) fn terraform(cx: &mut Cx, b: &Block, tf: &mut TerraformBlock) {
    const ARGS: &[&str] = &["required_version", "backend", "required_providers"];
    if !cx.no_labels(b) {
        return;
    }
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) if a.key.as_str() == "required_version" => {
                if let Some(v) = cx.literal_string(a) {
                    tf.required_version = Some((v, cx.span(a.value.span())));
                }
            }
            Structure::Attribute(a) => cx.unsupported_argument(a, "in a terraform block", ARGS),
            Structure::Block(inner) => match inner.ident.as_str() {
                "backend" => backend(cx, inner, tf),
                "required_providers" => required_providers(cx, inner, tf),
                _ => cx.unsupported_block(inner, "in a terraform block", ARGS),
            },
        }
    }
}

fn backend(cx: &mut Cx, b: &Block, tf: &mut TerraformBlock) {
    let Some(labels) = cx.labels(b, &["backend type"]) else {
        return;
    };
    let span = cx.header(b);
    if let Some(prev) = &tf.backend {
        cx.push(
            Diagnostic::error("Duplicate backend configuration")
                .detail("A module may have only one backend configuration.")
                .subject(span)
                .related(prev.span, "previous declaration"),
        );
        return;
    }
    let mut config = std::collections::BTreeMap::new();
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) => {
                config.insert(a.key.as_str().to_string(), cx.attr(a));
            }
            Structure::Block(inner) => cx.unsupported_block(inner, "in a backend block", &[]),
        }
    }
    tf.backend = Some(Backend {
        kind: labels.into_iter().next().unwrap_or_default(),
        config,
        span,
    });
}

fn required_providers(cx: &mut Cx, b: &Block, tf: &mut TerraformBlock) {
    if !cx.no_labels(b) {
        return;
    }
    for s in b.body.iter() {
        let a = match s {
            Structure::Attribute(a) => a,
            Structure::Block(inner) => {
                cx.unsupported_block(inner, "in a required_providers block", &[]);
                continue;
            }
        };
        let name = a.key.as_str().to_string();
        let implied = default_provider_source(&name);
        let mut source_span = cx.span(a.key.span());
        let source = match strip_parens(&a.value) {
            // The legacy form `aws = "~> 5.0"` is a version only.
            Expression::String(v) => {
                provider_version(cx, v.value(), cx.span(a.value.span()));
                Some(implied)
            }
            Expression::Object(obj) => {
                let mut source = implied;
                for (key, value) in obj.iter() {
                    match (object_key(cx, key).as_str(), value.expr()) {
                        ("source", Expression::String(s)) => {
                            source = s.value().clone();
                            source_span = cx.span(value.expr().span());
                        }
                        ("version", Expression::String(v)) => {
                            provider_version(cx, v.value(), cx.span(value.expr().span()));
                        }
                        ("version" | "configuration_aliases", _) => {}
                        (other, e) => {
                            cx.push(
                                Diagnostic::error("Invalid required_providers object")
                                    .detail(format!(
                                        "\"{other}\" is not expected here; a provider \
                                         requirement has a literal \"source\" string and an \
                                         optional \"version\" constraint."
                                    ))
                                    .subject(cx.span(e.span())),
                            );
                        }
                    }
                }
                Some(source)
            }
            _ => {
                cx.push(
                    Diagnostic::error("Invalid required_providers object")
                        .detail(
                            "A provider requirement must be an object with \"source\" and \
                                 \"version\", or a version constraint string.",
                        )
                        .subject(cx.span(a.value.span())),
                );
                None
            }
        };
        if let Some(source) = source {
            check_provider_source(cx, &name, &source, source_span);
            tf.required_providers.insert(name, source);
        }
    }
}

/// The providers hubctl implements, by their fully qualified source.
const IMPLEMENTED_PROVIDERS: &[&str] = &[
    "registry.terraform.io/hashicorp/aws",
    "registry.terraform.io/hashicorp/kubernetes",
    "terraform.io/builtin/terraform",
];

/// Terraform's implied source for a local name: `hashicorp/NAME`, except the builtin
/// `terraform` provider.
fn default_provider_source(name: &str) -> String {
    match name {
        "terraform" => "terraform.io/builtin/terraform".to_string(),
        _ => format!("hashicorp/{name}"),
    }
}

/// `NS/TYPE` means the public registry; hostnames compare case-insensitively.
fn qualified_provider(source: &str) -> Option<String> {
    let parts: Vec<&str> = source.split('/').collect();
    match parts.as_slice() {
        [ns, ty] => Some(format!(
            "registry.terraform.io/{}/{}",
            ns.to_lowercase(),
            ty.to_lowercase()
        )),
        [host, ns, ty] => Some(format!(
            "{}/{}/{}",
            host.to_lowercase(),
            ns.to_lowercase(),
            ty.to_lowercase()
        )),
        _ => None,
    }
}

/// One error per requirement of a provider hubctl cannot run, at its `source`.
fn check_provider_source(cx: &mut Cx, name: &str, source: &str, span: crate::diag::Span) {
    let Some(full) = qualified_provider(source) else {
        cx.push(
            Diagnostic::error("Invalid provider source address")
                .detail(format!(
                    "The source \"{source}\" of provider \"{name}\" must be NAMESPACE/TYPE \
                     or HOSTNAME/NAMESPACE/TYPE."
                ))
                .subject(span),
        );
        return;
    };
    if IMPLEMENTED_PROVIDERS.contains(&full.as_str()) {
        return;
    }
    cx.push(
        Diagnostic::error("Provider not available")
            .detail(format!(
                "This module requires the provider \"{name}\" from {full}, which hubctl \
                 does not implement. hubctl runs hashicorp/aws, hashicorp/kubernetes and the \
                 builtin terraform provider."
            ))
            .subject(span),
    );
}

/// A provider `version` constraint must at least be well-formed.
fn provider_version(cx: &mut Cx, text: &str, span: crate::diag::Span) {
    if let Err(e) = crate::sources::Constraints::parse(text) {
        cx.push(
            Diagnostic::error("Invalid version constraint")
                .detail(format!(
                    "The provider version constraint \"{text}\" is invalid: {e}."
                ))
                .subject(span),
        );
    }
}
