//! The engine's modules depend on each other in one direction only:
//! `state` ← `graph` ← `walk` ← `plan` ← `apply` (an arrow: "is used by"). This test reads
//! the source tree, test files included, and fails when a module names one it must not (a
//! test that plans and applies lives on the apply side).

use std::path::Path;

/// (folder, modules it must not use).
const RULES: &[(&str, &[&str])] = &[
    ("state", &["graph", "walk", "plan", "apply"]),
    ("graph", &["walk", "plan", "apply"]),
    ("walk", &["plan", "apply"]),
    ("plan", &["apply"]),
];

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Where `text` uses module `m` of the crate: `crate::m::…`, `crate::m;` or `crate::{…m…}`.
fn uses(text: &str, m: &str) -> Vec<usize> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let direct = [format!("crate::{m}::"), format!("crate::{m};")]
            .iter()
            .any(|p| code.contains(p.as_str()));
        let grouped = code.split("crate::{").skip(1).any(|g| {
            g.split('}').next().unwrap_or("").split(',').any(|item| {
                let item = item.trim();
                item == m || item.starts_with(&format!("{m}::"))
            })
        });
        if direct || grouped {
            found.push(i + 1);
        }
    }
    found
}

#[test]
fn modules_depend_in_one_direction() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (folder, banned) in RULES {
        let mut files = Vec::new();
        sources(&root.join(folder), &mut files);
        assert!(!files.is_empty(), "no sources under {folder}/");
        for f in files {
            let text = std::fs::read_to_string(&f).expect("read");
            for m in *banned {
                for line in uses(&text, m) {
                    let rel = f.strip_prefix(&root).unwrap_or(&f).display().to_string();
                    wrong.push(format!("{rel}:{line} uses {m}"));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layering:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_every_form_of_use() {
    assert_eq!(uses("use crate::apply::writer::StateWriter;", "apply"), [1]);
    assert_eq!(uses("x\nlet w = crate::apply::apply(run);", "apply"), [2]);
    assert_eq!(uses("use crate::{diag, apply::step};", "apply"), [1]);
    assert_eq!(uses("use crate::{apply};", "apply"), [1]);
    assert!(uses("use crate::applied::x; // crate::apply::y", "apply").is_empty());
}
