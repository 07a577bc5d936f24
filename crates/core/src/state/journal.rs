//! The checkpoint journal: one line per `checkpoint` call, appended and fsynced, so the cost
//! of a checkpoint is the size of its ops, never the size of the state.
//!
//! A line holds one op object, or a JSON array when the batch has several ops; a batch is
//! thus all-or-nothing on replay. A crash mid-append can only damage the last line, which
//! was never acknowledged, so it is dropped; damage anywhere else means something other
//! than a crash touched the file, and is reported rather than guessed around.

use super::error::StateError;
use super::model::StateOp;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Record {
    One(StateOp),
    Batch(Vec<StateOp>),
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
    pub ops: Vec<StateOp>,
    /// Length of the prefix holding the complete records; bytes past it are a torn tail.
    pub valid_len: usize,
}

/// Parses a journal, dropping a torn last line. `origin` names the file for messages.
pub(crate) fn parse(bytes: &[u8], origin: &str) -> Result<Parsed, StateError> {
    let mut parsed = Parsed::default();
    let mut start = 0;
    let mut line_no = 0;
    while start < bytes.len() {
        line_no += 1;
        let (end, next) = match bytes[start..].iter().position(|&b| b == b'\n') {
            Some(i) => (start + i, start + i + 1),
            None => (bytes.len(), bytes.len()),
        };
        let line = &bytes[start..end];
        if !line.iter().all(u8::is_ascii_whitespace) {
            match serde_json::from_slice::<Record>(line) {
                Ok(Record::One(op)) => parsed.ops.push(op),
                Ok(Record::Batch(ops)) => parsed.ops.extend(ops),
                // The last line: a crash mid-append. Whatever follows it is ignored too.
                Err(_) if bytes[next..].iter().all(u8::is_ascii_whitespace) => break,
                Err(e) => {
                    return Err(StateError::Corrupt {
                        path: origin.to_string(),
                        message: format!(
                            "journal line {line_no} is damaged ({e}) and is followed by more \
                             records, so this is not a torn write from a crash"
                        ),
                    })
                }
            }
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
