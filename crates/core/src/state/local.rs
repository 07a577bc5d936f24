//! The local backend: a JSON snapshot, a checkpoint journal beside it, a lock file.
//!
//! Files, for a state at `s.json`: `s.json` (the snapshot), `s.json.journal` (ops since the
//! snapshot), `s.json.backup` (the snapshot before the last persist, as Terraform keeps
//! `terraform.tfstate.backup`), `s.json.tmp` (a snapshot being written) and `s.json.lock`.
//! A snapshot is replaced by rename, so a reader sees the old or the new one, never half.
//! File I/O runs on tokio's blocking pool so an fsync never stalls the engine's workers.

use super::backend::Backend;
use super::error::StateError;
use super::journal::{self, Base};
use super::lease::{env_lock_ttl, Lease};
use super::lock::{acquire_lock_file, release_lock_file, LockInfo};
use super::lock_lease::FileRenew;
use super::model::{State, StateOp};
use async_trait::async_trait;
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A state in a local file; see the module docs for the files beside it.
pub struct LocalBackend {
    path: PathBuf,
    /// How messages name the file: `path` unless [`LocalBackend::shown_as`] says otherwise.
    shown: PathBuf,
    /// The open journal and what we know of the snapshot. The mutex also orders checkpoints
    /// against `persist`, which must not lose an op appended mid-way.
    journal: Arc<Mutex<Slot>>,
    /// The lock file handle holding the OS lock while this backend holds the state lock.
    held: Arc<Mutex<Option<Arc<File>>>>,
    /// The lease on the lock file, renewed in the background; every write checks it.
    lease: Mutex<Option<Arc<Lease>>>,
}

impl LocalBackend {
    pub fn new(path: impl Into<PathBuf>) -> LocalBackend {
        let path = path.into();
        LocalBackend {
            shown: path.clone(),
            path,
            journal: Arc::new(Mutex::new(Slot::default())),
            held: Arc::new(Mutex::new(None)),
            lease: Mutex::new(None),
        }
    }

    /// Names the file `shown` in messages: the path as the user wrote it (relative to the
    /// `-chdir` directory) rather than the resolved one.
    pub fn shown_as(mut self, shown: impl Into<PathBuf>) -> LocalBackend {
        self.shown = shown.into();
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn journal_path(&self) -> PathBuf {
        sibling(&self.path, ".journal")
    }

    pub fn backup_path(&self) -> PathBuf {
        sibling(&self.path, ".backup")
    }

    pub fn lock_path(&self) -> PathBuf {
        sibling(&self.path, ".lock")
    }

    /// The fence before a state write: refused once this run's lease is lost.
    async fn fence(&self) -> Result<(), StateError> {
        let lease = self.lease.lock().unwrap_or_else(|p| p.into_inner()).clone();
        match lease {
            Some(l) => l.check().await,
            None => Ok(()),
        }
    }

    /// Runs `f` on the blocking pool with this backend's paths and journal handle.
    async fn blocking<T, F>(&self, f: F) -> Result<T, StateError>
    where
        T: Send + 'static,
        F: FnOnce(&Files, &mut Slot) -> Result<T, StateError> + Send + 'static,
    {
        let files = Files::new(&self.path);
        let journal = Arc::clone(&self.journal);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock leaves at worst a stale handle; the files
            // are the truth, so carry on.
            let mut slot = journal.lock().unwrap_or_else(|p| p.into_inner());
            f(&files, &mut slot)
        })
        .await
        .map_err(|e| StateError::Other(format!("a state file task failed: {e}")))?
    }
}

/// Per-backend journal state.
#[derive(Default)]
struct Slot {
    /// The journal opened for appending, kept across checkpoints.
    file: Option<File>,
    /// The current snapshot's base (`Some(None)`: no snapshot), once read or written, so
    /// opening a journal does not read the whole snapshot again.
    base: Option<Option<Base>>,
}

/// `s.json` + `suffix`: `s.json.journal`, not `s.journal`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

/// The paths one backend touches, owned so they can move to the blocking pool.
struct Files {
    snapshot: PathBuf,
    journal: PathBuf,
    backup: PathBuf,
    tmp: PathBuf,
    lock: PathBuf,
}

impl Files {
    fn new(path: &Path) -> Files {
        Files {
            snapshot: path.to_path_buf(),
            journal: sibling(path, ".journal"),
            backup: sibling(path, ".backup"),
            tmp: sibling(path, ".tmp"),
            lock: sibling(path, ".lock"),
        }
    }

