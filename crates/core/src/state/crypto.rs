//! Client-side envelope encryption of state (and saved plans): a fresh data key per object
//! from a [`KeyProvider`] (KMS `GenerateDataKey` in production), AES-256-GCM, and a header
//! with the algorithm, version, key id, wrapped key and nonce. The additional authenticated
//! data binds the ciphertext to where it lives and to its lineage, so a copy moved to
//! another location, or any flipped byte, is refused.
//!
//! Layout: the magic line [`MAGIC`], one JSON header line, then the ciphertext (with the GCM
//! tag). The AAD is the magic plus the header line, byte for byte, so every header field is
//! authenticated without a canonical encoding.

use super::StateError;
use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// The first line of every envelope; also how [`is_envelope`] tells it from plaintext JSON.
pub const MAGIC: &[u8] = b"HUBCTL-ENVELOPE/1\n";
/// The envelope format version in the header.
pub const VERSION: u32 = 1;
/// The only algorithm sealed today.
pub const ALG: &str = "AES-256-GCM";

/// A data key: the plaintext key (32 bytes, wiped on drop) and its wrapped form.
pub struct DataKey {
    pub plaintext: zeroize::Zeroizing<Vec<u8>>,
    pub wrapped: Vec<u8>,
    /// The id of the key that wrapped it (e.g. a KMS key ARN).
    pub key_id: String,
}

/// Where data keys come from. Implementations: KMS (hubctl-aws), and a fixed key for tests.
#[async_trait]
pub trait KeyProvider: Send + Sync {
    /// A fresh 256-bit data key, wrapped bound to `context` (KMS encryption context), so
    /// it unwraps only for the same binding and every unwrap is logged with it.
    async fn generate(&self, context: &Binding) -> Result<DataKey, StateError>;
    /// The plaintext of a wrapped key (KMS `Decrypt`); `context` is None for envelopes
    /// sealed before data keys were bound.
    async fn unwrap(
        &self,
        wrapped: &[u8],
        key_id: &str,
        context: Option<&Binding>,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, StateError>;
    /// For messages: which key this is.
    fn describe(&self) -> String;
}

/// What the ciphertext is bound to: its location (e.g. `s3://bucket/key`) and lineage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub location: String,
    pub lineage: String,
}

impl Binding {
    /// As a KMS encryption context (also what CloudTrail records for each Decrypt).
    pub fn context(&self) -> [(&'static str, &str); 2] {
        [
            ("hubctl:location", self.location.as_str()),
            ("hubctl:lineage", self.lineage.as_str()),
        ]
    }
}

/// The header line. Field order is fixed by the struct, but the reader never re-encodes it:
/// the bytes as stored are the AAD.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Header {
    pub alg: String,
    pub version: u32,
    pub key_id: String,
    /// Base64 of the wrapped data key.
    pub wrapped_key: String,
    /// Base64 of the 96-bit GCM nonce.
    pub nonce: String,
    pub location: String,
    pub lineage: String,
    /// The data key was wrapped with [`Binding::context`] (false in envelopes written
    /// before that, which unwrap without a context).
    #[serde(default)]
    pub key_bound: bool,
}

fn refused(location: &str, why: impl std::fmt::Display) -> StateError {
    StateError::Other(format!(
        "Refusing to read the encrypted state at {location}: {why}"
    ))
}

fn cipher(key: &[u8], location: &str) -> Result<Aes256Gcm, StateError> {
    Aes256Gcm::new_from_slice(key).map_err(|_| {
        refused(
            location,
            format!(
                "the data key is {} bytes long, not 32; the key provider is broken",
                key.len()
            ),
        )
    })
}

