//! Migration from Terraform: converts a Terraform state (format version 4) into a hubctl
//! [`State`], so a team can switch tools without recreating (or re-importing one by one)
//! what Terraform built.
//!
//! Terraform groups instances under resources; hubctl keys every instance by its full
//! address. Only managed resources of types hubctl supports are converted: anything else
//! would be an orphan the next plan wants to destroy. Data sources are re-read anyway.

use super::error::StateError;
use super::model::{InstanceState, Mode, OutputState, State, Status};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The Terraform state format this reads.
pub const TERRAFORM_STATE_VERSION: u64 = 4;

/// The result of a conversion: the new state and what was left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// A fresh lineage at serial 0 (the caller persists it as the next serial).
    pub state: State,
    /// Skipped managed instances by resource type (types hubctl does not support).
    pub skipped: BTreeMap<String, usize>,
    /// Skipped data source instances (hubctl reads them again on the next plan).
    pub skipped_data: usize,
    /// Deposed objects (left over from an interrupted create-before-destroy) not converted.
    pub skipped_deposed: usize,
    pub terraform_version: String,
}

#[derive(Deserialize)]
struct TfState {
    version: u64,
    #[serde(default)]
    terraform_version: String,
    #[serde(default)]
    outputs: BTreeMap<String, TfOutput>,
    #[serde(default)]
    resources: Vec<TfResource>,
}

#[derive(Deserialize)]
struct TfOutput {
    value: serde_json::Value,
    /// cty's type JSON, kept as is: hubctl's state records it the same way.
    #[serde(rename = "type", default)]
    ty: Option<serde_json::Value>,
    #[serde(default)]
    sensitive: bool,
}

#[derive(Deserialize)]
struct TfResource {
    #[serde(default)]
    module: Option<String>,
    mode: String,
    #[serde(rename = "type")]
    type_name: String,
    name: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    instances: Vec<TfInstance>,
}

#[derive(Deserialize)]
struct TfInstance {
    #[serde(default)]
    index_key: Option<serde_json::Value>,
    /// OpenTofu 1.9 records the provider on each instance instead of the resource when its
    /// configuration has `for_each` (`provider[...].by_region["eu-west-1"]`).
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    deposed: Option<String>,
    #[serde(default)]
    attributes: serde_json::Value,
    #[serde(default)]
    sensitive_attributes: Vec<serde_json::Value>,
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default)]
    create_before_destroy: bool,
}

/// Converts a Terraform state. `supported` says whether hubctl manages a resource type.
pub fn from_terraform(
    bytes: &[u8],
    origin: &str,
    supported: &dyn Fn(&str) -> bool,
) -> Result<Imported, StateError> {
    let tf = parse(bytes, origin)?;
    let mut out = Imported {
        state: State::new(),
        skipped: BTreeMap::new(),
        skipped_data: 0,
        skipped_deposed: 0,
        terraform_version: tf.terraform_version,
    };
    for r in tf.resources {
        if r.mode != "managed" {
            out.skipped_data += r.instances.len();
            continue;
        }
        if !supported(&r.type_name) {
            *out.skipped.entry(r.type_name.clone()).or_default() += r.instances.len();
            continue;
        }
        import_resource(&mut out, r, origin)?;
    }
    for (name, o) in tf.outputs {
        out.state.outputs.insert(
            name,
            OutputState {
                value: o.value,
                ty: o.ty,
                sensitive: o.sensitive,
            },
        );
    }
    Ok(out)
}

fn corrupt(origin: &str, message: String) -> StateError {
    StateError::Corrupt {
        path: origin.to_string(),
        message,
    }
}

