//! Evaluates expressions (their [IR](crate::lang::ir)) to [`Value`]s with Terraform's semantics.
//!
//! Unknown values flow through every construct (an unknown operand gives an unknown result
//! of the operator's type) and sensitive marks are carried to anything computed from a
//! marked value. Errors never stop the walk at the first problem: each becomes a
//! [`Diagnostic`] on the offending sub-expression and the failed part evaluates to an
//! untyped unknown, so independent mistakes in one expression are all reported while a
//! single mistake does not cascade.

mod call;
mod forexpr;
#[cfg(test)]
mod funcdiff_tests;
mod ops;
mod template;
#[cfg(test)]
mod testutil;
mod traversal;
#[cfg(test)]
mod typediff_tests;

use crate::diag::{Diagnostic, Diagnostics, FileId, Span};
use crate::lang::funcs::FuncError;
use crate::lang::ir::{Conditional, Expr, Kind, ObjectKey, Pos};
use crate::lang::suggest::did_you_mean;
use crate::lang::{Type, Value};
use std::collections::BTreeMap;
use std::path::Path;

pub use template::eval_template_str;

/// Answers references (`var.x`, `aws_vpc.this.id`, `module.vpc.vpc_id`, `count.index`, ...).
///
/// The evaluator hands over the root name and the leading static attribute names of a
/// traversal; the resolver returns the value and how many of those names it consumed (so
/// `terraform_data.a.output` resolves to the resource `terraform_data.a`, consuming 1, and
/// the evaluator applies `.output`). This keeps lookups O(1) however many resources exist.
pub trait Resolver: Sync {
    fn resolve(&self, root: &str, attrs: &[&str], span: Span)
        -> Result<(Value, usize), Diagnostic>;

    /// Functions the scope adds to the library, looked up before it (Terragrunt's
    /// `find_in_parent_folders` in unit files): `None` when the scope has no function `name`.
    /// Arguments arrive evaluated; errors map to diagnostics on the call like library ones.
    fn call(&self, _name: &str, _args: &[Value]) -> Option<Result<Value, FuncError>> {
        None
    }
}

/// What an evaluation needs besides the expression.
pub struct EvalContext<'a> {
    /// The file the expression was parsed from (spans are byte ranges in it).
    pub file: FileId,
    pub resolver: &'a dyn Resolver,
    /// Directory that relative paths in `file()`, `templatefile()` ... are resolved against
    /// (Terraform resolves them against the working directory; users write `${path.module}/x`).
    pub base_dir: &'a Path,
}

/// Evaluates an expression; never panics, errors come back as diagnostics with spans.
pub fn eval(expr: &Expr, ctx: &EvalContext) -> (Value, Diagnostics) {
    let mut ev = Evaluator::new(ctx);
    let value = ev.expr(expr);
    (value, ev.diags)
}

/// A resolver over a plain map of names (consumes no attributes): the variables of a
/// `templatefile` call, and a convenient scope for callers evaluating standalone snippets.
pub struct MapResolver {
    pub vars: BTreeMap<String, Value>,
}

impl Resolver for MapResolver {
    fn resolve(&self, root: &str, _: &[&str], span: Span) -> Result<(Value, usize), Diagnostic> {
        match self.vars.get(root) {
            Some(v) => Ok((v.clone(), 0)),
            None => {
                let mut d = Diagnostic::error("Unknown variable")
                    .detail(format!("There is no variable named \"{root}\"."))
                    .subject(span);
                if let Some(s) = did_you_mean(root, self.vars.keys().map(String::as_str)) {
                    d = d.help(format!("did you mean \"{s}\"?"));
                }
                Err(d)
            }
        }
    }
}

/// One evaluation in progress: the context, the names bound by enclosing `for` expressions
/// and template `for` directives (innermost last), and the diagnostics so far.
pub(crate) struct Evaluator<'a> {
    ctx: &'a EvalContext<'a>,
    locals: Vec<(String, Value)>,
    diags: Diagnostics,
    /// Set while evaluating a `templatefile` template, which may not call `templatefile`.
    in_templatefile: bool,
}

impl<'a> Evaluator<'a> {
    fn new(ctx: &'a EvalContext<'a>) -> Self {
        Evaluator {
            ctx,
            locals: Vec::new(),
            diags: Diagnostics::new(),
            in_templatefile: false,
        }
    }

    /// A source span in the evaluated file, from a node's byte range.
    fn span(&self, pos: Pos) -> Option<Span> {
        pos.range().map(|r| Span::new(self.ctx.file, r))
    }

    /// Records an error and returns the placeholder value of a failed expression.
    fn fail(&mut self, d: Diagnostic) -> Value {
        self.diags.push(d);
        Value::unknown()
    }

