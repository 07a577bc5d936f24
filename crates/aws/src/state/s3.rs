//! [`S3Backend`]: the state object at `bucket/key`, sealed client-side (and stored with
//! SSE-KMS too); checkpoints as small sealed journal objects
//! `<key>.journal/<lineage>/<seq>` — one PutObject per batch, never the whole state — which
//! `load` replays and `persist` deletes. Nothing is ever written to local disk: objects
//! are sealed and opened in memory.
//!
//! Each journal record names the snapshot it extends (lineage + serial), so records that
//! outlived their snapshot (a crash between a persist and the journal's removal) are
//! recognised as already folded in and not replayed.

use super::call_failed;
use super::clients::Clients;
use super::dynamodb_lock::DynamoLock;
use super::kms::KmsKeys;
use super::lockfile::S3Lockfile;
use super::settings::S3Settings;
use async_trait::async_trait;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use hubctl_core::state::backend::OpenedArtifact;
use hubctl_core::state::crypto::{self, Binding, KeyProvider};
use hubctl_core::state::lease::Lease;
use hubctl_core::state::{Backend, LockInfo, State, StateError, StateOp, StateVersion};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::Mutex;

/// The snapshot a journal record extends.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
struct Base {
    lineage: String,
    serial: u64,
}

impl Base {
    fn of(s: &State) -> Base {
        Base {
            lineage: s.lineage.clone(),
            serial: s.serial,
        }
    }
}

/// One checkpoint batch, as one journal object.
#[derive(Serialize, Deserialize)]
struct Record {
    base: Option<Base>,
    ops: Vec<StateOp>,
}

/// What this process knows about the stored snapshot and the journal.
#[derive(Default)]
struct Cursor {
    /// `Some(None)`: known to have no snapshot.
    base: Option<Option<Base>>,
    /// The next journal sequence number, once the journal was listed.
    next_seq: Option<u64>,
}

/// A state in S3; see the module docs.
pub struct S3Backend {
    settings: S3Settings,
    s3: aws_sdk_s3::Client,
    table: Option<DynamoLock>,
    lockfile: Option<S3Lockfile>,
    /// The configured key first, then the fallback; empty when `encrypt = false`.
    keys: Vec<Arc<dyn KeyProvider>>,
    /// For backends derived from this one (`rekey`).
    clients: Clients,
    cursor: Mutex<Cursor>,
    /// The lease this backend holds on the table lock, renewed in the background; every
    /// state write checks it first.
    lease: std::sync::Mutex<Option<Arc<Lease>>>,
}

/// Object metadata set on every snapshot, so `history` needs no decryption.
const META_SERIAL: &str = "hubctl-serial";
const META_WHO: &str = "hubctl-who";
const META_RESOURCES: &str = "hubctl-resources";

impl S3Backend {
    /// The backend over the block's clients, with KMS keys when encrypting.
    pub async fn connect(settings: S3Settings) -> S3Backend {
        let clients = Clients::new(&settings).await;
        S3Backend::connect_with(settings, &clients)
    }

    /// The backend over given clients (shared by tests and `hubctl init`).
    pub fn connect_with(settings: S3Settings, clients: &Clients) -> S3Backend {
        let keys: Vec<Arc<dyn KeyProvider>> = [&settings.kms_key_id, &settings.fallback_kms_key_id]
            .into_iter()
            .flatten()
            .map(|k| Arc::new(KmsKeys::new(clients.kms.clone(), k.clone())) as Arc<dyn KeyProvider>)
            .collect();
        S3Backend::with_keys(settings, clients, keys)
    }

    /// The backend with explicit key providers (tests, or keys from elsewhere).
    pub fn with_keys(
        settings: S3Settings,
        clients: &Clients,
        keys: Vec<Arc<dyn KeyProvider>>,
    ) -> S3Backend {
        if !settings.encrypt {
            tracing::warn!(
                "the state at {} is stored WITHOUT client-side encryption (encrypt = false)",
                settings.location()
            );
        }
        S3Backend {
            table: settings
                .dynamodb_table
                .as_ref()
                .map(|t| DynamoLock::new(clients.dynamodb.clone(), t, &settings.lock_id())),
            lockfile: settings
                .use_lockfile
                .then(|| S3Lockfile::new(clients.s3.clone(), &settings.bucket, &settings.key)),
            s3: clients.s3.clone(),
            keys,
            clients: clients.clone(),
            settings,
            cursor: Mutex::new(Cursor::default()),
            lease: std::sync::Mutex::new(None),
        }
    }

    pub fn settings(&self) -> &S3Settings {
        &self.settings
    }

