//! Errors of every state backend. Each message names the state's location and says what to
//! do next, because these surface during incidents, when nobody wants to read source.

use super::lock::LockInfo;
use super::model::FORMAT_VERSION;
use std::fmt;

#[derive(Debug)]
pub enum StateError {
    /// Reading or writing the state's storage failed.
    Io {
        path: String,
        message: String,
    },
    /// The stored state (or journal, or lock) cannot be parsed.
    Corrupt {
        path: String,
        message: String,
    },
    /// A persist would overwrite a newer or unrelated state.
    Conflict(String),
    /// Another run holds the lock.
    Locked(LockInfo),
    /// An unlock named a lock ID that is not the one held (`held`: None when unlocked).
    LockMismatch {
        held: Option<LockInfo>,
    },
    /// The lock is held, but its info is not all there (written by another tool): refused,
    /// showing what could be read. `info` has empty strings for the missing fields.
    LockUnreadable {
        /// Where the lock lives (`DynamoDB table t (LockID b/k)`, a lock file).
        location: String,
        info: LockInfo,
        /// What is wrong ("missing Version, Created").
        problem: String,
    },
    /// This run's lease on the lock ran out and another run took it (`by`: the holder
    /// now, None when the lock has been released since): its writes are refused.
    LockLost {
        id: String,
        by: Option<LockInfo>,
    },
    /// The state was written in a format this hubctl does not know.
    UnsupportedVersion(u32),
    Other(String),
}

impl StateError {
    pub(crate) fn io(path: impl fmt::Display, err: std::io::Error) -> StateError {
        StateError::Io {
            path: path.to_string(),
            message: err.to_string(),
        }
    }
}

/// The lock's fields, one a line; fields another tool left out are skipped.
fn write_lock(f: &mut fmt::Formatter<'_>, info: &LockInfo) -> fmt::Result {
    let beat = info.heartbeat.clone().map(|b| match info.lease_seconds {
        Some(s) => format!("{b} (lease {s} s)"),
        None => b,
    });
    let rows = [
        ("ID", Some(info.id.clone())),
        ("Operation", Some(info.operation.clone())),
        ("Who", Some(info.who.clone())),
        ("Version", Some(info.version.clone())),
        ("Created", Some(info.created.clone())),
        ("Path", Some(info.path.clone())),
        ("Renewed", beat),
    ];
    for (name, value) in rows {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            writeln!(f, "  {:<10} {v}", format!("{name}:"))?;
        }
    }
    Ok(())
}

/// Who holds the lock now, for "taken over by ..." (`another run` when it is free).
pub(crate) fn holder_summary(by: Option<&LockInfo>) -> String {
    match by {
        Some(h) => format!(
            "{} ({}, {}) at {}",
            h.id,
            h.who,
            h.operation,
            h.heartbeat.as_deref().unwrap_or(&h.created)
        ),
        None => "another run, which has released it since".to_string(),
    }
}

