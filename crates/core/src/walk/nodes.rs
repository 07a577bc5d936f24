//! The nodes every mode evaluates alike: input variables (with their validation rules),
//! locals and outputs (with their preconditions).

use super::body::eval_expr;
use super::ephemeral_rules::{error_message, refuse_in_input, refuse_in_output, Condition};
use super::instances::{per_instance, ModuleInst};
use super::run::Run;
use super::scope::Scope;
use super::step::NodeResult;
use crate::config::{Validation, Variable};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::lang::convert::convert;
use crate::lang::{Resolver, Value};

/// A local's value, in every instance of its module.
pub fn eval_local(run: &Run, mi: usize, name: &str) -> NodeResult {
    let l = &run.module(mi).locals[name];
    per_instance(run, mi, |inst| {
        let (v, d) = eval_expr(&l.expr, &Scope::at(run, mi, inst), run.base_dir());
        lenient_in_destroy(run, v, d)
    })
}

/// An output's value (its preconditions checked), in every instance of its module.
pub fn eval_output_node(run: &Run, mi: usize, name: &str) -> NodeResult {
    per_instance(run, mi, |inst| {
        let (v, d) = eval_output(run, mi, name, inst);
        lenient_in_destroy(run, v, d)
    })
}

fn lenient_in_destroy(run: &Run, v: Value, d: Diagnostics) -> (Value, Diagnostics) {
    if run.is_destroy() && d.has_errors() {
        return (Value::unknown(), Diagnostics::new());
    }
    (v, d)
}

/// An input variable's value, in every instance of its module.
pub fn eval_variable(run: &Run, mi: usize, name: &str) -> NodeResult {
    per_instance(run, mi, |inst| variable_in(run, mi, name, inst))
}

fn variable_in(run: &Run, mi: usize, name: &str, inst: &ModuleInst) -> (Value, Diagnostics) {
    let var = &run.module(mi).variables[name];
    let (raw, blame, mut diags) = given_value(run, mi, name, var, inst);
    if diags.has_errors() {
        return (Value::unknown(), diags);
    }
    // For a non-nullable variable a null means "not set": the default applies, as in Terraform.
    let raw = raw.filter(|v| var.nullable || !v.is_null() || var.default.is_none());
    let from_default = raw.is_none();
    let raw = match raw {
        Some(v) => v,
        None => match &var.default {
            Some(d) => {
                let (v, dd) = eval_expr(d, &Scope::at(run, mi, inst), run.base_dir());
                diags.extend(dd);
                v
            }
            None => {
                diags.push(missing(run, mi, name, var, blame));
                return (Value::unknown(), diags);
            }
        },
    };
    let mut v = match typed(run, name, var, raw, from_default, blame) {
        Ok(v) => v,
        Err(d) => {
            diags.push(d);
            return (Value::unknown(), diags);
        }
    };
    if v.is_null() && !var.nullable {
        let (summary, blame) = if from_default {
            ("Invalid default value for variable", var.span)
        } else {
            ("Required variable not set", blame)
        };
        diags.push(
            Diagnostic::error(summary)
                .detail(format!(
                    "The given value is not suitable for var.{name}: the value must not be null."
                ))
                .subject(blame),
        );
    }
    if !diags.has_errors() {
        let scope = Scope::at(run, mi, inst);
        diags.extend(check_validations(
            run,
            &scope,
            name,
            &v,
            &var.validations,
            blame,
        ));
    }
    if var.sensitive {
        v = v.sensitive();
    }
    if var.ephemeral {
        v = v.ephemeral();
    }
    (v, diags)
}

/// Where a variable's value comes from (the root's inputs, or the module call's argument)
/// and the span to blame when it is wrong.
fn given_value(
    run: &Run,
    mi: usize,
    name: &str,
    var: &Variable,
    inst: &ModuleInst,
) -> (Option<Value>, Span, Diagnostics) {
    let mut diags = Diagnostics::new();
    let path = &run.graph.modules[mi].path;
    if path.is_empty() {
        let v = if run.is_validate() {
            Some(Value::Unknown(
                var.ty.clone().unwrap_or(crate::lang::Type::Any),
            ))
        } else {
            run.feeds
                .value(name)
                .or_else(|| run.vars.get(name))
                .cloned()
        };
        return (v, var.span, diags);
    }
    let parent = run.graph.modules[mi].parent.unwrap_or(0);
    let call = &run.module(parent).module_calls[path.last().map(String::as_str).unwrap_or("")];
    match call.inputs.get(name) {
        Some(a) => {
            let scope = Scope::calling(run, mi, inst);
            let (v, d) = eval_expr(&a.expr, &scope, run.base_dir());
            diags.extend(d);
            if let Some(refused) = refuse_in_input(var.ephemeral, &a.expr, &v) {
                diags.push(refused);
                return (Some(Value::unknown()), a.expr.span(), diags);
            }
            (Some(v), a.expr.span(), diags)
        }
        None => (None, call.span, diags),
    }
}

