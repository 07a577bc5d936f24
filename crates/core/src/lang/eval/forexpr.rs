//! `for` expressions (`[for x in xs : f(x) if c]`, `{for k, v in m : k => v...}`) and the
//! iteration rules they share with template `for` directives.

use super::Evaluator;
use crate::diag::Diagnostic;
use crate::lang::convert::convert;
use crate::lang::ir::{ForExpr, Pos};
use crate::lang::{Marks, Type, Value};
use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

/// The outcome of preparing a collection for iteration.
pub(super) enum Iteration {
    /// (key, value) pairs and the marks the collection had.
    Pairs(Vec<(Value, Value)>, Marks),
    /// The collection is unknown (marked or not): so is anything built by iterating it.
    Unknown(Marks),
    /// Not iterable; already reported.
    Failed,
}

/// What one element contributed.
enum Item {
    Skip,
    Unknown,
    Elem(Value),
    Entry(String, Value),
}

impl Evaluator<'_> {
    /// Lists iterate as (index, value), maps and objects as (key, value), sets as
    /// (value, value), as in Terraform.
    pub(super) fn iteration(&mut self, coll: Value, range: Pos) -> Iteration {
        let (coll, marked) = coll.unmark();
        let pairs = match coll {
            Value::Unknown(_) => return Iteration::Unknown(marked),
            Value::List(xs) | Value::Tuple(xs) => xs
                .into_iter()
                .enumerate()
                .map(|(i, x)| (Value::int(i as i64), x))
                .collect(),
            Value::Set(xs) => xs.into_iter().map(|x| (x.clone(), x)).collect(),
            Value::Map(m) | Value::Object(m) => {
                m.into_iter().map(|(k, v)| (Value::String(k), v)).collect()
            }
            Value::Null => {
                self.error_at(
                    range,
                    "Iteration over null value",
                    "A null value cannot be used as the collection in a 'for' expression.".into(),
                );
                return Iteration::Failed;
            }
            other => {
                self.error_at(
                    range,
                    "Iteration over non-iterable value",
                    format!(
                        "A value of type {} cannot be used as the collection in a 'for' \
                         expression.",
                        other.type_name()
                    ),
                );
                return Iteration::Failed;
            }
        };
        Iteration::Pairs(pairs, marked)
    }

    pub(super) fn for_expr(&mut self, f: &ForExpr) -> Value {
        let object = f.key.is_some();
        let unknown_ty = if object {
            Type::Any
        } else {
            Type::List(Box::new(Type::Any))
        };
        let coll = self.expr(&f.collection);
        let (pairs, marked) = match self.iteration(coll, f.collection.pos) {
            Iteration::Pairs(p, m) => (p, m),
            Iteration::Unknown(m) => return Value::Unknown(unknown_ty).mark_if(m),
            Iteration::Failed => return Value::unknown(),
        };
        let key_var = f.key_var.map(|k| k.as_str().to_string());
        let value_var = f.value_var.as_str().to_string();
        let mut elems = Vec::new();
        let mut entries: BTreeMap<String, Value> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut unknown = false;
        for (k, v) in pairs {
            let mut binds = vec![(value_var.clone(), v)];
            if let Some(kv) = &key_var {
                binds.insert(0, (kv.clone(), k));
            }
            match self.with_locals(binds, |ev| ev.for_item(f)) {
                Item::Skip => {}
                Item::Unknown => unknown = true,
                Item::Elem(v) => elems.push(v),
                Item::Entry(key, v) if f.grouping => groups.entry(key).or_default().push(v),
                Item::Entry(key, v) => match entries.entry(key) {
                    Entry::Vacant(slot) => {
                        slot.insert(v);
                    }
                    Entry::Occupied(slot) => {
                        let range = f.key.as_ref().map_or(Pos::NONE, |e| e.pos);
                        self.error_at(
                            range,
                            "Duplicate object key",
                            format!(
                                "Two different items produced the key \"{}\" in this 'for' \
                                 expression. If duplicates are expected, use the ellipsis (...) \
                                 after the value expression to enable grouping by key.",
                                slot.key()
                            ),
                        );
                    }
                },
            }
        }
        let result = if unknown {
            Value::Unknown(unknown_ty)
        } else if !object {
            Value::Tuple(elems)
        } else if f.grouping {
            Value::Object(
                groups
                    .into_iter()
                    .map(|(k, vs)| (k, Value::Tuple(vs)))
                    .collect(),
            )
        } else {
            Value::Object(entries.into_iter().collect())
        };
        result.mark_if(marked)
    }

    /// Evaluates the condition, key and value for the element bound in the current scope.
    fn for_item(&mut self, f: &ForExpr) -> Item {
        if let Some(cond) = &f.cond {
            let range = cond.pos;
            let (c, _) = self.expr(cond).unmark();
            match c {
                Value::Unknown(_) => return Item::Unknown,
                Value::Null => {
                    self.error_at(
                        range,
                        "Invalid 'for' condition",
                        "The value of the 'if' clause must not be null.".into(),
                    );
                    return Item::Skip;
                }
                other => match convert(other, &Type::Bool) {
                    Ok(Value::Bool(true)) => {}
                    Ok(_) => return Item::Skip,
                    Err(e) => {
                        self.error_at(
                            range,
                            "Invalid 'for' condition",
                            format!("The 'if' clause value is invalid: {e}."),
                        );
                        return Item::Skip;
                    }
                },
            }
        }
        let Some(key_expr) = &f.key else {
            return Item::Elem(self.expr(&f.value));
        };
        let before = self.diags.len();
        let (key, key_marked) = self.expr(key_expr).unmark();
        let value = self.expr(&f.value);
        if self.diags.len() > before {
            return Item::Skip;
        }
        if key_marked.any() {
            // A sensitive key would be revealed as an attribute name.
            self.fail(
                Diagnostic::error("Invalid object key")
                    .detail("Sensitive values cannot be used as object keys in a 'for' expression.")
                    .subject_opt(self.span(key_expr.pos)),
            );
            return Item::Skip;
        }
        match key {
            Value::Unknown(_) => Item::Unknown,
            Value::Null => {
                self.error_at(
                    key_expr.pos,
                    "Invalid object key",
                    "Key expression in 'for' expression must not produce a null value.".into(),
                );
                Item::Skip
            }
            other => match convert(other, &Type::String) {
                Ok(Value::String(k)) => Item::Entry(k, value),
                _ => {
                    self.error_at(
                        key_expr.pos,
                        "Invalid object key",
                        "The key expression produced an invalid result: string required.".into(),
                    );
                    Item::Skip
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{ev, ev_diags, ev_err};
    use super::*;

    #[test]
    fn list_results() {
        assert_eq!(
            ev("[for x in xs : x * 2 if x != 2]"),
            Value::Tuple(vec![Value::int(2), Value::int(6)])
        );
        assert_eq!(
            ev("[for i, x in xs : i + x]"),
            Value::Tuple(vec![Value::int(1), Value::int(3), Value::int(5)])
        );
        assert_eq!(
            ev("[for k, v in m : \"${k}${v}\"]"),
            Value::Tuple(vec!["a1".into(), "b2".into()])
        );
        assert_eq!(
            ev("[for k, v in set : \"${k}${v}\"]"),
            Value::Tuple(vec!["xx".into(), "yy".into()])
        );
        // Names bound by the `for` shadow the outer scope, and only inside it.
        assert_eq!(
            ev("[[for s in [\"a\"] : s], s]"),
            Value::Tuple(vec![Value::Tuple(vec!["a".into()]), "hi".into()])
        );
    }

    #[test]
    fn object_results_and_grouping() {
        assert_eq!(
            ev("{for o in objs : o.id => o.n}"),
            Value::object([("a", Value::int(1)), ("b", Value::int(2))])
        );
        assert_eq!(
            ev("{for x in xs : (x > 1 ? \"big\" : \"small\") => x...}"),
            Value::object([
                ("big", Value::Tuple(vec![Value::int(2), Value::int(3)])),
                ("small", Value::Tuple(vec![Value::int(1)])),
            ])
        );
        let (summary, detail, covered) = ev_err("{for x in xs : \"k\" => x}");
        assert_eq!(summary, "Duplicate object key");
        assert!(detail.contains("\"k\"") && detail.contains("grouping"));
        assert_eq!(covered, "\"k\"");
    }

    #[test]
    fn errors() {
        let (summary, _, covered) = ev_err("[for x in xs : x if x]");
        assert_eq!(summary, "Invalid 'for' condition");
        assert_eq!(covered, "x");
        let (_, d) = ev_diags("[for x in xs : x if x]");
        assert_eq!(d.len(), 3, "every element reports");
        assert_eq!(ev_err("[for x in nul : x]").0, "Iteration over null value");
        assert_eq!(
            ev_err("[for x in s : x]").0,
            "Iteration over non-iterable value"
        );
        assert_eq!(ev_err("{for x in xs : nul => x}").0, "Invalid object key");
    }

    #[test]
    fn unknown_and_sensitive() {
        assert!(ev("[for x in u : x]").is_unknown());
        assert!(ev("{for x in xs : x => u}").as_map().is_some());
        assert!(ev("{for x in xs : u => x}").is_unknown());
        assert!(ev("[for x in xs : x if u]").is_unknown());
        let v = ev("[for x in [secret] : x]");
        assert!(v.contains_sensitive());
        let v = ev("[for x in {a = secret}.a == \"pw\" ? xs : [] : x]");
        assert!(v.is_sensitive());
    }
}
