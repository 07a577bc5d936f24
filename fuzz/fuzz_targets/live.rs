//! The Terragrunt unit loader: the input is one `terragrunt.hcl`, read as `hubctl render`
//! reads a unit, inside a scratch copy of the repository's `live/` skeleton (a `.git`
//! folder, `live/root.hcl`, an `env.hcl`, the platform config) so that the corpus's
//! `include`s and `get_repo_root()` resolve and the fuzzer gets past them.
#![no_main]

use hubctl_core::diag::{render_human, RenderOptions};
use hubctl_core::live::{render_json, render_text, Loader, NoOutputs, Options};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

const SKELETON: &[(&str, &str)] = &[
    ("live/root.hcl", include_str!("../../live/root.hcl")),
    (
        "live/staging/env.hcl",
        include_str!("../../live/staging/env.hcl"),
    ),
    (
        "config/config.yaml",
        include_str!("../../config/config.yaml"),
    ),
    (
        "config/environments/staging.yaml",
        include_str!("../../config/environments/staging.yaml"),
    ),
];

/// The scratch repository (one per process) and the unit directory in it.
fn scratch() -> &'static (PathBuf, PathBuf) {
    static DIR: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("hubctl-fuzz-live-{}", std::process::id()));
        std::fs::create_dir_all(root.join(".git")).expect("scratch repository");
        for (path, text) in SKELETON {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().expect("a parent")).expect("skeleton folder");
            std::fs::write(p, text).expect("skeleton file");
        }
        let unit = root.join("live/staging/unit");
        std::fs::create_dir_all(&unit).expect("unit folder");
        (root, unit)
    })
}

fuzz_target!(|data: &[u8]| {
    let (root, unit) = scratch();
    std::fs::write(unit.join("terragrunt.hcl"), data).expect("write terragrunt.hcl");
    let loader = Loader::new(Options {
        command: "plan",
        outputs: &NoOutputs,
        mocks: true,
        base: root,
    });
    if let Some(config) = loader.unit(unit) {
        let _ = render_json(&config);
        let _ = render_text(&config);
    }
    let (sources, diags) = loader.finish();
    let _ = render_human(&diags, &sources, RenderOptions::default());
});
