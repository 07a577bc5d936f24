//! Applying one resource's planned changes. Each instance's configuration is evaluated again
//! (upstream values are known now), checked against the plan, and the action carried out.
//! State is written through the writer after every operation, with an intent recorded
//! before every create, so a crash at any point is recovered by the next run.

use super::ops::{
    check_consistent, client, mark_like, noter, op_error, reporter, resource_type, timed,
    timeouts_of, write, RecoveryLog,
};
use super::step::ApplyStep;
use crate::addr::InstanceKey;
use crate::config::{Resource, ResourceMode};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::plan::data::read_data;
use crate::plan::diff::proposed;
use crate::plan::expand::Instance;
use crate::plan::resource::{aggregate, eval_instance, plan_error, prior_aggregate, schema_of};
use crate::plan::{Action, ResourceChange};
use crate::provider::{OpContext, PlanContext, PlannedState, Resource as ResourceType, Schema};
use crate::state::{InstanceState, Mode, StateOp, Status};
use crate::walk::instances::{pack, ModuleInst};
use crate::walk::scope::Scope;
use crate::walk::{NodeResult, Run};

/// Applies every instance of resource node `n` (in every instance of its module); the
/// deletes of its instances whose key left `count`/`for_each` are delete nodes of their own
/// (see `step::standalone_deletes`).
pub async fn apply_resource(
    run: &Run,
    step: &ApplyStep,
    n: usize,
    mi: usize,
    key: &str,
) -> NodeResult {
    let r = &run.module(mi).resources[key];
    let addr = run.resource_address(mi, key);
    if step.plan.destroy {
        return NodeResult::value(prior_aggregate(run, mi, r, &addr), Diagnostics::new());
    }
    let schema = match schema_of(run, r) {
        Ok(s) => s,
        Err(d) => return NodeResult::value(Value::unknown(), d.into()),
    };
    let deps = run.graph.resource_dependencies(n);
    let mut diags = Diagnostics::new();
    let mut values = Vec::new();
    for minst in run.module_instances(mi) {
        let cx = Cx {
            run,
            step,
            n,
            mi: (mi, &minst),
            r,
            schema: &schema,
            deps: &deps,
        };
        let v = cx.apply_module_instance(&mut diags).await;
        values.push((minst.clone(), v));
    }
    NodeResult::value(pack(mi, values), diags)
}

/// What applying one resource's instances shares.
struct Cx<'a> {
    run: &'a Run,
    step: &'a ApplyStep,
    n: usize,
    mi: (usize, &'a ModuleInst),
    r: &'a Resource,
    schema: &'a Schema,
    /// The resource's dependencies, recorded in each instance's state.
    deps: &'a [String],
}

