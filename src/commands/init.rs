//! `hubctl init [DIR] [-upgrade] [--bootstrap]`: installs the remote modules of the tree into
//! `.hubctl/modules/` (see `modules.rs`), then checks what the configured state backend
//! needs and, with `--bootstrap`, creates what is missing. A local backend needs nothing.

use super::common::{backend_block, load, s3_settings, ERROR, OK};
use crate::args::InitArgs;
use crate::views::Ui;
use hubctl_aws::state::bootstrap;
use hubctl_aws::state::clients::Clients;
use hubctl_core::diag::{Diagnostic, SourceMap};

pub async fn run(ui: &Ui, base: &std::path::Path, a: InitArgs) -> u8 {
    let (config, diags) = super::modules::install(ui, base, &a.dir, a.upgrade).await;
    ui.diags(&diags, &config.sources);
    if diags.has_errors() {
        return ERROR;
    }
    let Some(p) = load(ui, base, &a.dir) else {
        return ERROR;
    };
    let block = match backend_block(&p.config, base, &a.dir) {
        Ok(b) => b,
        Err(d) => {
            ui.diags(&d, &p.config.sources);
            return ERROR;
        }
    };
    let Some(b) = block.filter(|b| b.kind != "local") else {
        ui.line("The local backend needs no initialization.");
        return OK;
    };
    if b.kind != "s3" {
        ui.diags(
            &Diagnostic::error("Unsupported backend")
                .detail(format!(
                    "hubctl cannot initialize the backend \"{}\".",
                    b.kind
                ))
                .subject(b.span)
                .into(),
            &p.config.sources,
        );
        return ERROR;
    }
    let s = match s3_settings(&b) {
        Ok(s) => s,
        Err(d) => {
            ui.diags(&d, &p.config.sources);
            return ERROR;
        }
    };
    let clients = Clients::new(&s).await;
    let findings = match bootstrap::check(&s, &clients, a.bootstrap).await {
        Ok(f) => f,
        Err(e) => {
            ui.diags(
                &Diagnostic::error("Backend initialization failed")
                    .detail(e.to_string())
                    .into(),
                &SourceMap::new(),
            );
            return ERROR;
        }
    };
    for f in &findings {
        ui.line(format_args!(
            "  {} {}",
            if f.ok { "ok  " } else { "MISSING" },
            f.message
        ));
    }
    if findings.iter().all(|f| f.ok) {
        ui.line(format_args!(
            "{} The state lives at {}.",
            ui.green("The s3 backend is ready."),
            s.location()
        ));
        OK
    } else {
        ui.diags(
            &Diagnostic::error("The s3 backend is not ready")
                .detail("Run `hubctl init --bootstrap` to create what is missing, or fix the backend block.")
                .into(),
            &SourceMap::new(),
        );
        ERROR
    }
}
