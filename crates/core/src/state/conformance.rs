//! The backend conformance suite: the behaviour every [`Backend`] must show, written once.
//! Each implementation (local file, S3 + DynamoDB) calls [`backend_suite`] from its tests
//! with a factory that returns a backend over fresh, empty storage. The checks panic with a
//! message naming the broken rule, like any test assertion.

use super::backend::{Backend, LockInfo, StateError};
use super::model::{InstanceState, Mode, OutputState, State, StateOp, Status};
use serde_json::json;

/// Runs every check; `make` must return a backend over fresh, empty storage on each call.
pub async fn backend_suite<B: Backend>(make: impl Fn() -> B) {
    load_of_empty_is_none(&make()).await;
    persist_load_roundtrip(&make()).await;
    checkpoints_are_recovered(&make()).await;
    checkpoints_without_snapshot_are_recovered(&make()).await;
    persist_refuses_stale_serial(&make()).await;
    persist_refuses_other_lineage(&make()).await;
    lock_excludes_and_checks_ids(&make()).await;
}

/// A managed instance fixture whose attributes carry `id`.
pub fn sample_instance(id: &str) -> InstanceState {
    InstanceState {
        mode: Mode::Managed,
        type_name: "terraform_data".to_string(),
        provider: "terraform".to_string(),
        attributes: json!({ "id": id, "input": { "n": 1, "tags": ["a", "b"] } }),
        sensitive_attributes: vec!["input".to_string()],
        dependencies: vec!["terraform_data.base".to_string()],
        status: Status::Ready,
        create_before_destroy: false,
        create_token: None,
    }
}

fn set(address: &str, id: &str) -> StateOp {
    StateOp::SetInstance {
        address: address.to_string(),
        instance: sample_instance(id),
    }
}

