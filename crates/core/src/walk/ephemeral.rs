//! Ephemeral resources (Terraform 1.10's `ephemeral "TYPE" "NAME"` blocks): opened by the
//! walk itself, the same way in plan and in apply (and in a destroy, whose provider blocks
//! may need them), never by a plan or apply step, so nothing of them reaches a planned
//! change, the state or a plan file. Their value carries the ephemeral mark; every opened
//! instance is closed when the walk is done ([`close_all`]).
//!
//! Validate opens nothing: every instance's value is unknown (and ephemeral). An instance
//! whose configuration or provider is not known yet during a plan is not opened either:
//! its value is unknown, and the apply opens it once what it depends on is known.

use super::body::{eval_body, BodyCtx};
use super::expand::Instance;
use super::instances::{pack, ModuleInst};
use super::run::{Mode, Run};
use super::scope::{instances_value, Scope};
use super::step::NodeResult;
use crate::config::Resource;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::provider::{EphemeralResource, OpContext, Opened, ProviderClient, Schema};
use std::sync::Arc;

/// One opened instance, kept in the run until the walk closes it.
pub struct OpenedInstance {
    pub address: String,
    pub opened: Opened,
    /// The provider instance it was opened with, which closes it.
    pub client: ProviderClient,
}

/// Opens every instance of ephemeral resource node `n` (`key` in module `mi`), in every
/// instance of its module; the value references see is marked ephemeral.
pub async fn open_node(run: &Run, n: usize, mi: usize, key: &str) -> NodeResult {
    let r = &run.module(mi).resources[key];
    let Some((_, et)) = run.registry.ephemeral(&r.type_name) else {
        // The schema check has reported the unknown type before the walk.
        return NodeResult::value(Value::unknown().ephemeral(), Diagnostics::new());
    };
    let cx = Cx {
        run,
        n,
        r,
        et: et.clone(),
        schema: et.schema().clone(),
    };
    let mut diags = Diagnostics::new();
    let mut opened = Vec::new();
    let mut values = Vec::new();
    for minst in run.module_instances(mi) {
        let v = cx.open_in(mi, &minst, &mut opened, &mut diags).await;
        values.push((minst, v));
    }
    let _ = run.opened[n].set(opened);
    let value = if run.is_validate() {
        Value::unknown()
    } else {
        pack(mi, values)
    };
    NodeResult::value(value.ephemeral(), diags)
}

/// What opening one ephemeral resource's instances shares.
struct Cx<'a> {
    run: &'a Run,
    n: usize,
    r: &'a Resource,
    et: Arc<dyn EphemeralResource>,
    schema: Schema,
}

impl Cx<'_> {
    /// The resource's instances in one module instance (`count`/`for_each` expanded).
    async fn open_in(
        &self,
        mi: usize,
        minst: &ModuleInst,
        opened: &mut Vec<OpenedInstance>,
        diags: &mut Diagnostics,
    ) -> Value {
        let run = self.run;
        let base = format!("{}{}", minst.prefix(), self.r.key());
        let scope = Scope::at(run, mi, minst);
        let (instances, d) =
            super::enabled::expand_resource(self.r, &scope, run.base_dir(), run.is_validate());
        let failed = d.has_errors();
        diags.extend(d.with_address(&base));
        if failed {
            return Value::unknown();
        }
        let mut items = Vec::new();
        for inst in &instances {
            let iaddr = format!("{base}{}", inst.key);
            let v = self.open_instance((mi, minst), inst, &iaddr, diags).await;
            if let Some((o, client)) = v.1 {
                opened.push(OpenedInstance {
                    address: iaddr,
                    opened: o,
                    client,
                });
            }
            items.push((inst.key.clone(), v.0));
        }
        if self.r.count.is_some() || self.r.for_each.is_some() {
            return instances_value(self.r.count.is_some(), items);
        }
        items.into_iter().next().map_or(Value::Null, |(_, v)| v)
    }

    /// One instance: its value, and what was opened (none in validate, on an error, or
    /// while the configuration or the provider is not known yet).
    async fn open_instance(
        &self,
        (mi, minst): (usize, &ModuleInst),
        inst: &Instance,
        iaddr: &str,
        diags: &mut Diagnostics,
    ) -> (Value, Option<(Opened, ProviderClient)>) {
        let (run, r) = (self.run, self.r);
        let scope = Scope::of_instance(run, mi, minst, inst);
        let ctx = BodyCtx {
            resolver: &scope,
            base_dir: run.base_dir(),
            skip_blocks: &[],
        };
        let (config, d) = eval_body(&r.body, &self.schema, r.span, &ctx);
        let mut failed = d.has_errors();
        diags.extend(d.with_address(iaddr));
        for f in self.et.validate(&config) {
            let d = super::findings::diagnostic(&r.body, r.span, f);
            failed |= d.severity == crate::diag::Severity::Error;
            diags.push(d.address(iaddr));
        }
        let unknown = Value::Unknown(self.schema.object_type());
        if failed || run.is_validate() {
            return (unknown, None);
        }
        let client = match super::provider::instance_provider(run, self.n, minst, inst) {
            Ok(p) => run.client_for(self.n, &p),
            Err(d) => {
                diags.extend(d.with_address(iaddr));
                return (unknown, None);
            }
        };
        let (Some(client), true) = (client, config.is_wholly_known()) else {
            if run.mode == Mode::Apply {
                diags.push(not_known(r, iaddr));
            }
            return (unknown, None);
        };
        match self.et.open(&op_context(&client, iaddr), &config).await {
            Ok(o) => (o.value.clone(), Some((o, client))),
            Err(e) => {
                diags.push(
                    Diagnostic::error(format!("Failed to open ephemeral resource {}", r.type_name))
                        .detail(e.to_string())
                        .address(iaddr)
                        .subject(r.span),
                );
                (unknown, None)
            }
        }
    }
}

fn op_context<'a>(client: &'a crate::provider::ProviderClient, address: &'a str) -> OpContext<'a> {
    OpContext {
        client,
        address,
        timeouts: Default::default(),
        create_token: "",
        recovering: false,
        recovered: &crate::provider::no_recovery,
        note: &crate::provider::no_note,
        progress: &|_: &str| {},
    }
}

/// During apply everything an ephemeral resource depends on is known; if its
/// configuration still is not, something it needs was skipped.
fn not_known(r: &Resource, iaddr: &str) -> Diagnostic {
    Diagnostic::error("Ephemeral resource configuration is not known")
        .detail("Some of the ephemeral resource's arguments, or its provider's configuration, are still unknown during apply, after everything they depend on was applied. This happens when they depend on a resource skipped by -target or by an error; apply that first.")
        .address(iaddr)
        .subject(r.span)
}

/// Closes every ephemeral resource instance the walk opened, after every node is done.
pub async fn close_all(run: &Run) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for (n, cell) in run.opened.iter().enumerate() {
        let Some(list) = cell.get() else {
            continue;
        };
        let node = &run.graph.nodes[n];
        let crate::graph::NodeKind::Resource(key) = &node.kind else {
            continue;
        };
        let r = &run.module(node.module).resources[key];
        let Some((_, et)) = run.registry.ephemeral(&r.type_name) else {
            continue;
        };
        for o in list {
            if let Err(e) = et
                .close(&op_context(&o.client, &o.address), &o.opened)
                .await
            {
                diags.push(
                    Diagnostic::error(format!(
                        "Failed to close ephemeral resource {}",
                        r.type_name
                    ))
                    .detail(e.to_string())
                    .address(&o.address)
                    .subject(r.span),
                );
            }
        }
    }
    diags
}
