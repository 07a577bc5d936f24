//! Planning one resource (all its instances): expand, evaluate each instance's body, refresh
//! the prior state (one batched read per resource type and provider), diff, and decide.

use super::diff::{decide, proposed};
use super::expand::Instance;
use super::import::ImportTarget;
use super::model::{Action, Reason, ResourceChange};
use super::step::{PlanStep, RefreshResult};
use crate::addr::InstanceKey;
use crate::config::{Resource, ResourceMode};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::provider::{PlanContext, Schema};
use crate::state::{InstanceState, Mode as StateMode, Status};
use crate::walk::body::{eval_body, BodyCtx};
use crate::walk::instances::{pack, ModuleInst};
use crate::walk::scope::Scope;
use crate::walk::{Mode, NodeResult, Run};
use std::collections::HashSet;

/// Block kinds every resource accepts and the engine handles itself.
pub const ENGINE_BLOCKS: &[&str] = &["timeouts"];

/// Collects a resource's instance values (in one module instance) into the value
/// references see.
pub fn aggregate(r: &Resource, items: Vec<(InstanceKey, Value)>) -> Value {
    if r.count.is_some() || r.for_each.is_some() {
        return crate::walk::scope::instances_value(r.count.is_some(), items);
    }
    items
        .into_iter()
        .next()
        .map(|(_, v)| v)
        .unwrap_or(Value::Null)
}

/// A resource's value in each instance of its module, as the prior state has it (destroy
/// walks evaluate nothing new).
pub fn prior_aggregate(run: &Run, mi: usize, r: &Resource, addr: &str) -> Value {
    let by_inst = |m: &ModuleInst| {
        let prefix = m.prefix();
        let mut items = Vec::new();
        for a in run.prior_by_resource.get(addr).into_iter().flatten() {
            if a.contains(" (deposed") || !in_instance(a, &prefix, r) {
                continue;
            }
            let key = crate::addr::InstanceAddr::parse(a)
                .map(|p| p.key)
                .unwrap_or(InstanceKey::None);
            items.push((key, run.prior.resources[a].value()));
        }
        aggregate(r, items)
    };
    let items = run
        .module_instances(mi)
        .into_iter()
        .map(|m| {
            let v = by_inst(&m);
            (m, v)
        })
        .collect();
    pack(mi, items)
}

/// Whether state key `a` of resource `r` lives in the module instance with `prefix`.
fn in_instance(a: &str, prefix: &str, r: &Resource) -> bool {
    a.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix(r.key().as_str()))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('['))
}

/// Finds the type's schema, or a diagnostic naming the type.
pub fn schema_of(run: &Run, r: &Resource) -> Result<Schema, Diagnostic> {
    run.registry.schema_of(r.mode, &r.type_name).ok_or_else(|| {
        let (kind, names) = (r.mode.noun(), run.registry.type_names(r.mode));
        let mut d = Diagnostic::error(format!("Invalid {kind} type"))
            .detail(format!(
                "hubctl does not support {kind} type \"{}\".",
                r.type_name
            ))
            .subject(r.span);
        if let Some(h) = crate::lang::did_you_mean(&r.type_name, names) {
            d = d.help(format!("did you mean \"{h}\"?"));
        }
        d
    })
}

/// Evaluates one instance's body.
pub fn eval_instance(
    run: &Run,
    (mi, minst): (usize, &ModuleInst),
    r: &Resource,
    schema: &Schema,
    inst: &Instance,
) -> (Value, Diagnostics) {
    let scope = Scope::of_instance(run, mi, minst, inst);
    let (config, diags) = eval_body(
        &r.body,
        schema,
        r.span,
        &BodyCtx {
            resolver: &scope,
            base_dir: run.base_dir(),
            skip_blocks: ENGINE_BLOCKS,
        },
    );
    // Planned, saved and stored alike: the numbers the state can hold.
    (config.as_stored(), diags)
}

/// Converts a state value to the schema's types (state JSON has no sets).
pub fn normalize(schema: &Schema, v: Value) -> Value {
    crate::lang::convert::convert(v.clone(), &schema.object_type()).unwrap_or(v)
}

