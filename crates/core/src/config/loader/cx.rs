//! The per-file decoding context and the small helpers every block decoder shares: spans,
//! literal arguments, label checks, static references and "did you mean" hints.

use crate::config::model::{Attribute, Block, Body, Expr, ProviderRef};
use crate::diag::{Diagnostic, Diagnostics, FileId, Span};
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure;
use hcl_edit::template::Element;
use hcl_edit::Span as _;
use std::ops::Range;

/// Everything a decoder needs to turn one parsed file into model items and diagnostics.
pub(super) struct Cx<'a> {
    pub file: FileId,
    pub text: &'a str,
    pub diags: &'a mut Diagnostics,
}

impl Cx<'_> {
    pub fn span(&self, range: Option<Range<usize>>) -> Span {
        Span::new(self.file, range.unwrap_or(0..0))
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// The source text a range covers (used for addresses "as written").
    pub fn snippet(&self, range: Option<Range<usize>>) -> &str {
        range
            .and_then(|r| self.text.get(r))
            .map(str::trim)
            .unwrap_or("")
    }

    pub fn expr(&self, e: &Expression) -> Expr {
        Expr {
            file: self.file,
            expr: crate::lang::ir::lower(e),
        }
    }

    pub fn attr(&self, a: &structure::Attribute) -> Attribute {
        Attribute {
            name: a.key.as_str().to_string(),
            expr: self.expr(&a.value),
            span: self.span(a.span()),
            name_span: self.span(a.key.span()),
        }
    }

    /// The block header: from the block type to the end of its last label.
    pub fn header(&self, b: &structure::Block) -> Span {
        let start = b.ident.span().map(|r| r.start).unwrap_or(0);
        let end = b
            .labels
            .last()
            .and_then(|l| l.span())
            .or_else(|| b.ident.span())
            .map(|r| r.end)
            .unwrap_or(start);
        Span::new(self.file, start..end)
    }

    /// A schema-less body (resource, provider, nested blocks), kept whole for the engine.
    pub fn body(&self, body: &structure::Body) -> Body {
        let mut out = Body::default();
        for s in body.iter() {
            match s {
                structure::Structure::Attribute(a) => {
                    out.attributes
                        .insert(a.key.as_str().to_string(), self.attr(a));
                }
                structure::Structure::Block(b) => out.blocks.push(self.block(b)),
            }
        }
        out
    }

    pub fn block(&self, b: &structure::Block) -> Block {
        Block {
            kind: b.ident.as_str().to_string(),
            labels: b.labels.iter().map(|l| l.as_str().to_string()).collect(),
            body: self.body(&b.body),
            span: self.header(b),
        }
    }

    /// Checks the number and spelling of a block's labels; `names` describes each label
    /// ("type", "name"). Returns the labels when they are usable.
    pub fn labels(&mut self, b: &structure::Block, names: &[&str]) -> Option<Vec<String>> {
        let kind = b.ident.as_str();
        let header = self.header(b);
        if b.labels.len() < names.len() {
            let missing = names[b.labels.len()];
            let expected = names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(" ");
            self.push(
                Diagnostic::error(format!("Missing {missing} for {kind}"))
                    .detail(format!(
                        "All {kind} blocks must have {} label(s): {expected}.",
                        names.len()
                    ))
                    .subject(header),
            );
            return None;
        }
        if b.labels.len() > names.len() {
            let extra = &b.labels[names.len()];
            self.push(
                Diagnostic::error(format!("Extraneous label for {kind}"))
                    .detail(format!(
                        "Only {} label(s) are expected for {kind} blocks.",
                        names.len()
                    ))
                    .subject(self.span(extra.span())),
            );
            return None;
        }
        let mut ok = true;
        for (label, what) in b.labels.iter().zip(names) {
            if !is_identifier(label.as_str()) {
                self.push(
                    Diagnostic::error(format!("Invalid {kind} {what}"))
                        .detail(format!(
                            "\"{}\" is not a valid {what}. A {what} must start with a letter or \
                             underscore and may contain only letters, digits, underscores, and \
                             dashes.",
                            label.as_str()
                        ))
                        .subject(self.span(label.span())),
                );
                ok = false;
            }
        }
        ok.then(|| b.labels.iter().map(|l| l.as_str().to_string()).collect())
    }

    /// Rejects labels on blocks that take none (`locals`, `lifecycle`, ...).
    pub fn no_labels(&mut self, b: &structure::Block) -> bool {
        self.labels(b, &[]).is_some()
    }

    pub fn literal_bool(&mut self, a: &structure::Attribute) -> Option<bool> {
        match strip_parens(&a.value) {
            Expression::Bool(b) => Some(*b.value()),
            _ => {
                self.push(
                    Diagnostic::error("Invalid value")
                        .detail(format!(
                            "The \"{}\" argument must be the literal true or false; expressions \
                             are not allowed here.",
                            a.key.as_str()
                        ))
                        .subject(self.span(a.value.span())),
                );
                None
            }
        }
    }

    pub fn literal_string(&mut self, a: &structure::Attribute) -> Option<String> {
        match literal_text(strip_parens(&a.value)) {
            Some(s) => Some(s),
            None => {
                self.push(
                    Diagnostic::error("Invalid value")
                        .detail(format!(
                            "The \"{}\" argument must be a literal string; references and \
                             templates are not allowed here.",
                            a.key.as_str()
                        ))
                        .subject(self.span(a.value.span())),
                );
                None
            }
        }
    }

    /// `[a.b, c]`: a list of static references, each kept as an expression.
    pub fn reference_list(&mut self, a: &structure::Attribute) -> Vec<Expr> {
        let Expression::Array(items) = strip_parens(&a.value) else {
            self.push(
                Diagnostic::error("Invalid expression")
                    .detail(format!(
                        "The \"{}\" argument must be a list of references, like [aws_vpc.this].",
                        a.key.as_str()
                    ))
                    .subject(self.span(a.value.span())),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            if root_name(item).is_some() {
                out.push(self.expr(item));
            } else {
                self.push(
                    Diagnostic::error("Invalid expression")
                        .detail(
                            "A single static variable reference is required: only attribute \
                                 access and indexing with constant keys. No calculations, \
                                 function calls, template expressions, etc are allowed here.",
                        )
                        .subject(self.span(item.span())),
                );
            }
        }
        out
    }

    /// `aws`, `aws.west`, or `aws.by_region[each.key]` (an instance of a configuration with
    /// `for_each`; the key is any expression, evaluated per instance).
    pub fn provider_ref(&mut self, e: &Expression) -> Option<ProviderRef> {
        let e = strip_parens(e);
        let (name, alias, key) = match e {
            Expression::Variable(v) => Some((v.as_str().to_string(), None, None)),
            Expression::Traversal(t) => match (&t.expr, t.operators.as_slice()) {
                (Expression::Variable(v), [op, rest @ ..]) => match (op.value(), rest) {
                    (TraversalOperator::GetAttr(alias), []) => Some((
                        v.as_str().to_string(),
                        Some(alias.as_str().to_string()),
                        None,
                    )),
                    (TraversalOperator::GetAttr(alias), [index]) => match index.value() {
                        TraversalOperator::Index(k) => Some((
                            v.as_str().to_string(),
                            Some(alias.as_str().to_string()),
                            Some(self.expr(k)),
                        )),
                        _ => None,
                    },
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
        .or_else(|| {
            self.push(
                Diagnostic::error("Invalid provider configuration reference")
                    .detail(
                        "A provider configuration reference must be a provider name, \
                             optionally followed by a dot and an alias, like aws or aws.west, \
                             and for a configuration with for_each an instance key in \
                             brackets, like aws.by_region[each.key].",
                    )
                    .subject(self.span(e.span())),
            );
            None
        })?;
        Some(ProviderRef {
            name,
            alias,
            key,
            span: self.span(e.span()),
        })
    }

    pub fn unsupported_argument(&mut self, a: &structure::Attribute, ctx: &str, valid: &[&str]) {
        let name = a.key.as_str();
        let mut d = Diagnostic::error("Unsupported argument")
            .detail(format!(
                "An argument named \"{name}\" is not expected {ctx}."
            ))
            .subject(self.span(a.span()));
        if let Some(s) = did_you_mean(name, valid) {
            d = d.help(format!("did you mean \"{s}\"?"));
        }
        self.push(d);
    }

    pub fn unsupported_block(&mut self, b: &structure::Block, ctx: &str, valid: &[&str]) {
        let kind = b.ident.as_str();
        let mut d = Diagnostic::error("Unsupported block type")
            .detail(format!("Blocks of type \"{kind}\" are not expected {ctx}."))
            .subject(self.header(b));
        if let Some(s) = did_you_mean(kind, valid) {
            d = d.help(format!("did you mean \"{s}\"?"));
        }
        self.push(d);
    }

    pub fn missing_argument(&mut self, b: &structure::Block, name: &str) {
        self.push(
            Diagnostic::error("Missing required argument")
                .detail(format!(
                    "The argument \"{name}\" is required, but no definition was found."
                ))
                .subject(self.header(b)),
        );
    }
}

/// A string without interpolations: quoted, or a heredoc (common for descriptions).
fn literal_text(e: &Expression) -> Option<String> {
    let join = |elements: &mut dyn Iterator<Item = &Element>| {
        elements
            .map(|el| match el {
                Element::Literal(l) => Some(l.value().as_str()),
                _ => None,
            })
            .collect::<Option<String>>()
    };
    match e {
        Expression::String(s) => Some(s.value().clone()),
        Expression::StringTemplate(t) => join(&mut t.iter()),
        Expression::HeredocTemplate(h) => join(&mut h.template.iter()),
        _ => None,
    }
}

/// Parentheses do not change what an expression means to the loader.
pub(super) fn strip_parens(e: &Expression) -> &Expression {
    match e {
        Expression::Parenthesis(p) => strip_parens(p.inner()),
        other => other,
    }
}

/// The root name of a static reference (`aws_vpc.this[0].id` → `aws_vpc`), or `None` when the
/// expression is anything else.
pub(super) fn root_name(e: &Expression) -> Option<&str> {
    match strip_parens(e) {
        Expression::Variable(v) => Some(v.as_str()),
        Expression::Traversal(t) => {
            let static_ops = t.operators.iter().all(|op| match op.value() {
                TraversalOperator::GetAttr(_) | TraversalOperator::LegacyIndex(_) => true,
                TraversalOperator::Index(i) => {
                    matches!(i, Expression::String(_) | Expression::Number(_))
                }
                _ => false,
            });
            match &t.expr {
                Expression::Variable(v) if static_ops => Some(v.as_str()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// HCL identifiers, as Terraform requires for names: a letter or underscore first, then
/// letters, digits, underscores and dashes.
pub(super) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// The closest valid name, when one is close enough to be a plausible typo.
pub(super) fn did_you_mean<'a>(name: &str, valid: &[&'a str]) -> Option<&'a str> {
    valid
        .iter()
        .map(|v| (levenshtein(name, v), *v))
        .filter(|(d, v)| *d <= 2.max(v.len() / 3) && *d < name.len().max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_only_for_near_misses() {
        let valid = ["resource", "variable", "output"];
        assert_eq!(did_you_mean("resorce", &valid), Some("resource"));
        assert_eq!(did_you_mean("varaible", &valid), Some("variable"));
        assert_eq!(did_you_mean("banana", &valid), None);
    }

    #[test]
    fn literal_text_accepts_heredocs_but_not_interpolation() {
        let e = hcl_edit::parser::parse_expr("<<-EOT\n  two\n  lines\nEOT").expect("parses");
        assert_eq!(literal_text(&e).as_deref(), Some("two\nlines\n"));
        let e = hcl_edit::parser::parse_expr("\"a${b}\"").expect("parses");
        assert_eq!(literal_text(&e), None);
    }

    #[test]
    fn identifiers_follow_terraform() {
        assert!(is_identifier("aws_vpc"));
        assert!(is_identifier("_x-1"));
        assert!(!is_identifier("1abc"));
        assert!(!is_identifier("a.b"));
        assert!(!is_identifier(""));
    }

    #[test]
    fn root_names_of_static_references() {
        let e = hcl_edit::parser::parse_expr("aws_vpc.this[0].id").expect("parses");
        assert_eq!(root_name(&e), Some("aws_vpc"));
        let e = hcl_edit::parser::parse_expr("tags[\"Name\"]").expect("parses");
        assert_eq!(root_name(&e), Some("tags"));
        let e = hcl_edit::parser::parse_expr("foo(1)").expect("parses");
        assert_eq!(root_name(&e), None);
        let e = hcl_edit::parser::parse_expr("a[var.x]").expect("parses");
        assert_eq!(root_name(&e), None);
    }
}
