//! `hubctl validate`: load, resolve references, check every body against its schema with all
//! inputs unknown. No provider is called and no state is read.

use super::common::{load, make_run, Walk, ERROR, OK};
use crate::args::ValidateArgs;
use crate::views::{Progress, Ui};
use hubctl_core::diag::{render_json, Diagnostics};
use hubctl_core::plan::driver::validate;
use hubctl_core::state::State;
use hubctl_core::walk::Mode;
use std::collections::BTreeMap;
use std::path::Path;

pub async fn run(ui: &Ui, base: &Path, a: ValidateArgs) -> u8 {
    if a.json {
        let registry = super::common::registry();
        let (p, diags) = hubctl_core::plan::driver::prepare_in(base, &a.dir, &registry);
        let (diags, sources) = match p {
            Some(p) => {
                let (run, _) = make_run(&p, validate_walk(base, &a.dir), State::new());
                let mut all = diags;
                all.extend(validate(run).await);
                (all, p.config.sources.clone())
            }
            None => (diags, hubctl_core::config::load_in(base, &a.dir).0.sources),
        };
        ui.json(&render_json(&diags, &sources));
        return if diags.has_errors() { ERROR } else { OK };
    }
    let Some(p) = load(ui, base, &a.dir) else {
        return ERROR;
    };
    let _ = Progress::new(false);
    let (run, _) = make_run(&p, validate_walk(base, &a.dir), State::new());
    let diags: Diagnostics = validate(run).await;
    ui.diags(&diags, &p.config.sources);
    if diags.has_errors() {
        return ERROR;
    }
    ui.line(format_args!(
        "{} The configuration is valid.",
        ui.green("Success!")
    ));
    OK
}

/// A walk with every input unknown and no state.
fn validate_walk<'a>(base: &'a Path, dir: &'a Path) -> Walk<'a> {
    Walk {
        base,
        dir,
        mode: Mode::Validate,
        destroy: false,
        vars: BTreeMap::new(),
        parallelism: 1,
        select: Default::default(),
    }
}