    fn url(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.settings.bucket)
    }

    fn journal_prefix(&self) -> String {
        format!("{}.journal/", self.settings.key)
    }

    async fn seal(&self, plain: &[u8], key: &str, lineage: &str) -> Result<Vec<u8>, StateError> {
        self.seal_at(plain, &self.url(key), lineage).await
    }

    /// Seals `plain` bound to `location` (an object URL, or an artifact's binding).
    async fn seal_at(
        &self,
        plain: &[u8],
        location: &str,
        lineage: &str,
    ) -> Result<Vec<u8>, StateError> {
        if !self.settings.encrypt {
            return Ok(plain.to_vec());
        }
        let Some(provider) = self.keys.first() else {
            return Err(StateError::Other(format!(
                "no KMS key is configured to encrypt {location}; set kms_key_id"
            )));
        };
        let binding = Binding {
            location: location.to_string(),
            lineage: lineage.to_string(),
        };
        crypto::seal(plain, provider.as_ref(), &binding).await
    }

    /// The plaintext of an object and the lineage its envelope was bound to.
    async fn open(&self, bytes: &[u8], key: &str) -> Result<(Vec<u8>, Option<String>), StateError> {
        let location = self.url(key);
        if crypto::is_envelope(bytes) {
            let keys: Vec<&dyn KeyProvider> = self.keys.iter().map(|k| k.as_ref()).collect();
            let (plain, binding) = crypto::open(bytes, &keys, &location).await?;
            return Ok((plain, Some(binding.lineage)));
        }
        if self.settings.encrypt {
            return Err(StateError::Other(format!(
                "Refusing to read {location}: it is stored in plaintext, but the backend has \
                 encrypt = true, so hubctl only accepts sealed objects (a plaintext object \
                 may have been planted). To migrate a plaintext state, read it with \
                 encrypt = false (`hubctl state pull`) and push it with encryption on."
            )));
        }
        Ok((bytes.to_vec(), None))
    }

    /// Decodes a stored snapshot (sealed: the envelope's lineage must be the state's).
    async fn decode(&self, bytes: &[u8]) -> Result<State, StateError> {
        let location = self.settings.location();
        if crypto::is_envelope(bytes) {
            let keys: Vec<&dyn KeyProvider> = self.keys.iter().map(|k| k.as_ref()).collect();
            return crypto::open_state(bytes, &keys, &location).await;
        }
        let (plain, _) = self.open(bytes, &self.settings.key).await?;
        State::decode(&plain, &location)
    }

    /// The latest snapshot, with the ETag a write over it must match.
    async fn snapshot(&self) -> Result<Option<(Option<String>, State)>, StateError> {
        match self.fetch(&self.settings.key, None).await? {
            None => Ok(None),
            Some((bytes, etag)) => {
                let state = self.decode(&bytes).await?;
                Ok(Some((etag, state)))
            }
        }
    }

    /// Detects a stale read: the table's digest must match what S3 returned.
    async fn check_digest(&self, bytes: Option<&[u8]>) -> Result<(), StateError> {
        let Some(table) = &self.table else {
            return Ok(());
        };
        let Some(expected) = table.digest().await? else {
            return Ok(());
        };
        let got = bytes.map(|b| hex::encode(Md5::digest(b)));
        if got.as_deref() == Some(expected.as_str()) {
            return Ok(());
        }
        Err(StateError::Other(format!(
            "The state read from {} does not match the digest recorded in the DynamoDB table \
             {} (expected MD5 {expected}, got {}): S3 returned a stale copy, or the object \
             was changed outside hubctl. Wait a moment and run the command again; if this \
             persists, restore the right version (`hubctl state history`) or, if the object \
             is right, update the Digest of item {}-md5",
            self.settings.location(),
            self.settings.dynamodb_table.as_deref().unwrap_or_default(),
            got.as_deref().unwrap_or("no object"),
            self.settings.lock_id()
        )))
    }

    /// Journal object keys, in order.
    async fn journal_keys(&self) -> Result<Vec<String>, StateError> {
        let prefix = self.journal_prefix();
        let mut keys = Vec::new();
        let mut token = None;
        loop {
            let out = self
                .s3
                .list_objects_v2()
                .bucket(&self.settings.bucket)
                .prefix(&prefix)
                .set_continuation_token(token)
                .send()
                .await
                .map_err(|e| call_failed("s3:ListObjectsV2", &self.url(&prefix), e))?;
            keys.extend(
                out.contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_string)),
            );
            match out.next_continuation_token() {
                Some(t) => token = Some(t.to_string()),
                None => break,
            }
        }
        keys.sort_by_key(|k| (seq_of(k), k.clone()));
        Ok(keys)
    }

    async fn delete_all(&self, keys: &[String]) -> Result<(), StateError> {
        for chunk in keys.chunks(1000) {
            let ids = chunk
                .iter()
                .map(|k| ObjectIdentifier::builder().key(k).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| StateError::Other(e.to_string()))?;
            let delete = Delete::builder()
                .set_objects(Some(ids))
                .quiet(true)
                .build()
                .map_err(|e| StateError::Other(e.to_string()))?;
            let target = self.url(&self.journal_prefix());
            let out = self
                .s3
                .delete_objects()
                .bucket(&self.settings.bucket)
                .delete(delete)
                .send()
                .await
                .map_err(|e| call_failed("s3:DeleteObjects", &target, e))?;
            if let Some(err) = out.errors().first() {
                return Err(StateError::Other(format!(
                    "s3:DeleteObjects on {target} failed for {}: {}",
                    err.key().unwrap_or_default(),
                    err.message().unwrap_or_default()
                )));
            }
        }
        Ok(())
    }

    /// Fills in the cursor: the snapshot's base and the next journal number.
    async fn ready(&self, cursor: &mut Cursor) -> Result<(), StateError> {
        if cursor.base.is_none() {
            cursor.base = Some(self.snapshot().await?.map(|(_, s)| Base::of(&s)));
        }
        if cursor.next_seq.is_none() {
            let last = self
                .journal_keys()
                .await?
                .iter()
                .filter_map(|k| seq_of(k))
                .max();
            cursor.next_seq = Some(last.map_or(0, |s| s + 1));
        }
        Ok(())
    }
}

