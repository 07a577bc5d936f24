//! Lowering: `hcl-edit`'s lossless expression tree to the IR, keeping every node's span.

use super::{
    Binary, Call, Conditional, Expr, ForDirective, ForExpr, IfDirective, Kind, Name, ObjectKey, Op,
    OpKind, Part, Pos, Template, Traversal,
};
use hcl_edit::expr::{self as hx, Expression, TraversalOperator};
use hcl_edit::template::{self as ht, Directive, Element};
use hcl_edit::Span as _;

/// A number literal's value as Terraform reads it: its source text through cty's
/// `ParseNumberVal` (hcl-edit's own value is only an f64 or a u64). hcl-edit folds a leading
/// `-` into the literal; Terraform negates the rest, so `-0` keeps its sign.
fn literal(n: &hcl_edit::Formatted<hcl_edit::Number>) -> super::Number {
    let from_text = n.as_repr().and_then(|raw| {
        let raw = raw.trim();
        match raw.strip_prefix('-') {
            Some(rest) => super::Number::parse(rest.trim_start()).map(|v| v.neg()),
            None => super::Number::parse(raw),
        }
    });
    from_text
        .or_else(|| super::Number::parse(&n.value().to_string()))
        .unwrap_or_else(|| super::Number::int(0))
}

/// The IR of a parsed expression.
pub fn lower(e: &Expression) -> Expr {
    let pos = Pos::of(e.span());
    let kind = match e {
        Expression::Null(_) => Kind::Null,
        Expression::Bool(b) => Kind::Bool(*b.value()),
        Expression::Number(n) => Kind::Number(literal(n)),
        Expression::String(s) => Kind::String(s.value().as_str().into()),
        Expression::Array(a) => Kind::Tuple(a.iter().map(lower).collect()),
        Expression::Object(o) => Kind::Object(
            o.iter()
                .map(|(k, v)| (object_key(k), lower(v.expr())))
                .collect(),
        ),
        Expression::StringTemplate(t) => Kind::Template(template(t, None, false)),
        Expression::HeredocTemplate(h) => Kind::Template(template(&h.template, h.indent(), false)),
        Expression::Parenthesis(p) => Kind::Paren(Box::new(lower(p.inner()))),
        Expression::Variable(v) => Kind::Variable(Name::new(v.as_str())),
        Expression::Conditional(c) => Kind::Conditional(Box::new(Conditional {
            cond: lower(&c.cond_expr),
            then: lower(&c.true_expr),
            otherwise: lower(&c.false_expr),
        })),
        Expression::FuncCall(c) => Kind::Call(Box::new(call(c))),
        Expression::Traversal(t) => Kind::Traversal(Box::new(Traversal {
            root: lower(&t.expr),
            ops: t.operators.iter().map(traversal_op).collect(),
        })),
        Expression::UnaryOp(u) => Kind::Unary(*u.operator.value(), Box::new(lower(&u.expr))),
        Expression::BinaryOp(b) => Kind::Binary(Box::new(Binary {
            op: *b.operator.value(),
            lhs: lower(&b.lhs_expr),
            rhs: lower(&b.rhs_expr),
        })),
        Expression::ForExpr(f) => Kind::For(Box::new(for_expr(f))),
    };
    Expr { kind, pos }
}

/// Parses and lowers one expression (a `-var` value, a test's source).
pub fn parse(text: &str) -> Result<Expr, hcl_edit::parser::Error> {
    hcl_edit::parser::parse_expr(text).map(|e| lower(&e))
}

/// The IR of a parsed template (a template file's text, no heredoc indentation).
pub fn lower_template(t: &ht::Template) -> Template {
    template(t, None, false)
}

fn object_key(k: &hx::ObjectKey) -> ObjectKey {
    match k {
        hx::ObjectKey::Ident(id) => ObjectKey::Ident(Name::new(id.as_str()), Pos::of(id.span())),
        hx::ObjectKey::Expression(e) => ObjectKey::Expr(lower(e)),
    }
}