/// Plans every instance of resource node `n`, in every instance of its module: the value
/// references see, and the changes.
pub async fn plan_resource(
    run: &Run,
    step: &PlanStep,
    n: usize,
    mi: usize,
    key: &str,
) -> (NodeResult, Vec<ResourceChange>) {
    let r = &run.module(mi).resources[key];
    let addr = run.resource_address(mi, key);
    let schema = match schema_of(run, r) {
        Ok(s) => s,
        Err(d) => return (NodeResult::value(Value::unknown(), d.into()), vec![]),
    };
    let validate = run.is_validate();
    if run.mode == Mode::Plan && run.destroy {
        let value = prior_aggregate(run, mi, r, &addr);
        return (NodeResult::value(value, Diagnostics::new()), vec![]);
    }
    let refreshed = if validate {
        None
    } else {
        step.refresh(run, n, r).await
    };
    let (imports, mut diags) = step.imports_for(run, mi, key, validate);
    let mut changes = Vec::new();
    let mut seen = HashSet::new();
    let mut values = Vec::new();
    let mut failed = diags.has_errors();
    for minst in run.module_instances(mi) {
        let cx = Cx {
            run,
            step,
            imports: &imports,
            n,
            mi: (mi, &minst),
            r,
            addr: &addr,
            schema: &schema,
            refreshed: refreshed.as_ref().and_then(|c| c.get()),
        };
        match cx
            .plan_module_instance(&mut seen, &mut changes, &mut diags)
            .await
        {
            Some(v) => values.push((minst.clone(), v)),
            None => failed = true,
        }
    }
    if !validate && r.mode == ResourceMode::Managed && !failed {
        diags.extend(super::import::unmatched(run, &imports, &addr, &seen));
        changes.extend(super::stale::stale(
            run,
            (n, mi),
            r,
            &addr,
            &seen,
            &mut diags,
        ));
    }
    let value = if validate {
        Value::unknown()
    } else {
        pack(mi, values)
    };
    (NodeResult::value(value, diags), changes)
}

/// What planning one resource's instances shares.
struct Cx<'a> {
    run: &'a Run,
    step: &'a PlanStep,
    /// The import targets of this resource's instances.
    imports: &'a [ImportTarget],
    n: usize,
    mi: (usize, &'a ModuleInst),
    r: &'a Resource,
    addr: &'a str,
    schema: &'a Schema,
    refreshed: Option<&'a RefreshResult>,
}

/// An instance's prior object as planning starts from it.
struct Prior<'a> {
    /// What the refresh read (or the stored value, or the imported object).
    value: Option<Value>,
    /// Why there is none (or why the object is replaced), when that needs saying.
    reason: Option<Reason>,
    importing: Option<super::model::Importing>,
    stored: Option<&'a InstanceState>,
}

