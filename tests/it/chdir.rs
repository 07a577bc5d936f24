//! `-chdir=DIR` is a directory handed down, never switched to: run from elsewhere, every
//! relative path resolves in DIR and what is shown stays relative to it, as with Terraform
//! 1.11 (`terraform -chdir=sub apply` prints `path.module = "."`, `path.root = "."`,
//! `path.cwd` = the directory it was started in, `abspath("x")` = `<sub>/x`, and names
//! files `main.tf` in diagnostics).

use crate::support::Work;

const MAIN: &str = r#"
variable "name" {}
variable "auto" {}
variable "tf" {}

resource "terraform_data" "a" {
  input = "${var.name}-${var.auto}-${var.tf}"
}

module "m" {
  source = "./modules/m"
}

output "a" { value = terraform_data.a.output }
output "module" { value = path.module }
output "child" { value = module.m.dir }
output "root" { value = path.root }
output "cwd" { value = path.cwd }
output "abs" { value = abspath("x") }
output "file" { value = file("data.txt") }
output "template" { value = templatefile("${path.module}/t.tpl", { who = "hub" }) }
"#;

fn live() -> Work {
    let w = Work::empty();
    w.write("live/main.tf", MAIN);
    w.write(
        "live/modules/m/main.tf",
        "output \"dir\" { value = path.module }\n",
    );
    w.write("live/data.txt", "from-live");
    w.write("live/t.tpl", "hello ${who}");
    w.write("live/my.tfvars", "name = \"cli\"\n");
    w.write("live/x.auto.tfvars", "auto = \"auto\"\n");
    w.write("live/terraform.tfvars", "tf = \"tf\"\n");
    w
}

#[test]
fn relative_paths_resolve_in_the_chdir_directory() {
    let w = live();
    // The command runs in w.dir(), the parent of live/.
    let plan = w.run(&["-chdir=live", "plan", "-var-file=my.tfvars", "-out=p.plan"]);
    plan.expect_code(0);
    assert!(w.path("live/p.plan").is_file(), "{}", plan.all());
    assert!(!w.path("p.plan").exists());
    w.run(&["-chdir=live", "apply", "p.plan"]).expect_code(0);
    let state_file = w.path("live/.hubctl/state.json");
    assert!(state_file.is_file());
    assert!(!w.path(".hubctl").exists());
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state_file).expect("state")).expect("JSON");
    let out = |k: &str| state["outputs"][k]["value"].clone();
    assert_eq!(out("a"), "cli-auto-tf");
    assert_eq!(out("module"), ".");
    assert_eq!(out("child"), "modules/m");
    assert_eq!(out("root"), ".");
    assert_eq!(out("cwd"), w.dir().display().to_string());
    assert_eq!(out("abs"), w.path("live/x").display().to_string());
    assert_eq!(out("file"), "from-live");
    assert_eq!(out("template"), "hello hub");

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
    w.run(&["-chdir=live", "output", "a"]).expect_code(0);
}

#[test]
fn shown_paths_stay_relative_to_the_chdir_directory() {
    let w = live();
    w.write("live/extra/ugly.tf", "a=1\n");
    let fmt = w.run(&["-chdir=live", "fmt", "-check", "extra"]);
    fmt.expect_code(3);
    assert_eq!(fmt.stdout.trim(), "extra/ugly.tf");

    w.write("bad/main.tf", "output \"x\" { value = nope }\n");
    let bad = w.run(&["-chdir=bad", "validate"]);
    bad.expect_code(1);
    assert!(bad.stderr.contains(" main.tf:1:22"), "{}", bad.stderr);
    assert!(
        !bad.stderr.contains(&w.dir().display().to_string()),
        "{}",
        bad.stderr
    );
}
