//! A unit's working copy and variables: the source's package copied beside the unit with
//! the generated files, and the unit's `inputs` as the module's root variables.

use hubctl_core::diag::{Diagnostic, Diagnostics};
use hubctl_core::lang::{Type, Value};
use hubctl_core::live::{self, UnitConfig};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `<unit>/.hubctl/work`: the source's package copied (hidden entries and cache folders
/// left out), as Terragrunt copies it, so a module's `../x` sources find their siblings; the
/// module runs in its folder there (after `//`), with the generated files written by their
/// `if_exists`. The source's own folders are never written to.
pub(super) fn working_copy(u: &UnitConfig) -> Result<PathBuf, Diagnostic> {
    let (package, sub) = live::module_package(u)?;
    let work = u
        .path
        .parent()
        .unwrap_or(Path::new("/"))
        .join(".hubctl")
        .join("work");
    copy_files(&package, &work).map_err(|e| {
        Diagnostic::error("Cannot prepare the working copy").detail(format!(
            "Copying {} to {} failed: {e}.",
            package.display(),
            work.display()
        ))
    })?;
    let run_in = sub.map_or(work.clone(), |s| work.join(s));
    live::write_generated(&run_in, &live::generated_files(u))?;
    Ok(run_in)
}

/// Copies `from` into `to`, without hidden entries (`.git`, `.hubctl`, `.terraform`) and
/// without cache folders (a `CACHEDIR.TAG` inside, as in a cargo `target/`).
fn copy_files(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let (src, dst) = (e.path(), to.join(&name));
        if src.is_dir() {
            if !src.join("CACHEDIR.TAG").exists() {
                copy_files(&src, &dst)?;
            }
        } else {
            std::fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

/// The unit's `inputs` for the variables its module declares (Terragrunt passes them as
/// `TF_VAR_` variables, which Terraform ignores when undeclared), converted to their types;
/// a value not known yet stays unknown.
pub(super) fn inputs_as_variables(
    u: &UnitConfig,
    root: &hubctl_core::config::Module,
) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (name, v) in u.inputs.iter().flat_map(|m| m.iter()) {
        let Some(var) = root.variables.get(name) else {
            continue;
        };
        let ty = var.ty.clone().unwrap_or(Type::Any);
        let converted =
            hubctl_core::lang::convert::convert(v.clone(), &ty).unwrap_or_else(|_| v.clone());
        out.insert(name.clone(), converted);
    }
    out
}

/// A warning for each input the module declares no variable for, at its entry in `inputs`
/// (in the unit or the include that set it). Terragrunt passes inputs as `TF_VAR_`
/// variables, which Terraform drops without a word; a misspelt input would then vanish.
pub(super) fn undeclared_inputs(
    u: &UnitConfig,
    root: &hubctl_core::config::Module,
    module: &Path,
) -> Diagnostics {
    let mut out = Diagnostics::new();
    let declared = || root.variables.keys().map(String::as_str);
    for name in u.inputs.iter().flat_map(|m| m.keys()) {
        if root.variables.contains_key(name) {
            continue;
        }
        let d = Diagnostic::warning("Value for undeclared variable")
            .detail(format!(
                "The input \"{name}\" is set, but the module in {} declares no variable \"{name}\", so it is not used (Terraform ignores such a TF_VAR_ variable too).",
                module.display()
            ))
            .subject_opt(u.input_sources.get(name).map(|s| s.span));
        out.push(match hubctl_core::lang::did_you_mean(name, declared()) {
            Some(s) => d.help(format!("did you mean \"{s}\"?")),
            None => d,
        });
    }
    out
}