/// Seals `plaintext` under a fresh data key.
pub async fn seal(
    plaintext: &[u8],
    keys: &dyn KeyProvider,
    binding: &Binding,
) -> Result<Vec<u8>, StateError> {
    let key = keys.generate(binding).await?;
    let aes = cipher(&key.plaintext, &binding.location)?;
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let header = Header {
        alg: ALG.to_string(),
        version: VERSION,
        key_id: key.key_id.clone(),
        wrapped_key: B64.encode(&key.wrapped),
        nonce: B64.encode(nonce),
        location: binding.location.clone(),
        lineage: binding.lineage.clone(),
        key_bound: true,
    };
    // Infallible: plain strings and a number.
    let header_json = serde_json::to_vec(&header).expect("an envelope header serializes");
    let mut out = Vec::with_capacity(MAGIC.len() + header_json.len() + 1 + plaintext.len() + 16);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&header_json);
    out.push(b'\n');
    let sealed = aes
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad: &out,
            },
        )
        .map_err(|_| refused(&binding.location, "AES-256-GCM encryption failed"))?;
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Splits an envelope into its AAD (magic + header line), the parsed header and the
/// ciphertext. Cheap: no key is needed, so `history` can read headers of many versions.
pub fn parse<'a>(
    envelope: &'a [u8],
    location: &str,
) -> Result<(&'a [u8], Header, &'a [u8]), StateError> {
    if !is_envelope(envelope) {
        return Err(refused(
            location,
            "it is not a hubctl envelope (the first line is not HUBCTL-ENVELOPE/1); it was \
             written by something else or is damaged",
        ));
    }
    let rest = &envelope[MAGIC.len()..];
    let Some(end) = rest.iter().position(|&b| b == b'\n') else {
        return Err(refused(location, "the envelope header is truncated"));
    };
    let aad_len = MAGIC.len() + end + 1;
    let header: Header = serde_json::from_slice(&rest[..end])
        .map_err(|e| refused(location, format!("the envelope header is damaged ({e})")))?;
    if header.version != VERSION {
        return Err(refused(
            location,
            format!(
                "the envelope is version {}, this hubctl reads version {VERSION}; upgrade \
                 hubctl",
                header.version
            ),
        ));
    }
    if header.alg != ALG {
        return Err(refused(
            location,
            format!(
                "the envelope uses the algorithm {:?}, this hubctl knows only {ALG}",
                header.alg
            ),
        ));
    }
    Ok((&envelope[..aad_len], header, &envelope[aad_len..]))
}

/// Opens an envelope sealed by [`seal`]: tries `keys` in order (configured key, then an
/// optional fallback key). `location` is where it was read from; the lineage comes from the
/// (authenticated) header and is returned with the plaintext.
pub async fn open(
    envelope: &[u8],
    keys: &[&dyn KeyProvider],
    location: &str,
) -> Result<(Vec<u8>, Binding), StateError> {
    let (aad, header, ciphertext) = parse(envelope, location)?;
    if header.location != location {
        return Err(refused(
            location,
            format!(
                "sealed for {}, read from {location}: an object copied to another key is \
                 refused. Copy states with `hubctl state pull` / `push` instead",
                header.location
            ),
        ));
    }
    let wrapped = B64
        .decode(&header.wrapped_key)
        .map_err(|e| refused(location, format!("the wrapped data key is damaged ({e})")))?;
    let nonce_bytes = B64
        .decode(&header.nonce)
        .map_err(|e| refused(location, format!("the nonce is damaged ({e})")))?;
    if nonce_bytes.len() != 12 {
        return Err(refused(location, "the nonce is not 96 bits long"));
    }
    let nonce = Nonce::from_slice(&nonce_bytes);
    if keys.is_empty() {
        return Err(refused(location, "no key was configured to decrypt it"));
    }
    let bound = Binding {
        location: header.location.clone(),
        lineage: header.lineage.clone(),
    };
    let context = header.key_bound.then_some(&bound);
    let mut failures = Vec::new();
    for provider in keys {
        let key = match provider.unwrap(&wrapped, &header.key_id, context).await {
            Ok(k) => k,
            Err(e) => {
                failures.push(format!("{}: {e}", provider.describe()));
                continue;
            }
        };
        let aes = cipher(&key, location)?;
        let plaintext = aes
            .decrypt(
                nonce,
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| {
                refused(
                    location,
                    format!(
                        "the authentication tag does not match: the object was tampered \
                         with or sealed with another data key (unwrapped by {}). Restore a \
                         previous version (`hubctl state history`)",
                        provider.describe()
                    ),
                )
            })?;
        return Ok((plaintext, bound));
    }
    Err(refused(
        location,
        format!(
            "its data key (wrapped by {}) could not be unwrapped by any configured key: {}. \
             Configure the key it was sealed with (kms_key_id or fallback_kms_key_id)",
            header.key_id,
            failures.join("; ")
        ),
    ))
}

