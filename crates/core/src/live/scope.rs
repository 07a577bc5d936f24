//! The names a unit file's expressions see: `local`, `include` (exposed includes) and
//! `dependency`, each only where Terragrunt makes it available, plus Terragrunt's functions
//! (`funcs`) ahead of Terraform's library.

use super::{Cx, Loader};
use crate::config::Expr;
use crate::diag::{Diagnostic, Span};
use crate::lang::funcs::FuncError;
use crate::lang::{EvalContext, Resolver, Value};
use std::path::Path;

/// One evaluation scope; the fields left `None` are not available in that part of a file.
pub(crate) struct Scope<'l, 'a> {
    pub loader: &'l Loader<'a>,
    pub cx: &'l Cx,
    pub locals: Option<&'l Value>,
    pub include: Option<&'l Value>,
    pub dependency: Option<&'l Value>,
    /// Where the expression is ("an include block"), for "not available here" messages.
    pub place: &'static str,
}

impl Scope<'_, '_> {
    /// Evaluates `e`; `None` when that reported an error (so nothing cascades from it).
    pub fn eval_checked(&self, e: &Expr) -> Option<Value> {
        let (v, failed) = self.eval_inner(e);
        (!failed).then_some(v)
    }

    /// Evaluates `e`; its diagnostics go to the loader.
    pub fn eval(&self, e: &Expr) -> Value {
        self.eval_inner(e).0
    }

    /// Evaluates `e` without reporting anything: `None` when it fails or is not wholly
    /// known. For a function that peeks at another part of the file (`get_working_dir()`
    /// reads the source), whose own evaluation reports its errors where it is written.
    pub fn eval_quiet(&self, e: &Expr) -> Option<Value> {
        let base = self.cx.config_path.parent().unwrap_or(Path::new("/"));
        let ctx = EvalContext {
            file: e.file,
            resolver: self,
            base_dir: base,
        };
        let (v, diags) = crate::lang::eval(&e.expr, &ctx);
        (!diags.has_errors() && v.is_wholly_known()).then_some(v)
    }

    fn eval_inner(&self, e: &Expr) -> (Value, bool) {
        let base = self.cx.config_path.parent().unwrap_or(Path::new("/"));
        let ctx = EvalContext {
            file: e.file,
            resolver: self,
            base_dir: base,
        };
        let (v, diags) = crate::lang::eval(&e.expr, &ctx);
        let failed = diags.has_errors();
        self.loader.extend(diags);
        (v, failed)
    }

    fn unavailable(&self, root: &str, span: Span) -> Diagnostic {
        Diagnostic::error("Unknown variable")
            .detail(format!(
                "\"{root}\" is not available in {}: Terragrunt evaluates include blocks with \
                 functions only, locals with local and include, and the rest with local, \
                 include and dependency.",
                self.place
            ))
            .subject(span)
    }
}

impl Resolver for Scope<'_, '_> {
    fn resolve(
        &self,
        root: &str,
        _attrs: &[&str],
        span: Span,
    ) -> Result<(Value, usize), Diagnostic> {
        let found = match root {
            "local" => self.locals,
            "include" => self.include,
            "dependency" => self.dependency,
            _ => {
                return Err(Diagnostic::error("Unknown variable")
                    .detail(format!(
                        "There is no variable named \"{root}\". A unit file knows local, \
                         include and dependency (Terraform's var, path and resource \
                         references belong in the module)."
                    ))
                    .subject(span))
            }
        };
        match found {
            Some(v) => Ok((v.clone(), 0)),
            None => Err(self.unavailable(root, span)),
        }
    }

    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, FuncError>> {
        super::funcs::call(self, name, args)
    }
}