/// A lock whose info is partly unreadable: what can be read, and how to release it.
fn write_unreadable(
    f: &mut fmt::Formatter<'_>,
    location: &str,
    info: &LockInfo,
    problem: &str,
) -> fmt::Result {
    writeln!(
        f,
        "The state is locked, but the lock info in {location} cannot be fully \
                 read ({problem}); another tool may have written it. hubctl will not take \
                 over or ignore a lock it cannot read. What can be read:"
    )?;
    write_lock(f, info)?;
    if info.id.is_empty() {
        write!(
            f,
            "The lock has no ID, so `hubctl force-unlock` cannot name it. If no \
                     run holds it, delete the lock in {location} by hand."
        )
    } else {
        write!(
            f,
            "Wait for that run to finish. If it is no longer running, release the \
                     lock with `hubctl force-unlock {}`.",
            info.id
        )
    }
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateError::Io { path, message } => write!(
                f,
                "Cannot read or write the state at {path}: {message}. Check that the path \
                 exists and is writable, then run the command again."
            ),
            StateError::Corrupt { path, message } => write!(
                f,
                "The state at {path} is not valid: {message}. hubctl will not overwrite it. \
                 Restore the previous version (the local backend keeps it as \
                 <state file>.backup) or repair the file by hand."
            ),
            StateError::Conflict(message) => write!(
                f,
                "Refusing to write the state: {message}. Another run may have changed it \
                 since it was read; run the command again to plan against the current state."
            ),
            StateError::Locked(info) => {
                writeln!(f, "The state is locked by another run:")?;
                write_lock(f, info)?;
                write!(
                    f,
                    "Wait for that run to finish. If it is no longer running (it crashed or \
                     was killed), release the lock with `hubctl force-unlock {}`.",
                    info.id
                )
            }
            StateError::LockMismatch { held: Some(info) } => {
                writeln!(
                    f,
                    "The lock ID given does not match the lock held on the state, so the \
                     lock was left in place. The lock held is:"
                )?;
                write_lock(f, info)?;
                write!(
                    f,
                    "To release it, pass its ID: `hubctl force-unlock {}`.",
                    info.id
                )
            }
            StateError::LockMismatch { held: None } => {
                write!(f, "The state is not locked, so there is nothing to unlock.")
            }
            StateError::LockUnreadable {
                location,
                info,
                problem,
            } => write_unreadable(f, location, info, problem),
            StateError::LockLost { id, by } => write!(
                f,
                "Lock lost: this run's lease on the state lock (ID {id}) was not renewed in \
                 time (the process was paused or cut off), and it was taken over by {}. \
                 To keep the state consistent this run writes nothing more; what it did \
                 since its last checkpoint is not recorded. Run the command again once the \
                 other run has finished (`hubctl plan` shows what is left).",
                holder_summary(by.as_ref())
            ),
            StateError::UnsupportedVersion(v) => write!(
                f,
                "The state is in format version {v}, but this hubctl ({}) reads format \
                 versions up to {FORMAT_VERSION}. It was probably written by a newer hubctl; \
                 upgrade hubctl to use it.",
                env!("CARGO_PKG_VERSION")
            ),
            StateError::Other(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for StateError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> LockInfo {
        LockInfo {
            id: "1f0c-lock".into(),
            operation: "apply".into(),
            who: "ops@build-7".into(),
            version: "0.1.0".into(),
            created: "2025-01-02T03:04:05Z".into(),
            path: ".hubctl/state.json".into(),
            heartbeat: None,
            lease_seconds: None,
            took_over: None,
        }
    }

    #[test]
    fn incomplete_lock_info_names_the_id_and_the_release_command_not_the_state_file() {
        let partial = LockInfo {
            version: String::new(),
            created: String::new(),
            path: String::new(),
            ..info()
        };
        let text = StateError::LockUnreadable {
            location: "DynamoDB table t (LockID b/k)".into(),
            info: partial,
            problem: "missing Version, Created, Path".into(),
        }
        .to_string();
        for needle in [
            "1f0c-lock",
            "ops@build-7",
            "apply",
            "missing Version",
            "hubctl force-unlock 1f0c-lock",
            "LockID b/k",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
        }
        assert!(
            !text.contains("backup") && !text.contains("Version:"),
            "{text}"
        );
    }

    #[test]
    fn lock_lost_names_the_new_holder_and_when() {
        let by = LockInfo {
            id: "new-holder".into(),
            heartbeat: Some("2025-01-02T03:05:00Z".into()),
            ..info()
        };
        let text = StateError::LockLost {
            id: "old".into(),
            by: Some(by),
        }
        .to_string();
        for needle in [
            "Lock lost",
            "ID old",
            "new-holder (ops@build-7, apply) at 2025-01-02T03:05:00Z",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
        }
    }

    #[test]
    fn locked_names_the_holder_and_the_force_unlock_command() {
        let text = StateError::Locked(info()).to_string();
        for needle in [
            "1f0c-lock",
            "apply",
            "ops@build-7",
            "2025-01-02T03:04:05Z",
            "hubctl force-unlock 1f0c-lock",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
        }
    }

    #[test]
    fn other_messages_name_the_path_and_the_remedy() {
        let corrupt = StateError::Corrupt {
            path: "s.json".into(),
            message: "expected value at line 3 column 5".into(),
        }
        .to_string();
        assert!(corrupt.contains("s.json") && corrupt.contains("line 3 column 5"));
        assert!(StateError::UnsupportedVersion(9)
            .to_string()
            .contains("format version 9"));
        let mismatch = StateError::LockMismatch { held: Some(info()) }.to_string();
        assert!(mismatch.contains("force-unlock 1f0c-lock"));
        assert!(StateError::LockMismatch { held: None }
            .to_string()
            .contains("not locked"));
    }
}
