//! A unit's remote `terraform { source }` (git, HTTPS archives, `s3::`, and the registry
//! through Terragrunt's `tfr://`): `hubctl init --all` downloads the package into
//! `<unit>/.hubctl/modules/source` and records it in the unit's own module manifest, as
//! Terragrunt keeps its download in `.terragrunt-cache`. Later commands read only that
//! record, offline, and ask for `init` when the source or version moved, as module calls do.

use super::model::{Terraform, UnitConfig};
use crate::config::Pending;
use crate::diag::{Diagnostic, FileId, Span};
use crate::sources::addr::{self, Source};
use crate::sources::install::MODULES_DIR;
use crate::sources::{Constraints, Manifest};
use std::path::{Path, PathBuf};

/// The manifest key (and folder under `.hubctl/modules`) of a unit's source package.
pub const SOURCE_KEY: &str = "source";

const RUN_INIT: &str = "Run \"hubctl init --all\" to download the unit's source.";

/// Whether a source names a folder on disk rather than a package to download.
pub(super) fn is_local(source: &str) -> bool {
    source.starts_with('/') || source.starts_with("./") || source.starts_with("../")
}

/// The download a unit's source asks for; `None` for a local source or none.
pub fn remote_source(u: &UnitConfig) -> Result<Option<Pending>, Diagnostic> {
    let Some(t) = u.terraform.as_ref() else {
        return Ok(None);
    };
    let Some(source) = t.source.as_deref().filter(|s| !is_local(s)) else {
        return Ok(None);
    };
    // Every source comes from an attribute, so it has a span; the fallback is never shown.
    let span = t.source_span.unwrap_or(Span::new(FileId(0), 0..0));
    let (source, version) = parse(source).map_err(|e| {
        Diagnostic::error("Invalid unit source")
            .detail(e)
            .subject_opt(t.source_span)
    })?;
    let name = u
        .path
        .parent()
        .and_then(Path::file_name)
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    Ok(Some(Pending {
        key: SOURCE_KEY.to_string(),
        name,
        source,
        version,
        span,
    }))
}

/// A unit source as a package address and version constraint. `tfr://` carries its
/// version in `?version=`; a bare `NS/NAME/PROVIDER` is a path to go-getter, so it is
/// refused instead of being guessed at.
fn parse(s: &str) -> Result<(Source, Option<Constraints>), String> {
    if s.starts_with("tfr://") {
        let t = addr::parse_tfr(s)?;
        let version = t.version.as_deref().map(Constraints::parse).transpose()?;
        return Ok((Source::Registry(t.addr), version));
    }
    match addr::parse(s)? {
        Source::Remote(r) => Ok((Source::Remote(r), None)),
        _ => Err(format!(
            "The source \"{s}\" is neither a local path (/, ./ or ../) nor a remote address \
             (git::, https://, s3::, github.com/...); for a registry module write \
             tfr:///NAMESPACE/NAME/PROVIDER?version=V."
        )),
    }
}

/// The installed package of a unit's remote source and the module's folder inside it, or
/// the error asking for `init` (at the source) when it is not installed or no longer matches.
pub(super) fn installed(
    u: &UnitConfig,
    t: &Terraform,
) -> Result<(PathBuf, Option<String>), Diagnostic> {
    let p = remote_source(u)?.expect("a remote source");
    let unit_dir = u.path.parent().unwrap_or(Path::new("/"));
    let err = |summary: &str, detail: String| {
        Diagnostic::error(summary)
            .detail(format!("{detail} {RUN_INIT}"))
            .subject_opt(t.source_span)
    };
    let manifest = Manifest::read(unit_dir)
        .map_err(|e| err("Unreadable module manifest", e))?
        .map(|(m, _)| m)
        .unwrap_or_default();
    let Some(rec) = manifest.get(SOURCE_KEY) else {
        return Err(err(
            "Unit source not installed",
            format!("The source {} is not downloaded yet.", p.source),
        ));
    };
    if !rec.serves(&p.source, p.version.as_ref()) {
        return Err(err(
            "Unit source has changed",
            format!(
                "The installed source is {}{}, and the unit asks for {}{}.",
                rec.source,
                rec.version
                    .as_deref()
                    .map_or(String::new(), |v| format!(" {v}")),
                p.source,
                p.version
                    .as_ref()
                    .map_or(String::new(), |c| format!(" ({})", c.as_str()))
            ),
        ));
    }
    let package = format!("{MODULES_DIR}/{SOURCE_KEY}");
    let sub = rec
        .dir
        .strip_prefix(&package)
        .and_then(|s| s.strip_prefix('/'))
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    Ok((unit_dir.join(package), sub))
}
