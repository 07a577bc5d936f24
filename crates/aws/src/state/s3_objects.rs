//! Object I/O of [`S3Backend`]: GetObject with the ETag a later write is conditioned on,
//! and PutObject with SSE-KMS, metadata and an optional precondition (`If-Match` /
//! `If-None-Match`), whose failure is a state conflict rather than an AWS error.

use super::{call_failed, S3Backend};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use hubctl_core::state::StateError;

/// When a PutObject may replace what is stored.
#[derive(Debug)]
pub(super) enum Precondition {
    Always,
    /// Only when there is no object yet (`If-None-Match: *`).
    Absent,
    /// Only over the object with this ETag (`If-Match`).
    Unchanged(String),
}

impl S3Backend {
    pub(super) async fn get(
        &self,
        key: &str,
        version: Option<&str>,
    ) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.fetch(key, version).await?.map(|(bytes, _)| bytes))
    }

    /// An object's bytes and ETag (None when there is no such object).
    pub(super) async fn fetch(
        &self,
        key: &str,
        version: Option<&str>,
    ) -> Result<Option<(Vec<u8>, Option<String>)>, StateError> {
        let got = self
            .s3
            .get_object()
            .bucket(&self.settings.bucket)
            .key(key)
            .set_version_id(version.map(str::to_string))
            .send()
            .await;
        let out = match got {
            Ok(o) => o,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(call_failed("s3:GetObject", &self.url(key), e)),
        };
        let etag = out.e_tag().map(str::to_string);
        let body = out.body.collect().await.map_err(|e| StateError::Io {
            path: self.url(key),
            message: format!("s3:GetObject: reading the body failed: {e}"),
        })?;
        Ok(Some((body.into_bytes().to_vec(), etag)))
    }

    pub(super) async fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        meta: &[(&str, String)],
        only_if: Precondition,
    ) -> Result<(), StateError> {
        let sent = match only_if {
            Precondition::Always => Vec::new(),
            _ => body.clone(),
        };
        let mut req = self
            .s3
            .put_object()
            .bucket(&self.settings.bucket)
            .key(key)
            .content_type("application/octet-stream")
            .body(ByteStream::from(body));
        req = match &only_if {
            Precondition::Always => req,
            Precondition::Absent => req.if_none_match("*"),
            Precondition::Unchanged(etag) => req.if_match(etag),
        };
        if self.settings.encrypt {
            req = req
                .server_side_encryption(ServerSideEncryption::AwsKms)
                .set_ssekms_key_id(self.settings.kms_key_id.clone());
        }
        for (k, v) in meta {
            req = req.metadata(*k, v);
        }
        match req.send().await {
            Ok(_) => Ok(()),
            Err(e) if crate::error::is_precondition_failed(&e) => {
                // The SDK retries a put whose answer was lost; if the first attempt landed,
                // the retry's precondition fails on our own write: then it is done.
                if matches!(self.get(key, None).await, Ok(Some(now)) if now == sent) {
                    return Ok(());
                }
                Err(StateError::Conflict(format!(
                    "another process wrote {} between this run's read and its write \
                 (s3:PutObject precondition {only_if:?} failed); nothing was overwritten",
                    self.url(key)
                )))
            }
            Err(e) => Err(call_failed("s3:PutObject", &self.url(key), e)),
        }
    }
}
