//! Remote module calls (registry, git, archives, S3) resolved offline through the module
//! manifest: the call's key must be recorded with the same source and a version its
//! constraint still allows, else the command stops with "run hubctl init", as Terraform
//! stops with "run terraform init". In `init`'s mode those calls are handed back instead.

use super::{normalize, Loader, ModuleCall};
use crate::diag::{Diagnostic, Span};
use crate::sources::{Constraints, Source, Version};
use std::path::PathBuf;

/// A remote module `init` must (re)install.
#[derive(Debug, Clone)]
pub struct Pending {
    /// Module names from the root joined by dots (`vpc.subnets`), as in the manifest.
    pub key: String,
    pub name: String,
    pub source: Source,
    pub version: Option<Constraints>,
    /// The `source` argument, for diagnostics.
    pub span: Span,
}

const RUN_INIT: &str = "Run \"hubctl init\" to install all modules required by this configuration.";

impl Loader {
    /// The installed directory of a remote call (relative to `base`), or `None` after
    /// reporting (or, for init, recording) why it cannot be used.
    pub(super) fn installed_dir(
        &mut self,
        parent: &[String],
        call: &ModuleCall,
    ) -> Option<PathBuf> {
        let source = call.source_addr.clone()?;
        let mut key = parent.to_vec();
        key.push(call.name.clone());
        let key = key.join(".");
        let problem = self.record_problem(&key, &source, call);
        let Some((summary, detail)) = problem else {
            let (m, _) = self.manifest.as_ref()?;
            let rec = m.get(&key)?;
            return Some(normalize(&self.root.join(&rec.dir)));
        };
        if let Some(p) = &mut self.pending {
            p.push(Pending {
                key,
                name: call.name.clone(),
                source,
                version: call.version.as_ref().map(|(c, _)| c.clone()),
                span: call.source_span,
            });
            return None;
        }
        self.incomplete = true;
        let span = match (summary, &call.version) {
            ("Module version requirements have changed", Some((_, s))) => *s,
            _ => call.source_span,
        };
        self.diags
            .push(Diagnostic::error(summary).detail(detail).subject(span));
        None
    }

    /// Why the manifest's record for `key` cannot serve `call`: (summary, detail).
    fn record_problem(
        &mut self,
        key: &str,
        source: &Source,
        call: &ModuleCall,
    ) -> Option<(&'static str, String)> {
        if let Some(e) = self.manifest_error.take() {
            return Some(("Unreadable module manifest", e));
        }
        let Some(rec) = self.manifest.as_ref().and_then(|(m, _)| m.get(key)) else {
            return Some((
                "Module not installed",
                format!("The module \"{key}\" ({source}) is not yet installed. {RUN_INIT}"),
            ));
        };
        if rec.source != source.to_string() {
            return Some((
                "Module source has changed",
                format!(
                    "The source address of module \"{key}\" was changed since it was \
                     installed (from {} to {source}). {RUN_INIT}",
                    rec.source
                ),
            ));
        }
        let Some((c, _)) = &call.version else {
            return None;
        };
        let installed = rec.version.as_deref().and_then(|v| Version::parse(v).ok());
        if installed.as_ref().is_some_and(|v| c.allows(v)) {
            return None;
        }
        Some((
            "Module version requirements have changed",
            format!(
                "The version requirements of module \"{key}\" have changed since it was \
                 installed, and the installed version ({}) is no longer acceptable \
                 (\"{}\"). {RUN_INIT}",
                rec.version.as_deref().unwrap_or("none"),
                c.as_str()
            ),
        ))
    }
}
