//! Attribute access, indexing and splats (`a.b[0]`, `a[*].id`, `a.*.id`).

use super::Evaluator;
use crate::diag::{Diagnostic, Span};
use crate::lang::convert::convert;
use crate::lang::ir::{Kind, Op, OpKind, Pos, Traversal};
use crate::lang::suggest::did_you_mean;
use crate::lang::{Type, Value, VecMap};

impl Evaluator<'_> {
    pub(super) fn traversal(&mut self, t: &Traversal) -> Value {
        let ops = &t.ops;
        let (value, consumed) = match &t.root.kind {
            Kind::Variable(root) => match self.local(root.as_str()) {
                Some(v) => (v.clone(), 0),
                None => match self.resolve_root(root.as_str(), t) {
                    Some(found) => found,
                    None => return Value::unknown(),
                },
            },
            _ => (self.expr(&t.root), 0),
        };
        self.apply_ops(value, ops.get(consumed..).unwrap_or(&[]))
    }

    /// Asks the resolver for `root.a.b...` (the leading static attributes); `None` on error.
    fn resolve_root(&mut self, root: &str, t: &Traversal) -> Option<(Value, usize)> {
        let attrs: Vec<&str> = t
            .ops
            .iter()
            .map_while(|op| match &op.kind {
                OpKind::GetAttr(id) => Some(id.as_str()),
                _ => None,
            })
            .collect();
        let start = t.root.pos.range().map(|r| r.start).unwrap_or(0);
        let end = attrs
            .len()
            .checked_sub(1)
            .and_then(|i| t.ops[i].pos.range())
            .or_else(|| t.root.pos.range())
            .map(|r| r.end)
            .unwrap_or(start);
        let span = Span::new(self.ctx.file, start..end);
        match self.ctx.resolver.resolve(root, &attrs, span) {
            Ok((v, n)) => Some((v, n.min(attrs.len()))),
            Err(d) => {
                self.fail(d);
                None
            }
        }
    }

    fn apply_ops(&mut self, mut value: Value, ops: &[Op]) -> Value {
        let mut i = 0;
        while i < ops.len() {
            match &ops[i].kind {
                // A full splat applies everything after it to each element.
                OpKind::FullSplat => return self.splat(value, &ops[i + 1..]),
                // An attribute splat applies only the attribute accesses that follow it.
                OpKind::AttrSplat => {
                    let n = ops[i + 1..]
                        .iter()
                        .take_while(|o| matches!(o.kind, OpKind::GetAttr(_)))
                        .count();
                    value = self.splat(value, &ops[i + 1..i + 1 + n]);
                    i += 1 + n;
                }
                _ => {
                    value = self.step(value, &ops[i]);
                    i += 1;
                }
            }
        }
        value
    }

    /// Terraform's splat: over a list or set, maps the operators over the elements into a
    /// list; over a tuple, into a tuple; over null, an empty tuple; over any other value, a
    /// one-element tuple of the result.
    fn splat(&mut self, value: Value, rest: &[Op]) -> Value {
        let (value, marked) = value.unmark();
        let (elems, list) = match value {
            Value::Unknown(_) => {
                return Value::Unknown(Type::List(Box::new(Type::Any))).mark_if(marked)
            }
            Value::Null => (Vec::new(), false),
            Value::List(xs) | Value::Set(xs) => (xs, true),
            Value::Tuple(xs) => (xs, false),
            other => (vec![other], false),
        };
        let mut out = Vec::with_capacity(elems.len());
        for x in elems {
            let before = self.diags.len();
            out.push(self.apply_ops(x, rest));
            if self.diags.len() > before {
                // One report is enough: the same step fails the same way on every element.
                return Value::unknown();
            }
        }
        let out = if list {
            Value::List(out)
        } else {
            Value::Tuple(out)
        };
        out.mark_if(marked)
    }

    fn step(&mut self, value: Value, op: &Op) -> Value {
        let (value, marked) = value.unmark();
        let result = match &op.kind {
            OpKind::GetAttr(name) => self.get_attr(value, name.as_str(), op.pos),
            OpKind::Index(key_expr) => {
                let (key, key_marked) = self.expr(key_expr).unmark();
                return self.index(value, key, op.pos).mark_if(marked | key_marked);
            }
            OpKind::LegacyIndex(n) => self.index(value, Value::Number((*n).into()), op.pos),
            OpKind::FullSplat | OpKind::AttrSplat => value,
        };
        result.mark_if(marked)
    }

    fn get_attr(&mut self, value: Value, name: &str, range: Pos) -> Value {
        const SUMMARY: &str = "Unsupported attribute";
        match value {
            Value::Unknown(ty) => Value::Unknown(match ty {
                Type::Object(attrs) => attrs.get(name).map(|a| a.ty.clone()).unwrap_or(Type::Any),
                Type::Map(t) => *t,
                _ => Type::Any,
            }),
            Value::Map(mut m) | Value::Object(mut m) => match m.remove(name) {
                Some(v) => v,
                None => {
                    let mut d = Diagnostic::error(SUMMARY)
                        .detail(format!(
                            "This object does not have an attribute named \"{name}\"."
                        ))
                        .subject_opt(self.span(range));
                    if let Some(s) = did_you_mean(name, m.keys().map(String::as_str)) {
                        d = d.help(format!("did you mean \"{s}\"?"));
                    }
                    self.fail(d)
                }
            },
            Value::Null => self.error_at(
                range,
                "Attempt to get attribute from null value",
                "This value is null, so it does not have any attributes.".into(),
            ),
            Value::List(_) | Value::Tuple(_) | Value::Set(_) => self.error_at(
                range,
                SUMMARY,
                format!(
                    "Can't access attributes on a list of objects. Did you mean to access \
                     attribute \"{name}\" for a specific element of the list, or across all \
                     elements of the list (with a splat, [*].{name})?"
                ),
            ),
            other => self.error_at(
                range,
                SUMMARY,
                format!(
                    "Can't access attributes on a primitive-typed value ({}).",
                    other.type_name()
                ),
            ),
        }
    }

    pub(super) fn index(&mut self, value: Value, key: Value, range: Pos) -> Value {
        if let Value::Unknown(_) = key {
            return Value::Unknown(element_type(&value));
        }
        match value {
            Value::Unknown(ty) => Value::Unknown(element_type(&Value::Unknown(ty))),
            Value::Null => self.error_at(
                range,
                "Attempt to index null value",
                "This value is null, so it does not have any indices.".into(),
            ),
            Value::List(xs) | Value::Tuple(xs) => self.index_sequence(xs, key, range),
            Value::Set(_) => self.error_at(
                range,
                INVALID_INDEX,
                "Elements of a set are identified only by their value and don't have any separate \
                 index or key to select with, so it's only possible to perform operations across \
                 all elements of the set."
                    .into(),
            ),
            Value::Map(m) | Value::Object(m) => self.index_map(m, key, range),
            other => self.error_at(
                range,
                INVALID_INDEX,
                format!(
                    "This value does not have any indices (it is a {}).",
                    other.type_name()
                ),
            ),
        }
    }

    /// `list[key]`: the key must convert to a whole number within the bounds.
    fn index_sequence(&mut self, mut xs: Vec<Value>, key: Value, range: Pos) -> Value {
        let key = convert(key, &Type::Number).ok();
        let idx = match key.as_ref().and_then(Value::as_num) {
            Some(n) if n.is_int() => n.clone(),
            _ => {
                return self.error_at(
                    range,
                    INVALID_INDEX,
                    "The given key does not identify an element in this collection value: \
                     a whole number is required."
                        .into(),
                )
            }
        };
        let at = idx.as_i64().and_then(|i| usize::try_from(i).ok());
        let Some(at) = at.filter(|i| *i < xs.len()) else {
            let why = if idx.signum() < 0 {
                "a negative number is not a valid index for a sequence".to_string()
            } else {
                format!(
                    "the given index ({idx}) is greater than or equal to the length of the \
                     collection ({})",
                    xs.len()
                )
            };
            return self.error_at(
                range,
                INVALID_INDEX,
                format!(
                    "The given key does not identify an element in this collection value: {why}."
                ),
            );
        };
        xs.swap_remove(at)
    }

    /// `map[key]`: the key must convert to a string naming an element (with a did-you-mean).
    fn index_map(&mut self, mut m: VecMap<String, Value>, key: Value, range: Pos) -> Value {
        let key = match convert(key, &Type::String) {
            Ok(Value::String(k)) => k,
            _ => {
                return self.error_at(
                    range,
                    INVALID_INDEX,
                    "The given key does not identify an element in this collection value: \
                     a string key is required."
                        .into(),
                )
            }
        };
        match m.remove(&key) {
            Some(v) => v,
            None => {
                let mut d = Diagnostic::error(INVALID_INDEX)
                    .detail(format!(
                        "The given key does not identify an element in this collection \
                         value: there is no element with key \"{key}\"."
                    ))
                    .subject_opt(self.span(range));
                if let Some(s) = did_you_mean(&key, m.keys().map(String::as_str)) {
                    d = d.help(format!("did you mean \"{s}\"?"));
                }
                self.fail(d)
            }
        }
    }
}

