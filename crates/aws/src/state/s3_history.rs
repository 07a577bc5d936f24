//! `history` for [`S3Backend`]: the versions S3 keeps of the state object.

use super::{call_failed, S3Backend, META_RESOURCES, META_SERIAL, META_WHO};
use hubctl_core::state::{Backend, StateError, StateVersion};

impl S3Backend {
    /// Versions of the state object, newest first, from ListObjectVersions and the
    /// metadata set on each put (HeadObject), so no version needs decrypting.
    pub(super) async fn versions(&self) -> Result<Vec<StateVersion>, StateError> {
        let key = &self.settings.key;
        let mut versions = Vec::new();
        let (mut key_marker, mut version_marker) = (None, None);
        loop {
            let out = self
                .s3
                .list_object_versions()
                .bucket(&self.settings.bucket)
                .prefix(key)
                .set_key_marker(key_marker)
                .set_version_id_marker(version_marker)
                .send()
                .await
                .map_err(|e| call_failed("s3:ListObjectVersions", &self.url(key), e))?;
            for v in out.versions().iter().filter(|v| v.key() == Some(key)) {
                let (Some(id), Some(modified)) = (v.version_id(), v.last_modified()) else {
                    continue;
                };
                versions.push((
                    id.to_string(),
                    modified
                        .fmt(aws_smithy_types::date_time::Format::DateTime)
                        .unwrap_or_default(),
                ));
            }
            if out.is_truncated() != Some(true) {
                break;
            }
            key_marker = out.next_key_marker().map(str::to_string);
            version_marker = out.next_version_id_marker().map(str::to_string);
        }
        versions.sort_by(|a, b| b.1.cmp(&a.1));
        let mut out = Vec::with_capacity(versions.len());
        for (version_id, modified) in versions {
            let head = self
                .s3
                .head_object()
                .bucket(&self.settings.bucket)
                .key(key)
                .version_id(&version_id)
                .send()
                .await
                .map_err(|e| call_failed("s3:HeadObject", &self.url(key), e))?;
            let meta = head.metadata();
            let get = |k: &str| meta.and_then(|m| m.get(k)).cloned();
            let (serial, resources) = match (get(META_SERIAL), get(META_RESOURCES)) {
                (Some(s), Some(r)) => (s.parse().unwrap_or(0), r.parse().unwrap_or(0)),
                // Written by something else: read it.
                _ => {
                    let s = self.load_version(&version_id).await?;
                    (s.serial, s.resources.len())
                }
            };
            out.push(StateVersion {
                version_id,
                modified,
                serial,
                who: get(META_WHO),
                resources,
            });
        }
        Ok(out)
    }
}