fn call(c: &hx::FuncCall) -> Call {
    Call {
        pos: Pos::of(c.span()),
        name: Name::new(c.name.name.as_str()),
        name_pos: Pos::of(c.name.name.span()),
        namespace: c
            .name
            .namespace
            .iter()
            .map(|n| Name::new(n.as_str()))
            .collect(),
        args: c.args.iter().map(lower).collect(),
        expand_final: c.args.expand_final(),
    }
}

fn traversal_op(op: &hcl_edit::Decorated<TraversalOperator>) -> Op {
    let kind = match op.value() {
        TraversalOperator::GetAttr(id) => OpKind::GetAttr(Name::new(id.as_str())),
        TraversalOperator::Index(e) => OpKind::Index(lower(e)),
        TraversalOperator::LegacyIndex(n) => OpKind::LegacyIndex(*n.value()),
        TraversalOperator::AttrSplat(_) => OpKind::AttrSplat,
        TraversalOperator::FullSplat(_) => OpKind::FullSplat,
    };
    Op {
        kind,
        pos: Pos::of(op.span()),
    }
}

fn for_expr(f: &hx::ForExpr) -> ForExpr {
    ForExpr {
        key_var: f.intro.key_var.as_ref().map(|k| Name::new(k.as_str())),
        value_var: Name::new(f.intro.value_var.as_str()),
        collection: lower(&f.intro.collection_expr),
        key: f.key_expr.as_ref().map(lower),
        value: lower(&f.value_expr),
        cond: f.cond.as_ref().map(|c| lower(&c.expr)),
        grouping: f.grouping,
    }
}

/// A template's IR; `indent` is a `<<-` heredoc's, `nested` says whether `t` is the body of
/// a directive. hcl-edit dedents only the top-level literals of a `<<-` heredoc, while
/// Terraform dedents every line, including those inside `%{ if }`/`%{ for }` bodies: those
/// are dedented here.
fn template(t: &ht::Template, indent: Option<usize>, nested: bool) -> Template {
    let part = |el: &Element| match el {
        Element::Literal(s) => Part::Literal(match indent.filter(|_| nested) {
            Some(n) => dedent_lines(s.as_str(), n).into(),
            None => s.as_str().into(),
        }),
        Element::Interpolation(i) => Part::Interpolation(lower(&i.expr), i.strip),
        Element::Directive(d) => match d.as_ref() {
            Directive::If(d) => Part::If(Box::new(IfDirective {
                cond: lower(&d.if_expr.cond_expr),
                if_strip: d.if_expr.strip,
                then: template(&d.if_expr.template, indent, true),
                otherwise: d
                    .else_expr
                    .as_ref()
                    .map(|e| (e.strip, template(&e.template, indent, true))),
                endif_strip: d.endif_expr.strip,
            })),
            Directive::For(d) => Part::For(Box::new(ForDirective {
                key_var: d.for_expr.key_var.as_ref().map(|k| Name::new(k.as_str())),
                value_var: Name::new(d.for_expr.value_var.as_str()),
                collection: lower(&d.for_expr.collection_expr),
                for_strip: d.for_expr.strip,
                body: template(&d.for_expr.template, indent, true),
                endfor_strip: d.endfor_expr.strip,
            })),
        },
    };
    Template {
        parts: t.iter().map(part).collect(),
    }
}

/// Strips up to `indent` whitespace characters after every newline (not at the start: a
/// nested literal always begins after a directive, mid-line).
fn dedent_lines(text: &str, indent: usize) -> String {
    let mut lines = text.split('\n');
    let mut out = lines.next().unwrap_or("").to_string();
    for line in lines {
        out.push('\n');
        let ws = line
            .char_indices()
            .take(indent)
            .take_while(|(_, c)| *c == ' ' || *c == '\t')
            .count();
        out.push_str(&line[ws..]);
    }
    out
}
