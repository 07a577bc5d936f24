//! The compact expression IR the evaluator walks: built once from the `hcl-edit` tree when a
//! file is loaded, after which the lossless tree (whitespace, comments, raw strings, a span
//! and a decor on every token) is dropped. Only `fmt` keeps using `hcl-edit`.
//!
//! A node holds what evaluation, reference collection and diagnostics need and nothing
//! else: its byte range ([`Pos`], two `u32`s; the file id is stored once per expression, in
//! [`crate::config::Expr`]), names interned once per process ([`Name`]), and children in
//! boxed slices. `<<-` heredocs are dedented while lowering, so the evaluator never copies a
//! template. Spans are the ones `hcl-edit` gave each node, so every diagnostic keeps its
//! file:line:column.

mod lower;
mod name;
#[cfg(test)]
mod tests;

pub use crate::lang::Number;
pub use hcl_edit::expr::{BinaryOperator, UnaryOperator};
pub use hcl_edit::template::Strip;
pub use lower::{lower, lower_template, parse};
pub use name::Name;
use std::ops::Range;

/// A byte range in the expression's file; [`Pos::NONE`] where `hcl-edit` had no span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    start: u32,
    end: u32,
}

impl Pos {
    /// No position (`hcl-edit` had none; spans fall back to the start of the file).
    pub const NONE: Pos = Pos {
        start: u32::MAX,
        end: u32::MAX,
    };

    /// A position from `hcl-edit`'s optional range. Files are limited far below 4 GiB
    /// ([`crate::config::MAX_FILE_BYTES`]), so offsets fit in `u32`.
    pub fn of(range: Option<Range<usize>>) -> Pos {
        match range {
            Some(r) => match (u32::try_from(r.start), u32::try_from(r.end)) {
                (Ok(start), Ok(end)) if start != u32::MAX => Pos { start, end },
                _ => Pos::NONE,
            },
            None => Pos::NONE,
        }
    }

    /// The range, as `hcl-edit`'s `Span::span` gave it.
    pub fn range(self) -> Option<Range<usize>> {
        (self != Pos::NONE).then_some(self.start as usize..self.end as usize)
    }
}

/// One expression node and its source range.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: Kind,
    pub pos: Pos,
}

/// The kinds of expression: HCL's native syntax, one variant per construct.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    Number(Number),
    /// A quoted string without interpolations or directives (escapes already resolved).
    String(Box<str>),
    Tuple(Box<[Expr]>),
    Object(Box<[(ObjectKey, Expr)]>),
    /// A string template (`"a ${b}"`) or a heredoc (`<<EOT`, `<<-EOT` dedented).
    Template(Template),
    /// `( expr )`: kept because its range differs from the inner one, and because in an
    /// object key parentheses force evaluation (`{ (null) = 1 }`).
    Paren(Box<Expr>),
    Variable(Name),
    Conditional(Box<Conditional>),
    Call(Box<Call>),
    Traversal(Box<Traversal>),
    Unary(UnaryOperator, Box<Expr>),
    Binary(Box<Binary>),
    For(Box<ForExpr>),
}

/// An object constructor's key: a bare identifier or an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectKey {
    Ident(Name, Pos),
    Expr(Expr),
}

