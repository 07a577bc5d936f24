//! What the in-process plan/apply tests share: a configuration from files, and plan and
//! apply walks with a chosen selection.

use crate::apply::apply;
use crate::diag::Diagnostics;
use crate::plan::driver::{make_plan, prepare, Prepared};
use crate::plan::{Plan, PlanOptions, Silent};
use crate::provider::Registry;
use crate::state::{Backend, LocalBackend, State};
use crate::walk::{Mode, Run, RunInputs};
use std::path::Path;
use std::sync::Arc;

/// `files` (path → text, a JSON object) written to a temp dir and loaded.
pub(crate) fn load(
    files: &serde_json::Value,
    registry: &Registry,
) -> (tempfile::TempDir, Prepared) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files.as_object().expect("files") {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text.as_str().expect("text")).expect("write");
    }
    let (p, d) = prepare(dir.path(), registry);
    let p = p.unwrap_or_else(|| panic!("{d:?}"));
    (dir, p)
}

/// What one walk is asked for.
#[derive(Default, Clone, Copy)]
pub(crate) struct Sel<'a> {
    pub destroy: bool,
    pub targets: &'a [&'a str],
    pub excludes: &'a [&'a str],
    /// Root module variables (`-var name=value`).
    pub vars: &'a [(&'a str, &'a str)],
}

/// The walks' inputs.
#[derive(Clone)]
pub(crate) struct Fx<'a> {
    pub p: &'a Prepared,
    pub dir: &'a Path,
    pub registry: Registry,
}

impl Fx<'_> {
    fn run(&self, prior: State, mode: Mode, sel: Sel<'_>) -> Arc<Run> {
        Arc::new(Run::new(self.inputs(prior, mode, sel)))
    }

    pub fn inputs(&self, prior: State, mode: Mode, sel: Sel<'_>) -> RunInputs {
        let own = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
        let mut graph = self.p.graph.clone();
        crate::plan::driver::add_orphan_providers(&mut graph, &prior);
        RunInputs {
            config: self.p.config.clone(),
            graph: Arc::new(graph),
            registry: self.registry.clone(),
            root_dir: self.dir.to_path_buf(),
            base_dir: self.dir.to_path_buf(),
            cwd: self.dir.to_path_buf(),
            mode,
            destroy: sel.destroy,
            vars: sel
                .vars
                .iter()
                .map(|(k, v)| (k.to_string(), crate::lang::Value::from(*v)))
                .collect(),
            prior: Arc::new(prior),
            parallelism: 4,
            targets: own(sel.targets),
            excludes: own(sel.excludes),
        }
    }

    /// A plan and its diagnostics, errors or not.
    /// Planning sees the prior state as `moved` blocks (and the implied moves) rewrote it,
    /// as the CLI's does.
    pub async fn plan_result(&self, prior: &State, sel: Sel<'_>) -> (Plan, Diagnostics) {
        let (prior, moves) = crate::plan::moves::refactor(&self.p.config.root, prior.clone());
        let r = self.run(prior, Mode::Plan, sel);
        let opts = PlanOptions {
            moves,
            ..PlanOptions::default()
        };
        make_plan(r, opts, self.p.config_hash.clone(), true).await
    }

    /// A plan that must have no errors, and its warnings.
    pub async fn plan_diags(&self, prior: &State, sel: Sel<'_>) -> (Plan, Diagnostics) {
        let (plan, d) = self.plan_result(prior, sel).await;
        assert!(!d.has_errors(), "{d:?}");
        (plan, d)
    }

    pub async fn plan(&self, prior: &State, sel: Sel<'_>) -> Plan {
        self.plan_diags(prior, sel).await.0
    }

    /// The diagnostics of `validate` (root variables unknown, nothing read).
    pub async fn validate(&self) -> Diagnostics {
        let r = self.run(State::new(), Mode::Validate, Sel::default());
        crate::plan::driver::validate(r).await
    }

    /// Applies `plan` (made with `sel`) over `prior`: the new state (`None` when the apply
    /// failed before writing one) and the diagnostics, errors or not.
    pub async fn apply_result(
        &self,
        prior: &State,
        plan: Plan,
        sel: Sel<'_>,
    ) -> (Option<State>, Diagnostics) {
        self.apply_walk(self.run(prior.clone(), Mode::Apply, sel), plan, prior)
            .await
    }

    /// Applies `plan` over `prior` with the walk `run` (built by the caller), to the local
    /// state file in the fixture's directory.
    pub async fn apply_walk(
        &self,
        run: Arc<Run>,
        plan: Plan,
        prior: &State,
    ) -> (Option<State>, Diagnostics) {
        let backend: Arc<dyn Backend> =
            Arc::new(LocalBackend::new(self.dir.join("terraform.tfstate")));
        apply(
            run,
            Arc::new(plan),
            &Default::default(),
            Arc::new(Silent),
            backend,
            prior.clone(),
        )
        .await
    }

    /// Applies `plan` (made with `sel`) over `prior`: the new state, and the walk (whose
    /// values the check blocks read).
    pub async fn apply_run(&self, prior: &State, plan: Plan, sel: Sel<'_>) -> (State, Arc<Run>) {
        let r = self.run(prior.clone(), Mode::Apply, sel);
        let (state, d) = self.apply_walk(r.clone(), plan, prior).await;
        assert!(!d.has_errors(), "{d:?}");
        (state.expect("state"), r)
    }

    pub async fn apply_plan(&self, prior: &State, plan: Plan, sel: Sel<'_>) -> State {
        self.apply_run(prior, plan, sel).await.0
    }

    /// The whole configuration, applied.
    pub async fn applied(&self) -> State {
        let all = self.plan(&State::new(), Sel::default()).await;
        self.apply_plan(&State::new(), all, Sel::default()).await
    }
}
