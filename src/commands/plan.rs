//! `hubctl plan`: refresh, evaluate, diff; print the plan (or JSON); optionally save it.

use super::common::{
    backend, load, load_state, make_run, variables, with_lock, Walk, CHANGES, ERROR, OK,
};
use crate::args::PlanArgs;
use crate::views::{Progress, Ui};
use hubctl_core::diag::{Diagnostic, SourceMap};
use hubctl_core::plan::drift_report;
use hubctl_core::plan::driver::make_plan;
use hubctl_core::plan::markdown::{render as markdown, UnitSummary};
use hubctl_core::plan::render::{plan_json, render_plan};
use hubctl_core::plan::PlanOptions;
use hubctl_core::walk::Mode;
use std::sync::Arc;

pub async fn run(ui: &Ui, base: &std::path::Path, a: PlanArgs) -> u8 {
    let Some(select) = super::targeting::selection(ui, base, &a.select) else {
        return ERROR;
    };
    if a.all {
        let unused = [
            (a.refresh_only, "-refresh-only"),
            (!a.replace.is_empty(), "-replace"),
            (!a.vars.vars.is_empty(), "-var"),
            (!a.vars.var_files.is_empty(), "-var-file"),
        ];
        let targeting = super::targeting::refuse_with_all(ui, &select);
        if !targeting || !super::targeting::refuse_flags_with_all(ui, &unused) {
            return ERROR;
        }
        if a.json {
            return super::run_all::run(&ui.json_view(), base, a).await;
        }
        return super::run_all::run(ui, base, a).await;
    }
    let Some(p) = load(ui, base, &a.dir) else {
        return ERROR;
    };
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
    // With --json, stdout carries only the JSON document.
    let progress: Arc<dyn hubctl_core::plan::Observer> = if a.json {
        Arc::new(hubctl_core::plan::Silent)
    } else {
        Arc::new(Progress::new(false))
    };
    let Some(replace) = super::common::replace_targets(ui, &a.replace) else {
        return ERROR;
    };
    if a.destroy && a.refresh_only {
        ui.diags(
            &Diagnostic::error("Incompatible plan options")
                .detail("-destroy and -refresh-only cannot be used together.")
                .into(),
            &SourceMap::new(),
        );
        return ERROR;
    }
    let result = with_lock(ui, &be, &a.lock, "plan", || async {
        let (prior, had) = load_state(ui, &be).await?;
        let walk = Walk {
            base,
            dir: &a.dir,
            mode: Mode::Plan,
            destroy: a.destroy,
            vars,
            parallelism: a.parallelism,
            select: select.clone(),
        };
        let (run, moves) = make_run(&p, walk, prior);
        let opts = PlanOptions {
            refresh: a.refresh,
            refresh_only: a.refresh_only,
            replace: replace.clone(),
            imports: None,
            moves,
            observer: progress.clone(),
        };
        Some(make_plan(run, opts, p.config_hash.clone(), had).await)
    })
    .await
    .flatten();
    let Some((plan, mut diags)) = result else {
        return ERROR;
    };
    diags.extend(super::common::unmatched_replacements(&plan, &replace));
    diags.extend(super::targeting::targeting_warning(
        &select, a.destroy, false,
    ));
    ui.diags(&diags, &p.config.sources);
    if diags.has_errors() {
        return ERROR;
    }
    if a.drift_report {
        if a.json {
            ui.json(&drift_report::report_json(&plan));
        } else {
            ui.line("");
            ui.out(drift_report::render_report(&plan));
        }
        return if plan.drift.is_empty() { OK } else { CHANGES };
    }
    if let Some(file) = &a.markdown {
        let name = a.dir.display().to_string();
        if !write_markdown(ui, base, file, &[UnitSummary::of(&name, &plan)]) {
            return ERROR;
        }
    }
    if a.json {
        ui.json(&plan_json(&plan));
    } else {
        ui.line("");
        ui.out(render_plan(&plan, ui.plan_style()));
    }
    if let Some(out) = &a.out {
        let sealed = match super::planfile::write(base, out, &plan, be.as_ref()).await {
            Ok(s) => s,
            Err(e) => {
                ui.diags(&e.into(), &SourceMap::new());
                return ERROR;
            }
        };
        if !a.json {
            let how = if sealed { " (encrypted)" } else { "" };
            ui.line(format_args!("\nSaved the plan{how} to: {}\n\nTo perform exactly these actions, run:\n    hubctl apply {}", out.display(), out.display()));
        }
    }
    if a.detailed_exitcode && plan.has_changes() {
        CHANGES
    } else {
        OK
    }
}

/// Writes the Markdown summary of `units` to `file` (relative to `base`); false after
/// reporting a failure.
pub(super) fn write_markdown(
    ui: &Ui,
    base: &std::path::Path,
    file: &std::path::Path,
    units: &[UnitSummary],
) -> bool {
    let path = base.join(file);
    match std::fs::write(&path, markdown(units)) {
        Ok(()) => true,
        Err(e) => {
            let d = Diagnostic::error("Cannot write the Markdown summary")
                .detail(format!("Writing {}: {e}.", path.display()));
            ui.diags(&d.into(), &SourceMap::new());
            false
        }
    }
}
