//! Builds the [`Graph`] from a loaded [`Config`], resolving every reference to a node and
//! reporting references to things that do not exist (with a did-you-mean hint).

use crate::config::{Body, Config, Expr, Module};
use crate::diag::{Diagnostics, Span};
use crate::lang::references;
use std::collections::{BTreeMap, HashMap};

/// A module in the flattened tree (modules are addressed by index from here on).
#[derive(Debug, Clone)]
pub struct ModuleEntry {
    pub path: Vec<String>,
    pub parent: Option<usize>,
    pub children: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    Variable(String),
    Local(String),
    Output(String),
    /// `type.name` or `data.type.name`.
    Resource(String),
    /// `name` or `name.alias`; implicit (no block) providers live in the root module.
    Provider(String),
    /// A `module "name"` call, in the calling module: its value is the call's instances
    /// (from `count`/`for_each`); every node of the called module waits for it.
    ModuleCall(String),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub module: usize,
    pub kind: NodeKind,
    /// The declaration, for messages (cycles, errors).
    pub span: Option<Span>,
    /// Nodes this one waits for.
    pub deps: Vec<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub modules: Vec<ModuleEntry>,
    pub nodes: Vec<Node>,
    pub index: HashMap<(usize, NodeKind), usize>,
    /// For a resource node: the provider node it uses.
    pub provider_of: HashMap<usize, usize>,
    /// For a resource node whose provider configuration has `for_each`: how each of its
    /// instances selects one provider instance.
    pub provider_keys: HashMap<usize, super::providers::KeySelect>,
    /// For a data source with `depends_on` (its own, or of a module call above it): the
    /// nodes those name. Terraform reads it during apply when one of them has changes.
    pub data_depends_on: HashMap<usize, Vec<usize>>,
}

impl Graph {
    pub fn node(&self, module: usize, kind: &NodeKind) -> Option<usize> {
        self.index.get(&(module, kind.clone())).copied()
    }

    /// `module.a.aws_vpc.this`, `module.a.var.x`, `local.y`, `provider["aws"]`.
    pub fn describe(&self, n: usize) -> String {
        let node = &self.nodes[n];
        let prefix = crate::addr::module_prefix(&self.modules[node.module].path);
        match &node.kind {
            NodeKind::Variable(v) => format!("{prefix}var.{v}"),
            NodeKind::Local(v) => format!("{prefix}local.{v}"),
            NodeKind::Output(v) => format!("{prefix}output.{v}"),
            NodeKind::Resource(r) => format!("{prefix}{r}"),
            NodeKind::Provider(p) => format!("{prefix}provider[\"{p}\"]"),
            NodeKind::ModuleCall(c) => format!("{prefix}module.{c}"),
        }
    }

    /// Reverse edges: for each node, the nodes that wait for it.
    pub fn dependents(&self) -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new(); self.nodes.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            for &d in &n.deps {
                out[d].push(i);
            }
        }
        out
    }

    pub fn module_path(&self, n: usize) -> &[String] {
        &self.modules[self.nodes[n].module].path
    }
}

/// The module at `path` under `root`.
pub fn module_at<'a>(root: &'a Module, path: &[String]) -> &'a Module {
    let mut m = root;
    for p in path {
        m = &m.children[p];
    }
    m
}

/// Builds the graph; reference errors and cycles come back as diagnostics.
pub fn build(config: &Config) -> (Graph, Diagnostics) {
    let mut b = Builder {
        g: Graph::default(),
        diags: Diagnostics::new(),
        config,
    };
    b.add_module(&config.root, None, Vec::new());
    b.resolve_edges();
    let cycle_diags = super::cycles::find(&b.g);
    b.diags.extend(cycle_diags);
    (b.g, b.diags)
}

pub(super) struct Builder<'c> {
    pub(super) g: Graph,
    pub(super) diags: Diagnostics,
    pub(super) config: &'c Config,
}

/// Calls `f` for every expression in a body, nested blocks included.
pub fn for_each_expr<'b>(body: &'b Body, f: &mut dyn FnMut(&'b Expr)) {
    for a in body.attributes.values() {
        f(&a.expr);
    }
    for b in &body.blocks {
        for_each_expr(&b.body, f);
    }
}

