//! Plan semantics against Terraform: each case in `tests/fixtures/plan-compat/` applies
//! `v1.tf`, then plans `v2.tf`; the actions, `action_reason` and `previous_address` of every
//! instance in `plan --json` must equal what Terraform 1.11 planned for the same two files
//! (`terraform-plan.txt`, recorded by `record.sh` in that directory). A case's `mod/` is a
//! child module both versions call (`mod-v2/` replaces it for v2).

use crate::support::{copy_dir, Work};
use std::path::Path;

/// One line per instance, as `record.sh` writes them.
fn hubctl_lines(plan: &serde_json::Value) -> Vec<String> {
    let mut rows: Vec<&serde_json::Value> = plan["resource_changes"]
        .as_array()
        .expect("resource_changes")
        .iter()
        .collect();
    rows.sort_by_key(|r| r["address"].as_str().unwrap_or_default().to_string());
    rows.iter()
        .map(|r| {
            let actions: Vec<&str> = r["change"]["actions"]
                .as_array()
                .expect("actions")
                .iter()
                .filter_map(|a| a.as_str())
                .collect();
            format!(
                "{} {} {} {}",
                r["address"].as_str().unwrap_or_default(),
                actions.join(","),
                r["action_reason"].as_str().unwrap_or_default(),
                r["previous_address"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn plans_match_terraform_case_by_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plan-compat");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .expect("cases")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "{} cases", cases.len());
    let mut failed = Vec::new();
    for case in &cases {
        let read = |f: &str| std::fs::read_to_string(case.join(f)).expect("case file");
        let w = Work::empty();
        if case.join("mod").is_dir() {
            copy_dir(&case.join("mod"), &w.path("mod"));
        }
        w.write("main.tf", &read("v1.tf"));
        w.apply_ok(&[]);
        if case.join("mod-v2").is_dir() {
            std::fs::remove_dir_all(w.path("mod")).expect("remove mod");
            copy_dir(&case.join("mod-v2"), &w.path("mod"));
        }
        w.write("main.tf", &read("v2.tf"));
        let out = w.run(&["plan", &w.arg(), "--json"]);
        out.expect_code(0);
        let plan: serde_json::Value = serde_json::from_str(&out.stdout).expect("plan JSON");
        let got = hubctl_lines(&plan);
        let want: Vec<String> = read("terraform-plan.txt")
            .lines()
            .map(str::to_string)
            .collect();
        if got != want {
            failed.push(format!(
                "--- {}\nterraform:\n{}\nhubctl:\n{}",
                case.display(),
                want.join("\n"),
                got.join("\n")
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