/// Decodes the bytes, first checking the format version and that this is not a hubctl
/// state, so those mistakes get their own message instead of a serde error.
fn parse(bytes: &[u8], origin: &str) -> Result<TfState, StateError> {
    let corrupt = |message: String| corrupt(origin, message);
    let raw: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
    match raw.get("version").and_then(serde_json::Value::as_u64) {
        Some(TERRAFORM_STATE_VERSION) => {}
        Some(v) => {
            return Err(corrupt(format!(
                "this is a Terraform state of format version {v}; only version {TERRAFORM_STATE_VERSION} (Terraform 0.12 and later) can be imported. Run `terraform state pull` with a recent Terraform to upgrade it first"
            )))
        }
        None => {
            return Err(corrupt(
                "no \"version\" field: this is not a Terraform state file".into(),
            ))
        }
    }
    if raw.get("lineage").is_some() && raw.get("terraform_version").is_none() {
        return Err(corrupt(
            "this looks like a hubctl state, not a Terraform one; use `hubctl state push`".into(),
        ));
    }
    let tf: TfState = serde_json::from_value(raw).map_err(|e| corrupt(e.to_string()))?;
    debug_assert_eq!(tf.version, TERRAFORM_STATE_VERSION);
    Ok(tf)
}

/// Adds the instances of a supported managed resource under their full addresses
/// (deposed objects are counted, not converted).
fn import_resource(out: &mut Imported, r: TfResource, origin: &str) -> Result<(), StateError> {
    let prefix = r
        .module
        .as_deref()
        .map(|m| format!("{m}."))
        .unwrap_or_default();
    let provider = provider_key(&r.provider);
    for i in r.instances {
        if i.deposed.is_some() {
            out.skipped_deposed += 1;
            continue;
        }
        let key = match &i.index_key {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(k @ serde_json::Value::Number(_)) => format!("[{k}]"),
            Some(k @ serde_json::Value::String(_)) => format!("[{k}]"),
            Some(other) => {
                return Err(corrupt(
                    origin,
                    format!(
                        "{prefix}{}.{}: unsupported index_key {other}",
                        r.type_name, r.name
                    ),
                ))
            }
        };
        let address = format!("{prefix}{}.{}{key}", r.type_name, r.name);
        if out.state.resources.contains_key(&address) {
            return Err(corrupt(
                origin,
                format!("{address} appears twice; a state holds one object per address"),
            ));
        }
        let own = i.provider.as_deref().map(provider_key);
        let instance = instance_state(i, &r.type_name, own.as_deref().unwrap_or(&provider));
        out.state.resources.insert(address, instance);
    }
    Ok(())
}

/// One Terraform instance object as hubctl's; sensitive paths are kept to their top-level
/// attribute names.
fn instance_state(i: TfInstance, type_name: &str, provider: &str) -> InstanceState {
    let mut sensitive: Vec<String> = i
        .sensitive_attributes
        .iter()
        .filter_map(top_level)
        .collect();
    sensitive.sort();
    sensitive.dedup();
    InstanceState {
        mode: Mode::Managed,
        type_name: type_name.to_string(),
        provider: provider.to_string(),
        attributes: i.attributes,
        sensitive_attributes: sensitive,
        dependencies: i.dependencies,
        status: if i.status.as_deref() == Some("tainted") {
            Status::Tainted
        } else {
            Status::Ready
        },
        create_before_destroy: i.create_before_destroy,
        create_token: None,
    }
}

/// `provider["registry.terraform.io/hashicorp/aws"].west` (possibly after `module.x.`) →
/// `aws.west`, the provider configuration key hubctl uses; an OpenTofu instance key stays
/// (`.by_region["eu-west-1"]` → `aws.by_region["eu-west-1"]`).
fn provider_key(p: &str) -> String {
    let Some(start) = p.find("provider[\"") else {
        return p.to_string();
    };
    let rest = &p[start + "provider[\"".len()..];
    let Some((source, tail)) = rest.split_once("\"]") else {
        return p.to_string();
    };
    let name = source.rsplit('/').next().unwrap_or(source);
    match tail.strip_prefix('.') {
        Some(alias) if !alias.is_empty() => format!("{name}.{alias}"),
        _ => name.to_string(),
    }
}

/// The top-level attribute name of one sensitive path. Terraform writes a path as a list of
/// steps (`[{"type": "get_attr", "value": "password"}, ...]`).
fn top_level(path: &serde_json::Value) -> Option<String> {
    let first = match path {
        serde_json::Value::Array(steps) => steps.first()?,
        step @ serde_json::Value::Object(_) => step,
        _ => return None,
    };
    (first.get("type")?.as_str()? == "get_attr")
        .then(|| first.get("value")?.as_str().map(str::to_string))
        .flatten()
}

#[cfg(test)]
#[path = "terraform_tests.rs"]
mod tests;
