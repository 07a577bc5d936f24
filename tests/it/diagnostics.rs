//! Issue item 2: every configuration error fails with exit 1, points at file:line:column,
//! names the problem, and leaves an existing state byte-identical.

use crate::support::{Out, Work};

/// Applies the good `base` fixture, replaces `main.tf` with `broken`, runs
/// `apply --auto-approve` with `extra` args and checks that it failed without touching state.
fn broken(broken: &str, extra: &[&str]) -> (Work, Out) {
    let w = Work::fixture("base");
    w.apply_ok(&[]);
    let before = w.state_bytes();
    w.write("main.tf", broken);
    let out = w.run(&[&["apply", &w.arg(), "--auto-approve"], extra].concat());
    out.expect_code(1);
    assert!(
        w.state_bytes() == before,
        "a failed run changed the state file"
    );
    assert!(!w.journal_path().exists() || w.state_bytes() == before);
    (w, out)
}

/// Asserts `summary` is reported at `main.tf:<at>` (line:column).
#[track_caller]
fn assert_error(w: &Work, out: &Out, summary: &str, file: &str, at: &str) {
    let loc = format!("{}:{at}", w.path(file).display());
    assert!(
        out.stderr.contains(&format!("error: {summary}"))
            || out.stderr.contains(&format!(": {summary}\n")),
        "summary {summary:?} missing:\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&loc),
        "location {loc} missing:\n{}",
        out.stderr
    );
}

fn error_count(out: &Out) -> usize {
    out.stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .count()
}

#[test]
fn syntax_error() {
    let (w, out) = broken(
        "resource \"terraform_data\" \"a\" {\n  input = \"x\"\n  triggers_replace = [1,\n}\n",
        &[],
    );
    assert_error(&w, &out, "Syntax error", "main.tf", "4:1");
}

#[test]
fn unknown_reference_suggests_the_close_name() {
    let (w, out) = broken(
        "variable \"name\" {\n  default = \"hub\"\n}\n\nresource \"terraform_data\" \"a\" {\n  input = var.nme\n}\n",
        &[],
    );
    assert_error(
        &w,
        &out,
        "Reference to undeclared input variable",
        "main.tf",
        "6:11",
    );
    assert!(
        out.stderr.contains("did you mean `var.name`?"),
        "{}",
        out.stderr
    );
    insta::assert_snapshot!("unknown_reference", w.redact(&out.stderr));
}

#[test]
fn variable_given_a_value_of_the_wrong_type_on_the_command_line() {
    let (w, out) = broken(
        "variable \"size\" {\n  type    = number\n  default = 1\n}\n",
        &["--var", "size=abc"],
    );
    assert_error(
        &w,
        &out,
        "Invalid value for input variable",
        "main.tf",
        "1:1",
    );
    assert!(
        out.stderr.contains("a number is required"),
        "{}",
        out.stderr
    );
}

#[test]
fn variable_given_a_value_of_the_wrong_type_in_a_var_file() {
    let w = Work::fixture("base");
    w.apply_ok(&[]);
    let before = w.state_bytes();
    w.write(
        "main.tf",
        "variable \"size\" {\n  type    = number\n  default = 1\n}\n",
    );
    w.write("bad.tfvars", "size = \"abc\"\n");
    let file = w.path("bad.tfvars").display().to_string();
    let out = w.run(&["apply", &w.arg(), "--auto-approve", "--var-file", &file]);
    out.expect_code(1);
    assert_eq!(w.state_bytes(), before);
    assert_error(
        &w,
        &out,
        "Invalid value for input variable",
        "main.tf",
        "1:1",
    );
    assert!(
        out.stderr.contains("a number is required"),
        "{}",
        out.stderr
    );
}

#[test]
fn unsupported_argument_suggests_input() {
    let (w, out) = broken("resource \"terraform_data\" \"a\" {\n  inptu = 1\n}\n", &[]);
    assert_error(&w, &out, "Unsupported argument", "main.tf", "2:3");
    assert!(
        out.stderr.contains("did you mean \"input\"?"),
        "{}",
        out.stderr
    );
}

#[test]
fn module_call_missing_a_required_variable() {
    let (w, out) = broken("module \"net\" {\n  source = \"./modules/net\"\n}\n", &[]);
    assert_error(&w, &out, "Missing required argument", "main.tf", "1:1");
    assert!(out.stderr.contains("\"cidr\""), "{}", out.stderr);
    insta::assert_snapshot!("missing_required_argument", w.redact(&out.stderr));
}