impl<'c> Builder<'c> {
    pub(super) fn add_node(&mut self, module: usize, kind: NodeKind, span: Option<Span>) -> usize {
        let id = self.g.nodes.len();
        self.g.nodes.push(Node {
            module,
            kind: kind.clone(),
            span,
            deps: Vec::new(),
        });
        self.g.index.insert((module, kind), id);
        id
    }

    fn add_module(&mut self, m: &Module, parent: Option<usize>, path: Vec<String>) {
        let mi = self.g.modules.len();
        self.g.modules.push(ModuleEntry {
            path: path.clone(),
            parent,
            children: BTreeMap::new(),
        });
        for (name, v) in &m.variables {
            self.add_node(mi, NodeKind::Variable(name.clone()), Some(v.span));
        }
        for (name, l) in &m.locals {
            self.add_node(mi, NodeKind::Local(name.clone()), Some(l.span));
        }
        for (name, o) in &m.outputs {
            self.add_node(mi, NodeKind::Output(name.clone()), Some(o.span));
        }
        for (key, r) in &m.resources {
            self.add_node(mi, NodeKind::Resource(key.clone()), Some(r.span));
        }
        for p in &m.providers {
            self.add_node(mi, NodeKind::Provider(p.key()), Some(p.span));
        }
        for (name, child) in &m.children {
            let span = m.module_calls.get(name).map(|c| c.span);
            self.add_node(mi, NodeKind::ModuleCall(name.clone()), span);
            let ci = self.g.modules.len();
            self.g.modules[mi].children.insert(name.clone(), ci);
            let mut cp = path.clone();
            cp.push(name.clone());
            self.add_module(child, Some(mi), cp);
        }
    }

    fn resolve_edges(&mut self) {
        for n in 0..self.g.nodes.len() {
            let (mi, kind) = (self.g.nodes[n].module, self.g.nodes[n].kind.clone());
            let mut deps = Vec::new();
            match &kind {
                NodeKind::Variable(name) => self.variable_deps(n, mi, name, &mut deps),
                NodeKind::Local(name) => {
                    let module = module_at(&self.config.root, &self.g.modules[mi].path);
                    self.expr_deps(mi, &module.locals[name].expr, &mut deps, None)
                }
                NodeKind::Output(name) => self.output_deps(mi, name, &mut deps),
                NodeKind::Resource(key) => self.resource_deps(n, mi, key, &mut deps),
                NodeKind::Provider(_) => self.provider_deps(n, mi, &mut deps),
                NodeKind::ModuleCall(name) => self.call_deps(n, mi, name, &mut deps),
            }
            // Everything in a called module waits for the call's instances to be known.
            if let (Some(parent), Some(call)) =
                (self.g.modules[mi].parent, self.g.modules[mi].path.last())
            {
                deps.extend(self.g.node(parent, &NodeKind::ModuleCall(call.clone())));
            }
            deps.sort_unstable();
            deps.dedup();
            deps.retain(|&d| d != n);
            self.g.nodes[n].deps = deps;
        }
    }

    /// A variable waits for its validations' references and, in a child module, for the
    /// module call's argument and `depends_on` (evaluated in the parent).
    fn variable_deps(&mut self, n: usize, mi: usize, name: &str, deps: &mut Vec<usize>) {
        let path = self.g.modules[mi].path.clone();
        let module = module_at(&self.config.root, &path);
        let v = &module.variables[name];
        if let (Some(parent), Some(call)) = (self.g.modules[mi].parent, path.last()) {
            let parent_mod = module_at(&self.config.root, &path[..path.len() - 1]);
            if let Some(mc) = parent_mod.module_calls.get(call) {
                if let Some(a) = mc.inputs.get(name) {
                    self.expr_deps(parent, &a.expr, deps, None);
                }
                for d in &mc.depends_on {
                    self.expr_deps(parent, d, deps, None);
                }
            }
        }
        for val in &v.validations {
            self.expr_deps(mi, &val.condition, deps, Some(n));
            self.expr_deps(mi, &val.error_message, deps, Some(n));
        }
    }

