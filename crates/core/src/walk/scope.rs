//! The [`Resolver`] a node evaluates with: references answered from the values of the nodes
//! it depends on (written once by the executor), plus `count.index`, `each.*` and `path.*`.

use super::instances::ModuleInst;
use super::run::Run;
use crate::addr::{InstanceKey, ModuleInstance};
use crate::diag::{Diagnostic, Span};
use crate::graph::NodeKind;
use crate::lang::funcs::FuncError;
use crate::lang::{Resolver, Type, Value};

/// Where an expression is evaluated: a module, and (inside an expanded resource) its
/// instance's `count.index` or `each.key`/`each.value`.
pub struct Scope<'a> {
    pub run: &'a Run,
    pub module: usize,
    /// The instance of `module` (its calls' keys from the root).
    pub inst: ModuleInstance,
    pub count_index: Option<Value>,
    pub each: Option<(Value, Value)>,
}

impl<'a> Scope<'a> {
    /// A scope in module `module`'s instance without keys: the root, or a module whose
    /// calls have no `count`/`for_each` (the only instance it has).
    pub fn new(run: &'a Run, module: usize) -> Self {
        let path = &run.graph.modules[module].path;
        Scope {
            run,
            module,
            inst: path
                .iter()
                .map(|m| (m.clone(), InstanceKey::None))
                .collect(),
            count_index: None,
            each: None,
        }
    }

    /// A scope in one instance of module `module`.
    pub fn at(run: &'a Run, module: usize, inst: &ModuleInst) -> Self {
        Scope {
            run,
            module,
            inst: inst.path.clone(),
            count_index: None,
            each: None,
        }
    }

    /// Where a resource instance's body is evaluated: its module instance, with the
    /// instance's own `count.index` / `each`.
    pub fn of_instance(
        run: &'a Run,
        module: usize,
        minst: &ModuleInst,
        inst: &super::expand::Instance,
    ) -> Self {
        Scope {
            run,
            module,
            inst: minst.path.clone(),
            count_index: inst.count_index.clone(),
            each: inst.each.clone(),
        }
    }

    /// Where module instance `inst`'s call arguments are evaluated: the calling module's
    /// instance, with the call's `count.index` / `each`.
    pub fn calling(run: &'a Run, module: usize, inst: &ModuleInst) -> Self {
        let parent = run.graph.modules[module].parent.unwrap_or(0);
        Scope {
            run,
            module: parent,
            inst: inst.path[..inst.path.len().saturating_sub(1)].to_vec(),
            count_index: inst.count_index.clone(),
            each: inst.each.clone(),
        }
    }

    /// The value of a node of this scope's module instance.
    fn node_value(&self, kind: NodeKind, span: Span) -> Result<Value, Diagnostic> {
        self.value_in(self.module, &self.inst, kind, span)
    }

