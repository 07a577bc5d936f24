//! Deletes need the provider instance that created the object. With a provider `for_each`
//! (OpenTofu 1.9), removing a key from the provider's collection while objects it created
//! are still in state leaves them with no instance to delete them: the plan refuses that,
//! in OpenTofu's words, before anything is applied.

use super::{Action, ResourceChange};
use crate::addr::split_provider_instance;
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::NodeKind;
use crate::walk::Run;

/// The errors for deletes (and replacements) whose provider instance is gone.
pub fn check_deletes(run: &Run, changes: &[ResourceChange]) -> Diagnostics {
    let mut d = Diagnostics::new();
    for ch in changes {
        if !matches!(ch.action, Action::Delete) && !ch.action.is_replace() {
            continue;
        }
        let Some(p) = provider_node(run, ch) else {
            continue;
        };
        if let (_, Some(key)) = split_provider_instance(&ch.provider) {
            if run.lacks_provider_instance(p, &key) {
                d.push(missing_provider_instance(run, p, ch));
            }
        }
    }
    d
}

/// The provider node that deletes `ch`: its resource's, or for a resource gone from the
/// configuration the root module's configuration of the stored provider.
pub fn provider_node(run: &Run, ch: &ResourceChange) -> Option<usize> {
    if let Some(&p) = run
        .node_of(&ch.address)
        .and_then(|n| run.graph.provider_of.get(&n))
    {
        return Some(p);
    }
    let (config, _) = split_provider_instance(&ch.provider);
    run.graph.node(0, &NodeKind::Provider(config.to_string()))
}

/// Why `ch` cannot be planned or applied: no client for its provider instance.
pub fn missing_provider_instance(run: &Run, p: usize, ch: &ResourceChange) -> Diagnostic {
    let (config, key) = split_provider_instance(&ch.provider);
    let lacks = key
        .as_deref()
        .is_some_and(|k| run.lacks_provider_instance(p, k));
    if !lacks {
        return Diagnostic::error("Provider not configured").address(&ch.address);
    }
    Diagnostic::error("Provider instance not present")
        .detail(format!(
            "To work with {addr} its original provider instance {} is required, but it has been removed. This occurs when an element is removed from the for_each collection of the provider configuration \"{config}\" while objects created by that provider instance still exist in the state. Re-add the for_each element to destroy {addr}, after which you can remove it again.\n\nThis is commonly caused by using the same for_each collection both for a resource (or its containing module) and its provider configuration. To remove an instance of a resource, remove its element from the resource's for_each collection while keeping it in the provider's.",
            ch.provider,
            addr = ch.address
        ))
        .address(&ch.address)
}
