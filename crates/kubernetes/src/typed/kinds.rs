//! The four typed kinds: what each adds to the shared `metadata` handling.

use super::{known_keys, list_block, text, Kind};
use base64::Engine;
use hubctl_core::lang::{Type, Value, VecMap};
use hubctl_core::provider::{AttrSchema, ProviderError, Schema};
use serde_json::Value as J;
use std::time::Duration;

fn str_map() -> Type {
    Type::Map(Box::new(Type::String))
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// A string map attribute as JSON, each value through `f`.
fn json_map(v: Option<&Value>, f: impl Fn(&str) -> String) -> Option<J> {
    let m = v?.peel().as_map()?;
    Some(J::Object(
        m.iter()
            .filter_map(|(k, x)| Some((k.clone(), J::from(f(x.peel().as_str()?)))))
            .collect(),
    ))
}

fn as_text(j: &J) -> Option<String> {
    j.as_str().map(str::to_string)
}

fn immutable(live: &J, reference: &Value) -> Value {
    match (
        live.get("immutable").and_then(J::as_bool),
        reference.get_attr("immutable").is_none_or(Value::is_null),
    ) {
        (None | Some(false), true) => Value::Null,
        (b, _) => Value::from(b.unwrap_or(false)),
    }
}

pub struct Namespace;

impl Kind for Namespace {
    fn type_name(&self) -> &'static str {
        "kubernetes_namespace_v1"
    }
    fn api_version(&self) -> &'static str {
        "v1"
    }
    fn kind(&self) -> &'static str {
        "Namespace"
    }
    fn namespaced(&self) -> bool {
        false
    }
    fn schema(&self, s: Schema) -> Schema {
        s
    }
    fn body(&self, _: &Value) -> Result<VecMap<String, J>, ProviderError> {
        Ok(VecMap::new())
    }
    fn read(&self, _: &J, _: &Value, _: &mut VecMap<String, Value>) {}
    /// The namespace controller deletes the namespace's objects first.
    fn delete_timeout(&self) -> Duration {
        Duration::from_secs(5 * 60)
    }
}

pub struct ConfigMap;

impl Kind for ConfigMap {
    fn type_name(&self) -> &'static str {
        "kubernetes_config_map_v1"
    }
    fn api_version(&self) -> &'static str {
        "v1"
    }
    fn kind(&self) -> &'static str {
        "ConfigMap"
    }
    fn namespaced(&self) -> bool {
        true
    }
    fn schema(&self, s: Schema) -> Schema {
        s.attr("data", AttrSchema::optional(str_map()))
            .attr("binary_data", AttrSchema::optional(str_map()))
            .attr("immutable", AttrSchema::optional(Type::Bool))
    }
    fn body(&self, c: &Value) -> Result<VecMap<String, J>, ProviderError> {
        let mut out = VecMap::new();
        if let Some(d) = json_map(c.get_attr("data"), str::to_string) {
            out.insert("data".into(), d);
        }
        if let Some(d) = json_map(c.get_attr("binary_data"), str::to_string) {
            out.insert("binaryData".into(), d);
        }
        if let Some(b) = c.get_attr("immutable").and_then(|b| b.peel().as_bool()) {
            out.insert("immutable".into(), J::from(b));
        }
        Ok(out)
    }
    fn read(&self, live: &J, r: &Value, out: &mut VecMap<String, Value>) {
        out.insert(
            "data".into(),
            known_keys(live.get("data"), r.get_attr("data"), false, as_text),
        );
        out.insert(
            "binary_data".into(),
            known_keys(
                live.get("binaryData"),
                r.get_attr("binary_data"),
                false,
                as_text,
            ),
        );
        out.insert("immutable".into(), immutable(live, r));
    }
    fn keyed_maps(&self) -> &'static [(&'static str, &'static str)] {
        &[("data", "data"), ("binary_data", "binaryData")]
    }
}

pub struct Secret;

impl Kind for Secret {
    fn type_name(&self) -> &'static str {
        "kubernetes_secret_v1"
    }
    fn api_version(&self) -> &'static str {
        "v1"
    }
    fn kind(&self) -> &'static str {
        "Secret"
    }
    fn namespaced(&self) -> bool {
        true
    }
    fn schema(&self, s: Schema) -> Schema {
        s.attr("data", AttrSchema::optional(str_map()).sensitive())
            .attr("binary_data", AttrSchema::optional(str_map()).sensitive())
            .attr("type", AttrSchema::optional(Type::String).force_new())
            .attr("immutable", AttrSchema::optional(Type::Bool))
    }
    fn defaults(&self, planned: &mut VecMap<String, Value>) {
        if planned.get("type").is_none_or(Value::is_null) {
            planned.insert("type".into(), Value::from("Opaque"));
        }
    }
    /// `data` is plain text in configuration (base64 on the wire); `binary_data` is base64.
    fn body(&self, c: &Value) -> Result<VecMap<String, J>, ProviderError> {
        let mut data = json_map(c.get_attr("data"), |s| b64().encode(s))
            .unwrap_or_else(|| J::Object(Default::default()));
        if let (Some(J::Object(bin)), Some(d)) = (
            json_map(c.get_attr("binary_data"), str::to_string),
            data.as_object_mut(),
        ) {
            d.extend(bin);
        }
        let mut out = VecMap::new();
        out.insert("data".into(), data);
        out.insert(
            "type".into(),
            J::from(text(c, "type").unwrap_or_else(|| "Opaque".into())),
        );
        if let Some(b) = c.get_attr("immutable").and_then(|b| b.peel().as_bool()) {
            out.insert("immutable".into(), J::from(b));
        }
        Ok(out)
    }
    fn read(&self, live: &J, r: &Value, out: &mut VecMap<String, Value>) {
        let decode = |j: &J| String::from_utf8(b64().decode(j.as_str()?).ok()?).ok();
        out.insert(
            "data".into(),
            known_keys(live.get("data"), r.get_attr("data"), false, decode).sensitive(),
        );
        out.insert(
            "binary_data".into(),
            known_keys(live.get("data"), r.get_attr("binary_data"), false, as_text).sensitive(),
        );
        let ty = live.get("type").and_then(J::as_str).unwrap_or("Opaque");
        out.insert("type".into(), Value::from(ty));
        out.insert("immutable".into(), immutable(live, r));
    }
    fn keyed_maps(&self) -> &'static [(&'static str, &'static str)] {
        &[("data", "data")]
    }
    fn force_new(&self) -> &'static [&'static str] {
        &["type"]
    }
}