    /// The value of a node of module `module` in its instance `inst`.
    fn value_in(
        &self,
        module: usize,
        inst: &[(String, InstanceKey)],
        kind: NodeKind,
        span: Span,
    ) -> Result<Value, Diagnostic> {
        let g = &self.run.graph;
        let id = g.node(module, &kind).ok_or_else(|| {
            Diagnostic::error("Reference to undeclared object")
                .detail(format!("Nothing named {kind:?} is declared here."))
                .subject(span)
        })?;
        Ok(self.run.value_at(id, inst))
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
                Ok((self.node_value(NodeKind::Variable(n.to_string()), span)?, 1))
            }
            "local" => {
                let n = attrs.first().ok_or_else(|| need("a local value"))?;
                Ok((self.node_value(NodeKind::Local(n.to_string()), span)?, 1))
            }
            "module" => {
                let call = attrs.first().ok_or_else(|| need("a module"))?;
                self.module_ref(call, attrs.get(1).copied(), span)
            }
            "data" => match (attrs.first(), attrs.get(1)) {
                (Some(t), Some(n)) => {
                    Ok((self.node_value(NodeKind::Resource(format!("data.{t}.{n}")), span)?, 2))
                }
                _ => Err(need("a data source")),
            },
            "ephemeral" => match (attrs.first(), attrs.get(1)) {
                (Some(t), Some(n)) => {
                    let key = format!("ephemeral.{t}.{n}");
                    Ok((self.node_value(NodeKind::Resource(key), span)?, 2))
                }
                _ => Err(need("an ephemeral resource")),
            },
            "count" => self.count_ref(attrs, span),
            "each" => self.each_ref(attrs, span),
            "path" => {
                let which = attrs.first().ok_or_else(|| need("a filesystem path"))?;
                self.path_ref(which, span)
            }
            "terraform" => match attrs.first() {
                Some(&"workspace") => Ok((Value::from("default"), 1)),
                // Terraform 1.10: ephemeral, so it can steer providers but never be stored.
                Some(&"applying") => {
                    let applying = self.run.mode == super::run::Mode::Apply;
                    Ok((Value::Bool(applying).ephemeral(), 1))
                }
                _ => Err(Diagnostic::error("Invalid \"terraform\" attribute")
                    .detail("The \"terraform\" object has only the attributes \"workspace\" and \"applying\".")
                    .subject(span)),
            },
            "self" => Err(Diagnostic::error("Invalid \"self\" reference")
                .detail("\"self\" can only be used in provisioner and connection blocks, which hubctl does not support.")
                .subject(span)),
            t => {
                let n = attrs.first().ok_or_else(|| need("a resource"))?;
                Ok((self.node_value(NodeKind::Resource(format!("{t}.{n}")), span)?, 1))
            }
        }
    }

    /// `plantimestamp()`, which only a plan or apply has (Terraform's console has no such
    /// function): unknown while validating, else the plan's one instant.
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, FuncError>> {
        if name != "plantimestamp" {
            return None;
        }
        if !args.is_empty() {
            return Some(Err(FuncError::Arity {
                expected: "0".into(),
                got: args.len(),
            }));
        }
        Some(Ok(if self.run.is_validate() {
            Value::Unknown(Type::String)
        } else {
            Value::from(self.run.plan_timestamp())
        }))
    }
}

/// A reference like `var` with no attribute after it.
fn need_attr(what: &str, root: &str, span: Span) -> Diagnostic {
    Diagnostic::error(format!("Invalid reference to {what}"))
        .detail(format!("`{root}` must be followed by an attribute name."))
        .subject(span)
}

impl Scope<'_> {
    /// `module.CALL.OUTPUT` is one output of a call without `count`/`for_each`; a bare
    /// `module.CALL` is an object of all of them, or (with `count`/`for_each`) a tuple / an
    /// object by key of such objects, one per instance.
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
        let mc = &self.run.module(self.module).module_calls[call];
        let repeated = mc.count.is_some() || mc.for_each.is_some();
        if let (Some(out), false) = (output, repeated) {
            let mut inst = self.inst.clone();
            inst.push((call.to_string(), InstanceKey::None));
            let v = self.value_in(child, &inst, NodeKind::Output(out.to_string()), span)?;
            return Ok((v, 2));
        }
        let m = self.run.module(child);
        let outputs_of = |inst: &[(String, InstanceKey)]| -> Result<Value, Diagnostic> {
            let mut obj = crate::lang::VecMap::new();
            for name in m.outputs.keys() {
                let v = self.value_in(child, inst, NodeKind::Output(name.clone()), span)?;
                obj.insert(name.clone(), v);
            }
            Ok(Value::Object(obj))
        };
        if !repeated {
            let mut inst = self.inst.clone();
            inst.push((call.to_string(), InstanceKey::None));
            return Ok((outputs_of(&inst)?, 1));
        }
        if self.run.is_validate() {
            return Ok((Value::unknown(), 1));
        }
        let mut items = Vec::new();
        for ci in self.run.module_instances(child) {
            if ci.path[..ci.path.len() - 1] == self.inst[..] {
                let key = ci.path[ci.path.len() - 1].1.clone();
                items.push((key, outputs_of(&ci.path)?));
            }
        }
        Ok((instances_value(mc.count.is_some(), items), 1))
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

    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, FuncError>> {
        self.inner.call(name, args)
    }
}

/// A repeated object's value: a tuple for `count`, an object by key for `for_each`.
pub fn instances_value(counted: bool, items: Vec<(InstanceKey, Value)>) -> Value {
    if counted {
        return Value::Tuple(items.into_iter().map(|(_, v)| v).collect());
    }
    Value::Object(
        items
            .into_iter()
            .map(|(k, v)| match k {
                InstanceKey::Str(s) => (s, v),
                other => (other.to_string(), v),
            })
            .collect(),
    )
}
