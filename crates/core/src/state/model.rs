//! The state document: what hubctl believes exists, keyed by full instance address.
//!
//! `lineage` identifies one state for its whole life and `serial` orders its versions, so a
//! backend can refuse to overwrite a newer or unrelated state (Terraform's rule). Mutations
//! are expressed as [`StateOp`]s so the same record drives both the in-memory state and the
//! durable journal: a checkpoint is just "these ops happened".

use super::error::StateError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The on-disk format version this hubctl writes.
pub const FORMAT_VERSION: u32 = 1;

/// A whole state snapshot.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct State {
    pub version: u32,
    pub lineage: String,
    pub serial: u64,
    pub hubctl_version: String,
    #[serde(default, deserialize_with = "unique_keys")]
    pub outputs: BTreeMap<String, OutputState>,
    /// Keyed by full instance address, e.g. `module.vpc.aws_subnet.this["us-east-1a"]`.
    #[serde(default, deserialize_with = "unique_keys")]
    pub resources: BTreeMap<String, InstanceState>,
}

/// A JSON object read as a map, refusing a key that appears twice: serde would keep the
/// last one without a word, and a state with two objects at one address has lost one.
fn unique_keys<'de, D, V>(d: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    use serde::de::{Error, MapAccess, Visitor};
    struct Unique<V>(std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> Visitor<'de> for Unique<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = m.next_key::<String>()? {
                if out.contains_key(&key) {
                    return Err(A::Error::custom(format!(
                        "{key:?} appears twice; a state holds one entry per address and output"
                    )));
                }
                let value = m.next_value()?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Unique(std::marker::PhantomData))
}

/// A root module output as last applied. `type` is cty's JSON form of the value's type, as
/// in Terraform's state, so a list, map or set reads back as one (JSON alone would give a
/// tuple or object); states written before it was kept have none.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct OutputState {
    pub value: serde_json::Value,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub ty: Option<serde_json::Value>,
    #[serde(default)]
    pub sensitive: bool,
}

impl OutputState {
    /// An output's record: its JSON, its type and whether it is sensitive (declared so or
    /// holding a sensitive value).
    pub fn new(v: &crate::lang::Value, sensitive: bool) -> OutputState {
        OutputState {
            value: v.to_json(),
            ty: Some(v.ty().to_cty_json()),
            sensitive: sensitive || v.contains_sensitive(),
        }
    }

    /// The output's type: the recorded one, else what its JSON shows (tuples, objects).
    pub fn ty(&self) -> crate::lang::Type {
        self.ty
            .as_ref()
            .and_then(crate::lang::Type::from_cty_json)
            .unwrap_or_else(|| crate::lang::Value::from_json(&self.value).ty())
    }

    /// The value with its recorded type (marks are not kept: see `sensitive`).
    pub fn value(&self) -> crate::lang::Value {
        match self.ty.as_ref().and_then(crate::lang::Type::from_cty_json) {
            Some(t) => crate::lang::Value::from_json_typed(&self.value, &t),
            None => crate::lang::Value::from_json(&self.value),
        }
    }
}

/// Managed resources are created by hubctl; data sources are only read.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Managed,
    Data,
}

/// Lifecycle status of one instance.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Ready,
    /// A create or update failed part-way; the next plan replaces it.
    Tainted,
    /// An intent recorded before the create call, so a crash between the API call and the
    /// checkpoint leaves a trace the next run can adopt (by its `hubctl:address` tag).
    Creating,
    /// An intent recorded before the delete call: a run killed during the delete leaves it,
    /// and the next run finishes the delete (or replaces the object) instead of trusting it.
    Deleting,
}

/// One resource instance as last applied.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct InstanceState {
    pub mode: Mode,
    #[serde(rename = "type")]
    pub type_name: String,
    /// The provider configuration, e.g. `aws` or `aws.west`.
    pub provider: String,
    pub attributes: serde_json::Value,
    /// Top-level attribute names whose values are sensitive.
    #[serde(default)]
    pub sensitive_attributes: Vec<String>,
    /// Config-level resource addresses this instance depends on, for destroy ordering when
    /// the configuration no longer says.
    #[serde(default)]
    pub dependencies: Vec<String>,
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub create_before_destroy: bool,
    /// The idempotency token of an interrupted create (kept with its intent record, status
    /// `creating`), so that the run that resumes it sends the API the same token and gets
    /// the first attempt's object back rather than a second one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_token: Option<String>,
}

