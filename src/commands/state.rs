//! `hubctl state ...`: read and edit the state through the `Backend` trait only, so every
//! subcommand works the same on the local file and on S3. Commands that write always hold
//! the lock and persist a new serial; read-only ones honour `-lock=false`.

mod history;
mod import;
mod pending;

use super::common::{backend, load_state, with_lock, ERROR, OK};
use crate::args::{
    LockArgs, StateAddrArgs, StateCommand, StateDirArgs, StateListArgs, StateMvArgs, StatePushArgs,
    StateRekeyArgs, StateRmArgs,
};
use crate::views::Ui;
use hubctl_core::diag::{Diagnostic, SourceMap};
use hubctl_core::lang::Value;
use hubctl_core::plan::moves::{rename, select, AddrPattern};
use hubctl_core::plan::render::fmt_value;
use hubctl_core::state::{Backend, State};
use std::future::Future;
use std::sync::Arc;

/// `base`: what `--dir` and FILE arguments are relative to (`-chdir`).
pub async fn run(ui: &Ui, base: &std::path::Path, mut cmd: StateCommand) -> u8 {
    cmd.dir_args_mut().base = base.to_path_buf();
    match cmd {
        StateCommand::List(a) => list(ui, a).await,
        StateCommand::Show(a) => show(ui, a).await,
        StateCommand::Rm(a) => rm(ui, a).await,
        StateCommand::Mv(a) => mv(ui, a).await,
        StateCommand::Pull(a) => pull(ui, a).await,
        StateCommand::Push(a) => push(ui, a).await,
        StateCommand::ImportTerraform(a) => import::run(ui, a).await,
        StateCommand::History(a) => history::history(ui, a).await,
        StateCommand::Pending(a) => pending::pending(ui, a).await,
        StateCommand::Rollback(a) => history::rollback(ui, a).await,
        StateCommand::Rekey(a) => rekey(ui, a).await,
    }
}

pub(super) fn error(ui: &Ui, summary: &str, detail: impl Into<String>) -> u8 {
    ui.diags(
        &Diagnostic::error(summary).detail(detail).into(),
        &SourceMap::new(),
    );
    ERROR
}

/// The backend the configuration in `dir` names. Only the backend block matters here, so
/// a configuration that is mid-refactoring (and does not validate) still works.
async fn open(ui: &Ui, c: &StateDirArgs) -> Option<Arc<dyn Backend>> {
    let (config, _) = hubctl_core::config::load_in(&c.base, &c.dir);
    match backend(ui, &config, &c.base, &c.dir).await {
        Ok(b) => Some(b),
        Err(d) => {
            ui.diags(&d, &config.sources);
            None
        }
    }
}

/// Runs a read-only `f` under the lock unless `-lock=false`.
pub(super) async fn reading<F, Fut>(ui: &Ui, c: &StateDirArgs, op: &str, f: F) -> u8
where
    F: FnOnce(Arc<dyn Backend>) -> Fut,
    Fut: Future<Output = u8>,
{
    let Some(be) = open(ui, c).await else {
        return ERROR;
    };
    with_lock(ui, &be, &c.lock, op, || f(be.clone()))
        .await
        .unwrap_or(ERROR)
}

/// Runs a writing `f` under the lock, always: `-lock=false` is not honoured for writes.
pub(super) async fn writing<F, Fut>(ui: &Ui, c: &StateDirArgs, op: &str, f: F) -> u8
where
    F: FnOnce(Arc<dyn Backend>) -> Fut,
    Fut: Future<Output = u8>,
{
    if !c.lock.lock {
        ui.err_line(format_args!("Warning: -lock=false ignored: `hubctl state {op}` writes the state, so it always takes the lock."));
    }
    let Some(be) = open(ui, c).await else {
        return ERROR;
    };
    with_lock(
        ui,
        &be,
        &LockArgs {
            lock: true,
            lock_timeout: c.lock.lock_timeout,
        },
        op,
        || f(be.clone()),
    )
    .await
    .unwrap_or(ERROR)
}

/// Persists `state` as the next serial.
pub(super) async fn save(ui: &Ui, be: &Arc<dyn Backend>, mut state: State) -> Option<State> {
    state.serial += 1;
    match be.persist(&state).await {
        Ok(()) => Some(state),
        Err(e) => {
            error(ui, "Failed to save state", e.to_string());
            None
        }
    }
}

