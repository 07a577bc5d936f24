//! `hubctl import ADDR ID`: Terraform's CLI import. It is an `import` block injected for
//! one address into the ordinary plan walk; of that plan only the import is kept: the
//! imported object is written to the state as a new serial, nothing else is changed.

use super::common::{backend, load, load_state, make_run, variables, with_lock, Walk, ERROR, OK};
use crate::args::ImportArgs;
use crate::views::{Progress, Ui};
use hubctl_core::addr::InstanceAddr;
use hubctl_core::diag::{Diagnostic, SourceMap};
use hubctl_core::plan::driver::make_plan;
use hubctl_core::plan::import::{import_ops, missing_config, resource_config, ImportTarget};
use hubctl_core::plan::PlanOptions;
use hubctl_core::walk::Mode;
use std::sync::Arc;

fn fail(ui: &Ui, d: Diagnostic) -> u8 {
    ui.diags(&d.into(), &SourceMap::new());
    ERROR
}

pub async fn run(ui: &Ui, base: &std::path::Path, a: ImportArgs) -> u8 {
    let Some(p) = load(ui, base, &a.dir) else {
        return ERROR;
    };
    let target = match ImportTarget::literal(&a.addr, &a.id) {
        Ok(t) => t,
        Err(e) => return fail(ui, Diagnostic::error("Invalid address").detail(e)),
    };
    let parsed = InstanceAddr::parse(&target.address);
    if !parsed.is_ok_and(|x| resource_config(&p.config.root, &x).is_some()) {
        return fail(ui, missing_config(&target.address));
    }
    let Some(vars) = variables(ui, &p.config, base, &a.dir, &a.vars) else {
        return ERROR;
    };
    let be = match backend(ui, &p.config, base, &a.dir).await {
        Ok(b) => b,
        Err(d) => {
            ui.diags(&d, &p.config.sources);
            return ERROR;
        }
    };
    let progress = Arc::new(Progress::new(false));
    let code = with_lock(ui, &be, &a.lock, "import", || async {
        let Some((prior, had)) = load_state(ui, &be).await else {
            return ERROR;
        };
        if prior.resources.contains_key(&target.address) {
            return fail(ui, Diagnostic::error("Resource already managed by hubctl").detail(format!(
                "hubctl is already managing a remote object for {addr}. To import to this address you must first remove the existing object from the state (`hubctl state rm {addr}`).",
                addr = target.address
            )));
        }
        // No refresh of what is already managed: an import touches only its own object.
        let walk = Walk {
            base,
            dir: &a.dir,
            mode: Mode::Plan,
            destroy: false,
            vars,
            parallelism: 10,
            select: Default::default(),
        };
        let (run, moves) = make_run(&p, walk, prior.clone());
        let opts = PlanOptions {
            refresh: false,
            imports: Some(vec![target.clone()]),
            moves,
            observer: progress,
            ..PlanOptions::default()
        };
        let (plan, diags) = make_plan(run.clone(), opts, p.config_hash.clone(), had).await;
        ui.diags(&diags, &p.config.sources);
        if diags.has_errors() {
            return ERROR;
        }
        let ops = import_ops(&run, &plan);
        if ops.is_empty() {
            return fail(ui, Diagnostic::error("Nothing was imported").detail(format!(
                "The plan made no import of {}; this is a bug in hubctl.",
                target.address
            )));
        }
        let mut state = prior;
        for op in &ops {
            state.apply_op(op);
        }
        state.serial += 1;
        if let Err(e) = be.persist(&state).await {
            return fail(ui, Diagnostic::error("Failed to save state").detail(e.to_string()));
        }
        ui.line(format_args!(
            "{}: Import prepared!\n\n{}\n\nThe resources that were imported are shown above. These resources are now in\nyour hubctl state and will henceforth be managed by hubctl.",
            target.address,
            ui.green("Import successful!")
        ));
        OK
    })
    .await;
    code.unwrap_or(ERROR)
}
