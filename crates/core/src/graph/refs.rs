//! Resolving one reference to the graph node(s) it names, with Terraform's diagnostics (and a
//! did-you-mean hint) when it names nothing.

use super::build::{module_at, Builder, NodeKind};
use crate::config::Module;
use crate::diag::{Diagnostic, Span};
use crate::lang::Reference;

/// Where a reference is written: its module, its source span and the node whose expression
/// holds it (a node may not wait for itself).
#[derive(Clone, Copy)]
struct Site {
    mi: usize,
    span: Span,
    this: Option<usize>,
}

impl<'c> Builder<'c> {
    /// The node(s) a reference points at; `None` (after a diagnostic) when it points nowhere.
    pub(super) fn resolve_ref(
        &mut self,
        mi: usize,
        r: &Reference,
        span: Span,
        this: Option<usize>,
    ) -> Option<Vec<usize>> {
        let at = Site { mi, span, this };
        let first = r.attrs.first().map(String::as_str);
        match r.root.as_str() {
            "count" | "each" | "path" | "terraform" | "self" => None,
            "var" => {
                let Some(name) = first else {
                    self.diags.push(missing_attr("an input variable", r, span));
                    return None;
                };
                self.ref_variable(at, name)
            }
            "local" => {
                let Some(name) = first else {
                    self.diags.push(missing_attr("a local value", r, span));
                    return None;
                };
                self.ref_local(at, name)
            }
            "module" => {
                let Some(call) = first else {
                    self.diags.push(missing_attr("a module", r, span));
                    return None;
                };
                self.ref_module(at, call, r.attrs.get(1))
            }
            "data" => {
                let (Some(t), Some(n)) = (first, r.attrs.get(1)) else {
                    self.diags.push(missing_attr("a data source", r, span));
                    return None;
                };
                self.ref_data(at, ("data", "A data resource"), t, n)
            }
            "ephemeral" => {
                let (Some(t), Some(n)) = (first, r.attrs.get(1)) else {
                    self.diags
                        .push(missing_attr("an ephemeral resource", r, span));
                    return None;
                };
                self.ref_data(at, ("ephemeral", "An ephemeral resource"), t, n)
            }
            t => {
                let Some(n) = first else {
                    self.diags.push(
                        Diagnostic::error("Invalid reference")
                            .detail(format!("A reference to a resource type must be followed by at least one attribute access, specifying the resource name (`{t}.NAME`)."))
                            .subject(span),
                    );
                    return None;
                };
                self.ref_managed(at, t, n)
            }
        }
    }

