//! Module instances: a `module` call with `count` or `for_each` makes one instance of the
//! called module per element, addressed `module.irsa["kro"]` / `module.x[0]`. The graph
//! keeps one node per object of a module's configuration; such a node evaluates once per
//! instance of its module, and its value holds one entry per instance.

use super::expand::{expand, Instance};
use super::run::Run;
use super::scope::Scope;
use super::step::NodeResult;
use crate::addr::{module_instance_prefix, InstanceKey, ModuleInstance};
use crate::diag::Diagnostics;
use crate::graph::NodeKind;
use crate::lang::{Value, VecMap};

/// One instance of a module: its path from the root, and the `count.index` / `each` its
/// call's arguments are evaluated with.
#[derive(Debug, Clone, Default)]
pub struct ModuleInst {
    pub path: ModuleInstance,
    pub count_index: Option<Value>,
    pub each: Option<(Value, Value)>,
}

impl ModuleInst {
    /// `module.a["k"].` (empty for the root).
    pub fn prefix(&self) -> String {
        module_instance_prefix(&self.path)
    }
}

impl Run {
    /// Every instance of module `mi`, in key order; the root has exactly one. A module whose
    /// call was not evaluated (it failed, or the walk skipped it) has none.
    pub fn module_instances(&self, mi: usize) -> Vec<ModuleInst> {
        let g = &self.graph;
        let (Some(parent), Some(call)) = (g.modules[mi].parent, g.modules[mi].path.last()) else {
            return vec![ModuleInst::default()];
        };
        g.node(parent, &NodeKind::ModuleCall(call.clone()))
            .and_then(|n| self.expansions[n].get().cloned())
            .unwrap_or_default()
    }

    /// The value of node `n` in module instance `inst` (unknown while it has none: a
    /// dependency failed, and the executor skips what depends on it).
    pub fn value_at(&self, n: usize, inst: &[(String, InstanceKey)]) -> Value {
        let Some(v) = self.values[n].get() else {
            return Value::unknown();
        };
        if self.graph.nodes[n].module == 0 {
            return v.clone();
        }
        match v {
            Value::Object(m) => m
                .get(&module_instance_prefix(inst))
                .cloned()
                .unwrap_or_else(Value::unknown),
            _ => Value::unknown(),
        }
    }
}

/// The value of a node of module `mi` from its value in each instance: root nodes have one
/// value; others an object keyed by the instance's prefix, which only [`Run::value_at`]
/// reads.
pub fn pack(mi: usize, items: Vec<(ModuleInst, Value)>) -> Value {
    if mi == 0 {
        return items
            .into_iter()
            .next()
            .map(|(_, v)| v)
            .unwrap_or_else(Value::unknown);
    }
    let mut m = VecMap::new();
    for (inst, v) in items {
        m.insert(inst.prefix(), v);
    }
    Value::Object(m)
}

/// Evaluates `f` in every instance of module `mi` and packs the values.
pub fn per_instance(
    run: &Run,
    mi: usize,
    mut f: impl FnMut(&ModuleInst) -> (Value, Diagnostics),
) -> NodeResult {
    let mut diags = Diagnostics::new();
    let mut items = Vec::new();
    for inst in run.module_instances(mi) {
        let (v, d) = f(&inst);
        diags.extend(d);
        items.push((inst, v));
    }
    NodeResult::value(pack(mi, items), diags)
}

/// The instances of module call `name` (in module `mi`), in every instance of `mi`: its
/// `count`/`for_each` evaluated there. Kept in the run for [`Run::module_instances`].
pub fn eval_call(run: &Run, n: usize, mi: usize, name: &str) -> NodeResult {
    let call = &run.module(mi).module_calls[name];
    let mut diags = Diagnostics::new();
    let mut out = Vec::new();
    for parent in run.module_instances(mi) {
        let scope = Scope::at(run, mi, &parent);
        let (instances, d) = expand(
            call.count.as_ref(),
            call.for_each.as_ref(),
            &scope,
            run.base_dir(),
            run.is_validate(),
        );
        let failed = d.has_errors();
        diags.extend(d);
        if failed {
            continue;
        }
        out.extend(instances.into_iter().map(|i| child(&parent, name, i)));
    }
    let _ = run.expansions[n].set(out);
    NodeResult::value(Value::Null, diags)
}

fn child(parent: &ModuleInst, name: &str, i: Instance) -> ModuleInst {
    let mut path = parent.path.clone();
    path.push((name.to_string(), i.key));
    ModuleInst {
        path,
        count_index: i.count_index,
        each: i.each,
    }
}