impl Cx<'_> {
    /// Plans the resource's instances in one module instance: their value, or `None` when
    /// `count`/`for_each` could not be evaluated.
    async fn plan_module_instance(
        &self,
        seen: &mut HashSet<String>,
        changes: &mut Vec<ResourceChange>,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let (run, r) = (self.run, self.r);
        let (mi, minst) = self.mi;
        let base = format!("{}{}", minst.prefix(), r.key());
        let scope = Scope::at(run, mi, minst);
        let (instances, d) =
            crate::walk::enabled::expand_resource(r, &scope, run.base_dir(), run.is_validate());
        if d.has_errors() {
            diags.extend(d.with_address(&base));
            return None;
        }
        diags.extend(d);
        let mut items = Vec::new();
        for inst in &instances {
            let iaddr = format!("{base}{}", inst.key);
            seen.insert(iaddr.clone());
            if let Some((value, change)) = self.plan_instance(inst, &iaddr, diags).await {
                items.push((inst.key.clone(), value));
                changes.extend(change);
            }
        }
        Some(aggregate(r, items))
    }

    /// Plans one instance: the value dependents see and its change; `None` when it failed
    /// (its diagnostics are in `diags`) and is left out of the resource's value.
    async fn plan_instance(
        &self,
        inst: &Instance,
        iaddr: &str,
        diags: &mut Diagnostics,
    ) -> Option<(Value, Option<ResourceChange>)> {
        let (run, r) = (self.run, self.r);
        let (config, d) = eval_instance(run, self.mi, r, self.schema, inst);
        let failed = d.has_errors();
        diags.extend(d.with_address(iaddr));
        let failed = failed || {
            let d = super::validate::check(run, r, &config);
            let bad = d.has_errors();
            diags.extend(d.with_address(iaddr));
            bad
        };
        if failed || run.is_validate() {
            return Some((config, None));
        }
        let stored = run.prior.resources.get(iaddr);
        if !run.instance_targeted(self.n, iaddr) {
            // Not targeted: stays as stored.
            let kept = stored.map_or_else(Value::unknown, |p| normalize(self.schema, p.value()));
            return Some((kept, None));
        }
        let provider = match self.provider_instance(inst, iaddr, stored) {
            Ok(p) => p,
            Err(d) => {
                diags.extend(d.with_address(iaddr));
                return None;
            }
        };
        let (value, change) = self
            .plan_refreshed(inst, iaddr, config, stored, &provider, diags)
            .await?;
        Some((value, change.map(|ch| ResourceChange { provider, ..ch })))
    }

    /// The provider instance this instance uses (see [`crate::walk::provider::instance_provider`]).
    /// An object is never moved between provider instances: one created by another
    /// instance than the configuration now selects is refused.
    fn provider_instance(
        &self,
        inst: &Instance,
        iaddr: &str,
        stored: Option<&InstanceState>,
    ) -> Result<String, Diagnostics> {
        let provider = crate::walk::provider::instance_provider(self.run, self.n, self.mi.1, inst)?;
        let Some(s) = stored.filter(|s| s.provider != provider) else {
            return Ok(provider);
        };
        let config = |p| crate::addr::split_provider_instance(p).0;
        if config(&s.provider) != config(&provider) {
            // Another configuration altogether (a rename, an alias added): as before.
            return Ok(provider);
        }
        Err(Diagnostics::from(
            Diagnostic::error("Provider instance changed")
                .detail(format!(
                    "{iaddr} was created by provider instance {} and the configuration now selects {provider}. hubctl does not move an object between provider instances (a region or an account): destroy it with its original instance first (remove it from the configuration, or select the original instance again), then add it back.",
                    s.provider
                ))
                .subject(self.r.provider.as_ref().map_or(self.r.span, |p| p.span)),
        ))
    }

    /// Plans an instance from its refreshed (or imported) prior object, with the client of
    /// provider instance `provider`.
    async fn plan_refreshed(
        &self,
        inst: &Instance,
        iaddr: &str,
        config: Value,
        stored: Option<&InstanceState>,
        provider: &str,
        diags: &mut Diagnostics,
    ) -> Option<(Value, Option<ResourceChange>)> {
        let run = self.run;
        let r = self.r;
        let (value, reason) = match self.refreshed_prior(iaddr, stored) {
            Ok(p) => p,
            Err(d) => {
                diags.push(d);
                return None;
            }
        };
        if self.step.refresh_only {
            let addrs = (iaddr, self.addr);
            let (value, drift) =
                super::refresh_only::drift(run, self.n, r, addrs, self.schema, stored, value);
            return Some((value, drift));
        }
        let prior = match self.imported(iaddr, stored, provider).await {
            Ok(Some(p)) => p,
            Ok(None) => Prior {
                value,
                reason,
                importing: None,
                stored,
            },
            Err(d) => {
                diags.push(d);
                return None;
            }
        };
        if r.mode == ResourceMode::Data {
            let addrs = (iaddr, self.addr);
            let observer = self.step.observer.as_ref();
            let pending = run.graph.data_dependencies(self.n).into_iter().any(|d| {
                self.step
                    .changes(d)
                    .iter()
                    .any(|c| c.action != Action::NoOp)
            });
            let (value, change, d) = super::data::plan_data(
                run,
                observer,
                (self.n, provider),
                r,
                addrs,
                config,
                prior.value,
                pending,
            )
            .await;
            diags.extend(d);
            return Some((value, change));
        }
        self.plan_managed(inst, (iaddr, provider), config, prior, diags)
            .await
    }

    /// The prior object as the refresh read it: gone, changed, or (not refreshed) as stored.
    fn refreshed_prior(
        &self,
        iaddr: &str,
        stored: Option<&InstanceState>,
    ) -> Result<(Option<Value>, Option<Reason>), Diagnostic> {
        let schema = self.schema;
        Ok(match (stored, self.refreshed) {
            (None, _) => (None, None),
            (Some(p), _) if p.status == Status::Creating => (None, Some(Reason::InterruptedCreate)),
            (Some(p), Some(res)) => match res.lock().ok().and_then(|mut m| m.remove(iaddr)) {
                Some(Ok(Some(v))) => (Some(normalize(schema, remark(v, p))), None),
                Some(Ok(None)) => (None, Some(Reason::DeletedOutside)),
                Some(Err(e)) => {
                    return Err(Diagnostic::error("Error refreshing state")
                        .detail(e.to_string())
                        .address(iaddr))
                }
                None => (Some(normalize(schema, p.value())), None),
            },
            (Some(p), None) => (Some(normalize(schema, p.value())), None),
        })
    }

    /// The object an import target adopts, when this instance is one (and not in state).
    async fn imported<'s>(
        &self,
        iaddr: &str,
        stored: Option<&'s InstanceState>,
        provider: &str,
    ) -> Result<Option<Prior<'s>>, Diagnostic> {
        let step = self.step;
        match super::import::target_for(self.run, self.imports, iaddr) {
            Some(t) if stored.is_none() && self.r.mode == ResourceMode::Managed => {
                let observer = step.observer.as_ref();
                let (id, v) = super::import::import_instance(
                    self.run,
                    observer,
                    (self.n, provider),
                    self.r,
                    self.schema,
                    t,
                )
                .await?;
                Ok(Some(Prior {
                    value: Some(v),
                    reason: None,
                    importing: Some(super::model::Importing { id }),
                    stored,
                }))
            }
            _ => Ok(None),
        }
    }

    /// Plans a managed instance through its type: the action, and the planned object.
    async fn plan_managed(
        &self,
        inst: &Instance,
        (iaddr, provider): (&str, &str),
        config: Value,
        prior: Prior<'_>,
        diags: &mut Diagnostics,
    ) -> Option<(Value, Option<ResourceChange>)> {
        let (run, r, schema) = (self.run, self.r, self.schema);
        let interrupted = prior.stored.is_some_and(|p| p.status == Status::Deleting);
        let tainted = interrupted || prior.stored.is_some_and(|p| p.status == Status::Tainted);
        let requested = self.step.replace.contains(iaddr);
        let (_, rt) = run.registry.resource(&r.type_name)?;
        let client = run.client_for(self.n, provider);
        let pctx = PlanContext {
            client: client.as_ref(),
            address: iaddr,
        };
        let before = prior.value.as_ref();
        let prop = proposed(schema, before, &config, &r.lifecycle);
        let mut planned = match rt.plan(&pctx, before, prop).await {
            Ok(p) => p,
            Err(e) => {
                diags.push(plan_error(r, iaddr, e));
                return None;
            }
        };
        let triggered = match super::triggers::triggered(run, self.step, self.mi, r, inst) {
            Ok(t) => t,
            Err(d) => {
                diags.extend(d.with_address(iaddr));
                return None;
            }
        };
        let action = decide(before, tainted || requested, &planned, &r.lifecycle);
        let action = super::triggers::force(action, triggered, r);
        if action.is_replace() {
            // The replacement is a new object: plan it as a create (computed attributes
            // unknown), exactly as apply will, keeping what forced the replacement.
            let why = std::mem::take(&mut planned.requires_replace);
            let fresh = proposed(schema, None, &config, &r.lifecycle);
            planned = match rt.plan(&pctx, None, fresh).await {
                Ok(p) => p,
                Err(e) => {
                    diags.push(plan_error(r, iaddr, e));
                    return None;
                }
            };
            planned.requires_replace = why;
            diags
                .0
                .extend(super::prevent_destroy::check(run, self.mi.0, r, iaddr));
        }
        let reason = match replace_reason(tainted, requested, action, prior.reason) {
            Some(Reason::Tainted) if interrupted => Some(Reason::InterruptedDelete),
            r => r,
        };
        let value = planned.planned.clone();
        let mut ch = change(
            run,
            self.n,
            r,
            iaddr,
            self.addr,
            action,
            prior.value,
            Some(planned.planned),
            planned.requires_replace,
            reason,
        );
        ch.importing = prior.importing;
        if triggered && !requested && !tainted {
            super::triggers::mark(&mut ch);
        }
        Some((value, Some(ch)))
    }
}

