//! Which provider configuration each resource uses: the nearest module (walking up through
//! the `providers = {...}` maps of module calls) that configures it, else an implicit one in
//! the root. A configuration with `for_each` (OpenTofu 1.9) has one instance per key; the
//! reference that reaches it carries the key expression, which [`KeySelect`] keeps for the
//! walk to evaluate per resource (or module) instance.

use super::build::{for_each_expr, module_at, Builder, NodeKind};
use crate::config::{Expr, ProviderRef, Resource};
use crate::diag::{Diagnostic, Span};

/// How a resource's instances select an instance of a provider configuration with
/// `for_each`: the bracketed key of `aws.by_region[each.key]`.
#[derive(Debug, Clone)]
pub struct KeySelect {
    pub expr: Expr,
    /// `None`: written in the resource's `provider` argument, evaluated with each resource
    /// instance's `count`/`each`. `Some(mi)`: written in the `providers` map of the call of
    /// module `mi`, evaluated in the calling module with that module instance's.
    pub call: Option<usize>,
}

impl Builder<'_> {
    /// A provider block waits for the references in its body and its `for_each` (implicit
    /// providers have none).
    pub(super) fn provider_deps(&mut self, n: usize, mi: usize, deps: &mut Vec<usize>) {
        let module = module_at(&self.config.root, &self.g.modules[mi].path);
        if let Some(p) = module
            .providers
            .iter()
            .find(|p| self.g.nodes[n].span == Some(p.span))
        {
            let mut exprs: Vec<&Expr> = p.for_each.iter().collect();
            for_each_expr(&p.body, &mut |e| exprs.push(e));
            for e in exprs {
                self.expr_deps(mi, e, deps, None);
            }
        }
    }

    /// The provider node resource `r` of module `mi` uses, and how its instances pick a
    /// provider instance when that configuration has `for_each`.
    pub(super) fn provider_for(
        &mut self,
        mi: usize,
        r: &Resource,
    ) -> Option<(usize, Option<KeySelect>)> {
        let mut want = match &r.provider {
            Some(p) => p.clone(),
            None => ProviderRef {
                name: r.provider_name(),
                alias: None,
                key: None,
                span: r.span,
            },
        };
        let mut select = want.key.take().map(|expr| KeySelect { expr, call: None });
        let mut m = mi;
        loop {
            let key = want.config_key();
            if let Some(id) = self.g.node(m, &NodeKind::Provider(key.clone())) {
                return self.checked_select(m, &key, r, id, select);
            }
            let Some(parent) = self.g.modules[m].parent else {
                break;
            };
            let call = self.g.modules[m].path.last().cloned().unwrap_or_default();
            let pm = module_at(&self.config.root, &self.g.modules[parent].path);
            match pm
                .module_calls
                .get(&call)
                .and_then(|c| c.providers.get(&key))
            {
                Some(passed) => {
                    if let Some(expr) = passed.key.clone() {
                        if select.is_some() {
                            self.diags.push(twice(r, passed.span));
                            return None;
                        }
                        select = Some(KeySelect {
                            expr,
                            call: Some(m),
                        });
                    }
                    want = passed.clone();
                }
                None if want.alias.is_some() => {
                    self.diags.push(
                        Diagnostic::error("Provider configuration not present")
                            .detail(format!(
                                "The resource {} uses provider \"{key}\", which is not configured in its module and not passed in by the module call's `providers` argument.",
                                r.key()
                            ))
                            .subject(r.span),
                    );
                    return None;
                }
                None => {}
            }
            m = parent;
        }
        self.implicit_provider(r, &want, select)
    }

    /// A default configuration no module declares: an empty one in the root.
    fn implicit_provider(
        &mut self,
        r: &Resource,
        want: &ProviderRef,
        select: Option<KeySelect>,
    ) -> Option<(usize, Option<KeySelect>)> {
        let key = want.config_key();
        if let Some(alias) = &want.alias {
            self.diags.push(
                Diagnostic::error("Provider configuration not present")
                    .detail(format!(
                        "No `provider \"{}\"` block with alias \"{alias}\" is declared.",
                        want.name
                    ))
                    .subject(r.span),
            );
            return None;
        }
        if let Some(s) = select {
            self.diags.push(unexpected_key(&key, s.expr.span()));
            return None;
        }
        let id = match self.g.node(0, &NodeKind::Provider(key.clone())) {
            Some(id) => id,
            None => self.add_node(0, NodeKind::Provider(key), None),
        };
        Some((id, None))
    }

    /// The reference must carry a key exactly when the configuration it reached has
    /// `for_each`.
    fn checked_select(
        &mut self,
        m: usize,
        key: &str,
        r: &Resource,
        id: usize,
        select: Option<KeySelect>,
    ) -> Option<(usize, Option<KeySelect>)> {
        let module = module_at(&self.config.root, &self.g.modules[m].path);
        let keyed = module
            .providers
            .iter()
            .any(|p| p.key() == key && p.for_each.is_some());
        match (keyed, select) {
            (true, None) => {
                let at = r.provider.as_ref().map_or(r.span, |p| p.span);
                self.diags.push(
                    Diagnostic::error("Provider instance key required")
                        .detail(format!(
                            "The provider configuration \"{key}\" uses for_each, so {} must select one of its instances with an instance key, like {key}[each.key], in its provider argument or in the providers argument of a module call above it.",
                            r.key()
                        ))
                        .subject(at),
                );
                None
            }
            (false, Some(s)) => {
                self.diags.push(unexpected_key(key, s.expr.span()));
                None
            }
            (_, select) => Some((id, select)),
        }
    }
}

fn unexpected_key(key: &str, at: Span) -> Diagnostic {
    Diagnostic::error("Unexpected provider instance key")
        .detail(format!(
            "The provider configuration \"{key}\" does not use for_each, so it has a single instance and takes no instance key."
        ))
        .subject(at)
}

fn twice(r: &Resource, at: Span) -> Diagnostic {
    Diagnostic::error("Provider instance key given twice")
        .detail(format!(
            "The provider of {} already selects an instance key in its provider argument; a module call above it selects one too. Select the instance in one place.",
            r.key()
        ))
        .subject(at)
}