    /// The configuration of module `mi` (borrowed from the config, not from the builder).
    fn module_of(&self, mi: usize) -> &'c Module {
        module_at(&self.config.root, &self.g.modules[mi].path)
    }

    /// "the root module" or `module.a.module.b`, as Terraform names the module in messages.
    fn module_name(&self, mi: usize) -> String {
        let path = &self.g.modules[mi].path;
        if path.is_empty() {
            "the root module".to_string()
        } else {
            format!("module.{}", path.join(".module."))
        }
    }

    /// `var.NAME`; a variable's own validations refer to it without an edge to itself.
    fn ref_variable(&mut self, at: Site, name: &str) -> Option<Vec<usize>> {
        if let Some(id) = self.g.node(at.mi, &NodeKind::Variable(name.to_string())) {
            return Some(vec![id]).filter(|_| Some(id) != at.this);
        }
        let module = self.module_of(at.mi);
        let hint = crate::lang::did_you_mean(name, module.variables.keys().map(String::as_str));
        let in_module = self.module_name(at.mi);
        self.diags.push(undeclared(
            "Reference to undeclared input variable",
            format!("An input variable with the name \"{name}\" has not been declared in {in_module}. Declare it with a `variable \"{name}\" {{}}` block."),
            at.span,
            hint.map(|h| format!("did you mean `var.{h}`?")),
        ));
        None
    }

    /// `local.NAME`.
    fn ref_local(&mut self, at: Site, name: &str) -> Option<Vec<usize>> {
        if let Some(id) = self.g.node(at.mi, &NodeKind::Local(name.to_string())) {
            return Some(vec![id]);
        }
        let module = self.module_of(at.mi);
        let hint = crate::lang::did_you_mean(name, module.locals.keys().map(String::as_str));
        let in_module = self.module_name(at.mi);
        self.diags.push(undeclared(
            "Reference to undeclared local value",
            format!("A local value with the name \"{name}\" has not been declared in {in_module}."),
            at.span,
            hint.map(|h| format!("did you mean `local.{h}`?")),
        ));
        None
    }

    /// `module.CALL.OUTPUT` is that output; a bare `module.CALL` waits for all its outputs.
    fn ref_module(&mut self, at: Site, call: &str, output: Option<&String>) -> Option<Vec<usize>> {
        let Some(&ci) = self.g.modules[at.mi].children.get(call) else {
            let module = self.module_of(at.mi);
            let hint =
                crate::lang::did_you_mean(call, module.module_calls.keys().map(String::as_str));
            let in_module = self.module_name(at.mi);
            self.diags.push(undeclared(
                "Reference to undeclared module",
                format!("No module call named \"{call}\" is declared in {in_module}."),
                at.span,
                hint.map(|h| format!("did you mean `module.{h}`?")),
            ));
            return None;
        };
        let child = self.module_of(ci);
        let Some(out) = output else {
            return Some(
                child
                    .outputs
                    .keys()
                    .filter_map(|o| self.g.node(ci, &NodeKind::Output(o.clone())))
                    .collect(),
            );
        };
        if let Some(id) = self.g.node(ci, &NodeKind::Output(out.clone())) {
            return Some(vec![id]);
        }
        let hint = crate::lang::did_you_mean(out, child.outputs.keys().map(String::as_str));
        self.diags.push(undeclared(
            "Unsupported attribute",
            format!("This object does not have an attribute named \"{out}\": module \"{call}\" declares no such output."),
            at.span,
            hint.map(|h| format!("did you mean `module.{call}.{h}`?")),
        ));
        None
    }

    /// `data.TYPE.NAME` or `ephemeral.TYPE.NAME`.
    fn ref_data(
        &mut self,
        at: Site,
        (root, what): (&str, &str),
        t: &str,
        n: &str,
    ) -> Option<Vec<usize>> {
        let key = format!("{root}.{t}.{n}");
        if let Some(id) = self.g.node(at.mi, &NodeKind::Resource(key.clone())) {
            return Some(vec![id]).filter(|_| Some(id) != at.this);
        }
        let module = self.module_of(at.mi);
        let hint = crate::lang::did_you_mean(&key, module.resources.keys().map(String::as_str));
        let in_module = self.module_name(at.mi);
        self.diags.push(undeclared(
            "Reference to undeclared resource",
            format!("{what} \"{t}\" \"{n}\" has not been declared in {in_module}."),
            at.span,
            hint.map(|h| format!("did you mean `{h}`?")),
        ));
        None
    }

    /// `TYPE.NAME`: unlike the others, a managed resource referring to itself is an error.
    fn ref_managed(&mut self, at: Site, t: &str, n: &str) -> Option<Vec<usize>> {
        let key = format!("{t}.{n}");
        if let Some(id) = self.g.node(at.mi, &NodeKind::Resource(key.clone())) {
            if Some(id) == at.this {
                self.diags.push(
                    Diagnostic::error("Self-referential block")
                        .detail(format!("Configuration for {key} may not refer to itself."))
                        .subject(at.span),
                );
                return None;
            }
            return Some(vec![id]);
        }
        let module = self.module_of(at.mi);
        let hint = crate::lang::did_you_mean(&key, module.resources.keys().map(String::as_str));
        let in_module = self.module_name(at.mi);
        self.diags.push(undeclared(
            "Reference to undeclared resource",
            format!("A managed resource \"{t}\" \"{n}\" has not been declared in {in_module}."),
            at.span,
            hint.map(|h| format!("did you mean `{h}`?")),
        ));
        None
    }
}

/// A reference like `var` with no name after it.
fn missing_attr(what: &str, r: &Reference, span: Span) -> Diagnostic {
    Diagnostic::error(format!("Invalid reference to {what}"))
        .detail(format!(
            "A reference to {what} must be followed by a name, like `{}.NAME`.",
            r.root
        ))
        .subject(span)
}

fn undeclared(summary: &str, detail: String, span: Span, help: Option<String>) -> Diagnostic {
    let d = Diagnostic::error(summary).detail(detail).subject(span);
    match help {
        Some(h) => d.help(h),
        None => d,
    }
}
