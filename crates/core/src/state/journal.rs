//! The checkpoint journal: one line per `checkpoint` call, appended and fsynced, so the cost
//! of a checkpoint is the size of its ops, never the size of the state.
//!
//! A line holds one op object, or a JSON array when the batch has several ops; a batch is
//! thus all-or-nothing on replay. A crash mid-append can only damage the last line, which
//! was never acknowledged, so it is dropped; damage anywhere else means something other
//! than a crash touched the file, and is reported rather than guessed around. The first
//! line names the snapshot the journal extends (see [`Base`]).

use super::error::StateError;
use super::model::{State, StateOp};
use serde::{Deserialize, Serialize};

/// The snapshot a journal was started on. Written as the journal's first line, so a journal
/// that outlived its snapshot (a crash between a persist's rename and the journal's removal)
/// is recognised as already folded in and not replayed again.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Base {
    pub lineage: String,
    pub serial: u64,
}

impl Base {
    pub fn of(state: &State) -> Base {
        Base {
            lineage: state.lineage.clone(),
            serial: state.serial,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Header {
    /// None: the journal was started before any snapshot existed.
    base: Option<Base>,
}

enum Record {
    Header(Header),
    Ops(Vec<StateOp>),
}

fn parse_line(line: &[u8]) -> Result<Record, serde_json::Error> {
    let value: serde_json::Value = serde_json::from_slice(line)?;
    if value.is_array() {
        return serde_json::from_value(value).map(Record::Ops);
    }
    if value.get("base").is_some() && value.get("op").is_none() {
        return serde_json::from_value(value).map(Record::Header);
    }
    serde_json::from_value(value).map(|op| Record::Ops(vec![op]))
}

/// The first line of a new journal.
pub(crate) fn encode_header(base: Option<Base>) -> Vec<u8> {
    // Infallible: plain strings and numbers.
    let mut line = serde_json::to_vec(&Header { base }).expect("a journal header serializes");
    line.push(b'\n');
    line
}

/// Encodes one batch as a single newline-terminated line (empty for an empty batch).
pub(crate) fn encode_batch(ops: &[StateOp]) -> Vec<u8> {
    // Infallible: ops hold only strings, bools and JSON values.
    let mut line = match ops {
        [] => return Vec::new(),
        [op] => serde_json::to_vec(op),
        ops => serde_json::to_vec(ops),
    }
    .expect("state ops always serialize");
    line.push(b'\n');
    line
}

/// The replayable content of a journal.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Parsed {
    /// The snapshot it was started on; None when it has no header (empty, or torn at once).
    pub header: Option<Option<Base>>,
    pub ops: Vec<StateOp>,
    /// Length of the prefix holding the complete records; bytes past it are a torn tail.
    pub valid_len: usize,
}

impl Parsed {
    /// Whether the ops were started on another snapshot than `current`, so they are
    /// already part of it (or unrelated to it) and must not be replayed.
    pub fn is_stale(&self, current: Option<&Base>) -> bool {
        matches!(&self.header, Some(base) if base.as_ref() != current)
    }
}

fn damaged(origin: &str, line_no: usize, why: impl std::fmt::Display) -> StateError {
    StateError::Corrupt {
        path: origin.to_string(),
        message: format!("journal line {line_no} is damaged: {why}"),
    }
}

/// Parses a journal, dropping a torn last line. `origin` names the file for messages.
pub(crate) fn parse(bytes: &[u8], origin: &str) -> Result<Parsed, StateError> {
    let mut parsed = Parsed::default();
    let mut start = 0;
    let mut line_no = 0;
    let mut records = 0;
    while start < bytes.len() {
        line_no += 1;
        let (end, next) = match bytes[start..].iter().position(|&b| b == b'\n') {
            Some(i) => (start + i, start + i + 1),
            None => (bytes.len(), bytes.len()),
        };
        let line = &bytes[start..end];
        if !line.iter().all(u8::is_ascii_whitespace) {
            match parse_line(line) {
                Ok(Record::Header(h)) if records == 0 => parsed.header = Some(h.base),
                Ok(Record::Header(_)) => {
                    return Err(damaged(origin, line_no, "a header after the first record"))
                }
                Ok(Record::Ops(ops)) => parsed.ops.extend(ops),
                // The last line: a crash mid-append. Whatever follows it is ignored too.
                Err(_) if bytes[next..].iter().all(u8::is_ascii_whitespace) => break,
                Err(e) => {
                    return Err(damaged(
                        origin,
                        line_no,
                        format!(
                            "{e}; more records follow it, so this is not a write torn by a \
                             crash"
                        ),
                    ))
                }
            }
            records += 1;
        }
        start = next;
        parsed.valid_len = next;
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rm(a: &str) -> StateOp {
        StateOp::RemoveInstance { address: a.into() }
    }

    #[test]
    fn batches_replay_in_order() {
        let mut bytes = encode_batch(&[rm("a")]);
        bytes.extend(encode_batch(&[rm("b"), rm("c")]));
        bytes.extend(encode_batch(&[]));
        let parsed = parse(&bytes, "j").unwrap();
        assert_eq!(parsed.ops, vec![rm("a"), rm("b"), rm("c")]);
        assert_eq!(parsed.valid_len, bytes.len());
    }

    #[test]
    fn torn_tail_is_dropped() {
        let mut bytes = encode_batch(&[rm("a")]);
        let good = bytes.len();
        let second = encode_batch(&[rm("b"), rm("c")]);
        bytes.extend(&second[..second.len() / 2]);
        let parsed = parse(&bytes, "j").unwrap();
        assert_eq!(parsed.ops, vec![rm("a")]);
        assert_eq!(parsed.valid_len, good);
        // Zeros left by a filesystem after power loss count as torn as well.
        bytes.truncate(good);
        bytes.extend([0u8; 16]);
        assert_eq!(parse(&bytes, "j").unwrap().valid_len, good);
    }

    #[test]
    fn complete_last_record_without_newline_is_kept() {
        let mut bytes = encode_batch(&[rm("a")]);
        bytes.pop();
        let parsed = parse(&bytes, "j").unwrap();
        assert_eq!(parsed.ops, vec![rm("a")]);
        assert_eq!(parsed.valid_len, bytes.len());
    }

    #[test]
    fn header_names_the_base_and_marks_stale_journals() {
        let base = Base {
            lineage: "l".into(),
            serial: 4,
        };
        let mut bytes = encode_header(Some(base.clone()));
        bytes.extend(encode_batch(&[rm("a")]));
        let parsed = parse(&bytes, "j").unwrap();
        assert_eq!(parsed.header, Some(Some(base.clone())));
        assert_eq!(parsed.ops, vec![rm("a")]);
        assert!(!parsed.is_stale(Some(&base)));
        let newer = Base { serial: 5, ..base };
        assert!(parsed.is_stale(Some(&newer)));
        assert!(parsed.is_stale(None));
        let headerless = parse(&encode_batch(&[rm("a")]), "j").unwrap();
        assert!(!headerless.is_stale(Some(&newer)));
        let started_empty = parse(&encode_header(None), "j").unwrap();
        assert!(started_empty.is_stale(Some(&newer)) && !started_empty.is_stale(None));
    }

    #[test]
    fn header_after_records_is_corrupt() {
        let mut bytes = encode_batch(&[rm("a")]);
        bytes.extend(encode_header(None));
        bytes.extend(encode_batch(&[rm("b")]));
        assert!(matches!(
            parse(&bytes, "j"),
            Err(StateError::Corrupt { .. })
        ));
    }

    #[test]
    fn damage_in_the_middle_is_corrupt() {
        let mut bytes = encode_batch(&[rm("a")]);
        bytes.extend(b"{\"op\": \"bogus\"}\n");
        bytes.extend(encode_batch(&[rm("b")]));
        match parse(&bytes, "s.json.journal") {
            Err(StateError::Corrupt { path, message }) => {
                assert_eq!(path, "s.json.journal");
                assert!(message.contains("line 2"), "{message}");
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }
}
