//! Queue globs and spoke requests.

use super::*;
use std::path::Path;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (p, text) in files {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
}

#[test]
fn queue_globs_match_unit_directories() {
    let f = QueueFilter::new(&["live/staging/*".into()], &["**/argocd".into()]).expect("globs");
    assert!(f.included("live/staging/eks") && !f.included("live/prod/eks"));
    assert!(f.excluded("live/staging/argocd") && !f.excluded("live/staging/eks"));
    let none = QueueFilter::new(&[], &[]).expect("no globs");
    assert!(none.included("anything") && !none.excluded("anything"));
    let bad = QueueFilter::new(&["live/[".into()], &[]).expect_err("bad glob");
    assert_eq!(bad.summary, "Invalid queue glob");
}

#[test]
fn spoke_requests_are_checked_with_their_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spoke = |name: &str, cidr: &str| {
        format!("name: {name}\naccount: \"1\"\nregion: us-east-1\nvpc_cidr: {cidr}\n")
    };
    write(
        dir.path(),
        &[
            ("a.yaml", &spoke("payments", "10.1.0.0/16")),
            ("b.yaml", &spoke("payments", "10.1.0.0/16")),
            ("c.yaml", &spoke("hubby", "10.0.0.0/16")),
            ("d.yaml", &spoke("wide", "10.2.0.0/15")),
            ("e.yaml", "name: lost\n"),
        ],
    );
    let mut sources = crate::diag::SourceMap::new();
    let hub = "10.0.0.0/16".parse().expect("cidr");
    let diags = check_spokes(dir.path(), hub, &mut sources);
    let root = dir.path().display().to_string();
    let got: Vec<String> = diags
        .iter()
        .map(|d| {
            let at = d
                .subject
                .map(|s| sources.location(s).to_string())
                .unwrap_or_default();
            format!("{} {}", at.replace(&root, "ROOT"), d.summary)
        })
        .collect();
    assert_eq!(
        got,
        [
            "ROOT/b.yaml:1:7 Duplicate spoke name",
            "ROOT/b.yaml:4:11 Overlapping spoke VPC CIDR",
            "ROOT/c.yaml:4:11 Invalid spoke VPC CIDR",
            "ROOT/d.yaml:4:11 Invalid spoke VPC CIDR",
            "ROOT/e.yaml:1:1 Missing spoke setting",
            "ROOT/e.yaml:1:1 Missing spoke setting",
            "ROOT/e.yaml:1:1 Missing spoke setting",
        ]
    );
}

#[test]
fn the_shipped_spokes_are_valid() {
    let repo = absolute(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
    let mut sources = crate::diag::SourceMap::new();
    let hub = "10.0.0.0/16".parse().expect("cidr");
    let diags = check_spokes(&repo.join("config/spokes"), hub, &mut sources);
    assert!(diags.is_empty(), "{diags:?}");
}
