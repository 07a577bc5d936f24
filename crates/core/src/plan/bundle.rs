//! A plan of a whole tree (`plan --all -out FILE`): one saved plan per unit, each encoded
//! (and sealed) as its own unit's backend seals it, since units may use different keys; in
//! the order they planned, with the folder and queue globs that selected them, so that
//! `apply FILE` can refuse it when the tree no longer has the same units.

use base64::Engine;
use serde::{Deserialize, Serialize};

/// The first line of a bundle file (a single plan starts with `{` or `HUBCTL-SEALED-PLAN`).
pub const BUNDLE: &str = "HUBCTL-PLAN-BUNDLE/1\n";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    /// The folder `plan --all` was given.
    pub dir: String,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub units: Vec<BundleUnit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleUnit {
    /// The unit's folder as runs name it (`live/staging/eks`).
    pub unit: String,
    /// The unit's plan file, as `plan -out` writes it for the unit alone.
    #[serde(with = "b64")]
    pub plan: Vec<u8>,
}

pub fn is_bundle(data: &[u8]) -> bool {
    data.starts_with(BUNDLE.as_bytes())
}

pub fn encode(b: &Bundle) -> Vec<u8> {
    let mut out = BUNDLE.as_bytes().to_vec();
    // A Bundle holds only strings and bytes: serializing it cannot fail.
    out.extend(serde_json::to_vec(b).unwrap_or_default());
    out
}

pub fn parse(data: &[u8]) -> Result<Bundle, String> {
    let rest = data
        .strip_prefix(BUNDLE.as_bytes())
        .ok_or("it is not a plan bundle")?;
    serde_json::from_slice(rest).map_err(|e| format!("the plan bundle is damaged ({e})"))
}

mod b64 {
    use super::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_round_trips_and_damage_is_refused() {
        let b = Bundle {
            dir: "live/staging".into(),
            include: vec![],
            exclude: vec!["**/argocd".into()],
            units: vec![BundleUnit {
                unit: "live/staging/network".into(),
                plan: b"HUBCTL-SEALED-PLAN/1 \"x\"\n\x00\x01\xff".to_vec(),
            }],
        };
        let data = encode(&b);
        assert!(is_bundle(&data));
        assert_eq!(parse(&data).unwrap(), b);
        assert!(!is_bundle(b"{\"format\":\"hubctl-plan\"}"));
        let cut = &data[..data.len() - 3];
        assert!(parse(cut).unwrap_err().contains("damaged"));
    }
}