#[test]
fn duplicate_resource_address() {
    let (w, out) = broken(
        "resource \"terraform_data\" \"a\" {\n  input = 1\n}\n\nresource \"terraform_data\" \"a\" {\n  input = 2\n}\n",
        &[],
    );
    assert_error(
        &w,
        &out,
        "Duplicate resource \"terraform_data\" configuration",
        "main.tf",
        "5:1",
    );
    // The first declaration is shown too.
    assert!(out
        .stderr
        .contains(&format!("{}:1:1", w.path("main.tf").display())));
    insta::assert_snapshot!("duplicate_resource", w.redact(&out.stderr));
}

#[test]
fn count_and_for_each_together() {
    let (w, out) = broken(
        "resource \"terraform_data\" \"a\" {\n  count    = 1\n  for_each = { a = 1 }\n  input    = 1\n}\n",
        &[],
    );
    assert_error(
        &w,
        &out,
        "Invalid combination of \"count\" and \"for_each\"",
        "main.tf",
        "3:3",
    );
}

#[test]
fn function_called_with_the_wrong_number_of_arguments() {
    let (w, out) = broken(
        "resource \"terraform_data\" \"a\" {\n  input = length(\"a\", \"b\")\n}\n",
        &[],
    );
    assert_error(&w, &out, "Too many function arguments", "main.tf", "2:11");
}

