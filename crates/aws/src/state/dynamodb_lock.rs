//! The DynamoDB lock, in Terraform's layout so either tool sees the other's locks: an item
//! `LockID = "<bucket>/<key>"` whose `Info` attribute holds the lock info JSON, created with
//! `attribute_not_exists(LockID)`; and an item `LockID = "<bucket>/<key>-md5"` whose
//! `Digest` is the MD5 of the state object last written, so a stale read is detected.
//! Release is conditional on the `Info` read (and checked to carry our ID), so one run
//! never deletes another's lock, even if it was replaced in between.
//!
//! The lock is a lease (see `hubctl_core::state::lease`): two extra attributes Terraform
//! ignores, `Heartbeat` (RFC 3339, the holder's last renewal) and `LeaseSeconds`. Renewal
//! is an UpdateItem conditioned on our exact `Info`; a takeover is a PutItem conditioned
//! on the stale item's exact `Info` and `Heartbeat`. A lock without a heartbeat
//! (Terraform's) never expires.

use super::call_failed;
use aws_sdk_dynamodb::types::AttributeValue;
use hubctl_core::state::lock::{lock_info_from_json, now_rfc3339};
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

/// Terraform's names of the lock info fields, for reading them one by one.
const TF_FIELDS: [&str; 6] = ["ID", "Operation", "Who", "Version", "Created", "Path"];

/// The attribute holding the holder's last renewal (RFC 3339); Terraform ignores it.
const HEARTBEAT: &str = "Heartbeat";
/// The attribute holding the lease length the holder promised, in seconds.
const LEASE_SECONDS: &str = "LeaseSeconds";

/// Encodes lock info as Terraform writes it.
pub fn encode_info(info: &LockInfo) -> String {
    // Infallible: plain strings.
    serde_json::to_string(&TfLockInfo::from(info)).expect("lock info serializes")
}

/// Parses lock info written by hubctl or Terraform; info another tool wrote with only some
/// of the fields is `LockUnreadable`, showing what is there.
pub fn decode_info(text: &str, origin: &str) -> Result<LockInfo, StateError> {
    match decode_partial(text) {
        (info, None) => Ok(info),
        (info, Some(problem)) => Err(StateError::LockUnreadable {
            location: origin.to_string(),
            info,
            problem,
        }),
    }
}

/// Whatever of the lock info can be read, and what could not.
fn decode_partial(text: &str) -> (LockInfo, Option<String>) {
    lock_info_from_json(text, TF_FIELDS)
}

/// The lock item as stored: its info (partial when another tool wrote it), the exact
/// `Info` text and heartbeat, which a takeover or release is conditioned on.
pub struct Held {
    pub info: LockInfo,
    pub problem: Option<String>,
    text: String,
    heartbeat: Option<String>,
}

impl Held {
    fn checked(self, origin: &str) -> Result<LockInfo, StateError> {
        match self.problem {
            None => Ok(self.info),
            Some(problem) => Err(StateError::LockUnreadable {
                location: origin.to_string(),
                info: self.info,
                problem,
            }),
        }
    }
}

/// The lock and digest items of one state in one table.
#[derive(Clone)]
pub struct DynamoLock {
    client: aws_sdk_dynamodb::Client,
    table: String,
    /// `<bucket>/<key>`.
    lock_id: String,
}

