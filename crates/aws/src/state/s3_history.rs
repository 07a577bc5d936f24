//! `history` and `restore_version` for [`S3Backend`]: the versions S3 keeps of the state
//! object, and making an old one current again.

use super::objects::Precondition;
use super::{call_failed, Base, S3Backend, META_RESOURCES, META_SERIAL, META_WHO};
use hubctl_core::state::{Backend, LockInfo, State, StateError, StateVersion};
use md5::{Digest, Md5};

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
            let (mut serial, mut resources, mut unreadable) = (0, 0, None);
            match (get(META_SERIAL), get(META_RESOURCES)) {
                (Some(s), Some(r)) => {
                    (serial, resources) = (s.parse().unwrap_or(0), r.parse().unwrap_or(0))
                }
                // Written by something else: read it (it may be what broke the state).
                _ => match self.load_version(&version_id).await {
                    Ok(s) => (serial, resources) = (s.serial, s.resources.len()),
                    Err(e) => unreadable = Some(e.to_string()),
                },
            }
            out.push(StateVersion {
                version_id,
                modified,
                serial,
                who: get(META_WHO),
                resources,
                unreadable,
            });
        }
        Ok(out)
    }
}

impl S3Backend {
    /// [`Backend::restore_version`]: the version is opened (so a bad one is refused before
    /// anything is written), sealed again as a serial above every stored one, and written
    /// over whatever object is current now, conditioned on that object's ETag.
    pub(super) async fn restore(&self, version_id: &str) -> Result<State, StateError> {
        let mut cursor = self.cursor.lock().await;
        let mut state = self.load_version(version_id).await?;
        let newest = self.versions().await?.iter().map(|v| v.serial).max();
        state.serial = state.serial.max(newest.unwrap_or(0)) + 1;
        let key = &self.settings.key;
        let only_if = match self.fetch(key, None).await? {
            None => Precondition::Absent,
            Some((_, Some(etag))) => Precondition::Unchanged(etag),
            Some((_, None)) => Precondition::Always,
        };
        let body = self.seal(&state.encode(), key, &state.lineage).await?;
        let digest = hex::encode(Md5::digest(&body));
        let meta = [
            (META_SERIAL, state.serial.to_string()),
            (META_WHO, LockInfo::new("restore", "").who),
            (META_RESOURCES, state.resources.len().to_string()),
        ];
        self.fence().await?;
        self.put(key, body, &meta, only_if).await?;
        if let Some(table) = &self.table {
            table.set_digest(&digest).await?;
        }
        cursor.base = Some(Some(Base::of(&state)));
        Ok(state)
    }
}
