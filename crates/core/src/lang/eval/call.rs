//! Function calls. The library lives in `lang::funcs`; this module evaluates arguments
//! (expanding a trailing `...`), maps library errors to diagnostics on the call, and
//! implements the three functions that need the evaluator itself: `try` and `can` evaluate
//! their arguments lazily, and `templatefile` evaluates a template in a fresh scope.

use super::template::eval_template_str;
use super::Evaluator;
use crate::diag::{Diagnostic, SourceFile, Span};
use crate::lang::funcs::{self, FuncContext, FuncError};
use crate::lang::suggest::did_you_mean;
use crate::lang::{Type, Value};
use hcl_edit::expr::{Expression, FuncCall};
use hcl_edit::Span as _;

/// Functions the evaluator implements itself (offered in "did you mean" hints too).
const BUILTINS: [&str; 3] = ["try", "can", "templatefile"];

impl Evaluator<'_> {
    pub(super) fn call(&mut self, c: &FuncCall) -> Value {
        let name = c.name.name.as_str();
        if c.name.is_namespaced() {
            let full: Vec<&str> = c
                .name
                .namespace
                .iter()
                .map(|n| n.as_str())
                .chain([name])
                .collect();
            return self.error_at(
                c.span(),
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
        if c.args.expand_final() {
            let last = c.args.iter().last();
            let Some(expanded) = args.pop() else {
                return Value::unknown();
            };
            let (expanded, marked) = expanded.unmark();
            match expanded {
                Value::List(xs) | Value::Set(xs) => {
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
                        last.and_then(|e| e.span()),
                        "Invalid expanding argument value",
                        format!("The expanding argument (indicated by ...) {why}."),
                    );
                }
            }
        }
        if name == "templatefile" {
            return self.templatefile(c, args);
        }
        let fctx = FuncContext {
            base_dir: self.ctx.base_dir,
        };
        match funcs::call(name, args, &fctx) {
            Ok(v) => v,
            Err(e) => self.func_error(c, e),
        }
    }

    fn func_error(&mut self, c: &FuncCall, e: FuncError) -> Value {
        let name = c.name.name.as_str();
        let d = match e {
            FuncError::UnknownFunction => {
                let d = Diagnostic::error("Call to unknown function")
                    .detail(format!("There is no function named \"{name}\"."))
                    .subject_opt(self.span(c.name.name.span()));
                let candidates = funcs::names().iter().copied().chain(BUILTINS);
                match did_you_mean(name, candidates) {
                    Some(s) => d.help(format!("did you mean \"{s}\"?")),
                    None => d,
                }
            }
            FuncError::Arity { expected, got } => arity(name, &expected, got),
            FuncError::Arg { index, message } => {
                let arg = c.args.iter().nth(index).or_else(|| c.args.iter().last());
                Diagnostic::error("Invalid function argument")
                    .detail(format!(
                        "Invalid value for \"{index}\" parameter: {}",
                        sentence(&message)
                    ))
                    .subject_opt(self.span(arg.and_then(|a| a.span())))
            }
            FuncError::Other(message) => Diagnostic::error("Error in function call").detail(
                format!("Call to function \"{name}\" failed: {}", sentence(&message)),
            ),
        };
        let d = d.subject_opt(self.span(c.span()));
        self.fail(d)
    }

    /// `try(a, b, ...)`: the first argument that evaluates without errors.
    fn call_try(&mut self, c: &FuncCall) -> Value {
        if c.args.is_empty() {
            let d = arity("try", "at least 1", 0).subject_opt(self.span(c.span()));
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
            c.span(),
            "Error in function call",
            format!(
                "Call to function \"try\" failed: no expression succeeded:{}\nAt least one \
                 expression must produce a successful result.",
                failures.concat()
            ),
        )
    }

    /// `can(expr)`: whether `expr` evaluates without errors.
    fn call_can(&mut self, c: &FuncCall) -> Value {
        let args: Vec<&Expression> = c.args.iter().collect();
        let [arg] = args.as_slice() else {
            let d = arity("can", "1", args.len()).subject_opt(self.span(c.span()));
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
    fn templatefile(&mut self, c: &FuncCall, args: Vec<Value>) -> Value {
        let call_span = self.span(c.span());
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
        let marked = path_marked || vars_marked;
        let path = match path {
            Value::String(p) => p,
            Value::Unknown(_) => return Value::Unknown(Type::String).mark_if(marked),
            _ => return self.func_error(c, arg_error(0, "a string path is required")),
        };
        let vars = match vars {
            Value::Map(m) => m,
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
        let (value, diags) = eval_template_str(&text, self.ctx.file, vars, self.ctx.base_dir);
        for d in diags {
            let at = template_location(&path, &text, d.subject);
            let detail = format!("In template {at}: {} {}", d.summary, d.detail);
            let d = Diagnostic {
                detail: format!("Call to function \"templatefile\" failed: {detail}"),
                summary: "Error in function call".into(),
                subject: call_span,
                ..d
            };
            self.diags.push(d);
        }
        value.mark_if(marked)
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
