//! Which of a unit's inputs must be known when it is planned. A unit whose plan failed
//! because a `count`, `for_each` or `enabled` (of a resource, data source or module call)
//! or an import's `id` was not known yet may plan with its dependencies' `mock_outputs`,
//! but only for the inputs those expressions read: every other input keeps its unknown
//! value, shown "(known after apply)", as if the units were one configuration.

use crate::config::{Body, Expr, Module};
use crate::diag::{Diagnostics, Span};
use crate::lang::Reference;
use std::collections::BTreeSet;

/// The root variables the failed expressions of `diags` read, through locals, data
/// sources, module outputs and module call arguments. Empty when no error is about an
/// expression that must be known at plan time.
pub fn plan_time_variables(root: &Module, diags: &Diagnostics) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for d in diags.0.iter().filter(|d| d.is_error()) {
        let Some(span) = d.subject else { continue };
        let mut found = Vec::new();
        must_know_at(root, &[], span, &mut found);
        for (path, e) in found {
            let mut t = Tracer {
                root,
                seen: BTreeSet::new(),
                out: &mut out,
            };
            t.expr(&path, e);
        }
    }
    out
}

/// The expressions of the module tree that must be known at plan time and sit at `span`.
fn must_know_at<'m>(
    m: &'m Module,
    path: &[String],
    span: Span,
    found: &mut Vec<(Vec<String>, &'m Expr)>,
) {
    let mut here = |exprs: &[&'m Option<Expr>]| {
        let at = exprs
            .iter()
            .filter_map(|e| e.as_ref())
            .filter(|e| e.span() == span);
        found.extend(at.map(|e| (path.to_vec(), e)));
    };
    for r in m.resources.values() {
        here(&[&r.count, &r.for_each, &r.lifecycle.enabled]);
    }
    for c in m.module_calls.values() {
        here(&[&c.count, &c.for_each]);
    }
    for i in m.imports.iter().filter(|i| i.id.span() == span) {
        found.push((path.to_vec(), &i.id));
    }
    for (name, child) in &m.children {
        let mut p = path.to_vec();
        p.push(name.clone());
        must_know_at(child, &p, span, found);
    }
}

/// Follows references back to the root module's variables.
struct Tracer<'m, 'o> {
    root: &'m Module,
    /// (module path, reference) already followed, so cycles and shared locals end.
    seen: BTreeSet<(Vec<String>, String)>,
    out: &'o mut BTreeSet<String>,
}

impl<'m> Tracer<'m, '_> {
    fn module(&self, path: &[String]) -> Option<&'m Module> {
        path.iter().try_fold(self.root, |m, c| m.children.get(c))
    }

    fn expr(&mut self, path: &[String], e: &Expr) {
        for r in crate::lang::references(&e.expr) {
            self.reference(path, &r);
        }
    }

    fn body(&mut self, path: &[String], b: &Body) {
        for a in b.attributes.values() {
            self.expr(path, &a.expr);
        }
        for nested in &b.blocks {
            self.body(path, &nested.body);
        }
    }

    fn reference(&mut self, path: &[String], r: &Reference) {
        let Some(first) = r.attrs.first() else { return };
        let key = format!("{}.{}", r.root, r.attrs[..r.attrs.len().min(2)].join("."));
        if !self.seen.insert((path.to_vec(), key)) {
            return;
        }
        let Some(m) = self.module(path) else { return };
        match r.root.as_str() {
            "var" if path.is_empty() => {
                self.out.insert(first.clone());
            }
            "var" => {
                let (parent, call) = path.split_at(path.len() - 1);
                let input = self
                    .module(parent)
                    .and_then(|p| p.module_calls.get(&call[0]))
                    .and_then(|c| c.inputs.get(first));
                if let Some(a) = input {
                    self.expr(parent, &a.expr);
                }
            }
            "local" => {
                if let Some(l) = m.locals.get(first) {
                    self.expr(path, &l.expr);
                }
            }
            "module" => self.module_ref(path, m, first, r.attrs.get(1)),
            // A data source is read at plan time once its arguments are known; a managed
            // resource's instances are known once its count or for_each is.
            "data" => {
                let Some(name) = r.attrs.get(1) else { return };
                if let Some(d) = m.resources.get(&format!("data.{first}.{name}")) {
                    self.expr_opts(path, [&d.count, &d.for_each]);
                    self.body(path, &d.body);
                }
            }
            root => {
                if let Some(x) = m.resources.get(&format!("{root}.{first}")) {
                    self.expr_opts(path, [&x.count, &x.for_each]);
                }
            }
        }
    }

    fn module_ref(&mut self, path: &[String], m: &Module, call: &str, output: Option<&String>) {
        let Some(c) = m.module_calls.get(call) else {
            return;
        };
        self.expr_opts(path, [&c.count, &c.for_each]);
        let mut child_path = path.to_vec();
        child_path.push(call.to_string());
        let Some(child) = self.module(&child_path) else {
            return;
        };
        let outputs: Vec<&Expr> = match output {
            Some(o) => child.outputs.get(o).map(|o| &o.expr).into_iter().collect(),
            None => child.outputs.values().map(|o| &o.expr).collect(),
        };
        for e in outputs {
            self.expr(&child_path, e);
        }
    }

    fn expr_opts(&mut self, path: &[String], exprs: [&Option<Expr>; 2]) {
        for e in exprs.into_iter().flatten() {
            self.expr(path, e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Diagnostic;
    use std::path::Path;

    /// `count` in a child module reads a local, which reads the call's argument, which
    /// reads a root local over a data source over `var.tag`; `for_each` reads `var.keys`.
    /// `var.name` feeds only an argument and is never needed.
    #[test]
    fn failed_expressions_are_traced_to_the_root_variables_they_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |p: &str, text: &str| {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        };
        write(
            "main.tf",
            "variable \"n\" {}\nvariable \"tag\" {}\nvariable \"name\" {}\nvariable \"keys\" {}\n\
             data \"terraform_remote_state\" \"d\" {\n  backend = \"local\"\n  config = { path = var.tag }\n}\n\
             locals {\n  total = var.n + length(data.terraform_remote_state.d.outputs)\n}\n\
             module \"m\" {\n  source = \"./m\"\n  size   = local.total\n  label  = var.name\n}\n\
             resource \"terraform_data\" \"e\" {\n  for_each = var.keys\n  input    = var.name\n}\n",
        );
        write(
            "m/main.tf",
            "variable \"size\" {}\nvariable \"label\" {}\nlocals {\n  k = var.size\n}\n\
             resource \"terraform_data\" \"x\" {\n  count = local.k\n  input = var.label\n}\n",
        );
        let (config, diags) = crate::config::load_in(dir.path(), Path::new("."));
        assert!(!diags.has_errors(), "{diags:?}");
        let child = &config.root.children["m"];
        let count = child.resources["terraform_data.x"]
            .count
            .as_ref()
            .expect("count");
        let each = config.root.resources["terraform_data.e"]
            .for_each
            .as_ref()
            .expect("for_each");
        let failed = |spans: &[Span]| {
            let mut d = Diagnostics::new();
            d.push(Diagnostic::warning("not an error").subject(each.span()));
            for s in spans {
                d.push(Diagnostic::error("Invalid count argument").subject(*s));
            }
            plan_time_variables(&config.root, &d)
        };
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(failed(&[count.span()]), names(&["n", "tag"]));
        assert_eq!(failed(&[each.span()]), names(&["keys"]));
        assert_eq!(failed(&[]), names(&[]));
    }
}
