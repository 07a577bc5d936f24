//! The backend contract: where a state lives, how it is checkpointed, and who may write it.
//!
//! Two write paths with different costs: `checkpoint` appends ops after every resource
//! operation (O(batch), so a 10,000-resource apply stays linear), and `persist` writes a whole
//! snapshot at the end of a run (or every so often) and folds the journal into it. Every
//! implementation must pass [`super::conformance::backend_suite`].

use super::model::{State, StateOp};
use async_trait::async_trait;

pub use super::error::StateError;
pub use super::lock::LockInfo;

#[async_trait]
pub trait Backend: Send + Sync {
    /// The current state (None when there is none yet). Recovers: a journal left by a
    /// crashed run is replayed on top of the last snapshot, so nothing checkpointed is lost;
    /// the serial of a recovered state is one more than the snapshot's.
    async fn load(&self) -> Result<Option<State>, StateError>;
    /// Appends ops — called after EVERY resource operation, so it must cost O(batch), not
    /// O(state size). A batch is all-or-nothing. When it returns, the ops must survive the
    /// death of this process (for a file: written to the OS); surviving a machine crash is
    /// what [`Backend::sync`] adds, which the writer calls at least every 100 ms and at the
    /// end. An fsync per operation would make a 10,000-resource chain wait for 20,000 disk
    /// flushes.
    async fn checkpoint(&self, ops: &[StateOp]) -> Result<(), StateError>;
    /// Makes everything checkpointed so far durable against a machine crash.
    async fn sync(&self) -> Result<(), StateError> {
        Ok(())
    }
    /// Writes a full snapshot atomically and then clears the journal. Refuses
    /// (`StateError::Conflict`) when the stored state has another lineage or a serial >=
    /// `state.serial`, unless it is the very same content: the caller bumps the serial
    /// before persisting. A refused persist leaves the stored state untouched.
    async fn persist(&self, state: &State) -> Result<(), StateError>;
    /// Takes the lock; `StateError::Locked(holder)` if another run holds it.
    async fn lock(&self, info: LockInfo) -> Result<LockInfo, StateError>;
    /// Releases the lock only if `id` is the held lock's ID, else `StateError::LockMismatch`.
    async fn unlock(&self, id: &str) -> Result<(), StateError>;
    /// The same ID check as `unlock`, for `hubctl force-unlock ID` after a crashed run.
    async fn force_unlock(&self, id: &str) -> Result<(), StateError>;
    /// Where the state lives, for messages ("local file .hubctl/state.json").
    fn describe(&self) -> String;

    /// Stored versions of the state, newest first (S3 object versions). Backends without
    /// history return an empty list.
    async fn history(&self) -> Result<Vec<StateVersion>, StateError> {
        Ok(Vec::new())
    }

    /// The state as stored in one version from [`Backend::history`].
    async fn load_version(&self, version_id: &str) -> Result<State, StateError> {
        Err(StateError::Other(format!(
            "{} keeps no history, so version {version_id} cannot be read",
            self.describe()
        )))
    }

    /// Makes version `version_id`'s content the current state, as a new serial above every
    /// stored one, without reading the current object (which may be corrupt: this is how a
    /// disaster-recovery rebuild gets back to the last good version). The caller holds the
    /// lock.
    async fn restore_version(&self, version_id: &str) -> Result<State, StateError> {
        Err(StateError::Other(format!(
            "{} keeps no history, so version {version_id} cannot be restored",
            self.describe()
        )))
    }

    /// Whether state (and so saved plans) is encrypted client-side here: an encrypting
    /// backend accepts only sealed plan files.
    fn encrypts(&self) -> bool {
        false
    }

    /// Seals another artifact that carries state values (a saved plan, `kind` = "plan")
    /// the way this backend seals its state, bound to `kind`, this state's location and
    /// `lineage`. `None`: this backend stores state in plaintext, so the artifact stays
    /// plaintext too (as in Terraform).
    async fn seal_artifact(
        &self,
        kind: &str,
        lineage: &str,
        plain: &[u8],
    ) -> Result<Option<Vec<u8>>, StateError> {
        let _ = (kind, lineage, plain);
        Ok(None)
    }

    /// Opens what [`Backend::seal_artifact`] sealed (refusing one sealed for another
    /// kind or state).
    async fn open_artifact(&self, kind: &str, sealed: &[u8]) -> Result<OpenedArtifact, StateError> {
        let _ = sealed;
        Err(StateError::Other(format!(
            "the {kind} is encrypted, but {} does not encrypt, so it cannot be opened; \
             use the backend the {kind} was made with",
            self.describe()
        )))
    }

    /// Re-encrypts the current state under another key (`to_key`) as a new serial, after
    /// checking it opens with that key alone; returns the state written.
    async fn rekey(&self, to_key: &str) -> Result<State, StateError> {
        let _ = to_key;
        Err(StateError::Other(format!(
            "{} does not encrypt the state, so there is no key to change",
            self.describe()
        )))
    }
}

/// What an [`Backend::open_artifact`] returns: the plaintext and the lineage it was sealed for.
pub type OpenedArtifact = (Vec<u8>, String);

/// One stored version of a state, for `hubctl state history`.
#[derive(Debug, Clone, PartialEq)]
pub struct StateVersion {
    pub version_id: String,
    /// RFC 3339.
    pub modified: String,
    pub serial: u64,
    /// `user@host` of the writer, when recorded.
    pub who: Option<String>,
    pub resources: usize,
    /// Why this version cannot be read (corrupt, or sealed with a key hubctl cannot use);
    /// `serial` and `resources` are then 0. Listed anyway: a disaster-recovery check must
    /// show it, and find the last good version behind it.
    pub unreadable: Option<String>,
}
