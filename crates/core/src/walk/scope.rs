//! The [`Resolver`] a node evaluates with: references answered from the values of the nodes
//! it depends on (written once by the executor), plus `count.index`, `each.*` and `path.*`.

use super::run::Run;
use crate::diag::{Diagnostic, Span};
use crate::graph::NodeKind;
use crate::lang::{Resolver, Value};

/// Where an expression is evaluated: a module, and (inside an expanded resource) its
/// instance's `count.index` or `each.key`/`each.value`.
pub struct Scope<'a> {
    pub run: &'a Run,
    pub module: usize,
    pub count_index: Option<Value>,
    pub each: Option<(Value, Value)>,
}

impl<'a> Scope<'a> {
    pub fn new(run: &'a Run, module: usize) -> Self {
        Scope {
            run,
            module,
            count_index: None,
            each: None,
        }
    }

    fn node_value(&self, module: usize, kind: NodeKind, span: Span) -> Result<Value, Diagnostic> {
        let g = &self.run.graph;
        let id = g.node(module, &kind).ok_or_else(|| {
            Diagnostic::error("Reference to undeclared object")
                .detail(format!("Nothing named {kind:?} is declared here."))
                .subject(span)
        })?;
        match self.run.values[id].get() {
            Some(v) => Ok(v.clone()),
            // Only reachable when a dependency failed; the executor skips dependents then.
            None => Ok(Value::unknown()),
        }
    }
}

impl Resolver for Scope<'_> {
    fn resolve(
        &self,
        root: &str,
        attrs: &[&str],
        span: Span,
    ) -> Result<(Value, usize), Diagnostic> {
        let need = |what: &str| need_attr(what, root, span);
        match root {
            "var" => {
                let n = attrs.first().ok_or_else(|| need("an input variable"))?;
                Ok((self.node_value(self.module, NodeKind::Variable(n.to_string()), span)?, 1))
            }
            "local" => {
                let n = attrs.first().ok_or_else(|| need("a local value"))?;
                Ok((self.node_value(self.module, NodeKind::Local(n.to_string()), span)?, 1))
            }
            "module" => {
                let call = attrs.first().ok_or_else(|| need("a module"))?;
                self.module_ref(call, attrs.get(1).copied(), span)
            }
            "data" => match (attrs.first(), attrs.get(1)) {
                (Some(t), Some(n)) => {
                    Ok((self.node_value(self.module, NodeKind::Resource(format!("data.{t}.{n}")), span)?, 2))
                }
                _ => Err(need("a data source")),
            },
            "count" => self.count_ref(attrs, span),
            "each" => self.each_ref(attrs, span),
            "path" => {
                let which = attrs.first().ok_or_else(|| need("a filesystem path"))?;
                self.path_ref(which, span)
            }
            "terraform" => match attrs.first() {
                Some(&"workspace") => Ok((Value::from("default"), 1)),
                _ => Err(Diagnostic::error("Invalid \"terraform\" attribute")
                    .detail("The \"terraform\" object has only the attribute \"workspace\".")
                    .subject(span)),
            },
            "self" => Err(Diagnostic::error("Invalid \"self\" reference")
                .detail("\"self\" can only be used in provisioner and connection blocks, which hubctl does not support.")
                .subject(span)),
            t => {
                let n = attrs.first().ok_or_else(|| need("a resource"))?;
                Ok((self.node_value(self.module, NodeKind::Resource(format!("{t}.{n}")), span)?, 1))
            }
        }
    }
}

/// A reference like `var` with no attribute after it.
fn need_attr(what: &str, root: &str, span: Span) -> Diagnostic {
    Diagnostic::error(format!("Invalid reference to {what}"))
        .detail(format!("`{root}` must be followed by an attribute name."))
        .subject(span)
}

impl Scope<'_> {
    /// `module.CALL.OUTPUT` is one output; a bare `module.CALL` is an object of all of them.
    fn module_ref(
        &self,
        call: &str,
        output: Option<&str>,
        span: Span,
    ) -> Result<(Value, usize), Diagnostic> {
        let child = *self.run.graph.modules[self.module]
            .children
            .get(call)
            .ok_or_else(|| Diagnostic::error("Reference to undeclared module").subject(span))?;
        match output {
            Some(out) => Ok((
                self.node_value(child, NodeKind::Output(out.to_string()), span)?,
                2,
            )),
            None => {
                let m = crate::graph::build_module_at(
                    &self.run.config.root,
                    &self.run.graph.modules[child].path,
                );
                let mut obj = crate::lang::VecMap::new();
                for name in m.outputs.keys() {
                    obj.insert(
                        name.clone(),
                        self.node_value(child, NodeKind::Output(name.clone()), span)?,
                    );
                }
                Ok((Value::Object(obj), 1))
            }
        }
    }

    /// `count.index`, only inside a resource with `count`.
    fn count_ref(&self, attrs: &[&str], span: Span) -> Result<(Value, usize), Diagnostic> {
        match (&self.count_index, attrs.first()) {
            (Some(i), Some(&"index")) => Ok((i.clone(), 1)),
            (None, _) => Err(Diagnostic::error("Reference to \"count\" in non-counted context")
                .detail("The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.")
                .subject(span)),
            _ => Err(Diagnostic::error("Invalid \"count\" attribute")
                .detail("The \"count\" object has only the attribute \"index\".")
                .subject(span)),
        }
    }

    /// `each.key` / `each.value`, only inside a resource with `for_each`.
    fn each_ref(&self, attrs: &[&str], span: Span) -> Result<(Value, usize), Diagnostic> {
        match (&self.each, attrs.first()) {
            (Some((k, _)), Some(&"key")) => Ok((k.clone(), 1)),
            (Some((_, v)), Some(&"value")) => Ok((v.clone(), 1)),
            (None, _) => Err(Diagnostic::error("Reference to \"each\" in context without for_each")
                .detail("The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.")
                .subject(span)),
            _ => Err(Diagnostic::error("Invalid \"each\" attribute")
                .detail("The \"each\" object has the attributes \"key\" and \"value\".")
                .subject(span)),
        }
    }

    /// `path.module`, `path.root` or `path.cwd`.
    fn path_ref(&self, which: &str, span: Span) -> Result<(Value, usize), Diagnostic> {
        let p = match which {
            "module" => self.run.module_dir(self.module),
            "root" => self.run.root_dir.display().to_string(),
            "cwd" => self.run.cwd.display().to_string(),
            other => {
                return Err(Diagnostic::error("Invalid \"path\" attribute")
                    .detail(format!("The \"path\" object has no attribute \"{other}\"; use path.module, path.root or path.cwd."))
                    .subject(span))
            }
        };
        Ok((Value::String(p), 1))
    }
}

/// A resolver that adds one name (a `dynamic` block's iterator) in front of another.
pub struct With<'a> {
    pub inner: &'a dyn Resolver,
    pub name: &'a str,
    pub value: Value,
}

impl Resolver for With<'_> {
    fn resolve(
        &self,
        root: &str,
        attrs: &[&str],
        span: Span,
    ) -> Result<(Value, usize), Diagnostic> {
        if root == self.name {
            Ok((self.value.clone(), 0))
        } else {
            self.inner.resolve(root, attrs, span)
        }
    }
}
