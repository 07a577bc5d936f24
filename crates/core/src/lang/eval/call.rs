//! Function calls. The library lives in `lang::funcs`; this module evaluates arguments
//! (expanding a trailing `...`), maps library errors to diagnostics on the call, and
//! implements the three functions that need the evaluator itself: `try` and `can` evaluate
//! their arguments lazily, and `templatefile` and `templatestring` evaluate a template in a
//! fresh scope.

use super::template::eval_template_str;
use super::Evaluator;
use crate::diag::{Diagnostic, SourceFile, Span};
use crate::lang::convert::convert;
use crate::lang::funcs::{self, FuncContext, FuncError};
use crate::lang::ir::{Call, Expr, Kind, Pos};
use crate::lang::suggest::did_you_mean;
use crate::lang::{Type, Value};

/// Functions the evaluator implements itself (offered in "did you mean" hints too).
const BUILTINS: [&str; 4] = ["try", "can", "templatefile", "templatestring"];

impl Evaluator<'_> {
    pub(super) fn call(&mut self, c: &Call) -> Value {
        let name = c.name.as_str();
        if !c.namespace.is_empty() {
            let full: Vec<&str> = c
                .namespace
                .iter()
                .map(|n| n.as_str())
                .chain([name])
                .collect();
            return self.error_at(
                c.pos,
                "Unsupported function call",
                format!(
                    "Provider-defined functions such as \"{}\" are not supported by hubctl; use a \
                     built-in function instead.",
                    full.join("::")
                ),
            );
        }
        match name {
            "try" => return self.call_try(c),
            "can" => return self.call_can(c),
            _ => {}
        }
        let before = self.diags.len();
        let mut args: Vec<Value> = c.args.iter().map(|e| self.expr(e)).collect();
        if self.diags.len() > before {
            return Value::unknown();
        }
        if c.expand_final {
            let last = c.args.iter().last();
            let Some(expanded) = args.pop() else {
                return Value::unknown();
            };
            let (expanded, marked) = expanded.unmark();
            match expanded {
                Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                    args.extend(xs.into_iter().map(|x| x.mark_if(marked)));
                }
                Value::Unknown(_) => return Value::unknown().mark_if(marked),
                other => {
                    let why = if other.is_null() {
                        "must not be null".to_string()
                    } else {
                        format!("must be a list, tuple or set, not {}", other.type_name())
                    };
                    return self.error_at(
                        last.map_or(Pos::NONE, |e| e.pos),
                        "Invalid expanding argument value",
                        format!("The expanding argument (indicated by ...) {why}."),
                    );
                }
            }
        }
        if name == "templatefile" {
            return self.templatefile(c, args);
        }
        if name == "templatestring" {
            return self.templatestring(c, args);
        }
        if let Some(result) = self.ctx.resolver.call(name, &args) {
            return match result {
                Ok(v) => v,
                Err(e) => self.func_error(c, e),
            };
        }
        let fctx = FuncContext {
            base_dir: self.ctx.base_dir,
        };
        match funcs::call(name, args, &fctx) {
            Ok(v) => v,
            Err(e) => self.func_error(c, e),
        }
    }

    fn func_error(&mut self, c: &Call, e: FuncError) -> Value {
        let name = c.name.as_str();
        let d = match e {
            FuncError::UnknownFunction => {
                let d = Diagnostic::error("Call to unknown function")
                    .detail(format!("There is no function named \"{name}\"."))
                    .subject_opt(self.span(c.name_pos));
                let candidates = funcs::names().iter().copied().chain(BUILTINS);
                match did_you_mean(name, candidates) {
                    Some(s) => d.help(format!("did you mean \"{s}\"?")),
                    None => d,
                }
            }
            FuncError::Arity { expected, got } => arity(name, &expected, got),
            FuncError::Arg { index, message } => {
                let arg = c.args.get(index).or_else(|| c.args.last());
                // Terraform names the parameter (`"newbits"`); a position only if unnamed.
                let param = funcs::param_name(name, index)
                    .map_or_else(|| format!("argument {}", index + 1), str::to_string);
                Diagnostic::error("Invalid function argument")
                    .detail(format!(
                        "Invalid value for \"{param}\" parameter: {}",
                        sentence(&message)
                    ))
                    .subject_opt(self.span(arg.map_or(Pos::NONE, |a| a.pos)))
            }
            FuncError::Other(message) => Diagnostic::error("Error in function call").detail(
                format!("Call to function \"{name}\" failed: {}", sentence(&message)),
            ),
        };
        let d = match d.subject {
            Some(_) => d,
            None => d.subject_opt(self.span(c.pos)),
        };
        self.fail(d)
    }

    /// `try(a, b, ...)`: the first argument that evaluates without errors.
    fn call_try(&mut self, c: &Call) -> Value {
        if c.args.is_empty() {
            let d = arity("try", "at least 1", 0).subject_opt(self.span(c.pos));
            return self.fail(d);
        }
        let mut failures = Vec::new();
        for arg in c.args.iter() {
            let (v, diags) = self.isolated(arg);
            if !diags.has_errors() {
                self.diags.extend(diags);
                // An unknown result might still fail once known: so is the outcome unknown.
                return if v.is_wholly_known() {
                    v
                } else {
                    Value::unknown()
                };
            }
            failures.extend(
                diags
                    .into_iter()
                    .filter(|d| d.is_error())
                    .map(|d| format!("\n- {}: {}", d.summary, d.detail)),
            );
        }
        self.error_at(
            c.pos,
            "Error in function call",
            format!(
                "Call to function \"try\" failed: no expression succeeded:{}\nAt least one \
                 expression must produce a successful result.",
                failures.concat()
            ),
        )
    }

    /// `can(expr)`: whether `expr` evaluates without errors.
    fn call_can(&mut self, c: &Call) -> Value {
        let args: Vec<&Expr> = c.args.iter().collect();
        let [arg] = args.as_slice() else {
            let d = arity("can", "1", args.len()).subject_opt(self.span(c.pos));
            return self.fail(d);
        };
        let (v, diags) = self.isolated(arg);
        if diags.has_errors() {
            Value::Bool(false)
        } else if !v.is_wholly_known() {
            Value::Unknown(Type::Bool)
        } else {
            Value::Bool(true)
        }
    }

    /// `templatefile(path, vars)`: renders a template file with only `vars` in scope.
    /// Problems inside the template are reported on the call, with the template location in
    /// the detail, since the template file is not part of the configuration's source map.
    fn templatefile(&mut self, c: &Call, args: Vec<Value>) -> Value {
        let call_span = self.span(c.pos);
        let fail_call = |msg: String| {
            Diagnostic::error("Error in function call")
                .detail(format!("Call to function \"templatefile\" failed: {msg}"))
                .subject_opt(call_span)
        };
        if self.in_templatefile {
            let d = fail_call("templatefile cannot be called from inside a template file.".into());
            return self.fail(d);
        }
        let Ok([path, vars]) = <[Value; 2]>::try_from(args) else {
            let got = c.args.len();
            let d = arity("templatefile", "2", got).subject_opt(call_span);
            return self.fail(d);
        };
        let (path, path_marked) = path.unmark();
        let (vars, vars_marked) = vars.unmark();
        let marked = path_marked | vars_marked;
        let path = match path {
            Value::String(p) => p,
            Value::Unknown(_) => return Value::Unknown(Type::String).mark_if(marked),
            _ => return self.func_error(c, arg_error(0, "a string path is required")),
        };
        let vars = match vars {
            Value::Map(m) | Value::Object(m) => m.into_iter().collect(),
            Value::Unknown(_) => return Value::Unknown(Type::String).mark_if(marked),
            _ => {
                return self.func_error(
                    c,
                    arg_error(1, "an object or map of template variables is required"),
                )
            }
        };
        let full = self.ctx.base_dir.join(&path);
        let text = match std::fs::read_to_string(&full) {
            Ok(t) => t,
            Err(e) => {
                let msg = format!("cannot read {}: {e}", full.display());
                return self.func_error(c, arg_error(0, &msg));
            }
        };
        self.render(c, &path, &text, vars).mark_if(marked)
    }

    /// `templatestring(template, vars)`: renders a template held in another value. As in
    /// Terraform, the template must be a reference (`local.t`), so that a literal, whose
    /// `${...}` would already have been evaluated in the caller's scope, is caught.
    fn templatestring(&mut self, c: &Call, args: Vec<Value>) -> Value {
        if self.in_templatefile {
            let msg = "cannot recursively call templatestring from inside another template \
                       function.";
            return self.func_error(c, FuncError::Other(msg.into()));
        }
        let Ok([template, vars]) = <[Value; 2]>::try_from(args) else {
            let d = arity("templatestring", "2", c.args.len()).subject_opt(self.span(c.pos));
            return self.fail(d);
        };
        let invalid = match c.args.first().map(|e| &e.kind) {
            Some(Kind::Variable(_) | Kind::Traversal(_)) => None,
            Some(Kind::String(_) | Kind::Template(_)) => Some(
                "templatestring is only for rendering templates retrieved dynamically from \
                 elsewhere, and so does not support providing a literal template; consider \
                 using a template string expression instead.",
            ),
            _ => Some(
                "must be a direct reference to a single string from elsewhere, containing \
                 valid Terraform template syntax.",
            ),
        };
        if let Some(why) = invalid {
            let msg = format!("invalid template expression: {why}");
            return self.func_error(c, arg_error(0, &msg));
        }
        let (template, t_marked) = template.unmark();
        let (vars, v_marked) = vars.unmark();
        let marked = t_marked | v_marked;
        let vars = match vars {
            Value::Map(m) | Value::Object(m) => m.into_iter().collect(),
            Value::Unknown(_) => return Value::Unknown(Type::String).mark_if(marked),
            _ => return self.func_error(c, arg_error(1, "invalid vars value: must be a map.")),
        };
        match template {
            Value::String(text) => {
                let seen = self.diags.0.len();
                let v = self.render(c, "<templatestring argument>", &text, vars);
                if self.diags.0.len() > seen {
                    return v.mark_if(marked);
                }
                self.template_result(c, v).mark_if(marked)
            }
            Value::Unknown(_) => Value::Unknown(Type::String).mark_if(marked),
            other => {
                let msg = format!("string required, got {}", other.type_name());
                self.func_error(c, arg_error(0, &msg))
            }
        }
    }

    /// `templatestring`'s result is a string, as Terraform's (`"${n}"` gives `"1"`, not 1),
    /// where `templatefile` keeps a lone interpolation's value.
    fn template_result(&mut self, c: &Call, v: Value) -> Value {
        let (v, marked) = v.unmark();
        let v = match v {
            Value::String(_) | Value::Unknown(_) => v,
            Value::Number(_) | Value::Bool(_) => match convert(v, &Type::String) {
                Ok(s) => s,
                Err(e) => return self.func_error(c, FuncError::Other(e)),
            },
            _ => {
                let msg = "invalid template result: string required.";
                return self.func_error(c, FuncError::Other(msg.into()));
            }
        };
        v.mark_if(marked)
    }

    /// Evaluates template `text` with only `vars` in scope; problems inside it are reported
    /// on the call, with the template location (`label`:line:column) in the detail.
    fn render(
        &mut self,
        c: &Call,
        label: &str,
        text: &str,
        vars: std::collections::BTreeMap<String, Value>,
    ) -> Value {
        let call_span = self.span(c.pos);
        let name = c.name.as_str();
        let (value, diags) = eval_template_str(text, self.ctx.file, vars, self.ctx.base_dir);
        for d in diags {
            let at = template_location(label, text, d.subject);
            let detail = format!("In template {at}: {} {}", d.summary, d.detail);
            let d = Diagnostic {
                detail: format!("Call to function \"{name}\" failed: {detail}"),
                summary: "Error in function call".into(),
                subject: call_span,
                ..d
            };
            self.diags.push(d);
        }
        value
    }
}