impl Cx<'_> {
    /// Applies the resource's instances in one module instance; their value.
    async fn apply_module_instance(&self, diags: &mut Diagnostics) -> Value {
        let (mi, minst) = self.mi;
        let base = format!("{}{}", minst.prefix(), self.r.key());
        let scope = Scope::at(self.run, mi, minst);
        let (instances, d) =
            crate::walk::enabled::expand_resource(self.r, &scope, self.run.base_dir(), false);
        if d.has_errors() {
            diags.extend(d.with_address(&base));
            return Value::unknown();
        }
        diags.extend(d);
        let futs = instances.iter().map(|inst| {
            let iaddr = format!("{base}{}", inst.key);
            self.apply_one(inst, iaddr)
        });
        let futs: Vec<_> = futs.collect();
        let mut items = Vec::new();
        for (k, v, d) in futures_util::future::join_all(futs).await {
            diags.extend(d);
            items.push((k, v));
        }
        aggregate(self.r, items)
    }

    /// Applies one instance's planned change: its key, its value, and diagnostics.
    async fn apply_one(&self, inst: &Instance, iaddr: String) -> (InstanceKey, Value, Diagnostics) {
        let run = self.run;
        if !run.instance_targeted(self.n, &iaddr) {
            // Left out by -target: keeps its stored value.
            let kept = run
                .prior
                .resources
                .get(&iaddr)
                .map_or_else(Value::unknown, InstanceState::value);
            return (inst.key.clone(), kept, Diagnostics::new());
        }
        let planned = self.step.planned.get(&iaddr);
        let Some(ch) = planned.map(|&i| &self.step.plan.changes[i]) else {
            let d = Diagnostic::error("Resource instance not in plan")
                .detail("The configuration now has an instance the saved plan did not include; the configuration or its inputs changed after planning. Run plan again.")
                .address(iaddr);
            return (inst.key.clone(), Value::unknown(), Diagnostics::from(d));
        };
        let (config, d) = eval_instance(run, self.mi, self.r, self.schema, inst);
        if d.has_errors() {
            return (inst.key.clone(), Value::unknown(), d.with_address(&iaddr));
        }
        match self.apply_instance(ch, config).await {
            Ok(v) => (inst.key.clone(), v, d),
            Err(e) => {
                let mut d = d;
                d.push(e);
                (inst.key.clone(), Value::unknown(), d)
            }
        }
    }

    async fn apply_instance(
        &self,
        ch: &ResourceChange,
        config: Value,
    ) -> Result<Value, Diagnostic> {
        let (run, r) = (self.run, self.r);
        let address = ch.address.as_str();
        let record = Record {
            mode: if r.mode == ResourceMode::Data {
                Mode::Data
            } else {
                Mode::Managed
            },
            type_name: &r.type_name,
            provider: &ch.provider,
            deps: self.deps,
            cbd: r.lifecycle.create_before_destroy,
        };
        if r.mode == ResourceMode::Data {
            return self.apply_data(ch, &config, &record).await;
        }
        // An imported object enters the state first (its own checkpoint), so a failed update
        // still leaves it managed; a replacement's create records the new object instead.
        if let (Some(_), Some(before), false) = (&ch.importing, &ch.before, ch.action.is_replace())
        {
            let op = record.set(address, before, Status::Ready);
            write(self.step, address, vec![op]).await?;
        }
        if ch.action == Action::NoOp {
            return Ok(ch.before.clone().unwrap_or(Value::Null));
        }
        let rt = resource_type(run, &r.type_name)?;
        let client = client(run, self.n, ch)?;
        let planned = self
            .replan(ch, rt.as_ref(), &client, &config)
            .await?
            .planned;
        let progress = reporter(self.step.observer.as_ref(), address);
        let log = RecoveryLog::new(self.step.observer.as_ref(), address);
        let recovered = |r| log.report(r);
        let note = noter(self.step.observer.as_ref(), address);
        let intent = run
            .prior
            .resources
            .get(address)
            .filter(|p| p.status == Status::Creating);
        // A resumed create keeps its interrupted attempt's token; a new one gets its own.
        let token = intent.and_then(|p| p.create_token.clone());
        let token = token.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let ctx = OpContext {
            client: &client,
            address,
            timeouts: timeouts_of(run, r).map_err(|d| d.address(address))?,
            create_token: &token,
            recovering: intent.is_some(),
            progress: &progress,
            recovered: &recovered,
            note: &note,
        };
        let op = Op {
            run,
            step: self.step,
            address,
            rt: rt.as_ref(),
            ctx: &ctx,
            record: &record,
            log: &log,
        };
        let prior = ch.before.clone().unwrap_or(Value::Null);
        match ch.action {
            Action::Create => op.create(planned).await,
            Action::Update => op.update(&prior, planned).await,
            // The delete half ran as its own node (`standalone_deletes`), after the deletes of
            // everything that depended on the old object.
            Action::DeleteThenCreate => op.create(planned).await,
            Action::CreateThenDelete => op.create_then_delete(prior, planned).await,
            Action::Delete | Action::NoOp | Action::Read => Ok(prior),
        }
    }

    /// A data source: read now if the plan deferred it, and recorded in state.
    async fn apply_data(
        &self,
        ch: &ResourceChange,
        config: &Value,
        record: &Record<'_>,
    ) -> Result<Value, Diagnostic> {
        let address = ch.address.as_str();
        let v = match ch.action {
            Action::Read => {
                let observer = self.step.observer.as_ref();
                read_data(
                    self.run,
                    observer,
                    (self.n, &ch.provider),
                    self.r,
                    address,
                    config,
                )
                .await?
            }
            _ => ch.after.clone().unwrap_or(Value::Null),
        };
        let op = record.set(address, &v, Status::Ready);
        write(self.step, address, vec![op]).await?;
        Ok(v)
    }

    /// Plans the instance again with what is known now; it must agree with the saved plan.
    async fn replan(
        &self,
        ch: &ResourceChange,
        rt: &dyn ResourceType,
        client: &crate::provider::ProviderClient,
        config: &Value,
    ) -> Result<PlannedState, Diagnostic> {
        let r = self.r;
        let address = ch.address.as_str();
        let base = if ch.action.is_replace() {
            None
        } else {
            ch.before.as_ref()
        };
        let pctx = PlanContext {
            client: Some(client),
            address,
        };
        let planned = rt
            .plan(
                &pctx,
                base,
                proposed(rt.schema(), base, config, &r.lifecycle),
            )
            .await
            .map_err(|e| plan_error(r, address, e))?;
        check_consistent(ch, &planned.planned)?;
        Ok(planned)
    }
}

