//! `hubctl apply [DIR | PLANFILE]` and `hubctl destroy`: plan (or read a saved plan), ask
//! for approval, apply with a checkpoint per resource, print the outputs.

use super::common::{backend, load, load_state, make_run, variables, with_lock, Walk, ERROR, OK};
use super::planfile;
use crate::args::{ApplyArgs, DestroyArgs, LockArgs, VarArgs};
use crate::views::{Confirm, Progress, Ui};
use hubctl_core::apply::{apply, check_plan_applicable};
use hubctl_core::diag::{Diagnostic, Diagnostics, SourceMap};
use hubctl_core::plan::driver::make_plan;
use hubctl_core::plan::render::render_plan;
use hubctl_core::plan::{Plan, PlanOptions};
use hubctl_core::walk::Mode;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub async fn run(ui: &Ui, base: &Path, a: ApplyArgs) -> u8 {
    let saved = base.join(&a.target).is_file();
    if a.on_failure == super::rollback::OnFailure::Rollback && (a.all || a.destroy || saved) {
        let d = Diagnostic::error("--on-failure=rollback applies to one root module's apply only")
            .detail("It is not supported with --all, -destroy or a saved plan file yet: a failed run keeps what it made, and the next apply resumes.");
        ui.diags(&d.into(), &SourceMap::new());
        return ERROR;
    }
    let Some(select) = super::targeting::selection(ui, base, &a.select) else {
        return ERROR;
    };
    let unused = [
        (a.refresh_only, "-refresh-only"),
        (!a.replace.is_empty(), "-replace"),
        (!a.vars.vars.is_empty(), "-var"),
        (!a.vars.var_files.is_empty(), "-var-file"),
    ];
    if a.all
        && (!super::targeting::refuse_with_all(ui, &select)
            || !super::targeting::refuse_flags_with_all(ui, &unused))
    {
        return ERROR;
    }
    if a.all && !a.destroy {
        return super::run_all::apply(ui, base, a).await;
    }
    if saved {
        if !select.is_empty() {
            // OpenTofu: "When using a saved plan, you cannot specify any additional
            // planning modes or options."
            let d = Diagnostic::error("Can't change the targets of a saved plan").detail(
                "The plan file already holds the -target or -exclude addresses it was made \
                 with. Make a new plan with the addresses you want.",
            );
            ui.diags(&d.into(), &SourceMap::new());
            return ERROR;
        }
        if super::plan_bundle::is_tree_plan(&base.join(&a.target)) {
            return super::plan_bundle::apply(ui, base, &a).await;
        }
        return apply_saved(ui, base, &a).await;
    }
    if a.destroy {
        let d = DestroyArgs {
            all: a.all,
            dir: a.target,
            auto_approve: a.auto_approve,
            input: a.input,
            parallelism: a.parallelism,
            select: a.select,
            vars: a.vars,
            queue: a.queue,
            lock: a.lock,
        };
        return destroy(ui, base, d).await;
    }
    let Some(replace) = super::common::replace_targets(ui, &a.replace) else {
        return ERROR;
    };
    let opts = Opts {
        dir: a.target.clone(),
        auto_approve: a.auto_approve,
        parallelism: a.parallelism,
        refresh: a.refresh,
        destroy: false,
        input: a.input,
        replace,
        select,
        refresh_only: a.refresh_only,
        on_failure: a.on_failure,
    };
    plan_and_apply(ui, base, opts, &a.vars, &a.lock).await
}

pub async fn destroy(ui: &Ui, base: &Path, a: DestroyArgs) -> u8 {
    let Some(select) = super::targeting::selection(ui, base, &a.select) else {
        return ERROR;
    };
    if a.all {
        let unused = [
            (!a.vars.vars.is_empty(), "-var"),
            (!a.vars.var_files.is_empty(), "-var-file"),
        ];
        if !super::targeting::refuse_with_all(ui, &select)
            || !super::targeting::refuse_flags_with_all(ui, &unused)
        {
            return ERROR;
        }
        return super::run_all::destroy(ui, base, a).await;
    }
    let opts = Opts {
        dir: a.dir.clone(),
        auto_approve: a.auto_approve,
        parallelism: a.parallelism,
        refresh: true,
        destroy: true,
        input: a.input,
        replace: Default::default(),
        select,
        refresh_only: false,
        on_failure: Default::default(),
    };
    plan_and_apply(ui, base, opts, &a.vars, &a.lock).await
}

