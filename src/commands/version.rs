//! `hubctl version [-json]`: what a pipeline pins and checks. The commit and its date are
//! stamped at build time (`build.rs`).

use super::common::OK;
use crate::args::VersionArgs;
use crate::views::Ui;

/// Terraform's platform names (`linux_amd64`, `darwin_arm64`).
fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

pub fn run(ui: &Ui, a: VersionArgs) -> u8 {
    let (version, commit, date) = (
        env!("CARGO_PKG_VERSION"),
        env!("HUBCTL_COMMIT"),
        env!("HUBCTL_BUILD_DATE"),
    );
    if a.json {
        ui.json(&serde_json::json!({
            "hubctl_version": version,
            "commit": commit,
            "build_date": date,
            "platform": platform(),
        }));
    } else {
        ui.line(format_args!("hubctl v{version}"));
        ui.line(format_args!("commit {commit} of {date}"));
        ui.line(format_args!("on {}", platform()));
    }
    OK
}
