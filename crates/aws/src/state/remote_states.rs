//! Where `data "terraform_remote_state"` reads an `s3` backend's state: the same backend as
//! a root module's, so a state hubctl sealed with a KMS data key is opened with that key.
//! Other backends go to the engine's reader (local files).

use super::{S3Backend, S3Settings};
use async_trait::async_trait;
use hubctl_core::lang::Value;
use hubctl_core::provider::remote_state::{LocalStates, StateReader};
use hubctl_core::state::{Backend, State};
use std::collections::BTreeMap;

pub struct RemoteStates {
    pub local: LocalStates,
}

#[async_trait]
impl StateReader for RemoteStates {
    async fn read(&self, backend: &str, config: &Value) -> Result<Option<State>, String> {
        if backend != "s3" {
            return self.local.read(backend, config).await;
        }
        let cfg: BTreeMap<String, Value> = config
            .peel()
            .as_map()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.peel().clone()))
                    .collect()
            })
            .unwrap_or_default();
        let s = S3Settings::from_config(&cfg).map_err(|e| match e.arg {
            Some(a) => format!("config.{a}: {}", e.message),
            None => e.message,
        })?;
        S3Backend::connect(s)
            .await
            .load()
            .await
            .map_err(|e| e.to_string())
    }
}
