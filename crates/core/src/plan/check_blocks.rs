//! `check` blocks (Terraform 1.5): after a plan (and after an apply) every assertion is
//! evaluated against the walk's values, in every instance of its module. A false one is a
//! warning, never an error, and an unknown one ("known after apply") is reported as such.
//! A scoped data source that failed makes its check fail with that error as the problem.
//! The results have the shape of the `checks` of Terraform's plan JSON.

use crate::config::Validation;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::walk::body::eval_expr;
use crate::walk::ephemeral_rules::{error_message, Condition};
use crate::walk::scope::Scope;
use crate::walk::Run;
use serde::{Deserialize, Serialize};

/// A check's outcome, as Terraform names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Fail,
    Unknown,
    Error,
}

impl CheckStatus {
    /// The status of several results together: a failure or error wins, then unknown.
    fn combine(statuses: impl IntoIterator<Item = CheckStatus>) -> CheckStatus {
        let mut out = None;
        for s in statuses {
            out = Some(match (out, s) {
                (Some(CheckStatus::Error), _) | (_, CheckStatus::Error) => CheckStatus::Error,
                (Some(CheckStatus::Fail), _) | (_, CheckStatus::Fail) => CheckStatus::Fail,
                (Some(CheckStatus::Unknown), _) | (_, CheckStatus::Unknown) => CheckStatus::Unknown,
                _ => CheckStatus::Pass,
            });
        }
        // A check with no instances (its module has none) cannot be decided.
        out.unwrap_or(CheckStatus::Unknown)
    }
}

/// One check block's results, in each instance of its module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// `check.name` or `module.m.check.name` (the module's configuration path).
    pub address: String,
    pub name: String,
    pub status: CheckStatus,
    pub instances: Vec<CheckInstance>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckInstance {
    /// `check.name` or `module.m["k"].check.name`.
    pub address: String,
    pub status: CheckStatus,
    /// The failed assertions' messages (and failed scoped data sources' errors).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// Evaluates every check block against `run`'s values (after its walk): the results, and
/// the warnings (and errors, for a condition that is not a boolean) to show.
pub fn evaluate(run: &Run) -> (Vec<CheckResult>, Diagnostics) {
    let mut out = Vec::new();
    let mut diags = Diagnostics::new();
    for (mi, entry) in run.graph.modules.iter().enumerate() {
        let prefix = crate::addr::module_prefix(&entry.path);
        for (name, check) in &run.module(mi).checks {
            let mut instances = Vec::new();
            for inst in run.module_instances(mi) {
                let address = format!("{}check.{name}", inst.prefix());
                let scope = Scope::at(run, mi, &inst);
                let problems = scoped_failures(run, mi, &check.data);
                let (status, problems) = if problems.is_empty() {
                    assertions(run, &scope, &check.asserts, &address, &mut diags)
                } else {
                    (CheckStatus::Fail, problems)
                };
                instances.push(CheckInstance {
                    address,
                    status,
                    problems,
                });
            }
            out.push(CheckResult {
                address: format!("{prefix}check.{name}"),
                name: name.clone(),
                status: CheckStatus::combine(instances.iter().map(|i| i.status)),
                instances,
            });
        }
    }
    out.sort_by(|a, b| a.address.cmp(&b.address));
    (out, diags)
}

/// The errors the check's scoped data sources had.
fn scoped_failures(run: &Run, mi: usize, data: &[String]) -> Vec<String> {
    data.iter()
        .filter_map(|key| {
            let n = run
                .graph
                .node(mi, &crate::graph::NodeKind::Resource(key.clone()))?;
            run.scoped_problems(n)
        })
        .flatten()
        .collect()
}

/// One instance's assertions: its status and the messages of the failed ones.
fn assertions(
    run: &Run,
    scope: &Scope<'_>,
    asserts: &[Validation],
    address: &str,
    diags: &mut Diagnostics,
) -> (CheckStatus, Vec<String>) {
    let mut statuses = Vec::new();
    let mut problems = Vec::new();
    for a in asserts {
        let (c, d) = eval_expr(&a.condition, scope, run.base_dir());
        if d.has_errors() {
            diags.extend(d);
            statuses.push(CheckStatus::Error);
            continue;
        }
        match c.peel() {
            Value::Bool(true) => statuses.push(CheckStatus::Pass),
            Value::Unknown(_) => {
                statuses.push(CheckStatus::Unknown);
                diags.push(
                    Diagnostic::warning("Check block assertion known after apply")
                        .detail("The condition could not be evaluated at this time, a result will be known when this plan is applied.")
                        .subject(a.condition.span())
                        .address(address),
                );
            }
            Value::Bool(false) => {
                let (msg, _) = eval_expr(&a.error_message, scope, run.base_dir());
                let at = a.error_message.span();
                let (msg, why) = error_message(&msg, at, Condition::Check);
                diags.0.extend(why.map(|d| d.address(address)));
                statuses.push(CheckStatus::Fail);
                diags.push(
                    Diagnostic::warning("Check block assertion failed")
                        .detail(msg.clone())
                        .subject(a.condition.span())
                        .address(address),
                );
                problems.push(msg);
            }
            _ => {
                statuses.push(CheckStatus::Error);
                diags.push(
                    Diagnostic::error("Invalid condition result")
                        .detail(
                            "The condition of a check block assertion must return true or false.",
                        )
                        .subject(a.condition.span())
                        .address(address),
                );
            }
        }
    }
    (CheckStatus::combine(statuses), problems)
}

/// Terraform's `checks` array of the plan JSON.
pub fn checks_json(results: &[CheckResult]) -> serde_json::Value {
    let status = |s: CheckStatus| serde_json::to_value(s).unwrap_or_default();
    results
        .iter()
        .map(|r| {
            let instances: Vec<serde_json::Value> = r
                .instances
                .iter()
                .map(|i| {
                    let mut address = serde_json::json!({ "to_display": i.address });
                    if let Some((m, _)) = i.address.rsplit_once(".check.") {
                        address["module"] = m.into();
                    }
                    let mut o = serde_json::json!({
                        "address": address,
                        "status": status(i.status),
                    });
                    if !i.problems.is_empty() {
                        o["problems"] = i
                            .problems
                            .iter()
                            .map(|p| serde_json::json!({ "message": p }))
                            .collect();
                    }
                    o
                })
                .collect();
            let module = r.address.rsplit_once(".check.").map(|(m, _)| m);
            let mut address = serde_json::json!({
                "kind": "check",
                "name": r.name,
                "to_display": r.address,
            });
            if let Some(m) = module {
                address["module"] = m.into();
            }
            serde_json::json!({
                "address": address,
                "status": status(r.status),
                "instances": instances,
            })
        })
        .collect()
}
