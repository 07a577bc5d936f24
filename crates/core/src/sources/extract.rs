//! Safe extraction of downloaded module archives (`.tar.gz`/`.tgz`, `.tar`, `.zip`) with the
//! `tar`, `flate2` and `zip` crates. Every entry is checked before anything is written: no
//! absolute path and no `..` (zip-slip), no entry below a symlink of the archive, symlinks
//! only relative and resolving inside the module directory, no hard links or devices, and
//! bounded entry count and unpacked size.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Bounds on what one archive may unpack to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: u64,
    pub max_entries: usize,
}

impl Default for Limits {
    /// 512 MiB and 100,000 entries: well above any real module, far below a full disk.
    fn default() -> Self {
        Limits {
            max_bytes: 512 << 20,
            max_entries: 100_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    TarGz,
    Tar,
    Zip,
}

impl ArchiveKind {
    /// From go-getter's `?archive=` value or the URL path's extension.
    pub fn detect(base_url: &str, archive_query: Option<&str>) -> Option<ArchiveKind> {
        let name = archive_query.unwrap_or(base_url);
        let name = name.to_ascii_lowercase();
        [
            ("tar.gz", ArchiveKind::TarGz),
            ("tgz", ArchiveKind::TarGz),
            ("tar", ArchiveKind::Tar),
            ("zip", ArchiveKind::Zip),
        ]
        .into_iter()
        .find(|(ext, _)| name == *ext || name.ends_with(&format!(".{ext}")))
        .map(|(_, k)| k)
    }
}

/// Extracts `data` into `dest` (created if missing). The error is a sentence naming the
/// offending entry.
pub fn extract(kind: ArchiveKind, data: &[u8], dest: &Path, limits: Limits) -> Result<(), String> {
    std::fs::create_dir_all(dest).map_err(|e| format!("Creating {}: {e}", dest.display()))?;
    let mut w = Writer {
        dest,
        limits,
        bytes: 0,
        entries: 0,
        links: HashSet::new(),
    };
    match kind {
        ArchiveKind::TarGz => w.tar(flate2::read::GzDecoder::new(data)),
        ArchiveKind::Tar => w.tar(data),
        ArchiveKind::Zip => w.zip(data),
    }
}

struct Writer<'a> {
    dest: &'a Path,
    limits: Limits,
    bytes: u64,
    entries: usize,
    /// Symlinks written so far (relative paths): nothing may be unpacked below one.
    links: HashSet<PathBuf>,
}

impl Writer<'_> {
    fn tar(&mut self, r: impl Read) -> Result<(), String> {
        let mut ar = tar::Archive::new(r);
        let entries = ar
            .entries()
            .map_err(|e| format!("Not a tar archive: {e}"))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| format!("Broken tar archive: {e}"))?;
            let raw = entry.path_bytes().into_owned();
            let name = String::from_utf8_lossy(&raw).into_owned();
            let kind = entry.header().entry_type();
            if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
                continue;
            }
            let rel = self.entry_path(&name)?;
            if kind.is_dir() {
                self.dir(&rel)?;
            } else if kind.is_file() || kind == tar::EntryType::Continuous {
                self.file(&rel, &name, &mut entry)?;
            } else if kind.is_symlink() {
                let target = entry
                    .link_name()
                    .map_err(|e| format!("Broken tar entry \"{name}\": {e}"))?
                    .ok_or_else(|| format!("The symlink \"{name}\" has no target."))?;
                self.symlink(&rel, &name, &target.to_string_lossy())?;
            } else {
                return Err(format!(
                    "The archive entry \"{name}\" is a {kind:?}; only files, directories and \
                     symlinks may be unpacked."
                ));
            }
        }
        Ok(())
    }

    fn zip(&mut self, data: &[u8]) -> Result<(), String> {
        let mut ar = zip::ZipArchive::new(std::io::Cursor::new(data))
            .map_err(|e| format!("Not a zip archive: {e}"))?;
        for i in 0..ar.len() {
            let mut f = ar
                .by_index(i)
                .map_err(|e| format!("Broken zip archive: {e}"))?;
            let name = f.name().to_string();
            let rel = self.entry_path(&name)?;
            if f.is_symlink() {
                let mut target = String::new();
                f.read_to_string(&mut target)
                    .map_err(|e| format!("Broken zip entry \"{name}\": {e}"))?;
                self.symlink(&rel, &name, &target)?;
            } else if f.is_dir() {
                self.dir(&rel)?;
            } else {
                self.file(&rel, &name, &mut f)?;
            }
        }
        Ok(())
    }

    /// The entry's path relative to `dest`, refused when absolute, climbing, or below a
    /// symlink of this archive.
    fn entry_path(&mut self, name: &str) -> Result<PathBuf, String> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(format!(
                "The archive has more than {} entries.",
                self.limits.max_entries
            ));
        }
        let mut rel = PathBuf::new();
        for c in Path::new(name).components() {
            match c {
                Component::Normal(p) => rel.push(p),
                Component::CurDir => {}
                _ => {
                    return Err(format!(
                        "The archive entry \"{name}\" points outside the module directory \
                         (absolute or \"..\" paths are refused)."
                    ))
                }
            }
        }
        if rel.ancestors().skip(1).any(|a| self.links.contains(a)) {
            return Err(format!(
                "The archive entry \"{name}\" lies below a symlink of the same archive, \
                 which could lead outside the module directory."
            ));
        }
        Ok(rel)
    }

    fn dir(&mut self, rel: &Path) -> Result<(), String> {
        let p = self.dest.join(rel);
        std::fs::create_dir_all(&p).map_err(|e| format!("Creating {}: {e}", p.display()))
    }

    fn file(&mut self, rel: &Path, name: &str, r: &mut impl Read) -> Result<(), String> {
        if rel.as_os_str().is_empty() {
            return Ok(());
        }
        let p = self.dest.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("Creating {}: {e}", parent.display()))?;
        }
        let mut out =
            std::fs::File::create(&p).map_err(|e| format!("Creating {}: {e}", p.display()))?;
        let room = self.limits.max_bytes - self.bytes;
        let n = std::io::copy(&mut r.take(room + 1), &mut out)
            .map_err(|e| format!("Unpacking \"{name}\": {e}"))?;
        if n > room {
            return Err(format!(
                "The archive unpacks to more than {} bytes (at \"{name}\").",
                self.limits.max_bytes
            ));
        }
        self.bytes += n;
        Ok(())
    }

    /// A relative target that resolves inside `dest` from the link's directory, with `..`
    /// only at its start (so it never climbs back out through another symlink).
    fn symlink(&mut self, rel: &Path, name: &str, target: &str) -> Result<(), String> {
        let outside = || {
            format!(
                "The archive entry \"{name}\" is a symlink to \"{target}\", which points \
                 outside the module directory."
            )
        };
        let mut depth = rel.components().count() as i64 - 1;
        let mut climbing = true;
        for c in Path::new(target).components() {
            match c {
                Component::ParentDir if climbing => depth -= 1,
                Component::Normal(_) => {
                    climbing = false;
                    depth += 1;
                }
                Component::CurDir => {}
                _ => return Err(outside()),
            }
            if depth < 0 {
                return Err(outside());
            }
        }
        let p = self.dest.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("Creating {}: {e}", parent.display()))?;
        }
        make_symlink(target, &p)?;
        self.links.insert(rel.to_path_buf());
        Ok(())
    }
}

#[cfg(unix)]
fn make_symlink(target: &str, at: &Path) -> Result<(), String> {
    std::os::unix::fs::symlink(target, at).map_err(|e| format!("Creating {}: {e}", at.display()))
}

#[cfg(not(unix))]
fn make_symlink(target: &str, at: &Path) -> Result<(), String> {
    Err(format!(
        "Symlinks in module archives are not supported here ({} → {target}).",
        at.display()
    ))
}

#[cfg(test)]
#[path = "extract_tests.rs"]
mod tests;
