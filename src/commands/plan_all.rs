//! `hubctl plan --all DIR`: every Terragrunt unit under DIR, in one process, in dependency
//! order. Each unit keeps its own state (its `remote_state`) and lock; a dependency's planned
//! outputs flow into its dependents' inputs as values, "known after apply" while it is not
//! applied, so a never-applied environment plans without mocks. A failed unit skips only its
//! dependents. Units run one after the other for now (the design for one graph across units,
//! resource by resource, is in `live/README.md`).

use super::common::{backend, load_state, make_run, with_lock, Walk, CHANGES, ERROR, OK};
use crate::args::PlanArgs;
use crate::views::{Progress, Ui};
use hubctl_core::diag::Diagnostic;
use hubctl_core::lang::{Type, Value};
use hubctl_core::live::{self, DependencyOutputs, Loader, Options, UnitConfig};
use hubctl_core::plan::driver::{make_plan, prepare_in};
use hubctl_core::plan::render::render_plan;
use hubctl_core::plan::{Plan, PlanOptions};
use hubctl_core::walk::Mode;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The planned outputs of the units planned so far, by unit file.
#[derive(Default)]
struct Planned(Mutex<HashMap<PathBuf, Value>>);

impl DependencyOutputs for Planned {
    fn outputs(&self, unit: &Path) -> Option<Value> {
        self.0.lock().ok()?.get(unit).cloned()
    }
}

enum Outcome {
    Planned { changes: bool },
    Failed,
    Skipped,
}

pub async fn run(ui: &Ui, base: &Path, a: PlanArgs) -> u8 {
    let root = base.join(&a.dir);
    let loader = Loader::new(Options {
        command: "plan",
        outputs: &live::NoOutputs,
        base,
    });
    let stack = live::discover(&loader, &live::units_under(&root));
    let (sources, diags) = loader.finish();
    ui.diags(&diags, &sources);
    let Some(stack) = stack.filter(|_| !diags.has_errors()) else {
        return ERROR;
    };
    let planned = Planned::default();
    let mut outcome: Vec<Option<Outcome>> = (0..stack.units.len()).map(|_| None).collect();
    for &i in &stack.order {
        let unit = &stack.units[i].path;
        let shown = unit
            .parent()
            .unwrap_or(unit)
            .strip_prefix(base)
            .unwrap_or(unit)
            .display()
            .to_string();
        let blocked = stack.deps[i]
            .iter()
            .any(|(d, _)| !matches!(outcome[*d], Some(Outcome::Planned { .. })));
        if blocked {
            ui.err_line(format_args!(
                "Skipping {shown}: a unit it depends on failed."
            ));
            outcome[i] = Some(Outcome::Skipped);
            continue;
        }
        ui.line(format_args!("\n=== {shown} ==="));
        outcome[i] = Some(match plan_unit(ui, base, unit, &planned, &a).await {
            Some(plan) => {
                let outputs = plan
                    .output_changes
                    .iter()
                    .map(|o| (o.name.clone(), o.after.clone().unwrap_or(Value::Null)));
                if let Ok(mut m) = planned.0.lock() {
                    m.insert(unit.clone(), Value::object(outputs.collect::<Vec<_>>()));
                }
                Outcome::Planned {
                    changes: plan.has_changes(),
                }
            }
            None => Outcome::Failed,
        });
    }
    summary(ui, &outcome, a.detailed_exitcode)
}

fn summary(ui: &Ui, outcome: &[Option<Outcome>], detailed: bool) -> u8 {
    let count = |f: &dyn Fn(&Outcome) -> bool| outcome.iter().flatten().filter(|o| f(o)).count();
    let changed = count(&|o| matches!(o, Outcome::Planned { changes: true }));
    let planned = count(&|o| matches!(o, Outcome::Planned { .. }));
    let failed = count(&|o| matches!(o, Outcome::Failed));
    let skipped = count(&|o| matches!(o, Outcome::Skipped));
    ui.line(format_args!(
        "\nUnits: {planned} planned ({changed} with changes), {failed} failed, {skipped} skipped."
    ));
    if failed + skipped > 0 {
        ERROR
    } else if detailed && changed > 0 {
        CHANGES
    } else {
        OK
    }
}

/// One unit: re-read with its dependencies' planned outputs, its working copy written,
/// then planned against its own state.
async fn plan_unit(
    ui: &Ui,
    base: &Path,
    unit: &Path,
    planned: &Planned,
    a: &PlanArgs,
) -> Option<Plan> {
    let loader = Loader::new(Options {
        command: "plan",
        outputs: planned,
        base,
    });
    let u = loader.unit(unit);
    let (sources, diags) = loader.finish();
    ui.diags(&diags, &sources);
    let u = u.filter(|_| !diags.has_errors())?;
    let work = match working_copy(&u) {
        Ok(w) => w,
        Err(d) => {
            ui.diags(&d.into(), &sources);
            return None;
        }
    };
    let work_rel = work.strip_prefix(base).unwrap_or(&work).to_path_buf();
    let (p, diags) = prepare_in(base, &work_rel, &super::common::registry());
    let Some(p) = p else {
        let (config, _) = hubctl_core::config::load_in(base, &work_rel);
        ui.diags(&diags, &config.sources);
        return None;
    };
    ui.diags(&diags, &p.config.sources);
    let vars = inputs_as_variables(&u, &p.config.root);
    let be = match backend(ui, &p.config, base, &work_rel).await {
        Ok(b) => b,
        Err(d) => {
            ui.diags(&d, &p.config.sources);
            return None;
        }
    };
    let result = with_lock(ui, &be, &a.lock, "plan", || async {
        let (prior, had) = load_state(ui, &be).await?;
        let walk = Walk {
            base,
            dir: &work_rel,
            mode: Mode::Plan,
            destroy: a.destroy,
            vars,
            parallelism: a.parallelism,
            targets: Vec::new(),
        };
        let (run, moves) = make_run(&p, walk, prior);
        let opts = PlanOptions {
            refresh: a.refresh,
            refresh_only: false,
            replace: Default::default(),
            imports: None,
            moves,
            observer: Arc::new(Progress::new(false)),
        };
        Some(make_plan(run, opts, p.config_hash.clone(), had).await)
    })
    .await
    .flatten();
    let (plan, diags) = result?;
    ui.diags(&diags, &p.config.sources);
    if diags.has_errors() {
        return None;
    }
    ui.out(render_plan(&plan, ui.plan_style()));
    Some(plan)
}

/// `<unit>/.hubctl/work`: the module's files copied (hidden ones left out) and the generated
/// files written by their `if_exists`. The module's own folder is never written to.
fn working_copy(u: &UnitConfig) -> Result<PathBuf, Diagnostic> {
    let module = live::module_dir(u)?;
    let work = u
        .path
        .parent()
        .unwrap_or(Path::new("/"))
        .join(".hubctl")
        .join("work");
    copy_files(&module, &work).map_err(|e| {
        Diagnostic::error("Cannot prepare the working copy").detail(format!(
            "Copying {} to {} failed: {e}.",
            module.display(),
            work.display()
        ))
    })?;
    live::write_generated(&work, &live::generated_files(u))?;
    Ok(work)
}

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
            copy_files(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

/// The unit's `inputs` for the variables its module declares (Terragrunt passes them as
/// `TF_VAR_` variables, which Terraform ignores when undeclared), converted to their types;
/// a value not known yet stays unknown.
fn inputs_as_variables(
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
