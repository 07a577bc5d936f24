//! Key handling of [`S3Backend`] beyond the state object itself: re-encrypting the state
//! under a new KMS key (`hubctl state rekey`), and sealing the other artifacts that carry
//! state values (saved plans) with the backend's key, bound to this state.

use super::{KmsKeys, S3Backend};
use hubctl_core::state::backend::OpenedArtifact;
use hubctl_core::state::crypto::{self, KeyProvider};
use hubctl_core::state::{Backend, State, StateError};
use std::sync::Arc;

impl S3Backend {
    /// What an artifact of `kind` is bound to: not its file path (a plan travels between
    /// CI jobs), but the state it was made from.
    fn artifact_location(&self, kind: &str) -> String {
        format!("{kind} for {}", self.settings.location())
    }

    pub(super) async fn seal_artifact_impl(
        &self,
        kind: &str,
        lineage: &str,
        plain: &[u8],
    ) -> Result<Option<Vec<u8>>, StateError> {
        if !self.settings.encrypt {
            return Ok(None);
        }
        self.seal_at(plain, &self.artifact_location(kind), lineage)
            .await
            .map(Some)
    }

    pub(super) async fn open_artifact_impl(
        &self,
        kind: &str,
        sealed: &[u8],
    ) -> Result<OpenedArtifact, StateError> {
        let location = self.artifact_location(kind);
        let keys: Vec<&dyn KeyProvider> = self.keys.iter().map(|k| k.as_ref()).collect();
        let (plain, binding) = crypto::open(sealed, &keys, &location).await?;
        Ok((plain, binding.lineage))
    }

    /// The current state, sealed again under `to_key` as a new serial. The configured key
    /// (and fallback) still open the old object; the new one is then read back with
    /// `to_key` alone before this returns, so a key the caller cannot use for decryption
    /// is caught while the old key is still at hand.
    pub(super) async fn rekey_impl(&self, to_key: &str) -> Result<State, StateError> {
        let location = self.settings.location();
        if !self.settings.encrypt {
            return Err(StateError::Other(format!(
                "the backend block of {location} has encrypt = false: there is no key to \
                 change. Set encrypt = true and kms_key_id to encrypt the state"
            )));
        }
        let Some(mut state) = self.load().await? else {
            return Err(StateError::Other(format!(
                "there is no state at {location} to re-encrypt"
            )));
        };
        let new_key: Arc<dyn KeyProvider> =
            Arc::new(KmsKeys::new(self.clients.kms.clone(), to_key));
        let mut settings = self.settings.clone();
        settings.fallback_kms_key_id = settings.kms_key_id.replace(to_key.to_string());
        let mut keys = vec![new_key.clone()];
        keys.extend(self.keys.iter().cloned());
        let target = S3Backend::with_keys(settings.clone(), &self.clients, keys);
        state.serial += 1;
        target.persist(&state).await?;
        let only_new = S3Backend::with_keys(settings, &self.clients, vec![new_key]);
        match only_new.load().await {
            Ok(Some(read)) if read == state => Ok(state),
            Ok(_) => Err(StateError::Other(format!(
                "the state re-encrypted under {to_key} at {location} did not read back as \
                 written; the previous version is in the bucket's history (`hubctl state \
                 history`)"
            ))),
            Err(e) => Err(StateError::Other(format!(
                "the state at {location} was re-encrypted under {to_key} (serial {}), but \
                 it does not open with that key alone: {e}. Keep the old key as \
                 fallback_kms_key_id until this is fixed",
                state.serial
            ))),
        }
    }
}