/// A state at serial 1 with two instances and an output.
pub fn sample_state() -> State {
    let mut state = State::new();
    state.serial = 1;
    state.apply_op(&set("terraform_data.a", "a"));
    state.apply_op(&set(r#"module.m.terraform_data.b["x"]"#, "b"));
    state.apply_op(&StateOp::SetOutput {
        name: "endpoint".to_string(),
        output: OutputState {
            value: json!("https://example.test"),
            ty: Some(json!("string")),
            sensitive: true,
        },
    });
    state
}

async fn must_load<B: Backend>(b: &B) -> Option<State> {
    match b.load().await {
        Ok(s) => s,
        Err(e) => panic!("{}: load failed: {e}", b.describe()),
    }
}

async fn must_persist<B: Backend>(b: &B, s: &State) {
    if let Err(e) = b.persist(s).await {
        panic!(
            "{}: persist of serial {} failed: {e}",
            b.describe(),
            s.serial
        );
    }
}

pub async fn load_of_empty_is_none<B: Backend>(b: &B) {
    assert_eq!(must_load(b).await, None, "empty storage must load as None");
}

pub async fn persist_load_roundtrip<B: Backend>(b: &B) {
    let state = sample_state();
    must_persist(b, &state).await;
    assert_eq!(
        must_load(b).await,
        Some(state.clone()),
        "roundtrip changed the state"
    );
    // Persisting the very same content again is not a conflict (a retried persist).
    must_persist(b, &state).await;
    let mut next = state.clone();
    next.serial = 2;
    next.apply_op(&StateOp::RemoveInstance {
        address: "terraform_data.a".to_string(),
    });
    must_persist(b, &next).await;
    assert_eq!(must_load(b).await, Some(next), "second persist not visible");
}

pub async fn checkpoints_are_recovered<B: Backend>(b: &B) {
    let state = sample_state();
    must_persist(b, &state).await;
    let ops = [
        vec![set("terraform_data.c", "c")],
        vec![
            StateOp::RemoveInstance {
                address: "terraform_data.a".to_string(),
            },
            StateOp::RemoveOutput {
                name: "endpoint".to_string(),
            },
        ],
        vec![],
    ];
    let mut expected = state.clone();
    for batch in &ops {
        if let Err(e) = b.checkpoint(batch).await {
            panic!("{}: checkpoint failed: {e}", b.describe());
        }
        batch.iter().for_each(|op| expected.apply_op(op));
    }
    let Some(recovered) = must_load(b).await else {
        panic!("{}: checkpoints lost: load returned None", b.describe());
    };
    assert_eq!(recovered.resources, expected.resources, "replay differs");
    assert_eq!(recovered.outputs, expected.outputs, "replay differs");
    assert_eq!(
        recovered.lineage, state.lineage,
        "replay changed the lineage"
    );
    assert!(
        recovered.serial > state.serial,
        "a recovered state must have a serial above the snapshot's"
    );
    // The recovered state, as loaded, can be persisted; the journal is then folded in.
    must_persist(b, &recovered).await;
    assert_eq!(
        must_load(b).await,
        Some(recovered),
        "persist after recovery"
    );
}

pub async fn checkpoints_without_snapshot_are_recovered<B: Backend>(b: &B) {
    if let Err(e) = b.checkpoint(&[set("terraform_data.first", "1")]).await {
        panic!("{}: checkpoint failed: {e}", b.describe());
    }
    let Some(state) = must_load(b).await else {
        panic!(
            "{}: a checkpoint before any snapshot was lost",
            b.describe()
        );
    };
    assert!(state.resources.contains_key("terraform_data.first"));
}

fn assert_conflict<B: Backend>(b: &B, result: Result<(), StateError>, what: &str) {
    match result {
        Err(StateError::Conflict(_)) => {}
        other => panic!(
            "{}: persist of {what} must be a Conflict, got {other:?}",
            b.describe()
        ),
    }
}

pub async fn persist_refuses_stale_serial<B: Backend>(b: &B) {
    let mut state = sample_state();
    state.serial = 5;
    must_persist(b, &state).await;
    for serial in [5, 4] {
        let mut stale = state.clone();
        stale.serial = serial;
        stale.apply_op(&set("terraform_data.stale", "s"));
        assert_conflict(b, b.persist(&stale).await, "an equal or older serial");
    }
    assert_eq!(
        must_load(b).await,
        Some(state),
        "a refused persist changed the state"
    );
}

pub async fn persist_refuses_other_lineage<B: Backend>(b: &B) {
    let state = sample_state();
    must_persist(b, &state).await;
    let mut other = sample_state();
    other.serial = state.serial + 10;
    assert_ne!(other.lineage, state.lineage);
    assert_conflict(b, b.persist(&other).await, "another lineage");
    assert_eq!(
        must_load(b).await,
        Some(state),
        "a refused persist changed the state"
    );
}

pub async fn lock_excludes_and_checks_ids<B: Backend>(b: &B) {
    let first = LockInfo::new("apply", &b.describe());
    let held = match b.lock(first.clone()).await {
        Ok(h) => h,
        Err(e) => panic!("{}: first lock failed: {e}", b.describe()),
    };
    assert_eq!(held.id, first.id, "lock must return the lock taken");
    match b.lock(LockInfo::new("plan", &b.describe())).await {
        Err(StateError::Locked(holder)) => {
            assert_eq!(holder.id, first.id, "Locked must name the holder");
            assert_eq!(holder.operation, "apply");
            assert_eq!(holder.who, first.who);
        }
        other => panic!(
            "{}: second lock must be Locked, got {other:?}",
            b.describe()
        ),
    }
    match b.unlock("not-the-id").await {
        Err(StateError::LockMismatch { held: Some(h) }) => assert_eq!(h.id, first.id),
        other => panic!(
            "{}: wrong-id unlock must be LockMismatch, got {other:?}",
            b.describe()
        ),
    }
    assert!(
        matches!(
            b.force_unlock("not-the-id").await,
            Err(StateError::LockMismatch { .. })
        ),
        "force_unlock with a wrong id must fail"
    );
    assert!(
        matches!(
            b.lock(LockInfo::new("plan", "x")).await,
            Err(StateError::Locked(_))
        ),
        "a failed unlock must keep the lock"
    );
    if let Err(e) = b.force_unlock(&first.id).await {
        panic!(
            "{}: force_unlock with the right id failed: {e}",
            b.describe()
        );
    }
    let second = match b.lock(LockInfo::new("plan", "x")).await {
        Ok(h) => h,
        Err(e) => panic!("{}: lock after force_unlock failed: {e}", b.describe()),
    };
    if let Err(e) = b.unlock(&second.id).await {
        panic!("{}: unlock with the right id failed: {e}", b.describe());
    }
    assert!(
        matches!(
            b.unlock(&second.id).await,
            Err(StateError::LockMismatch { held: None })
        ),
        "unlocking a free state must be LockMismatch with no holder"
    );
}
