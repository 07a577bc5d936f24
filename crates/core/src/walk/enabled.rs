//! `lifecycle { enabled = EXPR }` (OpenTofu 1.11): zero or one instance of a resource, with
//! the single instance's unkeyed address (`aws_x.a`, not `aws_x.a[0]`); a disabled resource
//! evaluates to null. OpenTofu's rules for the value: a known, non-null, non-sensitive bool.

use super::expand::{expand, Instance};
use crate::addr::InstanceKey;
use crate::config::Resource;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::{Resolver, Type, Value};
use crate::walk::body::eval_expr;
use std::path::Path;

/// The instances of resource `r`: its `count`/`for_each` ([`expand`]), or its `enabled`
/// switch. `validate` lets an unknown switch through as one instance.
pub fn expand_resource(
    r: &Resource,
    resolver: &dyn Resolver,
    base_dir: &Path,
    validate: bool,
) -> (Vec<Instance>, Diagnostics) {
    let Some(e) = &r.lifecycle.enabled else {
        return expand(
            r.count.as_ref(),
            r.for_each.as_ref(),
            resolver,
            base_dir,
            validate,
        );
    };
    let (v, mut diags) = eval_expr(e, resolver, base_dir);
    if diags.has_errors() {
        return (Vec::new(), diags);
    }
    let single = Instance {
        key: InstanceKey::None,
        count_index: None,
        each: None,
    };
    let bad = |why: &str| {
        Diagnostic::error("Invalid enabled argument")
            .detail(why.to_string())
            .subject(e.span())
    };
    let (inner, marks) = v.peel_marked();
    let err = if marks.sensitive {
        Some(bad("Sensitive values, or values derived from sensitive values, cannot be used in \"enabled\" arguments. If used, the sensitive value would be exposed by whether an instance is present."))
    } else if inner.is_unknown() {
        if validate {
            return (vec![single], diags);
        }
        Some(bad("The given \"enabled\" argument value is derived from a value that won't be known until the apply phase, so hubctl cannot determine whether an instance of this object is declared or not."))
    } else if inner.is_null() {
        Some(bad(
            "The given \"enabled\" argument value is unsuitable: the given value is null.",
        ))
    } else {
        match crate::lang::convert::convert(inner.clone(), &Type::Bool) {
            Ok(Value::Bool(true)) => return (vec![single], diags),
            Ok(Value::Bool(false)) => return (Vec::new(), diags),
            _ => Some(bad(&format!(
                "The given \"enabled\" argument value is unsuitable: a bool is required, got {}.",
                inner.type_name()
            ))),
        }
    };
    diags.0.extend(err);
    (Vec::new(), diags)
}
