//! A unit's remote `terraform { source }`: `init --all` downloads it (git over file:// here),
//! `plan --all` and `apply --all` run it offline from what was installed, and a unit asking
//! for another ref is refused at its source until `init --all` downloads that one.

use crate::modules::git;
use crate::support::Work;
use std::path::Path;

const MODULE: &str = r#"variable "name" {
  type = string
}

resource "terraform_data" "this" {
  input = "${var.name}-REV"
}

output "value" {
  value = terraform_data.this.output
}
"#;

/// Commits the module at revision `rev` and tags it so.
fn release(repo: &Path, rev: &str) {
    std::fs::create_dir_all(repo.join("modules/thing")).expect("mkdir");
    std::fs::write(
        repo.join("modules/thing/main.tf"),
        MODULE.replace("REV", rev),
    )
    .expect("write");
    git(repo, &["add", "."]);
    git(repo, &["commit", "-qm", rev]);
    git(repo, &["tag", rev]);
}

fn unit(repo: &Path, rev: &str) -> String {
    format!(
        "terraform {{\n  source = \"git::file://{}//modules/thing?ref={rev}\"\n}}\n\ninputs = {{\n  name = \"hub\"\n}}\n",
        repo.display()
    )
}

#[test]
fn a_units_git_source_is_downloaded_by_init_and_runs_offline() {
    let repo = tempfile::tempdir().expect("tmp");
    let r = repo.path();
    git(r, &["init", "-q"]);
    release(r, "v1");
    let w = Work::empty();
    w.write("live/app/terragrunt.hcl", &unit(r, "v1"));

    let plan = w.run(&["plan", "--all", "live"]);
    plan.expect_code(1);
    assert!(
        plan.stderr.contains("Unit source not installed"),
        "{}",
        plan.all()
    );
    assert!(
        plan.stderr.contains("terragrunt.hcl:2:12"),
        "{}",
        plan.all()
    );
    assert!(plan.stderr.contains("hubctl init --all"), "{}", plan.all());

    let init = w.run(&["init", "--all", "live"]);
    init.expect_code(0);
    assert!(
        init.stdout.contains("Downloading git::file://"),
        "{}",
        init.all()
    );
    assert!(w
        .path("live/app/.hubctl/modules/source/modules/thing/main.tf")
        .is_file());
    let apply = w.run(&["apply", "--all", "live", "--auto-approve"]);
    apply.expect_code(0);
    assert!(
        apply
            .stdout
            .contains("terraform_data.this: Creation complete"),
        "{}",
        apply.all()
    );
    assert!(apply.stdout.contains("hub-v1"), "{}", apply.all());

    release(r, "v2");
    w.write("live/app/terragrunt.hcl", &unit(r, "v2"));
    let moved = w.run(&["plan", "--all", "live"]);
    moved.expect_code(1);
    assert!(
        moved.stderr.contains("Unit source has changed"),
        "{}",
        moved.all()
    );
    w.run(&["init", "--all", "live"]).expect_code(0);
    let plan = w.run(&["plan", "--all", "live", "--detailed-exitcode"]);
    plan.expect_code(2);
    assert!(plan.stdout.contains("hub-v2"), "{}", plan.all());
}
