//! Dependency mocks in a run over a whole tree. Outputs flow between units as values, so a
//! unit never applied gives its dependents "known after apply" and no mock is needed, except
//! where the engine must know a value at plan time: a `count` or `for_each` (or `enabled`,
//! an import `id`) over an output not known yet. There, and only for the inputs that such
//! an expression reads, the dependency's `mock_outputs` stand in, if the block allows them
//! for the command. The plan is then marked (`Plan::mocked`) and never applied.

use hubctl_core::config::Module;
use hubctl_core::diag::{Diagnostic, Diagnostics, SourceMap, Span};
use hubctl_core::lang::Value;
use hubctl_core::live::{self, DependencyOutputs, Loader, Options, UnitConfig};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One input a mock stood in for.
pub(super) struct MockUse {
    pub input: String,
    pub dependency: String,
    /// The dependency's `mock_outputs` attribute (else its block).
    pub mock: Span,
    /// The input's entry in `inputs`.
    pub entry: Span,
}

/// The mocks a unit's plan used, with the files their spans are in.
pub(super) struct Mocks {
    pub uses: Vec<MockUse>,
    pub sources: SourceMap,
}

/// The unit's variables with mocks standing in for the inputs the failed plan-time
/// expressions of `diags` read, where those are not known yet and a dependency they read
/// has a mock this `command` may use; `None` when no input qualifies.
pub(super) fn with_mocks(
    base: &Path,
    unit: &Path,
    outputs: &dyn DependencyOutputs,
    command: &str,
    root: &Module,
    diags: &Diagnostics,
    vars: &BTreeMap<String, Value>,
) -> Option<(BTreeMap<String, Value>, Mocks)> {
    let need: BTreeSet<String> = live::plan_time_variables(root, diags)
        .into_iter()
        .filter(|v| vars.get(v).is_some_and(|x| !x.is_wholly_known()))
        .collect();
    if need.is_empty() {
        return None;
    }
    let loader = Loader::new(Options {
        command,
        outputs,
        base,
        mocks: true,
    });
    let cfg = loader.unit(unit);
    let (sources, errors) = loader.finish();
    let cfg = cfg.filter(|_| !errors.has_errors())?;
    let mocked_vars = super::unit_copy::inputs_as_variables(&cfg, root);
    let mut out = vars.clone();
    let mut uses = Vec::new();
    for name in &need {
        let Some(v) = mocked_vars.get(name) else {
            continue;
        };
        let found = mock_uses(&cfg, name);
        if found.is_empty() {
            continue;
        }
        out.insert(name.clone(), v.clone());
        uses.extend(found);
    }
    (!uses.is_empty()).then_some((out, Mocks { uses, sources }))
}

/// The mocked dependencies the input `name` reads.
fn mock_uses(cfg: &UnitConfig, name: &str) -> Vec<MockUse> {
    let Some(src) = cfg.input_sources.get(name) else {
        return Vec::new();
    };
    cfg.dependency
        .iter()
        .filter(|d| d.mocked && src.dependencies.contains(&d.name))
        .map(|d| MockUse {
            input: name.to_string(),
            dependency: d.name.clone(),
            mock: d.mock_outputs_span.unwrap_or(d.span),
            entry: src.span,
        })
        .collect()
}

impl Mocks {
    /// How `Plan::mocked` names each use: the input, the dependency and where its mock is.
    pub fn described(&self) -> Vec<String> {
        self.uses
            .iter()
            .map(|m| {
                format!(
                    "input \"{}\" from dependency \"{}\" mock_outputs at {}",
                    m.input,
                    m.dependency,
                    self.sources.location(m.mock)
                )
            })
            .collect()
    }

    /// One diagnostic per use, at the mock: a warning for a plan, an error for an apply.
    pub fn diagnostics(&self, refuse: bool) -> Diagnostics {
        let mut out = Diagnostics::new();
        for m in &self.uses {
            let what = format!(
                "The input \"{}\" feeds a value that must be known at plan time (a count or for_each), and the outputs of dependency \"{}\" it reads are not known yet, so its mock_outputs stand in.",
                m.input, m.dependency
            );
            let d = if refuse {
                Diagnostic::error("Plan uses mock outputs").detail(format!(
                    "{what} A plan made with a mock shows what the mock gives, not what the dependency will, and is not applied. Apply the dependency first."
                ))
            } else {
                Diagnostic::warning("Plan uses mock outputs").detail(format!(
                    "{what} This plan cannot be applied; once the dependency is applied, its real outputs are used."
                ))
            };
            out.push(d.subject(m.mock).related(m.entry, "the input is set here"));
        }
        out
    }
}
