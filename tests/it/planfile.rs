//! Issue item 3: a saved plan applies exactly once, and only to the state and configuration
//! it was made from.

use crate::support::{resource_addrs, Work};

#[test]
fn saved_plan_applies() {
    let w = Work::fixture("base");
    let plan = w.path("p.plan").display().to_string();
    w.run(&["plan", &w.arg(), "--out", &plan]).expect_code(0);
    assert!(!w.state_path().exists(), "plan must not write state");
    let out = w.run(&["apply", &plan]);
    out.expect_code(0);
    assert!(
        out.stdout.contains("Apply complete! Resources: 2 added"),
        "{}",
        out.stdout
    );
    let mut addrs = resource_addrs(&w.state());
    addrs.sort();
    assert_eq!(addrs, ["terraform_data.a", "terraform_data.b"]);
}

#[test]
fn stale_plan_is_refused() {
    let w = Work::fixture("base");
    w.apply_ok(&[]);
    let plan = w.path("p.plan").display().to_string();
    w.run(&["plan", &w.arg(), "--out", &plan, "--var", "name=two"])
        .expect_code(0);
    w.run(&["apply", &plan]).expect_code(0);
    // The state moved on since the plan was made: applying it again is refused.
    let before = w.state_bytes();
    let again = w.run(&["apply", &plan]);
    again.expect_code(1);
    assert!(
        again.stderr.to_lowercase().contains("stale"),
        "{}",
        again.stderr
    );
    assert_eq!(w.state_bytes(), before);
}

#[test]
fn plan_after_another_apply_is_refused() {
    let w = Work::fixture("base");
    w.apply_ok(&[]);
    let plan = w.path("p.plan").display().to_string();
    w.run(&["plan", &w.arg(), "--out", &plan, "--var", "name=two"])
        .expect_code(0);
    w.apply_ok(&["--var", "name=three"]);
    let before = w.state_bytes();
    let out = w.run(&["apply", &plan]);
    out.expect_code(1);
    assert!(
        out.stderr.to_lowercase().contains("stale"),
        "{}",
        out.stderr
    );
    assert_eq!(w.state_bytes(), before);
}

#[test]
fn plan_after_a_configuration_edit_is_refused() {
    let w = Work::fixture("base");
    let plan = w.path("p.plan").display().to_string();
    w.run(&["plan", &w.arg(), "--out", &plan]).expect_code(0);
    w.write(
        "extra.tf",
        "resource \"terraform_data\" \"c\" {\n  input = 3\n}\n",
    );
    let out = w.run(&["apply", &plan]);
    out.expect_code(1);
    assert!(
        out.stderr.to_lowercase().contains("configuration"),
        "{}",
        out.stderr
    );
    assert!(!w.state_path().exists() || resource_addrs(&w.state()).is_empty());
}

/// As in Terraform, a saved plan carries its variables: -var with a plan file is refused.
#[test]
fn variables_cannot_be_set_when_applying_a_saved_plan() {
    let w = Work::fixture("base");
    let plan = w.path("p.plan").display().to_string();
    w.run(&["plan", &w.arg(), "--out", &plan]).expect_code(0);
    let out = w.run(&["apply", &plan, "--var", "name=other"]);
    out.expect_code(1);
    assert!(
        out.stderr
            .contains("Can't set variables when applying a saved plan"),
        "{}",
        out.stderr
    );
    assert!(!w.state_path().exists(), "nothing was applied");
}

/// `show --json PLANFILE` prints the saved plan as `plan --json` does (what policy tools
/// read); `show PLANFILE` renders it.
#[test]
fn show_prints_a_saved_plan() {
    let w = Work::fixture("base");
    let plan = w.path("p.plan").display().to_string();
    w.run(&["plan", &w.arg(), "--out", &plan]).expect_code(0);
    let json = w.run(&["show", "--json", &plan]);
    json.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let live = w.run(&["plan", &w.arg(), "--json"]);
    let live: serde_json::Value = serde_json::from_str(&live.stdout).expect("JSON");
    assert_eq!(doc["resource_changes"], live["resource_changes"]);
    assert_eq!(doc["resource_changes"].as_array().map(Vec::len), Some(2));
    let human = w.run(&["show", &plan]);
    human.expect_code(0);
    assert!(human.stdout.contains("Plan: 2 to add"), "{}", human.stdout);
}