/// One checkpoint record. Every op is idempotent (last write wins), so replaying a journal
/// that a completed snapshot already contains is harmless.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum StateOp {
    SetInstance {
        address: String,
        instance: InstanceState,
    },
    RemoveInstance {
        address: String,
    },
    SetOutput {
        name: String,
        output: OutputState,
    },
    RemoveOutput {
        name: String,
    },
}

impl State {
    /// A fresh, empty state with a new lineage and serial 0.
    pub fn new() -> State {
        State {
            version: FORMAT_VERSION,
            lineage: uuid::Uuid::new_v4().to_string(),
            serial: 0,
            hubctl_version: env!("CARGO_PKG_VERSION").to_string(),
            outputs: BTreeMap::new(),
            resources: BTreeMap::new(),
        }
    }

    /// Applies one op in memory. Does not touch `serial`: the caller bumps it once per
    /// persisted version, not once per op.
    pub fn apply_op(&mut self, op: &StateOp) {
        match op {
            StateOp::SetInstance { address, instance } => {
                self.resources.insert(address.clone(), instance.clone());
            }
            StateOp::RemoveInstance { address } => {
                self.resources.remove(address);
            }
            StateOp::SetOutput { name, output } => {
                self.outputs.insert(name.clone(), output.clone());
            }
            StateOp::RemoveOutput { name } => {
                self.outputs.remove(name);
            }
        }
    }

    /// Parses a snapshot. `origin` names where it came from (a path or URL) for messages.
    /// Checks the format version first, so a newer hubctl's state is reported as such
    /// rather than as a confusing field error.
    pub fn decode(bytes: &[u8], origin: &str) -> Result<State, StateError> {
        let corrupt = |e: serde_json::Error| StateError::Corrupt {
            path: origin.to_string(),
            message: e.to_string(),
        };
        let json: serde_json::Value = serde_json::from_slice(bytes).map_err(corrupt)?;
        match migrate_or_check(&json, origin)? {
            // Already the current format: deserialize from the text so field errors
            // carry a line and column.
            None => serde_json::from_slice(bytes).map_err(corrupt),
            Some(migrated) => serde_json::from_value(migrated).map_err(corrupt),
        }
    }

