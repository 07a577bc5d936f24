//! Planning one resource (all its instances): expand, evaluate each instance's body, refresh
//! the prior state (one batched read per resource type and provider), diff, and decide.

use super::body::{eval_body, BodyCtx};
use super::diff::{decide, proposed};
use super::expand::{expand, Instance};
use super::model::{Action, Reason, ResourceChange};
use super::scope::Scope;
use super::walk::{instance_value, resource_of, Event, NodeResult, RefreshResult, Run, WalkMode};
use crate::addr::InstanceKey;
use crate::config::{Resource, ResourceMode};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::provider::{OpContext, Schema};
use crate::state::{Mode, Status};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::Mutex;
use tokio::sync::OnceCell;

/// Block kinds every resource accepts and the engine handles itself.
pub const ENGINE_BLOCKS: &[&str] = &["timeouts"];

/// The full address prefix of a resource in a module.
pub fn resource_address(run: &Run, mi: usize, key: &str) -> String {
    format!(
        "{}{}",
        crate::addr::module_prefix(&run.graph.modules[mi].path),
        key
    )
}

/// Collects a resource's instance values into the value references see.
pub fn aggregate(r: &Resource, items: Vec<(InstanceKey, Value)>) -> Value {
    if r.count.is_some() {
        Value::Tuple(items.into_iter().map(|(_, v)| v).collect())
    } else if r.for_each.is_some() {
        Value::Object(
            items
                .into_iter()
                .map(|(k, v)| match k {
                    InstanceKey::Str(s) => (s, v),
                    other => (other.to_string(), v),
                })
                .collect(),
        )
    } else {
        items
            .into_iter()
            .next()
            .map(|(_, v)| v)
            .unwrap_or(Value::Null)
    }
}

/// A resource's value as the prior state has it (destroy walks evaluate nothing new).
pub fn prior_aggregate(run: &Run, r: &Resource, addr: &str) -> Value {
    let mut items = Vec::new();
    for a in run.prior_by_resource.get(addr).into_iter().flatten() {
        if a.contains(" (deposed") {
            continue;
        }
        let key = crate::addr::InstanceAddr::parse(a)
            .map(|p| p.key)
            .unwrap_or(InstanceKey::None);
        items.push((key, instance_value(&run.prior.resources[a])));
    }
    aggregate(r, items)
}

