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

fn write_lock(f: &mut fmt::Formatter<'_>, info: &LockInfo) -> fmt::Result {
    writeln!(f, "  ID:        {}", info.id)?;
    writeln!(f, "  Operation: {}", info.operation)?;
    writeln!(f, "  Who:       {}", info.who)?;
    writeln!(f, "  Version:   {}", info.version)?;
    writeln!(f, "  Created:   {}", info.created)?;
    writeln!(f, "  Path:      {}", info.path)
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
