//! Provider nodes: evaluate the `provider` block (or nothing, for an implicit provider) and
//! build the provider's clients once, for every resource that uses this configuration.
//!
//! A block whose values are not known at plan time (`host = aws_eks_cluster.this.endpoint`)
//! is not configured then: its resources plan without a client. During apply the node runs
//! after what it depends on, so its values are known and it is configured before any of its
//! resources needs it.
//!
//! A configuration with `for_each` (OpenTofu 1.9) is configured once per key, its block
//! evaluated with that element's `each`; the keys must be known at plan time.

use super::body::eval_expr;
use super::body::{eval_body, BodyCtx};
use super::expand::{expand, Instance};
use super::instances::ModuleInst;
use super::run::{Mode, Run};
use super::scope::Scope;
use super::step::NodeResult;
use crate::addr::InstanceKey;
use crate::config::ProviderConfig;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::provider::{Provider, ProviderClient};
use std::collections::BTreeMap;
use std::sync::Arc;

pub async fn configure(run: &Run, n: usize, mi: usize, key: &str) -> NodeResult {
    let name = key.split('.').next().unwrap_or(key);
    let Some(p) = run.registry.provider(name).cloned() else {
        let d = Diagnostic::error("Provider not available")
            .detail(format!("hubctl has no provider named \"{name}\". Resource types of a provider are named after it (\"{name}_...\"); check the type names or the `provider` arguments."))
            .subject_opt(run.graph.nodes[n].span);
        return NodeResult::value(Value::unknown(), Diagnostics::from(d));
    };
    let block = provider_block(run, mi, key);
    let Some(for_each) = block.and_then(|b| b.for_each.as_ref()) else {
        let scope = Scope::new(run, mi);
        let (client, diags) = instance(run, (n, key), block, &p, &scope).await;
        if let Some(client) = client {
            let _ = run.clients[n].set(client);
        }
        return NodeResult::value(Value::Null, diags);
    };
    let base = Scope::new(run, mi);
    let (instances, mut diags) = expand(
        None,
        Some(for_each),
        &base,
        run.base_dir(),
        run.is_validate(),
    );
    let mut keyed = BTreeMap::new();
    for inst in &instances {
        let mut scope = Scope::new(run, mi);
        scope.each = inst.each.clone();
        let (client, d) = instance(run, (n, key), block, &p, &scope).await;
        diags.extend(d);
        if let InstanceKey::Str(k) = &inst.key {
            keyed.insert(k.clone(), client);
        }
    }
    if !diags.has_errors() && !run.is_validate() {
        let _ = run.keyed[n].set(keyed);
    }
    NodeResult::value(Value::Null, diags)
}

/// Configures one instance of provider configuration `key` (node `n`) with its block (none
/// for an implicit provider) evaluated in `scope`: its client, or none (validate, errors,
/// or values known only after apply).
async fn instance(
    run: &Run,
    (n, key): (usize, &str),
    block: Option<&ProviderConfig>,
    p: &Arc<dyn Provider>,
    scope: &Scope<'_>,
) -> (Option<ProviderClient>, Diagnostics) {
    let name = p.name();
    let (cfg, mut diags) = provider_config(run, block, &p.config_schema(), scope);
    if !diags.has_errors() {
        if let Some(block) = block {
            for f in p.validate(&cfg) {
                diags.push(super::findings::diagnostic(&block.body, block.span, f));
            }
        }
    }
    if run.is_validate() || diags.has_errors() {
        return (None, diags);
    }
    if !cfg.is_wholly_known() {
        if run.mode == Mode::Apply {
            diags.push(
                Diagnostic::error(format!("Provider \"{key}\" configuration is not known"))
                    .detail("Some of the provider block's values are still unknown during apply, after everything they depend on was applied. This happens when they depend on a resource skipped by -target or by an error; apply that first.")
                    .subject_opt(run.graph.nodes[n].span),
            );
            return (None, diags);
        }
        tracing::debug!(
            provider = key,
            "configuration known only after apply: not configured at plan time"
        );
        return (None, diags);
    }
    if let Some(client) = run.registry.configured_client(name, &cfg) {
        return (Some(client), diags);
    }
    match p.configure(&cfg).await {
        Ok(client) => {
            run.registry.remember_client(name, &cfg, &client);
            (Some(client), diags)
        }
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("Failed to configure provider \"{key}\""))
                    .detail(e.to_string())
                    .subject_opt(run.graph.nodes[n].span),
            );
            (None, diags)
        }
    }
}

