//! Adopting existing objects (Terraform 1.5's `import {}` blocks and `hubctl import`). An
//! instance that is not in the prior state but is an import target gets its prior state
//! from the provider (`Resource::import`, then one `read_many`) and is then planned like
//! any other instance, so an import can also update or replace. The CLI injects one
//! target into the same walk and keeps only the import (no second mechanism).

use super::events::{Event, Observer};
use super::model::Plan;
use crate::addr::InstanceAddr;
use crate::config::{Expr, Module, Resource, ResourceMode};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::lang::Value;
use crate::provider::{OpContext, Schema};
use crate::state::{InstanceState, Mode, StateOp, Status};
use crate::walk::Run;
use std::collections::{BTreeMap, HashSet};

/// Where an import id comes from.
#[derive(Debug, Clone)]
pub enum ImportId {
    /// An `import` block's `id` expression, evaluated in the root module at plan time.
    Expr(Expr),
    /// Given on the command line.
    Literal(String),
}

/// One instance to import.
#[derive(Debug, Clone)]
pub struct ImportTarget {
    /// The full instance address as state keys are written (`module.a.aws_vpc.x["k"]`).
    pub address: String,
    pub id: ImportId,
    /// The import block's header (`None` for the CLI), so errors point at the block.
    pub span: Option<Span>,
    /// `each.key`/`each.value` of a `for_each` import block's element.
    pub each: Option<(Value, Value)>,
}

impl ImportTarget {
    /// The target `hubctl import ADDR ID` injects.
    pub fn literal(address: &str, id: &str) -> Result<ImportTarget, String> {
        Ok(ImportTarget {
            address: InstanceAddr::parse(address.trim())?.to_string(),
            id: ImportId::Literal(id.to_string()),
            span: None,
            each: None,
        })
    }
}

/// The root module's import blocks without `for_each` (addresses normalized; unparsable
/// ones are reported by [`check`] and dropped here). Those with `for_each` are expanded
/// when their resource is planned ([`super::import_each`]).
pub fn targets(root: &Module) -> Vec<ImportTarget> {
    root.imports
        .iter()
        .filter(|i| i.for_each.is_none())
        .filter_map(|i| {
            Some(ImportTarget {
                address: InstanceAddr::parse(i.to.trim()).ok()?.to_string(),
                id: ImportId::Expr(i.id.clone()),
                span: Some(i.span),
                each: None,
            })
        })
        .collect()
}

/// The resource block an instance address names, if the configuration has one.
pub fn resource_config<'a>(root: &'a Module, a: &InstanceAddr) -> Option<&'a Resource> {
    let mut m = root;
    for name in &a.resource.module {
        m = m.children.get(name)?;
    }
    let key = match a.resource.mode {
        ResourceMode::Managed => format!("{}.{}", a.resource.type_name, a.resource.name),
        ResourceMode::Data | ResourceMode::Ephemeral => return None,
    };
    m.resources.get(&key)
}

/// "Configuration for import target does not exist", with a hint of the block to add.
pub fn missing_config(address: &str) -> Diagnostic {
    let hint = InstanceAddr::parse(address)
        .map(|a| {
            format!(
                "add `resource \"{}\" \"{}\" {{ ... }}` to the configuration{} first",
                a.resource.type_name,
                a.resource.name,
                if a.resource.module.is_empty() {
                    String::new()
                } else {
                    format!(" of module.{}", a.resource.module.join(".module."))
                }
            )
        })
        .unwrap_or_else(|_| "write the resource block first".into());
    Diagnostic::error("Configuration for import target does not exist")
        .detail(format!("The configuration for the given import target {address} does not exist. All target instances must have an associated configuration to be imported."))
        .help(hint)
}

/// Errors about the import blocks themselves: a `to` that is no resource instance address,
/// a target without a resource block, the same target twice. Checked before the walk.
pub fn check(root: &Module) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    for i in &root.imports {
        let a = match InstanceAddr::parse(i.to.trim()) {
            Ok(a) if a.resource.mode == ResourceMode::Data => {
                diags.push(
                    Diagnostic::error("Invalid import address")
                        .detail("Only managed resources can be imported; data sources are read, not imported.")
                        .subject(i.span),
                );
                continue;
            }
            Ok(a) => a,
            Err(e) => {
                diags.push(
                    Diagnostic::error("Invalid import address")
                        .detail(e)
                        .subject(i.span),
                );
                continue;
            }
        };
        let address = a.to_string();
        if resource_config(root, &a).is_none() {
            diags.push(missing_config(&address).subject(i.span));
        }
        // The addresses of a `for_each` block are known once it is expanded.
        if i.for_each.is_some() {
            continue;
        }
        if let Some(prev) = seen.insert(address.clone(), i.span) {
            diags.push(
                Diagnostic::error("Duplicate import configuration")
                    .detail(format!("{address} is the target of more than one import block; an object can be imported once."))
                    .subject(i.span)
                    .related(prev, "previous import block"),
            );
        }
    }
    diags
}

/// The import target for an instance that is not in the prior state.
pub fn target_for<'a>(
    run: &Run,
    imports: &'a [ImportTarget],
    address: &str,
) -> Option<&'a ImportTarget> {
    if run.prior.resources.contains_key(address) {
        return None;
    }
    imports.iter().find(|t| t.address == address)
}