/// Finds the type's schema, or a diagnostic naming the type.
pub fn schema_of(run: &Run, r: &Resource) -> Result<Schema, Diagnostic> {
    let found = match r.mode {
        ResourceMode::Managed => run
            .registry
            .resource(&r.type_name)
            .map(|(_, t)| t.schema().clone()),
        ResourceMode::Data => run
            .registry
            .data_source(&r.type_name)
            .map(|(_, t)| t.schema().clone()),
    };
    found.ok_or_else(|| {
        let (kind, names) = match r.mode {
            ResourceMode::Managed => ("resource", run.registry.resource_type_names()),
            ResourceMode::Data => ("data source", run.registry.data_source_type_names()),
        };
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
    mi: usize,
    r: &Resource,
    schema: &Schema,
    inst: &Instance,
) -> (Value, Diagnostics) {
    let scope = Scope {
        run,
        module: mi,
        count_index: inst.count_index.clone(),
        each: inst.each.clone(),
    };
    let base = run.base_dir();
    eval_body(
        &r.body,
        schema,
        r.span,
        &BodyCtx {
            resolver: &scope,
            base_dir: &base,
            skip_blocks: ENGINE_BLOCKS,
        },
    )
}

/// Converts a state value to the schema's types (state JSON has no sets).
pub fn normalize(schema: &Schema, v: Value) -> Value {
    crate::lang::convert::convert(v.clone(), &schema.object_type()).unwrap_or(v)
}

pub async fn plan_resource(run: &Run, n: usize, mi: usize, key: &str) -> NodeResult {
    let r = &run.module(mi).resources[key];
    let addr = resource_address(run, mi, key);
    let schema = match schema_of(run, r) {
        Ok(s) => s,
        Err(d) => return NodeResult::value(Value::unknown(), d.into()),
    };
    let validate = run.is_validate();
    if matches!(run.mode, WalkMode::Plan { destroy: true, .. }) {
        return NodeResult::value(prior_aggregate(run, r, &addr), Diagnostics::new());
    }
    let scope = Scope::new(run, mi);
    let (instances, mut diags) = expand(
        r.count.as_ref(),
        r.for_each.as_ref(),
        &scope,
        &run.base_dir(),
        validate,
    );
    if diags.has_errors() {
        return NodeResult {
            value: Value::unknown(),
            changes: vec![],
            diags: diags.with_address(&addr),
        };
    }
    let refreshed = if validate {
        None
    } else {
        refresh(run, n, r).await
    };
    let refreshed = refreshed.as_ref().and_then(|c| c.get());
    let mut items = Vec::new();
    let mut changes = Vec::new();
    let mut seen = HashSet::new();
    for inst in &instances {
        let iaddr = format!("{addr}{}", inst.key);
        seen.insert(iaddr.clone());
        let (config, d) = eval_instance(run, mi, r, &schema, inst);
        let failed = d.has_errors();
        diags.extend(d.with_address(&iaddr));
        if failed || validate {
            items.push((inst.key.clone(), config));
            continue;
        }
        let prior_inst = run.prior.resources.get(&iaddr);
        if !run.instance_targeted(n, &iaddr) {
            // Not targeted: stays as stored.
            let kept =
                prior_inst.map_or_else(Value::unknown, |p| normalize(&schema, instance_value(p)));
            items.push((inst.key.clone(), kept));
            continue;
        }
        let (prior, reason) = match (prior_inst, &refreshed) {
            (None, _) => (None, None),
            (Some(p), _) if p.status == Status::Creating => (None, Some(Reason::InterruptedCreate)),
            (Some(p), Some(res)) => {
                match res.lock().ok().and_then(|mut m| m.remove(iaddr.as_str())) {
                    Some(Ok(Some(v))) => (Some(normalize(&schema, remark(v, p))), None),
                    Some(Ok(None)) => (None, Some(Reason::DeletedOutside)),
                    Some(Err(e)) => {
                        diags.push(
                            Diagnostic::error("Error refreshing state")
                                .detail(e.to_string())
                                .address(iaddr.clone()),
                        );
                        continue;
                    }
                    None => (Some(normalize(&schema, instance_value(p))), None),
                }
            }
            (Some(p), None) => (Some(normalize(&schema, instance_value(p))), None),
        };
        if run.refresh_only {
            let (value, drift) =
                super::refresh_only::drift(run, n, r, (&iaddr, &addr), &schema, prior_inst, prior);
            items.push((inst.key.clone(), value));
            changes.extend(drift);
            continue;
        }
        let mut importing = None;
        let (prior, reason) = match super::import::target_for(run, &iaddr) {
            Some(t) if prior_inst.is_none() && r.mode == ResourceMode::Managed => {
                match super::import::import_instance(run, n, r, &schema, t).await {
                    Ok((id, v)) => {
                        importing = Some(super::model::Importing { id });
                        (Some(v), None)
                    }
                    Err(d) => {
                        diags.push(d);
                        continue;
                    }
                }
            }
            _ => (prior, reason),
        };
        let tainted = prior_inst.is_some_and(|p| p.status == Status::Tainted);
        let requested = run.replace.contains(&iaddr);
        if r.mode == ResourceMode::Data {
            let (value, change, d) = plan_data(run, n, r, &iaddr, &addr, config, prior).await;
            diags.extend(d);
            items.push((inst.key.clone(), value));
            changes.extend(change);
            continue;
        }
        let Some((_, rt)) = run.registry.resource(&r.type_name) else {
            continue;
        };
        let prop = proposed(&schema, prior.as_ref(), &config, &r.lifecycle);
        let mut planned = rt.plan(prior.as_ref(), prop);
        let triggered = match super::triggers::triggered(run, mi, r, inst) {
            Ok(t) => t,
            Err(d) => {
                diags.extend(d.with_address(&iaddr));
                continue;
            }
        };
        let action = decide(prior.as_ref(), tainted || requested, &planned, &r.lifecycle);
        let action = super::triggers::force(action, triggered, r);
        if action.is_replace() {
            // The replacement is a new object: plan it as a create (computed attributes
            // unknown), exactly as apply will, keeping what forced the replacement.
            let why = std::mem::take(&mut planned.requires_replace);
            planned = rt.plan(None, proposed(&schema, None, &config, &r.lifecycle));
            planned.requires_replace = why;
        }
        if action.is_replace() && r.lifecycle.prevent_destroy {
            diags.push(prevent_destroy(r, &iaddr));
        }
        let reason = if tainted {
            Some(Reason::Tainted)
        } else if requested && action.is_replace() {
            // Terraform names the request even when an argument forces the replacement too.
            Some(Reason::ByRequest)
        } else if action.is_replace() && reason.is_none() {
            Some(Reason::CannotUpdate)
        } else {
            reason
        };
        items.push((inst.key.clone(), planned.planned.clone()));
        let mut ch = change(
            run,
            n,
            r,
            &iaddr,
            &addr,
            action,
            prior,
            Some(planned.planned),
            planned.requires_replace,
            reason,
        );
        ch.importing = importing;
        if triggered && !requested && !tainted {
            super::triggers::mark(&mut ch);
        }
        changes.push(ch);
    }
    if !validate && r.mode == ResourceMode::Managed {
        diags.extend(super::import::unmatched(run, &addr, &seen));
    }
    // Instances in state that the configuration no longer has.
    for old in run.prior_by_resource.get(&addr).into_iter().flatten() {
        if seen.contains(old) || validate || !run.instance_targeted(n, old) {
            continue;
        }
        let inst = &run.prior.resources[old];
        if r.mode == ResourceMode::Data {
            continue;
        }
        if r.lifecycle.prevent_destroy {
            diags.push(prevent_destroy(r, old));
        }
        let why = if old.contains(" (deposed") {
            Reason::Deposed
        } else {
            stale_key_reason(old, r)
        };
        changes.push(change(
            run,
            n,
            r,
            old,
            &addr,
            Action::Delete,
            Some(instance_value(inst)),
            None,
            vec![],
            Some(why),
        ));
    }
    let value = if validate {
        Value::unknown()
    } else {
        aggregate(r, items)
    };
    NodeResult {
        value,
        changes,
        diags,
    }
}

fn prevent_destroy(r: &Resource, addr: &str) -> Diagnostic {
    Diagnostic::error("Instance cannot be destroyed")
        .detail(format!("Resource {addr} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, disable lifecycle.prevent_destroy, or change the configuration so the object is kept."))
        .subject(r.span)
        .address(addr)
}

fn remark(mut v: Value, inst: &crate::state::InstanceState) -> Value {
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
            Mode::Data
        } else {
            Mode::Managed
        },
        type_name: r.type_name.clone(),
        provider: provider_key(run, n),
        action,
        before,
        after,
        replace_paths,
        reason,
        importing: None,
    }
}

