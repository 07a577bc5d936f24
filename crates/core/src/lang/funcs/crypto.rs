//! Hashes (hex or base64 of the UTF-8 bytes of a string) and `uuid`.
//!
//! SHA-1 is implemented here (it is short) rather than pulling in one more crate for a
//! function kept only for compatibility.

use super::args;
use super::{Arity, FuncContext, FuncError, Ret, Spec};
use crate::lang::Value;
use base64::Engine;
use md5::Md5;
use sha2::{Digest, Sha256, Sha512};

type R = Result<Value, FuncError>;

pub(super) const SPECS: &[Spec] = &[
    Spec::new("base64sha256", Arity::Exact(1), Ret::String, base64sha256),
    Spec::new("base64sha512", Arity::Exact(1), Ret::String, base64sha512),
    Spec::new("md5", Arity::Exact(1), Ret::String, md5_fn),
    Spec::new("sha1", Arity::Exact(1), Ret::String, sha1_fn),
    Spec::new("sha256", Arity::Exact(1), Ret::String, sha256),
    Spec::new("sha512", Arity::Exact(1), Ret::String, sha512),
    Spec::new("uuid", Arity::Exact(0), Ret::String, uuid),
    Spec::new("uuidv5", Arity::Exact(2), Ret::String, uuidv5),
];

fn hex_of(args: &[Value], digest: impl FnOnce(&[u8]) -> Vec<u8>) -> R {
    Ok(Value::String(hex::encode(digest(
        args::string(args, 0)?.as_bytes(),
    ))))
}

fn base64_of(args: &[Value], digest: impl FnOnce(&[u8]) -> Vec<u8>) -> R {
    let raw = digest(args::string(args, 0)?.as_bytes());
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(raw),
    ))
}

fn md5_fn(args: Vec<Value>, _: &FuncContext) -> R {
    hex_of(&args, |b| Md5::digest(b).to_vec())
}

fn sha1_fn(args: Vec<Value>, _: &FuncContext) -> R {
    hex_of(&args, |b| sha1::Sha1::digest(b).to_vec())
}

fn sha256(args: Vec<Value>, _: &FuncContext) -> R {
    hex_of(&args, |b| Sha256::digest(b).to_vec())
}

fn sha512(args: Vec<Value>, _: &FuncContext) -> R {
    hex_of(&args, |b| Sha512::digest(b).to_vec())
}

fn base64sha256(args: Vec<Value>, _: &FuncContext) -> R {
    base64_of(&args, |b| Sha256::digest(b).to_vec())
}

fn base64sha512(args: Vec<Value>, _: &FuncContext) -> R {
    base64_of(&args, |b| Sha512::digest(b).to_vec())
}

fn uuid(_: Vec<Value>, _: &FuncContext) -> R {
    Ok(Value::String(uuid::Uuid::new_v4().to_string()))
}

/// A name-based (SHA-1) UUID: the namespace is one of RFC 4122's four by name, or a UUID
/// in any of the usual spellings.
fn uuidv5(args: Vec<Value>, _: &FuncContext) -> R {
    let namespace = args::string(&args, 0)?;
    let ns = match namespace.as_str() {
        "dns" => uuid::Uuid::NAMESPACE_DNS,
        "url" => uuid::Uuid::NAMESPACE_URL,
        "oid" => uuid::Uuid::NAMESPACE_OID,
        "x500" => uuid::Uuid::NAMESPACE_X500,
        other => uuid::Uuid::parse_str(other).map_err(|e| {
            FuncError::Other(format!("uuidv5() doesn't support namespace {other} ({e})"))
        })?,
    };
    let name = args::string(&args, 1)?;
    Ok(Value::String(
        uuid::Uuid::new_v5(&ns, name.as_bytes()).to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{ok, s};
    use crate::lang::Value;

    #[test]
    fn digests_match_known_vectors() {
        assert_eq!(
            ok("md5", vec![s("hello world")]),
            s("5eb63bbbe01eeed093cb22bb8f5acdc3")
        );
        assert_eq!(
            ok("sha1", vec![s("hello world")]),
            s("2aae6c35c94fcfb415dbe95f408b9ce91ee846ed")
        );
        assert_eq!(
            ok("sha1", vec![s("")]),
            s("da39a3ee5e6b4b0d3255bfef95601890afd80709")
        );
        // Two blocks of input.
        assert_eq!(
            ok("sha1", vec![s(&"a".repeat(100))]),
            s("7f9000257a4918d7072655ea468540cdcbd42e0c")
        );
        assert_eq!(
            ok("sha256", vec![s("hello world")]),
            s("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
        );
        assert_eq!(
            ok("sha512", vec![s("hello world")]),
            s("309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f")
        );
        assert_eq!(
            ok("base64sha256", vec![s("hello world")]),
            s("uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=")
        );
    }

    #[test]
    fn uuid_is_v4() {
        let Value::String(u) = ok("uuid", vec![]) else {
            panic!("not a string")
        };
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(ok("uuid", vec![]), Value::String(u));
    }
}