    fn dir(&self) -> PathBuf {
        match self.snapshot.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    fn ensure_dir(&self) -> Result<(), StateError> {
        let dir = self.dir();
        fs::create_dir_all(&dir).map_err(|e| StateError::io(dir.display(), e))
    }

    /// Makes renames and removals in the directory durable.
    fn sync_dir(&self) -> Result<(), StateError> {
        let dir = self.dir();
        sync_dir(&dir).map_err(|e| StateError::io(dir.display(), e))
    }

    fn read_snapshot(&self) -> Result<Option<(Vec<u8>, State)>, StateError> {
        match read_optional(&self.snapshot)? {
            None => Ok(None),
            Some(bytes) => {
                let state = State::decode(&bytes, &self.snapshot.display().to_string())?;
                Ok(Some((bytes, state)))
            }
        }
    }

    fn read_journal(&self) -> Result<journal::Parsed, StateError> {
        match read_optional(&self.journal)? {
            None => Ok(journal::Parsed::default()),
            Some(bytes) => journal::parse(&bytes, &self.journal.display().to_string()),
        }
    }

    /// Opens the journal for appending on the snapshot `base`. A journal that is new or
    /// stale is restarted with a header; a live one has its torn tail cut off first, so new
    /// records never land after garbage (which would turn a harmless tail into damage).
    fn open_journal(&self, base: Option<Base>) -> Result<File, StateError> {
        let err = |e| StateError::io(self.journal.display(), e);
        self.ensure_dir()?;
        let bytes = read_optional(&self.journal)?.unwrap_or_default();
        let parsed = journal::parse(&bytes, &self.journal.display().to_string())?;
        if parsed.header.is_none() && parsed.ops.is_empty() || parsed.is_stale(base.as_ref()) {
            let mut file = File::create(&self.journal).map_err(err)?;
            file.write_all(&journal::encode_header(base)).map_err(err)?;
            file.sync_all().map_err(err)?;
            self.sync_dir()?;
            return Ok(file);
        }
        let torn_newline = parsed.valid_len > 0 && bytes[parsed.valid_len - 1] != b'\n';
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&self.journal)
            .map_err(err)?;
        let len = file.metadata().map_err(err)?.len();
        let valid = parsed.valid_len as u64;
        if valid < len {
            file.set_len(valid).map_err(err)?;
        }
        file.seek(SeekFrom::Start(valid)).map_err(err)?;
        if torn_newline {
            file.write_all(b"\n").map_err(err)?;
        }
        file.sync_data().map_err(err)?;
        Ok(file)
    }
}

fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, StateError> {
    match fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StateError::io(path.display(), e)),
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Writes `bytes` to `tmp`, fsyncs it and renames it over `dest`.
fn write_atomic(tmp: &Path, dest: &Path, bytes: &[u8]) -> Result<(), StateError> {
    let err = |e| StateError::io(tmp.display(), e);
    let mut file = File::create(tmp).map_err(err)?;
    file.write_all(bytes).map_err(err)?;
    file.sync_all().map_err(err)?;
    drop(file);
    fs::rename(tmp, dest).map_err(|e| StateError::io(dest.display(), e))
}

/// Why a persist must not replace `stored`, if it must not.
fn conflict(stored: &State, new: &State) -> Option<String> {
    if stored == new {
        return None;
    }
    if stored.lineage != new.lineage {
        return Some(format!(
            "the stored state has lineage {} but the state being written has lineage {}; \
             they are different states",
            stored.lineage, new.lineage
        ));
    }
    if stored.serial >= new.serial {
        return Some(format!(
            "the stored state has serial {} and the state being written has serial {}, \
             which is not newer",
            stored.serial, new.serial
        ));
    }
    None
}

#[async_trait]
impl Backend for LocalBackend {
    async fn load(&self) -> Result<Option<State>, StateError> {
        self.blocking(|files, slot| {
            let snapshot = files.read_snapshot()?.map(|(_, s)| s);
            let base = snapshot.as_ref().map(Base::of);
            slot.base = Some(base.clone());
            let replay = files.read_journal()?;
            if replay.ops.is_empty() || replay.is_stale(base.as_ref()) {
                return Ok(snapshot);
            }
            let mut state = snapshot.unwrap_or_default();
            for op in &replay.ops {
                state.apply_op(op);
            }
            // The recovered state differs from the stored one, so a persist of it as
            // loaded must count as newer.
            state.serial += 1;
            Ok(Some(state))
        })
        .await
    }