/// How an instance of this resource is recorded in state.
struct Record<'a> {
    mode: Mode,
    type_name: &'a str,
    provider: &'a str,
    deps: &'a [String],
    cbd: bool,
}

impl Record<'_> {
    /// The intent record written before a create: the planned value and the create's
    /// idempotency token.
    fn intent(&self, address: &str, planned: &Value, token: &str) -> StateOp {
        let mut op = self.set(address, planned, Status::Creating);
        if let StateOp::SetInstance { instance, .. } = &mut op {
            instance.create_token = Some(token.to_string());
        }
        op
    }

    fn set(&self, address: &str, v: &Value, status: Status) -> StateOp {
        StateOp::SetInstance {
            address: address.to_string(),
            instance: InstanceState::from_value(
                self.mode,
                self.type_name,
                self.provider,
                v,
                self.deps.to_vec(),
                status,
                self.cbd,
            ),
        }
    }
}

/// One managed instance's operations through its type.
struct Op<'a, 'c> {
    run: &'a Run,
    step: &'a ApplyStep,
    address: &'a str,
    rt: &'a dyn ResourceType,
    ctx: &'a OpContext<'c>,
    record: &'a Record<'a>,
    log: &'a RecoveryLog<'a>,
}

impl Op<'_, '_> {
    async fn write(&self, ops: Vec<StateOp>) -> Result<(), Diagnostic> {
        write(self.step, self.address, ops).await
    }

    async fn timed<T>(
        &self,
        address: &str,
        action: Action,
        fut: impl std::future::Future<Output = Result<T, crate::provider::ProviderError>>,
    ) -> Result<T, crate::provider::ProviderError> {
        timed(self.run, self.step.observer.as_ref(), address, action, fut).await
    }

    async fn create(&self, planned: Value) -> Result<Value, Diagnostic> {
        let address = self.address;
        // Intent first: a crash during the call is found and recovered by the next run.
        self.write(vec![self.record.intent(
            address,
            &planned,
            self.ctx.create_token,
        )])
        .await?;
        let created = self.rt.create(self.ctx, &planned);
        let v = match self.timed(address, Action::Create, created).await {
            Ok(v) => v,
            Err(e) => {
                // A definitive refusal created nothing: drop the intent. When the outcome
                // is uncertain (timeouts, lost connections), keep it: the next run looks
                // for the object by its address before creating another.
                if !e.is_uncertain() {
                    let address = address.to_string();
                    self.write(vec![StateOp::RemoveInstance { address }])
                        .await?;
                }
                return Err(op_error(address, "Create", e));
            }
        };
        if self.ctx.recovering && !self.log.adopted() {
            self.log.report(crate::provider::Recovery::Absent);
        }
        let v = mark_like(v, &planned);
        self.write(vec![self.record.set(address, &v, Status::Ready)])
            .await?;
        Ok(v)
    }

