//! `count` and `for_each`: which instances a resource has. Both must be known at plan time;
//! an unknown value is an error that names the expression and says how to work around it.

use crate::addr::InstanceKey;
use crate::config::Expr;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::{Resolver, Type, Value};
use crate::walk::body::eval_expr;
use std::path::Path;

/// One instance: its key and the `count.index` / `each` values it evaluates with.
#[derive(Debug, Clone)]
pub struct Instance {
    pub key: InstanceKey,
    pub count_index: Option<Value>,
    pub each: Option<(Value, Value)>,
}

/// Expands a resource. `validate` checks the count/for_each expression (an unknown one is
/// fine) and then gives one placeholder instance with no key and unknown `count.index` /
/// `each`, as Terraform's validate does: instances are not known yet, so the block is
/// checked once and problems are reported for the resource (`terraform_data.subnet`), not
/// for a made-up instance or once per known key.
pub fn expand(
    count: Option<&Expr>,
    for_each: Option<&Expr>,
    resolver: &dyn Resolver,
    base_dir: &Path,
    validate: bool,
) -> (Vec<Instance>, Diagnostics) {
    let (instances, diags) = expand_values(count, for_each, resolver, base_dir, validate);
    if !validate || diags.has_errors() || (count.is_none() && for_each.is_none()) {
        return (instances, diags);
    }
    let placeholder = Instance {
        key: InstanceKey::None,
        count_index: count.map(|_| Value::Unknown(Type::Number)),
        each: for_each.map(|_| (Value::Unknown(Type::String), Value::unknown())),
    };
    (vec![placeholder], diags)
}

/// `count_instances` or `for_each_instances`: a meta-argument's value to instances.
type InstancesOf = fn(&Expr, Value, bool) -> Result<Vec<Instance>, Diagnostic>;

/// The instances of known count/for_each values; `allow_unknown` turns an unknown one into a
/// placeholder instead of an error.
fn expand_values(
    count: Option<&Expr>,
    for_each: Option<&Expr>,
    resolver: &dyn Resolver,
    base_dir: &Path,
    allow_unknown: bool,
) -> (Vec<Instance>, Diagnostics) {
    let (e, instances): (_, InstancesOf) = match (count, for_each) {
        (Some(e), _) => (e, count_instances),
        (None, Some(e)) => (e, for_each_instances),
        (None, None) => {
            let single = Instance {
                key: InstanceKey::None,
                count_index: None,
                each: None,
            };
            return (vec![single], Diagnostics::new());
        }
    };
    let (v, d) = eval_expr(e, resolver, base_dir);
    if d.has_errors() {
        return (Vec::new(), d);
    }
    let mut diags = Diagnostics::new();
    diags.extend(d);
    let which = if count.is_some() { "count" } else { "for_each" };
    if let Some(refused) = crate::walk::ephemeral_rules::refuse_repetition(which, e, &v) {
        diags.push(refused);
        return (Vec::new(), diags);
    }
    match instances(e, v, allow_unknown) {
        Ok(out) => (out, diags),
        Err(err) => {
            diags.push(err);
            (Vec::new(), diags)
        }
    }
}

/// `count = v`: instances 0..v, or the error saying why `v` is not a usable count.
fn count_instances(e: &Expr, v: Value, allow_unknown: bool) -> Result<Vec<Instance>, Diagnostic> {
    if v.is_unknown() {
        if allow_unknown {
            return Ok(vec![Instance {
                key: InstanceKey::Int(0),
                count_index: Some(Value::unknown()),
                each: None,
            }]);
        }
        return Err(Diagnostic::error("Invalid count argument")
                .detail("The \"count\" value depends on resource attributes that cannot be determined until apply, so hubctl cannot predict how many instances will be created. To work around this, use the -target argument to first apply only the resources that the count depends on.")
                .subject(e.span()));
    }
    if v.is_sensitive() {
        return Err(Diagnostic::error("Invalid count argument").detail("Sensitive values, or values derived from sensitive values, cannot be used as count arguments.").subject(e.span()));
    }
    let n = match v.peel() {
        Value::Number(n) => n.as_i64().filter(|n| *n >= 0),
        Value::String(s) => s.parse::<i64>().ok().filter(|n| *n >= 0),
        _ => None,
    };
    let Some(n) = n else {
        return Err(Diagnostic::error("Invalid count argument")
                .detail(format!("The given \"count\" argument value is unsuitable: a non-negative whole number is required, got {}.", v.type_name()))
                .subject(e.span()));
    };
    Ok((0..n)
        .map(|i| Instance {
            key: InstanceKey::Int(i),
            count_index: Some(Value::int(i)),
            each: None,
        })
        .collect())
}

