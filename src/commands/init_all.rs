//! `hubctl init --all DIR [--bootstrap] [-upgrade]`: what Terragrunt's `run --all init`
//! prepares, without a `terraform` per unit. Each unit under DIR gets its remote source
//! downloaded (`live/source.rs`), its working copy with the generated files, and its remote
//! modules installed there; then each distinct state backend the units name (the same
//! bucket, table and key, whatever each unit's object key) is checked once and, with
//! `--bootstrap`, its missing parts are created.

use super::common::{ERROR, OK};
use super::init::{s3_backend, s3_ready};
use super::stack::{load_stack, shown};
use super::unit_copy::working_copy;
use crate::args::InitArgs;
use crate::views::Ui;
use hubctl_aws::state::settings::S3Settings;
use hubctl_core::diag::SourceMap;
use hubctl_core::live::{self, Loader, Options, QueueFilter};
use std::path::Path;

/// One backend and the units whose states it holds.
struct Shared {
    settings: S3Settings,
    units: Vec<String>,
}

pub async fn run(ui: &Ui, base: &Path, a: InitArgs) -> u8 {
    let filter = match QueueFilter::new(&a.queue.include, &a.queue.exclude) {
        Ok(f) => f,
        Err(d) => {
            ui.diags(&d.into(), &SourceMap::new());
            return ERROR;
        }
    };
    let Some(stack) = load_stack(ui, base, &a.dir, &filter) else {
        return ERROR;
    };
    let mut backends: Vec<Shared> = Vec::new();
    let (mut done, mut failed) = (0, 0);
    for &i in &stack.order {
        let name = shown(base, &stack.units[i].path);
        if filter.excluded(&name) {
            continue;
        }
        ui.line(format_args!("\n=== {name} ==="));
        match unit_backend(ui, base, &stack.units[i].path, a.upgrade).await {
            Err(()) => failed += 1,
            Ok(None) => {
                done += 1;
                ui.line("The local backend needs no initialization.");
            }
            Ok(Some(s)) => {
                done += 1;
                share(&mut backends, s, name);
            }
        }
    }
    let again = "hubctl init --all --bootstrap";
    let mut not_ready = 0;
    for b in &backends {
        let s = &b.settings;
        ui.line(format_args!(
            "\nBackend s3://{} for {}:",
            s.bucket,
            b.units.join(", ")
        ));
        if s3_ready(ui, s, a.bootstrap, again).await {
            ui.line(ui.green("The s3 backend is ready."));
        } else {
            not_ready += 1;
        }
    }
    ui.line(format_args!(
        "\nUnits: {done} initialized, {failed} failed; backends: {} ready, {not_ready} not ready.",
        backends.len() - not_ready
    ));
    if failed + not_ready > 0 {
        ERROR
    } else {
        OK
    }
}

/// Adds `unit` to the backend with the same settings but the object key, or a new one.
fn share(backends: &mut Vec<Shared>, mut settings: S3Settings, unit: String) {
    settings.key.clear();
    match backends.iter_mut().find(|b| b.settings == settings) {
        Some(b) => b.units.push(unit),
        None => backends.push(Shared {
            settings,
            units: vec![unit],
        }),
    }
}

/// The unit's working copy written and its modules installed; its backend's settings.
/// Dependency outputs are not read: a backend does not depend on them, and on a fresh
/// environment there are none.
async fn unit_backend(
    ui: &Ui,
    base: &Path,
    unit: &Path,
    upgrade: bool,
) -> Result<Option<S3Settings>, ()> {
    let loader = Loader::new(Options {
        command: "init",
        outputs: &live::NoOutputs,
        base,
        mocks: false,
    });
    let cfg = loader.unit(unit);
    let (sources, diags) = loader.finish();
    ui.diags(&diags, &sources);
    let cfg = cfg.filter(|_| !diags.has_errors()).ok_or(())?;
    let remote = live::remote_source(&cfg).map_err(|d| ui.diags(&d.into(), &sources))?;
    if let Some(p) = remote {
        let unit_dir = unit.parent().unwrap_or(base);
        super::modules::install_unit_source(ui, unit_dir, &p, upgrade)
            .await
            .map_err(|d| ui.diags(&d.into(), &sources))?;
    }
    let work = working_copy(&cfg).map_err(|d| ui.diags(&d.into(), &sources))?;
    let work = work.strip_prefix(base).unwrap_or(&work).to_path_buf();
    let (config, diags) = super::modules::install(ui, base, &work, upgrade).await;
    ui.diags(&diags, &config.sources);
    if diags.has_errors() {
        return Err(());
    }
    s3_backend(ui, &config, base, &work)
}
