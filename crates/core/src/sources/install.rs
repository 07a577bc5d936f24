//! `init`'s module installation: load the tree, install what is missing or no longer matches
//! (registry: list versions, choose the newest allowed, ask for the download address), load
//! again to find the modules those modules call, until nothing is pending. Packages land in
//! `.hubctl/modules/<key>` and the manifest is rewritten. The network is behind [`Fetcher`],
//! which lives outside the engine crate (HTTPS and git in hubctl-fetch, S3 in hubctl-aws).

use super::addr::{self, RegistryAddr, RemoteAddr, Source};
use super::manifest::{Manifest, Record};
use super::version::Version;
use crate::config::{load_for_init, Config, Pending};
use crate::diag::{Diagnostic, Diagnostics};
use std::path::Path;

/// Where packages are unpacked, relative to the root module's directory.
pub const MODULES_DIR: &str = ".hubctl/modules";

/// Modules calling modules deeper than this are taken for a loop.
const MAX_ROUNDS: usize = 32;

/// The network side of installation. Errors are sentences naming what failed (DNS, TLS,
/// HTTP status, git's own message) without the module's location, which the caller adds.
#[async_trait::async_trait]
pub trait Fetcher: Send + Sync {
    /// The versions a registry lists for a module package.
    async fn versions(&self, pkg: &RegistryAddr) -> Result<Vec<String>, String>;
    /// The package address (`X-Terraform-Get`) of one version.
    async fn download_address(&self, pkg: &RegistryAddr, version: &str) -> Result<String, String>;
    /// Places the whole package of `remote` (ignoring its subdir) into `dest`, which exists
    /// and is empty.
    async fn fetch(&self, remote: &RemoteAddr, dest: &Path) -> Result<(), String>;
}

/// What installation reports as it goes (Terraform's init lines).
pub enum Event<'a> {
    Downloading {
        key: &'a str,
        source: &'a str,
        version: Option<&'a str>,
    },
    Installed {
        key: &'a str,
        dir: &'a str,
    },
}

/// Installs the modules of the configuration in `base`/`dir`. With `upgrade`, every remote
/// module is resolved again; otherwise recorded ones that still match are kept.
pub async fn install(
    base: &Path,
    dir: &Path,
    fetcher: &dyn Fetcher,
    upgrade: bool,
    on: &(dyn Fn(Event) + Send + Sync),
) -> (Config, Diagnostics) {
    let root = base.join(dir);
    let mut manifest = match (upgrade, Manifest::read(&root)) {
        (false, Ok(Some((m, _)))) => m,
        (_, Err(e)) if !upgrade => {
            let d = Diagnostic::error("Unreadable module manifest").detail(e);
            return (Config::default(), d.into());
        }
        _ => Manifest::default(),
    };
    let mut done: Vec<String> = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let (config, mut diags, pending) = load_for_init(base, dir, &manifest);
        if pending.is_empty() || diags.has_errors() {
            return finish(&root, manifest, config, diags);
        }
        for p in pending {
            if done.contains(&p.key) {
                continue;
            }
            match install_one(&root, &p, fetcher, on).await {
                Ok(rec) => {
                    on(Event::Installed {
                        key: &rec.key,
                        dir: &rec.dir,
                    });
                    done.push(rec.key.clone());
                    manifest.put(rec);
                }
                Err(d) => diags.push(*d),
            }
        }
        if diags.has_errors() {
            return (config, diags);
        }
    }
    let d = Diagnostic::error("Module tree too deep").detail(format!(
        "Modules call modules more than {MAX_ROUNDS} levels deep, which looks like a module \
         calling itself through remote sources."
    ));
    (Config::default(), d.into())
}

/// Installs one package outside a module tree (a Terragrunt unit's remote `source`) into
/// `root/.hubctl/modules/<key>`, recorded in `root`'s manifest. An installation that still
/// serves the request is kept unless `upgrade`.
pub async fn install_package(
    root: &Path,
    p: &Pending,
    fetcher: &dyn Fetcher,
    upgrade: bool,
    on: &(dyn Fn(Event) + Send + Sync),
) -> Result<Record, Box<Diagnostic>> {
    let mut manifest = match (upgrade, Manifest::read(root)) {
        (false, Err(e)) => {
            return Err(Box::new(
                Diagnostic::error("Unreadable module manifest")
                    .detail(e)
                    .subject(p.span),
            ))
        }
        (_, Ok(Some((m, _)))) => m,
        _ => Manifest::default(),
    };
    if let Some(rec) = manifest.get(&p.key).filter(|_| !upgrade) {
        if rec.serves(&p.source, p.version.as_ref()) {
            return Ok(rec.clone());
        }
    }
    let rec = install_one(root, p, fetcher, on).await?;
    on(Event::Installed {
        key: &rec.key,
        dir: &rec.dir,
    });
    manifest.put(rec.clone());
    manifest.write(root).map_err(|e| {
        let file = root.join(super::manifest::HUBCTL_MANIFEST);
        fail(
            p,
            "Cannot write the module manifest",
            format!("Writing {}: {e}.", file.display()),
        )
    })?;
    Ok(rec)
}

fn finish(
    root: &Path,
    m: Manifest,
    config: Config,
    mut diags: Diagnostics,
) -> (Config, Diagnostics) {
    // A tree with no remote modules gets no `.hubctl/` at all (the backend may be remote).
    let file = root.join(super::manifest::HUBCTL_MANIFEST);
    if m.modules.is_empty() && !file.exists() {
        return (config, diags);
    }
    if let Err(e) = m.write(root) {
        diags.push(
            Diagnostic::error("Cannot write the module manifest").detail(format!(
                "Writing {}: {e}.",
                root.join(super::manifest::HUBCTL_MANIFEST).display()
            )),
        );
    }
    (config, diags)
}

