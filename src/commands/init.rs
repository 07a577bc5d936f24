//! `hubctl init [DIR] [-upgrade] [--bootstrap]`: installs the remote modules of the tree into
//! `.hubctl/modules/` (see `modules.rs`), then checks what the configured state backend
//! needs and, with `--bootstrap`, creates what is missing. A local backend needs nothing.
//! `--all` does the same for every Terragrunt unit under DIR (`init_all.rs`).

use super::common::{backend_block, load, s3_settings, ERROR, OK};
use crate::args::InitArgs;
use crate::views::Ui;
use hubctl_aws::state::bootstrap;
use hubctl_aws::state::clients::Clients;
use hubctl_aws::state::settings::S3Settings;
use hubctl_core::config::Config;
use hubctl_core::diag::{Diagnostic, SourceMap};
use std::path::Path;

pub async fn run(ui: &Ui, base: &Path, a: InitArgs) -> u8 {
    if a.all {
        return super::init_all::run(ui, base, a).await;
    }
    let (config, diags) = super::modules::install(ui, base, &a.dir, a.upgrade).await;
    ui.diags(&diags, &config.sources);
    if diags.has_errors() {
        return ERROR;
    }
    let Some(p) = load(ui, base, &a.dir) else {
        return ERROR;
    };
    match s3_backend(ui, &p.config, base, &a.dir) {
        Err(()) => ERROR,
        Ok(None) => {
            ui.line("The local backend needs no initialization.");
            OK
        }
        Ok(Some(s)) => {
            if !s3_ready(ui, &s, a.bootstrap, "hubctl init --bootstrap").await {
                return ERROR;
            }
            ui.line(format_args!(
                "{} The state lives at {}.",
                ui.green("The s3 backend is ready."),
                s.location()
            ));
            OK
        }
    }
}

/// The s3 settings of the configuration's backend block: `None` for the local backend,
/// `Err` once the problem is reported (an unsupported backend, a bad argument).
pub(super) fn s3_backend(
    ui: &Ui,
    config: &Config,
    base: &Path,
    dir: &Path,
) -> Result<Option<S3Settings>, ()> {
    let block = backend_block(config, base, dir).map_err(|d| ui.diags(&d, &config.sources))?;
    let Some(b) = block.filter(|b| b.kind != "local") else {
        return Ok(None);
    };
    if b.kind != "s3" {
        let d = Diagnostic::error("Unsupported backend")
            .detail(format!(
                "hubctl cannot initialize the backend \"{}\".",
                b.kind
            ))
            .subject(b.span);
        ui.diags(&d.into(), &config.sources);
        return Err(());
    }
    s3_settings(&b)
        .map(Some)
        .map_err(|d| ui.diags(&d, &config.sources))
}

/// Checks the key, bucket and table of `s` (creating what is missing with `create`) and
/// prints one line per finding; false when something is missing or a call failed, which
/// is reported with `again`, the command that creates what is missing.
pub(super) async fn s3_ready(ui: &Ui, s: &S3Settings, create: bool, again: &str) -> bool {
    let clients = Clients::new(s).await;
    let findings = match bootstrap::check(s, &clients, create).await {
        Ok(f) => f,
        Err(e) => {
            let d = Diagnostic::error("Backend initialization failed").detail(e.to_string());
            ui.diags(&d.into(), &SourceMap::new());
            return false;
        }
    };
    for f in &findings {
        ui.line(format_args!(
            "  {} {}",
            if f.ok { "ok  " } else { "MISSING" },
            f.message
        ));
    }
    let ready = findings.iter().all(|f| f.ok);
    if !ready {
        let d = Diagnostic::error("The s3 backend is not ready").detail(format!(
            "Run `{again}` to create what is missing, or fix the backend block."
        ));
        ui.diags(&d.into(), &SourceMap::new());
    }
    ready
}
