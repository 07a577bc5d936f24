//! `-chdir=DIR` is a directory handed down, never switched to: run from elsewhere, every
//! relative path resolves in DIR and what is shown stays relative to it. Compared with what
//! Terraform 1.11 did with the same files (crates/core/testdata/chdir-terraform-1.11.json,
//! re-recorded by record_chdir.py there).

use crate::support::Work;
use serde_json::Value as J;

fn recorded() -> J {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/core/testdata/chdir-terraform-1.11.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("recording")).expect("JSON")
}

/// The recorded files in a fresh directory (the command runs in it, the parent of live/).
fn setup(rec: &J) -> Work {
    let w = Work::empty();
    for (rel, text) in rec["files"].as_object().expect("files") {
        w.write(rel, text.as_str().expect("text"));
    }
    w
}

#[test]
fn relative_paths_resolve_in_the_chdir_directory() {
    let rec = recorded();
    let w = setup(&rec);
    let plan = w.run(&["-chdir=live", "plan", "-var-file=my.tfvars", "-out=p.plan"]);
    plan.expect_code(0);
    let exists = &rec["exists"];
    assert_eq!(exists["live/p.plan"], true);
    assert!(w.path("live/p.plan").is_file(), "{}", plan.all());
    assert_eq!(exists["p.plan"], false);
    assert!(!w.path("p.plan").exists());
    w.run(&["-chdir=live", "apply", "p.plan"]).expect_code(0);
    // Terraform's local state lands in live/ (terraform.tfstate), hubctl's too.
    assert_eq!(exists["live/terraform.tfstate"], true);
    assert!(w.path("live/.hubctl/state.json").is_file());
    assert!(!w.path(".hubctl").exists());

    let out = w.run(&["-chdir=live", "output", "-json"]);
    out.expect_code(0);
    let got: J = serde_json::from_str(&out.stdout).expect("output -json");
    let cwd = w.dir().display().to_string();
    for (name, want) in rec["outputs"].as_object().expect("outputs") {
        let want = want.as_str().expect("string").replace("<cwd>", &cwd);
        assert_eq!(got[name]["value"], want.as_str(), "output {name}");
    }

    // State commands: --dir defaults to the chdir directory, FILE is relative to it.
    let pulled = w.run(&["-chdir=live", "state", "pull"]);
    pulled.expect_code(0);
    w.write("live/pulled.json", &pulled.stdout);
    let pushed = w.run(&["-chdir=live", "state", "push", "pulled.json"]);
    pushed.expect_code(0);
    // Named as written, relative to the chdir directory, not resolved.
    assert!(
        pushed.stdout.contains("to local file ./.hubctl/state.json"),
        "{}",
        pushed.stdout
    );
}

#[test]
fn shown_paths_stay_relative_to_the_chdir_directory() {
    let rec = recorded();
    let w = setup(&rec);
    let fmt = w.run(&["-chdir=live", "fmt", "-check", "extra"]);
    assert_eq!(Some(fmt.code as i64), rec["fmt"]["code"].as_i64());
    assert_eq!(fmt.stdout, rec["fmt"]["stdout"].as_str().expect("stdout"));

    let bad = w.run(&["-chdir=bad", "validate", "-json"]);
    bad.expect_code(1);
    let doc: J = serde_json::from_str(&bad.stdout).expect("validate -json");
    let files: Vec<&J> = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| &d["range"]["filename"])
        .collect();
    let want: Vec<&J> = rec["validate_files"]
        .as_array()
        .expect("files")
        .iter()
        .collect();
    assert_eq!(files, want, "{}", bad.stdout);
}
