//! Dependency mocks in `--all` runs: a never-applied environment plans without them (its
//! outputs are "known after apply" across units), and a mock stands in only where a value
//! must be known at plan time (a `count` here). A plan that used one is refused by
//! `apply --all`, at the mock.

use crate::live_hub::repo_tree;
use crate::moto::Moto;
use crate::support::Work;

#[test]
fn plan_all_of_the_never_applied_prod_plans_every_unit_without_mocks() {
    let moto = Moto::start();
    let w = repo_tree("prod");
    let run = |args: &[&str]| moto.hubctl(&w, args, &[]);
    run(&["init", "bootstrap", "--bootstrap"]).expect_code(0);
    let plan = run(&["plan", "--all", "live/prod", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    let summary = "Units: 5 done (5 with changes), 0 failed, 0 skipped.";
    assert!(plan.stdout.contains(summary), "{}", plan.all());
    assert!(!plan.all().contains("mock"), "{}", plan.all());
    // The shipped units set no input their modules do not declare.
    assert!(!plan.stderr.contains("undeclared"), "{}", plan.stderr);
    // Each dependent sees its dependencies' outputs as known after apply, in its inputs.
    let section = |unit: &str| {
        let header = format!("=== live/prod/{unit} ===");
        let start = plan.stdout.find(&header).expect(&header);
        let rest = &plan.stdout[start + header.len()..];
        rest[..rest.find("\n=== ").unwrap_or(rest.len())].to_string()
    };
    let unknown = |unit: &str, attr: &str| {
        let text = section(unit);
        let line = text.lines().map(str::trim).find(|l| {
            let l = l.trim_start_matches("+ ");
            l.starts_with(attr) && l[attr.len()..].trim_start().starts_with('=')
        });
        assert!(
            line.is_some_and(|l| l.ends_with("= (known after apply)")),
            "{unit}: {attr} is not known after apply in\n{text}"
        );
    };
    // network -> eks (subnets), kms -> eks (key), eks -> iam (OIDC), iam -> argocd (roles).
    unknown("eks", "subnet_ids");
    unknown("eks", "key_arn");
    unknown("iam", "assume_role_policy");
    unknown("argocd", "values");
}

/// Unit `a` has an output known only after apply (`size`); unit `b` creates `size`
/// instances, each holding a's `id`, and mocks both outputs.
fn counted(allowed: &str) -> Work {
    let w = Work::empty();
    w.write(
        "modules/a/main.tf",
        "resource \"terraform_data\" \"x\" {\n  input = \"a\"\n}\n\noutput \"id\" {\n  value = terraform_data.x.id\n}\n\n\
         output \"size\" {\n  value = length(split(\"-\", terraform_data.x.id))\n}\n",
    );
    w.write(
        "modules/b/main.tf",
        "variable \"n\" {\n  type = number\n}\n\nvariable \"upstream\" {\n  type = string\n}\n\n\
         resource \"terraform_data\" \"y\" {\n  count = var.n\n  input = var.upstream\n}\n",
    );
    w.write(
        "live/dev/a/terragrunt.hcl",
        "terraform {\n  source = \"../../../modules//a\"\n}\n",
    );
    w.write(
        "live/dev/b/terragrunt.hcl",
        &format!(
            "terraform {{\n  source = \"../../../modules//b\"\n}}\n\ndependency \"a\" {{\n  config_path  = \"../a\"\n\
             \x20 mock_outputs = {{ size = 2, id = \"mock-id\" }}\n{allowed}}}\n\n\
             inputs = {{\n  n        = dependency.a.outputs.size\n  upstream = dependency.a.outputs.id\n}}\n"
        ),
    );
    w
}

#[test]
fn a_mock_stands_in_only_for_count_and_apply_all_refuses_a_plan_that_used_it() {
    let w = counted("");
    let plan = w.run(&["plan", "--all", "live/dev", "--detailed-exitcode"]);
    plan.expect_code(2);
    let b = &plan.stdout[plan.stdout.find("=== live/dev/b ===").expect("b planned")..];
    // The mock gave count 2; the id it also mocks reaches no argument: that stays unknown.
    assert!(b.contains("terraform_data.y[1] will be created"), "{b}");
    assert!(!b.contains("terraform_data.y[2]"), "{b}");
    let input = b.lines().map(str::trim).find(|l| l.starts_with("+ input"));
    assert!(
        input.is_some_and(|l| l.ends_with("= (known after apply)")),
        "{b}"
    );
    assert!(!plan.stdout.contains("mock-id"), "{}", plan.stdout);
    for want in [
        "warning: Plan uses mock outputs",
        "The input \"n\" feeds a value that must be known at plan time",
        "live/dev/b/terragrunt.hcl:7:3",
    ] {
        assert!(plan.stderr.contains(want), "no {want} in\n{}", plan.stderr);
    }
    // A plan made with a mock is never saved in a tree's plan file.
    let saved = w.run(&["plan", "--all", "live/dev", "-out=tree.hubplan"]);
    saved.expect_code(1);
    assert!(
        saved.stderr.contains("Can't save the plan of live/dev/b"),
        "{}",
        saved.stderr
    );
    assert!(!w.path("tree.hubplan").exists());

    // a left out and never applied: b's plan needs the mock, and the apply refuses it.
    let apply = w.run(&[
        "apply",
        "--all",
        "live/dev",
        "--auto-approve",
        "--queue-exclude-dir",
        "**/a",
    ]);
    apply.expect_code(1);
    for want in [
        "error: Plan uses mock outputs",
        "live/dev/b/terragrunt.hcl:7:3",
        "Apply the dependency first.",
    ] {
        assert!(
            apply.stderr.contains(want),
            "no {want} in\n{}",
            apply.stderr
        );
    }
    assert!(!w
        .path("live/dev/b/.hubctl/work/b/.hubctl/state.json")
        .exists());

    // Everything applied in order: b reads a's real outputs and no mock is used.
    let apply = w.run(&["apply", "--all", "live/dev", "--auto-approve"]);
    apply.expect_code(0);
    assert!(!apply.all().contains("mock"), "{}", apply.all());
    let state: serde_json::Value =
        serde_json::from_str(&w.read("live/dev/b/.hubctl/work/b/.hubctl/state.json"))
            .expect("b's state");
    let a_id: serde_json::Value =
        serde_json::from_str(&w.read("live/dev/a/.hubctl/work/a/.hubctl/state.json"))
            .expect("a's state");
    let a_id = a_id["outputs"]["id"]["value"].as_str().expect("a's id");
    let y = &state["resources"]["terraform_data.y[0]"]["attributes"]["input"];
    assert_eq!(y, &serde_json::json!(a_id), "{state}");
}

#[test]
fn a_mock_not_allowed_for_the_command_is_not_used() {
    let w = counted(
        "  mock_outputs_allowed_terraform_commands = [\"validate\"]\n  mock_outputs_merge_strategy_with_state = \"shallow\"\n",
    );
    let plan = w.run(&["plan", "--all", "live/dev"]);
    plan.expect_code(1);
    assert!(
        plan.stderr.contains("Invalid count argument"),
        "{}",
        plan.stderr
    );
    assert!(!plan.stderr.contains("Plan uses mock"), "{}", plan.stderr);
    // A setting that changes nothing says so, once, where it is written.
    let noop = "warning: mock_outputs_merge_strategy_with_state has no effect";
    assert_eq!(plan.stderr.matches(noop).count(), 1, "{}", plan.stderr);
    assert!(
        plan.stderr.contains("live/dev/b/terragrunt.hcl:9:3"),
        "{}",
        plan.stderr
    );
    // A --all run takes no -var (each unit has its own inputs): refused, not ignored. And a
    // tree's plan file is not written when a unit failed to plan.
    let out = w.run(&["plan", "--all", "live/dev", "-out=p.plan", "-var", "x=1"]);
    out.expect_code(1);
    assert!(
        out.stderr.contains("-var not supported with --all"),
        "{}",
        out.stderr
    );
    assert!(!w.path("p.plan").exists() && !out.stdout.contains("==="));
    let out = w.run(&["plan", "--all", "live/dev", "-out=p.plan"]);
    out.expect_code(1);
    assert!(
        out.stderr
            .contains("The plan is not saved to p.plan: a unit failed."),
        "{}",
        out.all()
    );
    assert!(!w.path("p.plan").exists());
    let out = w.run(&[
        "apply",
        "--all",
        "live/dev",
        "--auto-approve",
        "-replace=x.y",
    ]);
    out.expect_code(1);
    assert!(
        out.stderr.contains("-replace not supported with --all"),
        "{}",
        out.stderr
    );
    assert!(!out.stdout.contains("==="), "no unit ran:\n{}", out.stdout);
}
