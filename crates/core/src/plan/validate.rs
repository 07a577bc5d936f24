//! Runs a type's own rules ([`crate::provider::Resource::validate`]) on one instance's
//! evaluated configuration and points each finding at the attribute it names.

use crate::config::{Resource, ResourceMode};
use crate::diag::Diagnostics;
use crate::lang::Value;
use crate::walk::{findings, Run};

/// The type's findings as diagnostics at their attributes' locations.
pub fn check(run: &Run, r: &Resource, config: &Value) -> Diagnostics {
    let found = match r.mode {
        ResourceMode::Managed => run
            .registry
            .resource(&r.type_name)
            .map(|(_, t)| t.validate(config)),
        ResourceMode::Data => run
            .registry
            .data_source(&r.type_name)
            .map(|(_, t)| t.validate(config)),
        // Opened by the walk, which runs the type's rules itself.
        ResourceMode::Ephemeral => None,
    };
    let mut diags = crate::walk::ephemeral_rules::refuse_stored(&r.body, config);
    for f in found.unwrap_or_default() {
        diags.push(findings::diagnostic(&r.body, r.span, f));
    }
    diags
}
