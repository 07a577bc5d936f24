//! `-exclude`, `-target-file` and `-exclude-file` on plan, apply and destroy (OpenTofu
//! 1.9/1.10), and `-target` with `-destroy`. Which instances each selects is checked in the
//! engine against recorded Terraform and OpenTofu's documentation
//! (crates/core/src/end_to_end/targets.rs); these check the command line.

use crate::support::{resource_addrs, Work};

const CONFIG: &str = r#"
resource "terraform_data" "a" {
  input = "a"
}
resource "terraform_data" "b" {
  input = terraform_data.a.output
}
resource "terraform_data" "c" {
  count = 2
  input = "c${count.index}"
}
output "b" {
  value = terraform_data.b.output
}
"#;

fn sorted(w: &Work) -> Vec<String> {
    let mut a = resource_addrs(&w.state());
    a.sort();
    a
}

/// OpenTofu's `plan` docs: `-exclude` focuses "on resource instances _other than_ those that
/// match and anything that depends on those", and `-exclude-file` is "Similar to `-exclude`
/// but with multiple addresses specified in a separate file" where "A comment starting with
/// the `#` character" and blank lines are ignored.
#[test]
fn exclude_leaves_out_the_address_and_its_dependents() {
    let w = Work::empty();
    w.write("main.tf", CONFIG);
    let plan = w.plan(&["-exclude=terraform_data.a"]);
    plan.expect_code(2);
    assert!(plan.stdout.contains("Plan: 2 to add"), "{}", plan.stdout);
    assert!(!plan.stdout.contains("terraform_data.b"), "{}", plan.stdout);
    assert!(
        plan.stderr.contains("Resource targeting is in effect"),
        "{}",
        plan.stderr
    );
    assert!(
        plan.stderr.contains("everything except terraform_data.a"),
        "{}",
        plan.stderr
    );

    w.write("skip.txt", "# not yet\n\n  terraform_data.c[1]\n");
    let saved = w.path("t.plan").display().to_string();
    w.run(&["plan", &w.arg(), "-exclude-file=skip.txt", "-out", &saved])
        .expect_code(0);
    let out = w.run(&["apply", &saved]);
    out.expect_code(0);
    assert!(
        out.stderr.contains("Applied changes may be incomplete"),
        "{}",
        out.stderr
    );
    assert_eq!(
        sorted(&w),
        [
            "terraform_data.a",
            "terraform_data.b",
            "terraform_data.c[0]"
        ]
    );
    assert_eq!(w.state()["outputs"]["b"]["value"], "a");
    // A saved plan keeps its selection: no new one on top.
    let again = w.run(&["apply", &saved, "-exclude=terraform_data.a"]);
    again.expect_code(1);
    assert!(
        again
            .stderr
            .contains("Can't change the targets of a saved plan"),
        "{}",
        again.stderr
    );
}

/// `-target-file` reads targets like `-target`; mixing target and exclude options is an
/// error, as in OpenTofu ("The target and exclude planning options are mutually-exclusive").
#[test]
fn target_files_and_the_mixing_error() {
    let w = Work::empty();
    w.write("main.tf", CONFIG);
    w.write("only.txt", "terraform_data..b\n");
    let bad = w.plan(&["-target-file=only.txt"]);
    bad.expect_code(1);
    assert!(
        bad.stderr.contains("Invalid -target-file address"),
        "{}",
        bad.stderr
    );
    assert!(bad.stderr.contains("only.txt:1:1"), "{}", bad.stderr);

    w.write(
        "only.txt",
        "# the chain\nterraform_data.b # and what it reads\n",
    );
    let plan = w.plan(&["-target-file=only.txt"]);
    plan.expect_code(2);
    assert!(plan.stdout.contains("Plan: 2 to add"), "{}", plan.stdout);
    assert!(!plan.stdout.contains("terraform_data.c"), "{}", plan.stdout);

    let both = w.plan(&["-target-file=only.txt", "-exclude=terraform_data.c"]);
    both.expect_code(1);
    assert!(
        both.stderr.contains("Invalid combination of arguments"),
        "{}",
        both.stderr
    );
    let all = w.plan(&["--all", "-target=terraform_data.b"]);
    all.expect_code(1);
    assert!(
        all.stderr.contains("not supported with --all"),
        "{}",
        all.stderr
    );
    let missing = w.plan(&["-exclude-file=nope.txt"]);
    missing.expect_code(1);
    assert!(
        missing.stderr.contains("Failed to read -exclude-file"),
        "{}",
        missing.stderr
    );
}

/// `destroy -exclude` keeps the excluded instance and what it depends on; `destroy -target`
/// takes the target and what depends on it.
#[test]
fn destroy_takes_targets_and_excludes() {
    let w = Work::empty();
    w.write("main.tf", CONFIG);
    w.apply_ok(&[]);
    let d = w.run(&[
        "destroy",
        &w.arg(),
        "-auto-approve",
        "-exclude=terraform_data.b",
    ]);
    d.expect_code(0);
    assert!(d.stdout.contains("2 destroyed"), "{}", d.stdout);
    assert_eq!(sorted(&w), ["terraform_data.a", "terraform_data.b"]);
    // Outputs stay as stored.
    assert_eq!(w.state()["outputs"]["b"]["value"], "a");

    let d = w.run(&[
        "destroy",
        &w.arg(),
        "-auto-approve",
        "-target=terraform_data.a",
    ]);
    d.expect_code(0);
    assert!(d.stdout.contains("2 destroyed"), "{}", d.stdout);
    assert!(sorted(&w).is_empty());
}
