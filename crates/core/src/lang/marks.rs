//! Marks on values, as cty's: *sensitive* (never printed) and *ephemeral* (Terraform 1.10:
//! exists only during one run, never stored in state or a plan file). A marked value is a
//! wrapper variant around the plain one; with both marks the ephemeral one is outside,
//! `Ephemeral(Sensitive(v))`, so each mark is found in one place.
//!
//! Marks flow through every computation the same way: the evaluator and the function
//! framework take them off their operands ([`Value::unmark`], [`Value::deep_unmark`]),
//! compute on plain values and put the union back on the result ([`Value::mark_if`]). Only
//! `nonsensitive` and `ephemeralasnull` remove a mark on purpose.

use super::value::Value;
use super::vecmap::VecMap;
use std::ops::{BitOr, BitOrAssign};

/// The marks a value carries (or a computation's operands carried).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Marks {
    pub sensitive: bool,
    pub ephemeral: bool,
}

impl Marks {
    pub const NONE: Marks = Marks {
        sensitive: false,
        ephemeral: false,
    };
    pub const SENSITIVE: Marks = Marks {
        sensitive: true,
        ephemeral: false,
    };
    pub const EPHEMERAL: Marks = Marks {
        sensitive: false,
        ephemeral: true,
    };

    /// True when any mark is set.
    pub fn any(self) -> bool {
        self.sensitive || self.ephemeral
    }
}

impl BitOr for Marks {
    type Output = Marks;
    fn bitor(self, o: Marks) -> Marks {
        Marks {
            sensitive: self.sensitive || o.sensitive,
            ephemeral: self.ephemeral || o.ephemeral,
        }
    }
}

impl BitOrAssign for Marks {
    fn bitor_assign(&mut self, o: Marks) {
        *self = *self | o;
    }
}

/// `true` is the sensitive mark: what callers that only know sensitivity (a schema's
/// `sensitive` flag) pass to [`Value::mark_if`].
impl From<bool> for Marks {
    fn from(sensitive: bool) -> Marks {
        Marks {
            sensitive,
            ephemeral: false,
        }
    }
}

impl Value {
    pub fn sensitive(self) -> Value {
        match self {
            Value::Sensitive(_) => self,
            Value::Ephemeral(v) => Value::Ephemeral(Box::new(v.sensitive())),
            v => Value::Sensitive(Box::new(v)),
        }
    }

    /// Marks the value ephemeral: it may flow into provider configurations, ephemeral
    /// resources, locals and ephemeral variables and outputs, but never into state.
    pub fn ephemeral(self) -> Value {
        match self {
            Value::Ephemeral(_) => self,
            v => Value::Ephemeral(Box::new(v)),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.peel(), Value::Null)
    }

    /// True when this value itself (not a nested element) is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self.peel(), Value::Unknown(_))
    }

    /// True when the value or anything nested in it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self.peel() {
            Value::Unknown(_) => false,
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                xs.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    /// The marks on this value itself (not on nested elements).
    pub fn marks(&self) -> Marks {
        self.peel_marked().1
    }

    pub fn is_sensitive(&self) -> bool {
        self.marks().sensitive
    }

    pub fn is_ephemeral(&self) -> bool {
        self.marks().ephemeral
    }

    /// True when the value or anything nested in it is marked sensitive.
    pub fn contains_sensitive(&self) -> bool {
        self.contains_marks().sensitive
    }

    /// True when the value or anything nested in it is marked ephemeral.
    pub fn contains_ephemeral(&self) -> bool {
        self.contains_marks().ephemeral
    }

    /// The union of the marks on the value and on everything nested in it.
    pub fn contains_marks(&self) -> Marks {
        let (inner, mut m) = self.peel_marked();
        match inner {
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                xs.iter().for_each(|x| m |= x.contains_marks())
            }
            Value::Map(map) | Value::Object(map) => {
                map.values().for_each(|x| m |= x.contains_marks())
            }
            _ => {}
        }
        m
    }

    /// Removes the top-level marks; returns the inner value and the marks it had.
    pub fn unmark(self) -> (Value, Marks) {
        match self {
            Value::Ephemeral(v) => {
                let (v, m) = v.unmark();
                (v, m | Marks::EPHEMERAL)
            }
            Value::Sensitive(v) => (v.unmark().0, Marks::SENSITIVE),
            v => (v, Marks::NONE),
        }
    }

    /// Removes all marks, deep; returns the union of the marks found. Functions use this
    /// and re-mark their result, so no mark is dropped by a computation.
    pub fn deep_unmark(self) -> (Value, Marks) {
        let (v, mut m) = self.unmark();
        let v = match v {
            Value::List(xs) => Value::List(unmark_all(xs, &mut m)),
            Value::Tuple(xs) => Value::Tuple(unmark_all(xs, &mut m)),
            Value::Set(xs) => Value::Set(unmark_all(xs, &mut m)),
            Value::Map(map) => Value::Map(unmark_entries(map, &mut m)),
            Value::Object(map) => Value::Object(unmark_entries(map, &mut m)),
            v => v,
        };
        (v, m)
    }

    /// Puts `marks` on `self` (a `bool` is the sensitive mark).
    pub fn mark_if(self, marks: impl Into<Marks>) -> Value {
        let m = marks.into();
        let v = if m.sensitive { self.sensitive() } else { self };
        if m.ephemeral {
            v.ephemeral()
        } else {
            v
        }
    }

    /// The inner value, looking through the marks, and the marks there were. A caller that
    /// builds another value, output or message from the inner value must carry the marks
    /// over (`mark_if`).
    pub fn peel_marked(&self) -> (&Value, Marks) {
        match self {
            Value::Ephemeral(v) => {
                let (v, m) = v.peel_marked();
                (v, m | Marks::EPHEMERAL)
            }
            Value::Sensitive(v) => (v.peel_marked().0, Marks::SENSITIVE),
            v => (v, Marks::NONE),
        }
    }

    /// The inner value, looking through the marks without saying which there were: for
    /// reads whose result is not shown or kept in another value (a secret sent to an API,
    /// a test of shape). Everything else uses [`Value::peel_marked`].
    pub fn peel(&self) -> &Value {
        self.peel_marked().0
    }

    /// Terraform's `nonsensitive`: every sensitive mark removed, at any depth; the ephemeral
    /// marks are kept.
    pub fn nonsensitive(self) -> Value {
        let (v, m) = self.unmark();
        let v = match v {
            Value::List(xs) => Value::List(xs.into_iter().map(Value::nonsensitive).collect()),
            Value::Tuple(xs) => Value::Tuple(xs.into_iter().map(Value::nonsensitive).collect()),
            Value::Set(xs) => Value::set(xs.into_iter().map(Value::nonsensitive).collect()),
            Value::Map(m) => {
                Value::Map(m.into_iter().map(|(k, v)| (k, v.nonsensitive())).collect())
            }
            Value::Object(m) => {
                Value::Object(m.into_iter().map(|(k, v)| (k, v.nonsensitive())).collect())
            }
            v => v,
        };
        v.mark_if(Marks {
            sensitive: false,
            ..m
        })
    }

    /// Terraform's `ephemeralasnull`: every ephemeral part, at any depth, becomes null;
    /// everything else (sensitive marks too) is kept.
    pub fn ephemeral_as_null(self) -> Value {
        match self {
            Value::Ephemeral(_) => Value::Null,
            Value::Sensitive(v) => v.ephemeral_as_null().sensitive(),
            Value::List(xs) => Value::List(xs.into_iter().map(Value::ephemeral_as_null).collect()),
            Value::Tuple(xs) => {
                Value::Tuple(xs.into_iter().map(Value::ephemeral_as_null).collect())
            }
            Value::Set(xs) => Value::set(xs.into_iter().map(Value::ephemeral_as_null).collect()),
            Value::Map(m) => Value::Map(null_entries(m)),
            Value::Object(m) => Value::Object(null_entries(m)),
            v => v,
        }
    }
}