/// The provider configuration key a resource node uses (`aws`, `aws.west`).
pub fn provider_key(run: &Run, n: usize) -> String {
    match run
        .graph
        .provider_of
        .get(&n)
        .map(|&p| &run.graph.nodes[p].kind)
    {
        Some(crate::graph::NodeKind::Provider(k)) => k.clone(),
        _ => String::new(),
    }
}

/// Data sources read at plan time when their configuration is known, else at apply.
#[allow(clippy::too_many_arguments)]
async fn plan_data(
    run: &Run,
    n: usize,
    r: &Resource,
    iaddr: &str,
    addr: &str,
    config: Value,
    prior: Option<Value>,
) -> (Value, Option<ResourceChange>, Diagnostics) {
    let mut diags = Diagnostics::new();
    if !config.is_wholly_known() {
        let ch = change(
            run,
            n,
            r,
            iaddr,
            addr,
            Action::Read,
            prior,
            Some(config.clone()),
            vec![],
            Some(Reason::ReadConfigUnknown),
        );
        return (Value::unknown(), Some(ch), diags);
    }
    match read_data(run, n, r, iaddr, &config).await {
        Ok(v) => (
            v.clone(),
            Some(change(
                run,
                n,
                r,
                iaddr,
                addr,
                Action::NoOp,
                prior,
                Some(v),
                vec![],
                None,
            )),
            diags,
        ),
        Err(d) => {
            diags.push(d);
            (Value::unknown(), None, diags)
        }
    }
}

