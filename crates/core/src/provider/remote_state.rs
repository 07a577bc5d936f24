//! `data "terraform_remote_state"`: the root outputs of another configuration's state, as
//! Terraform's built-in provider reads them, for stacks wired the plain-Terraform way. The
//! engine links no SDK, so where a backend keeps its state is asked of a [`StateReader`]:
//! local files here ([`LocalStates`]); the CLI adds `s3`, decrypted with the backend's key.

use super::{AttrSchema, DataSource, OpContext, ProviderError, Schema};
use crate::lang::{Type, Value};
use crate::state::State;
use async_trait::async_trait;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// Reads the state a backend holds; `None` when it holds none yet.
#[async_trait]
pub trait StateReader: Send + Sync {
    async fn read(&self, backend: &str, config: &Value) -> Result<Option<State>, String>;
}

/// The `local` backend: `path` (default `terraform.tfstate`) relative to `base`, a state
/// written by hubctl or by Terraform.
pub struct LocalStates {
    pub base: PathBuf,
}

#[async_trait]
impl StateReader for LocalStates {
    async fn read(&self, backend: &str, config: &Value) -> Result<Option<State>, String> {
        if backend != "local" {
            return Err(format!(
                "hubctl reads remote states from the \"local\" and \"s3\" backends; \"{backend}\" is neither"
            ));
        }
        let path = match config.get_attr("path").map(Value::peel) {
            Some(Value::String(p)) => self.base.join(p),
            Some(Value::Null) | None => self.base.join("terraform.tfstate"),
            Some(_) => return Err("config.path must be a string".into()),
        };
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("reading {}: {e}", path.display())),
        };
        decode_any(&bytes, &path.display().to_string()).map(Some)
    }
}

/// A state in hubctl's layout, or Terraform's (whose outputs are all that is read here).
pub fn decode_any(bytes: &[u8], origin: &str) -> Result<State, String> {
    State::decode(bytes, origin).or_else(|e| {
        crate::state::terraform::from_terraform(bytes, origin, &|_| false)
            .map(|i| i.state)
            .map_err(|_| e.to_string())
    })
}

/// The client of the built-in provider: where remote states are read.
pub struct Readers(pub Arc<dyn StateReader>);

pub struct RemoteState;

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        Schema::new()
            .attr("backend", AttrSchema::required(Type::String))
            .attr("config", AttrSchema::optional(Type::Any))
            .attr("defaults", AttrSchema::optional(Type::Any))
            .attr("workspace", AttrSchema::optional(Type::String))
            .attr("outputs", AttrSchema::computed(Type::Any))
    })
}

#[async_trait]
impl DataSource for RemoteState {
    fn type_name(&self) -> &'static str {
        "terraform_remote_state"
    }
    fn schema(&self) -> &Schema {
        schema()
    }
    async fn read(&self, ctx: &OpContext<'_>, config: &Value) -> Result<Value, ProviderError> {
        let fail = |m: String| ProviderError::new("terraform_remote_state", m);
        let readers = ctx
            .client
            .downcast_ref::<Readers>()
            .ok_or_else(|| fail("the built-in provider has no state reader here".into()))?;
        let text = |k: &str| config.get_attr(k).map(Value::peel).and_then(Value::as_str);
        let backend = text("backend").unwrap_or("local");
        if let Some(ws) = text("workspace").filter(|w| *w != "default") {
            return Err(fail(format!(
                "workspace \"{ws}\": hubctl has one state per configuration (no workspaces); leave workspace unset or \"default\""
            )));
        }
        let empty = Value::object(Vec::<(String, Value)>::new());
        let cfg = config
            .get_attr("config")
            .filter(|c| !c.is_null())
            .unwrap_or(&empty);
        let state = readers.0.read(backend, cfg).await.map_err(fail)?;
        let mut outputs = match config.get_attr("defaults").map(Value::peel) {
            Some(Value::Object(m) | Value::Map(m)) => m.clone(),
            _ => Default::default(),
        };
        for (name, o) in state.iter().flat_map(|s| s.outputs.iter()) {
            let v = Value::from_json(&o.value);
            outputs.insert(name.clone(), if o.sensitive { v.sensitive() } else { v });
        }
        let mut out = config.clone();
        if let Some(m) = out.as_map_mut() {
            m.insert("outputs".into(), Value::Object(outputs));
        }
        Ok(out)
    }
}
