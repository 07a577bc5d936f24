//! `use_lockfile = true`: a lock object `<key>.tflock` beside the state, created with S3's
//! conditional write `If-None-Match: *` (as Terraform 1.11 does), holding the lock info in
//! Terraform's layout. S3 has no conditional delete for general-purpose buckets, so release
//! reads the object and checks the ID first.

use super::call_failed;
use super::dynamodb_lock::{decode_info, encode_info};
use aws_sdk_s3::primitives::ByteStream;
use hubctl_core::state::{LockInfo, StateError};

pub struct S3Lockfile {
    client: aws_sdk_s3::Client,
    bucket: String,
    key: String,
}

impl S3Lockfile {
    pub fn new(client: aws_sdk_s3::Client, bucket: &str, state_key: &str) -> S3Lockfile {
        S3Lockfile {
            client,
            bucket: bucket.to_string(),
            key: format!("{state_key}.tflock"),
        }
    }

    fn target(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }

    pub async fn lock(&self, info: &LockInfo) -> Result<(), StateError> {
        let put = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(&self.key)
            .if_none_match("*")
            .content_type("application/json")
            .body(ByteStream::from(encode_info(info).into_bytes()))
            .send()
            .await;
        match put {
            Ok(_) => Ok(()),
            Err(e) if crate::error::is_precondition_failed(&e) => match self.held().await? {
                Some(holder) => Err(StateError::Locked(holder)),
                None => Err(StateError::Other(format!(
                    "the lock object {} changed while it was being taken; run the \
                         command again",
                    self.target()
                ))),
            },
            Err(e) => Err(call_failed("s3:PutObject", &self.target(), e)),
        }
    }

    /// Takes the lock object, or replaces it when it holds `stale` (the lease the table
    /// lock just took over, which serializes the takers).
    pub async fn lock_or_replace(
        &self,
        info: &LockInfo,
        stale: Option<&str>,
    ) -> Result<(), StateError> {
        match self.lock(info).await {
            Err(StateError::Locked(h)) if Some(h.id.as_str()) == stale => {
                self.client
                    .put_object()
                    .bucket(&self.bucket)
                    .key(&self.key)
                    .content_type("application/json")
                    .body(ByteStream::from(encode_info(info).into_bytes()))
                    .send()
                    .await
                    .map_err(|e| call_failed("s3:PutObject", &self.target(), e))?;
                Ok(())
            }
            other => other,
        }
    }

    pub async fn held(&self) -> Result<Option<LockInfo>, StateError> {
        let got = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(&self.key)
            .send()
            .await;
        let out = match got {
            Ok(o) => o,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(call_failed("s3:GetObject", &self.target(), e)),
        };
        let bytes =
            out.body.collect().await.map_err(|e| {
                StateError::Other(format!("s3:GetObject on {}: {e}", self.target()))
            })?;
        let text = String::from_utf8_lossy(&bytes.into_bytes()).into_owned();
        decode_info(&text, &self.target()).map(Some)
    }

    pub async fn unlock(&self, id: &str) -> Result<(), StateError> {
        match self.held().await? {
            Some(h) if h.id == id => {}
            held => return Err(StateError::LockMismatch { held }),
        }
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(&self.key)
            .send()
            .await
            .map_err(|e| call_failed("s3:DeleteObject", &self.target(), e))?;
        Ok(())
    }
}
