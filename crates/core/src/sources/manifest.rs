//! The module manifest: for each installed module, its key (`vpc`, `vpc.subnets`), the source
//! it was installed from, the resolved version and its directory. hubctl writes
//! `.hubctl/modules/modules.json` in the layout of Terraform's `.terraform/modules/modules.json`,
//! so a tree initialised by `terraform init` is read the same way, with no download.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// hubctl's own manifest, relative to the root module's directory.
pub const HUBCTL_MANIFEST: &str = ".hubctl/modules/modules.json";
/// The one `terraform init` writes, read when hubctl's is absent.
pub const TERRAFORM_MANIFEST: &str = ".terraform/modules/modules.json";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    #[serde(rename = "Modules", default)]
    pub modules: Vec<Record>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Module names from the root joined by dots; the root itself is `""`.
    #[serde(rename = "Key")]
    pub key: String,
    /// The normalized source address (see [`super::Source`]'s `Display`).
    #[serde(rename = "Source")]
    pub source: String,
    #[serde(rename = "Version", default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Relative to the root module's directory.
    #[serde(rename = "Dir")]
    pub dir: String,
}

impl Record {
    /// Whether this installation still serves a request for `source` under `version`: the
    /// same normalized source, and an installed version the constraint allows.
    pub fn serves(&self, source: &super::Source, version: Option<&super::Constraints>) -> bool {
        if self.source != source.to_string() {
            return false;
        }
        let Some(c) = version else {
            return true;
        };
        let installed = self.version.as_deref().map(super::Version::parse);
        installed.is_some_and(|v| v.is_ok_and(|v| c.allows(&v)))
    }
}

impl Manifest {
    pub fn get(&self, key: &str) -> Option<&Record> {
        self.modules.iter().find(|r| r.key == key)
    }

    /// Adds or replaces the record for `r.key`, keeping the list sorted by key.
    pub fn put(&mut self, r: Record) {
        self.modules.retain(|m| m.key != r.key);
        self.modules.push(r);
        self.modules.sort_by(|a, b| a.key.cmp(&b.key));
    }

    /// Reads hubctl's manifest, else Terraform's, from `root`. `Ok(None)` when neither
    /// exists; a manifest that does not parse is an error naming the file.
    pub fn read(root: &Path) -> Result<Option<(Manifest, PathBuf)>, String> {
        for rel in [HUBCTL_MANIFEST, TERRAFORM_MANIFEST] {
            let path = root.join(rel);
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(format!("Reading {} failed: {e}.", path.display())),
            };
            let m: Manifest = serde_json::from_str(&text).map_err(|e| {
                format!(
                    "{} is not a module manifest ({e}). Run \"hubctl init\" to rebuild it.",
                    path.display()
                )
            })?;
            return Ok(Some((m, PathBuf::from(rel))));
        }
        Ok(None)
    }

    /// Writes hubctl's manifest under `root` atomically (temp file, then rename).
    pub fn write(&self, root: &Path) -> std::io::Result<()> {
        let path = root.join(HUBCTL_MANIFEST);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let tmp = path.with_extension("json.tmp");
        let mut text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        text.push('\n');
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_terraforms_layout_and_prefers_hubctls() {
        let dir = tempfile::tempdir().unwrap();
        let tf = dir.path().join(TERRAFORM_MANIFEST);
        std::fs::create_dir_all(tf.parent().unwrap()).unwrap();
        std::fs::write(
            &tf,
            r#"{"Modules":[{"Key":"","Source":"","Dir":"."},
               {"Key":"vpc","Source":"registry.terraform.io/a/vpc/aws","Version":"1.2.3","Dir":".terraform/modules/vpc"}]}"#,
        )
        .unwrap();
        let (m, from) = Manifest::read(dir.path()).unwrap().unwrap();
        assert_eq!(from, PathBuf::from(TERRAFORM_MANIFEST));
        assert_eq!(m.get("vpc").unwrap().version.as_deref(), Some("1.2.3"));
        assert_eq!(m.get("").unwrap().version, None);

        let mut mine = Manifest::default();
        mine.put(Record {
            key: "b".into(),
            source: "x".into(),
            version: None,
            dir: "d".into(),
        });
        mine.put(Record {
            key: "a".into(),
            source: "y".into(),
            version: Some("1.0.0".into()),
            dir: "e".into(),
        });
        mine.write(dir.path()).unwrap();
        let (back, from) = Manifest::read(dir.path()).unwrap().unwrap();
        assert_eq!(from, PathBuf::from(HUBCTL_MANIFEST));
        assert_eq!(back, mine);
        assert_eq!(back.modules[0].key, "a");
    }

    #[test]
    fn a_broken_manifest_says_run_init() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(HUBCTL_MANIFEST);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "{").unwrap();
        let e = Manifest::read(dir.path()).unwrap_err();
        assert!(e.contains("Run \"hubctl init\""), "{e}");
    }
}