/// A required variable without a value.
fn missing(run: &Run, mi: usize, name: &str, var: &Variable, blame: Span) -> Diagnostic {
    let root = run.graph.modules[mi].path.is_empty();
    let d = if root && var.ephemeral && run.mode == super::run::Mode::Apply {
        // A saved plan never holds an ephemeral variable's value (Terraform's wording).
        Diagnostic::error("No value for required variable").detail(format!(
            "The ephemeral input variable \"{name}\" was set during the plan phase, and so must also be set during the apply phase."
        ))
    } else if root {
        Diagnostic::error("No value for required variable").detail(format!(
            "The root module input variable \"{name}\" is not set, and has no default value. Use a -var or -var-file command line argument, or a TF_VAR_{name} environment variable, to provide a value."
        ))
    } else {
        Diagnostic::error("Missing required argument")
            .detail(format!("The argument \"{name}\" is required, but no definition was found: module variable \"{name}\" has no default."))
    };
    d.subject(blame).related(var.span, "variable declared here")
}

/// The value converted to the variable's type constraint.
fn typed(
    run: &Run,
    name: &str,
    var: &Variable,
    raw: Value,
    from_default: bool,
    blame: Span,
) -> Result<Value, Diagnostic> {
    let Some(t) = &var.ty else {
        return Ok(raw);
    };
    convert(raw, t).map_err(|msg| {
        let summary = if from_default {
            "Invalid default value for variable"
        } else {
            "Invalid value for input variable"
        };
        Diagnostic::error(summary)
            .detail(format!(
                "The given value is not suitable for var.{name} declared at {}: {msg}.",
                run.config.sources.location(var.span)
            ))
            .subject(blame)
    })
}

/// A resolver where `var.<name>` is the value being validated.
struct Validating<'a> {
    inner: &'a Scope<'a>,
    name: &'a str,
    value: &'a Value,
}

impl Resolver for Validating<'_> {
    fn resolve(
        &self,
        root: &str,
        attrs: &[&str],
        span: Span,
    ) -> Result<(Value, usize), Diagnostic> {
        if root == "var" && attrs.first() == Some(&self.name) {
            return Ok((self.value.clone(), 1));
        }
        self.inner.resolve(root, attrs, span)
    }

    fn call(
        &self,
        name: &str,
        args: &[Value],
    ) -> Option<Result<Value, crate::lang::funcs::FuncError>> {
        self.inner.call(name, args)
    }
}

fn check_validations(
    run: &Run,
    scope: &Scope,
    name: &str,
    v: &Value,
    rules: &[Validation],
    blame: Span,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let r = Validating {
        inner: scope,
        name,
        value: v,
    };
    for rule in rules {
        let (c, d) = eval_expr(&rule.condition, &r, run.base_dir());
        if d.has_errors() {
            diags.extend(d);
            continue;
        }
        match c.peel() {
            Value::Bool(true) | Value::Unknown(_) => {}
            Value::Bool(false) => {
                let (msg, _) = eval_expr(&rule.error_message, &r, run.base_dir());
                let at = rule.error_message.span();
                let (msg, why) = error_message(&msg, at, Condition::Validation);
                diags.0.extend(why);
                diags.push(
                    Diagnostic::error("Invalid value for variable")
                        .detail(format!(
                            "{msg}\n\nThis was checked by the validation rule at {}.",
                            run.config.sources.location(rule.span)
                        ))
                        .subject(blame)
                        .related(rule.condition.span(), "validation condition"),
                );
            }
            _ => diags.push(
                Diagnostic::error("Invalid variable validation result")
                    .detail("The validation condition must return true or false.")
                    .subject(rule.condition.span()),
            ),
        }
    }
    diags
}

fn eval_output(run: &Run, mi: usize, name: &str, inst: &ModuleInst) -> (Value, Diagnostics) {
    let o = &run.module(mi).outputs[name];
    let scope = Scope::at(run, mi, inst);
    let (v, mut diags) = eval_expr(&o.expr, &scope, run.base_dir());
    for p in &o.preconditions {
        let (c, d) = eval_expr(&p.condition, &scope, run.base_dir());
        diags.extend(d);
        // A sensitive condition still decides; only its value stays unshown.
        if c.peel().as_bool() == Some(false) {
            let (msg, _) = eval_expr(&p.error_message, &scope, run.base_dir());
            let at = p.error_message.span();
            let (msg, why) = error_message(&msg, at, Condition::Check);
            diags.0.extend(why);
            diags.push(
                Diagnostic::error("Module output value precondition failed")
                    .detail(msg)
                    .subject(p.condition.span()),
            );
        }
    }
    if !diags.has_errors() && v.contains_sensitive() && !o.sensitive {
        diags.push(
            Diagnostic::error("Output refers to sensitive values")
                .detail("To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, hubctl requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.")
                .subject(o.span)
                .help("add `sensitive = true` to the output block"),
        );
    }
    if let Some(refused) = refuse_in_output(o.ephemeral, &o.expr, &v) {
        diags.push(refused);
        // Not even an errored plan may hold it.
        return (Value::unknown(), diags);
    }
    let v = if o.sensitive { v.sensitive() } else { v };
    (
        v.mark_if(crate::lang::Marks {
            sensitive: false,
            ephemeral: o.ephemeral,
        }),
        diags,
    )
}
