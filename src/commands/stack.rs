//! The units a `--all` command takes: the Terragrunt units under a folder that the queue
//! globs select, with the units they depend on, and how a unit is named in output and globs.

use crate::views::Ui;
use hubctl_core::diag::Diagnostics;
use hubctl_core::live::{self, Loader, Options, QueueFilter};
use std::path::{Path, PathBuf};

/// The units under `dir` the queue globs select, and the units they depend on.
pub(super) fn load_stack(
    ui: &Ui,
    base: &Path,
    dir: &Path,
    filter: &QueueFilter,
) -> Option<live::Stack> {
    let loader = Loader::new(Options {
        command: "plan",
        outputs: &live::NoOutputs,
        base,
        mocks: false,
    });
    let roots: Vec<PathBuf> = live::units_under(&base.join(dir))
        .into_iter()
        .filter(|u| filter.included(&shown(base, u)))
        .collect();
    let stack = live::discover(&loader, &roots);
    let (sources, diags) = loader.finish();
    // Warnings are shown when each unit runs (`prepare`), once.
    ui.diags(&errors_only(&diags), &sources);
    stack.filter(|_| !diags.has_errors())
}

/// The errors among `d`, for a read of the units whose warnings are shown elsewhere.
pub(super) fn errors_only(d: &Diagnostics) -> Diagnostics {
    Diagnostics(d.0.iter().filter(|x| x.is_error()).cloned().collect())
}

/// A unit's directory relative to `base`, slash-separated (how units are shown and globbed).
pub(super) fn shown(base: &Path, unit: &Path) -> String {
    let dir = unit.parent().unwrap_or(unit);
    let rel = dir.strip_prefix(base).unwrap_or(dir);
    rel.to_string_lossy().replace('\\', "/")
}