#[test]
fn cidrsubnet_with_an_invalid_prefix() {
    let (w, out) = broken(
        "resource \"terraform_data\" \"a\" {\n  input = cidrsubnet(\"10.0.0/16\", 8, 1)\n}\n",
        &[],
    );
    // Terraform fails the call (not the argument) for a malformed prefix.
    assert_error(&w, &out, "Error in function call", "main.tf", "2:11");
    assert!(
        out.stderr
            .contains("Call to function \"cidrsubnet\" failed: invalid CIDR expression"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_invalid_argument_names_the_parameter_as_terraform_does() {
    let (w, out) = broken(
        "resource \"terraform_data\" \"a\" {\n  input = cidrsubnet(\"10.0.0.0/16\", \"x\", 1)\n}\n",
        &[],
    );
    assert_error(&w, &out, "Invalid function argument", "main.tf", "2:37");
    assert!(
        out.stderr
            .contains("Invalid value for \"newbits\" parameter: a number is required"),
        "{}",
        out.stderr
    );
}

#[test]
fn variable_validation_failure_shows_the_error_message() {
    let (w, out) = broken(
        "variable \"name\" {\n  type = string\n\n  validation {\n    condition     = var.name != \"bad\"\n    error_message = \"The name must not be \\\"bad\\\".\"\n  }\n}\n",
        &["--var", "name=bad"],
    );
    assert_error(&w, &out, "Invalid value for variable", "main.tf", "1:1");
    assert!(
        out.stderr.contains("The name must not be \"bad\"."),
        "{}",
        out.stderr
    );
    assert!(out
        .stderr
        .contains(&format!("{}:5:21", w.path("main.tf").display())));
}

#[test]
fn module_source_not_found() {
    let (w, out) = broken("module \"net\" {\n  source = \"./nope\"\n}\n", &[]);
    assert_error(&w, &out, "Module source not found", "main.tf", "2:12");
}

#[test]
fn several_independent_reference_errors_are_all_reported() {
    let (w, out) = broken(
        "resource \"terraform_data\" \"a\" {\n  input = var.one\n}\n\nresource \"terraform_data\" \"b\" {\n  input = local.two\n}\n\nresource \"terraform_data\" \"c\" {\n  input = terraform_data.nope.id\n}\n",
        &[],
    );
    assert_eq!(error_count(&out), 3, "{}", out.stderr);
    assert_error(
        &w,
        &out,
        "Reference to undeclared input variable",
        "main.tf",
        "2:11",
    );
    assert_error(
        &w,
        &out,
        "Reference to undeclared local value",
        "main.tf",
        "6:11",
    );
    assert_error(
        &w,
        &out,
        "Reference to undeclared resource",
        "main.tf",
        "10:11",
    );
}

#[test]
fn errors_of_different_kinds_are_all_reported() {
    let (w, out) = broken(
        "resource \"terraform_data\" \"a\" {\n  input = var.one\n}\n\nresource \"terraform_data\" \"c\" {\n  inptu = 3\n}\n",
        &[],
    );
    assert_eq!(error_count(&out), 2, "{}", out.stderr);
    assert_error(
        &w,
        &out,
        "Reference to undeclared input variable",
        "main.tf",
        "2:11",
    );
    assert_error(&w, &out, "Unsupported argument", "main.tf", "6:3");
}

#[test]
fn three_node_cycle_names_every_node_in_order() {
    let (w, out) = broken(
        "locals {\n  a = local.b\n  b = local.c\n  c = local.a\n}\n\noutput \"x\" {\n  value = local.a\n}\n",
        &[],
    );
    assert_error(&w, &out, "Cycle in configuration", "main.tf", "2:3");
    // Each node's location, in ring order (the first one is the error's own subject).
    let main = w.path("main.tf").display().to_string();
    let mut from = 0;
    for line in 2..=4 {
        let loc = format!("{main}:{line}:3");
        from += out.stderr[from..]
            .find(&loc)
            .unwrap_or_else(|| panic!("{loc} missing or out of order:\n{}", out.stderr));
    }
    for edge in ["local.b refers to local.c", "local.c refers to local.a"] {
        assert!(
            out.stderr.contains(edge),
            "{edge:?} missing:\n{}",
            out.stderr
        );
    }
    assert!(out.stderr.contains("local.a → local.b → local.c → local.a"));
    insta::assert_snapshot!("cycle", w.redact(&out.stderr));
}

/// `validate --json` has `terraform validate -json`'s shape: format_version, ranges with
/// file names as given, and snippets with the whole line, offsets and the enclosing block.
#[test]
fn validate_json_has_terraforms_schema() {
    let w = Work::empty();
    w.write(
        "main.tf",
        "resource \"terraform_data\" \"a\" {\n  input = var.missing\n}\n",
    );
    let out = w.command(&["validate", "--json"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["format_version"], "1.0");
    assert_eq!(doc["valid"], false);
    let d = &doc["diagnostics"][0];
    assert_eq!(d["summary"], "Reference to undeclared input variable");
    assert_eq!(d["range"]["filename"], "main.tf");
    assert_eq!(d["range"]["start"]["line"], 2);
    let s = &d["snippet"];
    assert_eq!(s["context"], "resource \"terraform_data\" \"a\"");
    assert_eq!(s["code"], "  input = var.missing");
    assert_eq!(s["start_line"], 2);
    assert_eq!(
        (&s["highlight_start_offset"], &s["highlight_end_offset"]),
        (&serde_json::json!(10), &serde_json::json!(21))
    );
}

/// A type's own cross-argument rules run at validate time, before any API call: an
/// `aws_route` with two targets is refused at the second target's line and column. The
/// endpoint is a closed port, so any call would fail loudly.
#[test]
fn a_route_with_two_targets_is_refused_by_validate() {
    let w = Work::empty();
    w.write(
        "main.tf",
        "provider \"aws\" {\n  region = \"us-east-1\"\n}\n\nresource \"aws_route\" \"out\" {\n  route_table_id         = \"rtb-1\"\n  destination_cidr_block = \"0.0.0.0/0\"\n  gateway_id             = \"igw-1\"\n  nat_gateway_id         = \"nat-1\"\n}\n",
    );
    let dir = w.arg();
    let o = w
        .command(&["validate", &dir])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run");
    let out = Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    };
    out.expect_code(1);
    assert_error(
        &w,
        &out,
        "Invalid combination of arguments",
        "main.tf",
        "9:3",
    );
    assert!(
        out.stderr.contains("only one of `carrier_gateway_id,")
            && out
                .stderr
                .contains("but `gateway_id,nat_gateway_id` were specified"),
        "{}",
        out.stderr
    );
    assert_eq!(error_count(&out), 1, "{}", out.stderr);
}

/// Provider arguments Terraform configurations carry that change nothing in hubctl yet are
/// accepted with a warning at the argument, never silently.
#[test]
fn provider_arguments_without_effect_are_warned_about_where_written() {
    let w = Work::empty();
    w.write(
        "main.tf",
        "provider \"aws\" {\n  region            = \"us-east-1\"\n  s3_use_path_style = true\n  endpoints {\n    ec2 = \"http://127.0.0.1:9\"\n    iam = \"http://127.0.0.1:9\"\n    dynamodb = \"http://127.0.0.1:9\"\n  }\n}\n",
    );
    let dir = w.arg();
    let out = w.run(&["validate", &dir]);
    out.expect_code(0);
    let at = |l: &str| format!("{}:{l}", w.path("main.tf").display());
    for (summary, loc) in [
        ("Argument has no effect", "3:3"),
        ("Endpoint has no effect", "7:5"),
    ] {
        assert!(
            out.all().contains(&format!("Warning: {summary}"))
                || out.all().contains(&format!("warning: {summary}")),
            "{summary}: {}",
            out.all()
        );
        assert!(out.all().contains(&at(loc)), "{loc}: {}", out.all());
    }
    assert!(!out.all().contains("ec2 resource type"), "{}", out.all());
    // IAM has resource types: its endpoint is used.
    assert!(
        out.all().contains("no dynamodb resource type"),
        "{}",
        out.all()
    );
}