fn null_entries(map: VecMap<String, Value>) -> VecMap<String, Value> {
    map.into_iter()
        .map(|(k, v)| (k, v.ephemeral_as_null()))
        .collect()
}

fn unmark_entries(map: VecMap<String, Value>, any: &mut Marks) -> VecMap<String, Value> {
    map.into_iter()
        .map(|(k, v)| {
            let (v, m) = v.deep_unmark();
            *any |= m;
            (k, v)
        })
        .collect()
}

fn unmark_all(xs: Vec<Value>, any: &mut Marks) -> Vec<Value> {
    xs.into_iter()
        .map(|v| {
            let (v, m) = v.deep_unmark();
            *any |= m;
            v
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_marks_nest_in_one_order() {
        let a = Value::from("x").sensitive().ephemeral();
        let b = Value::from("x").ephemeral().sensitive();
        assert_eq!(a, b);
        assert!(matches!(&a, Value::Ephemeral(inner) if inner.is_sensitive()));
        let (plain, m) = a.unmark();
        assert_eq!(
            (plain, m),
            (Value::from("x"), Marks::SENSITIVE | Marks::EPHEMERAL)
        );
    }

    #[test]
    fn deep_unmark_collects_every_mark_and_mark_if_restores_them() {
        let v = Value::Tuple(vec![
            Value::from("a").sensitive(),
            Value::object([("e", Value::from("b").ephemeral())]),
        ]);
        assert!(v.contains_ephemeral() && v.contains_sensitive());
        assert!(!v.is_ephemeral());
        let (plain, m) = v.deep_unmark();
        assert!(!plain.contains_marks().any());
        let back = plain.mark_if(m);
        assert!(back.is_ephemeral() && back.is_sensitive());
        assert!(Value::from("s").mark_if(true).is_sensitive());
        assert!(!Value::from("s").mark_if(true).is_ephemeral());
    }

    #[test]
    fn ephemeral_as_null_replaces_only_ephemeral_parts() {
        let v = Value::object([
            ("a", Value::from("e").ephemeral()),
            ("b", Value::from("keep")),
            ("s", Value::from("pw").sensitive()),
        ]);
        let out = v.ephemeral_as_null();
        assert_eq!(out.get_attr("a"), Some(&Value::Null));
        assert_eq!(out.get_attr("b"), Some(&Value::from("keep")));
        assert!(out.get_attr("s").unwrap().is_sensitive());
        assert!(!out.contains_ephemeral());
        assert_eq!(
            Value::from("e").ephemeral().ephemeral_as_null(),
            Value::Null
        );
    }

    #[test]
    fn predicates_look_through_both_marks() {
        let v = Value::unknown().sensitive().ephemeral();
        assert!(v.is_unknown() && !v.is_wholly_known() && !v.is_null());
        assert!(Value::Null.ephemeral().is_null());
        assert_eq!(Value::from("x").ephemeral().peel().as_str(), Some("x"));
    }
}
