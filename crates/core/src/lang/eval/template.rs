//! String templates and heredocs: interpolations, `%{ if }` and `%{ for }` directives and the
//! `~` strip markers. (`<<-` indentation is already removed by the parser and lowering.)

use super::forexpr::Iteration;
use super::{EvalContext, Evaluator, MapResolver};
use crate::diag::{Diagnostic, Diagnostics, FileId};
use crate::lang::convert::convert;
use crate::lang::ir::{ForDirective, IfDirective, Part, Pos, Template};
use crate::lang::{Type, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// A template's output so far.
#[derive(Default)]
struct Out {
    text: String,
    unknown: bool,
    marked: crate::lang::Marks,
}

/// Parses and evaluates template text (the content of a template file) with only `vars` as
/// variables; functions stay available except `templatefile` itself (no recursion, as in
/// Terraform). Spans in the diagnostics are byte ranges in `text`,
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
    let template = crate::lang::ir::lower_template(&template);
    let resolver = MapResolver { vars };
    let ctx = EvalContext {
        file,
        resolver: &resolver,
        base_dir,
    };
    let mut ev = Evaluator::new(&ctx);
    ev.in_templatefile = true;
    let value = ev.template(&template);
    (value, ev.diags)
}

impl Evaluator<'_> {
    pub(super) fn template(&mut self, t: &Template) -> Value {
        // Like HCL, a template that is exactly one interpolation yields the value itself
        // (`"${var.list}"` is the list), not its string form.
        if let Some(e) = t.as_single_interpolation() {
            return self.expr(e);
        }
        let mut out = Out::default();
        self.elements(t, false, false, &mut out);
        let value = if out.unknown {
            Value::Unknown(Type::String)
        } else {
            Value::String(crate::lang::funcs::nfc(out.text))
        };
        value.mark_if(out.marked)
    }

    /// Evaluates a template's elements; `strip_first`/`strip_last` say whether a strip marker
    /// of the enclosing directive trims the first/last literal.
    fn elements(&mut self, t: &Template, strip_first: bool, strip_last: bool, out: &mut Out) {
        let elems = &t.parts;
        for (i, el) in elems.iter().enumerate() {
            match el {
                Part::Literal(s) => {
                    let mut text: &str = s;
                    let trim_start = match i.checked_sub(1) {
                        Some(p) => strips_after(&elems[p]),
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
                Part::Interpolation(e, _) => {
                    let v = self.expr(e);
                    self.interpolate(v, e.pos, out);
                }
                Part::If(d) => self.if_directive(d, out),
                Part::For(d) => self.for_directive(d, out),
            }
        }
    }

    fn interpolate(&mut self, v: Value, range: Pos, out: &mut Out) {
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
        let cond_expr = &d.cond;
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
                    cond_expr.pos,
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
                        cond_expr.pos,
                        "Invalid template directive",
                        "The 'if' condition value must be a bool.".into(),
                    );
                    return;
                }
            },
        };
        let endif_trims = d.endif_strip.strip_start();
        match (&d.otherwise, chosen) {
            (_, true) => {
                let last = d
                    .otherwise
                    .as_ref()
                    .map_or(endif_trims, |(strip, _)| strip.strip_start());
                self.elements(&d.then, d.if_strip.strip_end(), last, out);
            }
            (Some((strip, t)), false) => self.elements(t, strip.strip_end(), endif_trims, out),
            (None, false) => {}
        }
    }

    fn for_directive(&mut self, d: &ForDirective, out: &mut Out) {
        let coll = self.expr(&d.collection);
        let pairs = match self.iteration(coll, d.collection.pos) {
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
        let (first, last) = (d.for_strip.strip_end(), d.endfor_strip.strip_start());
        for (k, v) in pairs {
            let mut binds = vec![(d.value_var.as_str().to_string(), v)];
            if let Some(kv) = &d.key_var {
                binds.insert(0, (kv.as_str().to_string(), k));
            }
            self.with_locals(binds, |ev| ev.elements(&d.body, first, last, out));
        }
    }
}

/// Whether the element trims the literal before it (`${~`, `%{~ if`).
fn strips_before(el: &Part) -> bool {
    match el {
        Part::Literal(_) => false,
        Part::Interpolation(_, strip) => strip.strip_start(),
        Part::If(d) => d.if_strip.strip_start(),
        Part::For(d) => d.for_strip.strip_start(),
    }
}

