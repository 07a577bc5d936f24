//! Saved plan files (`plan -out`, `apply FILE`). A plan carries state and configuration
//! values, so with an encrypting backend it is sealed like the state: bound to the state it
//! was made from (not to its path, since plans travel between CI jobs). The root directory
//! stays readable in a first line, because it says which configuration (and so which
//! backend and key) opens the rest.

use hubctl_core::diag::Diagnostic;
use hubctl_core::plan::file::{parse as parse_plan_file, PlanFile, SEALED};
use hubctl_core::plan::Plan;
use hubctl_core::state::Backend;
use std::path::{Path, PathBuf};

/// The artifact kind the backend binds plans to.
const KIND: &str = "plan";

fn failed(summary: &str, path: &Path, why: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(summary).detail(format!("{}: {why}", path.display()))
}

/// Writes `plan` to `path` (atomically; relative to `base`, and named as given in errors),
/// sealed when `be` encrypts; true when sealed.
pub async fn write(
    base: &Path,
    path: &Path,
    plan: &Plan,
    be: &dyn Backend,
) -> Result<bool, Diagnostic> {
    let (data, sealed) = encode(path, plan, be).await?;
    write_bytes(base, path, &data)?;
    Ok(sealed)
}

/// The bytes of `plan`'s file (`path` names it in errors), sealed when `be` encrypts; true
/// when sealed.
pub async fn encode(
    path: &Path,
    plan: &Plan,
    be: &dyn Backend,
) -> Result<(Vec<u8>, bool), Diagnostic> {
    let json = serde_json::to_vec(plan).map_err(|e| failed("Failed to encode plan", path, e))?;
    let lineage = plan.state_lineage.as_deref().unwrap_or_default();
    let sealed = be
        .seal_artifact(KIND, lineage, &json)
        .await
        .map_err(|e| failed("Failed to encrypt the plan", path, e))?;
    let data = match &sealed {
        None => json,
        Some(envelope) => {
            let dir = serde_json::to_string(&plan.root_dir)
                .map_err(|e| failed("Failed to encode plan", path, e))?;
            let mut data = format!("{SEALED}{dir}\n").into_bytes();
            data.extend_from_slice(envelope);
            data
        }
    };
    Ok((data, sealed.is_some()))
}

/// Writes `data` to `path` (relative to `base`) through a temporary file and a rename.
pub fn write_bytes(base: &Path, path: &Path, data: &[u8]) -> Result<(), Diagnostic> {
    let full = base.join(path);
    let tmp = full.with_extension("tmp");
    std::fs::write(&tmp, data)
        .and_then(|_| std::fs::rename(&tmp, &full))
        .map_err(|e| failed("Failed to write plan file", path, e))
}

/// Reads a plan file (relative to `base`); a sealed one is opened later with [`open`].
pub fn read(base: &Path, path: &Path) -> Result<PlanFile, Diagnostic> {
    let data =
        std::fs::read(base.join(path)).map_err(|e| failed("Failed to read plan file", path, e))?;
    parse_plan_file(&data).map_err(|why| failed("Invalid plan file", path, why))
}

/// The plan inside `file`, opened with `be`'s keys. An encrypting backend refuses a
/// plaintext plan (it could have been written by anyone), and a sealed plan must have been
/// sealed for the state lineage it names.
pub async fn open(path: &Path, file: PlanFile, be: &dyn Backend) -> Result<Plan, Diagnostic> {
    let envelope = match file {
        PlanFile::Plain(p) if !be.encrypts() => return Ok(*p),
        PlanFile::Plain(_) => {
            return Err(failed(
                "Refusing an unencrypted plan file",
                path,
                format!(
                    "{} encrypts state, so its plans are written encrypted; this one is \
                     plaintext, so it was not written by `hubctl plan -out` with this \
                     backend. Make the plan again",
                    be.describe()
                ),
            ))
        }
        PlanFile::Sealed { envelope, .. } => envelope,
    };
    let (json, lineage) = be
        .open_artifact(KIND, &envelope)
        .await
        .map_err(|e| failed("Failed to decrypt the plan file", path, e))?;
    let plan: Plan = serde_json::from_slice(&json).map_err(|e| {
        failed(
            "Invalid plan file",
            path,
            format!("the decrypted plan cannot be read: {e}"),
        )
    })?;
    if plan.state_lineage.as_deref().unwrap_or_default() != lineage {
        return Err(failed(
            "Invalid plan file",
            path,
            "the plan inside was sealed for another state lineage; it was assembled from two \
             plans",
        ));
    }
    Ok(plan)
}