/// The sequence number at the end of a journal key.
fn seq_of(key: &str) -> Option<u64> {
    key.rsplit('/').next().and_then(|s| s.parse().ok())
}

/// Why a persist must not replace `stored`, if it must not.
fn conflict(stored: &State, new: &State) -> Option<String> {
    if stored == new {
        None
    } else if stored.lineage != new.lineage {
        Some(format!(
            "the stored state has lineage {} but the state being written has lineage {}; \
             they are different states",
            stored.lineage, new.lineage
        ))
    } else if stored.serial >= new.serial {
        Some(format!(
            "the stored state has serial {} and the state being written has serial {}, \
             which is not newer",
            stored.serial, new.serial
        ))
    } else {
        None
    }
}

#[async_trait]
impl Backend for S3Backend {
    async fn load(&self) -> Result<Option<State>, StateError> {
        let mut cursor = self.cursor.lock().await;
        let raw = self.get(&self.settings.key, None).await?;
        let snapshot = match &raw {
            Some(bytes) => Some(self.decode(bytes).await?),
            None => None,
        };
        self.check_digest(raw.as_deref()).await?;
        let base = snapshot.as_ref().map(Base::of);
        cursor.base = Some(base.clone());
        let keys = self.journal_keys().await?;
        cursor.next_seq = Some(
            keys.iter()
                .filter_map(|k| seq_of(k))
                .max()
                .map_or(0, |s| s + 1),
        );
        let mut replayed = snapshot.clone();
        let mut any = false;
        for key in &keys {
            let Some(bytes) = self.get(key, None).await? else {
                continue;
            };
            let (plain, _) = self.open(&bytes, key).await?;
            let record: Record =
                serde_json::from_slice(&plain).map_err(|e| StateError::Corrupt {
                    path: self.url(key),
                    message: format!("the journal record cannot be read: {e}"),
                })?;
            if record.base != base || record.ops.is_empty() {
                continue;
            }
            let state = replayed.get_or_insert_with(State::new);
            record.ops.iter().for_each(|op| state.apply_op(op));
            any = true;
        }
        if any {
            if let Some(s) = replayed.as_mut() {
                s.serial += 1;
            }
        }
        Ok(replayed)
    }

    async fn checkpoint(&self, ops: &[StateOp]) -> Result<(), StateError> {
        if ops.is_empty() {
            return Ok(());
        }
        let mut cursor = self.cursor.lock().await;
        self.ready(&mut cursor).await?;
        let base = cursor.base.clone().flatten();
        let seq = cursor.next_seq.unwrap_or(0);
        let lineage = base
            .as_ref()
            .map_or("none", |b| b.lineage.as_str())
            .to_string();
        let key = format!("{}{lineage}/{seq:020}", self.journal_prefix());
        let record = Record {
            base,
            ops: ops.to_vec(),
        };
        // Infallible: ops hold only strings, bools and JSON values.
        let plain = serde_json::to_vec(&record).expect("a journal record serializes");
        let body = self.seal(&plain, &key, &lineage).await?;
        self.fence().await?;
        // Each record is written once: a run that lost its lease (and its place in the
        // sequence) cannot replace another run's record.
        self.put_once(&key, body).await?;
        cursor.next_seq = Some(seq + 1);
        Ok(())
    }