struct Opts {
    dir: PathBuf,
    auto_approve: bool,
    parallelism: usize,
    refresh: bool,
    destroy: bool,
    input: bool,
    /// `-replace=ADDR` instances.
    replace: std::collections::HashSet<String>,
    /// `-target`/`-exclude` addresses.
    select: hubctl_core::walk::targets::Selection,
    /// `-refresh-only`: record drift, change nothing.
    refresh_only: bool,
    on_failure: super::rollback::OnFailure,
}

async fn plan_and_apply(ui: &Ui, base: &Path, o: Opts, vars: &VarArgs, lock: &LockArgs) -> u8 {
    let Some(p) = load(ui, base, &o.dir) else {
        return ERROR;
    };
    let Some(vars) = variables(ui, &p.config, base, &o.dir, vars) else {
        return ERROR;
    };
    let be = match backend(ui, &p.config, base, &o.dir).await {
        Ok(b) => b,
        Err(d) => {
            ui.diags(&d, &p.config.sources);
            return ERROR;
        }
    };
    let progress = Arc::new(Progress::new(ui.stdout_tty));
    let op = if o.destroy { "destroy" } else { "apply" };
    let code = with_lock(ui, &be, lock, op, || async {
        let Some((prior, had)) = load_state(ui, &be).await else {
            return ERROR;
        };
        let walk = Walk {
            base,
            dir: &o.dir,
            mode: Mode::Plan,
            destroy: o.destroy,
            vars: vars.clone(),
            parallelism: o.parallelism,
            select: o.select.clone(),
        };
        let (run, moves) = make_run(&p, walk, prior.clone());
        let opts = PlanOptions {
            refresh: o.refresh,
            refresh_only: o.refresh_only,
            replace: o.replace.clone(),
            imports: None,
            moves,
            observer: progress.clone(),
        };
        let (plan, mut diags) = make_plan(run, opts, p.config_hash.clone(), had).await;
        diags.extend(super::common::unmatched_replacements(&plan, &o.replace));
        diags.extend(super::targeting::targeting_warning(
            &o.select, o.destroy, false,
        ));
        ui.diags(&diags, &p.config.sources);
        if diags.has_errors() {
            return ERROR;
        }
        ui.line("");
        ui.out(render_plan(&plan, ui.plan_style()));
        if !plan.has_changes() {
            finish(ui, &plan, o.destroy, &p.config.root.outputs, None);
            return OK;
        }
        let q = if o.destroy {
            "Do you really want to destroy all resources?"
        } else {
            "Do you want to perform these actions?"
        };
        let cancelled = if o.destroy {
            "Destroy cancelled."
        } else {
            "Apply cancelled."
        };
        let asked = Confirm {
            question: q,
            detail: Some("hubctl will perform the actions described above."),
            command: if o.destroy {
                "hubctl destroy"
            } else {
                "hubctl apply"
            },
            cancelled,
            input: o.input,
        };
        if !o.auto_approve && !ui.confirm(asked) {
            return ERROR;
        }
        if plan.refresh_only {
            return record_refresh(ui, &be, prior, &plan).await;
        }
        let plan = Arc::new(plan);
        let walk = apply_walk(base, &o.dir, &plan, vars.clone(), o.parallelism);
        let (run, moves) = make_run(&p, walk, prior.clone());
        let before = prior.clone();
        let (state, mut diags) = apply(
            run.clone(),
            plan.clone(),
            &moves,
            progress.clone(),
            be.clone(),
            prior,
        )
        .await;
        if diags.has_errors() && !o.destroy {
            progress.finish();
            ui.diags(&diags, &p.config.sources);
            let f = super::rollback::Failed {
                p: &p,
                base,
                dir: &o.dir,
                vars,
                parallelism: o.parallelism,
                backend: be.clone(),
                progress: progress.clone(),
            };
            let d = super::rollback::after_failure(ui, f, o.on_failure, &before, state).await;
            progress.finish();
            ui.diags(&d, &p.config.sources);
            return ERROR;
        }
        progress.finish();
        diags.extend(checks_after(&run, &plan));
        report(ui, &plan, o.destroy, &p.config, state, diags)
    })
    .await;
    code.unwrap_or(ERROR)
}