/// Targets of resource `resource` whose instance key the expansion did not produce.
pub fn unmatched(
    run: &Run,
    imports: &[ImportTarget],
    resource: &str,
    instances: &HashSet<String>,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for t in imports {
        let of_resource = crate::addr::resource_of(&t.address) == resource;
        if of_resource && !instances.contains(&t.address) && run.prior_value(&t.address).is_none() {
            let mut d = missing_config(&t.address).detail(format!("The configuration for the given import target {} does not exist: the resource has no instance with that key (check its count or for_each).", t.address));
            if let Some(s) = t.span {
                d = d.subject(s);
            }
            diags.push(d);
        }
    }
    diags
}

fn at(d: Diagnostic, t: &ImportTarget) -> Diagnostic {
    let d = d.address(t.address.clone());
    match t.span {
        Some(s) => d.subject(s),
        None => d,
    }
}

/// The id as a string: known, and a string or number.
fn eval_id(run: &Run, t: &ImportTarget) -> Result<String, Diagnostic> {
    let e = match &t.id {
        ImportId::Literal(s) => return Ok(s.clone()),
        ImportId::Expr(e) => e,
    };
    let mut scope = crate::walk::scope::Scope::new(run, 0);
    scope.each = t.each.clone();
    let (v, d) = crate::walk::body::eval_expr(e, &scope, run.base_dir());
    if let Some(first) = d.iter().find(|d| d.is_error()) {
        return Err(first.clone());
    }
    let invalid = |why: &str| {
        Diagnostic::error("Invalid import id argument")
            .detail(why.to_string())
            .subject(e.span())
            .address(t.address.clone())
    };
    if !v.is_wholly_known() {
        return Err(invalid("The import block \"id\" argument depends on values that cannot be determined until apply, so hubctl cannot plan to import this resource."));
    }
    match v.peel() {
        Value::String(s) if !s.is_empty() => Ok(s.clone()),
        n @ Value::Number(_) => Ok(n.to_json().to_string()),
        _ => Err(invalid(
            "The import block \"id\" argument must be a non-empty string.",
        )),
    }
}

/// Imports one instance: the id, the provider's minimal state, one refresh. Returns the id
/// and the refreshed object, which becomes the instance's prior state.
pub async fn import_instance(
    run: &Run,
    observer: &dyn Observer,
    (n, provider): (usize, &str),
    r: &Resource,
    schema: &Schema,
    t: &ImportTarget,
) -> Result<(String, Value), Diagnostic> {
    let id = eval_id(run, t)?;
    let type_name = &r.type_name;
    let (_, rt) = run
        .registry
        .resource(type_name)
        .ok_or_else(|| at(Diagnostic::error("Invalid resource type"), t))?;
    let client = run
        .client_for(n, provider)
        .ok_or_else(|| at(Diagnostic::error("Provider not configured"), t))?;
    let noop = |_: &str| {};
    let ctx = OpContext {
        client: &client,
        address: &t.address,
        timeouts: Default::default(),
        create_token: "",
        recovering: false,
        recovered: &crate::provider::no_recovery,
        note: &crate::provider::no_note,
        progress: &noop,
    };
    observer.event(Event::Refreshing {
        address: t.address.clone(),
        id: Some(id.clone()),
    });
    let failed = |e: String| {
        at(
            Diagnostic::error("Cannot import non-existent remote object").detail(format!(
                "While importing {} with id \"{id}\": {e}. Only pre-existing objects can be imported; check the id, and that the object is in the region and account the provider is configured for.",
                t.address
            )),
            t,
        )
    };
    let _permit = run.semaphore.acquire().await;
    let minimal = rt.import(&ctx, &id).await.map_err(|e| {
        let d = failed(e.to_string());
        if e.message.ends_with("does not support import") {
            at(Diagnostic::error("Resource type does not support import").detail(format!("{}: {type_name} does not support import; only objects of types with a remote object can be adopted.", t.address)), t)
        } else {
            d
        }
    })?;
    let read = rt.read_many(&ctx, std::slice::from_ref(&minimal)).await;
    match read.into_iter().next() {
        Some(Ok(Some(v))) => Ok((id, super::resource::normalize(schema, v))),
        Some(Ok(None)) | None => Err(failed(format!(
            "the refresh (read) of {type_name} found no object"
        ))),
        Some(Err(e)) => Err(failed(e.to_string())),
    }
}

/// The state writes that adopt a plan's imported objects, and nothing else: what
/// `hubctl import` persists (Terraform's CLI import never applies the rest of a plan).
pub fn import_ops(run: &Run, plan: &Plan) -> Vec<StateOp> {
    plan.changes
        .iter()
        .filter(|c| c.importing.is_some())
        .filter_map(|c| {
            let before = c.before.as_ref()?;
            let node = run.node_of(&c.address)?;
            let deps = run.graph.resource_dependencies(node);
            let cbd = InstanceAddr::parse(&c.address)
                .ok()
                .and_then(|a| resource_config(&run.config.root, &a))
                .is_some_and(|r| r.lifecycle.create_before_destroy);
            Some(StateOp::SetInstance {
                address: c.address.clone(),
                instance: InstanceState::from_value(
                    Mode::Managed,
                    &c.type_name,
                    &c.provider,
                    before,
                    deps,
                    Status::Ready,
                    cbd,
                ),
            })
        })
        .collect()
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
