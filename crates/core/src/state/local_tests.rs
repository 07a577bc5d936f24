use super::*;
use crate::state::conformance::{backend_suite, sample_instance, sample_state};
use std::sync::atomic::{AtomicUsize, Ordering};

fn set(address: &str) -> StateOp {
    StateOp::SetInstance {
        address: address.to_string(),
        instance: sample_instance(address),
    }
}

fn backend(dir: &tempfile::TempDir) -> LocalBackend {
    LocalBackend::new(dir.path().join("nested/dir/state.json"))
}

#[tokio::test]
async fn passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let n = AtomicUsize::new(0);
    backend_suite(|| {
        let i = n.fetch_add(1, Ordering::Relaxed);
        LocalBackend::new(dir.path().join(format!("s{i}/state.json")))
    })
    .await;
    assert!(n.load(Ordering::Relaxed) >= 5);
}

#[tokio::test]
async fn two_thousand_single_op_checkpoints_all_load() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let state = sample_state();
    b.persist(&state).await.unwrap();
    for i in 0..2000 {
        b.checkpoint(&[set(&format!("terraform_data.r[{i}]"))])
            .await
            .unwrap();
    }
    // The snapshot is untouched by checkpoints: they only append.
    let snapshot = State::decode(&fs::read(b.path()).unwrap(), "s").unwrap();
    assert_eq!(snapshot, state);
    let loaded = b.load().await.unwrap().unwrap();
    assert_eq!(loaded.resources.len(), state.resources.len() + 2000);
    assert!(loaded.resources.contains_key("terraform_data.r[1999]"));
    assert_eq!(loaded.serial, state.serial + 1);
    b.persist(&loaded).await.unwrap();
    assert!(!b.journal_path().exists(), "persist must clear the journal");
}

#[tokio::test]
async fn torn_tail_is_ignored_and_repaired_before_appending() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    b.checkpoint(&[set("terraform_data.a")]).await.unwrap();
    drop(b);
    // A crash mid-append: half a record, no newline.
    let journal = backend(&dir).journal_path();
    let mut bytes = fs::read(&journal).unwrap();
    bytes.extend(br#"{"op":"set_instance","address":"terraform_data.to"#);
    fs::write(&journal, &bytes).unwrap();

    let b = backend(&dir);
    let loaded = b.load().await.unwrap().unwrap();
    assert_eq!(
        loaded.resources.keys().collect::<Vec<_>>(),
        ["terraform_data.a"]
    );
    // The next run appends; the torn bytes must not become mid-file damage.
    b.checkpoint(&[set("terraform_data.b")]).await.unwrap();
    let loaded = b.load().await.unwrap().unwrap();
    assert_eq!(loaded.resources.len(), 2);
}

#[tokio::test]
async fn journal_outliving_its_snapshot_is_not_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let first = sample_state();
    b.persist(&first).await.unwrap();
    b.checkpoint(&[set("terraform_data.x")]).await.unwrap();
    // A persist that renamed its snapshot and crashed before removing the journal; the
    // caller had also dropped x again without a checkpoint.
    let mut second = first.clone();
    second.serial += 1;
    second.apply_op(&set("terraform_data.y"));
    fs::write(b.path(), second.encode()).unwrap();
    let fresh = backend(&dir);
    assert_eq!(fresh.load().await.unwrap(), Some(second.clone()));
    // The next checkpoint restarts the journal on the new snapshot.
    fresh.checkpoint(&[set("terraform_data.z")]).await.unwrap();
    let loaded = fresh.load().await.unwrap().unwrap();
    let keys: Vec<_> = loaded.resources.keys().map(String::as_str).collect();
    assert!(keys.contains(&"terraform_data.z") && !keys.contains(&"terraform_data.x"));
    assert_eq!(loaded.serial, second.serial + 1);
}

#[tokio::test]
async fn damage_mid_journal_is_corrupt_and_blocks_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    b.checkpoint(&[set("terraform_data.a")]).await.unwrap();
    let mut bytes = fs::read(b.journal_path()).unwrap();
    let at = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    bytes.splice(at..at, b"garbage\n".iter().copied());
    fs::write(b.journal_path(), &bytes).unwrap();
    let fresh = backend(&dir);
    match fresh.load().await {
        Err(StateError::Corrupt { path, .. }) => assert!(path.ends_with("state.json.journal")),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert!(matches!(
        fresh.checkpoint(&[set("terraform_data.b")]).await,
        Err(StateError::Corrupt { .. })
    ));
}

#[tokio::test]
async fn persist_keeps_the_previous_snapshot_as_backup() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let first = sample_state();
    b.persist(&first).await.unwrap();
    assert!(
        !b.backup_path().exists(),
        "nothing to back up on the first persist"
    );
    let mut second = first.clone();
    second.serial += 1;
    second.apply_op(&set("terraform_data.new"));
    b.persist(&second).await.unwrap();
    let backup = State::decode(&fs::read(b.backup_path()).unwrap(), "backup").unwrap();
    assert_eq!(backup, first);
    assert_eq!(b.load().await.unwrap(), Some(second));
    let leftovers: Vec<_> = fs::read_dir(b.path().parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
}

#[tokio::test]
async fn bad_snapshots_are_reported_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    fs::create_dir_all(b.path().parent().unwrap()).unwrap();
    fs::write(b.path(), "{\n  \"version\": 1,\n  \"lineage\": \n}").unwrap();
    match b.load().await {
        Err(e @ StateError::Corrupt { .. }) => {
            let text = e.to_string();
            assert!(
                text.contains("state.json") && text.contains("line 4"),
                "{text}"
            );
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    // A corrupt snapshot is never overwritten.
    assert!(matches!(
        b.persist(&sample_state()).await,
        Err(StateError::Corrupt { .. })
    ));
    fs::write(b.path(), r#"{"version": 2, "lineage": "x", "serial": 3}"#).unwrap();
    assert!(matches!(
        b.load().await,
        Err(StateError::UnsupportedVersion(2))
    ));
}

#[tokio::test]
async fn lock_file_lives_beside_the_state_and_describe_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&dir);
    let info = b.lock(LockInfo::new("apply", "s")).await.unwrap();
    let on_disk: LockInfo = serde_json::from_slice(&fs::read(b.lock_path()).unwrap()).unwrap();
    assert_eq!(on_disk, info);
    // Another process (another backend value) is excluded too.
    assert!(matches!(
        backend(&dir).lock(LockInfo::new("plan", "s")).await,
        Err(StateError::Locked(_))
    ));
    b.unlock(&info.id).await.unwrap();
    assert!(!b.lock_path().exists());
    assert!(b.describe().starts_with("local file ") && b.describe().ends_with("state.json"));
}