    async fn update(&self, prior: &Value, planned: Value) -> Result<Value, Diagnostic> {
        let address = self.address;
        let updated = self.rt.update(self.ctx, prior, &planned);
        let v = self
            .timed(address, Action::Update, updated)
            .await
            .map_err(|e| op_error(address, "Update", e))?;
        let v = mark_like(v, &planned);
        self.write(vec![self.record.set(address, &v, Status::Ready)])
            .await?;
        Ok(v)
    }

    async fn create_then_delete(&self, prior: Value, planned: Value) -> Result<Value, Diagnostic> {
        let deposed = format!("{} (deposed)", self.address);
        // Keep the old object in state under a deposed key until it is gone.
        self.write(vec![self.record.set(&deposed, &prior, Status::Ready)])
            .await?;
        let v = self.create(planned).await?;
        self.write(vec![self.record.set(&deposed, &prior, Status::Deleting)])
            .await?;
        let deleted = self.rt.delete(self.ctx, &prior);
        self.timed(&deposed, Action::Delete, deleted)
            .await
            .map_err(|e| op_error(&deposed, "Delete", e))?;
        self.write(vec![StateOp::RemoveInstance { address: deposed }])
            .await?;
        Ok(v)
    }
}

/// Deletes one instance (orphan, count shrink, or `destroy`).
pub async fn delete_instance(
    run: &Run,
    step: &ApplyStep,
    provider_node: usize,
    ch: &ResourceChange,
) -> Result<(), Diagnostic> {
    let address = ch.address.as_str();
    if ch.mode == Mode::Data {
        return write(
            step,
            address,
            vec![StateOp::RemoveInstance {
                address: address.to_string(),
            }],
        )
        .await;
    }
    let rt = resource_type(run, &ch.type_name).map_err(|d| d.address(address))?;
    let client = run
        .client_at(provider_node, &ch.provider)
        .ok_or_else(|| crate::plan::missing_provider_instance(run, provider_node, ch))?;
    let progress = reporter(step.observer.as_ref(), address);
    let ctx = OpContext {
        client: &client,
        address,
        timeouts: Default::default(),
        create_token: "",
        recovering: false,
        progress: &progress,
        recovered: &crate::provider::no_recovery,
        note: &crate::provider::no_note,
    };
    let prior = ch.before.clone().unwrap_or(Value::Null);
    // Intent first: a run killed during the delete leaves a trace the next run finishes.
    let stored = run.prior.resources.get(address);
    if let Some(i) = stored {
        let intent = InstanceState {
            status: Status::Deleting,
            ..i.clone()
        };
        write(step, address, vec![set(address, intent)]).await?;
    }
    let deleted = rt.delete(&ctx, &prior);
    if let Err(e) = timed(
        run,
        step.observer.as_ref(),
        address,
        Action::Delete,
        deleted,
    )
    .await
    {
        // A definitive refusal deleted nothing: the object is as it was. When the outcome
        // is uncertain, the intent stays for the next run.
        if let (Some(i), false) = (stored, e.is_uncertain()) {
            write(step, address, vec![set(address, i.clone())]).await?;
        }
        return Err(op_error(address, "Delete", e));
    }
    write(
        step,
        address,
        vec![StateOp::RemoveInstance {
            address: address.to_string(),
        }],
    )
    .await
}

fn set(address: &str, instance: InstanceState) -> StateOp {
    StateOp::SetInstance {
        address: address.to_string(),
        instance,
    }
}
