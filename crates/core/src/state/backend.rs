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
    /// Appends ops durably (one fsync for the batch) — called after EVERY resource
    /// operation, so it must cost O(batch), not O(state size). A batch is all-or-nothing.
    async fn checkpoint(&self, ops: &[StateOp]) -> Result<(), StateError>;
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
}
