//! The `s3` state backend against moto: the backend conformance suite, what lands in the
//! bucket (ciphertext only, SSE-KMS), refusals (tampered, copied, other key), locking in
//! Terraform's layout, and the CLI with `terraform { backend "s3" }`.

use crate::moto::Moto;
use hubctl_aws::state::bootstrap;
use hubctl_aws::state::clients::Clients;
use hubctl_aws::state::{S3Backend, S3Settings};
use hubctl_core::state::conformance::{backend_suite, sample_state};
use hubctl_core::state::{Backend, StateError};
use std::sync::atomic::{AtomicUsize, Ordering};

const BUCKET: &str = "hub-state";
const TABLE: &str = "hub-locks";

pub(crate) fn settings(moto: &Moto, key: &str, kms: &str) -> S3Settings {
    S3Settings {
        bucket: BUCKET.into(),
        key: key.into(),
        region: Some("us-east-1".into()),
        dynamodb_table: Some(TABLE.into()),
        kms_key_id: Some(kms.into()),
        encrypt: true,
        endpoint_s3: Some(moto.endpoint.clone()),
        endpoint_dynamodb: Some(moto.endpoint.clone()),
        endpoint_kms: Some(moto.endpoint.clone()),
        use_path_style: true,
        access_key: Some("test".into()),
        secret_key: Some("test".into()),
        ..S3Settings::default()
    }
}

/// Moto with the bucket, table and key created by `hubctl init --bootstrap`'s code.
async fn bootstrapped(moto: &Moto) -> Clients {
    let s = settings(moto, "k", "alias/hub-state");
    let clients = Clients::new(&s).await;
    let found = bootstrap::check(&s, &clients, true)
        .await
        .expect("bootstrap");
    assert!(found.iter().all(|f| f.ok), "{found:?}");
    let again = bootstrap::check(&s, &clients, false).await.expect("check");
    assert!(again.iter().all(|f| f.ok), "{again:?}");
    clients
}