    async fn checkpoint(&self, ops: &[StateOp]) -> Result<(), StateError> {
        let line = journal::encode_batch(ops);
        if line.is_empty() {
            return Ok(());
        }
        self.fence().await?;
        self.blocking(move |files, slot| {
            if slot.file.is_none() {
                let base = match slot.base.clone() {
                    Some(base) => base,
                    None => files.read_snapshot()?.map(|(_, s)| Base::of(&s)),
                };
                slot.file = Some(files.open_journal(base.clone())?);
                slot.base = Some(base);
            }
            let Some(file) = slot.file.as_mut() else {
                return Err(StateError::Other("the journal is not open".into()));
            };
            let written = file.write_all(&line);
            if let Err(e) = written {
                // The tail may be torn now; reopening repairs it.
                slot.file = None;
                return Err(StateError::io(files.journal.display(), e));
            }
            Ok(())
        })
        .await
    }

    async fn sync(&self) -> Result<(), StateError> {
        self.blocking(move |files, slot| match slot.file.as_mut() {
            Some(file) => file
                .sync_data()
                .map_err(|e| StateError::io(files.journal.display(), e)),
            None => Ok(()),
        })
        .await
    }

    async fn persist(&self, state: &State) -> Result<(), StateError> {
        self.fence().await?;
        let state = state.clone();
        self.blocking(move |files, slot| {
            files.ensure_dir()?;
            let stored = files.read_snapshot()?;
            if let Some((_, old)) = &stored {
                if let Some(why) = conflict(old, &state) {
                    return Err(StateError::Conflict(format!(
                        "{} ({})",
                        why,
                        files.snapshot.display()
                    )));
                }
            }
            // From here the snapshot may change: forget the open journal and the cached
            // base, so a checkpoint after a failed persist finds out afresh.
            slot.file = None;
            slot.base = None;
            match &stored {
                Some((_, old)) if *old == state => {}
                _ => {
                    if let Some((old_bytes, _)) = &stored {
                        write_atomic(&sibling(&files.backup, ".tmp"), &files.backup, old_bytes)?;
                    }
                    write_atomic(&files.tmp, &files.snapshot, &state.encode())?;
                }
            }
            files.sync_dir()?;
            // The snapshot now holds everything the journal did.
            slot.base = Some(Some(Base::of(&state)));
            match fs::remove_file(&files.journal) {
                Ok(()) => files.sync_dir(),
                Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
                Err(e) => Err(StateError::io(files.journal.display(), e)),
            }
        })
        .await
    }

    async fn lock(&self, mut info: LockInfo) -> Result<LockInfo, StateError> {
        let ttl = env_lock_ttl().map_err(StateError::Other)?;
        info.lease_seconds = Some(ttl.as_secs().max(1));
        let held = Arc::clone(&self.held);
        let path = self.lock_path();
        let info = self
            .blocking(move |files, _| {
                let (info, file) = acquire_lock_file(&files.lock, info)?;
                let file = Arc::new(file);
                *held.lock().unwrap_or_else(|p| p.into_inner()) = Some(file.clone());
                Ok((info, file))
            })
            .await;
        let (info, file) = info?;
        let mut leased = info.clone();
        leased.took_over = None;
        let lease = Lease::start(leased, ttl, Box::new(FileRenew { path, file }));
        *self.lease.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(lease));
        Ok(info)
    }

    async fn unlock(&self, id: &str) -> Result<(), StateError> {
        let leased = super::lease::release(&self.lease, id)?;
        let id = id.to_string();
        let held = Arc::clone(&self.held);
        self.blocking(move |files, _| {
            let released = release_lock_file(&files.lock, &id);
            if released.is_ok() || leased {
                held.lock().unwrap_or_else(|p| p.into_inner()).take();
            }
            match released {
                // Taken over since the last renewal: ours no more.
                Err(StateError::LockMismatch { held }) if leased => {
                    Err(StateError::LockLost { id, by: held })
                }
                other => other,
            }
        })
        .await
    }

    async fn force_unlock(&self, id: &str) -> Result<(), StateError> {
        self.unlock(id).await
    }

    fn describe(&self) -> String {
        format!("local file {}", self.shown.display())
    }
}

#[cfg(test)]
#[path = "local_tests.rs"]
mod tests;
