//! Deletes of a resource's instances in state that the configuration no longer produces:
//! their key or their module instance is gone.

use super::model::{Action, Reason, ResourceChange};
use super::resource::change;
use crate::config::Resource;
use crate::diag::Diagnostics;
use crate::walk::instances::ModuleInst;
use crate::walk::Run;
use std::collections::HashSet;

/// Deletes of the instances in state that the configuration no longer has (their key, or
/// their module instance, is gone).
pub fn stale(
    run: &Run,
    (n, mi): (usize, usize),
    r: &Resource,
    addr: &str,
    seen: &HashSet<String>,
    diags: &mut Diagnostics,
) -> Vec<ResourceChange> {
    let mut changes = Vec::new();
    let live: HashSet<String> = run
        .module_instances(mi)
        .iter()
        .map(ModuleInst::prefix)
        .collect();
    for old in run.prior_by_resource.get(addr).into_iter().flatten() {
        if seen.contains(old) || !run.instance_targeted(n, old) {
            continue;
        }
        let inst = &run.prior.resources[old];
        diags
            .0
            .extend(super::prevent_destroy::check(run, mi, r, old));
        let why = if old.contains(" (deposed") {
            Reason::Deposed
        } else {
            stale_key_reason(old, r, &live)
        };
        let mut ch = change(
            run,
            n,
            r,
            old,
            addr,
            Action::Delete,
            Some(inst.value()),
            None,
            vec![],
            Some(why),
        );
        // An instance of a configuration with `for_each` is deleted by the instance that
        // created it.
        if crate::addr::split_provider_instance(&inst.provider)
            .1
            .is_some()
        {
            ch.provider = inst.provider.clone();
        }
        changes.push(ch);
    }
    changes
}

/// Why an instance in state whose key the configuration no longer produces is deleted, in
/// Terraform's terms: its module instance is gone, an index beyond `count`, a key not in
/// `for_each`, or a key of the other kind (`count` became `for_each`, or repetition was
/// added or removed).
fn stale_key_reason(address: &str, r: &Resource, live_modules: &HashSet<String>) -> Reason {
    let module = crate::addr::module_instance_of(address);
    if !live_modules.contains(&crate::addr::module_instance_prefix(&module)) {
        return Reason::NoModule;
    }
    let key = crate::addr::InstanceAddr::parse(address).map(|a| a.key);
    match (key, r.count.is_some(), r.for_each.is_some()) {
        (Ok(crate::addr::InstanceKey::Int(_)), true, _) => Reason::CountIndex,
        (Ok(crate::addr::InstanceKey::Str(_)), _, true) => Reason::EachKey,
        _ => Reason::WrongRepetition,
    }
}