fn conditional_failed<E, R>(e: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> bool
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata,
{
    crate::error::code(e) == Some("ConditionalCheckFailedException")
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

    /// Takes the lock as a lease of `ttl`, or reports its holder. A holder whose lease has
    /// gone unrenewed for its TTL is taken over, conditioned on the stale item's exact
    /// content so two runs cannot both take it; the stale holder is returned then.
    pub async fn lock(
        &self,
        info: &LockInfo,
        ttl: std::time::Duration,
    ) -> Result<Option<LockInfo>, StateError> {
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("LockID", AttributeValue::S(self.lock_id.clone()))
            .item("Info", AttributeValue::S(encode_info(info)))
            .item(HEARTBEAT, AttributeValue::S(now_rfc3339()))
            .item(
                LEASE_SECONDS,
                AttributeValue::N(ttl.as_secs().max(1).to_string()),
            );
        let mut tries = 0;
        let held = loop {
            match put
                .clone()
                .condition_expression("attribute_not_exists(LockID)")
                .send()
                .await
            {
                Ok(_) => return Ok(None),
                Err(e) if conditional_failed(&e) => {}
                Err(e) => return Err(call_failed("dynamodb:PutItem", &self.target(), e)),
            }
            match self.held_item().await? {
                // Our own first attempt, whose answer was lost (the SDK retried it).
                Some(held) if held.text == encode_info(info) => return Ok(None),
                Some(held) => break held,
                // Released in between: try again (a few times, then give up).
                None if tries < 5 => tries += 1,
                None => return Err(self.changed()),
            }
        };
        let stale = held.problem.is_none() && held.info.is_stale_now();
        if !stale {
            return Err(StateError::Locked(held.checked(&self.target())?));
        }
        let take = put
            .condition_expression("#info = :info AND #hb = :hb")
            .expression_attribute_names("#info", "Info")
            .expression_attribute_names("#hb", HEARTBEAT)
            .expression_attribute_values(":info", AttributeValue::S(held.text.clone()))
            .expression_attribute_values(
                ":hb",
                AttributeValue::S(held.heartbeat.clone().unwrap_or_default()),
            )
            .send()
            .await;
        match take {
            Ok(_) => Ok(Some(held.info)),
            // Renewed, released or taken by another run in between.
            Err(e) if conditional_failed(&e) => match self.held_item().await? {
                Some(now) if now.text == encode_info(info) => Ok(Some(held.info)),
                Some(now) => Err(StateError::Locked(now.checked(&self.target())?)),
                None => Err(self.changed()),
            },
            Err(e) => Err(call_failed("dynamodb:PutItem", &self.target(), e)),
        }
    }

    fn changed(&self) -> StateError {
        StateError::Other(format!(
            "the lock in {} changed while it was being taken; run the command again",
            self.target()
        ))
    }

    /// Renews the lease `held` holds (a new heartbeat), only while the item still holds
    /// exactly its info; `LockLost` naming the holder now otherwise.
    pub async fn renew(&self, held: &LockInfo) -> Result<(), StateError> {
        let upd = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("LockID", AttributeValue::S(self.lock_id.clone()))
            .update_expression("SET #hb = :now")
            .condition_expression("#info = :info")
            .expression_attribute_names("#hb", HEARTBEAT)
            .expression_attribute_names("#info", "Info")
            .expression_attribute_values(":now", AttributeValue::S(now_rfc3339()))
            .expression_attribute_values(":info", AttributeValue::S(encode_info(held)))
            .send()
            .await;
        match upd {
            Ok(_) => Ok(()),
            Err(e) if conditional_failed(&e) => Err(StateError::LockLost {
                id: held.id.clone(),
                by: self.held_item().await?.map(|h| h.info),
            }),
            Err(e) => Err(call_failed("dynamodb:UpdateItem", &self.target(), e)),
        }
    }

    /// The lock held, if any (`LockUnreadable` when another tool wrote only some fields).
    pub async fn held(&self) -> Result<Option<LockInfo>, StateError> {
        let target = self.target();
        self.held_item()
            .await?
            .map(|h| h.checked(&target))
            .transpose()
    }

    /// The lock item as stored, read leniently.
    pub async fn held_item(&self) -> Result<Option<Held>, StateError> {
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
        let (mut info, problem) = decode_partial(&text);
        let heartbeat = match item.get(HEARTBEAT) {
            Some(AttributeValue::S(s)) => Some(s.clone()),
            _ => None,
        };
        info.heartbeat = heartbeat.clone();
        info.lease_seconds = match item.get(LEASE_SECONDS) {
            Some(AttributeValue::N(n)) => n.parse().ok(),
            _ => None,
        };
        Ok(Some(Held {
            info,
            problem,
            text,
            heartbeat,
        }))
    }

    /// Releases the lock if it holds `id` (read leniently, so a lock another tool wrote
    /// with only some fields is released by its ID); `LockMismatch` (lock kept) otherwise.
    pub async fn unlock(&self, id: &str) -> Result<(), StateError> {
        let text = match self.held_item().await? {
            Some(h) if h.info.id == id && !id.is_empty() => h.text,
            other => {
                return Err(StateError::LockMismatch {
                    held: other.map(|h| h.info),
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
            Err(e) if conditional_failed(&e) => match self.held_item().await? {
                // Gone: our first attempt's answer was lost and the SDK retried it.
                None => Ok(()),
                Some(h) => Err(StateError::LockMismatch { held: Some(h.info) }),
            },
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
            Err(StateError::LockUnreadable { .. })
        ));
    }

    #[test]
    fn info_with_only_some_fields_is_refused_showing_its_id_and_the_release_command() {
        let other_tool = r#"{"ID":"5d1e-other","Operation":"OperationTypeApply","Who":"bot@ci"}"#;
        let err = decode_info(other_tool, "DynamoDB table t (LockID b/k)").unwrap_err();
        let text = err.to_string();
        for needle in [
            "5d1e-other",
            "bot@ci",
            "OperationTypeApply",
            "missing Version, Created, Path",
            "hubctl force-unlock 5d1e-other",
            "LockID b/k",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
        }
        assert!(
            !text.contains("backup") && !text.contains("state file"),
            "{text}"
        );
    }
}
