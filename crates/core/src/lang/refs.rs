//! Collects the references an expression makes; the graph builder turns them into edges.
//!
//! A reference is what a [`Resolver`](super::Resolver) would be asked for: the root name and
//! the leading static attribute names. Names bound by an enclosing `for` expression or
//! template `for` directive are local to it and are not references.

use crate::lang::ir::{
    Expr, ForDirective, ForExpr, Kind, ObjectKey, OpKind, Part, Template, Traversal,
};
use std::ops::Range;

/// A reference: the root name and the leading static attribute names of a traversal
/// (`module.vpc.vpc_id` → root `module`, attrs `[vpc, vpc_id]`), with its byte range.
///
/// The range covers the root and those attributes (`aws_subnet.this` in
/// `aws_subnet.this[0].id`): the part of the source that names the referenced object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub root: String,
    pub attrs: Vec<String>,
    pub range: Range<usize>,
}

/// All references in `expr`, in source order, excluding names bound by `for` expressions.
pub fn references(expr: &Expr) -> Vec<Reference> {
    let mut c = Collector::default();
    c.expr(expr);
    c.refs
}

#[derive(Default)]
struct Collector {
    refs: Vec<Reference>,
    /// Names bound by the enclosing `for`s, innermost last.
    bound: Vec<&'static str>,
}

