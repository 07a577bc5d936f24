//! Provider nodes: evaluate the `provider` block (or nothing, for an implicit provider) and
//! build the provider's clients once, for every resource that uses this configuration.
//!
//! A block whose values are not known at plan time (`host = aws_eks_cluster.this.endpoint`)
//! is not configured then: its resources plan without a client. During apply the node runs
//! after what it depends on, so its values are known and it is configured before any of its
//! resources needs it.

use super::body::{eval_body, BodyCtx};
use super::run::{Mode, Run};
use super::scope::Scope;
use super::step::NodeResult;
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
    let (cfg, mut diags) = provider_config(run, mi, key, &p.config_schema());
    if !diags.has_errors() {
        if let Some(block) = provider_block(run, mi, key) {
            for f in p.validate(&cfg) {
                diags.push(super::findings::diagnostic(&block.body, block.span, f));
            }
        }
    }
    if run.is_validate() || diags.has_errors() {
        return NodeResult::value(Value::Null, diags);
    }
    if !cfg.is_wholly_known() {
        if run.mode == Mode::Apply {
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
    if let Some(client) = run.registry.configured_client(name, &cfg) {
        let _ = run.clients[n].set(client);
        return NodeResult::value(Value::Null, diags);
    }
    match p.configure(&cfg).await {
        Ok(client) => {
            run.registry.remember_client(name, &cfg, &client);
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

/// The `provider` block of configuration `key` (`aws`, `aws.west`) in module `mi`, if any.
fn provider_block<'a>(
    run: &'a Run,
    mi: usize,
    key: &str,
) -> Option<&'a crate::config::ProviderConfig> {
    run.module(mi).providers.iter().find(|p| {
        let k = match &p.alias {
            Some(a) => format!("{}.{}", p.name, a),
            None => p.name.clone(),
        };
        k == key
    })
}

/// Evaluates a provider block body against the provider's schema.
pub fn provider_config(
    run: &Run,
    mi: usize,
    key: &str,
    schema: &crate::provider::Schema,
) -> (Value, Diagnostics) {
    let Some(p) = provider_block(run, mi, key) else {
        return (Value::Null, Diagnostics::new());
    };
    let scope = Scope::new(run, mi);
    eval_body(
        &p.body,
        schema,
        p.span,
        &BodyCtx {
            resolver: &scope,
            base_dir: run.base_dir(),
            skip_blocks: &[],
        },
    )
}
