//! Encodings beyond JSON and YAML: `csvdecode` (RFC 4180, first line the header) and
//! `base64gzip`.

use super::args;
use super::{Arity, FuncContext, FuncError, Prim, Ret, Spec};
use crate::lang::{Value, VecMap};
use base64::Engine;
use std::io::Write;

type R = Result<Value, FuncError>;

pub(super) const SPECS: &[Spec] = &[
    Spec::new("base64gzip", Arity::Exact(1), Ret::String, base64gzip),
    Spec::new(
        "csvdecode",
        Arity::Exact(1),
        Ret::ListOf(Prim::Any),
        csvdecode,
    ),
];

/// Gzip, then base64, laid out as Terraform's Go writer does (write, flush, close): a
/// header with no name, zero time and "unknown" OS, the data ended by a sync flush, an empty
/// final stored block, then CRC-32 and length. The deflate encoder is zlib's, not Go's, so
/// the compressed blocks can still differ; they decompress the same.
fn base64gzip(args: Vec<Value>, _: &FuncContext) -> R {
    let s = args::string(&args, 0)?;
    let fail = |e: std::io::Error| FuncError::Other(format!("failed to write gzip raw data: {e}"));
    let mut deflate =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    deflate.write_all(s.as_bytes()).map_err(fail)?;
    deflate.flush().map_err(fail)?;
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    out.extend_from_slice(deflate.get_ref());
    out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    let mut crc = flate2::Crc::new();
    crc.update(s.as_bytes());
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(out),
    ))
}

/// A list of objects, one per row after the header, keyed by the header's names; every
/// row must have as many fields as the header.
fn csvdecode(args: Vec<Value>, _: &FuncContext) -> R {
    let s = args::string(&args, 0)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(s.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => return Err(FuncError::Other("missing header line".into())),
        Some(r) => r.map_err(csv_error)?,
    };
    for (i, name) in header.iter().enumerate() {
        if header.iter().take(i).any(|n| n == name) {
            return Err(FuncError::Other(format!("duplicate column name {name:?}")));
        }
    }
    check_quotes(&s)?;
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(csv_error)?;
        let mut row = VecMap::new();
        for (name, field) in header.iter().zip(record.iter()) {
            row.insert(name.to_string(), Value::from(field));
        }
        rows.push(Value::Object(row));
    }
    Ok(Value::List(rows))
}

fn csv_error(e: csv::Error) -> FuncError {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => FuncError::Other(format!(
            "record on line {}: wrong number of fields (expected {expected_len}, got {len})",
            pos.as_ref().map_or(0, |p| p.line())
        )),
        _ => FuncError::Other(e.to_string()),
    }
}

/// Rejects what Go's strict CSV reader rejects and the `csv` crate accepts: a `"` inside an
/// unquoted field, and a quoted field that is never closed or is followed by other text.
fn check_quotes(s: &str) -> Result<(), FuncError> {
    let bad =
        |line: usize, what: &str| FuncError::Other(format!("parse error on line {line}: {what}"));
    let (mut line, mut at_start, mut quoted, mut closed) = (1, true, false, false);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                }
                '"' => (quoted, closed) = (false, true),
                '\n' => line += 1,
                _ => {}
            }
            continue;
        }
        match c {
            ',' | '\n' => {
                line += usize::from(c == '\n');
                (at_start, closed) = (true, false);
            }
            '\r' if closed || at_start => {}
            '"' if at_start => (quoted, at_start) = (true, false),
            '"' => return Err(bad(line, "bare \" in non-quoted-field")),
            _ if closed => return Err(bad(line, "extraneous or missing \" in quoted-field")),
            _ => at_start = false,
        }
    }
    if quoted {
        return Err(bad(line, "extraneous or missing \" in quoted-field"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{call_err, ok, s};
    use crate::lang::Value;
    use base64::Engine;
    use std::io::Read;

    #[test]
    fn base64gzip_round_trips() {
        let Value::String(b64) = ok("base64gzip", vec![s("hello world")]) else {
            panic!("not a string")
        };
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .expect("base64");
        assert_eq!(&raw[..2], &[0x1f, 0x8b]);
        let mut out = String::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_string(&mut out)
            .expect("gzip");
        assert_eq!(out, "hello world");
    }

    #[test]
    fn csvdecode_errors() {
        assert_eq!(call_err("csvdecode", vec![s("")]), "missing header line");
        assert!(call_err("csvdecode", vec![s("a,b\n1\n")]).contains("wrong number of fields"));
        assert!(call_err("csvdecode", vec![s("a\nx\"y\n")]).contains("bare \""));
        assert!(call_err("csvdecode", vec![s("a\n\"x\n")]).contains("extraneous"));
    }
}
