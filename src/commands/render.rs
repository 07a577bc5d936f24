//! `hubctl render [--json] UNIT_DIR`: a Terragrunt unit's configuration fully resolved, for
//! review and debugging. Dependency outputs come from mocks (no state is read), else show
//! as known after apply; the units it depends on are read too, so a cycle is reported.

use super::common::{ERROR, OK};
use crate::args::RenderArgs;
use crate::views::Ui;
use hubctl_core::live::{discover, render_json, render_text, Loader, NoOutputs, Options};
use std::path::Path;

pub fn run(ui: &Ui, base: &Path, a: RenderArgs) -> u8 {
    let dir = base.join(&a.dir);
    let l = Loader::new(Options {
        command: "render",
        outputs: &NoOutputs,
        base,
        mocks: true,
    });
    let unit = discover(&l, std::slice::from_ref(&dir)).and_then(|_| l.unit(&dir));
    let (sources, diags) = l.finish();
    ui.diags(&diags, &sources);
    match unit {
        Some(u) if !diags.has_errors() => {
            if a.json {
                ui.json(&render_json(&u));
            } else {
                ui.out(render_text(&u));
            }
            OK
        }
        _ => ERROR,
    }
}
