//! Module calls with `for_each` and `count` against Terraform: the configuration of
//! `crates/core/testdata/record_modules.py` (a map of controllers, one IRSA-like module call
//! each; a counted module calling a `for_each` module), planned, applied, planned again and
//! destroyed by hubctl. The planned addresses (in order), `state list` and the output values
//! must be what Terraform 1.11 recorded.

use crate::support::Work;
use serde_json::Value as J;

fn recorded() -> J {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/core/testdata/modules-terraform-1.11.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("recording")).expect("JSON")
}

fn lines(j: &J) -> Vec<String> {
    j.as_array()
        .expect("array")
        .iter()
        .map(|a| a.as_str().expect("string").to_string())
        .collect()
}

fn state_list(w: &Work) -> Vec<String> {
    let out = w.run(&["state", "list"]);
    out.expect_code(0);
    out.stdout.lines().map(str::to_string).collect()
}

#[test]
fn module_for_each_and_count_apply_replan_and_destroy_as_terraform() {
    let rec = recorded();
    let w = Work::empty();
    for (name, text) in rec["files"].as_object().expect("files") {
        w.write(name, text.as_str().expect("text"));
    }
    let out = w.run(&["plan", &w.arg(), "--json"]);
    out.expect_code(0);
    let plan: J = serde_json::from_str(&out.stdout).expect("plan JSON");
    let planned: Vec<String> = plan["resource_changes"]
        .as_array()
        .expect("resource_changes")
        .iter()
        .map(|r| r["address"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(planned, lines(&rec["planned"]));

    w.apply_ok(&[]);
    assert_eq!(state_list(&w), lines(&rec["state_list"]));
    let out = w.run(&["output", "--json"]);
    out.expect_code(0);
    let got: J = serde_json::from_str(&out.stdout).expect("output JSON");
    for (name, want) in rec["outputs"].as_object().expect("outputs") {
        assert_eq!(&got[name]["value"], want, "output {name}");
    }

    let again = w.plan(&[]);
    again.expect_code(0);
    assert!(again.stdout.contains("No changes"), "{}", again.all());

    // `state list` takes a module instance, or a whole call (every instance of it).
    let out = w.run(&["state", "list", "module.irsa[\"kro\"]"]);
    assert_eq!(out.stdout, "module.irsa[\"kro\"].terraform_data.role\n");
    let out = w.run(&["state", "list", "module.pool"]);
    assert_eq!(out.stdout.lines().count(), 3, "{}", out.all());

    let dir = w.arg();
    w.run(&["destroy", dir.as_str(), "--auto-approve"])
        .expect_code(0);
    assert!(state_list(&w).is_empty());
}