async fn apply_saved(ui: &Ui, base: &Path, a: &ApplyArgs) -> u8 {
    let Some(saved) = planfile::load_saved(ui, base, &a.target).await else {
        return ERROR;
    };
    let Some(vars) = planfile::saved_variables(ui, &saved, base, &a.vars) else {
        return ERROR;
    };
    let planfile::Saved {
        dir,
        prepared: p,
        backend: be,
        plan,
    } = saved;
    let progress = Arc::new(Progress::new(ui.stdout_tty));
    let code = with_lock(ui, &be, &a.lock, "apply", || async {
        let Some((prior, had)) = load_state(ui, &be).await else {
            return ERROR;
        };
        if let Err(d) = check_plan_applicable(&plan, &p.config_hash, had.then_some(&prior)) {
            ui.diags(&d.into(), &SourceMap::new());
            return ERROR;
        }
        if plan.refresh_only {
            return record_refresh(ui, &be, prior, &plan).await;
        }
        let plan = Arc::new(plan);
        let walk = apply_walk(base, &dir, &plan, vars, a.parallelism);
        let (run, moves) = make_run(&p, walk, prior.clone());
        let (state, mut diags) = apply(
            run.clone(),
            plan.clone(),
            &moves,
            progress.clone(),
            be.clone(),
            prior.clone(),
        )
        .await;
        progress.finish();
        diags.extend(checks_after(&run, &plan));
        report(ui, &plan, plan.destroy, &p.config, state, diags)
    })
    .await;
    code.unwrap_or(ERROR)
}

/// The apply walk of `plan` (its selection, if it was made with -target or -exclude).
fn apply_walk<'a>(
    base: &'a Path,
    dir: &'a Path,
    plan: &Plan,
    vars: std::collections::BTreeMap<String, hubctl_core::lang::Value>,
    parallelism: usize,
) -> Walk<'a> {
    Walk {
        base,
        dir,
        mode: Mode::Apply,
        destroy: plan.destroy,
        vars,
        parallelism,
        select: hubctl_core::walk::targets::Selection {
            targets: plan.targets.clone(),
            excludes: plan.excludes.clone(),
        },
    }
}

/// The `check` blocks against the applied values: warnings (never errors that stop
/// anything), as Terraform reports them after an apply.
fn checks_after(run: &hubctl_core::walk::Run, plan: &Plan) -> Diagnostics {
    if plan.destroy || plan.refresh_only {
        return Diagnostics::new();
    }
    hubctl_core::plan::check_blocks::evaluate(run).1
}

fn report(
    ui: &Ui,
    plan: &Plan,
    destroy: bool,
    config: &hubctl_core::config::Config,
    state: Option<hubctl_core::state::State>,
    diags: Diagnostics,
) -> u8 {
    let mut diags = diags;
    let sel = hubctl_core::walk::targets::Selection {
        targets: plan.targets.clone(),
        excludes: plan.excludes.clone(),
    };
    diags.extend(super::targeting::targeting_warning(
        &sel,
        plan.destroy,
        true,
    ));
    ui.diags(&diags, &config.sources);
    if diags.has_errors() {
        return ERROR;
    }
    finish(ui, plan, destroy, &config.root.outputs, state.as_ref());
    OK
}

fn finish(
    ui: &Ui,
    plan: &Plan,
    destroy: bool,
    outputs: &std::collections::BTreeMap<String, hubctl_core::config::Output>,
    state: Option<&hubctl_core::state::State>,
) {
    let s = plan.summary();
    if destroy {
        ui.line(format_args!(
            "\n{} Resources: {} destroyed.",
            ui.green("Destroy complete!"),
            s.destroy
        ));
        return;
    }
    // Terraform's wording: "N imported, " only when something was.
    let imported = if s.import > 0 {
        format!("{} imported, ", s.import)
    } else {
        String::new()
    };
    ui.line(format_args!(
        "\n{} Resources: {imported}{} added, {} changed, {} destroyed.",
        ui.green("Apply complete!"),
        s.add,
        s.change,
        s.destroy
    ));
    if let Some(st) = state {
        if !st.outputs.is_empty() {
            ui.line("\nOutputs:\n");
            for (k, o) in &st.outputs {
                let sensitive = o.sensitive || outputs.get(k).is_some_and(|d| d.sensitive);
                let v = hubctl_core::lang::Value::from_json(&o.value);
                ui.line(format_args!(
                    "{k} = {}",
                    hubctl_core::plan::render::fmt_value(&v, 0, sensitive)
                        .replace("(sensitive value)", "<sensitive>")
                ));
            }
        }
    }
}

/// Applies a refresh-only plan: the state takes what was read; no provider is called.
async fn record_refresh(
    ui: &Ui,
    be: &Arc<dyn hubctl_core::state::Backend>,
    prior: hubctl_core::state::State,
    plan: &Plan,
) -> u8 {
    let mut next = prior.clone();
    for op in hubctl_core::plan::refresh_only::record_ops(plan, &prior) {
        next.apply_op(&op);
    }
    if super::state::save(ui, be, next).await.is_none() {
        return ERROR;
    }
    ui.line(format_args!(
        "\n{} {} object(s) recorded as they are now; nothing was changed.",
        ui.green("Apply complete!"),
        plan.drift.len()
    ));
    OK
}
