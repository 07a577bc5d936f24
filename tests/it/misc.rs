//! Locks (issue item 5) and the smaller commands: graph, fmt, validate, and apply without a
//! terminal.

use crate::support::{resource_addrs, Running, Work};

const LOCK_ID: &str = "4f1c2d6e-0b7a-4a55-9d3e-1f2a3b4c5d6e";

fn write_lock(w: &Work) {
    let info = serde_json::json!({
        "id": LOCK_ID,
        "operation": "apply",
        "who": "ci@runner-7",
        "version": "0.1.0",
        "created": "2025-01-01T00:00:00Z",
        "path": w.state_path().display().to_string(),
    });
    std::fs::create_dir_all(w.path(".hubctl")).expect("state dir");
    std::fs::write(w.lock_path(), info.to_string()).expect("lock file");
}

/// A live holder of the lock: a process keeping an OS lock (flock) on the lock file, as a
/// running hubctl does. Killed on drop.
struct Holder(std::process::Child);

impl Holder {
    fn hold(w: &Work) -> Holder {
        // --no-fork: the lock dies with this process (a forked `sleep` would inherit it).
        let mut child = std::process::Command::new("flock")
            .args(["--exclusive", "--no-fork"])
            .arg(w.lock_path())
            .args(["sleep", "60"])
            .spawn()
            .expect("flock(1) from util-linux");
        // Wait until the OS lock is really held.
        for _ in 0..100 {
            let free = std::process::Command::new("flock")
                .args(["--nonblock", "--exclusive"])
                .arg(w.lock_path())
                .arg("true")
                .status()
                .expect("flock");
            if !free.success() {
                return Holder(child);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the holder never took the lock");
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn held_lock_blocks_apply_until_force_unlocked_with_its_id() {
    let w = Work::fixture("base");
    write_lock(&w);
    let _holder = Holder::hold(&w);
    let out = w.run(&["apply", &w.arg(), "--auto-approve"]);
    out.expect_code(1);
    assert!(
        out.stderr.contains(LOCK_ID),
        "holder ID missing:\n{}",
        out.stderr
    );
    assert!(!w.state_path().exists(), "a blocked apply wrote state");

    let wrong = w.run(&["force-unlock", "not-the-id", &w.arg()]);
    wrong.expect_code(1);
    assert!(w.lock_path().exists(), "a wrong ID released the lock");

    w.run(&["force-unlock", LOCK_ID, &w.arg()]).expect_code(0);
    assert!(!w.lock_path().exists());
    w.apply_ok(&[]);
    assert_eq!(resource_addrs(&w.state()).len(), 2);
    assert!(!w.lock_path().exists(), "apply released its own lock");
}

#[test]
fn graph_has_the_reference_edges() {
    let w = Work::fixture("base");
    let out = w.run(&["graph", &w.arg()]);
    out.expect_code(0);
    assert!(out.stdout.starts_with("digraph {"), "{}", out.stdout);
    for edge in [
        "\"terraform_data.b\" -> \"terraform_data.a\"",
        "\"terraform_data.a\" -> \"var.name\"",
        "\"output.b\" -> \"terraform_data.b\"",
    ] {
        assert!(out.stdout.contains(edge), "missing {edge}\n{}", out.stdout);
    }
    assert!(!out
        .stdout
        .contains("\"terraform_data.a\" -> \"terraform_data.b\""));
}

#[test]
fn graph_is_valid_dot() {
    let w = Work::fixture("base");
    let out = w.run(&["graph", &w.arg()]);
    out.expect_code(0);
    for line in out.stdout.lines() {
        // Outside escapes, every quoted ID opens and closes: an even number of quotes.
        let quotes = line.replace("\\\"", "").matches('"').count();
        assert_eq!(quotes % 2, 0, "unbalanced quotes: {line}");
        assert!(
            !line.contains("[\"terraform\"]"),
            "unescaped quotes: {line}"
        );
    }
}

#[test]
fn fmt_check_then_fmt() {
    let w = Work::empty();
    w.write(
        "main.tf",
        "resource \"terraform_data\" \"a\" {\ninput=1\n    triggers_replace = [ 1 ]\n}\n",
    );
    let check = w.run(&["fmt", &w.arg(), "--check"]);
    check.expect_code(3);
    assert!(check.stdout.contains("main.tf"), "{}", check.stdout);
    w.run(&["fmt", &w.arg()]).expect_code(0);
    let text = w.read("main.tf");
    assert!(text.contains("\n  input            = 1\n"), "{text}");
    w.run(&["fmt", &w.arg(), "--check"]).expect_code(0);
}

#[test]
fn validate_accepts_good_and_rejects_broken() {
    let good = Work::fixture("e2e");
    let ok = good.run(&["validate", &good.arg()]);
    ok.expect_code(0);
    assert!(ok.stdout.contains("Success!"), "{}", ok.stdout);

    let bad = Work::fixture("base");
    bad.write("broken.tf", "output \"x\" {\n  value = var.nope\n}\n");
    let out = bad.run(&["validate", &bad.arg()]);
    out.expect_code(1);
    assert!(out
        .stderr
        .contains("Reference to undeclared input variable"));
    assert!(out
        .stderr
        .contains(&format!("{}:2:11", bad.path("broken.tf").display())));
    assert!(!bad.state_path().exists(), "validate never writes state");
}

/// Terraform's validate checks a counted or for_each resource's block once, with unknown
/// instance keys: an error names the resource, not a placeholder instance (`[""]`) or each
/// known key.
#[test]
fn validate_reports_expanded_resources_once_at_the_block() {
    let w = Work::empty();
    w.write(
        "main.tf",
        "variable \"azs\" {\n  type    = set(string)\n  default = [\"a\", \"b\"]\n}\n\n\
         resource \"terraform_data\" \"subnet\" {\n  for_each = var.azs\n  input    = cidrsubnet(\"10.0.0.0/16\", \"x\", 1)\n}\n\n\
         resource \"terraform_data\" \"nat\" {\n  count = 0\n  input = upper(each.key)\n}\n",
    );
    let out = w.run(&["validate", &w.arg()]);
    out.expect_code(1);
    let main = w.path("main.tf").display().to_string();
    assert!(
        out.stderr
            .contains("terraform_data.subnet: Invalid function argument"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("{main}:8:40")),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("subnet[\""), "{}", out.stderr);
    // count = 0 still has its block checked, as in Terraform.
    assert!(
        out.stderr
            .contains("terraform_data.nat: Reference to \"each\" in context without for_each"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("{main}:13:17")),
        "{}",
        out.stderr
    );
    let errors = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .count();
    assert_eq!(errors, 2, "{}", out.stderr);
}

/// As in Terraform, the answer is read from standard input, terminal or not; a closed
/// input or -input=false refuses instead of hanging, and only "yes" applies.
#[test]
fn apply_asks_for_approval_on_standard_input() {
    let w = Work::fixture("base");
    w.apply_ok(&[]);
    let before = w.state_bytes();
    let out = w.run(&["apply", &w.arg(), "--var", "name=changed"]);
    out.expect_code(1);
    assert!(
        out.stderr.contains("standard input is closed"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--auto-approve"), "{}", out.stderr);
    assert_eq!(w.state_bytes(), before);

    let destroy = w.run(&["destroy", &w.arg()]);
    destroy.expect_code(1);
    assert_eq!(w.state_bytes(), before);

    let args = ["apply", &w.arg(), "-input=false", "--var", "name=changed"];
    let mut no_input = Running::spawn(w.command(&args));
    no_input.answer("yes");
    let out = no_input.finish();
    out.expect_code(1);
    assert!(out.stdout.contains("-input=false"), "{}", out.stdout);
    assert_eq!(w.state_bytes(), before);

    let mut no = Running::spawn(w.command(&["apply", &w.arg(), "--var", "name=changed"]));
    no.wait_for("Enter a value:");
    no.answer("no");
    let out = no.finish();
    out.expect_code(1);
    assert!(out.stdout.contains("Apply cancelled."), "{}", out.stdout);
    assert_eq!(w.state_bytes(), before);

    let mut yes = Running::spawn(w.command(&["apply", &w.arg(), "--var", "name=changed"]));
    yes.wait_for("Enter a value:");
    yes.answer("yes");
    yes.finish().expect_code(0);
    assert_ne!(w.state_bytes(), before);
}

/// Without --lock-timeout a held lock fails at once; with it, the run waits and proceeds
/// once the holder is gone (here: a holder that dies after a second).
#[test]
fn lock_timeout_waits_for_the_holder() {
    let w = Work::fixture("base");
    write_lock(&w);
    let mut holder = Holder::hold(&w);
    w.run(&["apply", &w.arg(), "--auto-approve"]).expect_code(1);
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(1500));
        let _ = holder.0.kill();
        let _ = holder.0.wait();
    });
    let out = w.run(&["apply", &w.arg(), "--auto-approve", "-lock-timeout=30s"]);
    release.join().expect("release thread");
    out.expect_code(0);
    assert_eq!(resource_addrs(&w.state()).len(), 2);
}

/// As in Terraform, an output whose value is null is not kept in state: `output --json`
/// leaves it out and `output NAME` says it is not found.
#[test]
fn null_outputs_are_not_kept() {
    let w = Work::empty();
    w.write(
        "main.tf",
        "output \"nul\" {\n  value = null\n}\noutput \"one\" {\n  value = 1\n}\n",
    );
    w.apply_ok(&[]);
    let json = w.run(&["output", "--dir", &w.arg(), "--json"]);
    json.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert!(doc.get("nul").is_none(), "{doc}");
    assert_eq!(doc["one"]["value"], 1);
    let named = w.run(&["output", "--dir", &w.arg(), "nul"]);
    named.expect_code(1);
    assert!(
        named.stderr.contains("Output \"nul\" not found"),
        "{}",
        named.stderr
    );
}

/// Terraform's `-chdir=DIR` (before the command) and `apply -destroy`.
#[test]
fn chdir_and_apply_destroy_work_as_in_terraform() {
    let w = Work::fixture("base");
    let chdir = format!("-chdir={}", w.arg());
    let mut c = w.command(&[&chdir, "apply", "-auto-approve"]);
    c.current_dir(std::env::temp_dir());
    let out = c.output().expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(resource_addrs(&w.state()).len(), 2);
    let bad = w.run(&["-chdir=/nonexistent/dir", "plan"]);
    bad.expect_code(1);
    assert!(
        bad.stderr.contains("-chdir=/nonexistent/dir"),
        "{}",
        bad.stderr
    );
    w.run(&["apply", &w.arg(), "-destroy", "-auto-approve"])
        .expect_code(0);
    assert!(resource_addrs(&w.state()).is_empty());
}

/// `-replace=ADDR` (Terraform 0.15.2+): the instance is replaced although nothing forces it,
/// with Terraform's `replace_by_request` reason; an address matching nothing is warned about.
#[test]
fn replace_option_replaces_one_instance() {
    let w = Work::fixture("base");
    w.apply_ok(&[]);
    let id = w.state()["resources"]["terraform_data.a"]["attributes"]["id"].clone();
    let json = w.run(&["plan", &w.arg(), "-replace=terraform_data.a", "--json"]);
    json.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("plan JSON");
    let a = doc["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["address"] == "terraform_data.a")
        .expect("terraform_data.a");
    assert_eq!(
        a["change"]["actions"],
        serde_json::json!(["delete", "create"])
    );
    assert_eq!(a["action_reason"], "replace_by_request");
    w.apply_ok(&["-replace=terraform_data.a"]);
    assert_ne!(
        w.state()["resources"]["terraform_data.a"]["attributes"]["id"],
        id
    );
    w.plan(&[]).expect_code(0);

    let typo = w.plan(&["-replace=terraform_data.nope"]);
    typo.expect_code(0);
    assert!(
        typo.stderr
            .contains("-replace=terraform_data.nope matches no"),
        "{}",
        typo.stderr
    );
    let bad = w.plan(&["-replace=not an address"]);
    bad.expect_code(1);
    assert!(
        bad.stderr.contains("Invalid -replace address"),
        "{}",
        bad.stderr
    );
}

const TARGETED: &str = r#"
resource "terraform_data" "a" {
  input = "a"
}
resource "terraform_data" "b" {
  input = terraform_data.a.output
}
resource "terraform_data" "c" {
  input = "c"
}
output "b" {
  value = terraform_data.b.output
}
output "c" {
  value = terraform_data.c.output
}
"#;

/// `-target=ADDR`: the plan and its apply (direct or from a saved plan) cover the target
/// and what it depends on, plus outputs computed only from those; the rest waits, with
/// Terraform's warnings.
#[test]
fn target_limits_plan_and_apply_to_the_target_and_its_dependencies() {
    let w = Work::empty();
    w.write("main.tf", TARGETED);
    let plan = w.plan(&["-target=terraform_data.b"]);
    plan.expect_code(2);
    assert!(plan.stdout.contains("Plan: 2 to add"), "{}", plan.stdout);
    assert!(!plan.stdout.contains("terraform_data.c"), "{}", plan.stdout);
    assert!(
        plan.stderr.contains("Resource targeting is in effect"),
        "{}",
        plan.stderr
    );

    let saved = w.path("t.plan").display().to_string();
    w.run(&["plan", &w.arg(), "-target=terraform_data.b", "-out", &saved])
        .expect_code(0);
    let out = w.run(&["apply", &saved]);
    out.expect_code(0);
    assert!(
        out.stderr.contains("Applied changes may be incomplete"),
        "{}",
        out.stderr
    );
    let mut addrs = resource_addrs(&w.state());
    addrs.sort();
    assert_eq!(addrs, ["terraform_data.a", "terraform_data.b"]);
    let outputs = w.state()["outputs"].clone();
    assert_eq!(outputs["b"]["value"], "a");
    assert!(outputs.get("c").is_none(), "{outputs}");

    let rest = w.plan(&[]);
    rest.expect_code(2);
    assert!(
        rest.stdout
            .contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{}",
        rest.stdout
    );
    // A targeted destroy takes the dependents too (b reads a), as Terraform's does.
    let d = w.run(&[
        "apply",
        &w.arg(),
        "-destroy",
        "-auto-approve",
        "-target=terraform_data.a",
    ]);
    d.expect_code(0);
    assert!(d.stdout.contains("2 destroyed"), "{}", d.stdout);
    assert!(resource_addrs(&w.state()).is_empty());
}

/// `-target` naming one instance plans and applies that instance only (also from a saved
/// plan); its siblings keep their stored values, and outputs see both.
#[test]
fn target_can_name_one_instance() {
    let w = Work::empty();
    w.write(
        "main.tf",
        "variable \"rev\" {\n  default = \"1\"\n}\nresource \"terraform_data\" \"a\" {\n  count = 3\n  input = \"v${count.index}-${var.rev}\"\n}\noutput \"all\" {\n  value = terraform_data.a[*].output\n}\n",
    );
    w.apply_ok(&[]);
    let saved = w.path("t.plan").display().to_string();
    let plan = w.run(&[
        "plan",
        &w.arg(),
        "-var",
        "rev=2",
        "-target=terraform_data.a[1]",
        "-out",
        &saved,
    ]);
    plan.expect_code(0);
    assert!(
        plan.stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    w.run(&["apply", &saved]).expect_code(0);
    let state = w.state();
    let input = |k: &str| state["resources"][k]["attributes"]["input"].clone();
    assert_eq!(input("terraform_data.a[0]"), "v0-1");
    assert_eq!(input("terraform_data.a[1]"), "v1-2");
    assert_eq!(input("terraform_data.a[2]"), "v2-1");
    assert_eq!(
        state["outputs"]["all"]["value"],
        serde_json::json!(["v0-1", "v1-2", "v2-1"])
    );
    let rest = w.plan(&["-var", "rev=2"]);
    assert!(
        rest.stdout
            .contains("Plan: 0 to add, 2 to change, 0 to destroy."),
        "{}",
        rest.stdout
    );
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let w = Work::empty();
    let out = w.run(&["version", "-json"]);
    out.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(v["hubctl_version"], env!("CARGO_PKG_VERSION"));
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("git");
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    assert_eq!(v["commit"], head.as_str(), "{v}");
    let platform = v["platform"].as_str().unwrap_or_default();
    assert!(
        platform.starts_with(std::env::consts::OS) && platform.contains('_'),
        "{v}"
    );
    let text = w.run(&["version"]);
    assert!(
        text.stdout.starts_with(&format!(
            "hubctl v{}\ncommit {head} of ",
            env!("CARGO_PKG_VERSION")
        )),
        "{}",
        text.stdout
    );
}

/// `scripts/release.sh --package BIN OUT`: the tarball a pipeline pins, with its checksum
/// file; packaged twice from the same commit date it is byte for byte the same, the
/// checksum checks, and the binary inside runs.
#[test]
fn the_release_tarball_is_reproducible_and_its_checksum_checks() {
    let w = Work::empty();
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // The test binary stripped as the release profile strips it (a debug build is ~500 MB).
    let bin = w.path("hubctl");
    let strip = std::process::Command::new("strip")
        .args(["--strip-debug", "-o"])
        .arg(&bin)
        .arg(env!("CARGO_BIN_EXE_hubctl"))
        .status()
        .expect("run strip (binutils)");
    assert!(strip.success());
    let package = |out: &str| {
        let o = std::process::Command::new("bash")
            .arg(repo.join("scripts/release.sh"))
            .arg("--package")
            .arg(&bin)
            .arg(w.path(out))
            .env("SOURCE_DATE_EPOCH", "1764700000")
            .output()
            .expect("run release.sh");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    let printed = package("a");
    package("b");
    let v = env!("CARGO_PKG_VERSION");
    let sums = format!("hubctl_{v}_SHA256SUMS");
    assert!(printed.contains(&sums), "{printed}");
    let (a, b) = (w.read(&format!("a/{sums}")), w.read(&format!("b/{sums}")));
    assert_eq!(a, b, "two packagings of one commit differ");
    let tarball = a
        .split_whitespace()
        .nth(1)
        .expect("a file name")
        .to_string();
    assert!(
        tarball.starts_with(&format!("hubctl_{v}_linux_")) && tarball.ends_with(".tar.gz"),
        "{a}"
    );
    let sh = |cmd: &str| {
        let o = std::process::Command::new("bash")
            .args(["-euc", cmd])
            .current_dir(w.path("a"))
            .output()
            .expect("bash");
        assert!(
            o.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    sh(&format!("sha256sum --check {sums}"));
    let listing = sh(&format!("tar -tzf {tarball}"));
    let dir = tarball.trim_end_matches(".tar.gz");
    for f in ["hubctl", "README.md", "docs/runbooks/hub-rebuild.md"] {
        assert!(
            listing.lines().any(|l| l == format!("{dir}/{f}")),
            "no {f} in\n{listing}"
        );
    }
    let version = sh(&format!("tar -xzf {tarball} && ./{dir}/hubctl version"));
    assert!(version.starts_with(&format!("hubctl v{v}\n")), "{version}");
    // A tampered tarball fails the check.
    std::fs::write(w.path(&format!("a/{tarball}")), b"not the release").expect("write");
    let tampered = std::process::Command::new("sha256sum")
        .args(["--check", &sums])
        .current_dir(w.path("a"))
        .output()
        .expect("sha256sum");
    assert!(!tampered.status.success());
}
