//! `init`'s module step: installs remote modules into `.hubctl/modules/` through the engine's
//! installer, with HTTPS and git from hubctl-fetch and `s3::` from hubctl-aws.

use crate::views::Ui;
use hubctl_core::config::Config;
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

/// Installs the tree's modules, printing Terraform's progress lines; the configuration as
/// loaded afterwards (offline, from the manifest) comes back with every diagnostic.
pub async fn install(ui: &Ui, base: &Path, dir: &Path, upgrade: bool) -> (Config, Diagnostics) {
    let net = match hubctl_fetch::Net::new() {
        Ok(n) => n,
        Err(e) => {
            let d = Diagnostic::error("Cannot set up HTTPS").detail(e);
            return (Config::default(), d.into());
        }
    };
    let fetcher = CliFetcher { net };
    ui.line(if upgrade {
        "Upgrading modules..."
    } else {
        "Initializing modules..."
    });
    let on = |e: Event| match e {
        Event::Downloading {
            key,
            source,
            version,
        } => match version {
            Some(v) => ui.line(format_args!("Downloading {source} {v} for {key}...")),
            None => ui.line(format_args!("Downloading {source} for {key}...")),
        },
        Event::Installed { key, dir } => ui.line(format_args!("- {key} in {dir}")),
    };
    install::install(base, dir, &fetcher, upgrade, &on).await
}