type Failed = Box<Diagnostic>;

fn fail(p: &Pending, summary: &str, detail: String) -> Failed {
    Box::new(Diagnostic::error(summary).detail(detail).subject(p.span))
}

/// Resolves and downloads one module into `.hubctl/modules/<key>`, returning its record.
async fn install_one(
    root: &Path,
    p: &Pending,
    fetcher: &dyn Fetcher,
    on: &(dyn Fn(Event) + Send + Sync),
) -> Result<Record, Failed> {
    let (remote, subdir, version) = match &p.source {
        Source::Registry(r) => {
            let (remote, v) = resolve_registry(p, r, fetcher).await?;
            let sub = join_subdirs(r.subdir.as_deref(), remote.subdir.as_deref());
            (remote, sub, Some(v))
        }
        Source::Remote(r) => (r.clone(), r.subdir.clone(), None),
        Source::Local(_) => unreachable!("local modules are never pending"),
    };
    let source = p.source.to_string();
    on(Event::Downloading {
        key: &p.key,
        source: &source,
        version: version.as_deref(),
    });
    let rel = format!("{MODULES_DIR}/{}", p.key);
    let dest = root.join(&rel);
    let fresh = std::fs::remove_dir_all(&dest)
        .or_else(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Ok(())
            } else {
                Err(e)
            }
        })
        .and_then(|()| std::fs::create_dir_all(&dest));
    if let Err(e) = fresh {
        return Err(fail(
            p,
            "Failed to download module",
            format!("Preparing {}: {e}.", dest.display()),
        ));
    }
    if let Err(e) = fetcher.fetch(&remote, &dest).await {
        let _ = std::fs::remove_dir_all(&dest);
        return Err(fail(
            p,
            "Failed to download module",
            format!(
                "Could not download module \"{}\" source code from \"{remote}\": {e}",
                p.name
            ),
        ));
    }
    let dir = match &subdir {
        Some(s) => format!("{rel}/{s}"),
        None => rel,
    };
    if !root.join(&dir).is_dir() {
        return Err(fail(
            p,
            "Unreadable module subdirectory",
            format!(
                "The directory {dir} does not exist. The target submodule {} does not exist \
                 within the target module.",
                subdir.unwrap_or_default()
            ),
        ));
    }
    Ok(Record {
        key: p.key.clone(),
        source,
        version,
        dir,
    })
}

/// The newest version the constraint allows and the package it downloads from.
async fn resolve_registry(
    p: &Pending,
    r: &RegistryAddr,
    fetcher: &dyn Fetcher,
) -> Result<(RemoteAddr, String), Failed> {
    let listed = fetcher.versions(r).await.map_err(|e| {
        fail(
            p,
            "Error accessing remote module registry",
            format!(
                "Failed to retrieve available versions for module \"{}\" from {}: {e}.",
                p.name, r.host
            ),
        )
    })?;
    let mut versions: Vec<Version> = listed
        .iter()
        .filter_map(|v| Version::parse(v).ok())
        .collect();
    versions.sort();
    let releases: Vec<&Version> = versions
        .iter()
        .filter(|v| v.prerelease().is_empty())
        .collect();
    let chosen = match &p.version {
        Some(c) => c.newest(&versions),
        None => releases.last().copied(),
    };
    let Some(chosen) = chosen else {
        if versions.is_empty() {
            return Err(fail(
                p,
                "Module has no versions",
                format!(
                    "Module \"{}\" has no versions available on {}.",
                    r.package(),
                    r.host
                ),
            ));
        }
        let list: Vec<String> = versions.iter().map(Version::to_string).collect();
        return Err(fail(
            p,
            "Unresolvable module version constraint",
            format!(
                "There is no available version of module \"{}\" which matches the given \
                 version constraint \"{}\". The newest available version is {}. Available \
                 versions: {}.",
                r.package(),
                p.version.as_ref().map_or("", |c| c.as_str()),
                versions.last().expect("not empty"),
                list.join(", ")
            ),
        ));
    };
    let version = listed
        .iter()
        .find(|v| Version::parse(v).is_ok_and(|x| &x == chosen))
        .cloned()
        .unwrap_or_else(|| chosen.to_string());
    let raw = fetcher.download_address(r, &version).await.map_err(|e| {
        fail(
            p,
            "Error accessing remote module registry",
            format!(
                "Failed to retrieve a download URL for {} {version} from {}: {e}.",
                r.package(),
                r.host
            ),
        )
    })?;
    match addr::parse(&raw) {
        Ok(Source::Remote(remote)) => Ok((remote, chosen.to_string())),
        Ok(_) => Err(fail(p, "Invalid package location from module registry", format!("Module registry {} returned invalid source location \"{raw}\" for {} {version}: must be a direct remote package address.", r.host, r.package()))),
        Err(e) => Err(fail(p, "Invalid package location from module registry", format!("Module registry {} returned invalid source location \"{raw}\" for {} {version}: {e}", r.host, r.package()))),
    }
}

fn join_subdirs(a: Option<&str>, b: Option<&str>) -> Option<String> {
    match (b, a) {
        (Some(x), Some(y)) => Some(format!("{x}/{y}")),
        (x, y) => x.or(y).map(str::to_string),
    }
}

#[cfg(test)]
#[path = "install_tests.rs"]
mod tests;
