//! Applying one resource's planned changes. Each instance's configuration is evaluated again
//! (upstream values are known now), checked against the plan, and the action carried out.
//! State is written through the writer after every operation, with an intent recorded
//! before every create, so a crash at any point is recovered by the next run.

use crate::config::{Resource, ResourceMode};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::plan::diff::proposed;
use crate::plan::expand::expand;
use crate::plan::resource::{
    aggregate, client_of, eval_instance, prior_aggregate, read_data, resource_address, schema_of,
};
use crate::plan::scope::Scope;
use crate::plan::walk::{Event, NodeResult, Run};
use crate::plan::{Action, Plan, ResourceChange};
use crate::provider::{OpContext, ProviderClient, Resource as ResourceType};
use crate::state::{InstanceState, Mode, StateOp, Status};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub async fn apply_resource(
    run: &Run,
    n: usize,
    mi: usize,
    key: &str,
    plan: Arc<Plan>,
) -> NodeResult {
    let r = &run.module(mi).resources[key];
    let addr = resource_address(run, mi, key);
    if plan.destroy {
        return NodeResult::value(prior_aggregate(run, r, &addr), Diagnostics::new());
    }
    let schema = match schema_of(run, r) {
        Ok(s) => s,
        Err(d) => return NodeResult::value(Value::unknown(), d.into()),
    };
    let scope = Scope::new(run, mi);
    let (instances, mut diags) = expand(
        r.count.as_ref(),
        r.for_each.as_ref(),
        &scope,
        &run.base_dir(),
        false,
    );
    if diags.has_errors() {
        return NodeResult {
            value: Value::unknown(),
            changes: vec![],
            diags: diags.with_address(&addr),
        };
    }
    let deps = dependencies(run, n);
    let futs = instances.iter().map(|inst| {
        let iaddr = format!("{addr}{}", inst.key);
        let planned = run.planned.get(&iaddr).map(|&i| plan.changes[i].clone());
        let deps = deps.clone();
        let schema = &schema;
        async move {
            if !run.instance_targeted(n, &iaddr) {
                // Left out by -target: keeps its stored value.
                let kept = run
                    .prior
                    .resources
                    .get(&iaddr)
                    .map_or_else(Value::unknown, crate::plan::walk::instance_value);
                return (inst.key.clone(), kept, Diagnostics::new());
            }
            let Some(ch) = planned else {
                let d = Diagnostic::error("Resource instance not in plan")
                    .detail("The configuration now has an instance the saved plan did not include; the configuration or its inputs changed after planning. Run plan again.")
                    .address(iaddr.clone());
                return (inst.key.clone(), Value::unknown(), Diagnostics::from(d));
            };
            let (config, d) = eval_instance(run, mi, r, schema, inst);
            if d.has_errors() {
                return (inst.key.clone(), Value::unknown(), d.with_address(&iaddr));
            }
            match apply_instance(run, n, r, &ch, config, deps).await {
                Ok(v) => (inst.key.clone(), v, d),
                Err(e) => {
                    let mut d = d;
                    d.push(e);
                    (inst.key.clone(), Value::unknown(), d)
                }
            }
        }
    });
    let results = futures_util::future::join_all(futs).await;
    let mut items = Vec::new();
    for (k, v, d) in results {
        diags.extend(d);
        items.push((k, v));
    }
    // Instances the plan deletes because their key left count/for_each.
    let keys: std::collections::HashSet<String> = instances
        .iter()
        .map(|i| format!("{addr}{}", i.key))
        .collect();
    let orphans: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.resource == addr && c.action == Action::Delete && !keys.contains(&c.address))
        .collect();
    for ch in orphans {
        if let Err(e) = delete_instance(run, n, ch).await {
            diags.push(e);
        }
    }
    NodeResult {
        value: aggregate(r, items),
        changes: vec![],
        diags,
    }
}

/// The config-level addresses this resource depends on (recorded in state so destroy and
/// orphan deletion can order themselves without the configuration).
pub fn dependencies(run: &Run, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = run.graph.nodes[n].deps.clone();
    let mut seen = std::collections::HashSet::new();
    while let Some(d) = stack.pop() {
        if !seen.insert(d) {
            continue;
        }
        match &run.graph.nodes[d].kind {
            crate::graph::NodeKind::Resource(_) => out.push(run.graph.describe(d)),
            crate::graph::NodeKind::Provider(_) => {}
            _ => stack.extend(run.graph.nodes[d].deps.iter().copied()),
        }
    }
    out.sort();
    out
}

