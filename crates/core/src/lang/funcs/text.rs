//! `textencodebase64` and `textdecodebase64`: strings in other character sets, named as
//! Terraform names them (IANA names and aliases, case-insensitive). UTF-16 and Latin-1 are
//! done here, since `encoding_rs` follows the WHATWG standard, which reads "ISO-8859-1" as
//! windows-1252 and only decodes UTF-16; the other legacy sets come from `encoding_rs`.

use super::args::{self, err};
use super::{Arity, FuncContext, FuncError, Ret, Spec};
use crate::lang::Value;
use base64::Engine;

type R = Result<Value, FuncError>;

pub(super) const SPECS: &[Spec] = &[
    Spec::new(
        "textdecodebase64",
        Arity::Exact(2),
        Ret::String,
        textdecodebase64,
    ),
    Spec::new(
        "textencodebase64",
        Arity::Exact(2),
        Ret::String,
        textencodebase64,
    ),
];

#[derive(Clone, Copy)]
enum Charset {
    Utf8,
    Utf16 {
        little: bool,
        bom: bool,
    },
    /// Code points below this limit, one byte each: ASCII (0x80) and Latin-1 (0x100).
    Bytes(u32),
    Whatwg(&'static encoding_rs::Encoding),
}

const LATIN1: &[&str] = &[
    "iso-8859-1",
    "iso_8859-1:1987",
    "iso-ir-100",
    "iso_8859-1",
    "latin1",
    "l1",
    "ibm819",
    "cp819",
    "csisolatin1",
];
const ASCII: &[&str] = &[
    "us-ascii",
    "iso-ir-6",
    "ansi_x3.4-1968",
    "ansi_x3.4-1986",
    "iso_646.irv:1991",
    "iso646-us",
    "us",
    "ibm367",
    "cp367",
    "csascii",
];

/// The character set Terraform knows by `name`, if this implementation has it too.
fn charset(name: &str) -> Option<Charset> {
    let lower = name.to_ascii_lowercase();
    Some(match lower.as_str() {
        "utf-8" | "csutf8" => Charset::Utf8,
        "utf-16le" | "csutf16le" => Charset::Utf16 {
            little: true,
            bom: false,
        },
        "utf-16be" | "csutf16be" => Charset::Utf16 {
            little: false,
            bom: false,
        },
        "utf-16" | "csutf16" => Charset::Utf16 {
            little: false,
            bom: true,
        },
        l if LATIN1.contains(&l) => Charset::Bytes(0x100),
        l if ASCII.contains(&l) => Charset::Bytes(0x80),
        _ => {
            // Only the WHATWG sets whose canonical name is also their IANA name.
            let enc = encoding_rs::Encoding::for_label_no_replacement(lower.as_bytes())?;
            let canonical = enc.name();
            let usable = canonical.eq_ignore_ascii_case(name)
                && !canonical.starts_with("x-")
                && !canonical.starts_with("UTF-");
            usable.then_some(Charset::Whatwg(enc))?
        }
    })
}

fn charset_arg(args: &[Value], i: usize) -> Result<Charset, FuncError> {
    let name = args::string(args, i)?;
    charset(&name).ok_or_else(|| {
        err(
            i,
            format!(
                "{name:?} is not a supported IANA encoding name or alias in this Terraform version"
            ),
        )
    })
}

fn encode(s: &str, cs: Charset) -> Option<Vec<u8>> {
    Some(match cs {
        Charset::Utf8 => s.as_bytes().to_vec(),
        Charset::Utf16 { little, bom } => {
            let units = bom.then_some(0xfeff).into_iter().chain(s.encode_utf16());
            units
                .flat_map(|u| {
                    if little {
                        u.to_le_bytes()
                    } else {
                        u.to_be_bytes()
                    }
                })
                .collect()
        }
        Charset::Bytes(limit) => s
            .chars()
            .map(|c| u8::try_from(c as u32).ok().filter(|_| (c as u32) < limit))
            .collect::<Option<Vec<u8>>>()?,
        Charset::Whatwg(enc) => {
            let (bytes, _, unmappable) = enc.encode(s);
            (!unmappable).then(|| bytes.into_owned())?
        }
    })
}

fn decode(bytes: &[u8], cs: Charset) -> Option<String> {
    match cs {
        Charset::Utf8 => String::from_utf8(bytes.to_vec()).ok(),
        Charset::Utf16 { little, bom } => {
            if !bytes.len().is_multiple_of(2) {
                return None;
            }
            let (mut little, mut body) = (little, bytes);
            if bom && bytes.len() >= 2 && matches!(bytes[..2], [0xff, 0xfe] | [0xfe, 0xff]) {
                (little, body) = (bytes[0] == 0xff, &bytes[2..]);
            }
            let units: Vec<u16> = body
                .chunks(2)
                .map(|p| {
                    if little {
                        u16::from_le_bytes([p[0], p[1]])
                    } else {
                        u16::from_be_bytes([p[0], p[1]])
                    }
                })
                .collect();
            String::from_utf16(&units).ok()
        }
        Charset::Bytes(limit) => bytes
            .iter()
            .map(|&b| char::from_u32(u32::from(b)).filter(|_| u32::from(b) < limit))
            .collect(),
        Charset::Whatwg(enc) => enc
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|s| s.into_owned()),
    }
}

fn textencodebase64(args: Vec<Value>, _: &FuncContext) -> R {
    let s = args::string(&args, 0)?;
    let cs = charset_arg(&args, 1)?;
    let name = args::string(&args, 1)?;
    let bytes = encode(&s, cs).ok_or_else(|| {
        err(
            0,
            format!("the given string contains characters that cannot be represented in {name}"),
        )
    })?;
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(bytes),
    ))
}

fn textdecodebase64(args: Vec<Value>, _: &FuncContext) -> R {
    let src = args::string(&args, 0)?;
    let cs = charset_arg(&args, 1)?;
    let name = args::string(&args, 1)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(src.as_bytes())
        .map_err(|e| err(0, format!("the given value is not valid base64: {e}")))?;
    decode(&bytes, cs).map(Value::String).ok_or_else(|| {
        err(
            0,
            format!("the given string contains symbols that are not defined for {name}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{arg_err, ok, s};

    #[test]
    fn round_trips_and_names() {
        for (cs, text) in [
            ("UTF-16LE", "héllo 😀"),
            ("utf-16", "héllo"),
            ("latin1", "héllo"),
            ("windows-1252", "héllo €"),
            ("Shift_JIS", "あい"),
        ] {
            let enc = ok("textencodebase64", vec![s(text), s(cs)]);
            assert_eq!(ok("textdecodebase64", vec![enc, s(cs)]), s(text), "{cs}");
        }
        assert!(arg_err("textencodebase64", vec![s("€"), s("latin1")])
            .contains("cannot be represented"));
    }
}