/// Whether the element trims the literal after it (`~}` of an interpolation, endif, endfor).
fn strips_after(el: &Part) -> bool {
    match el {
        Part::Literal(_) => false,
        Part::Interpolation(_, strip) => strip.strip_end(),
        Part::If(d) => d.endif_strip.strip_end(),
        Part::For(d) => d.endfor_strip.strip_end(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{ev, ev_diags, ev_err};
    use super::*;

    #[test]
    fn interpolation_converts_primitives() {
        assert_eq!(ev("\"${s}-${n}-${t}\""), Value::from("hi-2-true"));
        assert_eq!(ev("\"a$${b}%%{c}\""), Value::from("a${b}%{c}"));
        // A lone interpolation is the value itself, as in Terraform.
        assert_eq!(ev("\"${xs}\""), ev("xs"));
        assert_eq!(ev("\"x${u}\""), Value::Unknown(Type::String));
        assert_eq!(ev("\"x${secret}\""), Value::from("xpw").sensitive());
    }

    #[test]
    fn interpolation_errors() {
        let (summary, detail, covered) = ev_err("\"a ${nul} b\"");
        assert_eq!(summary, "Invalid template interpolation value");
        assert!(
            detail.starts_with("The expression result is null"),
            "{detail}"
        );
        assert_eq!(covered, "nul");
        let (_, detail, covered) = ev_err("\"a ${xs} b\"");
        assert!(detail
            .starts_with("Cannot include the given value in a string template: string required"));
        assert_eq!(covered, "xs");
        let (_, d) = ev_diags("\"${nul}${m} ${n}\"");
        assert_eq!(d.len(), 2);
    }

    #[test]
    fn directives_and_strip_markers() {
        assert_eq!(
            ev("\"%{ if t }yes%{ else }no%{ endif }\""),
            Value::from("yes")
        );
        assert_eq!(ev("\"%{ if !t }yes%{ endif }!\""), Value::from("!"));
        assert_eq!(
            ev("\"%{ for x in xs }${x},%{ endfor }\""),
            Value::from("1,2,3,")
        );
        assert_eq!(
            ev("\"%{ for k, v in m }${k}=${v};%{ endfor }\""),
            Value::from("a=1;b=2;")
        );
        assert_eq!(ev("\"a  ${~ s ~}  b\""), Value::from("ahib"));
        assert_eq!(ev("\"%{ if u }x%{ endif }\""), Value::Unknown(Type::String));
        assert_eq!(
            ev("\"%{ for x in u }x%{ endfor }\""),
            Value::Unknown(Type::String)
        );
        assert_eq!(
            ev_err("\"%{ if nul }x%{ endif }\"").0,
            "Invalid template directive"
        );
        assert_eq!(
            ev_err("\"%{ for x in n }x%{ endfor }\"").0,
            "Iteration over non-iterable value"
        );
    }

    #[test]
    fn heredocs_strip_indentation_and_markers() {
        let src = "<<-EOT\n    %{ for x in xs ~}\n    - ${x}\n    %{ endfor ~}\n    done\n  EOT";
        assert_eq!(ev(src), Value::from("- 1\n- 2\n- 3\ndone\n"));
        let src = "<<EOT\nhello ${s}\nEOT";
        assert_eq!(ev(src), Value::from("hello hi\n"));
    }

    #[test]
    fn template_text_sees_only_its_variables() {
        let vars = BTreeMap::from([("name".to_string(), Value::from("x"))]);
        let (v, d) = eval_template_str("Hi ${name}!", FileId(0), vars.clone(), Path::new("."));
        assert!(d.is_empty());
        assert_eq!(v, Value::from("Hi x!"));
        let (_, d) = eval_template_str("${nam} ${s}", FileId(0), vars.clone(), Path::new("."));
        assert_eq!(d.len(), 2);
        assert_eq!(d.0[0].help.as_deref(), Some("did you mean \"name\"?"));
        let (_, d) = eval_template_str("${", FileId(0), vars, Path::new("."));
        assert_eq!(d.0[0].summary, "Invalid template");
    }
}