const INVALID_INDEX: &str = "Invalid index";

/// The type of an element of `value` as far as known; for unknown results of indexing.
fn element_type(value: &Value) -> Type {
    match value.ty() {
        Type::List(t) | Type::Set(t) | Type::Map(t) => *t,
        _ => Type::Any,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{ev, ev_diags, ev_err};
    use super::*;

    #[test]
    fn attributes_and_indexes() {
        assert_eq!(ev("m.a"), Value::int(1));
        assert_eq!(ev("m[\"b\"]"), Value::int(2));
        assert_eq!(ev("xs[1]"), Value::int(2));
        assert_eq!(ev("xs[\"2\"]"), Value::int(3));
        assert_eq!(ev("xs.0"), Value::int(1));
        assert_eq!(ev("objs[1].id"), Value::from("b"));
        assert_eq!(ev("{a = [10, 20]}.a[1]"), Value::int(20));
    }

    #[test]
    fn access_errors() {
        let (summary, detail, covered) = ev_err("m.aa");
        assert_eq!(summary, "Unsupported attribute");
        assert!(detail.contains("\"aa\""), "{detail}");
        assert_eq!(covered, ".aa");
        let (_, d) = ev_diags("m.aa");
        assert_eq!(d.0[0].help.as_deref(), Some("did you mean \"a\"?"));
        let (summary, detail, covered) = ev_err("xs[3]");
        assert_eq!(summary, "Invalid index");
        assert!(
            detail.contains("greater than or equal to the length"),
            "{detail}"
        );
        assert_eq!(covered, "[3]");
        assert_eq!(ev_err("xs[-1]").0, "Invalid index");
        assert_eq!(ev_err("xs[0.5]").0, "Invalid index");
        assert_eq!(ev_err("m[\"zz\"]").0, "Invalid index");
        assert_eq!(ev_err("set[0]").0, "Invalid index");
        assert_eq!(ev_err("s[0]").0, "Invalid index");
        assert_eq!(
            ev_err("nul.a").0,
            "Attempt to get attribute from null value"
        );
        assert_eq!(ev_err("nul[0]").0, "Attempt to index null value");
        assert!(ev_err("objs.id").1.contains("list of objects"));
        assert!(ev_err("s.x").1.contains("primitive-typed value (string)"));
    }

    #[test]
    fn splats() {
        let ids = Value::List(vec!["a".into(), "b".into()]);
        assert_eq!(ev("objs[*].id"), ids);
        assert_eq!(ev("objs.*.id"), ids);
        assert_eq!(ev("objs.*.id[1]"), Value::from("b"));
        assert_eq!(
            ev("[[1, 2], [3]][*][0]"),
            Value::Tuple(vec![Value::int(1), Value::int(3)])
        );
        // A list or set splats into a list, a tuple into a tuple, anything else (and null)
        // into a tuple, as in Terraform.
        assert_eq!(ev("nul[*]"), Value::Tuple(vec![]));
        assert_eq!(ev("m[*].a"), Value::Tuple(vec![Value::int(1)]));
        assert_eq!(ev("set[*]"), Value::List(vec!["x".into(), "y".into()]));
        assert!(ev("u[*].id").is_unknown());
        let (_, d) = ev_diags("objs[*].nope");
        assert_eq!(d.len(), 1, "one report for the whole splat");
    }

    /// Resolves `res.<name>` to a whole resource object, consuming one attribute.
    struct Resources;

    impl crate::lang::Resolver for Resources {
        fn resolve(
            &self,
            root: &str,
            attrs: &[&str],
            span: Span,
        ) -> Result<(Value, usize), Diagnostic> {
            match (root, attrs.first()) {
                ("res", Some(&"a")) => {
                    Ok((Value::map([("out", Value::List(vec!["x".into()]))]), 1))
                }
                _ => Err(Diagnostic::error("Reference to undeclared resource").subject(span)),
            }
        }
    }

    #[test]
    fn resolver_consumes_leading_attributes() {
        let run = |src: &str| {
            let expr = crate::lang::ir::parse(src).map_err(|e| e.to_string());
            let ctx = crate::lang::EvalContext {
                file: crate::diag::FileId(0),
                resolver: &Resources,
                base_dir: std::path::Path::new("."),
            };
            expr.map(|e| crate::lang::eval(&e, &ctx))
        };
        let Ok((v, d)) = run("res.a.out[0]") else {
            panic!("parse")
        };
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(v, Value::from("x"));
        let src = "res.b.out[0]";
        let Ok((_, d)) = run(src) else {
            panic!("parse")
        };
        assert_eq!(d.0[0].subject.map(|s| &src[s.range()]), Some("res.b.out"));
    }

    #[test]
    fn unknown_and_sensitive_propagate() {
        assert_eq!(ev("u.a.b"), Value::unknown());
        assert_eq!(ev("xs[u]"), Value::Unknown(Type::Number));
        let v = ev("{a = secret}.a");
        assert!(v.is_sensitive());
        assert!(ev("[secret][0]").is_sensitive());
        assert!(ev("xs[secret == \"pw\" ? 0 : 1]").is_sensitive());
    }
}
