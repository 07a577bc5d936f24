//! `lifecycle { replace_triggered_by = [...] }` elements: what each one may be (a reference to
//! a resource, one of its instances, or an attribute of one, with `count.index` / `each.key`
//! as the only variables allowed in index keys), parsed once by the loader to check it and
//! again by planning to find what it names.

use crate::lang::ir::{Expr, Kind, OpKind};

/// An index key as written: a constant, or the only two variables Terraform allows.
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    Int(i64),
    Str(String),
    CountIndex,
    EachKey,
}

/// One step of the attribute path after the instance.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Attr(String),
    Index(Key),
}

/// A parsed `replace_triggered_by` element.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerRef {
    /// The resource's key in its module: `type.name`, or `data.type.name`.
    pub resource: String,
    /// The instance key, when the reference names one instance (`aws_x.a[0]`).
    pub key: Option<Key>,
    /// Whether the reference names the whole resource (no key, no attribute).
    pub whole: bool,
    /// The attribute path after the instance (empty: any change of the instance).
    pub path: Vec<Step>,
}

/// Why an element is refused: Terraform's summary and detail.
pub type Refusal = (&'static str, &'static str);

const NOT_STATIC: Refusal = (
    "Invalid expression",
    "A single static variable reference is required: only attribute access and indexing with \
     constant keys. No calculations, function calls, template expressions, etc are allowed here.",
);
const NOT_RESOURCE: Refusal = (
    "Invalid reference in replace_triggered_by expression",
    "Only resources, count.index, and each.key may be used in replace_triggered_by.",
);
const BAD_EACH: Refusal = (
    "Invalid each reference in replace_triggered_by expression",
    "Only each.key may be used in replace_triggered_by.",
);
const BAD_COUNT: Refusal = (
    "Invalid count reference in replace_triggered_by expression",
    "Only count.index may be used in replace_triggered_by.",
);
const NO_NAME: Refusal = (
    "Invalid reference",
    "A reference to a resource type must be followed by at least one attribute access, \
     specifying the resource name.",
);

/// Names that are not resource types in a reference.
const NOT_TYPES: &[&str] = &[
    "var",
    "local",
    "module",
    "path",
    "terraform",
    "self",
    "count",
    "each",
];

fn strip(e: &Expr) -> &Expr {
    match &e.kind {
        Kind::Paren(inner) => strip(inner),
        _ => e,
    }
}

/// Parses one element, or says why it is refused.
pub fn parse(e: &Expr) -> Result<TriggerRef, Refusal> {
    let (root, ops): (&str, Vec<&OpKind>) = match &strip(e).kind {
        Kind::Variable(v) => (v.as_str(), Vec::new()),
        Kind::Traversal(t) => match &strip(&t.root).kind {
            Kind::Variable(v) => (v.as_str(), t.ops.iter().map(|o| &o.kind).collect()),
            _ => return Err(NOT_STATIC),
        },
        _ => return Err(NOT_STATIC),
    };
    let mut steps = Vec::new();
    for op in &ops {
        steps.push(match op {
            OpKind::GetAttr(name) => Step::Attr(name.as_str().to_string()),
            OpKind::LegacyIndex(i) => Step::Index(Key::Int(*i as i64)),
            OpKind::Index(k) => Step::Index(key(k)?),
            _ => return Err(NOT_STATIC),
        });
    }
    let mut steps = steps.into_iter();
    let resource = match (root, steps.next()) {
        ("count", _) => return Err(BAD_COUNT),
        ("each", _) => return Err(BAD_EACH),
        (r, _) if NOT_TYPES.contains(&r) => return Err(NOT_RESOURCE),
        ("data", Some(Step::Attr(ty))) => match steps.next() {
            Some(Step::Attr(name)) => format!("data.{ty}.{name}"),
            _ => return Err(NO_NAME),
        },
        (ty, Some(Step::Attr(name))) => format!("{ty}.{name}"),
        _ => return Err(NO_NAME),
    };
    let mut rest: Vec<Step> = steps.collect();
    let whole = rest.is_empty();
    let key = match rest.first() {
        Some(Step::Index(_)) => match rest.remove(0) {
            Step::Index(k) => Some(k),
            Step::Attr(_) => None,
        },
        _ => None,
    };
    Ok(TriggerRef {
        resource,
        key,
        whole,
        path: rest,
    })
}

/// An index key: a number or string literal, `count.index` or `each.key`.
fn key(e: &Expr) -> Result<Key, Refusal> {
    match &strip(e).kind {
        Kind::Number(n) => n.as_i64().map(Key::Int).ok_or(NOT_STATIC),
        Kind::String(s) => Ok(Key::Str(s.to_string())),
        Kind::Traversal(t) => {
            let Kind::Variable(v) = &strip(&t.root).kind else {
                return Err(NOT_STATIC);
            };
            let attr = match t.ops.iter().map(|o| &o.kind).collect::<Vec<_>>()[..] {
                [OpKind::GetAttr(a)] => a.as_str().to_string(),
                _ => return Err(NOT_STATIC),
            };
            match (v.as_str(), attr.as_str()) {
                ("count", "index") => Ok(Key::CountIndex),
                ("each", "key") => Ok(Key::EachKey),
                ("count", _) => Err(BAD_COUNT),
                ("each", _) => Err(BAD_EACH),
                _ => Err(NOT_RESOURCE),
            }
        }
        _ => Err(NOT_STATIC),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<TriggerRef, Refusal> {
        parse(&crate::lang::ir::parse(s).expect("parses"))
    }

    #[test]
    fn resources_instances_and_attributes() {
        let r = p("aws_x.a").unwrap();
        assert_eq!(
            (r.resource.as_str(), &r.key, r.whole),
            ("aws_x.a", &None, true)
        );
        let r = p("aws_x.a[0]").unwrap();
        assert_eq!((r.key, r.whole), (Some(Key::Int(0)), false));
        let r = p("aws_x.a[count.index].id").unwrap();
        assert_eq!(r.key, Some(Key::CountIndex));
        assert_eq!(r.path, vec![Step::Attr("id".into())]);
        let r = p("aws_x.a[each.key].tags[\"k\"]").unwrap();
        assert_eq!(r.key, Some(Key::EachKey));
        assert_eq!(
            r.path,
            vec![Step::Attr("tags".into()), Step::Index(Key::Str("k".into()))]
        );
        let r = p("aws_x.a.id").unwrap();
        assert_eq!((r.key, r.whole), (None, false));
        assert_eq!(p("data.t.n").unwrap().resource, "data.t.n");
    }

    #[test]
    fn everything_else_is_refused() {
        assert_eq!(p("var.x"), Err(NOT_RESOURCE));
        assert_eq!(p("local.x"), Err(NOT_RESOURCE));
        assert_eq!(p("aws_x.a[each.value]"), Err(BAD_EACH));
        assert_eq!(p("aws_x.a[count.foo]"), Err(BAD_COUNT));
        assert_eq!(p("aws_x.a[var.k]"), Err(NOT_RESOURCE));
        assert_eq!(p("aws_x.a[upper(\"x\")]"), Err(NOT_STATIC));
        assert_eq!(p("upper(aws_x.a.id)"), Err(NOT_STATIC));
        assert_eq!(p("aws_x"), Err(NO_NAME));
        assert_eq!(p("aws_x.a[*].id"), Err(NOT_STATIC));
    }
}
