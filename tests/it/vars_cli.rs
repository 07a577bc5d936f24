//! The CLI side of root input variables (the values themselves are compared with Terraform
//! in hubctl-core's `vardiff_tests`): what clap parses apart, `-var` and `-var-file`, must
//! still apply in command-line order, as Terraform's (recorded in `vardiff-terraform-1.11.json`).

use crate::support::Work;

const CONFIG: &str = r#"
variable "x" {
  type = string
}
variable "l" {
  type    = list(number)
  default = []
}
output "x" {
  value = var.x
}
output "l" {
  value = var.l
}
"#;

/// Applies with `args` (and `TF_VAR_l`), then returns the root outputs as JSON.
fn outputs(w: &Work, args: &[&str]) -> serde_json::Value {
    let dir = w.arg();
    let mut all = vec!["apply", dir.as_str(), "-auto-approve"];
    all.extend_from_slice(args);
    let o = w
        .command(&all)
        .env("TF_VAR_l", r#"[1, "2"]"#)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = w.run(&["output", "--dir", &dir, "--json"]);
    out.expect_code(0);
    let got: serde_json::Value = serde_json::from_str(&out.stdout).expect("output --json");
    serde_json::json!({ "x": got["x"]["value"], "l": got["l"]["value"] })
}

#[test]
fn var_and_var_file_apply_left_to_right() {
    let w = Work::empty();
    w.write("main.tf", CONFIG);
    w.write("f.tfvars", "x = \"file\"\n");
    let got = outputs(&w, &["-var", "x=cli", "-var-file=f.tfvars"]);
    assert_eq!(got, serde_json::json!({ "x": "file", "l": [1, 2] }));
    let got = outputs(&w, &["--var-file", "f.tfvars", "-var=x=cli"]);
    assert_eq!(got["x"], "cli");
    let got = outputs(&w, &["-var", "x=1", "-var-file", "f.tfvars", "-var", "x=2"]);
    assert_eq!(got["x"], "2");
}

#[test]
fn a_var_name_with_a_trailing_space_is_refused() {
    let w = Work::empty();
    w.write("main.tf", CONFIG);
    let dir = w.arg();
    let out = w.run(&["plan", dir.as_str(), "-var", "x =v"]);
    out.expect_code(1);
    assert!(out.stderr.contains("Invalid -var option"), "{}", out.stderr);
    assert!(out.stderr.contains("trailing space"), "{}", out.stderr);
}
