//! What every resource operation of an apply shares: the state write after it, the
//! parallelism bound and progress events around it, and the checks of its result.

use super::step::ApplyStep;
use crate::config::Resource;
use crate::diag::Diagnostic;
use crate::lang::Value;
use crate::plan::{Action, Event, Observer, ResourceChange};
use crate::provider::{ProviderClient, Recovery, Resource as ResourceType};
use crate::state::StateOp;
use crate::walk::scope::Scope;
use crate::walk::Run;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub fn op_error(address: &str, what: &str, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(format!("{what} failed"))
        .detail(e.to_string())
        .address(address)
}

/// Writes `ops` after an operation on `address`.
pub async fn write(step: &ApplyStep, address: &str, ops: Vec<StateOp>) -> Result<(), Diagnostic> {
    step.writer.write(ops).await.map_err(|e| {
        Diagnostic::error("Failed to persist state").detail(format!("Writing the state after an operation on {address} failed: {e}. The operation itself succeeded; its result is in the journal up to the last successful write.")).address(address)
    })
}

/// Runs `fut` under the parallelism bound, reporting start, "still ..." every 10 s, and done.
pub async fn timed<T, E: std::fmt::Display>(
    run: &Run,
    observer: &dyn Observer,
    address: &str,
    action: Action,
    fut: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, E> {
    let _permit = run.semaphore.acquire().await;
    let start = Instant::now();
    observer.event(Event::Started {
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
            _ = tick.tick() => observer.event(Event::Still { address: address.to_string(), action, elapsed: start.elapsed() }),
        }
    };
    run.busy.record(start.elapsed());
    match &res {
        Ok(_) => observer.event(Event::Done {
            address: address.to_string(),
            action,
            elapsed: start.elapsed(),
            id: None,
        }),
        Err(e) => observer.event(Event::Failed {
            address: address.to_string(),
            action,
            error: e.to_string(),
        }),
    }
    res
}

/// What a type's waiters report ([`OpContext::progress`](crate::provider::OpContext)), passed on as progress events.
pub fn reporter<'a>(
    observer: &'a dyn Observer,
    address: &'a str,
) -> impl Fn(&str) + Send + Sync + 'a {
    move |message: &str| {
        observer.event(Event::Progress {
            address: address.to_string(),
            message: message.to_string(),
        })
    }
}

/// What a type notes about the object once done ([`OpContext::note`](crate::provider::OpContext)), as note events.
pub fn noter<'a>(observer: &'a dyn Observer, address: &'a str) -> impl Fn(&str) + Send + Sync + 'a {
    move |message: &str| {
        observer.event(Event::Note {
            address: address.to_string(),
            message: message.to_string(),
        })
    }
}

/// Reports a create's [`Recovery`] notes as events, and remembers whether it adopted.
pub struct RecoveryLog<'a> {
    observer: &'a dyn Observer,
    address: &'a str,
    adopted: std::sync::atomic::AtomicBool,
}

impl<'a> RecoveryLog<'a> {
    pub fn new(observer: &'a dyn Observer, address: &'a str) -> Self {
        RecoveryLog {
            observer,
            address,
            adopted: Default::default(),
        }
    }

    pub fn report(&self, recovery: Recovery) {
        if matches!(recovery, Recovery::Adopted { .. }) {
            self.adopted
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        self.observer.event(Event::Recovered {
            address: self.address.to_string(),
            recovery,
        });
    }

    pub fn adopted(&self) -> bool {
        self.adopted.load(std::sync::atomic::Ordering::Relaxed)
    }
}

pub fn resource_type(run: &Run, type_name: &str) -> Result<Arc<dyn ResourceType>, Diagnostic> {
    run.registry
        .resource(type_name)
        .map(|(_, t)| t.clone())
        .ok_or_else(|| {
            Diagnostic::error("Invalid resource type").detail(format!(
                "hubctl does not support resource type \"{type_name}\"."
            ))
        })
}

/// The client of the provider instance the change was planned with.
pub fn client(run: &Run, n: usize, ch: &ResourceChange) -> Result<ProviderClient, Diagnostic> {
    run.client_for(n, &ch.provider)
        .ok_or_else(|| Diagnostic::error("Provider not configured").address(&ch.address))
}

/// The resource's `timeouts` block, evaluated (constant durations like "10m", "1h30m").
pub fn timeouts_of(run: &Run, r: &Resource) -> Result<crate::provider::Timeouts, Diagnostic> {
    let mut t = crate::provider::Timeouts::default();
    let Some(b) = r.body.blocks.iter().find(|b| b.kind == "timeouts") else {
        return Ok(t);
    };
    for (name, a) in &b.body.attributes {
        let scope = Scope::new(run, 0);
        let (v, d) = crate::walk::body::eval_expr(&a.expr, &scope, run.base_dir());
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
pub fn mark_like(mut v: Value, planned: &Value) -> Value {
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
pub fn check_consistent(ch: &ResourceChange, now: &Value) -> Result<(), Diagnostic> {
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
        // A set with unknown elements has no known length yet: unknowns that turn out to
        // be distinct values were one element while unknown.
        (Value::Set(_), _) if !planned.is_wholly_known() => None,
        (a, b) if !a.is_wholly_known() => {
            (a.as_seq().map(|s| s.len()) != b.as_seq().map(|s| s.len())).then_some(path)
        }
        (a, b) => (crate::plan::diff::same(a, b))
            .then_some(())
            .map_or(Some(path), |_| None),
    }
}

#[cfg(test)]
mod consistency_tests {
    use super::first_conflict;
    use crate::lang::Value;

    #[test]
    fn a_set_of_unknowns_may_grow_into_distinct_values() {
        // `aws_subnet.private[*].id` in a set: two unknowns are one element until known.
        let planned = Value::set(vec![Value::unknown(), Value::unknown()]);
        let now = Value::set(vec![Value::from("subnet-1"), Value::from("subnet-2")]);
        assert_eq!(first_conflict(&planned, &now, "ids".into()), None);
        // A list keeps its length.
        let planned = Value::List(vec![Value::unknown()]);
        let now = Value::List(vec![Value::from("a"), Value::from("b")]);
        assert_eq!(
            first_conflict(&planned, &now, "ids".into()),
            Some("ids".into())
        );
    }
}
