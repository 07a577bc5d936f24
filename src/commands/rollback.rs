//! What a failed apply leaves. By default everything it made is kept, and the run says so
//! and how to resume; `--on-failure=rollback` deletes exactly what this run created, as
//! CloudFormation's `RetainExceptOnCreate` does, and nothing that existed before it.

use super::common::{make_run, Walk};
use crate::views::{Progress, Ui};
use hubctl_core::apply::apply;
use hubctl_core::diag::Diagnostics;
use hubctl_core::plan::driver::make_plan;
use hubctl_core::plan::driver::Prepared;
use hubctl_core::plan::PlanOptions;
use hubctl_core::state::{Backend, Mode as StateMode, State};
use hubctl_core::walk::Mode;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

/// What `apply` does with the objects a failed run created.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnFailure {
    /// Keep them; the next apply resumes from where this one stopped.
    #[default]
    Keep,
    /// Delete exactly what this run created, then stop.
    Rollback,
}

/// Managed instances in `after` that `before` lacked: what the run created, unanswered
/// creates (intents) included, since their objects may exist.
pub fn created_by_run(before: &State, after: &State) -> BTreeSet<String> {
    after
        .resources
        .iter()
        .filter(|(a, i)| i.mode == StateMode::Managed && !before.resources.contains_key(*a))
        .map(|(a, _)| a.clone())
        .collect()
}

/// The run context a rollback needs: the same configuration, variables and backend.
pub struct Failed<'a> {
    pub p: &'a Prepared,
    pub base: &'a Path,
    pub dir: &'a Path,
    pub vars: std::collections::BTreeMap<String, hubctl_core::lang::Value>,
    pub parallelism: usize,
    pub backend: Arc<dyn Backend>,
    pub progress: Arc<Progress>,
}

/// Says what the failed run kept, or (rollback) deletes it. Returns the diagnostics of the
/// rollback itself.
pub async fn after_failure(
    ui: &Ui,
    f: Failed<'_>,
    on_failure: OnFailure,
    before: &State,
    after: Option<State>,
) -> Diagnostics {
    let Some(after) = after else {
        return Diagnostics::new();
    };
    let created = created_by_run(before, &after);
    if created.is_empty() {
        return Diagnostics::new();
    }
    if on_failure == OnFailure::Keep {
        ui.err_line(format_args!(
            "\nThis run created {} object(s), which are kept and recorded in the state. Run `hubctl apply` again to resume, or `hubctl apply --on-failure=rollback` to have a failed run delete what it created.",
            created.len()
        ));
        return Diagnostics::new();
    }
    ui.line(format_args!(
        "\nRolling back: deleting the {} object(s) this run created, and nothing else.",
        created.len()
    ));
    rollback(f, created, before, after).await
}

/// A destroy plan of the state after the failure, cut down to the created instances, so
/// dependency order is the destroy walk's and nothing that existed before is touched.
async fn rollback(
    f: Failed<'_>,
    created: BTreeSet<String>,
    before: &State,
    after: State,
) -> Diagnostics {
    let walk = |mode| Walk {
        base: f.base,
        dir: f.dir,
        mode,
        destroy: true,
        vars: f.vars.clone(),
        parallelism: f.parallelism,
        select: Default::default(),
    };
    let (run, moves) = make_run(f.p, walk(Mode::Plan), after.clone());
    let opts = PlanOptions {
        refresh: true,
        refresh_only: false,
        replace: Default::default(),
        imports: None,
        moves,
        observer: f.progress.clone(),
    };
    let (mut plan, mut diags) = make_plan(run, opts, f.p.config_hash.clone(), true).await;
    if diags.has_errors() {
        return diags;
    }
    plan.changes.retain(|c| created.contains(&c.address));
    let plan = Arc::new(plan);
    let (run, moves) = make_run(f.p, walk(Mode::Apply), after.clone());
    let (state, d) = apply(
        run,
        plan,
        &moves,
        f.progress.clone(),
        f.backend.clone(),
        after,
    )
    .await;
    diags.extend(d);
    // A destroy walk drops the root outputs; the ones the state had before the run stand.
    if let Some(mut state) = state {
        state.outputs = before.outputs.clone();
        state.serial += 1;
        if let Err(e) = f.backend.persist(&state).await {
            diags.push(
                hubctl_core::diag::Diagnostic::error("Failed to save state").detail(e.to_string()),
            );
        }
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::*;
    use hubctl_core::state::{InstanceState, Status};

    fn inst(mode: StateMode, status: Status) -> InstanceState {
        InstanceState {
            mode,
            type_name: "terraform_data".into(),
            provider: "terraform".into(),
            attributes: serde_json::json!({"id": "x"}),
            sensitive_attributes: Vec::new(),
            dependencies: Vec::new(),
            status,
            create_before_destroy: false,
            create_token: None,
        }
    }

    #[test]
    fn created_means_new_managed_instances_intents_included() {
        let mut before = State::new();
        before
            .resources
            .insert("a.old".into(), inst(StateMode::Managed, Status::Ready));
        let mut after = before.clone();
        after
            .resources
            .insert("a.new".into(), inst(StateMode::Managed, Status::Ready));
        after.resources.insert(
            "a.pending".into(),
            inst(StateMode::Managed, Status::Creating),
        );
        after
            .resources
            .insert("data.a.read".into(), inst(StateMode::Data, Status::Ready));
        let got: Vec<String> = created_by_run(&before, &after).into_iter().collect();
        assert_eq!(got, ["a.new", "a.pending"]);
    }
}
