//! State locks: who holds the state, and a lock file for backends on a filesystem.
//!
//! A lock file is created with `create_new`, which the OS makes atomic, so two runs can never
//! both believe they hold it. Releasing checks the ID first, so one run cannot free another's
//! lock by accident; `hubctl force-unlock ID` is the deliberate escape hatch after a crash.

use super::error::StateError;
use super::lock_lease as lease;
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
    /// RFC 3339: when the holder last renewed its lease (None: a lock without a lease,
    /// such as Terraform's, which only `force-unlock` releases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat: Option<String>,
    /// How long the lease lasts without a renewal, as the holder promised it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_seconds: Option<u64>,
    /// Set only on the info [`super::Backend::lock`] returns, when this run took over a
    /// stale lease: whose it was, so the run can say so.
    #[serde(skip)]
    pub took_over: Option<Box<LockInfo>>,
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
            heartbeat: None,
            lease_seconds: None,
            took_over: None,
        }
    }

    /// Info with every field empty, to fill in from what another tool wrote.
    pub fn blank() -> LockInfo {
        LockInfo {
            id: String::new(),
            operation: String::new(),
            who: String::new(),
            version: String::new(),
            created: String::new(),
            path: String::new(),
            heartbeat: None,
            lease_seconds: None,
            took_over: None,
        }
    }

    /// [`LockInfo::is_stale`] by this machine's clock now.
    pub fn is_stale_now(&self) -> bool {
        self.is_stale(time::OffsetDateTime::now_utc())
    }

    /// Whether the lease has gone unrenewed for longer than its holder promised (by this
    /// machine's clock), so another run may take it over. A lock without a lease never is.
    pub fn is_stale(&self, now: time::OffsetDateTime) -> bool {
        let (Some(beat), Some(secs)) = (self.heartbeat.as_deref(), self.lease_seconds) else {
            return false;
        };
        match time::OffsetDateTime::parse(beat, &time::format_description::well_known::Rfc3339) {
            Ok(t) => now - t > time::Duration::seconds(secs as i64),
            Err(_) => false,
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

/// The current time as RFC 3339 (what `Created` and heartbeats hold).
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Lock info read field by field, as another tool may have written it: `names` are the
/// JSON names of ID, Operation, Who, Version, Created and Path, in that order. Returns the
/// info (missing fields empty) and, when something is wrong, what (`LockUnreadable`'s
/// problem), so the holder's ID is shown whatever else is missing.
pub fn lock_info_from_json(text: &str, names: [&str; 6]) -> (LockInfo, Option<String>) {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return (
                LockInfo::blank(),
                Some(format!("its lock info is not JSON: {e}")),
            )
        }
    };
    let field = |name: &str| match value.get(name) {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let mut missing = Vec::new();
    let mut take = |name: &str| {
        field(name).unwrap_or_else(|| {
            missing.push(name.to_string());
            String::new()
        })
    };
    let [id, operation, who, version, created, path] = names.map(&mut take);
    let info = LockInfo {
        id,
        operation,
        who,
        version,
        created,
        path,
        ..LockInfo::blank()
    };
    let problem = (!missing.is_empty()).then(|| format!("missing {}", missing.join(", ")));
    (info, problem)
}

/// The JSON names of the local lock file's fields, for [`lock_info_from_json`].
const FILE_FIELDS: [&str; 6] = ["id", "operation", "who", "version", "created", "path"];

/// Reads the lock held at `path`, if any.
pub(crate) fn read_lock_file(path: &Path) -> Result<Option<LockInfo>, StateError> {
    match read_lock_file_partial(path)? {
        None => Ok(None),
        Some((info, None)) => Ok(Some(info)),
        Some((info, Some(problem))) => Err(StateError::LockUnreadable {
            location: format!("the lock file {}", path.display()),
            info,
            problem,
        }),
    }
}

/// The lock at `path` with whatever of it can be read, and what could not.
fn read_lock_file_partial(path: &Path) -> Result<Option<(LockInfo, Option<String>)>, StateError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StateError::io(path.display(), e)),
    };
    let text = String::from_utf8_lossy(&bytes);
    let (mut info, problem) = lock_info_from_json(&text, FILE_FIELDS);
    if problem.is_none() {
        if let Ok(full) = serde_json::from_str::<LockInfo>(&text) {
            info = full;
        }
    }
    Ok(Some((info, problem)))
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
                    let Some(holder) = read_lock_file(path)? else {
                        return Err(changed(path));
                    };
                    let holder = lease::with_heartbeat(path, holder);
                    if !lease::is_stale(&holder) {
                        return Err(StateError::Locked(holder));
                    }
                    // Alive but not renewing (paused, hung): its lease ran out.
                    let file = lease::take_over(path, &info, &holder)?;
                    let mut info = info;
                    info.took_over = Some(Box::new(holder));
                    return Ok((info, file));
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

/// Removes the lock file if it holds `id`; `LockMismatch` otherwise (the lock stays). A
/// lock file another tool wrote with only some fields is released by the ID it has.
pub(crate) fn release_lock_file(path: &Path, id: &str) -> Result<(), StateError> {
    match read_lock_file_partial(path)?.map(|(info, _)| info) {
        Some(held) if held.id == id && !id.is_empty() => match fs::remove_file(path) {
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
            Err(StateError::Locked(holder)) => {
                assert!(
                    holder.heartbeat.is_some(),
                    "the file's mtime is its heartbeat"
                );
                assert_eq!(
                    LockInfo {
                        heartbeat: None,
                        ..holder
                    },
                    first
                );
            }
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
    fn unreadable_lock_file_is_refused_naming_the_file_and_never_the_state_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json.lock");
        fs::write(&path, b"{").unwrap();
        // Held by a live holder (an OS lock on the file): its content is reported.
        let holder = fs::File::open(&path).unwrap();
        holder.lock().unwrap();
        let err = acquire_lock_file(&path, LockInfo::new("apply", "s")).unwrap_err();
        assert!(
            matches!(&err, StateError::LockUnreadable { location, .. } if location.ends_with("s.json.lock")),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("by hand") && !text.contains("backup"),
            "{text}"
        );
    }

    #[test]
    fn a_lock_file_with_some_fields_shows_them_and_is_released_by_its_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json.lock");
        fs::write(
            &path,
            br#"{"id":"other-tool-7","operation":"apply","who":"bot@ci"}"#,
        )
        .unwrap();
        let holder = fs::File::open(&path).unwrap();
        holder.lock().unwrap();
        let err = acquire_lock_file(&path, LockInfo::new("apply", "s")).unwrap_err();
        let text = err.to_string();
        for needle in [
            "other-tool-7",
            "bot@ci",
            "missing version, created, path",
            "hubctl force-unlock other-tool-7",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
        }
        assert!(!text.contains("backup"), "{text}");
        assert!(matches!(
            release_lock_file(&path, "wrong"),
            Err(StateError::LockMismatch { held: Some(h) }) if h.id == "other-tool-7"
        ));
        release_lock_file(&path, "other-tool-7").unwrap();
        assert!(!path.exists());
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