    fn output_deps(&mut self, mi: usize, name: &str, deps: &mut Vec<usize>) {
        let module = module_at(&self.config.root, &self.g.modules[mi].path);
        let o = &module.outputs[name];
        self.expr_deps(mi, &o.expr, deps, None);
        for d in &o.depends_on {
            self.expr_deps(mi, d, deps, None);
        }
        for p in &o.preconditions {
            self.expr_deps(mi, &p.condition, deps, None);
            self.expr_deps(mi, &p.error_message, deps, None);
        }
    }

    /// A resource waits for its own expressions, the imports that target it, every
    /// `depends_on` of the module calls above it, and its provider configuration.
    fn resource_deps(&mut self, n: usize, mi: usize, key: &str, deps: &mut Vec<usize>) {
        let path = self.g.modules[mi].path.clone();
        let r = &module_at(&self.config.root, &path).resources[key];
        self.resource_expr_deps(n, mi, r, deps);
        if r.mode == crate::config::ResourceMode::Data {
            let mut named = Vec::new();
            for e in &r.depends_on {
                self.expr_deps(mi, e, &mut named, Some(n));
            }
            self.module_depends_on_deps(mi, &mut named);
            if !named.is_empty() {
                self.g.data_depends_on.insert(n, named);
            }
        }
        // Import ids (root module expressions) are evaluated when this is planned.
        let cfg: &'c Config = self.config;
        for imp in &cfg.root.imports {
            if crate::addr::names_resource(&imp.to, &path, key) {
                let exprs = [Some(&imp.id), imp.for_each.as_ref(), imp.to_key.as_ref()];
                for e in exprs.into_iter().flatten() {
                    self.expr_deps(0, e, deps, Some(n));
                }
            }
        }
        self.module_depends_on_deps(mi, deps);
        if let Some((p, select)) = self.provider_for(mi, r) {
            deps.push(p);
            self.g.provider_of.insert(n, p);
            if let Some(select) = select {
                if select.call.is_none() {
                    self.expr_deps(mi, &select.expr, deps, Some(n));
                }
                self.g.provider_keys.insert(n, select);
            }
        }
    }

    /// The references in a resource block: meta-arguments, lifecycle conditions and body.
    fn resource_expr_deps(
        &mut self,
        n: usize,
        mi: usize,
        r: &crate::config::Resource,
        deps: &mut Vec<usize>,
    ) {
        for e in r
            .count
            .iter()
            .chain(r.for_each.iter())
            .chain(r.depends_on.iter())
            .chain(r.lifecycle.prevent_destroy.iter())
            .chain(r.lifecycle.enabled.iter())
        {
            self.expr_deps(mi, e, deps, Some(n));
        }
        for e in &r.lifecycle.replace_triggered_by {
            self.expr_deps(mi, e, deps, Some(n));
        }
        for v in r
            .lifecycle
            .preconditions
            .iter()
            .chain(&r.lifecycle.postconditions)
        {
            self.expr_deps(mi, &v.condition, deps, Some(n));
            self.expr_deps(mi, &v.error_message, deps, Some(n));
        }
        let mut exprs = Vec::new();
        for_each_expr(&r.body, &mut |e| exprs.push(e));
        for e in exprs {
            self.expr_deps(mi, e, deps, Some(n));
        }
    }

    /// Module-level `depends_on`: everything in a module waits for what each module call
    /// above it (walking up to the root) depends on.
    fn module_depends_on_deps(&mut self, mi: usize, deps: &mut Vec<usize>) {
        let mut anc = mi;
        while let (Some(parent), Some(call)) = (
            self.g.modules[anc].parent,
            self.g.modules[anc].path.last().cloned(),
        ) {
            let pm = module_at(&self.config.root, &self.g.modules[parent].path);
            if let Some(mc) = pm.module_calls.get(&call) {
                for d in &mc.depends_on {
                    self.expr_deps(parent, d, deps, None);
                }
            }
            anc = parent;
        }
    }