fn patterns(ui: &Ui, addrs: &[String]) -> Option<Vec<AddrPattern>> {
    let mut out = Vec::new();
    for a in addrs {
        match AddrPattern::parse(a) {
            Ok(p) => out.push(p),
            Err(e) => {
                error(ui, "Invalid address", e);
                return None;
            }
        }
    }
    Some(out)
}

async fn list(ui: &Ui, a: StateListArgs) -> u8 {
    let Some(pats) = patterns(ui, &a.addrs) else {
        return ERROR;
    };
    reading(ui, &a.common, "list", |be| async move {
        let Some((state, _)) = load_state(ui, &be).await else {
            return ERROR;
        };
        let mut keys: Vec<&String> = state.resources.keys().collect();
        // Terraform's order: root first, module instances by key, `[2]` before `[10]`.
        keys.sort_by_cached_key(|k| hubctl_core::addr::sort_key(k));
        for k in keys {
            if pats.is_empty() || pats.iter().any(|p| p.matches(k)) {
                ui.line(k);
            }
        }
        OK
    })
    .await
}

/// One instance in HCL-like notation; sensitive attributes are redacted.
pub(crate) fn render_instance(addr: &str, inst: &hubctl_core::state::InstanceState) -> String {
    use std::fmt::Write;
    let name = hubctl_core::addr::resource_of(addr);
    let name = name.rsplit('.').next().unwrap_or("");
    let kind = match inst.mode {
        hubctl_core::state::Mode::Data => "data",
        hubctl_core::state::Mode::Managed => "resource",
    };
    let mut out = format!("# {addr}:\n{kind} \"{}\" \"{name}\" {{\n", inst.type_name);
    if let Some(obj) = inst.attributes.as_object() {
        let width = obj.keys().map(String::len).max().unwrap_or(0);
        for (k, v) in obj {
            let secret = inst.sensitive_attributes.iter().any(|s| s == k);
            let text = fmt_value(&Value::from_json(v), 4, secret);
            let _ = writeln!(out, "    {k:<width$} = {text}");
        }
    }
    out.push_str("}\n");
    out
}

async fn show(ui: &Ui, a: StateAddrArgs) -> u8 {
    let Some(pat) = patterns(ui, std::slice::from_ref(&a.addr)) else {
        return ERROR;
    };
    reading(ui, &a.common, "show", |be| async move {
        let Some((state, _)) = load_state(ui, &be).await else {
            return ERROR;
        };
        let found = select(&state, &pat[0]);
        match found.as_slice() {
            [one] => {
                ui.out(render_instance(one, &state.resources[*one]));
                OK
            }
            [] => error(ui, "No instance found for the given address", format!("The state has no resource instance at {}. `hubctl state list` shows the addresses it has.", a.addr)),
            many => error(ui, "Multiple instances found for the given address", format!("{} selects {} instances: {}. Name one instance, with its key.", a.addr, many.len(), many.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))),
        }
    })
    .await
}

async fn rm(ui: &Ui, a: StateRmArgs) -> u8 {
    let Some(pats) = patterns(ui, &a.addrs) else {
        return ERROR;
    };
    writing(ui, &a.common, "rm", |be| async move {
        let Some((mut state, _)) = load_state(ui, &be).await else {
            return ERROR;
        };
        let mut gone = Vec::new();
        for (p, text) in pats.iter().zip(&a.addrs) {
            let keys: Vec<String> = select(&state, p).into_iter().cloned().collect();
            if keys.is_empty() {
                return error(ui, "Invalid target address", format!("No matching objects found for {text}. To view the available instances, use `hubctl state list`. Nothing was removed."));
            }
            for k in keys {
                state.resources.remove(&k);
                gone.push(k);
            }
        }
        if save(ui, &be, state).await.is_none() {
            return ERROR;
        }
        for k in &gone {
            ui.line(format_args!("Removed {k}"));
        }
        ui.line(format_args!("Successfully removed {} resource instance(s). The objects still exist; hubctl no longer manages them.", gone.len()));
        OK
    })
    .await
}