fn op_error(address: &str, what: &str, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(format!("{what} failed"))
        .detail(e.to_string())
        .address(address)
}

/// State record for an instance value.
pub fn instance_state(
    r_mode: Mode,
    type_name: &str,
    provider: &str,
    v: &Value,
    deps: Vec<String>,
    status: Status,
    cbd: bool,
) -> InstanceState {
    let sensitive = v
        .as_map()
        .map(|m| {
            m.iter()
                .filter(|(_, x)| x.contains_sensitive())
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default();
    InstanceState {
        mode: r_mode,
        type_name: type_name.to_string(),
        provider: provider.to_string(),
        attributes: v.to_json(),
        sensitive_attributes: sensitive,
        dependencies: deps,
        status,
        create_before_destroy: cbd,
    }
}

async fn write(run: &Run, address: &str, ops: Vec<StateOp>) -> Result<(), Diagnostic> {
    match &run.writer {
        Some(w) => w.write(ops).await.map_err(|e| {
            Diagnostic::error("Failed to persist state").detail(format!("Writing the state after an operation on {address} failed: {e}. The operation itself succeeded; its result is in the journal up to the last successful write.")).address(address)
        }),
        None => Ok(()),
    }
}

/// Runs `fut` under the parallelism bound, reporting start, "still ..." every 10 s, and done.
async fn timed<T, E: std::fmt::Display>(
    run: &Run,
    address: &str,
    action: Action,
    fut: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, E> {
    let _permit = run.semaphore.acquire().await;
    let start = Instant::now();
    run.observer.event(Event::Started {
        address: address.to_string(),
        action,
    });
    tokio::pin!(fut);
    let mut tick = tokio::time::interval_at(
        tokio::time::Instant::now() + Duration::from_secs(10),
        Duration::from_secs(10),
    );
    let res = loop {
        tokio::select! {
            r = &mut fut => break r,
            _ = tick.tick() => run.observer.event(Event::Still { address: address.to_string(), action, elapsed: start.elapsed() }),
        }
    };
    match &res {
        Ok(_) => run.observer.event(Event::Done {
            address: address.to_string(),
            action,
            elapsed: start.elapsed(),
            id: None,
        }),
        Err(e) => run.observer.event(Event::Failed {
            address: address.to_string(),
            action,
            error: e.to_string(),
        }),
    }
    res
}

fn resource_type(run: &Run, type_name: &str) -> Result<Arc<dyn ResourceType>, Diagnostic> {
    run.registry
        .resource(type_name)
        .map(|(_, t)| t.clone())
        .ok_or_else(|| {
            Diagnostic::error("Invalid resource type").detail(format!(
                "hubctl does not support resource type \"{type_name}\"."
            ))
        })
}

fn client(run: &Run, n: usize, address: &str) -> Result<ProviderClient, Diagnostic> {
    client_of(run, n).ok_or_else(|| Diagnostic::error("Provider not configured").address(address))
}

async fn apply_instance(
    run: &Run,
    n: usize,
    r: &Resource,
    ch: &ResourceChange,
    config: Value,
    deps: Vec<String>,
) -> Result<Value, Diagnostic> {
    let address = ch.address.as_str();
    let mode = if r.mode == ResourceMode::Data {
        Mode::Data
    } else {
        Mode::Managed
    };
    let cbd = r.lifecycle.create_before_destroy;
    let record = |v: &Value, status: Status| {
        instance_state(
            mode,
            &r.type_name,
            &ch.provider,
            v,
            deps.clone(),
            status,
            cbd,
        )
    };
    if r.mode == ResourceMode::Data {
        let v = match ch.action {
            Action::Read => read_data(run, n, r, address, &config).await?,
            _ => ch.after.clone().unwrap_or(Value::Null),
        };
        write(
            run,
            address,
            vec![StateOp::SetInstance {
                address: address.to_string(),
                instance: record(&v, Status::Ready),
            }],
        )
        .await?;
        return Ok(v);
    }
    // An imported object enters the state first (its own checkpoint), so a failed update
    // still leaves it managed; a replacement's create records the new object instead.
    if let (Some(_), Some(before), false) = (&ch.importing, &ch.before, ch.action.is_replace()) {
        let op = StateOp::SetInstance {
            address: address.to_string(),
            instance: record(before, Status::Ready),
        };
        write(run, address, vec![op]).await?;
    }
    if ch.action == Action::NoOp {
        return Ok(ch.before.clone().unwrap_or(Value::Null));
    }
    let rt = resource_type(run, &r.type_name)?;
    let client = client(run, n, address)?;
    let schema = rt.schema().clone();
    let prior = ch.before.as_ref();
    let planned = rt.plan(
        if ch.action.is_replace() { None } else { prior },
        proposed(
            &schema,
            if ch.action.is_replace() { None } else { prior },
            &config,
            &r.lifecycle,
        ),
    );
    check_consistent(ch, &planned.planned)?;
    let progress = |_: &str| {};
    let ctx = OpContext {
        client: &client,
        address,
        timeouts: timeouts_of(run, r).map_err(|d| d.address(address))?,
        recovering: run
            .prior
            .resources
            .get(address)
            .is_some_and(|p| p.status == Status::Creating),
        progress: &progress,
    };
    let create = |planned: Value| {
        let ctx = &ctx;
        let rt = rt.clone();
        let record = &record;
        async move {
            // Intent first: a crash during the call is found and recovered by the next run.
            write(
                run,
                address,
                vec![StateOp::SetInstance {
                    address: address.to_string(),
                    instance: record(&planned, Status::Creating),
                }],
            )
            .await?;
            let v = match timed(run, address, Action::Create, rt.create(ctx, &planned)).await {
                Ok(v) => v,
                Err(e) => {
                    // A definitive refusal created nothing: drop the intent. When the outcome
                    // is uncertain (timeouts, lost connections), keep it: the next run looks
                    // for the object by its address before creating another.
                    if !e.retryable {
                        write(
                            run,
                            address,
                            vec![StateOp::RemoveInstance {
                                address: address.to_string(),
                            }],
                        )
                        .await?;
                    }
                    return Err(op_error(address, "Create", e));
                }
            };
            let v = mark_like(v, &planned);
            write(
                run,
                address,
                vec![StateOp::SetInstance {
                    address: address.to_string(),
                    instance: record(&v, Status::Ready),
                }],
            )
            .await?;
            Ok::<Value, Diagnostic>(v)
        }
    };
    match ch.action {
        Action::Create => create(planned.planned).await,
        Action::Update => {
            let prior = prior.cloned().unwrap_or(Value::Null);
            let v = timed(
                run,
                address,
                Action::Update,
                rt.update(&ctx, &prior, &planned.planned),
            )
            .await
            .map_err(|e| op_error(address, "Update", e))?;
            let v = mark_like(v, &planned.planned);
            write(
                run,
                address,
                vec![StateOp::SetInstance {
                    address: address.to_string(),
                    instance: record(&v, Status::Ready),
                }],
            )
            .await?;
            Ok(v)
        }
        // The delete half ran as its own node (`standalone_deletes`), after the deletes of
        // everything that depended on the old object.
        Action::DeleteThenCreate => create(planned.planned).await,
        Action::CreateThenDelete => {
            let prior = prior.cloned().unwrap_or(Value::Null);
            let deposed = format!("{address} (deposed)");
            // Keep the old object in state under a deposed key until it is gone.
            write(
                run,
                address,
                vec![StateOp::SetInstance {
                    address: deposed.clone(),
                    instance: record(&prior, Status::Ready),
                }],
            )
            .await?;
            let v = create(planned.planned).await?;
            timed(run, &deposed, Action::Delete, rt.delete(&ctx, &prior))
                .await
                .map_err(|e| op_error(&deposed, "Delete", e))?;
            write(
                run,
                address,
                vec![StateOp::RemoveInstance { address: deposed }],
            )
            .await?;
            Ok(v)
        }
        Action::Delete | Action::NoOp | Action::Read => {
            Ok(ch.before.clone().unwrap_or(Value::Null))
        }
    }
}

/// The resource's `timeouts` block, evaluated (constant durations like "10m", "1h30m").
fn timeouts_of(run: &Run, r: &Resource) -> Result<crate::provider::Timeouts, Diagnostic> {
    let mut t = crate::provider::Timeouts::default();
    let Some(b) = r.body.blocks.iter().find(|b| b.kind == "timeouts") else {
        return Ok(t);
    };
    for (name, a) in &b.body.attributes {
        let scope = Scope::new(run, 0);
        let (v, d) = crate::plan::body::eval_expr(&a.expr, &scope, &run.base_dir());
        // A duration read through a mark: it is only parsed, never shown.
        let text = v.peel().as_str().map(str::to_string);
        let dur = text
            .as_deref()
            .and_then(|s| humantime::parse_duration(s).ok());
        let Some(dur) = dur.filter(|_| !d.has_errors()) else {
            return Err(Diagnostic::error("Invalid timeout")
                .detail(format!(
                    "The timeout \"{name}\" must be a duration string like \"10m\" or \"1h30m\"."
                ))
                .subject(a.expr.span()));
        };
        match name.as_str() {
            "create" => t.create = Some(dur),
            "read" => t.read = Some(dur),
            "update" => t.update = Some(dur),
            "delete" => t.delete = Some(dur),
            other => {
                return Err(Diagnostic::error("Unsupported argument")
                    .detail(format!(
                    "A timeouts block accepts create, read, update and delete, not \"{other}\"."
                ))
                    .subject(a.name_span))
            }
        }
    }
    Ok(t)
}

/// Keeps sensitivity marks of the planned value on the provider's result (top-level).
fn mark_like(mut v: Value, planned: &Value) -> Value {
    if let (Some(m), Some(p)) = (v.as_map_mut(), planned.as_map()) {
        for (k, pv) in p {
            if pv.contains_sensitive() {
                if let Some(x) = m.remove(k) {
                    m.insert(k.clone(), x.sensitive());
                }
            }
        }
    }
    v
}

/// The values known at plan time must not change at apply time.
fn check_consistent(ch: &ResourceChange, now: &Value) -> Result<(), Diagnostic> {
    let Some(after) = &ch.after else {
        return Ok(());
    };
    if let Some(path) = first_conflict(after, now, String::new()) {
        return Err(Diagnostic::error("Provider produced inconsistent final plan")
            .detail(format!("When expanding the plan for {} to include new values learned so far during apply, the value of {path} changed from what was planned. This is a bug in hubctl or a change of the configuration's inputs during apply; run plan again.", ch.address))
            .address(ch.address.clone()));
    }
    Ok(())
}

fn first_conflict(planned: &Value, now: &Value, path: String) -> Option<String> {
    match (planned.peel(), now.peel()) {
        (Value::Unknown(_), _) => None,
        (Value::Map(a) | Value::Object(a), Value::Map(b) | Value::Object(b)) => {
            a.iter().find_map(|(k, v)| {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                first_conflict(v, b.get(k).unwrap_or(&Value::Null), p)
            })
        }
        (Value::List(a) | Value::Tuple(a), Value::List(b) | Value::Tuple(b))
            if a.len() == b.len() =>
        {
            a.iter()
                .zip(b)
                .enumerate()
                .find_map(|(i, (x, y))| first_conflict(x, y, format!("{path}[{i}]")))
        }
        (a, b) if !a.is_wholly_known() => {
            (a.as_seq().map(|s| s.len()) != b.as_seq().map(|s| s.len())).then_some(path)
        }
        (a, b) => (crate::plan::diff::same(a, b))
            .then_some(())
            .map_or(Some(path), |_| None),
    }
}

/// Deletes one instance (orphan, count shrink, or `destroy`).
pub async fn delete_instance(
    run: &Run,
    provider_node: usize,
    ch: &ResourceChange,
) -> Result<(), Diagnostic> {
    let address = ch.address.as_str();
    if ch.mode == Mode::Data {
        return write(
            run,
            address,
            vec![StateOp::RemoveInstance {
                address: address.to_string(),
            }],
        )
        .await;
    }
    let rt = resource_type(run, &ch.type_name).map_err(|d| d.address(address))?;
    let client = run
        .clients
        .get(provider_node)
        .and_then(|c| c.get().cloned())
        .or_else(|| client_of(run, provider_node))
        .ok_or_else(|| Diagnostic::error("Provider not configured").address(address))?;
    let progress = |_: &str| {};
    let ctx = OpContext {
        client: &client,
        address,
        timeouts: Default::default(),
        recovering: false,
        progress: &progress,
    };
    let prior = ch.before.clone().unwrap_or(Value::Null);
    timed(run, address, Action::Delete, rt.delete(&ctx, &prior))
        .await
        .map_err(|e| op_error(address, "Delete", e))?;
    write(
        run,
        address,
        vec![StateOp::RemoveInstance {
            address: address.to_string(),
        }],
    )
    .await
}