impl Collector {
    fn is_bound(&self, name: &str) -> bool {
        self.bound.contains(&name)
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            Kind::Null | Kind::Bool(_) | Kind::Number(_) | Kind::String(_) => {}
            Kind::Variable(name) => {
                if !self.is_bound(name.as_str()) {
                    self.refs.push(Reference {
                        root: name.as_str().to_string(),
                        attrs: Vec::new(),
                        range: e.pos.range().unwrap_or(0..0),
                    });
                }
            }
            Kind::Traversal(t) => self.traversal(t),
            Kind::Tuple(xs) => xs.iter().for_each(|x| self.expr(x)),
            Kind::Object(items) => {
                for (k, v) in items.iter() {
                    if let ObjectKey::Expr(k) = k {
                        self.expr(k);
                    }
                    self.expr(v);
                }
            }
            Kind::Template(t) => self.template(t),
            Kind::Paren(inner) | Kind::Unary(_, inner) => self.expr(inner),
            Kind::Conditional(c) => {
                self.expr(&c.cond);
                self.expr(&c.then);
                self.expr(&c.otherwise);
            }
            Kind::Call(c) => c.args.iter().for_each(|a| self.expr(a)),
            Kind::Binary(b) => {
                self.expr(&b.lhs);
                self.expr(&b.rhs);
            }
            Kind::For(f) => self.for_expr(f),
        }
    }

    fn traversal(&mut self, t: &Traversal) {
        match &t.root.kind {
            Kind::Variable(root) if !self.is_bound(root.as_str()) => {
                let mut attrs = Vec::new();
                let mut range = t.root.pos.range().unwrap_or(0..0);
                for op in t.ops.iter() {
                    let OpKind::GetAttr(name) = &op.kind else {
                        break;
                    };
                    attrs.push(name.as_str().to_string());
                    if let Some(r) = op.pos.range() {
                        range.end = r.end;
                    }
                }
                self.refs.push(Reference {
                    root: root.as_str().to_string(),
                    attrs,
                    range,
                });
            }
            Kind::Variable(_) => {}
            _ => self.expr(&t.root),
        }
        // Index keys may refer to things too: `var.m[local.k]`.
        for op in t.ops.iter() {
            if let OpKind::Index(key) = &op.kind {
                self.expr(key);
            }
        }
    }

    fn template(&mut self, t: &Template) {
        for part in t.parts.iter() {
            match part {
                Part::Literal(_) => {}
                Part::Interpolation(e, _) => self.expr(e),
                Part::If(d) => {
                    self.expr(&d.cond);
                    self.template(&d.then);
                    if let Some((_, t)) = &d.otherwise {
                        self.template(t);
                    }
                }
                Part::For(d) => self.for_directive(d),
            }
        }
    }

    /// Visits `f` with `names` bound.
    fn scoped(&mut self, names: impl IntoIterator<Item = &'static str>, f: impl FnOnce(&mut Self)) {
        let depth = self.bound.len();
        self.bound.extend(names);
        f(self);
        self.bound.truncate(depth);
    }

    fn for_expr(&mut self, f: &ForExpr) {
        self.expr(&f.collection);
        let names = f.key_var.iter().chain([&f.value_var]).map(|n| n.as_str());
        self.scoped(names, |c| {
            if let Some(k) = &f.key {
                c.expr(k);
            }
            c.expr(&f.value);
            if let Some(cond) = &f.cond {
                c.expr(cond);
            }
        });
    }

    fn for_directive(&mut self, f: &ForDirective) {
        self.expr(&f.collection);
        let names = f.key_var.iter().chain([&f.value_var]).map(|n| n.as_str());
        self.scoped(names, |c| c.template(&f.body));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(src: &str) -> Vec<(String, Vec<String>, String)> {
        let expr = match crate::lang::ir::parse(src) {
            Ok(e) => e,
            Err(e) => panic!("snippet does not parse: {e}"),
        };
        references(&expr)
            .into_iter()
            .map(|r| (r.root, r.attrs, src[r.range].to_string()))
            .collect()
    }

    fn r(root: &str, attrs: &[&str], text: &str) -> (String, Vec<String>, String) {
        (
            root.to_string(),
            attrs.iter().map(|a| a.to_string()).collect(),
            text.to_string(),
        )
    }

    #[test]
    fn leading_static_attributes() {
        assert_eq!(
            refs("module.vpc.vpc_id"),
            [r("module", &["vpc", "vpc_id"], "module.vpc.vpc_id")]
        );
        assert_eq!(
            refs("aws_subnet.this[0].id"),
            [r("aws_subnet", &["this"], "aws_subnet.this")]
        );
        assert_eq!(
            refs("aws_subnet.this.0.id"),
            [r("aws_subnet", &["this"], "aws_subnet.this")]
        );
        assert_eq!(
            refs("aws_instance.web[*].id"),
            [r("aws_instance", &["web"], "aws_instance.web")]
        );
        assert_eq!(refs("count"), [r("count", &[], "count")]);
        assert_eq!(
            refs("var.m[local.k]"),
            [r("var", &["m"], "var.m"), r("local", &["k"], "local.k")]
        );
    }

    #[test]
    fn everywhere_in_source_order() {
        let src = "cond(each.key) ? \"${var.a}-%{ if path.module != \"\" }x%{ endif }\" : { k = [self.id] }";
        let roots: Vec<String> = refs(src).into_iter().map(|(root, _, _)| root).collect();
        assert_eq!(roots, ["each", "var", "path", "self"]);
        assert_eq!(refs("(data.x.y).z")[0], r("data", &["x", "y"], "data.x.y"));
        assert_eq!(refs("1 + \"a\"").len(), 0);
    }

    #[test]
    fn for_bound_names_are_not_references() {
        assert_eq!(
            refs("[for s in var.subnets : s.id]"),
            [r("var", &["subnets"], "var.subnets")]
        );
        assert_eq!(
            refs("{for k, v in var.m : k => v if v != local.x}"),
            [r("var", &["m"], "var.m"), r("local", &["x"], "local.x")]
        );
        // The binding is scoped to its `for`: the same name outside is a reference.
        assert_eq!(refs("[[for s in var.l : s], s]").len(), 2);
        // A `for` collection cannot see its own variable.
        assert_eq!(refs("[for s in s : s]"), [r("s", &[], "s")]);
        let tpl = "\"%{ for i, z in var.zones }${z}${i}${local.sep}%{ endfor }\"";
        assert_eq!(
            refs(tpl),
            [
                r("var", &["zones"], "var.zones"),
                r("local", &["sep"], "local.sep")
            ]
        );
    }
}
