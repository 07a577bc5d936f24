//! State locks: who holds the state, and a lock file for backends on a filesystem.
//!
//! A lock file is created with `create_new`, which the OS makes atomic, so two runs can never
//! both believe they hold it. Releasing checks the ID first, so one run cannot free another's
//! lock by accident; `hubctl force-unlock ID` is the deliberate escape hatch after a crash.

use super::error::StateError;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::{ErrorKind, Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Who holds a lock and why; shown to the run that is refused.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct LockInfo {
    pub id: String,
    pub operation: String,
    /// `user@host`.
    pub who: String,
    /// The hubctl version of the holder.
    pub version: String,
    /// RFC 3339.
    pub created: String,
    /// The state location that is locked.
    pub path: String,
}

impl LockInfo {
    /// A new lock request with a fresh ID, this user and host, and the current time.
    pub fn new(operation: &str, path: &str) -> LockInfo {
        LockInfo {
            id: uuid::Uuid::new_v4().to_string(),
            operation: operation.to_string(),
            who: format!("{}@{}", user_name(), host_name()),
            version: env!("CARGO_PKG_VERSION").to_string(),
            created: now_rfc3339(),
            path: path.to_string(),
        }
    }
}

fn user_name() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}

fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Reads the lock held at `path`, if any.
pub(crate) fn read_lock_file(path: &Path) -> Result<Option<LockInfo>, StateError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StateError::io(path.display(), e)),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| StateError::Corrupt {
            path: path.display().to_string(),
            message: format!(
                "the lock file cannot be read ({e}); if no other hubctl run is in \
                 progress, delete the file"
            ),
        })
}

/// Takes the lock at `path`: the file holds the [`LockInfo`], and the returned handle holds
/// an OS lock (`flock`) on it for as long as the run lives. The OS drops that lock when the
/// process dies, however it dies, so a lock file whose OS lock is free was left by a killed
/// run: it is taken over (as Terraform's local backend recovers), not reported as held.
pub(crate) fn acquire_lock_file(
    path: &Path,
    info: LockInfo,
) -> Result<(LockInfo, fs::File), StateError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| StateError::io(dir.display(), e))?;
    }
    let io = |e: std::io::Error| StateError::io(path.display(), e);
    let mut file = match fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(f) => {
            f.try_lock().map_err(|e| {
                StateError::io(path.display(), std::io::Error::other(e.to_string()))
            })?;
            f
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            let f = match fs::OpenOptions::new().read(true).write(true).open(path) {
                Ok(f) => f,
                Err(e) if e.kind() == ErrorKind::NotFound => return Err(changed(path)),
                Err(e) => return Err(io(e)),
            };
            match f.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    return match read_lock_file(path)? {
                        Some(holder) => Err(StateError::Locked(holder)),
                        None => Err(changed(path)),
                    };
                }
                Err(fs::TryLockError::Error(e)) => return Err(io(e)),
            }
            // We hold the OS lock on this file; make sure it is still the file at `path`
            // (the holder may have released and removed it meanwhile), and that its
            // creator had finished writing it (creators lock before they write).
            let same =
                fs::metadata(path).ok().map(|m| m.ino()) == f.metadata().ok().map(|m| m.ino());
            if !same || f.metadata().map(|m| m.len() == 0).unwrap_or(true) {
                return Err(changed(path));
            }
            if let Some(stale) = read_lock_file(path)? {
                tracing::warn!(
                    "taking over the lock {} left by a run that is gone ({} by {})",
                    stale.id,
                    stale.operation,
                    stale.who
                );
            }
            f.set_len(0).map_err(io)?;
            f
        }
        Err(e) => return Err(io(e)),
    };
    // Infallible: LockInfo is plain strings.
    let body = serde_json::to_vec_pretty(&info).expect("a LockInfo always serializes");
    let written = file
        .seek(std::io::SeekFrom::Start(0))
        .and_then(|_| file.write_all(&body))
        .and_then(|()| file.sync_all());
    if let Err(e) = written {
        // Do not leave an empty lock behind that nobody can release by ID.
        let _ = fs::remove_file(path);
        return Err(io(e));
    }
    Ok((info, file))
}

fn changed(path: &Path) -> StateError {
    StateError::Other(format!(
        "the lock {} changed while it was being taken; run the command again",
        path.display()
    ))
}

/// Removes the lock file if it holds `id`; `LockMismatch` otherwise (the lock stays).
pub(crate) fn release_lock_file(path: &Path, id: &str) -> Result<(), StateError> {
    match read_lock_file(path)? {
        Some(held) if held.id == id => match fs::remove_file(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StateError::io(path.display(), e)),
        },
        held => Err(StateError::LockMismatch { held }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_fills_every_field() {
        let info = LockInfo::new("apply", "s.json");
        assert_eq!(info.id.len(), 36);
        assert!(info.who.contains('@'));
        assert!(info.created.contains('T'), "{}", info.created);
        assert!(time::OffsetDateTime::parse(
            &info.created,
            &time::format_description::well_known::Rfc3339
        )
        .is_ok());
        assert_ne!(info.id, LockInfo::new("apply", "s.json").id);
    }

    #[test]
    fn lock_file_lifecycle() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/s.json.lock");
        let (first, _held) = acquire_lock_file(&path, LockInfo::new("apply", "s")).unwrap();
        match acquire_lock_file(&path, LockInfo::new("plan", "s")) {
            Err(StateError::Locked(holder)) => assert_eq!(holder, first),
            other => panic!("expected Locked, got {other:?}"),
        }
        assert!(matches!(
            release_lock_file(&path, "nope"),
            Err(StateError::LockMismatch { held: Some(_) })
        ));
        release_lock_file(&path, &first.id).unwrap();
        assert!(!path.exists());
        assert!(matches!(
            release_lock_file(&path, &first.id),
            Err(StateError::LockMismatch { held: None })
        ));
    }

    #[test]
    fn unreadable_lock_file_is_corrupt_and_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json.lock");
        fs::write(&path, b"{").unwrap();
        // Held by a live holder (an OS lock on the file): its content is reported.
        let holder = fs::File::open(&path).unwrap();
        holder.lock().unwrap();
        match acquire_lock_file(&path, LockInfo::new("apply", "s")) {
            Err(StateError::Corrupt { path: p, message }) => {
                assert!(p.ends_with("s.json.lock"));
                assert!(message.contains("delete the file"));
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    #[test]
    fn a_lock_whose_holder_is_gone_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json.lock");
        let (first, held) = acquire_lock_file(&path, LockInfo::new("apply", "s")).unwrap();
        drop(held); // what the OS does when the holding process dies
        let (second, _held) = acquire_lock_file(&path, LockInfo::new("plan", "s")).unwrap();
        assert_ne!(first.id, second.id);
        assert_eq!(read_lock_file(&path).unwrap(), Some(second));
    }
}
