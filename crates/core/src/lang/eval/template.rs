//! String templates and heredocs: interpolations, `%{ if }` and `%{ for }` directives and the
//! `~` strip markers. (`<<-` indentation is already removed by the parser.)

use super::forexpr::Iteration;
use super::{EvalContext, Evaluator, MapResolver};
use crate::diag::{Diagnostic, Diagnostics, FileId};
use crate::lang::convert::convert;
use crate::lang::{Type, Value};
use hcl_edit::template::{Directive, Element, ForDirective, IfDirective, Template};
use hcl_edit::Span as _;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

/// A template's output so far.
#[derive(Default)]
struct Out {
    text: String,
    unknown: bool,
    marked: bool,
}

/// Parses and evaluates template text (the content of a template file) with only `vars` as
/// variables; functions stay available. Spans in the diagnostics are byte ranges in `text`,
/// attributed to `file`.
pub fn eval_template_str(
    text: &str,
    file: FileId,
    vars: BTreeMap<String, Value>,
    base_dir: &Path,
) -> (Value, Diagnostics) {
    let template = match hcl_edit::parser::parse_template(text) {
        Ok(t) => t,
        Err(e) => {
            let loc = e.location();
            let d = Diagnostic::error("Invalid template").detail(format!(
                "The template could not be parsed (line {}, column {}): {}.",
                loc.line(),
                loc.column(),
                e.message()
            ));
            return (Value::unknown(), Diagnostics::from(d));
        }
    };
    let resolver = MapResolver { vars };
    let ctx = EvalContext {
        file,
        resolver: &resolver,
        base_dir,
    };
    let mut ev = Evaluator::new(&ctx);
    ev.in_templatefile = true;
    let value = ev.template(&template, template.span());
    (value, ev.diags)
}

impl Evaluator<'_> {
    pub(super) fn template(&mut self, t: &Template, _range: Option<Range<usize>>) -> Value {
        // Like HCL, a template that is exactly one interpolation yields the value itself
        // (`"${var.list}"` is the list), not its string form.
        if let Some(Element::Interpolation(i)) = t.as_single_element() {
            return self.expr(&i.expr);
        }
        let mut out = Out::default();
        self.elements(t, false, false, &mut out);
        let value = if out.unknown {
            Value::Unknown(Type::String)
        } else {
            Value::String(out.text)
        };
        value.mark_if(out.marked)
    }

    /// Evaluates a template's elements; `strip_first`/`strip_last` say whether a strip marker
    /// of the enclosing directive trims the first/last literal.
    fn elements(&mut self, t: &Template, strip_first: bool, strip_last: bool, out: &mut Out) {
        let elems: Vec<&Element> = t.iter().collect();
        for (i, el) in elems.iter().enumerate() {
            match el {
                Element::Literal(s) => {
                    let mut text = s.as_str();
                    let trim_start = match i.checked_sub(1) {
                        Some(p) => strips_after(elems[p]),
                        None => strip_first,
                    };
                    let trim_end = match elems.get(i + 1) {
                        Some(n) => strips_before(n),
                        None => strip_last,
                    };
                    if trim_start {
                        text = text.trim_start();
                    }
                    if trim_end {
                        text = text.trim_end();
                    }
                    out.text.push_str(text);
                }
                Element::Interpolation(interp) => {
                    let v = self.expr(&interp.expr);
                    self.interpolate(v, interp.expr.span(), out);
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(d) => self.if_directive(d, out),
                    Directive::For(d) => self.for_directive(d, out),
                },
            }
        }
    }

    fn interpolate(&mut self, v: Value, range: Option<Range<usize>>, out: &mut Out) {
        const SUMMARY: &str = "Invalid template interpolation value";
        let (v, marked) = v.unmark();
        out.marked |= marked;
        match v {
            Value::String(s) => out.text.push_str(&s),
            Value::Number(n) => out.text.push_str(&n.to_string()),
            Value::Bool(b) => out.text.push_str(if b { "true" } else { "false" }),
            Value::Unknown(_) => out.unknown = true,
            Value::Null => {
                out.unknown = true;
                self.error_at(
                    range,
                    SUMMARY,
                    "The expression result is null. Cannot include a null value in a string \
                     template."
                        .into(),
                );
            }
            other => {
                out.unknown = true;
                self.error_at(
                    range,
                    SUMMARY,
                    format!(
                        "Cannot include the given value in a string template: string required, \
                         but got {}.",
                        other.type_name()
                    ),
                );
            }
        }
    }

    fn if_directive(&mut self, d: &IfDirective, out: &mut Out) {
        let cond_expr = &d.if_expr.cond_expr;
        let (cond, marked) = self.expr(cond_expr).unmark();
        out.marked |= marked;
        let chosen = match cond {
            Value::Unknown(_) => {
                out.unknown = true;
                return;
            }
            Value::Null => {
                out.unknown = true;
                self.error_at(
                    cond_expr.span(),
                    "Invalid template directive",
                    "The 'if' condition value is null; it must be either true or false.".into(),
                );
                return;
            }
            other => match convert(other, &Type::Bool) {
                Ok(Value::Bool(b)) => b,
                _ => {
                    out.unknown = true;
                    self.error_at(
                        cond_expr.span(),
                        "Invalid template directive",
                        "The 'if' condition value must be a bool.".into(),
                    );
                    return;
                }
            },
        };
        let endif_trims = d.endif_expr.strip.strip_start();
        match (&d.else_expr, chosen) {
            (_, true) => {
                let last = d
                    .else_expr
                    .as_ref()
                    .map_or(endif_trims, |e| e.strip.strip_start());
                self.elements(&d.if_expr.template, d.if_expr.strip.strip_end(), last, out);
            }
            (Some(e), false) => self.elements(&e.template, e.strip.strip_end(), endif_trims, out),
            (None, false) => {}
        }
    }

    fn for_directive(&mut self, d: &ForDirective, out: &mut Out) {
        let f = &d.for_expr;
        let coll = self.expr(&f.collection_expr);
        let pairs = match self.iteration(coll, f.collection_expr.span()) {
            Iteration::Pairs(pairs, marked) => {
                out.marked |= marked;
                pairs
            }
            Iteration::Unknown(marked) => {
                out.marked |= marked;
                out.unknown = true;
                return;
            }
            Iteration::Failed => {
                out.unknown = true;
                return;
            }
        };
        let (first, last) = (f.strip.strip_end(), d.endfor_expr.strip.strip_start());
        for (k, v) in pairs {
            let mut binds = vec![(f.value_var.as_str().to_string(), v)];
            if let Some(kv) = &f.key_var {
                binds.insert(0, (kv.as_str().to_string(), k));
            }
            self.with_locals(binds, |ev| ev.elements(&f.template, first, last, out));
        }
    }
}

/// Whether the element trims the literal before it (`${~`, `%{~ if`).
fn strips_before(el: &Element) -> bool {
    match el {
        Element::Literal(_) => false,
        Element::Interpolation(i) => i.strip.strip_start(),
        Element::Directive(d) => match d.as_ref() {
            Directive::If(d) => d.if_expr.strip.strip_start(),
            Directive::For(d) => d.for_expr.strip.strip_start(),
        },
    }
}

/// Whether the element trims the literal after it (`~}` of an interpolation, endif, endfor).
fn strips_after(el: &Element) -> bool {
    match el {
        Element::Literal(_) => false,
        Element::Interpolation(i) => i.strip.strip_end(),
        Element::Directive(d) => match d.as_ref() {
            Directive::If(d) => d.endif_expr.strip.strip_end(),
            Directive::For(d) => d.endfor_expr.strip.strip_end(),
        },
    }
}
