//! Replays testdata/module-versions-terraform-1.11.json (record_module_versions.py): for each
//! constraint, Terraform 1.11's choice among the offered versions, or its error.

use super::*;

#[test]
fn constraints_pick_what_terraform_picks() {
    let text = include_str!("../../testdata/module-versions-terraform-1.11.json");
    let doc: serde_json::Value = serde_json::from_str(text).unwrap();
    let offered: Vec<Version> = doc["offered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| Version::parse(v.as_str().unwrap()).unwrap())
        .collect();
    let mut wrong = Vec::new();
    let cases = doc["cases"].as_array().unwrap();
    for case in cases {
        let c = case["constraint"].as_str().unwrap();
        let ours = match Constraints::parse(c) {
            Err(_) => "Invalid version constraint".to_string(),
            Ok(cs) => cs.newest(&offered).map_or_else(
                || "Unresolvable module version constraint".to_string(),
                |v| v.to_string(),
            ),
        };
        let theirs = case["version"]
            .as_str()
            .or(case["error"].as_str())
            .unwrap()
            .to_string();
        if ours != theirs {
            wrong.push(format!("{c:?}: hubctl {ours}, terraform {theirs}"));
        }
    }
    assert!(cases.len() >= 40);
    assert!(wrong.is_empty(), "differences:\n{}", wrong.join("\n"));
}
