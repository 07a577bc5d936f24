//! `import` blocks with `for_each` (Terraform 1.7): one import per element of a map, set or
//! list known at plan time, with `each.key`/`each.value` in `to`'s instance key and in `id`.
//! They are expanded when the resource they target is planned (the graph makes that node
//! wait for the references of `for_each`, the key and the id).

use super::import::{ImportId, ImportTarget};
use crate::addr::{names_resource, InstanceAddr};
use crate::config::{Expr, Import};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::walk::body::eval_expr;
use crate::walk::scope::Scope;
use crate::walk::Run;

/// The targets of the `for_each` import blocks that name resource `key` of the module at
/// `path`; errors of `for_each` or of a key are reported at the expression.
pub fn expand(run: &Run, path: &[String], key: &str) -> (Vec<ImportTarget>, Diagnostics) {
    let mut out = Vec::new();
    let mut diags = Diagnostics::new();
    let blocks = run.config.root.imports.iter();
    for imp in blocks.filter(|i| i.for_each.is_some() && names_resource(&i.to, path, key)) {
        match expand_block(run, imp) {
            Ok(targets) => out.extend(targets),
            Err(d) => diags.push(d),
        }
    }
    (out, diags)
}

fn expand_block(run: &Run, imp: &Import) -> Result<Vec<ImportTarget>, Diagnostic> {
    let Some(fe) = &imp.for_each else {
        return Ok(Vec::new());
    };
    let mut targets = Vec::new();
    for each in elements(run, fe)? {
        let address = match &imp.to_key {
            Some(k) => keyed(run, &imp.to, k, &each)?,
            None => imp.to.clone(),
        };
        let address = InstanceAddr::parse(address.trim())
            .map_err(|e| {
                Diagnostic::error("Invalid import address")
                    .detail(e)
                    .subject(imp.span)
            })?
            .to_string();
        targets.push(ImportTarget {
            address,
            id: ImportId::Expr(imp.id.clone()),
            span: Some(imp.span),
            each: Some(each),
        });
    }
    Ok(targets)
}

/// `(each.key, each.value)` of every element: a map's keys, a set's values, a list's indexes.
fn elements(run: &Run, fe: &Expr) -> Result<Vec<(Value, Value)>, Diagnostic> {
    let (v, d) = eval_expr(fe, &Scope::new(run, 0), run.base_dir());
    if let Some(first) = d.iter().find(|d| d.is_error()) {
        return Err(first.clone());
    }
    let invalid = |detail: &str| {
        Diagnostic::error("Invalid for_each argument")
            .detail(detail.to_string())
            .subject(fe.span())
    };
    if !v.is_wholly_known() {
        return Err(invalid("The \"for_each\" expression includes values derived from other resource attributes that cannot be determined until apply, and so hubctl cannot determine the full set of values that might be used to import this resource."));
    }
    if v.is_sensitive() {
        return Err(invalid("Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments."));
    }
    match v.peel() {
        Value::Map(m) | Value::Object(m) => Ok(m
            .iter()
            .map(|(k, x)| (Value::from(k.as_str()), x.clone()))
            .collect()),
        Value::Set(xs) => Ok(xs.iter().map(|x| (x.clone(), x.clone())).collect()),
        Value::List(xs) | Value::Tuple(xs) => Ok(xs
            .iter()
            .enumerate()
            .map(|(i, x)| (Value::int(i as i64), x.clone()))
            .collect()),
        _ => Err(invalid("The \"for_each\" expression must be a collection.")),
    }
}

/// `to`'s address with its key expression evaluated for one element.
fn keyed(run: &Run, to: &str, key: &Expr, each: &(Value, Value)) -> Result<String, Diagnostic> {
    let mut scope = Scope::new(run, 0);
    scope.each = Some(each.clone());
    let (v, d) = eval_expr(key, &scope, run.base_dir());
    if let Some(first) = d.iter().find(|d| d.is_error()) {
        return Err(first.clone());
    }
    match v.peel() {
        Value::String(s) => Ok(format!("{to}[{}]", Value::from(s.as_str()).to_json())),
        Value::Number(n) if n.as_i64().is_some_and(|i| i >= 0) => {
            Ok(format!("{to}[{}]", n.as_i64().unwrap_or_default()))
        }
        _ => Err(Diagnostic::error("Invalid import address")
            .detail(format!(
                "An instance key in `to` must be a known string or whole number, got {}.",
                v.type_name()
            ))
            .subject(key.span())),
    }
}