    async fn persist(&self, state: &State) -> Result<(), StateError> {
        let mut cursor = self.cursor.lock().await;
        let stored = self.snapshot().await?;
        if let Some((_, old)) = &stored {
            if let Some(why) = conflict(old, state) {
                return Err(StateError::Conflict(format!(
                    "{why} ({})",
                    self.settings.location()
                )));
            }
        }
        cursor.base = None;
        if !matches!(&stored, Some((_, old)) if old == state) {
            let body = self
                .seal(&state.encode(), &self.settings.key, &state.lineage)
                .await?;
            let digest = hex::encode(Md5::digest(&body));
            let who = LockInfo::new("persist", "").who;
            let meta = [
                (META_SERIAL, state.serial.to_string()),
                (META_WHO, who),
                (META_RESOURCES, state.resources.len().to_string()),
            ];
            // Compare-and-swap: the object must still be the one checked above, so two
            // writers that both passed the check cannot both write (the lock should make
            // this impossible; this holds even when a run skipped or lost the lock).
            let only_if = match &stored {
                None => Precondition::Absent,
                Some((Some(etag), _)) => Precondition::Unchanged(etag.clone()),
                Some((None, _)) => Precondition::Always,
            };
            self.fence().await?;
            self.put(&self.settings.key, body, &meta, only_if).await?;
            if let Some(table) = &self.table {
                table.set_digest(&digest).await?;
            }
        }
        cursor.base = Some(Some(Base::of(state)));
        let journal = self.journal_keys().await?;
        self.delete_all(&journal).await
    }

    async fn lock(&self, info: LockInfo) -> Result<LockInfo, StateError> {
        self.lock_impl(info).await
    }

    async fn unlock(&self, id: &str) -> Result<(), StateError> {
        let leased = hubctl_core::state::lease::release(&self.lease, id)?;
        if let Some(table) = &self.table {
            match table.unlock(id).await {
                // Taken over since the last renewal: ours no more.
                Err(StateError::LockMismatch { held }) if leased => {
                    return Err(StateError::LockLost {
                        id: id.to_string(),
                        by: held,
                    })
                }
                other => other?,
            }
        }
        if let Some(file) = &self.lockfile {
            match file.unlock(id).await {
                // Released by the table already; the lock object was not there.
                Err(StateError::LockMismatch { held: None }) if self.table.is_some() => {}
                other => other?,
            }
        }
        Ok(())
    }

    async fn force_unlock(&self, id: &str) -> Result<(), StateError> {
        self.unlock(id).await
    }

    fn describe(&self) -> String {
        match &self.settings.dynamodb_table {
            Some(t) => format!("{} (lock table {t})", self.settings.location()),
            None => self.settings.location(),
        }
    }

    async fn history(&self) -> Result<Vec<StateVersion>, StateError> {
        self.versions().await
    }

    fn encrypts(&self) -> bool {
        self.settings.encrypt
    }

    async fn seal_artifact(
        &self,
        kind: &str,
        lineage: &str,
        plain: &[u8],
    ) -> Result<Option<Vec<u8>>, StateError> {
        self.seal_artifact_impl(kind, lineage, plain).await
    }

    async fn open_artifact(&self, kind: &str, sealed: &[u8]) -> Result<OpenedArtifact, StateError> {
        self.open_artifact_impl(kind, sealed).await
    }

    async fn rekey(&self, to_key: &str) -> Result<State, StateError> {
        self.rekey_impl(to_key).await
    }

    async fn restore_version(&self, version_id: &str) -> Result<State, StateError> {
        self.restore(version_id).await
    }

    async fn load_version(&self, version_id: &str) -> Result<State, StateError> {
        match self.get(&self.settings.key, Some(version_id)).await? {
            Some(bytes) => self.decode(&bytes).await,
            None => Err(StateError::Other(format!(
                "{} has no version {version_id}",
                self.settings.location()
            ))),
        }
    }
}

#[path = "s3_history.rs"]
mod history;
#[path = "s3_lease.rs"]
mod lease;
#[path = "s3_objects.rs"]
mod objects;
use objects::Precondition;
#[path = "s3_keys.rs"]
mod keys;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_keys_sort_by_sequence() {
        assert_eq!(seq_of("s.json.journal/lin/00000000000000000012"), Some(12));
        assert_eq!(seq_of("s.json.journal/lin/x"), None);
    }

    #[test]
    fn conflicts_follow_the_backend_contract() {
        let mut a = State::new();
        a.serial = 3;
        assert!(conflict(&a, &a).is_none());
        let mut b = a.clone();
        b.hubctl_version = "other".into();
        assert!(conflict(&a, &b).unwrap().contains("not newer"));
        b.serial = 4;
        assert!(conflict(&a, &b).is_none());
        let c = State::new();
        assert!(conflict(&a, &c).unwrap().contains("lineage"));
    }
}
