//! `lifecycle { prevent_destroy = EXPR }`: a literal, or (OpenTofu 1.12) any expression of the
//! module's values, such as a variable. It is evaluated in the instance's module instance
//! without `count.index`/`each` (an instance being removed has none), and must give a known,
//! non-sensitive bool, as OpenTofu requires.

use crate::addr::module_instance_of;
use crate::config::Resource;
use crate::diag::Diagnostic;
use crate::lang::{Type, Value};
use crate::walk::body::eval_expr;
use crate::walk::instances::ModuleInst;
use crate::walk::scope::Scope;
use crate::walk::Run;

const INVALID: &str = "Invalid value for prevent_destroy";

/// The error for deleting (or replacing) instance `addr` of resource `r` (in module `mi`)
/// when its `prevent_destroy` is true or cannot be decided; `None` when it may go.
pub fn check(run: &Run, mi: usize, r: &Resource, addr: &str) -> Option<Diagnostic> {
    let e = r.lifecycle.prevent_destroy.as_ref()?;
    let inst = ModuleInst {
        path: module_instance_of(addr),
        ..ModuleInst::default()
    };
    let scope = Scope::at(run, mi, &inst);
    let (v, d) = eval_expr(e, &scope, run.base_dir());
    if let Some(first) =
        d.0.into_iter()
            .find(|x| x.severity == crate::diag::Severity::Error)
    {
        return Some(first.address(addr));
    }
    let bad = |why: String| {
        Some(
            Diagnostic::error(INVALID)
                .detail(why)
                .subject(e.span())
                .address(addr),
        )
    };
    let (inner, marks) = v.peel_marked();
    if marks.sensitive {
        return bad(format!("Resource instance {addr} has a sensitive value for its prevent_destroy argument, which is invalid because it would disclose the sensitive value by whether deletion is blocked.\n\nIf you know this value is not sensitive in practice, use the nonsensitive function to declare that."));
    }
    if inner.is_unknown() {
        return bad(format!("Resource instance {addr} has a prevent_destroy argument but its value will not be known until the apply step, so hubctl can't predict whether destroying this is acceptable.\n\nTo proceed, exclude instances of this resource from this round using:\n    -exclude={}", crate::addr::resource_of(addr)));
    }
    if inner.is_null() {
        return bad(format!("Resource instance {addr} has prevent_destroy set to null. When making a dynamic decision to allow destroy, use false instead."));
    }
    match crate::lang::convert::convert(inner.clone(), &Type::Bool) {
        Ok(Value::Bool(false)) => None,
        Ok(Value::Bool(true)) => Some(refused(r, addr)),
        Ok(_) | Err(_) => bad(format!("Resource instance {addr} has an invalid value for its prevent_destroy argument: a bool is required.")),
    }
}

/// Terraform's error for a plan that would destroy a protected instance.
fn refused(r: &Resource, addr: &str) -> Diagnostic {
    Diagnostic::error("Instance cannot be destroyed")
        .detail(format!("Resource {addr} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, disable lifecycle.prevent_destroy, or change the configuration so the object is kept (or leave it out with -exclude={}).", crate::addr::resource_of(addr)))
        .subject(r.span)
        .address(addr)
}