    fn error_at(&mut self, pos: Pos, summary: &str, detail: String) -> Value {
        let d = Diagnostic::error(summary)
            .detail(detail)
            .subject_opt(self.span(pos));
        self.fail(d)
    }

    fn local(&self, name: &str) -> Option<&Value> {
        self.locals
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// Runs `f` with extra local names bound, then unbinds them.
    fn with_locals<T>(&mut self, binds: Vec<(String, Value)>, f: impl FnOnce(&mut Self) -> T) -> T {
        let depth = self.locals.len();
        self.locals.extend(binds);
        let out = f(self);
        self.locals.truncate(depth);
        out
    }

    /// Evaluates `expr` into a private diagnostics buffer; for `try` and `can`, whose whole
    /// point is to swallow errors.
    fn isolated(&mut self, expr: &Expr) -> (Value, Diagnostics) {
        let saved = std::mem::take(&mut self.diags);
        let value = self.expr(expr);
        let diags = std::mem::replace(&mut self.diags, saved);
        (value, diags)
    }

    pub(crate) fn expr(&mut self, expr: &Expr) -> Value {
        match &expr.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Number(n) => Value::Number(n.clone()),
            Kind::String(s) => Value::String(crate::lang::funcs::nfc(s.to_string())),
            Kind::Tuple(a) => Value::Tuple(a.iter().map(|e| self.expr(e)).collect()),
            Kind::Object(o) => self.object(o),
            Kind::Template(t) => self.template(t),
            Kind::Paren(inner) => self.expr(inner),
            Kind::Variable(name) => self.variable(name.as_str(), expr.pos),
            Kind::Conditional(c) => self.conditional(c, expr.pos),
            Kind::Call(c) => self.call(c),
            Kind::Traversal(t) => self.traversal(t),
            Kind::Unary(op, operand) => self.unary(*op, operand),
            Kind::Binary(op) => self.binary(op),
            Kind::For(f) => self.for_expr(f),
        }
    }

    fn variable(&mut self, name: &str, pos: Pos) -> Value {
        if let Some(v) = self.local(name) {
            return v.clone();
        }
        let span = self.span(pos).unwrap_or(Span::new(self.ctx.file, 0..0));
        match self.ctx.resolver.resolve(name, &[], span) {
            Ok((v, _)) => v,
            Err(d) => self.fail(d),
        }
    }

    fn object(&mut self, o: &[(ObjectKey, Expr)]) -> Value {
        let mut out = crate::lang::VecMap::new();
        let mut unknown = false;
        for (key, value) in o {
            let k = match key {
                ObjectKey::Ident(id, _) => id.as_str().to_string(),
                ObjectKey::Expr(e) => match self.object_key(e) {
                    Some(Ok(k)) => k,
                    Some(Err(())) => {
                        unknown = true;
                        self.expr(value);
                        continue;
                    }
                    None => {
                        self.expr(value);
                        continue;
                    }
                },
            };
            let v = self.expr(value);
            out.insert(k, v);
        }
        if unknown {
            // A key known only after apply: the object's shape itself is unknown.
            return Value::Unknown(Type::Any);
        }
        Value::Object(out)
    }

    /// An object key: `Some(Ok)` a string, `Some(Err)` unknown, `None` an error (reported).
    fn object_key(&mut self, e: &Expr) -> Option<Result<String, ()>> {
        // Bare keywords are names here, as in `{ null = 1 }`; parentheses force evaluation.
        match &e.kind {
            Kind::Null => return Some(Ok("null".into())),
            Kind::Bool(b) => return Some(Ok(b.to_string())),
            _ => {}
        }
        let before = self.diags.len();
        let key = self.expr(e);
        if self.diags.len() > before {
            return None;
        }
        let (key, _) = key.unmark();
        match key {
            Value::String(s) => Some(Ok(s)),
            Value::Number(n) => Some(Ok(n.to_string())),
            Value::Bool(b) => Some(Ok(b.to_string())),
            Value::Unknown(_) => Some(Err(())),
            Value::Null => {
                self.error_at(
                    e.pos,
                    "Invalid object key",
                    "Can't use a null value as a key.".into(),
                );
                None
            }
            other => {
                self.error_at(
                    e.pos,
                    "Incorrect key type",
                    format!(
                        "Can't use this value as a key: string required, but got {}.",
                        other.type_name()
                    ),
                );
                None
            }
        }
    }