/// Why an instance is replaced (or the prior's reason, when it is not).
fn replace_reason(
    tainted: bool,
    requested: bool,
    action: Action,
    prior: Option<Reason>,
) -> Option<Reason> {
    if tainted {
        Some(Reason::Tainted)
    } else if requested && action.is_replace() {
        // Terraform names the request even when an argument forces the replacement too.
        Some(Reason::ByRequest)
    } else if action.is_replace() && prior.is_none() {
        Some(Reason::CannotUpdate)
    } else {
        prior
    }
}

/// A type's plan failed (an API call it makes at plan time, or a refusal of the values).
pub fn plan_error(r: &Resource, address: &str, e: crate::provider::ProviderError) -> Diagnostic {
    Diagnostic::error(format!("Error planning {}", r.type_name))
        .detail(e.to_string())
        .address(address)
        .subject(r.span)
}

fn remark(mut v: Value, inst: &InstanceState) -> Value {
    if let Some(m) = v.as_map_mut() {
        for name in &inst.sensitive_attributes {
            if let Some(x) = m.remove(name) {
                m.insert(name.clone(), x.sensitive());
            }
        }
    }
    v
}

#[allow(clippy::too_many_arguments)]
pub fn change(
    run: &Run,
    n: usize,
    r: &Resource,
    address: &str,
    resource: &str,
    action: Action,
    before: Option<Value>,
    after: Option<Value>,
    replace_paths: Vec<String>,
    reason: Option<Reason>,
) -> ResourceChange {
    ResourceChange {
        address: address.to_string(),
        resource: resource.to_string(),
        mode: if r.mode == ResourceMode::Data {
            StateMode::Data
        } else {
            StateMode::Managed
        },
        type_name: r.type_name.clone(),
        provider: run.provider_key(n),
        action,
        before,
        after,
        replace_paths,
        reason,
        importing: None,
    }
}