    /// Serializes a snapshot (indented: state files get read by humans during incidents).
    pub fn encode(&self) -> Vec<u8> {
        // Infallible: every map key is a string and serde_json values hold no NaN.
        let mut out = serde_json::to_vec_pretty(self).expect("a State always serializes");
        out.push(b'\n');
        out
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

/// Checks a snapshot's format version and upgrades older formats to the current one.
/// Returns `Ok(None)` when the document is already current (no copy needed), `Ok(Some(v))`
/// with the upgraded document for an older format, and an error for a missing or newer
/// version. Only version 1 exists today; this is the hook for reading later formats' elders.
pub fn migrate_or_check(
    json: &serde_json::Value,
    origin: &str,
) -> Result<Option<serde_json::Value>, StateError> {
    let Some(obj) = json.as_object() else {
        return Err(StateError::Corrupt {
            path: origin.to_string(),
            message: "expected a JSON object at the top level".to_string(),
        });
    };
    let version = match obj.get("version") {
        Some(v) => v.as_u64().ok_or_else(|| StateError::Corrupt {
            path: origin.to_string(),
            message: format!("\"version\" must be a whole number, found {v}"),
        })?,
        None => {
            return Err(StateError::Corrupt {
                path: origin.to_string(),
                message: "the \"version\" field is missing; this is not a hubctl state file"
                    .to_string(),
            })
        }
    };
    match version {
        v if v == u64::from(FORMAT_VERSION) => Ok(None),
        v => Err(StateError::UnsupportedVersion(
            u32::try_from(v).unwrap_or(u32::MAX),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn instance(id: &str) -> InstanceState {
        InstanceState {
            mode: Mode::Managed,
            type_name: "terraform_data".into(),
            provider: "terraform".into(),
            attributes: json!({ "id": id }),
            sensitive_attributes: vec![],
            dependencies: vec![],
            status: Status::Ready,
            create_before_destroy: false,
            create_token: None,
        }
    }

    #[test]
    fn new_states_have_distinct_lineages_and_serial_zero() {
        let (a, b) = (State::new(), State::new());
        assert_ne!(a.lineage, b.lineage);
        assert_eq!(a.serial, 0);
        assert_eq!(a.version, FORMAT_VERSION);
    }

    #[test]
    fn apply_op_sets_and_removes() {
        let mut s = State::new();
        s.apply_op(&StateOp::SetInstance {
            address: "a.b".into(),
            instance: instance("1"),
        });
        s.apply_op(&StateOp::SetOutput {
            name: "o".into(),
            output: OutputState::new(&crate::lang::Value::int(1), false),
        });
        assert!(s.resources.contains_key("a.b") && s.outputs.contains_key("o"));
        s.apply_op(&StateOp::RemoveInstance {
            address: "a.b".into(),
        });
        s.apply_op(&StateOp::RemoveOutput { name: "o".into() });
        assert!(s.resources.is_empty() && s.outputs.is_empty());
        assert_eq!(s.serial, 0, "apply_op must not bump the serial");
    }

    #[test]
    fn outputs_keep_their_type_and_older_ones_read_without() {
        use crate::lang::Value;
        let v = Value::set(vec![Value::from("a"), Value::from("b")]);
        let o = OutputState::new(&v, false);
        let j = serde_json::to_value(&o).unwrap();
        assert_eq!(
            j,
            json!({"value": ["a", "b"], "type": ["set", "string"], "sensitive": false})
        );
        let back: OutputState = serde_json::from_value(j).unwrap();
        assert_eq!(back.value(), v);
        // A state written before types were kept: the JSON's own shape.
        let old: OutputState = serde_json::from_value(json!({"value": ["a"]})).unwrap();
        assert_eq!(old.ty, None);
        assert_eq!(old.value(), Value::Tuple(vec![Value::from("a")]));
        assert_eq!(old.ty().to_cty_json(), json!(["tuple", ["string"]]));
        let secret = OutputState::new(&Value::from("pw").sensitive(), false);
        assert!(secret.sensitive);
        assert_eq!(secret.ty, Some(json!("string")));
    }

    #[test]
    fn serde_names_follow_the_documented_format() {
        let op = StateOp::SetInstance {
            address: "x.y".into(),
            instance: instance("1"),
        };
        let v = serde_json::to_value(&op).unwrap();
        assert_eq!(v["op"], "set_instance");
        assert_eq!(v["instance"]["type"], "terraform_data");
        assert_eq!(v["instance"]["mode"], "managed");
        assert_eq!(v["instance"]["status"], "ready");
        let back: StateOp = serde_json::from_value(v).unwrap();
        assert_eq!(back, op);
    }

    #[test]
    fn decode_roundtrips_encode() {
        let mut s = State::new();
        s.serial = 3;
        s.apply_op(&StateOp::SetInstance {
            address: "a.b".into(),
            instance: instance("1"),
        });
        assert_eq!(State::decode(&s.encode(), "x").unwrap(), s);
    }

    #[test]
    fn decode_reports_version_and_syntax_problems() {
        let newer = br#"{"version": 7, "lineage": "l", "serial": 1}"#;
        assert!(matches!(
            State::decode(newer, "s.json"),
            Err(StateError::UnsupportedVersion(7))
        ));
        match State::decode(b"{\n  \"version\": 1,\n  oops", "s.json") {
            Err(StateError::Corrupt { path, message }) => {
                assert_eq!(path, "s.json");
                assert!(message.contains("line 3"), "{message}");
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
        assert!(matches!(
            State::decode(b"[1]", "s.json"),
            Err(StateError::Corrupt { .. })
        ));
        match State::decode(br#"{"version": 1, "lineage": "l"}"#, "s.json") {
            Err(StateError::Corrupt { message, .. }) => assert!(message.contains("serial")),
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    /// A hand-merged state with one address twice must not lose one of the two silently
    /// (serde keeps the last key); the error names the address and the line.
    #[test]
    fn duplicate_addresses_are_refused() {
        let obj = r#"{"mode": "managed", "type": "terraform_data", "provider": "terraform",
            "attributes": {"id": "ID"}}"#;
        let doc = format!(
            "{{\"version\": 1, \"lineage\": \"l\", \"serial\": 1, \"hubctl_version\": \"0\",\n\
             \"resources\": {{\n\"terraform_data.a\": {},\n\"terraform_data.a\": {}}}}}",
            obj.replace("ID", "one"),
            obj.replace("ID", "two")
        );
        match State::decode(doc.as_bytes(), "s.json") {
            Err(StateError::Corrupt { message, .. }) => {
                assert!(
                    message.contains("\"terraform_data.a\" appears twice"),
                    "{message}"
                );
                assert!(message.contains("line 5"), "{message}");
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
        let dup_output = br#"{"version": 1, "lineage": "l", "serial": 1, "hubctl_version": "0",
            "outputs": {"o": {"value": 1}, "o": {"value": 2}}}"#;
        assert!(matches!(
            State::decode(dup_output, "s.json"),
            Err(StateError::Corrupt { message, .. }) if message.contains("\"o\" appears twice")
        ));
    }
}
