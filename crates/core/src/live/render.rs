//! A unit's configuration as one value with Terragrunt's top-level keys, blocks keyed by
//! name: what `render --json` prints, what `read_terragrunt_config()` returns and what an
//! exposed `include.<name>` holds. Absent settings are null.

use super::model::*;
use crate::lang::{Value, VecMap};

fn opt_str(s: &Option<String>) -> Value {
    s.clone().map_or(Value::Null, Value::String)
}

fn opt_strings(s: &Option<Vec<String>>) -> Value {
    s.as_ref().map_or(Value::Null, |xs| strings(xs))
}

fn strings(xs: &[String]) -> Value {
    Value::Tuple(xs.iter().cloned().map(Value::String).collect())
}

fn opt_bool(b: Option<bool>) -> Value {
    b.map_or(Value::Null, Value::Bool)
}

fn map(m: &Option<VecMap<String, Value>>) -> Value {
    m.clone().map_or(Value::Null, Value::Object)
}

/// `render --json`: [`to_value`] as JSON; a value known only after apply (a dependency
/// output without state or mock) shows as "(known after apply)", a sensitive one redacted.
pub fn render_json(c: &UnitConfig) -> serde_json::Value {
    to_value(c).to_json_redacted()
}

/// `render` without `--json`: each setting that is set, as `name = value`.
pub fn render_text(c: &UnitConfig) -> String {
    let v = to_value(c);
    let mut out = String::new();
    for (k, x) in v.as_map().into_iter().flat_map(|m| m.iter()) {
        if !x.is_null() {
            out.push_str(&format!(
                "{k} = {}\n",
                crate::plan::render::fmt_value(x, 0, false)
            ));
        }
    }
    out
}

pub fn to_value(c: &UnitConfig) -> Value {
    Value::object([
        (
            "terraform",
            c.terraform.as_ref().map_or(Value::Null, terraform),
        ),
        (
            "remote_state",
            c.remote_state.as_ref().map_or(Value::Null, remote_state),
        ),
        ("inputs", map(&c.inputs)),
        ("locals", Value::Object(c.locals.clone())),
        (
            "generate",
            Value::object(c.generate.iter().map(|(k, g)| (k.clone(), generate(g)))),
        ),
        (
            "dependency",
            Value::object(c.dependency.iter().map(|d| (d.name.clone(), dependency(d)))),
        ),
        (
            "dependencies",
            c.dependencies
                .as_ref()
                .map_or(Value::Null, |p| Value::object([("paths", strings(p))])),
        ),
        ("prevent_destroy", opt_bool(c.prevent_destroy)),
        ("skip", opt_bool(c.skip)),
    ])
}

fn terraform(t: &Terraform) -> Value {
    let extra = t.extra_arguments.iter().map(|e| {
        let v = Value::object([
            ("name", Value::from(e.name.clone())),
            ("commands", strings(&e.commands)),
            ("arguments", opt_strings(&e.arguments)),
            ("env_vars", map(&e.env_vars)),
            ("required_var_files", opt_strings(&e.required_var_files)),
            ("optional_var_files", opt_strings(&e.optional_var_files)),
        ]);
        (e.name.clone(), v)
    });
    Value::object([
        ("source", opt_str(&t.source)),
        ("extra_arguments", Value::object(extra)),
    ])
}

fn remote_state(r: &RemoteState) -> Value {
    let generate = r
        .generate
        .as_ref()
        .map_or(Value::Null, |(path, if_exists)| {
            Value::object([
                ("path", Value::from(path.clone())),
                ("if_exists", Value::from(if_exists.clone())),
            ])
        });
    Value::object([
        ("backend", Value::from(r.backend.clone())),
        ("config", r.config.clone()),
        ("generate", generate),
        ("disable_init", Value::Bool(r.disable_init)),
        (
            "disable_dependency_optimization",
            Value::Bool(r.disable_dependency_optimization),
        ),
    ])
}

fn generate(g: &Generate) -> Value {
    Value::object([
        ("path", Value::from(g.path.clone())),
        ("if_exists", Value::from(g.if_exists.clone())),
        ("contents", Value::from(g.contents.clone())),
        ("comment_prefix", Value::from(g.comment_prefix.clone())),
        ("disable_signature", Value::Bool(g.disable_signature)),
        ("disable", Value::Bool(g.disable)),
    ])
}

fn dependency(d: &Dependency) -> Value {
    Value::object([
        ("name", Value::from(d.name.clone())),
        ("config_path", Value::from(d.config_path.clone())),
        ("enabled", opt_bool(d.enabled)),
        ("skip_outputs", opt_bool(d.skip_outputs)),
        (
            "mock_outputs",
            d.mock_outputs.clone().unwrap_or(Value::Null),
        ),
        (
            "mock_outputs_allowed_terraform_commands",
            opt_strings(&d.mock_outputs_allowed_terraform_commands),
        ),
        (
            "mock_outputs_merge_strategy_with_state",
            opt_str(&d.mock_outputs_merge_strategy_with_state),
        ),
        ("outputs", d.outputs.clone()),
    ])
}
