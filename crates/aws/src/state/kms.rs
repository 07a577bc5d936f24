//! [`KmsKeys`]: data keys from KMS `GenerateDataKey` (AES_256), unwrapped with `Decrypt`.
//!
//! `Decrypt` of a symmetric ciphertext needs no key id, so KMS would happily unwrap a data
//! key wrapped by any key the caller may use. The envelope must open only with the
//! configured key, so the key that did the unwrapping is compared with this provider's key.
//! Data keys carry the envelope's binding as encryption context: KMS unwraps one only for
//! the same state location and lineage, and CloudTrail shows which state each Decrypt was for.

use super::call_failed;
use async_trait::async_trait;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::DataKeySpec;
use hubctl_core::state::crypto::{Binding, DataKey, KeyProvider};
use hubctl_core::state::StateError;
use tokio::sync::OnceCell;
use zeroize::Zeroizing;

/// One KMS key (`alias/...`, key id or ARN).
pub struct KmsKeys {
    client: aws_sdk_kms::Client,
    key_id: String,
    /// The key's ARN, resolved once (aliases resolve to the key they point at).
    arn: OnceCell<String>,
}

impl KmsKeys {
    pub fn new(client: aws_sdk_kms::Client, key_id: impl Into<String>) -> KmsKeys {
        KmsKeys {
            client,
            key_id: key_id.into(),
            arn: OnceCell::new(),
        }
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The key's ARN (`kms:DescribeKey`, once).
    pub async fn arn(&self) -> Result<&str, StateError> {
        self.arn
            .get_or_try_init(|| async {
                let out = self
                    .client
                    .describe_key()
                    .key_id(&self.key_id)
                    .send()
                    .await
                    .map_err(|e| call_failed("kms:DescribeKey", &self.describe(), e))?;
                out.key_metadata()
                    .and_then(|m| m.arn())
                    .map(str::to_string)
                    .ok_or_else(|| {
                        StateError::Other(format!(
                            "kms:DescribeKey on {} returned no ARN",
                            self.describe()
                        ))
                    })
            })
            .await
            .map(String::as_str)
    }
}

#[async_trait]
impl KeyProvider for KmsKeys {
    async fn generate(&self, context: &Binding) -> Result<DataKey, StateError> {
        let mut req = self
            .client
            .generate_data_key()
            .key_id(&self.key_id)
            .key_spec(DataKeySpec::Aes256);
        for (k, v) in context.context() {
            req = req.encryption_context(k, v);
        }
        let out = req
            .send()
            .await
            .map_err(|e| call_failed("kms:GenerateDataKey", &self.describe(), e))?;
        let missing = |what: &str| {
            StateError::Other(format!(
                "kms:GenerateDataKey on {} returned no {what}",
                self.describe()
            ))
        };
        let plaintext = out.plaintext().ok_or_else(|| missing("plaintext key"))?;
        let wrapped = out
            .ciphertext_blob()
            .ok_or_else(|| missing("wrapped key"))?;
        Ok(DataKey {
            plaintext: Zeroizing::new(plaintext.as_ref().to_vec()),
            wrapped: wrapped.as_ref().to_vec(),
            key_id: out.key_id().unwrap_or(&self.key_id).to_string(),
        })
    }

    async fn unwrap(
        &self,
        wrapped: &[u8],
        key_id: &str,
        context: Option<&Binding>,
    ) -> Result<Zeroizing<Vec<u8>>, StateError> {
        let arn = self.arn().await?.to_string();
        if !key_id.is_empty() && key_id != arn && key_id != self.key_id {
            return Err(StateError::Other(format!(
                "the data key was wrapped by {key_id}, not by this key ({arn})"
            )));
        }
        let mut req = self
            .client
            .decrypt()
            .ciphertext_blob(Blob::new(wrapped.to_vec()))
            .key_id(&self.key_id);
        for (k, v) in context.iter().flat_map(|c| c.context()) {
            req = req.encryption_context(k, v);
        }
        let out = req
            .send()
            .await
            .map_err(|e| call_failed("kms:Decrypt", &self.describe(), e))?;
        if let Some(used) = out.key_id().filter(|used| *used != arn) {
            return Err(StateError::Other(format!(
                "kms:Decrypt unwrapped the data key with {used}, not with {arn}"
            )));
        }
        let plain = out.plaintext().ok_or_else(|| {
            StateError::Other(format!(
                "kms:Decrypt on {} returned no plaintext",
                self.describe()
            ))
        })?;
        Ok(Zeroizing::new(plain.as_ref().to_vec()))
    }

    fn describe(&self) -> String {
        format!("KMS key {}", self.key_id)
    }
}
