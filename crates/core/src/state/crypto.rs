//! Client-side envelope encryption of state (and saved plans): a fresh data key per object
//! from a [`KeyProvider`] (KMS `GenerateDataKey` in production), AES-256-GCM, and a header
//! with the algorithm, version, key id, wrapped key and nonce. The additional authenticated
//! data binds the ciphertext to where it lives and to its lineage, so a copy moved to
//! another location, or any flipped byte, is refused.
//!
//! PLACEHOLDER API — implemented by the remote-state work.

use super::StateError;
use async_trait::async_trait;

/// A data key: the plaintext key (32 bytes, wiped on drop) and its wrapped form.
pub struct DataKey {
    pub plaintext: zeroize::Zeroizing<Vec<u8>>,
    pub wrapped: Vec<u8>,
    /// The id of the key that wrapped it (e.g. a KMS key ARN).
    pub key_id: String,
}

/// Where data keys come from. Implementations: KMS (hubctl-aws), and a fixed key for tests.
#[async_trait]
pub trait KeyProvider: Send + Sync {
    /// A fresh 256-bit data key.
    async fn generate(&self) -> Result<DataKey, StateError>;
    /// The plaintext of a wrapped key (KMS `Decrypt`).
    async fn unwrap(
        &self,
        wrapped: &[u8],
        key_id: &str,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, StateError>;
    /// For messages: which key this is.
    fn describe(&self) -> String;
}

/// What the ciphertext is bound to: its location (e.g. `s3://bucket/key`) and lineage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub location: String,
    pub lineage: String,
}

/// Seals `plaintext` under a fresh data key.
pub async fn seal(
    plaintext: &[u8],
    keys: &dyn KeyProvider,
    binding: &Binding,
) -> Result<Vec<u8>, StateError> {
    let _ = (plaintext, keys, binding);
    Err(StateError::Other(
        "envelope encryption not implemented".into(),
    ))
}

/// Opens an envelope sealed by [`seal`]: tries `keys` in order (configured key, then an
/// optional fallback key). `location` is where it was read from; the lineage comes from the
/// (authenticated) header and is returned with the plaintext.
pub async fn open(
    envelope: &[u8],
    keys: &[&dyn KeyProvider],
    location: &str,
) -> Result<(Vec<u8>, Binding), StateError> {
    let _ = (envelope, keys, location);
    Err(StateError::Other(
        "envelope encryption not implemented".into(),
    ))
}

/// Whether bytes look like an envelope (and not plaintext JSON).
pub fn is_envelope(bytes: &[u8]) -> bool {
    let _ = bytes;
    false
}