pub struct ServiceAccount;

/// `[{name = ...}]` blocks from a list of `{name: ...}` objects.
fn names(live: Option<&J>, skip: impl Fn(&str) -> bool) -> Value {
    let xs = live.and_then(J::as_array).into_iter().flatten();
    let names = xs
        .filter_map(|x| x.get("name")?.as_str())
        .filter(|n| !skip(n));
    Value::List(
        names
            .map(|n| Value::object([("name", Value::from(n))]))
            .collect(),
    )
}

fn name_list(v: Option<&Value>) -> Option<J> {
    let xs = v?.peel().as_seq()?;
    let names: Vec<J> = xs
        .iter()
        .filter_map(|x| Some(serde_json::json!({"name": text(x, "name")?})))
        .collect();
    (!names.is_empty()).then_some(J::Array(names))
}

impl Kind for ServiceAccount {
    fn type_name(&self) -> &'static str {
        "kubernetes_service_account_v1"
    }
    fn api_version(&self) -> &'static str {
        "v1"
    }
    fn kind(&self) -> &'static str {
        "ServiceAccount"
    }
    fn namespaced(&self) -> bool {
        true
    }
    fn schema(&self, s: Schema) -> Schema {
        let name = || Schema::new().attr("name", AttrSchema::optional(Type::String));
        s.attr(
            "automount_service_account_token",
            AttrSchema::optional(Type::Bool),
        )
        .block("secret", list_block(0, None, name()))
        .block("image_pull_secret", list_block(0, None, name()))
    }
    fn defaults(&self, planned: &mut VecMap<String, Value>) {
        let key = "automount_service_account_token";
        if planned.get(key).is_none_or(Value::is_null) {
            planned.insert(key.into(), Value::from(true));
        }
        for b in ["secret", "image_pull_secret"] {
            if planned.get(b).is_none_or(Value::is_null) {
                planned.insert(b.into(), Value::List(Vec::new()));
            }
        }
    }
    fn body(&self, c: &Value) -> Result<VecMap<String, J>, ProviderError> {
        let mut out = VecMap::new();
        let automount = c
            .get_attr("automount_service_account_token")
            .and_then(|b| b.peel().as_bool());
        out.insert(
            "automountServiceAccountToken".into(),
            J::from(automount.unwrap_or(true)),
        );
        if let Some(s) = name_list(c.get_attr("secret")) {
            out.insert("secrets".into(), s);
        }
        if let Some(s) = name_list(c.get_attr("image_pull_secret")) {
            out.insert("imagePullSecrets".into(), s);
        }
        Ok(out)
    }
    /// The token secret the token controller adds (`<name>-token-…`) is not the user's.
    fn read(&self, live: &J, _: &Value, out: &mut VecMap<String, Value>) {
        let name = live
            .pointer("/metadata/name")
            .and_then(J::as_str)
            .unwrap_or("");
        let token = format!("{name}-token-");
        let automount = live
            .get("automountServiceAccountToken")
            .and_then(J::as_bool)
            .unwrap_or(true);
        out.insert(
            "automount_service_account_token".into(),
            Value::from(automount),
        );
        out.insert(
            "secret".into(),
            names(live.get("secrets"), |n| n.starts_with(&token)),
        );
        out.insert(
            "image_pull_secret".into(),
            names(live.get("imagePullSecrets"), |_| false),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::first;
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_data_is_base64_on_the_wire_and_text_in_state() {
        let c = Value::map([(
            "data",
            Value::map([("password", Value::from("s3cr3t"))]).sensitive(),
        )]);
        let body = Secret.body(&c).unwrap();
        assert_eq!(body.get("data"), Some(&json!({"password": "czNjcjN0"})));
        let live = json!({"data": {"password": "czNjcjN0", "other": "eA=="}, "type": "Opaque"});
        let mut out = VecMap::new();
        Secret.read(&live, &c, &mut out);
        assert_eq!(
            out.get("data").unwrap().peel(),
            &Value::Map(
                [("password".to_string(), Value::from("s3cr3t"))]
                    .into_iter()
                    .collect()
            )
        );
        assert!(out.get("data").unwrap().is_sensitive());
    }

    #[test]
    fn service_account_leaves_out_the_token_secret() {
        let live = json!({"metadata": {"name": "argocd"}, "secrets": [{"name": "argocd-token-x1"}, {"name": "mine"}]});
        let mut out = VecMap::new();
        ServiceAccount.read(&live, &Value::Null, &mut out);
        assert_eq!(
            out.get("secret"),
            Some(&Value::List(vec![Value::object([(
                "name",
                Value::from("mine")
            )])]))
        );
        assert_eq!(
            first(
                &Value::map([("secret", out.get("secret").unwrap().clone())]),
                "secret"
            )
            .and_then(|s| text(s, "name"))
            .as_deref(),
            Some("mine")
        );
    }
}
