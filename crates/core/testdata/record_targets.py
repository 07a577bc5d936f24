#!/usr/bin/env python3
"""Records targets-terraform-1.11.json from the `terraform` on PATH (offline: only the built-in
terraform_data). FILES is a root module with a chain of dependencies through `count`,
`for_each`, a single module call and a `for_each` module call, plus unrelated resources. For
each case of CASES it records which resource instances Terraform plans, and with what action
and which root outputs change (`terraform show -json` of the saved plan, no-ops left out):

- "create" cases plan against an empty state with `-target` (Terraform's normal targeting:
  the targets and what they depend on);
- "destroy" cases plan `-destroy` against the applied state with `-target` (the targets and
  everything that depends on them, the other direction).

crates/core/src/end_to_end/targets.rs requires hubctl to plan the same instances with the same actions."""
import json
import os
import subprocess
import tempfile

FILE = "targets-terraform-1.11.json"

FILES = {
    "main.tf": r'''
resource "terraform_data" "base" {
  input = "base"
}

resource "terraform_data" "list" {
  count = 2
  input = terraform_data.base.output
}

resource "terraform_data" "map" {
  for_each = toset(["a", "b"])
  input    = terraform_data.list[0].output
}

resource "terraform_data" "leaf" {
  input = terraform_data.map["a"].output
}

resource "terraform_data" "other" {
  input = "other"
}

module "x" {
  source = "./m"
  input  = terraform_data.base.output
}

module "y" {
  source   = "./m"
  for_each = toset(["k1", "k2"])
  input    = each.key
}

resource "terraform_data" "uses_x" {
  input = module.x.out
}

resource "terraform_data" "uses_y" {
  input = module.y["k1"].out
}

output "leaf" {
  value = terraform_data.leaf.output
}

output "other" {
  value = terraform_data.other.output
}

output "x" {
  value = module.x.out
}
''',
    "m/main.tf": r'''
variable "input" {
  type = string
}

resource "terraform_data" "inner" {
  input = var.input
}

resource "terraform_data" "inner2" {
  input = terraform_data.inner.output
}

output "out" {
  value = terraform_data.inner2.output
}
''',
}

TARGETS = [
    ["terraform_data.base"],
    ["terraform_data.list"],
    ["terraform_data.list[1]"],
    ["terraform_data.map[\"a\"]"],
    ["terraform_data.leaf"],
    ["terraform_data.other"],
    ["module.x"],
    ["module.x.terraform_data.inner"],
    ["module.y"],
    ["module.y[\"k1\"]"],
    ["module.y[\"k2\"].terraform_data.inner2"],
    ["terraform_data.other", "terraform_data.list[1]"],
]


def run(args, cwd):
    env = dict(os.environ, TF_CLI_CONFIG_FILE="/dev/null", TF_IN_AUTOMATION="1")
    proc = subprocess.run(["terraform", *args], capture_output=True, text=True, cwd=cwd, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"terraform {' '.join(args)} failed:\n{proc.stderr}")
    return proc.stdout


def planned(cwd, args):
    run(["plan", "-input=false", "-out=t.plan", *args], cwd)
    plan = json.loads(run(["show", "-json", "t.plan"], cwd))
    out = {}
    for rc in plan.get("resource_changes", []):
        actions = rc["change"]["actions"]
        if actions != ["no-op"]:
            out[rc["address"]] = "-".join(actions)
    outputs = {}
    for name, oc in plan.get("output_changes", {}).items():
        if oc["actions"] != ["no-op"]:
            outputs[name] = "-".join(oc["actions"])
    return out, outputs


def main():
    cases = []
    with tempfile.TemporaryDirectory() as cwd:
        for path, text in FILES.items():
            os.makedirs(os.path.dirname(os.path.join(cwd, path)), exist_ok=True)
            with open(os.path.join(cwd, path), "w") as f:
                f.write(text)
        run(["init", "-input=false"], cwd)
        for targets in TARGETS:
            args = [f"-target={t}" for t in targets]
            changes, outputs = planned(cwd, args)
            cases.append({"mode": "create", "targets": targets, "planned": changes, "outputs": outputs})
        run(["apply", "-auto-approve", "-input=false"], cwd)
        for targets in TARGETS:
            args = ["-destroy", *[f"-target={t}" for t in targets]]
            changes, outputs = planned(cwd, args)
            cases.append({"mode": "destroy", "targets": targets, "planned": changes, "outputs": outputs})
    with open(FILE, "w") as f:
        json.dump({"files": FILES, "cases": cases}, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