/// The `provider` block of configuration `key` (`aws`, `aws.west`) in module `mi`, if any.
fn provider_block<'a>(run: &'a Run, mi: usize, key: &str) -> Option<&'a ProviderConfig> {
    run.module(mi).providers.iter().find(|p| p.key() == key)
}

/// Evaluates a provider block body against the provider's schema, in `scope` (which has
/// `each` for an instance of a configuration with `for_each`); null without a block.
pub fn provider_config(
    run: &Run,
    block: Option<&ProviderConfig>,
    schema: &crate::provider::Schema,
    scope: &Scope<'_>,
) -> (Value, Diagnostics) {
    let Some(p) = block else {
        return (Value::Null, Diagnostics::new());
    };
    eval_body(
        &p.body,
        schema,
        p.span,
        &BodyCtx {
            resolver: scope,
            base_dir: run.base_dir(),
            skip_blocks: &[],
        },
    )
}

/// The provider instance that resource instance `inst` (of resource node `n`, in module
/// instance `minst`) uses, as changes and state record it: the configuration key, and for
/// a configuration with `for_each` the instance key its reference selects, evaluated with
/// the resource instance's `each`/`count` (or, when a module call's `providers` selects
/// it, with that module instance's).
pub fn instance_provider(
    run: &Run,
    n: usize,
    minst: &ModuleInst,
    inst: &Instance,
) -> Result<String, Diagnostics> {
    let config = run.provider_key(n);
    let Some(select) = run.graph.provider_keys.get(&n) else {
        return Ok(config);
    };
    if run.is_validate() {
        return Ok(config);
    }
    let mi = run.graph.nodes[n].module;
    let (v, diags) = match select.call {
        None => eval_expr(
            &select.expr,
            &Scope::of_instance(run, mi, minst, inst),
            run.base_dir(),
        ),
        Some(cm) => {
            let depth = run.graph.modules[cm].path.len();
            let calls = run.module_instances(cm);
            let Some(call) = calls
                .iter()
                .find(|c| minst.path.starts_with(&c.path[..depth]))
            else {
                return Err(Diagnostics::new());
            };
            eval_expr(&select.expr, &Scope::calling(run, cm, call), run.base_dir())
        }
    };
    if diags.has_errors() {
        return Err(diags);
    }
    let key = instance_key(&select.expr, v).map_err(Diagnostics::from)?;
    let p = run.graph.provider_of[&n];
    if run.lacks_provider_instance(p, &key) {
        let known: Vec<String> = run.keyed[p]
            .get()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        return Err(Diagnostics::from(
            invalid_key(&select.expr, format!(
                "The provider configuration \"{config}\" has no instance with the key \"{key}\"; its for_each has {}.",
                if known.is_empty() { "no elements".to_string() } else { known.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ") }
            )),
        ));
    }
    Ok(crate::addr::provider_instance(&config, Some(&key)))
}

/// A provider instance key's value as the key: known, not null, not secret, a string (a
/// number or bool converts), as OpenTofu requires.
fn instance_key(e: &crate::config::Expr, v: Value) -> Result<String, Diagnostic> {
    if v.is_sensitive() {
        return Err(invalid_key(
            e,
            "A provider instance key must not be derived from a sensitive value.".into(),
        ));
    }
    if v.contains_ephemeral() {
        return Err(invalid_key(
            e,
            "A provider instance key must not be derived from an ephemeral value.".into(),
        ));
    }
    match v {
        Value::Null => Err(invalid_key(e, "A provider instance key must not be null.".into())),
        Value::String(s) => Ok(s),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Unknown(_) => Err(invalid_key(e, "The provider instance key depends on values that cannot be determined until apply, and so hubctl cannot select a provider instance to plan this resource instance with.".into())),
        other => Err(invalid_key(e, format!("The given instance key is unsuitable: string required, got {}.", other.type_name()))),
    }
}

fn invalid_key(e: &crate::config::Expr, detail: String) -> Diagnostic {
    Diagnostic::error("Invalid provider instance key")
        .detail(detail)
        .subject(e.span())
}