/// A saved plan, ready to use: its configuration loaded, its backend, and the plan opened
/// with that backend's key. Diagnostics are printed; None after any error.
pub struct Saved {
    pub dir: PathBuf,
    pub prepared: hubctl_core::plan::driver::Prepared,
    pub backend: std::sync::Arc<dyn Backend>,
    pub plan: Plan,
}

/// `path` and the root directory inside the plan are relative to `base` (`-chdir`).
pub async fn load_saved(ui: &crate::views::Ui, base: &Path, path: &Path) -> Option<Saved> {
    use hubctl_core::diag::SourceMap;
    let file = match read(base, path) {
        Ok(f) => f,
        Err(d) => {
            ui.diags(&d.into(), &SourceMap::new());
            return None;
        }
    };
    let dir = file.root_dir();
    let prepared = super::common::load(ui, base, &dir)?;
    let backend = match super::common::backend(ui, &prepared.config, base, &dir).await {
        Ok(b) => b,
        Err(d) => {
            ui.diags(&d, &prepared.config.sources);
            return None;
        }
    };
    match open(path, file, backend.as_ref()).await {
        Ok(plan) => Some(Saved {
            dir,
            prepared,
            backend,
            plan,
        }),
        Err(d) => {
            ui.diags(&d.into(), &SourceMap::new());
            None
        }
    }
}

/// The variables a saved plan is applied with: those it holds, plus the ephemeral ones it
/// was planned with, which are never saved and must be given again (`-var`, `-var-file`
/// or `TF_VAR_`), as in Terraform. A non-ephemeral value that differs from the plan's is
/// refused: the plan was made with it.
pub fn saved_variables(
    ui: &crate::views::Ui,
    saved: &Saved,
    base: &Path,
    args: &crate::args::VarArgs,
) -> Option<std::collections::BTreeMap<String, hubctl_core::lang::Value>> {
    use hubctl_core::diag::{Diagnostic, Diagnostics, SourceMap};
    let config = &saved.prepared.config;
    let given = super::common::variables(ui, config, base, &saved.dir, args)?;
    let declared = &config.root.variables;
    let mut vars = saved.plan.variables.clone();
    let mut diags = Diagnostics::new();
    for (name, value) in given {
        let ephemeral = declared.get(&name).is_some_and(|v| v.ephemeral);
        if ephemeral {
            vars.insert(name, value);
        } else if saved.plan.variables.get(&name) != Some(&value) {
            let planned = match saved.plan.variables.contains_key(&name) {
                true => "a value different from the one the plan was made with",
                false => "a value, but the plan was made without one (its default applied)",
            };
            diags.push(
                Diagnostic::error("Can't change variable when applying a saved plan").detail(
                    format!(
                        "The variable \"{name}\" is given {planned}. A saved plan applies \
                         exactly its own values; only ephemeral variables are given again. \
                         Make a new plan with the value you want."
                    ),
                ),
            );
        }
    }
    for name in &saved.plan.ephemeral_variables {
        if !vars.contains_key(name) {
            diags.push(
                Diagnostic::error("No value for required variable").detail(format!(
                    "The ephemeral input variable \"{name}\" was set during the plan phase, \
                     and so must also be set during the apply phase."
                )),
            );
        }
    }
    ui.diags(&diags, &SourceMap::new());
    (!diags.has_errors()).then_some(vars)
}
