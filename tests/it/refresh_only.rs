//! `-refresh-only` against moto: objects changed or deleted outside hubctl are reported as
//! drift (not as actions), and applying only records them in state; nothing is changed.

use crate::moto::Moto;
use crate::support::{Out, Work};

const CONFIG: &str = r#"
provider "aws" {
  region = "us-east-1"
}

resource "aws_vpc" "hub" {
  cidr_block = "10.50.0.0/16"
  tags       = { Name = "hub" }
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.hub.id
  cidr_block        = "10.50.1.0/24"
  availability_zone = "us-east-1a"
}
"#;

fn run(w: &Work, moto: &Moto, args: &[&str]) -> Out {
    moto.hubctl(w, args, &[])
}

#[test]
fn refresh_only_reports_drift_and_records_it_without_changing_anything() {
    let moto = Moto::start();
    let w = Work::empty();
    w.write("main.tf", CONFIG);
    let dir = w.arg();
    run(&w, &moto, &["apply", &dir, "--auto-approve"]).expect_code(0);
    let state = w.state();
    let vpc = state["resources"]["aws_vpc.hub"]["attributes"]["id"]
        .as_str()
        .expect("vpc id")
        .to_string();
    let subnet = state["resources"]["aws_subnet.a"]["attributes"]["id"]
        .as_str()
        .expect("subnet id")
        .to_string();
    moto.ec2(&format!(
        "CreateTags&ResourceId.1={vpc}&Tag.1.Key=Team&Tag.1.Value=ops"
    ));
    moto.ec2(&format!("DeleteSubnet&SubnetId={subnet}"));
    let applied = w.state_bytes();

    let plan = run(
        &w,
        &moto,
        &["plan", &dir, "-refresh-only", "--detailed-exitcode"],
    );
    plan.expect_code(2);
    for needle in [
        "Objects have changed outside of hubctl",
        "# aws_vpc.hub has changed",
        "# aws_subnet.a has been deleted",
        "This is a refresh-only plan",
    ] {
        assert!(plan.stdout.contains(needle), "{needle}:\n{}", plan.stdout);
    }
    let json = run(&w, &moto, &["plan", &dir, "-refresh-only", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("plan JSON");
    assert_eq!(
        doc["resource_drift"].as_array().map(Vec::len),
        Some(2),
        "{doc}"
    );
    assert_eq!(
        doc["resource_changes"].as_array().map(Vec::len),
        Some(0),
        "{doc}"
    );
    assert_eq!(
        w.state_bytes(),
        applied,
        "a refresh-only plan never writes state"
    );

    let apply = run(
        &w,
        &moto,
        &["apply", &dir, "-refresh-only", "--auto-approve"],
    );
    apply.expect_code(0);
    assert!(
        apply.stdout.contains("2 object(s) recorded"),
        "{}",
        apply.stdout
    );
    let state = w.state();
    assert!(state["resources"].get("aws_subnet.a").is_none(), "{state}");
    assert_eq!(
        state["resources"]["aws_vpc.hub"]["attributes"]["tags_all"]["Team"],
        "ops"
    );
    // Nothing was changed in AWS: the tag added outside is still there, the subnet gone.
    let xml = moto.ec2(&format!("DescribeVpcs&VpcId.1={vpc}"));
    assert!(xml.contains("<value>ops</value>"), "{xml}");

    // A normal plan now undoes the drift.
    let plan = run(&w, &moto, &["plan", &dir]);
    plan.expect_code(0);
    assert!(
        plan.stdout
            .contains("Plan: 1 to add, 1 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
}

#[test]
fn drift_reports_each_drifted_attribute_and_exits_2_only_on_drift() {
    let moto = Moto::start();
    let w = Work::empty();
    w.write("main.tf", CONFIG);
    let dir = w.arg();
    run(&w, &moto, &["apply", &dir, "--auto-approve"]).expect_code(0);
    let clean = run(&w, &moto, &["drift", &dir, "--json"]);
    clean.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&clean.stdout).expect("report JSON");
    assert_eq!(doc["drifted"], false, "{doc}");

    let state = w.state();
    let id = |r: &str| {
        state["resources"][r]["attributes"]["id"]
            .as_str()
            .expect("id")
            .to_string()
    };
    moto.ec2(&format!(
        "CreateTags&ResourceId.1={}&Tag.1.Key=Team&Tag.1.Value=ops",
        id("aws_vpc.hub")
    ));
    moto.ec2(&format!("DeleteSubnet&SubnetId={}", id("aws_subnet.a")));
    let applied = w.state_bytes();

    let report = run(&w, &moto, &["drift", &dir, "--json"]);
    report.expect_code(2);
    let doc: serde_json::Value = serde_json::from_str(&report.stdout).expect("report JSON");
    assert_eq!(doc["drifted"], true, "{doc}");
    let by = |a: &str| {
        doc["resources"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["address"] == a))
            .unwrap_or_else(|| panic!("{a} in {doc}"))
            .clone()
    };
    assert_eq!(by("aws_subnet.a")["drift"], "deleted");
    let vpc = by("aws_vpc.hub");
    assert_eq!(vpc["drift"], "updated");
    let tag = serde_json::json!({"path": "tags[\"Team\"]", "before": null, "after": "ops", "sensitive": false});
    let attrs = vpc["attributes"].as_array().expect("attributes");
    assert!(attrs.contains(&tag), "{vpc}");
    assert!(
        attrs
            .iter()
            .all(|a| a["path"].as_str().is_some_and(|p| p.contains("Team"))),
        "only the new tag moved: {vpc}"
    );

    let text = run(&w, &moto, &["drift", &dir]);
    text.expect_code(2);
    for needle in [
        "aws_vpc.hub: changed outside hubctl",
        "  tags[\"Team\"]: (absent) -> \"ops\"",
        "aws_subnet.a: deleted outside hubctl",
        "Drift: 2 resource instance(s).",
    ] {
        assert!(text.stdout.contains(needle), "{needle}:\n{}", text.stdout);
    }
    assert_eq!(
        w.state_bytes(),
        applied,
        "a drift report never writes state"
    );
}
