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
use super::run_all::checked_stack;
use super::stack::shown;
use super::unit::{prepare, Done, Ready, Unit};
use crate::args::{ApplyArgs, PlanArgs, QueueArgs};
use crate::views::Ui;
use hubctl_core::apply::check_plan_applicable;
use hubctl_core::diag::{Diagnostic, SourceMap};
use hubctl_core::plan::bundle::{self, Bundle, BundleUnit};
use hubctl_core::plan::html::{render_page, PagePart};
use hubctl_core::plan::render::{plan_json, render_plan};
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

/// Whether the file is a tree's plan (`plan --all -out`) rather than one root's.
pub(super) fn is_tree_plan(file: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 32];
    let n = std::fs::File::open(file)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    bundle::is_bundle(&head[..n])
}

/// The file's bundle, or ERROR with the reason shown.
fn read_bundle(ui: &Ui, base: &Path, file: &Path) -> Result<Bundle, u8> {
    let data = std::fs::read(base.join(file)).map_err(|e| {
        refuse(
            ui,
            "Failed to read plan file",
            format!("{}: {e}", file.display()),
        )
    })?;
    bundle::parse(&data).map_err(|why| {
        refuse(
            ui,
            "Invalid plan file",
            format!("{}: {why}", file.display()),
        )
    })
}

/// `hubctl show FILE [--json | --html]` of a tree's plan: each unit's plan, opened with its
/// own unit's backend, in the order they apply.
pub(super) async fn show(ui: &Ui, base: &Path, file: &Path, json: bool, html: bool) -> u8 {
    let b = match read_bundle(ui, base, file) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let queue = QueueArgs {
        include: b.include.clone(),
        exclude: b.exclude.clone(),
    };
    let Some((_, stack)) = checked_stack(ui, base, Path::new(&b.dir), &queue, true) else {
        return ERROR;
    };
    let done = Done::default();
    let mut opened = Vec::new();
    for bu in &b.units {
        let Some(unit) = stack.units.iter().find(|u| shown(base, &u.path) == bu.unit) else {
            return refuse(
                ui,
                "The plan file does not match the tree",
                format!(
                    "{} holds a plan for {}, which {} no longer has.",
                    file.display(),
                    bu.unit,
                    b.dir
                ),
            );
        };
        let u = Unit {
            ui,
            base,
            path: unit.path.clone(),
            done: &done,
        };
        let Some(r) = prepare(&u, "plan", false).await else {
            return ERROR;
        };
        let parsed = hubctl_core::plan::file::parse(&bu.plan).map_err(|why| {
            Diagnostic::error("Invalid plan file").detail(format!(
                "{} ({}): {why}",
                file.display(),
                bu.unit
            ))
        });
        let plan = match parsed {
            Ok(f) => planfile::open(file, f, r.be.as_ref()).await,
            Err(d) => Err(d),
        };
        match plan {
            Ok(p) => opened.push((bu.unit.as_str(), p, r)),
            Err(d) => {
                ui.diags(&d.into(), &SourceMap::new());
                return ERROR;
            }
        }
    }
    if html {
        let graphs: Vec<_> = opened
            .iter()
            .map(|(_, p, r)| super::show::plan_graph(&r.p.graph, p))
            .collect();
        let parts: Vec<PagePart> = opened
            .iter()
            .zip(&graphs)
            .map(|((name, plan, _), graph)| PagePart {
                unit: Some(name),
                plan,
                graph,
            })
            .collect();
        ui.out(render_page(&b.dir, &parts));
    } else if json {
        let units: Vec<serde_json::Value> = opened
            .iter()
            .map(|(name, p, _)| serde_json::json!({ "unit": name, "plan": plan_json(p) }))
            .collect();
        ui.json(&serde_json::json!({ "format_version": "1.0", "dir": b.dir, "units": units }));
    } else {
        for (name, p, _) in &opened {
            ui.out(format!(
                "\n=== {name} ===\n{}",
                render_plan(p, ui.plan_style())
            ));
        }
    }
    super::common::OK
}

/// `hubctl apply FILE` of a tree's plan.
pub(super) async fn apply(ui: &Ui, base: &Path, a: &ApplyArgs) -> u8 {
    let b = match read_bundle(ui, base, &a.target) {
        Ok(b) => b,
        Err(code) => return code,
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
