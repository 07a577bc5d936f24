//! The committed fixtures in `state-fixtures/`: a state written by hubctl (format 1), its
//! damaged variants, and envelopes sealed by an independent writer (`make_sealed.py`,
//! Python `cryptography`), so today's reader is held to the formats already on disk.

use super::crypto::{self, StaticKey};
use super::{State, StateError};

fn fixture(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../state-fixtures")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const LOCATION: &str = "s3://fixtures/hub.hubstate";

fn fixture_key() -> StaticKey {
    StaticKey::new("fixture-kek", [0x11; 32])
}

async fn open(name: &str, key: &StaticKey, location: &str) -> Result<State, StateError> {
    crypto::open_state(&fixture(name), &[key], location).await
}

fn v1() -> State {
    State::decode(&fixture("hubctl-v1.state.json"), "hubctl-v1.state.json").expect("v1 reads")
}

#[test]
fn format_1_written_by_hubctl_still_reads() {
    let s = v1();
    assert_eq!(s.serial, 1);
    assert_eq!(s.resources.len(), 2);
    let cluster = &s.resources["terraform_data.cluster"];
    assert_eq!(cluster.dependencies, ["terraform_data.network"]);
    assert_eq!(cluster.attributes["input"]["network"], "10.0.0.0/16");
    assert_eq!(s.outputs["cluster_id"].value, cluster.attributes["id"]);
}

#[test]
fn truncated_and_future_states_are_refused_by_name() {
    let e = State::decode(&fixture("hubctl-v1.truncated.state.json"), "t.json").unwrap_err();
    assert!(
        matches!(e, StateError::Corrupt { ref path, .. } if path == "t.json"),
        "{e}"
    );
    let e = State::decode(&fixture("hubctl-v99.state.json"), "f.json").unwrap_err();
    assert!(matches!(e, StateError::UnsupportedVersion(99)), "{e}");
    assert!(e.to_string().contains("99"), "{e}");
}

#[tokio::test]
async fn an_envelope_from_another_writer_opens_to_the_same_state() {
    let s = open("sealed.hubstate", &fixture_key(), LOCATION)
        .await
        .expect("opens");
    assert_eq!(s, v1());
    // Envelopes from before data keys were bound to their state still open.
    let legacy = open("sealed-unbound-key.hubstate", &fixture_key(), LOCATION)
        .await
        .expect("legacy opens");
    assert_eq!(legacy, v1());
}

#[tokio::test]
async fn damaged_misplaced_or_foreign_envelopes_are_refused() {
    let key = fixture_key();
    let e = open("sealed-tampered.hubstate", &key, LOCATION)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("tampered"), "{e}");
    let e = open("sealed-wrong-lineage.hubstate", &key, LOCATION)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("assembled from two states"), "{e}");
    let e = open("sealed.hubstate", &key, "s3://fixtures/other.hubstate")
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("sealed for s3://fixtures/hub.hubstate"),
        "{e}"
    );
    let other = StaticKey::new("other-kek", [0x22; 32]);
    let e = open("sealed.hubstate", &other, LOCATION).await.unwrap_err();
    assert!(e.to_string().contains("could not be unwrapped"), "{e}");
}