/// Terraform's explanation of an unknown `for_each` map (or a wholly unknown value).
const FOR_EACH_UNKNOWN: &str = "The \"for_each\" map includes keys derived from resource attributes that cannot be determined until apply, and so hubctl cannot determine the full set of keys that will identify the instances of this resource.\n\nWhen working with unknown values in for_each, it's better to define the map keys statically in your configuration and place apply-time results only in the map values.\n\nAlternatively, you could use the -target planning option to first apply only the resources that the for_each value depends on, and then apply a second time to fully converge.";

/// The same for a set with unknown elements.
const FOR_EACH_UNKNOWN_SET: &str = "The \"for_each\" set includes values derived from resource attributes that cannot be determined until apply, and so hubctl cannot determine the full set of keys that will identify the instances of this resource.\n\nWhen working with unknown values in for_each, it's better to use a map value where the keys are defined statically in your configuration and where only the values contain apply-time results.\n\nAlternatively, you could use the -target planning option to first apply only the resources that the for_each value depends on, and then apply a second time to fully converge.";

/// `for_each = v`: one instance per map key or set element, or the error saying why `v` is
/// not usable.
fn for_each_instances(
    e: &Expr,
    v: Value,
    allow_unknown: bool,
) -> Result<Vec<Instance>, Diagnostic> {
    let unsuitable = |why: String| {
        Diagnostic::error("Invalid for_each argument")
            .detail(why)
            .subject(e.span())
    };
    if v.is_sensitive() {
        return Err(unsuitable("Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments: the instance keys would reveal them. If the value is not secret, wrap it in nonsensitive().".into()));
    }
    match v {
        Value::Unknown(_) if allow_unknown => {
            Ok(vec![Instance { key: InstanceKey::Str(String::new()), count_index: None, each: Some((Value::unknown(), Value::unknown())) }])
        }
        Value::Unknown(Type::Set(_)) => Err(unsuitable(FOR_EACH_UNKNOWN_SET.into())),
        Value::Unknown(_) => Err(unsuitable(FOR_EACH_UNKNOWN.into())),
        Value::Null => Err(unsuitable("The given \"for_each\" argument value is null. A map, or set of strings, is allowed.".into())),
        Value::Map(m) | Value::Object(m) => Ok(m
            .into_iter()
            .map(|(k, v)| Instance { key: InstanceKey::Str(k.clone()), count_index: None, each: Some((Value::String(k), v)) })
            .collect()),
        Value::Set(xs) => set_instances(xs, allow_unknown).map_err(unsuitable),
        other => Err(unsuitable(format!(
            "The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}. Use toset() to convert a list of strings.",
            other.type_name()
        ))),
    }
}

/// A set of strings in `for_each`: an instance per element, or why an element is unusable.
fn set_instances(xs: Vec<Value>, allow_unknown: bool) -> Result<Vec<Instance>, String> {
    let mut out = Vec::new();
    for x in xs {
        match x {
            Value::String(s) => out.push(Instance { key: InstanceKey::Str(s.clone()), count_index: None, each: Some((Value::String(s.clone()), Value::String(s))) }),
            Value::Unknown(_) if allow_unknown => {}
            Value::Unknown(_) => return Err(FOR_EACH_UNKNOWN_SET.into()),
            Value::Sensitive(_) => return Err("A set used in for_each must not contain sensitive values.".into()),
            Value::Ephemeral(_) => return Err("A set used in for_each must not contain ephemeral values.".into()),
            other => return Err(format!("The given \"for_each\" argument value is unsuitable: \"for_each\" supports maps and sets of strings, but you have provided a set containing type {}.", other.type_name())),
        }
    }
    Ok(out)
}
