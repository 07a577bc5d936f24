//! Runs the providers' plan-time rules across resources ([`crate::provider::plan_check`])
//! on a finished plan, and turns their findings into diagnostics at the argument's
//! expression in the resource block (or the part of it the finding's path names).

use super::model::{Action, ResourceChange};
use crate::config::Resource;
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::provider::{Finding, PlannedInstance};
use crate::state::Mode;
use crate::walk::Run;
use std::collections::BTreeSet;

/// The findings of every provider's rules on the planned instances of `changes`. Each
/// provider with instances in the plan sees all of them (a CRD of one provider judges a
/// custom resource of another), and reports on its own.
pub fn check_across(run: &Run, changes: &[ResourceChange]) -> Diagnostics {
    let mut providers: BTreeSet<&str> = BTreeSet::new();
    let mut planned = Vec::new();
    for c in changes {
        let (Some(after), false) = (&c.after, c.action == Action::Delete) else {
            continue;
        };
        let data = c.mode == Mode::Data;
        let provider = if data {
            run.registry.data_source(&c.type_name).map(|(p, _)| p)
        } else {
            run.registry.resource(&c.type_name).map(|(p, _)| p)
        };
        let Some(provider) = provider else {
            continue;
        };
        providers.insert(provider);
        planned.push(PlannedInstance {
            address: c.address.clone(),
            type_name: c.type_name.clone(),
            data,
            value: after.clone(),
            refs: config_of(run, &c.address).map_or_else(Vec::new, |r| refs(r, &c.address)),
        });
    }
    let mut diags = Diagnostics::new();
    for name in providers {
        let Some(p) = run.registry.provider(name) else {
            continue;
        };
        for f in p.check_plan(&planned) {
            diags.push(diagnostic(run, &f));
        }
    }
    diags
}

/// The resource block of a planned instance.
fn config_of<'r>(run: &'r Run, address: &str) -> Option<&'r Resource> {
    let n = run.node_of(address)?;
    let node = &run.graph.nodes[n];
    let crate::graph::NodeKind::Resource(key) = &node.kind else {
        return None;
    };
    run.module(node.module).resources.get(key)
}

/// For each top-level argument, the resources its expression names, in the instance's
/// module instance (`module.a["k"].aws_vpc.hub`).
fn refs(r: &Resource, address: &str) -> Vec<(String, String)> {
    let prefix = crate::addr::module_instance_prefix(&crate::addr::module_instance_of(address));
    let mut out = Vec::new();
    for (name, a) in r.body.attributes.iter() {
        for rf in crate::lang::references(&a.expr.expr) {
            let target = match (rf.root.as_str(), rf.attrs.first(), rf.attrs.get(1)) {
                (
                    "var" | "local" | "module" | "count" | "each" | "path" | "self" | "terraform",
                    ..,
                ) => continue,
                (m @ ("data" | "ephemeral"), Some(t), Some(n)) => format!("{m}.{t}.{n}"),
                ("data" | "ephemeral", ..) => continue,
                (t, Some(n), _) => format!("{t}.{n}"),
                _ => continue,
            };
            out.push((name.clone(), format!("{prefix}{target}")));
        }
    }
    out
}

/// The span of argument `attribute` of the instance's resource block, down `path` inside
/// its value as far as the expression spells it out (the block's header when the argument
/// is not written there).
fn span_of(run: &Run, address: &str, attribute: &str, path: &[String]) -> Option<Span> {
    let r = config_of(run, address)?;
    Some(
        r.body
            .attributes
            .get(attribute)
            .map_or(r.span, |a| a.expr.span_at(path)),
    )
}

fn diagnostic(run: &Run, f: &Finding) -> Diagnostic {
    let mut d = Diagnostic::error(f.summary.clone())
        .detail(f.detail.clone())
        .address(&f.address);
    if let Some(s) = span_of(run, &f.address, &f.attribute, &f.path) {
        d = d.subject(s);
    }
    if let Some((addr, attr, label)) = &f.related {
        if let Some(s) = span_of(run, addr, attr, &[]) {
            d = d.related(s, label.clone());
        }
    }
    d
}