impl ObjectKey {
    pub fn pos(&self) -> Pos {
        match self {
            ObjectKey::Ident(_, p) => *p,
            ObjectKey::Expr(e) => e.pos,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Conditional {
    pub cond: Expr,
    pub then: Expr,
    pub otherwise: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binary {
    pub op: BinaryOperator,
    pub lhs: Expr,
    pub rhs: Expr,
}

/// `name(args...)`, `ns::name(args)` for provider functions.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The whole call, `name(...)` (the same as its expression's).
    pub pos: Pos,
    pub name: Name,
    pub name_pos: Pos,
    /// The `provider::aws::` parts of a namespaced name (empty for built-ins).
    pub namespace: Box<[Name]>,
    pub args: Box<[Expr]>,
    /// The last argument ends with `...` and is expanded.
    pub expand_final: bool,
}

/// `root.op.op...`: the root is any expression (a variable for references).
#[derive(Debug, Clone, PartialEq)]
pub struct Traversal {
    pub root: Expr,
    pub ops: Box<[Op]>,
}

/// One traversal step and its range (including the `.` or brackets).
#[derive(Debug, Clone, PartialEq)]
pub struct Op {
    pub kind: OpKind,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OpKind {
    GetAttr(Name),
    Index(Expr),
    /// `xs.0`
    LegacyIndex(u64),
    /// `.*`
    AttrSplat,
    /// `[*]`
    FullSplat,
}

/// `[for k, v in coll : value if cond]` or `{for k, v in coll : key => value... if cond}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ForExpr {
    pub key_var: Option<Name>,
    pub value_var: Name,
    pub collection: Expr,
    /// Present in object `for`s.
    pub key: Option<Expr>,
    pub value: Expr,
    pub cond: Option<Expr>,
    /// `...` after the value: group values by key.
    pub grouping: bool,
}

/// A template's elements.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub parts: Box<[Part]>,
}

impl Template {
    /// The interpolation a template consists of exactly, if it does (`"${x}"`).
    pub fn as_single_interpolation(&self) -> Option<&Expr> {
        match &*self.parts {
            [Part::Interpolation(e, _)] => Some(e),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Literal(Box<str>),
    /// `${expr}` with its strip markers.
    Interpolation(Expr, Strip),
    If(Box<IfDirective>),
    For(Box<ForDirective>),
}

/// `%{ if cond }...%{ else }...%{ endif }`, with each tag's strip markers.
#[derive(Debug, Clone, PartialEq)]
pub struct IfDirective {
    pub cond: Expr,
    pub if_strip: Strip,
    pub then: Template,
    pub otherwise: Option<(Strip, Template)>,
    pub endif_strip: Strip,
}

/// `%{ for k, v in coll }...%{ endfor }`, with each tag's strip markers.
#[derive(Debug, Clone, PartialEq)]
pub struct ForDirective {
    pub key_var: Option<Name>,
    pub value_var: Name,
    pub collection: Expr,
    pub for_strip: Strip,
    pub body: Template,
    pub endfor_strip: Strip,
}

impl Expr {
    /// Calls `f` on each direct sub-expression, in source order (template parts included);
    /// for searches that need no scoping.
    pub fn each_child(&self, f: &mut dyn FnMut(&Expr)) {
        match &self.kind {
            Kind::Null | Kind::Bool(_) | Kind::Number(_) | Kind::String(_) | Kind::Variable(_) => {}
            Kind::Tuple(xs) => xs.iter().for_each(f),
            Kind::Object(items) => {
                for (k, v) in items.iter() {
                    if let ObjectKey::Expr(k) = k {
                        f(k);
                    }
                    f(v);
                }
            }
            Kind::Template(t) => t.each_expr(f),
            Kind::Paren(e) | Kind::Unary(_, e) => f(e),
            Kind::Conditional(c) => [&c.cond, &c.then, &c.otherwise].into_iter().for_each(f),
            Kind::Call(c) => c.args.iter().for_each(f),
            Kind::Traversal(t) => {
                f(&t.root);
                for op in t.ops.iter() {
                    if let OpKind::Index(e) = &op.kind {
                        f(e);
                    }
                }
            }
            Kind::Binary(b) => [&b.lhs, &b.rhs].into_iter().for_each(f),
            Kind::For(x) => {
                f(&x.collection);
                x.key.iter().for_each(&mut *f);
                f(&x.value);
                x.cond.iter().for_each(f);
            }
        }
    }
}

impl Template {
    /// Calls `f` on each expression of the template's parts (not nested deeper), in order.
    fn each_expr(&self, f: &mut dyn FnMut(&Expr)) {
        for part in self.parts.iter() {
            match part {
                Part::Literal(_) => {}
                Part::Interpolation(e, _) => f(e),
                Part::If(d) => {
                    f(&d.cond);
                    d.then.each_expr(f);
                    if let Some((_, t)) = &d.otherwise {
                        t.each_expr(f);
                    }
                }
                Part::For(d) => {
                    f(&d.collection);
                    d.body.each_expr(f);
                }
            }
        }
    }
}