async fn mv(ui: &Ui, a: StateMvArgs) -> u8 {
    let Some(pats) = patterns(ui, &[a.src.clone(), a.dst.clone()]) else {
        return ERROR;
    };
    writing(ui, &a.common, "mv", |be| async move {
        let Some((mut state, _)) = load_state(ui, &be).await else {
            return ERROR;
        };
        let pairs = match rename(&mut state, &pats[0], &pats[1]) {
            Ok(p) if p.is_empty() => return error(ui, "Invalid source address", format!("No matching objects found for {}. To view the available instances, use `hubctl state list`.", a.src)),
            Ok(p) => p,
            Err(e) => return error(ui, "Invalid move", format!("{e}. Nothing was moved.")),
        };
        if save(ui, &be, state).await.is_none() {
            return ERROR;
        }
        for (from, to) in &pairs {
            ui.line(format_args!("Move \"{from}\" to \"{to}\""));
        }
        ui.line(format_args!("Successfully moved {} object(s).", pairs.len()));
        OK
    })
    .await
}

async fn pull(ui: &Ui, a: StateDirArgs) -> u8 {
    reading(ui, &a, "pull", |be| async move {
        match be.load().await {
            Ok(Some(s)) => {
                ui.out(String::from_utf8_lossy(&s.encode()));
                OK
            }
            Ok(None) => OK,
            Err(e) => error(ui, "Failed to load state", e.to_string()),
        }
    })
    .await
}

async fn push(ui: &Ui, a: StatePushArgs) -> u8 {
    let origin = a.file.display().to_string();
    let pushed = match std::fs::read(a.common.base.join(&a.file))
        .map_err(|e| format!("{origin}: {e}"))
        .and_then(|b| State::decode(&b, &origin).map_err(|e| e.to_string()))
    {
        Ok(s) => s,
        Err(e) => return error(ui, "Failed to read the state to push", e),
    };
    writing(ui, &a.common, "push", |be| async move {
        let current = match be.load().await {
            Ok(c) => c,
            Err(e) => return error(ui, "Failed to load state", e.to_string()),
        };
        let mut next = pushed;
        if let Some(cur) = &current {
            if let Err(why) = push_allowed(cur, &next) {
                if !a.force {
                    return error(
                        ui,
                        "Refusing to push the state",
                        format!("{why}. Nothing was written; use --force to overwrite anyway."),
                    );
                }
                ui.err_line(format_args!(
                    "Warning: {why}; overwriting because of --force."
                ));
            }
            // The backend keeps one lineage per state and only accepts a higher serial.
            next.lineage.clone_from(&cur.lineage);
            next.serial = next.serial.max(cur.serial);
        } else {
            next.serial = next.serial.saturating_sub(1);
        }
        match save(ui, &be, next).await {
            Some(s) => {
                ui.line(format_args!(
                    "Pushed {} resource instance(s) to {} (serial {}).",
                    s.resources.len(),
                    be.describe(),
                    s.serial
                ));
                OK
            }
            None => ERROR,
        }
    })
    .await
}

/// Key rotation: the backend seals the current state under the new key and reads it back
/// with that key alone before anything is reported done.
async fn rekey(ui: &Ui, a: StateRekeyArgs) -> u8 {
    let to = a.to_kms_key_id.clone();
    writing(ui, &a.common, "rekey", |be| async move {
        match be.rekey(&to).await {
            Ok(s) => {
                ui.line(format_args!(
                    "Re-encrypted {} under {to} (serial {}); it opens with that key alone.\n\n\
                     Now set kms_key_id = \"{to}\" in the backend block, and keep the old \
                     key as fallback_kms_key_id while older versions in the history may \
                     still be needed.",
                    be.describe(),
                    s.serial
                ));
                OK
            }
            Err(e) => error(ui, "Failed to re-encrypt the state", e.to_string()),
        }
    })
    .await
}

/// Terraform's rule for `state push`: same lineage, and not older than what is stored.
fn push_allowed(current: &State, pushed: &State) -> Result<(), String> {
    if current.lineage != pushed.lineage {
        return Err(format!(
            "the file's lineage {} differs from the stored state's {}: it is another state",
            pushed.lineage, current.lineage
        ));
    }
    if pushed.serial < current.serial {
        return Err(format!(
            "the file's serial {} is older than the stored state's {}",
            pushed.serial, current.serial
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_rules() {
        let cur = State {
            serial: 5,
            ..State::new()
        };
        let mut p = cur.clone();
        assert!(push_allowed(&cur, &p).is_ok());
        p.serial = 4;
        assert!(push_allowed(&cur, &p).unwrap_err().contains("older"));
        let other = State {
            serial: 9,
            ..State::new()
        };
        assert!(push_allowed(&cur, &other).unwrap_err().contains("lineage"));
    }
}
