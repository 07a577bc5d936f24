//! Refresh: reading every prior managed instance before it is planned.
//!
//! A plan that reads everything (no `-target`) reads all of a provider's types at once, when
//! its first resource node asks, through [`crate::provider::Provider::read_types`]: every
//! type's calls go out together instead of one type at a time along the graph's dependency
//! chains, and a provider whose API answers several types in one call can do so. A targeted
//! plan reads only the types its nodes ask for, one batched read per type.

use super::events::Event;
use super::step::{PlanStep, RefreshResult};
use crate::config::{Resource, ResourceMode};
use crate::lang::Value;
use crate::provider::{OpContext, ProviderClient};
use crate::state::{Mode as StateMode, Status};
use crate::walk::{Mode, Run};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// The prior instances of one type to read: their addresses and states, in the same order.
#[derive(Default)]
struct Batch {
    addrs: Vec<String>,
    states: Vec<Value>,
}

impl PlanStep {
    /// One batched read of every prior instance of this type under this provider; shared
    /// by all resource nodes of the type (the first to ask makes the call, the others wait).
    pub(crate) async fn refresh(
        &self,
        run: &Run,
        n: usize,
        r: &Resource,
    ) -> Option<Arc<OnceCell<RefreshResult>>> {
        if r.mode == ResourceMode::Data || run.mode != Mode::Plan || !self.refresh {
            return None;
        }
        let p = *run.graph.provider_of.get(&n)?;
        if run.targets.is_none() {
            let all = {
                let mut m = self.provider_refreshes.lock().ok()?;
                m.entry(p).or_default().clone()
            };
            all.get_or_init(|| self.read_provider(run, p)).await;
        }
        let cell = self.type_cell(p, &r.type_name)?;
        cell.get_or_init(|| self.read_type(run, p, &r.type_name))
            .await;
        Some(cell)
    }

    fn type_cell(&self, p: usize, type_name: &str) -> Option<Arc<OnceCell<RefreshResult>>> {
        let mut m = self.refreshes.lock().ok()?;
        let key = (p, type_name.to_string());
        Some(m.entry(key).or_default().clone())
    }

    /// Every type of provider node `p` at once (per provider instance, for a configuration
    /// with `for_each`); fills each type's cell.
    async fn read_provider(&self, run: &Run, p: usize) {
        let Some(provider) = provider_of_node(run, p) else {
            return;
        };
        let mut out: BTreeMap<String, HashMap<String, _>> = BTreeMap::new();
        for (instance, batches) in self.prior_batches(run, p, None) {
            let Some(client) = run.client_at(p, &instance) else {
                continue;
            };
            let mut types = Vec::new();
            let mut names = Vec::new();
            for (type_name, Batch { addrs, states }) in batches {
                if let Some((_, rt)) = run.registry.resource(&type_name) {
                    types.push((rt.clone(), states));
                    names.push((type_name, addrs));
                }
            }
            if types.is_empty() {
                continue;
            }
            let results = read_with(run, &client, "(refresh)", |ctx| {
                let (provider, types) = (provider.clone(), &types);
                async move { provider.read_types(&ctx, types, run.parallelism).await }
            })
            .await;
            for ((type_name, addrs), res) in names.into_iter().zip(results) {
                out.entry(type_name)
                    .or_default()
                    .extend(addrs.into_iter().zip(res));
            }
        }
        for (type_name, found) in out {
            if let Some(cell) = self.type_cell(p, &type_name) {
                let _ = cell.set(Mutex::new(found));
            }
        }
    }

    /// One type's prior instances under provider node `p`, read with its `read_many` (once
    /// per provider instance).
    async fn read_type(&self, run: &Run, p: usize, type_name: &str) -> RefreshResult {
        let mut out = HashMap::new();
        let Some((_, rt)) = run.registry.resource(type_name) else {
            return Mutex::new(out);
        };
        let label = format!("{type_name} (refresh)");
        for (instance, mut batches) in self.prior_batches(run, p, Some(type_name)) {
            let (Some(client), Some(batch)) =
                (run.client_at(p, &instance), batches.remove(type_name))
            else {
                continue;
            };
            let results = read_with(run, &client, &label, |ctx| {
                let (rt, states) = (rt.clone(), &batch.states);
                async move { rt.read_many(&ctx, states).await }
            })
            .await;
            out.extend(batch.addrs.into_iter().zip(results));
        }
        Mutex::new(out)
    }

    /// The prior managed instances under provider node `p` (of one type, or all), by the
    /// provider instance that created them and by type, each announced as being refreshed.
    /// Instances whose create never finished, and those whose resource left the
    /// configuration, are not read.
    fn prior_batches(
        &self,
        run: &Run,
        p: usize,
        only: Option<&str>,
    ) -> BTreeMap<String, BTreeMap<String, Batch>> {
        let mut out: BTreeMap<String, BTreeMap<String, Batch>> = BTreeMap::new();
        for (a, inst) in &run.prior.resources {
            if only.is_some_and(|t| t != inst.type_name)
                || inst.mode != StateMode::Managed
                || inst.status == Status::Creating
            {
                continue;
            }
            if run.node_of(a).and_then(|rn| run.graph.provider_of.get(&rn)) != Some(&p) {
                continue;
            }
            self.observer.event(Event::Refreshing {
                address: a.clone(),
                id: inst
                    .attributes
                    .get("id")
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
            });
            let b = out
                .entry(instance_of(run, p, &inst.provider))
                .or_default()
                .entry(inst.type_name.clone())
                .or_default();
            b.addrs.push(a.clone());
            b.states.push(inst.value());
        }
        out
    }
}

/// The provider instance a stored instance was created by, as [`Run::client_at`] takes it:
/// the recorded one for a configuration with `for_each`; otherwise the configuration's
/// single instance, whatever the state recorded (which may predate a rename or alias).
fn instance_of(run: &Run, p: usize, stored: &str) -> String {
    match crate::addr::split_provider_instance(stored) {
        (_, Some(_)) => stored.to_string(),
        _ => match &run.graph.nodes[p].kind {
            crate::graph::NodeKind::Provider(k) => k.clone(),
            _ => String::new(),
        },
    }
}

/// The provider object behind provider node `p` (`aws` for `aws.west`).
fn provider_of_node(run: &Run, p: usize) -> Option<Arc<dyn crate::provider::Provider>> {
    let crate::graph::NodeKind::Provider(key) = &run.graph.nodes[p].kind else {
        return None;
    };
    let name = key.split('.').next().unwrap_or(key);
    run.registry.provider(name).cloned()
}

/// Runs one refresh read under a parallelism permit, with a context named `label`.
async fn read_with<'r, T, F, Fut>(
    run: &'r Run,
    client: &'r ProviderClient,
    label: &'r str,
    f: F,
) -> T
where
    F: FnOnce(OpContext<'r>) -> Fut,
    Fut: std::future::Future<Output = T> + 'r,
{
    static NOOP: fn(&str) = |_| {};
    let ctx = OpContext {
        client,
        address: label,
        timeouts: Default::default(),
        create_token: "",
        recovering: false,
        recovered: &crate::provider::no_recovery,
        note: &crate::provider::no_note,
        progress: &NOOP,
    };
    let _permit = run.semaphore.acquire().await;
    f(ctx).await
}
