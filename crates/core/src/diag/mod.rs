//! One diagnostic model for the whole engine. Functions return values together with
//! [`Diagnostics`] so warnings are never lost and several errors surface in one run; the
//! renderers (`render`) turn the same model into human or JSON output.

mod context;
mod render;
mod source;

pub use render::{render_human, render_json, RenderOptions};
pub use source::{FileId, Location, SourceFile, SourceMap, Span};

use serde::Serialize;

/// Whether a diagnostic stops the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A problem found in configuration, state or at a provider: a terse summary, a detail in
/// full sentences, and where it happened (a source span and/or a resource address).
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    /// The construct the problem is about; rendered with the source line and a marker.
    pub subject: Option<Span>,
    /// Other places worth showing (e.g. the previous declaration of a duplicate, cycle members).
    pub related: Vec<(Span, String)>,
    /// A one-line hint ("did you mean `var.cluster_version`?").
    pub help: Option<String>,
    /// The resource or module address the problem concerns, when there is one.
    pub address: Option<String>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: String::new(),
            subject: None,
            related: Vec::new(),
            help: None,
            address: None,
        }
    }

    pub fn warning(summary: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(summary)
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    pub fn subject(mut self, span: Span) -> Self {
        self.subject = Some(span);
        self
    }

    pub fn subject_opt(mut self, span: Option<Span>) -> Self {
        self.subject = span.or(self.subject);
        self
    }

    pub fn related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = Some(address.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// An ordered collection of diagnostics; the caller decides whether to go on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Diagnostics(Vec::new())
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// Sets `address` on every diagnostic that has none (used when a resource evaluates).
    pub fn with_address(mut self, address: &str) -> Self {
        for d in &mut self.0 {
            if d.address.is_none() {
                d.address = Some(address.to_string());
            }
        }
        self
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics(iter.into_iter().collect())
    }
}
