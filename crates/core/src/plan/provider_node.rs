//! Provider nodes: evaluate the `provider` block (or nothing, for an implicit provider) and
//! build the provider's clients once, for every resource that uses this configuration.
//!
//! A block whose values are not known at plan time (`host = aws_eks_cluster.this.endpoint`)
//! is not configured then: its resources plan without a client. During apply the node runs
//! after what it depends on, so its values are known and it is configured before any of its
//! resources needs it.

use super::walk::{provider_config, NodeResult, Run, WalkMode};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;

pub async fn configure(run: &Run, n: usize, mi: usize, key: &str) -> NodeResult {
    let name = key.split('.').next().unwrap_or(key);
    let Some(p) = run.registry.provider(name).cloned() else {
        let d = Diagnostic::error("Provider not available")
            .detail(format!("hubctl has no provider named \"{name}\". Resource types of a provider are named after it (\"{name}_...\"); check the type names or the `provider` arguments."))
            .subject_opt(run.graph.nodes[n].span);
        return NodeResult::value(Value::unknown(), Diagnostics::from(d));
    };
    let (cfg, diags) = provider_config(run, mi, key, &p.config_schema());
    if run.is_validate() || diags.has_errors() {
        return NodeResult::value(Value::Null, diags);
    }
    if !cfg.is_wholly_known() {
        if matches!(run.mode, WalkMode::Apply(_)) {
            let mut diags = diags;
            diags.push(
                Diagnostic::error(format!("Provider \"{key}\" configuration is not known"))
                    .detail("Some of the provider block's values are still unknown during apply, after everything they depend on was applied. This happens when they depend on a resource skipped by -target or by an error; apply that first.")
                    .subject_opt(run.graph.nodes[n].span),
            );
            return NodeResult::value(Value::Null, diags);
        }
        tracing::debug!(
            provider = key,
            "configuration known only after apply: not configured at plan time"
        );
        return NodeResult::value(Value::Null, diags);
    }
    match p.configure(&cfg).await {
        Ok(client) => {
            let _ = run.clients[n].set(client);
            NodeResult::value(Value::Null, diags)
        }
        Err(e) => {
            let mut diags = diags;
            diags.push(
                Diagnostic::error(format!("Failed to configure provider \"{key}\""))
                    .detail(e.to_string())
                    .subject_opt(run.graph.nodes[n].span),
            );
            NodeResult::value(Value::Null, diags)
        }
    }
}
