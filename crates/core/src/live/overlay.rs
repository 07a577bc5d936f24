//! `overlay_merge(base, overlay, ...)`: hubctl's function for the platform's configuration
//! hierarchy, `config/config.yaml` overlaid by `config/environments/<env>.yaml`:
//!
//! ```hcl
//! locals {
//!   config = overlay_merge(
//!     yamldecode(file("${get_repo_root()}/config/config.yaml")),
//!     yamldecode(file("${get_repo_root()}/config/environments/${local.env}.yaml")),
//!   )
//! }
//! ```
//!
//! Maps (and objects) merge key by key, recursively; anything else in an overlay — a list,
//! a string, a number, a bool, null — replaces the value below it whole. Lists replace rather
//! than concatenate so that an environment can shrink one (fewer availability zones), which
//! Terragrunt's `deep` include merge (lists appended) cannot. It is not a Terragrunt function.

use crate::lang::funcs::FuncError;
use crate::lang::Value;

/// `over` laid over `base`: see the module documentation.
pub fn overlay_merge(base: Value, over: Value) -> Value {
    match (base, over) {
        (Value::Object(mut b) | Value::Map(mut b), Value::Object(o) | Value::Map(o)) => {
            for (k, v) in o {
                let merged = match b.remove(&k) {
                    Some(old) => overlay_merge(old, v),
                    None => v,
                };
                b.insert(k, merged);
            }
            Value::Object(b)
        }
        (_, o) => o,
    }
}

pub(super) fn call(args: &[Value]) -> Result<Value, FuncError> {
    if args.is_empty() {
        return Err(FuncError::Arity {
            expected: "at least 1".into(),
            got: 0,
        });
    }
    for (i, a) in args.iter().enumerate() {
        if !matches!(
            a.peel(),
            Value::Object(_) | Value::Map(_) | Value::Unknown(_)
        ) {
            return Err(FuncError::Arg {
                index: i,
                message: format!("a map or object is required, but got {}", a.type_name()),
            });
        }
    }
    if args.iter().any(|a| a.peel().is_unknown()) {
        return Ok(Value::unknown());
    }
    let mut marked = crate::lang::Marks::NONE;
    let mut it = args.iter().cloned().map(|a| {
        let (v, m) = a.unmark();
        marked |= m;
        v
    });
    let first = it.next().unwrap_or(Value::Null);
    let merged = it.fold(first, overlay_merge);
    Ok(merged.mark_if(marked))
}
