//! The lease of a lock file: the file's mtime is the heartbeat, touched by the holder
//! through its open handle; `lease_seconds` in the file is the lease it promised. The OS
//! lock (`flock`) still frees the file the moment its holder dies; the lease covers a
//! holder that is alive but stuck (paused with SIGSTOP, hung on a dead mount).
//!
//! A takeover happens under an OS lock on `<lock file>.guard`, so two takers are
//! serialized: each checks, under the guard, that the file is still the stale one, and
//! replaces it by renaming a new, already locked file over it.

use super::error::StateError;
use super::lease::Renew;
use super::lock::{read_lock_file, LockInfo};
use async_trait::async_trait;
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

fn rfc3339(t: SystemTime) -> String {
    time::OffsetDateTime::from(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The holder of the lock file at `path` with its heartbeat (the file's mtime) filled in.
pub(crate) fn with_heartbeat(path: &Path, mut holder: LockInfo) -> LockInfo {
    if let Ok(m) = fs::metadata(path).and_then(|m| m.modified()) {
        holder.heartbeat = Some(rfc3339(m));
    }
    holder
}

/// Whether the lock file's holder let its lease run out (a lock without one never does).
pub(crate) fn is_stale(holder: &LockInfo) -> bool {
    holder.is_stale(time::OffsetDateTime::now_utc())
}

/// Replaces the stale lock `stale` (held, by its OS lock, by a process that stopped
/// renewing) with `info`; the new file is locked before it appears at `path`.
pub(crate) fn take_over(
    path: &Path,
    info: &LockInfo,
    stale: &LockInfo,
) -> Result<File, StateError> {
    let io = |p: &Path, e: std::io::Error| StateError::io(p.display(), e);
    let guard_path = suffixed(path, ".guard");
    let guard = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&guard_path)
        .map_err(|e| io(&guard_path, e))?;
    guard.lock().map_err(|e| io(&guard_path, e))?;
    // Under the guard: is it still the same stale lease?
    let now = read_lock_file(path)?.map(|h| with_heartbeat(path, h));
    match now {
        Some(h) if h.id == stale.id && is_stale(&h) => {}
        Some(h) => return Err(StateError::Locked(h)),
        None => {
            return Err(StateError::Other(format!(
                "the lock {} was released while it was being taken over; run the command \
                 again",
                path.display()
            )))
        }
    }
    let tmp = suffixed(path, &format!(".{}", info.id));
    let mut file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| io(&tmp, e))?;
    let written = file
        .try_lock()
        .map_err(|e| std::io::Error::other(e.to_string()))
        .and_then(|()| {
            // Infallible: LockInfo is plain strings.
            let body = serde_json::to_vec_pretty(info).expect("a LockInfo always serializes");
            file.write_all(&body)
        })
        .and_then(|()| file.sync_all())
        .and_then(|()| fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(io(path, e));
    }
    drop(guard);
    Ok(file)
}

/// Whether `file` is still the lock file at `path` (not replaced by a takeover).
pub(crate) fn still_ours(path: &Path, file: &File) -> bool {
    let at = fs::metadata(path).map(|m| (m.dev(), m.ino()));
    let ours = file.metadata().map(|m| (m.dev(), m.ino()));
    matches!((at, ours), (Ok(a), Ok(b)) if a == b)
}

/// Renews a lock file's lease: touches the holder's own file, after checking it is still
/// the one at `path`.
pub(crate) struct FileRenew {
    pub path: PathBuf,
    pub file: Arc<File>,
}

#[async_trait]
impl Renew for FileRenew {
    async fn renew(&self, held: &LockInfo) -> Result<(), StateError> {
        if !still_ours(&self.path, &self.file) {
            let by = read_lock_file(&self.path)
                .ok()
                .flatten()
                .map(|h| with_heartbeat(&self.path, h));
            return Err(StateError::LockLost {
                id: held.id.clone(),
                by,
            });
        }
        self.file
            .set_modified(SystemTime::now())
            .map_err(|e| StateError::io(self.path.display(), e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::lock::acquire_lock_file;

    #[test]
    fn a_stale_lease_is_taken_over_and_its_holder_finds_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json.lock");
        let mut first = LockInfo::new("apply", "s");
        first.lease_seconds = Some(1);
        let (first, held) = acquire_lock_file(&path, first).unwrap();
        let held = Arc::new(held);
        // Alive (its OS lock held) and fresh: refused, naming it with its heartbeat.
        match acquire_lock_file(&path, LockInfo::new("plan", "s")) {
            Err(StateError::Locked(h)) => {
                assert_eq!(h.id, first.id);
                assert!(h.heartbeat.is_some());
            }
            other => panic!("expected Locked, got {other:?}"),
        }
        // Not renewed for longer than its lease: taken over.
        let old = SystemTime::now() - std::time::Duration::from_secs(5);
        held.set_modified(old).unwrap();
        let (second, _new) = acquire_lock_file(&path, LockInfo::new("plan", "s")).unwrap();
        let stale = second.took_over.as_deref().expect("took over");
        assert_eq!(stale.id, first.id);
        let renew = FileRenew {
            path: path.clone(),
            file: held,
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        match rt.block_on(renew.renew(&first)) {
            Err(StateError::LockLost { by: Some(by), .. }) => assert_eq!(by.id, second.id),
            other => panic!("expected LockLost, got {other:?}"),
        }
    }
}