    fn conditional(&mut self, c: &Conditional, pos: Pos) -> Value {
        let cond = self.expr(&c.cond);
        let (cond, marked) = cond.unmark();
        let chosen = match cond {
            Value::Unknown(_) => return Value::Unknown(Type::Any).mark_if(marked),
            Value::Null => {
                return self.error_at(
                    c.cond.pos,
                    "Null condition",
                    "The condition value is null. Conditions must either be true or false.".into(),
                )
            }
            other => match crate::lang::convert::convert(other, &Type::Bool) {
                Ok(Value::Bool(b)) => b,
                _ => {
                    return self.error_at(
                        c.cond.pos,
                        "Incorrect condition type",
                        "The condition expression must be of type bool.".into(),
                    )
                }
            },
        };
        // Like Terraform, evaluate both branches so the result has the type both unify to
        // (`true ? 1 : "a"` is "1"); only the chosen branch's errors count.
        let (t, t_diags) = self.isolated(&c.then);
        let (f, f_diags) = self.isolated(&c.otherwise);
        let diags = if chosen { t_diags } else { f_diags };
        let failed = diags.has_errors();
        self.diags.0.extend(diags.0);
        if failed {
            return if chosen { t } else { f };
        }
        match crate::lang::convert::unify(vec![t, f]) {
            Some(mut both) => {
                // As in Terraform, the other result's marks are the result's too.
                let other = both[usize::from(chosen)].marks();
                both.swap_remove(usize::from(!chosen))
                    .mark_if(marked | other)
            }
            None => self.error_at(
                pos,
                "Inconsistent conditional result types",
                "The true and false result expressions must have consistent types.".into(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::{ev, ev_diags, ev_err, sources};
    use super::*;

    #[test]
    fn literals_arrays_and_objects() {
        assert_eq!(ev("null"), Value::Null);
        assert_eq!(ev("true"), Value::Bool(true));
        assert_eq!(ev("1.5"), Value::number(1.5));
        assert_eq!(ev("\"a\\nb\""), Value::from("a\nb"));
        assert_eq!(
            ev("[1, \"x\"]"),
            Value::Tuple(vec![Value::int(1), "x".into()])
        );
        assert_eq!(
            ev("{ a = 1, \"b c\" = 2, (s) = 3, 4 = 5, null = 6 }"),
            Value::object([
                ("a", Value::int(1)),
                ("b c", Value::int(2)),
                ("hi", Value::int(3)),
                ("4", Value::int(5)),
                ("null", Value::int(6)),
            ])
        );
        assert_eq!(ev("{ (u) = 1 }"), Value::Unknown(Type::Any));
    }

    #[test]
    fn bad_object_keys_are_all_reported() {
        let (_, d) = ev_diags("{ (nul) = 1, (xs) = 2, ok = 3 }");
        let summaries: Vec<&str> = d.iter().map(|d| d.summary.as_str()).collect();
        assert_eq!(summaries, ["Invalid object key", "Incorrect key type"]);
    }

    #[test]
    fn variables_resolve_and_unknown_names_suggest() {
        assert_eq!(ev("n"), Value::int(2));
        let (summary, detail, covered) = ev_err("[1, nn]");
        assert_eq!(summary, "Unknown variable");
        assert!(detail.contains("\"nn\""));
        assert_eq!(covered, "nn");
        let (_, d) = ev_diags("nn");
        assert_eq!(d.0[0].help.as_deref(), Some("did you mean \"n\"?"));
    }

    #[test]
    fn conditional_evaluates_only_the_chosen_branch() {
        assert_eq!(ev("t ? 1 : nope"), Value::int(1));
        assert_eq!(ev("!t ? nope : \"b\""), Value::from("b"));
        assert_eq!(ev("\"true\" ? 1 : 2"), Value::int(1));
        assert_eq!(ev("u ? 1 : 2"), Value::Unknown(Type::Any));
        assert!(ev("secret == \"pw\" ? 1 : 2").is_sensitive());
        let (summary, _, covered) = ev_err("nul ? 1 : 2");
        assert_eq!(
            (summary.as_str(), covered.as_str()),
            ("Null condition", "nul")
        );
        let (summary, _, _) = ev_err("xs ? 1 : 2");
        assert_eq!(summary, "Incorrect condition type");
    }

    #[test]
    fn errors_carry_line_and_column_and_evaluation_goes_on() {
        let src = "[\n  m.a,\n  m.c,\n  xs[7],\n]";
        let (v, d) = ev_diags(src);
        assert_eq!(
            v,
            Value::Tuple(vec![Value::int(1), Value::unknown(), Value::unknown()])
        );
        assert_eq!(d.len(), 2);
        let sm = sources(src);
        let at = |i: usize| {
            let l = sm.location(d.0[i].subject.unwrap_or(Span::new(FileId(0), 0..0)));
            (l.line, l.column)
        };
        assert_eq!(d.0[0].summary, "Unsupported attribute");
        assert_eq!(at(0), (3, 4));
        assert_eq!(d.0[1].summary, "Invalid index");
        assert_eq!(at(1), (4, 5));
    }
}
