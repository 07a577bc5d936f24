//! `hubctl state history` and `hubctl state rollback --version V`, on the backend's stored
//! versions (S3 object versions). A rollback is a new serial with an old version's content,
//! so it is itself in the history and can be rolled back.

use super::{error, reading, save, writing};
use crate::args::{StateDirArgs, StateRollbackArgs};
use crate::commands::common::{ERROR, OK};
use crate::views::{Confirm, Ui};
use hubctl_core::state::{Backend, State};
use std::sync::Arc;

pub async fn history(ui: &Ui, a: StateDirArgs) -> u8 {
    reading(ui, &a, "history", |be| async move {
        let versions = match be.history().await {
            Ok(v) => v,
            Err(e) => return error(ui, "Failed to list state versions", e.to_string()),
        };
        if versions.is_empty() {
            ui.line(format_args!("{} keeps no history: only the current state (and one backup) exist, so there are no versions to list or roll back to. The S3 backend with bucket versioning keeps every serial.", be.describe()));
            return OK;
        }
        ui.out(table(&versions));
        OK
    })
    .await
}

fn table(versions: &[hubctl_core::state::StateVersion]) -> String {
    let rows: Vec<[String; 5]> = versions
        .iter()
        .map(|v| {
            [
                v.version_id.clone(),
                v.modified.clone(),
                match v.unreadable {
                    Some(_) => "unreadable".to_string(),
                    None => v.serial.to_string(),
                },
                v.who.clone().unwrap_or_else(|| "-".into()),
                v.resources.to_string(),
            ]
        })
        .collect();
    let head = ["VERSION", "TIME", "SERIAL", "WHO", "RESOURCES"].map(String::from);
    let mut width = [0usize; 5];
    for r in rows.iter().chain(std::iter::once(&head)) {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.len());
        }
    }
    let mut out = String::new();
    for r in std::iter::once(&head).chain(&rows) {
        let cells: Vec<String> = r
            .iter()
            .zip(width)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// Addresses added, removed and changed going from `current` to `target`.
pub fn difference(current: &State, target: &State) -> (Vec<String>, Vec<String>, Vec<String>) {
    let (mut added, mut removed, mut changed) = (Vec::new(), Vec::new(), Vec::new());
    for (k, t) in &target.resources {
        match current.resources.get(k) {
            None => added.push(k.clone()),
            Some(c) if c != t => changed.push(k.clone()),
            Some(_) => {}
        }
    }
    for k in current.resources.keys() {
        if !target.resources.contains_key(k) {
            removed.push(k.clone());
        }
    }
    (added, removed, changed)
}

pub async fn rollback(ui: &Ui, a: StateRollbackArgs) -> u8 {
    writing(ui, &a.common, "rollback", |be| {
        restore(ui, be, a.version.clone(), a.auto_approve, a.input)
    })
    .await
}

/// The rollback itself, under the lock the caller holds.
async fn restore(
    ui: &Ui,
    be: Arc<dyn Backend>,
    version: String,
    auto_approve: bool,
    input: bool,
) -> u8 {
    let target = match be.load_version(&version).await {
        Ok(s) => s,
        Err(e) => return error(ui, "Failed to read the state version", e.to_string()),
    };
    let current = match be.load().await {
        Ok(Some(s)) => s,
        Ok(None) => {
            return error(
                ui,
                "No state to roll back",
                format!("{} has no current state.", be.describe()),
            )
        }
        Err(e) => return error(ui, "Failed to load state", e.to_string()),
    };
    if target.lineage != current.lineage {
        return error(ui, "Refusing to roll back", format!("Version {version} has lineage {}, but the current state has {}: it belongs to another state.", target.lineage, current.lineage));
    }
    let (added, removed, changed) = difference(&current, &target);
    ui.line(format_args!(
        "Rolling back {} from serial {} to version {version} (serial {}):\n",
        be.describe(),
        current.serial,
        target.serial
    ));
    for (sym, list) in [("+", &added), ("-", &removed), ("~", &changed)] {
        for k in list {
            ui.line(format_args!("  {sym} {k}"));
        }
    }
    ui.line(format_args!(
        "\nState: {} added, {} removed, {} changed (outputs restored too).",
        added.len(),
        removed.len(),
        changed.len()
    ));
    let asked = Confirm {
        question: "Do you want to roll the state back?",
        detail: None,
        command: "hubctl state rollback",
        cancelled: "Rollback cancelled.",
        input,
    };
    if !auto_approve && !ui.confirm(asked) {
        return ERROR;
    }
    let mut next = target;
    next.serial = current.serial;
    match save(ui, &be, next).await {
        Some(s) => {
            ui.line(format_args!(
                "\nRolled back: the state is now version {version}'s content as serial {}.",
                s.serial
            ));
            OK
        }
        None => ERROR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hubctl_core::state::{
        InstanceState, LocalBackend, LockInfo, Mode, StateError, StateOp, StateVersion, Status,
    };
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Mutex;

    /// What `#[async_trait]` expands a method's return type to (the root crate does not
    /// depend on async-trait, so the test double spells it out).
    type Fut<'a, T> = Pin<Box<dyn Future<Output = Result<T, StateError>> + Send + 'a>>;

    /// A local backend that also remembers every persisted version, like S3 versioning.
    struct Versioned {
        inner: LocalBackend,
        versions: Mutex<Vec<State>>,
    }

    impl Backend for Versioned {
        fn load<'a, 'b>(&'a self) -> Fut<'b, Option<State>>
        where
            'a: 'b,
            Self: 'b,
        {
            self.inner.load()
        }
        fn checkpoint<'a, 'o, 'b>(&'a self, ops: &'o [StateOp]) -> Fut<'b, ()>
        where
            'a: 'b,
            'o: 'b,
            Self: 'b,
        {
            self.inner.checkpoint(ops)
        }
        fn persist<'a, 's, 'b>(&'a self, state: &'s State) -> Fut<'b, ()>
        where
            'a: 'b,
            's: 'b,
            Self: 'b,
        {
            Box::pin(async move {
                self.inner.persist(state).await?;
                self.versions.lock().unwrap().push(state.clone());
                Ok(())
            })
        }
        fn lock<'a, 'b>(&'a self, info: LockInfo) -> Fut<'b, LockInfo>
        where
            'a: 'b,
            Self: 'b,
        {
            self.inner.lock(info)
        }
        fn unlock<'a, 'i, 'b>(&'a self, id: &'i str) -> Fut<'b, ()>
        where
            'a: 'b,
            'i: 'b,
            Self: 'b,
        {
            self.inner.unlock(id)
        }
        fn force_unlock<'a, 'i, 'b>(&'a self, id: &'i str) -> Fut<'b, ()>
        where
            'a: 'b,
            'i: 'b,
            Self: 'b,
        {
            self.inner.force_unlock(id)
        }
        fn describe(&self) -> String {
            "versioned test backend".into()
        }
        fn history<'a, 'b>(&'a self) -> Fut<'b, Vec<StateVersion>>
        where
            'a: 'b,
            Self: 'b,
        {
            let v = self.versions.lock().unwrap();
            let out = v
                .iter()
                .enumerate()
                .rev()
                .map(|(i, s)| StateVersion {
                    version_id: format!("v{i}"),
                    modified: "2025-01-01T00:00:00Z".into(),
                    serial: s.serial,
                    who: Some("me@host".into()),
                    resources: s.resources.len(),
                    unreadable: None,
                })
                .collect();
            Box::pin(async move { Ok(out) })
        }
        fn load_version<'a, 'i, 'b>(&'a self, id: &'i str) -> Fut<'b, State>
        where
            'a: 'b,
            'i: 'b,
            Self: 'b,
        {
            let found = id
                .strip_prefix('v')
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|i| self.versions.lock().unwrap().get(i).cloned())
                .ok_or_else(|| StateError::Other(format!("no version {id}")));
            Box::pin(async move { found })
        }
    }

    fn inst(id: &str) -> InstanceState {
        InstanceState {
            mode: Mode::Managed,
            type_name: "terraform_data".into(),
            provider: "terraform".into(),
            attributes: serde_json::json!({ "id": id }),
            sensitive_attributes: vec![],
            dependencies: vec![],
            status: Status::Ready,
            create_before_destroy: false,
            create_token: None,
        }
    }

    #[tokio::test]
    async fn rollback_restores_an_old_version_as_a_new_serial() {
        let dir = tempfile::tempdir().unwrap();
        let be = Arc::new(Versioned {
            inner: LocalBackend::new(dir.path().join("s.json")),
            versions: Mutex::new(Vec::new()),
        });
        let mut s = State::new();
        s.serial = 1;
        s.resources.insert("terraform_data.a".into(), inst("1"));
        be.persist(&s).await.unwrap();
        s.serial = 2;
        s.resources.insert("terraform_data.b".into(), inst("2"));
        s.resources
            .insert("terraform_data.a".into(), inst("changed"));
        be.persist(&s).await.unwrap();
        let hist = be.history().await.unwrap();
        assert_eq!(hist.len(), 2);
        assert!(table(&hist).lines().nth(2).unwrap().starts_with("v0"));
        let old = be.load_version("v0").await.unwrap();
        let (added, removed, changed) = difference(&s, &old);
        assert!(added.is_empty());
        assert_eq!(removed, ["terraform_data.b"]);
        assert_eq!(changed, ["terraform_data.a"]);

        let ui = Ui::new(false);
        let dynbe: Arc<dyn Backend> = be.clone();
        assert_eq!(
            restore(&ui, dynbe.clone(), "v0".into(), true, false).await,
            OK
        );
        let now = be.load().await.unwrap().unwrap();
        assert_eq!(now.serial, 3);
        assert_eq!(now.lineage, s.lineage);
        assert_eq!(now.resources, old.resources);
        assert_eq!(restore(&ui, dynbe, "v9".into(), true, false).await, ERROR);
    }
}
