//! `plan --all -out FILE`, and `apply FILE` of such a file: the plan of a whole tree as one
//! artifact a pipeline can review and then apply exactly. Each unit's plan is encoded (and
//! sealed) as its own backend seals a single plan; applying the file runs the units as one
//! graph, as `apply --all` does, each from its saved plan: refused when the unit's state
//! moved, its configuration changed, or an input the plan knew has another value now. An
//! input the plan did not know (a dependency not applied yet) is fed as the dependency
//! applies, as in `apply --all`.

use super::apply_all::{run_with, Policy};
use super::common::ERROR;
use super::planfile;
use super::run_all::Ready;
use crate::args::{ApplyArgs, PlanArgs, QueueArgs};
use crate::views::Ui;
use hubctl_core::apply::check_plan_applicable;
use hubctl_core::diag::{Diagnostic, SourceMap};
use hubctl_core::plan::bundle::{self, Bundle, BundleUnit};
use hubctl_core::plan::Plan;
use hubctl_core::state::{Backend, State};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One unit's part of the file; None (with the error shown) when it cannot be saved.
pub(super) async fn unit_plan(
    ui: &Ui,
    name: &str,
    plan: &Plan,
    be: &dyn Backend,
) -> Option<BundleUnit> {
    if !plan.mocked.is_empty() {
        let d = Diagnostic::error(format!("Can't save the plan of {name}")).detail(format!(
            "It was made with dependency mocks ({}), which show what the mock gives, not what \
             the dependency will. Apply the dependencies first, then plan again.",
            plan.mocked.join(", ")
        ));
        ui.diags(&d.into(), &SourceMap::new());
        return None;
    }
    match planfile::encode(Path::new(name), plan, be).await {
        Ok((data, _)) => Some(BundleUnit {
            unit: name.to_string(),
            plan: data,
        }),
        Err(d) => {
            ui.diags(&d.into(), &SourceMap::new());
            None
        }
    }
}

/// Writes the file of every unit's plan; false (with the error shown) when it cannot.
pub(super) fn write(
    ui: &Ui,
    base: &Path,
    a: &PlanArgs,
    file: &Path,
    units: Vec<BundleUnit>,
) -> bool {
    let n = units.len();
    let b = Bundle {
        dir: a.dir.to_string_lossy().replace('\\', "/"),
        include: a.queue.include.clone(),
        exclude: a.queue.exclude.clone(),
        units,
    };
    if let Err(d) = planfile::write_bytes(base, file, &bundle::encode(&b)) {
        ui.diags(&d.into(), &SourceMap::new());
        return false;
    }
    ui.line(format_args!(
        "\nSaved the plan of {n} units to: {}\n\nTo perform exactly these actions, run the \
         following command to apply:\n    hubctl apply \"{}\"",
        file.display(),
        file.display()
    ));
    true
}

/// The saved plans `apply FILE` applies, by unit.
pub(super) struct SavedUnits {
    file: PathBuf,
    units: BTreeMap<String, Vec<u8>>,
}

impl SavedUnits {
    /// The units the file holds.
    pub(super) fn names(&self) -> Vec<&str> {
        self.units.keys().map(String::as_str).collect()
    }

    /// Unit `name`'s saved plan, checked against the unit as it is now.
    pub(super) async fn plan_for(
        &self,
        name: &str,
        r: &Ready,
        prior: Option<&State>,
    ) -> Result<Plan, Diagnostic> {
        let bytes = self
            .units
            .get(name)
            .ok_or_else(|| Diagnostic::error(format!("The plan file has no plan for {name}")))?;
        let file = hubctl_core::plan::file::parse(bytes).map_err(|why| {
            Diagnostic::error("Invalid plan file")
                .detail(format!("{} ({name}): {why}", self.file.display()))
        })?;
        let plan = planfile::open(&self.file, file, r.be.as_ref()).await?;
        check_plan_applicable(&plan, &r.p.config_hash, prior)?;
        for (var, planned) in &plan.variables {
            if planned.is_wholly_known() && r.vars.get(var) != Some(planned) {
                return Err(Diagnostic::error(format!("The saved plan of {name} no longer applies")).detail(format!(
                    "Its input variable \"{var}\" has another value now than when the plan was made (a dependency's output or the unit's inputs changed). Make a new plan with `hubctl plan --all -out FILE`."
                )));
            }
        }
        Ok(plan)
    }
}

/// `hubctl apply FILE` of a tree's plan.
pub(super) async fn apply(ui: &Ui, base: &Path, a: &ApplyArgs) -> u8 {
    let data = match std::fs::read(base.join(&a.target)) {
        Ok(d) => d,
        Err(e) => {
            return refuse(
                ui,
                "Failed to read plan file",
                format!("{}: {e}", a.target.display()),
            )
        }
    };
    let b = match bundle::parse(&data) {
        Ok(b) => b,
        Err(why) => {
            return refuse(
                ui,
                "Invalid plan file",
                format!("{}: {why}", a.target.display()),
            )
        }
    };
    let queue = QueueArgs {
        include: b.include,
        exclude: b.exclude,
    };
    let args = ApplyArgs::all_units(PathBuf::from(b.dir), queue, a.lock.clone(), a.parallelism);
    let policy = Policy {
        refuse_deletes: false,
        saved: Some(SavedUnits {
            file: a.target.clone(),
            units: b.units.into_iter().map(|u| (u.unit, u.plan)).collect(),
        }),
    };
    run_with(ui, base, args, &policy).await.0
}

fn refuse(ui: &Ui, summary: &str, detail: String) -> u8 {
    ui.diags(
        &Diagnostic::error(summary).detail(detail).into(),
        &SourceMap::new(),
    );
    ERROR
}