async fn raw_object(clients: &Clients, key: &str) -> Vec<u8> {
    let o = clients
        .s3
        .get_object()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .expect("get");
    o.body.collect().await.expect("body").into_bytes().to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_backend_passes_the_conformance_suite() {
    let moto = Moto::start();
    let clients = bootstrapped(&moto).await;
    let n = AtomicUsize::new(0);
    let make = || {
        let key = format!("suite/{}.hubstate", n.fetch_add(1, Ordering::SeqCst));
        let s = settings(&moto, &key, "alias/hub-state");
        S3Backend::connect_with(s, &clients)
    };
    backend_suite(make).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_objects_are_sealed_and_bound_to_key_and_location() {
    let moto = Moto::start();
    let clients = bootstrapped(&moto).await;
    let s = settings(&moto, "hub/net.hubstate", "alias/hub-state");
    let be = S3Backend::connect_with(s.clone(), &clients);
    let state = sample_state();
    be.persist(&state).await.expect("persist");
    let bytes = raw_object(&clients, "hub/net.hubstate").await;
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.starts_with("HUBCTL-ENVELOPE/1\n"));
    for secret in ["terraform_data.a", "example.test", "\"id\""] {
        assert!(!text.contains(secret), "{secret} in the stored object");
    }
    let head = clients
        .s3
        .head_object()
        .bucket(BUCKET)
        .key("hub/net.hubstate")
        .send()
        .await
        .expect("head");
    assert_eq!(
        head.server_side_encryption().map(|e| e.as_str()),
        Some("aws:kms")
    );
    assert_eq!(be.load().await.expect("load"), Some(state.clone()));

    // The data key is bound to the state by KMS encryption context: KMS unwraps it only
    // when asked with the same location and lineage.
    let (_, header, _) =
        hubctl_core::state::crypto::parse(&bytes, "s3://hub-state/hub/net.hubstate").expect("hdr");
    assert!(header.key_bound);
    let wrapped = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(&header.wrapped_key)
            .expect("base64")
    };
    let decrypt = |ctx: Option<(&str, &str)>| {
        let mut req = clients
            .kms
            .decrypt()
            .ciphertext_blob(aws_smithy_types::Blob::new(wrapped.clone()));
        if let Some((location, lineage)) = ctx {
            req = req
                .encryption_context("hubctl:location", location)
                .encryption_context("hubctl:lineage", lineage);
        }
        req.send()
    };
    decrypt(Some(("s3://hub-state/hub/net.hubstate", &state.lineage)))
        .await
        .expect("the right context unwraps");
    assert!(decrypt(None).await.is_err(), "unwrapped without context");
    assert!(decrypt(Some(("s3://hub-state/other", &state.lineage)))
        .await
        .is_err());

    // Another KMS key cannot open it.
    let other = clients.kms.create_key().send().await.expect("key");
    let other_id = other.key_metadata().expect("meta").key_id().to_string();
    let wrong = S3Backend::connect_with(settings(&moto, "hub/net.hubstate", &other_id), &clients);
    let msg = wrong.load().await.expect_err("other key").to_string();
    assert!(
        msg.contains("could not be unwrapped") && msg.contains(&other_id),
        "{msg}"
    );
    // Fallback: the old key configured as fallback opens it.
    let mut rotated = settings(&moto, "hub/net.hubstate", &other_id);
    rotated.fallback_kms_key_id = Some("alias/hub-state".into());
    let rotated = S3Backend::connect_with(rotated, &clients);
    assert_eq!(rotated.load().await.expect("fallback"), Some(state.clone()));

    // Copied to another key: refused, naming both.
    clients
        .s3
        .copy_object()
        .bucket(BUCKET)
        .key("hub/copy.hubstate")
        .copy_source(format!("{BUCKET}/hub/net.hubstate"))
        .send()
        .await
        .expect("copy");
    let copy = S3Backend::connect_with(
        settings(&moto, "hub/copy.hubstate", "alias/hub-state"),
        &clients,
    );
    let msg = copy.load().await.expect_err("copied").to_string();
    assert!(
        msg.contains("sealed for s3://hub-state/hub/net.hubstate, read from s3://hub-state/hub/copy.hubstate"),
        "{msg}"
    );

    // One flipped byte: refused as tampered; nothing overwritten by a persist.
    let mut bad = bytes.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    clients
        .s3
        .put_object()
        .bucket(BUCKET)
        .key("hub/net.hubstate")
        .body(bad.into())
        .send()
        .await
        .expect("put");
    let msg = be.load().await.expect_err("tampered").to_string();
    assert!(msg.contains("tampered"), "{msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locks_use_terraform_layout_and_a_stale_digest_is_detected() {
    let moto = Moto::start();
    let clients = bootstrapped(&moto).await;
    let mut s = settings(&moto, "hub/lock.hubstate", "alias/hub-state");
    s.use_lockfile = true;
    let be = S3Backend::connect_with(s, &clients);
    let held = be
        .lock(hubctl_core::state::LockInfo::new("apply", "x"))
        .await
        .expect("lock");
    let item = clients
        .dynamodb
        .get_item()
        .table_name(TABLE)
        .key(
            "LockID",
            hubctl_aws::state::clients::AttributeValue::S(format!("{BUCKET}/hub/lock.hubstate")),
        )
        .send()
        .await
        .expect("get item");
    let info = item.item().and_then(|i| i.get("Info")).expect("Info");
    let info = info.as_s().expect("string");
    assert!(info.contains(&format!("\"ID\":\"{}\"", held.id)), "{info}");
    let lockfile = raw_object(&clients, "hub/lock.hubstate.tflock").await;
    assert!(String::from_utf8_lossy(&lockfile).contains(&held.id));
    match be
        .lock(hubctl_core::state::LockInfo::new("plan", "x"))
        .await
    {
        Err(StateError::Locked(h)) => assert_eq!(h.id, held.id),
        other => panic!("expected Locked, got {other:?}"),
    }
    be.unlock(&held.id).await.expect("unlock");

    // The lock object alone (no table): S3's If-None-Match: * (moto honours it) excludes.
    let mut alone = settings(&moto, "hub/file.hubstate", "alias/hub-state");
    alone.use_lockfile = true;
    alone.dynamodb_table = None;
    let alone = S3Backend::connect_with(alone, &clients);
    let first = alone
        .lock(hubctl_core::state::LockInfo::new("apply", "x"))
        .await
        .expect("lock object");
    match alone
        .lock(hubctl_core::state::LockInfo::new("plan", "x"))
        .await
    {
        Err(StateError::Locked(h)) => assert_eq!(h.id, first.id),
        other => panic!("expected Locked from the lock object, got {other:?}"),
    }
    assert!(matches!(
        alone.unlock("other").await,
        Err(StateError::LockMismatch { held: Some(_) })
    ));
    alone.unlock(&first.id).await.expect("unlock object");

    // A persist records the digest; an older object read back is a stale read.
    let mut state = sample_state();
    be.persist(&state).await.expect("persist 1");
    let first = raw_object(&clients, "hub/lock.hubstate").await;
    state.serial = 2;
    state.outputs.clear();
    be.persist(&state).await.expect("persist 2");
    clients
        .s3
        .put_object()
        .bucket(BUCKET)
        .key("hub/lock.hubstate")
        .body(first.into())
        .send()
        .await
        .expect("put");
    let msg = be.load().await.expect_err("stale").to_string();
    assert!(msg.contains("stale") && msg.contains(TABLE), "{msg}");
    let versions = be.history().await.expect("history");
    assert!(versions.len() >= 2, "{versions:?}");
    assert_eq!(versions[1].serial, 2, "{versions:?}");
    assert_eq!(versions[1].resources, 2);
    assert_eq!(
        be.load_version(&versions[1].version_id).await.expect("v"),
        state
    );
}

/// Writers that all passed the serial check before any of them wrote: the conditional PUT
/// (If-Match on the ETag read) lets exactly one replace the state; the rest are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_writers_cannot_both_replace_the_state() {
    let moto = Moto::start();
    let clients = bootstrapped(&moto).await;
    let s = settings(&moto, "race/s.hubstate", "alias/hub-state");
    let base = sample_state();
    S3Backend::connect_with(s.clone(), &clients)
        .persist(&base)
        .await
        .expect("persist the base");
    let mut writers = tokio::task::JoinSet::new();
    for i in 0..8 {
        let be = S3Backend::connect_with(s.clone(), &clients);
        let mut next = base.clone();
        next.serial += 1;
        next.hubctl_version = format!("writer-{i}");
        writers.spawn(async move { (be.persist(&next).await, next) });
    }
    let mut won = Vec::new();
    while let Some(done) = writers.join_next().await {
        match done.expect("writer task") {
            (Ok(()), state) => won.push(state),
            (Err(StateError::Conflict(_)), _) => {}
            (Err(e), _) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!(won.len(), 1, "exactly one writer may win");
    let stored = S3Backend::connect_with(s, &clients)
        .load()
        .await
        .expect("load")
        .expect("state");
    assert_eq!(stored, won[0]);
}
