//! `init`'s module step: installs remote modules into `.hubctl/modules/` through the engine's
//! installer, with HTTPS and git from hubctl-fetch and `s3::` from hubctl-aws.

use crate::views::Ui;
use hubctl_core::config::{Config, Pending};
use hubctl_core::diag::{Diagnostic, Diagnostics};
use hubctl_core::sources::install::{self, Event, Fetcher};
use hubctl_core::sources::{Getter, RegistryAddr, RemoteAddr};
use std::path::Path;

struct CliFetcher {
    net: hubctl_fetch::Net,
}

#[async_trait::async_trait]
impl Fetcher for CliFetcher {
    async fn versions(&self, pkg: &RegistryAddr) -> Result<Vec<String>, String> {
        self.net.registry_versions(pkg).await
    }
    async fn download_address(&self, pkg: &RegistryAddr, version: &str) -> Result<String, String> {
        self.net.registry_download(pkg, version).await
    }
    async fn fetch(&self, remote: &RemoteAddr, dest: &Path) -> Result<(), String> {
        match remote.getter {
            Getter::S3 => hubctl_aws::module_source::fetch(&remote.url, dest).await,
            _ => self.net.fetch(remote, dest).await,
        }
    }
}

fn fetcher() -> Result<CliFetcher, Diagnostic> {
    hubctl_fetch::Net::new()
        .map(|net| CliFetcher { net })
        .map_err(|e| Diagnostic::error("Cannot set up HTTPS").detail(e))
}

/// Installs the tree's modules, printing Terraform's progress lines; the configuration as
/// loaded afterwards (offline, from the manifest) comes back with every diagnostic.
pub async fn install(ui: &Ui, base: &Path, dir: &Path, upgrade: bool) -> (Config, Diagnostics) {
    let fetcher = match fetcher() {
        Ok(f) => f,
        Err(d) => return (Config::default(), d.into()),
    };
    ui.line(if upgrade {
        "Upgrading modules..."
    } else {
        "Initializing modules..."
    });
    install::install(base, dir, &fetcher, upgrade, &|e| progress(ui, e)).await
}

/// Downloads a Terragrunt unit's remote source into `unit_dir`/.hubctl/modules/source,
/// unless what is installed there still serves it (and not `upgrade`).
pub async fn install_unit_source(
    ui: &Ui,
    unit_dir: &Path,
    p: &Pending,
    upgrade: bool,
) -> Result<(), Diagnostic> {
    let fetcher = fetcher()?;
    install::install_package(unit_dir, p, &fetcher, upgrade, &|e| progress(ui, e))
        .await
        .map(|_| ())
        .map_err(|d| *d)
}

/// Terraform's init lines for a download and an installation.
fn progress(ui: &Ui, e: Event) {
    match e {
        Event::Downloading {
            key,
            source,
            version,
        } => match version {
            Some(v) => ui.line(format_args!("Downloading {source} {v} for {key}...")),
            None => ui.line(format_args!("Downloading {source} for {key}...")),
        },
        Event::Installed { key, dir } => ui.line(format_args!("- {key} in {dir}")),
    }
}
