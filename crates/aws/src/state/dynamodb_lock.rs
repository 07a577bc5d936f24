//! The DynamoDB lock, in Terraform's layout so either tool sees the other's locks: an item
//! `LockID = "<bucket>/<key>"` whose `Info` attribute holds the lock info JSON, created with
//! `attribute_not_exists(LockID)`; and an item `LockID = "<bucket>/<key>-md5"` whose
//! `Digest` is the MD5 of the state object last written, so a stale read is detected.
//! Release is conditional on the `Info` read (and checked to carry our ID), so one run
//! never deletes another's lock, even if it was replaced in between.

use super::call_failed;
use aws_sdk_dynamodb::types::AttributeValue;
use hubctl_core::state::{LockInfo, StateError};
use serde::{Deserialize, Serialize};

/// Terraform's lock info field names (`ID`, `Operation`, ...).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct TfLockInfo {
    #[serde(rename = "ID")]
    pub id: String,
    pub operation: String,
    #[serde(default)]
    pub info: String,
    pub who: String,
    pub version: String,
    pub created: String,
    pub path: String,
}

impl From<&LockInfo> for TfLockInfo {
    fn from(l: &LockInfo) -> Self {
        TfLockInfo {
            id: l.id.clone(),
            operation: l.operation.clone(),
            info: String::new(),
            who: l.who.clone(),
            version: l.version.clone(),
            created: l.created.clone(),
            path: l.path.clone(),
        }
    }
}

impl From<TfLockInfo> for LockInfo {
    fn from(t: TfLockInfo) -> Self {
        LockInfo {
            id: t.id,
            operation: t.operation,
            who: t.who,
            version: t.version,
            created: t.created,
            path: t.path,
        }
    }
}

/// Encodes lock info as Terraform writes it.
pub fn encode_info(info: &LockInfo) -> String {
    // Infallible: plain strings.
    serde_json::to_string(&TfLockInfo::from(info)).expect("lock info serializes")
}

/// Parses lock info written by hubctl or Terraform.
pub fn decode_info(text: &str, origin: &str) -> Result<LockInfo, StateError> {
    serde_json::from_str::<TfLockInfo>(text)
        .map(LockInfo::from)
        .map_err(|e| StateError::Corrupt {
            path: origin.to_string(),
            message: format!(
                "the lock info cannot be read ({e}); if no run holds the lock, delete the \
                 lock item by hand"
            ),
        })
}

/// The lock and digest items of one state in one table.
pub struct DynamoLock {
    client: aws_sdk_dynamodb::Client,
    table: String,
    /// `<bucket>/<key>`.
    lock_id: String,
}

impl DynamoLock {
    pub fn new(client: aws_sdk_dynamodb::Client, table: &str, lock_id: &str) -> DynamoLock {
        DynamoLock {
            client,
            table: table.to_string(),
            lock_id: lock_id.to_string(),
        }
    }

    fn target(&self) -> String {
        format!("DynamoDB table {} (LockID {})", self.table, self.lock_id)
    }

    /// Takes the lock, or reports its holder.
    pub async fn lock(&self, info: &LockInfo) -> Result<(), StateError> {
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("LockID", AttributeValue::S(self.lock_id.clone()))
            .item("Info", AttributeValue::S(encode_info(info)))
            .condition_expression("attribute_not_exists(LockID)")
            .send()
            .await;
        match put {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                match self.held().await? {
                    Some((holder, _)) => Err(StateError::Locked(holder)),
                    // Released in between: the caller may simply try again.
                    None => Err(StateError::Other(format!(
                        "the lock in {} changed while it was being taken; run the command \
                         again",
                        self.target()
                    ))),
                }
            }
            Err(e) => Err(call_failed("dynamodb:PutItem", &self.target(), e)),
        }
    }

    /// The lock held, with its raw `Info` text (for the conditional delete).
    pub async fn held(&self) -> Result<Option<(LockInfo, String)>, StateError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("LockID", AttributeValue::S(self.lock_id.clone()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| call_failed("dynamodb:GetItem", &self.target(), e))?;
        let Some(item) = out.item() else {
            return Ok(None);
        };
        let text = match item.get("Info") {
            Some(AttributeValue::S(s)) => s.clone(),
            _ => String::new(),
        };
        Ok(Some((decode_info(&text, &self.target())?, text)))
    }

    /// Releases the lock if it holds `id`; `LockMismatch` (lock kept) otherwise.
    pub async fn unlock(&self, id: &str) -> Result<(), StateError> {
        let (held, text) = match self.held().await? {
            Some((h, t)) if h.id == id => (h, t),
            other => {
                return Err(StateError::LockMismatch {
                    held: other.map(|(h, _)| h),
                })
            }
        };
        let del = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("LockID", AttributeValue::S(self.lock_id.clone()))
            .condition_expression("#info = :info")
            .expression_attribute_names("#info", "Info")
            .expression_attribute_values(":info", AttributeValue::S(text))
            .send()
            .await;
        match del {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                let _ = held;
                Err(StateError::LockMismatch {
                    held: self.held().await?.map(|(h, _)| h),
                })
            }
            Err(e) => Err(call_failed("dynamodb:DeleteItem", &self.target(), e)),
        }
    }

    fn digest_id(&self) -> String {
        format!("{}-md5", self.lock_id)
    }

    /// The MD5 (hex) of the state object last written, if recorded.
    pub async fn digest(&self) -> Result<Option<String>, StateError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("LockID", AttributeValue::S(self.digest_id()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| call_failed("dynamodb:GetItem", &self.target(), e))?;
        Ok(out.item().and_then(|i| match i.get("Digest") {
            Some(AttributeValue::S(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        }))
    }

    /// Records the MD5 (hex) of the state object just written.
    pub async fn set_digest(&self, md5_hex: &str) -> Result<(), StateError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("LockID", AttributeValue::S(self.digest_id()))
            .item("Digest", AttributeValue::S(md5_hex.to_string()))
            .send()
            .await
            .map_err(|e| call_failed("dynamodb:PutItem", &self.target(), e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_info_uses_terraform_field_names_both_ways() {
        let info = LockInfo::new("apply", "s3://b/k");
        let text = encode_info(&info);
        for f in [
            "\"ID\"",
            "\"Operation\"",
            "\"Who\"",
            "\"Version\"",
            "\"Created\"",
            "\"Path\"",
        ] {
            assert!(text.contains(f), "{f} missing in {text}");
        }
        assert_eq!(decode_info(&text, "t").unwrap(), info);
        let terraform = r#"{"ID":"9e2a","Operation":"OperationTypeApply","Info":"","Who":"ci@runner","Version":"1.9.0","Created":"2025-01-01T00:00:00Z","Path":"b/k"}"#;
        assert_eq!(decode_info(terraform, "t").unwrap().who, "ci@runner");
        assert!(matches!(
            decode_info("{", "table t"),
            Err(StateError::Corrupt { .. })
        ));
    }
}
