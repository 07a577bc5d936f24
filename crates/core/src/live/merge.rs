//! Merging an included configuration (the parent) with the file that includes it (the
//! child), as Terragrunt's `shallow` and `deep` strategies do: the child wins; `generate`
//! and `extra_arguments` merge by name; `dependency` blocks merge by name (field by field
//! when deep); inputs merge by top-level key (shallow) or recursively with lists appended
//! (deep); locals never merge.

use super::model::*;
use crate::lang::{Value, VecMap};

/// `child` merged over `parent` with `strategy` (`NoMerge`: the child alone).
pub(super) fn include(
    strategy: MergeStrategy,
    parent: UnitConfig,
    child: UnitConfig,
) -> UnitConfig {
    if strategy == MergeStrategy::NoMerge {
        return child;
    }
    let deep = strategy == MergeStrategy::Deep;
    let mut out = parent;
    out.path = child.path;
    out.includes = child.includes;
    out.locals = child.locals;
    out.prevent_destroy = child.prevent_destroy.or(out.prevent_destroy);
    out.skip = child.skip.or(out.skip);
    if child.remote_state.is_some() {
        out.remote_state = child.remote_state;
    }
    out.terraform = match (out.terraform.take(), child.terraform) {
        (None, c) => c,
        (p, None) => p,
        (Some(mut p), Some(c)) => {
            if c.source.is_some() {
                p.source = c.source;
                p.source_span = c.source_span;
            }
            for e in c.extra_arguments {
                match p.extra_arguments.iter_mut().find(|x| x.name == e.name) {
                    Some(slot) => *slot = e,
                    None => p.extra_arguments.push(e),
                }
            }
            Some(p)
        }
    };
    // The dependency blocks were merged before their outputs were read (decode).
    out.dependency = child.dependency;
    out.dependencies = match (out.dependencies.take(), child.dependencies) {
        (Some(mut p), Some(c)) => {
            for x in c {
                if !p.contains(&x) {
                    p.push(x);
                }
            }
            Some(p)
        }
        (p, c) => c.or(p),
    };
    for (name, g) in child.generate {
        out.generate.insert(name, g);
    }
    out.inputs = match (out.inputs.take(), child.inputs) {
        (Some(p), Some(c)) if deep => Some(deep_inputs(p, c)),
        (Some(mut p), Some(c)) => {
            for (k, v) in c {
                p.insert(k, v);
            }
            Some(p)
        }
        (p, c) => c.or(p),
    };
    for (k, src) in child.input_sources {
        out.input_sources.insert(k, src);
    }
    out
}

/// The parent's `dependency` blocks with the child's merged in by name (Terragrunt merges
/// them before reading outputs, so a child may override a parent's `config_path`).
pub(super) fn dependency_blocks(
    strategy: MergeStrategy,
    parent: &[Dependency],
    child: Vec<Dependency>,
) -> Vec<Dependency> {
    if strategy == MergeStrategy::NoMerge {
        return child;
    }
    let mut out: Vec<Dependency> = parent.to_vec();
    for c in child {
        match out.iter_mut().find(|p| p.name == c.name) {
            Some(p) if strategy == MergeStrategy::Deep => deep_dependency(p, c),
            Some(p) => *p = c,
            None => out.push(c),
        }
    }
    out
}

fn deep_dependency(p: &mut Dependency, c: Dependency) {
    p.config_path = c.config_path;
    p.unit = c.unit;
    p.span = c.span;
    p.config_path_span = c.config_path_span;
    p.enabled = c.enabled.or(p.enabled);
    p.skip_outputs = c.skip_outputs.or(p.skip_outputs);
    p.mock_outputs = match (p.mock_outputs.take(), c.mock_outputs) {
        (Some(a), Some(b)) => Some(deep_value(a, b)),
        (a, b) => b.or(a),
    };
    p.mock_outputs_span = c.mock_outputs_span.or(p.mock_outputs_span);
    p.mock_outputs_allowed_terraform_commands = match (
        p.mock_outputs_allowed_terraform_commands.take(),
        c.mock_outputs_allowed_terraform_commands,
    ) {
        (Some(mut a), Some(b)) => {
            a.extend(b);
            Some(a)
        }
        (a, b) => b.or(a),
    };
    p.mock_outputs_merge_strategy_with_state = c
        .mock_outputs_merge_strategy_with_state
        .or(p.mock_outputs_merge_strategy_with_state.take());
    p.outputs = c.outputs;
    p.mocked = c.mocked;
}

fn deep_inputs(
    parent: VecMap<String, Value>,
    child: VecMap<String, Value>,
) -> VecMap<String, Value> {
    match deep_value(Value::Object(parent), Value::Object(child)) {
        Value::Object(m) | Value::Map(m) => m,
        _ => VecMap::new(),
    }
}

/// Terragrunt's deep merge of inputs (mergo with override and appended slices): maps merge
/// key by key, lists concatenate (parent first), and any other child value replaces the
/// parent's unless it is Go's "empty" (null, false, 0, ""), which mergo never copies over.
pub(super) fn deep_value(parent: Value, child: Value) -> Value {
    match (parent, child) {
        (Value::Object(mut p) | Value::Map(mut p), Value::Object(c) | Value::Map(c)) => {
            for (k, v) in c {
                let merged = match p.remove(&k) {
                    Some(old) => deep_value(old, v),
                    None => v,
                };
                p.insert(k, merged);
            }
            Value::Object(p)
        }
        (Value::List(mut p) | Value::Tuple(mut p), Value::List(c) | Value::Tuple(c)) => {
            p.extend(c);
            Value::Tuple(p)
        }
        (p, c) if go_empty(&c) => p,
        (_, c) => c,
    }
}

fn go_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.signum() == 0,
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}