fn arg_error(index: usize, message: &str) -> FuncError {
    FuncError::Arg {
        index,
        message: message.to_string(),
    }
}

/// An arity diagnostic, phrased by whether there were too few or too many arguments.
fn arity(name: &str, expected: &str, got: usize) -> Diagnostic {
    let least = expected
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse::<usize>().ok())
        .min()
        .unwrap_or(0);
    let summary = if got < least {
        "Not enough function arguments"
    } else {
        "Too many function arguments"
    };
    Diagnostic::error(summary).detail(format!(
        "Function \"{name}\" expects {expected} argument(s), but {got} were given."
    ))
}

/// Ends a message with a period, without doubling one.
fn sentence(s: &str) -> String {
    let s = s.trim_end();
    if s.ends_with(['.', '!', '?']) {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

/// The line and column of a byte offset in template text, for messages about a template.
fn template_location(path: &str, text: &str, span: Option<Span>) -> String {
    match span {
        Some(s) => {
            let file = SourceFile::new(path.into(), text.to_string());
            let loc = file.location(s.start as usize);
            format!("{path}:{}:{}", loc.line, loc.column)
        }
        None => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{ev, ev_diags, ev_err, ev_in};
    use super::*;

    #[test]
    fn unknown_functions_and_namespaces() {
        let (summary, detail, covered) = ev_err("nosuchfunc(1)");
        assert_eq!(summary, "Call to unknown function");
        assert!(detail.contains("\"nosuchfunc\""));
        assert_eq!(covered, "nosuchfunc");
        let (_, d) = ev_diags("tyr(1)");
        assert_eq!(d.0[0].help.as_deref(), Some("did you mean \"try\"?"));
        let (summary, detail, _) = ev_err("provider::aws::arn_parse(s)");
        assert_eq!(summary, "Unsupported function call");
        assert!(detail.contains("provider::aws::arn_parse"));
        // Argument errors are reported, and the function is not called.
        let (_, d) = ev_diags("nosuchfunc(nul.x)");
        assert_eq!(d.0[0].summary, "Attempt to get attribute from null value");
        assert_eq!(
            ev_err("nosuchfunc(n...)").0,
            "Invalid expanding argument value"
        );
    }

    #[test]
    fn library_errors_become_diagnostics() {
        let args = "pow(1, \"x\")";
        let expr = crate::lang::ir::parse(args).ok().map(|e| e.kind);
        let Some(Kind::Call(c)) = expr else {
            panic!("not a call");
        };
        let resolver = super::super::MapResolver {
            vars: Default::default(),
        };
        let ctx = super::super::EvalContext {
            file: crate::diag::FileId(0),
            resolver: &resolver,
            base_dir: std::path::Path::new("."),
        };
        let mut ev = Evaluator::new(&ctx);
        ev.func_error(
            &c,
            FuncError::Arg {
                index: 1,
                message: "must be a number".into(),
            },
        );
        ev.func_error(
            &c,
            FuncError::Arity {
                expected: "at least 3".into(),
                got: 2,
            },
        );
        ev.func_error(
            &c,
            FuncError::Arity {
                expected: "1".into(),
                got: 2,
            },
        );
        ev.func_error(&c, FuncError::Other("boom".into()));
        let d = &ev.diags.0;
        assert_eq!(d[0].summary, "Invalid function argument");
        assert_eq!(
            d[0].detail,
            "Invalid value for \"power\" parameter: must be a number."
        );
        assert_eq!(d[0].subject.map(|s| &args[s.range()]), Some("\"x\""));
        assert_eq!(d[1].summary, "Not enough function arguments");
        assert_eq!(d[2].summary, "Too many function arguments");
        assert_eq!(d[3].detail, "Call to function \"pow\" failed: boom.");
    }

    #[test]
    fn try_and_can_evaluate_lazily() {
        assert_eq!(
            ev("try(m.zz, nul.a, \"fallback\")"),
            Value::from("fallback")
        );
        assert_eq!(ev("try(m.a, 0)"), Value::int(1));
        assert!(ev("try(u.a, 0)").is_unknown());
        let (summary, detail, covered) = ev_err("try(m.zz, xs[9])");
        assert_eq!(summary, "Error in function call");
        assert!(
            detail.contains("no expression succeeded") && detail.contains("Unsupported attribute")
        );
        assert_eq!(covered, "try(m.zz, xs[9])");
        assert_eq!(ev_err("try()").0, "Not enough function arguments");
        assert_eq!(ev("can(m.zz)"), Value::Bool(false));
        assert_eq!(ev("can(m.a)"), Value::Bool(true));
        assert_eq!(ev("can(u.a)"), Value::Unknown(Type::Bool));
        assert_eq!(ev_err("can(1, 2)").0, "Too many function arguments");
    }

    #[test]
    fn templatefile_renders_with_only_its_variables() {
        let dir = tempfile::tempdir().ok();
        let Some(dir) = dir else { return };
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).is_ok();
        assert!(write(
            "ok.tpl",
            "%{ for z in zones ~}\n${z}\n%{ endfor ~}\nby ${who}"
        ));
        assert!(write("bad.tpl", "line one\n  ${s}"));
        assert!(write("rec.tpl", "${templatefile(\"ok.tpl\", {})}"));
        let (v, d) = ev_in(
            "templatefile(\"ok.tpl\", { zones = [\"a\", \"b\"], who = s })",
            dir.path(),
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(v, Value::from("a\nb\nby hi"));
        let (v, _) = ev_in(
            "templatefile(\"ok.tpl\", { zones = [], who = secret })",
            dir.path(),
        );
        assert!(v.is_sensitive());
        let src = "templatefile(\"bad.tpl\", {})";
        let (_, d) = ev_in(src, dir.path());
        assert_eq!(d.0[0].summary, "Error in function call");
        assert!(d.0[0].detail.contains("bad.tpl:2:5"), "{}", d.0[0].detail);
        assert_eq!(d.0[0].subject.map(|s| &src[s.range()]), Some(src));
        let (_, d) = ev_in("templatefile(\"rec.tpl\", {})", dir.path());
        assert!(
            d.0[0].detail.contains("cannot be called from inside"),
            "{:?}",
            d
        );
        let (_, d) = ev_in("templatefile(\"missing.tpl\", {})", dir.path());
        assert_eq!(d.0[0].summary, "Invalid function argument");
        assert!(ev_in("templatefile(u, {})", dir.path()).0.is_unknown());
    }

    #[test]
    fn templatestring_renders_a_referenced_template() {
        assert_eq!(
            ev("templatestring(tpl, { a = 1, b = true })"),
            Value::from("1 and b")
        );
        assert_eq!(ev("templatestring(objs[0].id, {})"), Value::from("a"));
        assert!(ev("templatestring(tpl, { a = secret, b = false })").is_sensitive());
        assert!(ev("templatestring(u, {})").is_unknown());
        let (summary, detail, _) = ev_err("templatestring(tpl, { a = 1 })");
        assert_eq!(summary, "Error in function call");
        assert!(detail.contains("<templatestring argument>:1:"), "{detail}");
        let (summary, detail, _) = ev_err("templatestring(\"x\", {})");
        assert_eq!(summary, "Invalid function argument");
        assert!(detail.contains("\"template\" parameter"), "{detail}");
        assert!(detail.contains("literal template"), "{detail}");
        let (_, detail, _) = ev_err("templatestring(lower(s), {})");
        assert!(detail.contains("direct reference"), "{detail}");
        let (_, detail, _) = ev_err("templatestring(tpl, \"x\")");
        assert!(detail.contains("must be a map"), "{detail}");
    }
}