/// Reads a data source through its provider.
pub async fn read_data(
    run: &Run,
    n: usize,
    r: &Resource,
    iaddr: &str,
    config: &Value,
) -> Result<Value, Diagnostic> {
    let (_, ds) = run
        .registry
        .data_source(&r.type_name)
        .ok_or_else(|| Diagnostic::error("Invalid data source type").address(iaddr))?;
    let client = client_of(run, n)
        .ok_or_else(|| Diagnostic::error("Provider not configured").address(iaddr))?;
    let noop = |_: &str| {};
    let ctx = OpContext {
        client: &client,
        address: iaddr,
        timeouts: Default::default(),
        recovering: false,
        progress: &noop,
    };
    run.observer.event(Event::Refreshing {
        address: iaddr.to_string(),
        id: None,
    });
    ds.read(&ctx, config).await.map_err(|e| {
        Diagnostic::error(format!("Error reading {}", r.type_name))
            .detail(e.to_string())
            .address(iaddr)
            .subject(r.span)
    })
}

pub fn client_of(run: &Run, n: usize) -> Option<crate::provider::ProviderClient> {
    run.graph
        .provider_of
        .get(&n)
        .and_then(|&p| run.clients[p].get().cloned())
}

/// One batched read of every prior instance of this type under this provider; shared by
/// all resource nodes of the type (the first to ask makes the call, the others wait for it).
async fn refresh(run: &Run, n: usize, r: &Resource) -> Option<Arc<OnceCell<RefreshResult>>> {
    if r.mode == ResourceMode::Data || !matches!(run.mode, WalkMode::Plan { refresh: true, .. }) {
        return None;
    }
    let p = *run.graph.provider_of.get(&n)?;
    let cell = {
        let mut m = run.refreshes.lock().ok()?;
        m.entry((p, r.type_name.clone()))
            .or_insert_with(|| Arc::new(OnceCell::new()))
            .clone()
    };
    cell.get_or_init(|| async {
        let mut out = HashMap::new();
        let Some((_, rt)) = run.registry.resource(&r.type_name) else {
            return Mutex::new(out);
        };
        let Some(client) = run.clients[p].get().cloned() else {
            return Mutex::new(out);
        };
        let mut addrs = Vec::new();
        let mut states = Vec::new();
        for (a, inst) in &run.prior.resources {
            if inst.type_name != r.type_name
                || inst.mode != Mode::Managed
                || inst.status == Status::Creating
            {
                continue;
            }
            if node_of(run, a).and_then(|rn| run.graph.provider_of.get(&rn)) != Some(&p) {
                continue;
            }
            run.observer.event(Event::Refreshing {
                address: a.clone(),
                id: inst
                    .attributes
                    .get("id")
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
            });
            addrs.push(a.clone());
            states.push(instance_value(inst));
        }
        if states.is_empty() {
            return Mutex::new(out);
        }
        let noop = |_: &str| {};
        let addr = format!("{} (refresh)", r.type_name);
        let ctx = OpContext {
            client: &client,
            address: &addr,
            timeouts: Default::default(),
            recovering: false,
            progress: &noop,
        };
        let _permit = run.semaphore.acquire().await;
        let results = rt.read_many(&ctx, &states).await;
        for (a, res) in addrs.into_iter().zip(results) {
            out.insert(a, res);
        }
        Mutex::new(out)
    })
    .await;
    Some(cell)
}

/// The resource node a state address belongs to, if the configuration still has it.
pub fn node_of(run: &Run, address: &str) -> Option<usize> {
    let parsed = crate::addr::InstanceAddr::parse(resource_of(address)).ok()?;
    let mut mi = 0;
    for m in &parsed.resource.module {
        mi = *run.graph.modules[mi].children.get(m)?;
    }
    let key = match parsed.resource.mode {
        ResourceMode::Managed => format!("{}.{}", parsed.resource.type_name, parsed.resource.name),
        ResourceMode::Data => format!(
            "data.{}.{}",
            parsed.resource.type_name, parsed.resource.name
        ),
    };
    run.graph.node(mi, &crate::graph::NodeKind::Resource(key))
}

/// Why an instance in state whose key the configuration no longer produces is deleted, in
/// Terraform's terms: an index beyond `count`, a key not in `for_each`, or a key of the other
/// kind (`count` became `for_each`, or repetition was added or removed).
fn stale_key_reason(address: &str, r: &Resource) -> Reason {
    let key = crate::addr::InstanceAddr::parse(address).map(|a| a.key);
    match (key, r.count.is_some(), r.for_each.is_some()) {
        (Ok(crate::addr::InstanceKey::Int(_)), true, _) => Reason::CountIndex,
        (Ok(crate::addr::InstanceKey::Str(_)), _, true) => Reason::EachKey,
        _ => Reason::WrongRepetition,
    }
}