    /// A module call waits for the references of its `count`/`for_each`.
    fn call_deps(&mut self, n: usize, mi: usize, name: &str, deps: &mut Vec<usize>) {
        let module = module_at(&self.config.root, &self.g.modules[mi].path);
        let Some(c) = module.module_calls.get(name) else {
            return;
        };
        let keys = c.providers.values().filter_map(|p| p.key.as_ref());
        for e in c.count.iter().chain(c.for_each.iter()).chain(keys) {
            self.expr_deps(mi, e, deps, Some(n));
        }
    }

    pub(super) fn expr_deps(
        &mut self,
        mi: usize,
        e: &Expr,
        deps: &mut Vec<usize>,
        this: Option<usize>,
    ) {
        for r in references(&e.expr) {
            let span = Span::new(e.file, r.range.clone());
            if let Some(targets) = self.resolve_ref(mi, &r, span, this) {
                deps.extend(targets);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph_of(src: &str) -> (Graph, Diagnostics, Config) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.tf"), src).unwrap();
        let (config, d) = crate::config::load(dir.path());
        assert!(!d.has_errors(), "{d:?}");
        let (g, diags) = build(&config);
        (g, diags, config)
    }

    #[test]
    fn edges_follow_references_and_depends_on() {
        let (g, d, _) = graph_of(
            "variable \"v\" {}\nlocals { l = var.v }\nresource \"terraform_data\" \"a\" { input = local.l }\nresource \"terraform_data\" \"b\" { depends_on = [terraform_data.a] }\noutput \"o\" { value = terraform_data.b.id }\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let id = |k: NodeKind| g.node(0, &k).unwrap();
        let a = id(NodeKind::Resource("terraform_data.a".into()));
        let b = id(NodeKind::Resource("terraform_data.b".into()));
        assert!(g.nodes[a].deps.contains(&id(NodeKind::Local("l".into()))));
        assert!(g.nodes[b].deps.contains(&a));
        assert!(g.nodes[id(NodeKind::Output("o".into()))].deps.contains(&b));
        assert!(super::super::to_dot(&g).contains("\"terraform_data.b\" -> \"terraform_data.a\""));
    }

    #[test]
    fn undeclared_reference_has_location_and_hint() {
        let (_, d, config) =
            graph_of("variable \"cluster_version\" {}\nlocals {\n  a = var.clustr_version\n}\n");
        assert_eq!(d.len(), 1);
        let e = &d.0[0];
        assert_eq!(e.summary, "Reference to undeclared input variable");
        let loc = config.sources.location(e.subject.unwrap());
        assert_eq!((loc.line, loc.column), (3, 7));
        assert_eq!(
            e.help.as_deref(),
            Some("did you mean `var.cluster_version`?")
        );
    }

    #[test]
    fn a_three_node_cycle_names_every_node_in_order() {
        let (_, d, config) = graph_of(
            "resource \"terraform_data\" \"a\" { input = terraform_data.c.id }\nresource \"terraform_data\" \"b\" { input = terraform_data.a.id }\nresource \"terraform_data\" \"c\" { input = terraform_data.b.id }\n",
        );
        assert_eq!(d.len(), 1);
        let e = &d.0[0];
        assert_eq!(e.summary, "Cycle in configuration");
        assert!(
            e.detail.contains(
                "terraform_data.a → terraform_data.c → terraform_data.b → terraform_data.a"
            ),
            "{}",
            e.detail
        );
        let lines: Vec<usize> = std::iter::once(e.subject.unwrap())
            .chain(e.related.iter().map(|(s, _)| *s))
            .map(|s| config.sources.location(s).line)
            .collect();
        assert_eq!(lines, vec![1, 3, 2]);
    }

    /// Cycle detection walks a long dependency path without recursing once per node (a
    /// 100,000-resource chain overflowed the main thread's stack).
    #[test]
    fn a_long_chain_is_checked_without_deep_recursion() {
        let mut text = String::from("locals {\n  l0 = 1\n");
        for i in 1..20_000 {
            text.push_str(&format!("  l{i} = local.l{}\n", i - 1));
        }
        text.push_str("}\n");
        let (g, d, _) = graph_of(&text);
        assert!(d.is_empty(), "{d:?}");
        assert!(g.nodes.len() >= 20_000);
    }
}
