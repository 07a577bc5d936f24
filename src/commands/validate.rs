//! `hubctl validate`: load, resolve references, check every body against its schema with all
//! inputs unknown. No provider is called and no state is read.

use super::common::{load, make_run, ERROR, OK};
use crate::args::ValidateArgs;
use crate::views::{Progress, Ui};
use hubctl_core::diag::{render_json, Diagnostics};
use hubctl_core::plan::driver::walk;
use hubctl_core::plan::walk::{Silent, WalkMode};
use hubctl_core::state::State;
use std::collections::BTreeMap;
use std::sync::Arc;

pub async fn run(ui: &Ui, a: ValidateArgs) -> u8 {
    if a.json {
        let (p, diags) = hubctl_core::plan::driver::prepare(&a.dir, &super::common::registry());
        let (diags, sources) = match p {
            Some(p) => {
                let run = make_run(
                    &p,
                    &a.dir,
                    WalkMode::Validate,
                    BTreeMap::new(),
                    State::new(),
                    1,
                    None,
                    Arc::new(Silent),
                );
                let mut all = diags;
                all.extend(walk(Arc::new(run), vec![]).await.diags);
                (all, p.config.sources.clone())
            }
            None => (diags, hubctl_core::config::load(&a.dir).0.sources),
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&render_json(&diags, &sources)).unwrap_or_default()
        );
        return if diags.has_errors() { ERROR } else { OK };
    }
    let Some(p) = load(ui, &a.dir) else {
        return ERROR;
    };
    let _ = Progress::new(false);
    let run = make_run(
        &p,
        &a.dir,
        WalkMode::Validate,
        BTreeMap::new(),
        State::new(),
        1,
        None,
        Arc::new(Silent),
    );
    let res = walk(Arc::new(run), vec![]).await;
    let diags: Diagnostics = res.diags;
    ui.diags(&diags, &p.config.sources);
    if diags.has_errors() {
        return ERROR;
    }
    println!("{} The configuration is valid.", ui.green("Success!"));
    OK
}