/// Opens a sealed state snapshot and checks that the lineage the envelope was bound to is
/// the lineage of the state inside (else the object was assembled from two states).
pub async fn open_state(
    envelope: &[u8],
    keys: &[&dyn KeyProvider],
    location: &str,
) -> Result<super::State, StateError> {
    let (plain, binding) = open(envelope, keys, location).await?;
    let state = super::State::decode(&plain, location)?;
    if binding.lineage != state.lineage {
        return Err(refused(
            location,
            format!(
                "the envelope was sealed for lineage {}, but the state inside has lineage \
                 {}; the object was assembled from two states",
                binding.lineage, state.lineage
            ),
        ));
    }
    Ok(state)
}

/// Whether bytes look like an envelope (and not plaintext JSON).
pub fn is_envelope(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// A [`KeyProvider`] with a fixed 256-bit key-encryption key: wraps each data key with
/// AES-256-GCM under it. For tests and benchmarks, and for anyone who wants encryption
/// without KMS (the key must then be kept as carefully as the state).
pub struct StaticKey {
    id: String,
    kek: zeroize::Zeroizing<[u8; 32]>,
}

impl StaticKey {
    pub fn new(id: impl Into<String>, kek: [u8; 32]) -> StaticKey {
        StaticKey {
            id: id.into(),
            kek: zeroize::Zeroizing::new(kek),
        }
    }

    fn aes(&self) -> Aes256Gcm {
        Aes256Gcm::new(self.kek.as_ref().into())
    }

    /// The wrap's AAD: the binding, as KMS would bind an encryption context.
    fn aad(context: Option<&Binding>) -> Vec<u8> {
        context
            .map(|c| serde_json::to_vec(&c.context()).unwrap_or_default())
            .unwrap_or_default()
    }
}

#[async_trait]
impl KeyProvider for StaticKey {
    async fn generate(&self, context: &Binding) -> Result<DataKey, StateError> {
        let plaintext = zeroize::Zeroizing::new(Aes256Gcm::generate_key(&mut OsRng).to_vec());
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let aad = StaticKey::aad(Some(context));
        let sealed = self
            .aes()
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_slice(),
                    aad: &aad,
                },
            )
            .map_err(|_| StateError::Other(format!("{}: wrapping failed", self.id)))?;
        let mut wrapped = nonce.to_vec();
        wrapped.extend(sealed);
        Ok(DataKey {
            plaintext,
            wrapped,
            key_id: self.id.clone(),
        })
    }

    async fn unwrap(
        &self,
        wrapped: &[u8],
        _key_id: &str,
        context: Option<&Binding>,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, StateError> {
        if wrapped.len() < 12 {
            return Err(StateError::Other("the wrapped key is truncated".into()));
        }
        let (nonce, sealed) = wrapped.split_at(12);
        let aad = StaticKey::aad(context);
        self.aes()
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .map(zeroize::Zeroizing::new)
            .map_err(|_| StateError::Other("not wrapped by this key".into()))
    }

    fn describe(&self) -> String {
        format!("static key {}", self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, byte: u8) -> StaticKey {
        StaticKey::new(id, [byte; 32])
    }

    fn binding() -> Binding {
        Binding {
            location: "s3://b/k1".into(),
            lineage: "lin-1".into(),
        }
    }

    /// The envelope with its header line edited (the ciphertext kept as is).
    fn edit_header(sealed: &[u8], from: &str, to: &str) -> Vec<u8> {
        let end = MAGIC.len()
            + sealed[MAGIC.len()..]
                .iter()
                .position(|&b| b == b'\n')
                .unwrap();
        let head = std::str::from_utf8(&sealed[..end])
            .unwrap()
            .replacen(from, to, 1);
        [head.as_bytes(), &sealed[end..]].concat()
    }

    fn message(r: Result<(Vec<u8>, Binding), StateError>) -> String {
        match r {
            Ok(_) => panic!("expected a refusal"),
            Err(e) => e.to_string(),
        }
    }

    const SECRET: &[u8] =
        br#"{"resources":{"aws_vpc.hub":{"id":"vpc-0abc","cidr":"10.0.0.0/16"}}}"#;

    #[tokio::test]
    async fn roundtrip_returns_plaintext_and_binding_and_hides_content() {
        let k = key("a", 1);
        let sealed = seal(SECRET, &k, &binding()).await.unwrap();
        assert!(is_envelope(&sealed) && !is_envelope(SECRET));
        let text = String::from_utf8_lossy(&sealed);
        assert!(!text.contains("vpc-0abc") && !text.contains("10.0.0.0"));
        let (plain, b) = open(&sealed, &[&k], "s3://b/k1").await.unwrap();
        assert_eq!(plain, SECRET);
        assert_eq!(b, binding());
        // A fresh data key and nonce every time.
        assert_ne!(sealed, seal(SECRET, &k, &binding()).await.unwrap());
    }

    #[tokio::test]
    async fn every_flipped_byte_is_refused() {
        let k = key("a", 1);
        let sealed = seal(b"small state", &k, &binding()).await.unwrap();
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert!(
                open(&bad, &[&k], "s3://b/k1").await.is_err(),
                "flipping byte {i} was not noticed"
            );
        }
        let tampered = {
            let mut bad = sealed.clone();
            let last = bad.len() - 1;
            bad[last] ^= 0x80;
            bad
        };
        let msg = message(open(&tampered, &[&k], "s3://b/k1").await);
        assert!(
            msg.contains("tampered") && msg.contains("s3://b/k1"),
            "{msg}"
        );
    }

    #[tokio::test]
    async fn another_location_is_refused_with_both_names() {
        let k = key("a", 1);
        let sealed = seal(SECRET, &k, &binding()).await.unwrap();
        let msg = message(open(&sealed, &[&k], "s3://b/k2").await);
        assert!(
            msg.contains("sealed for s3://b/k1, read from s3://b/k2"),
            "{msg}"
        );
        // Rewriting the location in the header: the data key, bound to the old location,
        // no longer unwraps (and the header is AAD of the tag too).
        let forged = edit_header(&sealed, "s3://b/k1", "s3://b/k2");
        let msg = message(open(&forged, &[&k], "s3://b/k2").await);
        assert!(msg.contains("could not be unwrapped"), "{msg}");
    }

    #[tokio::test]
    async fn another_key_is_refused_naming_every_key_tried() {
        let sealed = seal(SECRET, &key("a", 1), &binding()).await.unwrap();
        let (b, c) = (key("b", 2), key("c", 3));
        let msg = message(open(&sealed, &[&b, &c], "s3://b/k1").await);
        assert!(
            msg.contains("static key b") && msg.contains("static key c"),
            "{msg}"
        );
        assert!(msg.contains("wrapped by a"), "{msg}");
    }

    #[tokio::test]
    async fn fallback_keys_are_tried_in_order() {
        let (old, new) = (key("old", 1), key("new", 2));
        let sealed = seal(SECRET, &old, &binding()).await.unwrap();
        assert_eq!(
            open(&sealed, &[&new, &old], "s3://b/k1").await.unwrap().0,
            SECRET
        );
        assert_eq!(
            open(&sealed, &[&old, &new], "s3://b/k1").await.unwrap().0,
            SECRET
        );
        assert!(open(&sealed, &[&new], "s3://b/k1").await.is_err());
        assert!(open(&sealed, &[], "s3://b/k1").await.is_err());
    }

    #[tokio::test]
    async fn non_envelopes_and_unknown_versions_are_refused() {
        let k = key("a", 1);
        let msg = message(open(SECRET, &[&k], "s3://b/k1").await);
        assert!(msg.contains("not a hubctl envelope"), "{msg}");
        let sealed = seal(SECRET, &k, &binding()).await.unwrap();
        let v2 = edit_header(&sealed, "\"version\":1", "\"version\":2");
        assert!(message(open(&v2, &[&k], "s3://b/k1").await).contains("version 2"));
        let alg = edit_header(&sealed, "AES-256-GCM", "AES-128-CBC");
        assert!(message(open(&alg, &[&k], "s3://b/k1").await).contains("AES-128-CBC"));
        assert!(message(open(MAGIC, &[&k], "s3://b/k1").await).contains("truncated"));
    }
}
