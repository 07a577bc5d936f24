//! Where `data "terraform_remote_state"` reads an `s3` backend's state: the same backend as
//! a root module's, so a state hubctl sealed with a KMS data key is opened with that key;
//! with `encrypt = false`, a state Terraform wrote there is read as its plain JSON. Other backends go to the
//! engine's reader (local files).

use super::{S3Backend, S3Settings};
use async_trait::async_trait;
use hubctl_core::lang::Value;
use hubctl_core::provider::remote_state::{decode_any, LocalStates, StateReader};
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
        match S3Backend::connect(s.clone()).await.load().await {
            Ok(state) => Ok(state),
            // With encrypt = false, a state Terraform wrote: its plain JSON (SSE is S3's own
            // business). With encrypt = true only a sealed object is read, as for a backend,
            // so a planted plaintext state cannot feed outputs in.
            Err(e) if !s.encrypt => {
                let url = format!("s3://{}/{}", s.bucket, s.key);
                let bytes = super::object::read(&s, &url)
                    .await
                    .map_err(|_| e.to_string())?;
                decode_any(&bytes, &url)
                    .map(Some)
                    .map_err(|d| format!("{e}; as Terraform's layout: {d}"))
            }
            Err(e) => Err(e.to_string()),
        }
    }
}
