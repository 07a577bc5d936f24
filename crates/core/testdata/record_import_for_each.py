#!/usr/bin/env python3
"""Records import-for-each-terraform-1.11.json from the `terraform` on PATH (offline: only
the built-in terraform_data, which Terraform imports by id). Each case is a configuration
with an `import` block using `for_each` (Terraform 1.7+). For each it records whether
`terraform plan -json` succeeded, the error diagnostics (summary, detail, the subject's file,
line and column) and, when it planned, every planned import as `address -> id` with the
action. end_to_end/import_for_each.rs requires hubctl to plan the same imports and to fail
with the same summary at the same place."""
import json
import os
import subprocess
import tempfile

FILE = "import-for-each-terraform-1.11.json"

TARGET = '''resource "terraform_data" "x" {
  for_each = toset(["a", "b"])
  input    = each.key
}
'''

CASES = {
    "map": TARGET + '''
locals {
  ids = { a = "id-a", b = "id-b" }
}

import {
  for_each = local.ids
  to       = terraform_data.x[each.key]
  id       = each.value
}
''',
    "list": TARGET + '''
import {
  for_each = ["a", "b"]
  to       = terraform_data.x[each.value]
  id       = "id-${each.key}"
}
''',
    "set": TARGET + '''
variable "keys" {
  type    = set(string)
  default = ["a", "b"]
}

import {
  for_each = var.keys
  to       = terraform_data.x[each.key]
  id       = "id-${each.value}"
}
''',
    "unknown": TARGET + '''
resource "terraform_data" "src" {
  input = "x"
}

import {
  for_each = terraform_data.src.output
  to       = terraform_data.x[each.value]
  id       = "id-${each.key}"
}
''',
    "not_a_collection": TARGET + '''
import {
  for_each = "ab"
  to       = terraform_data.x[each.value]
  id       = "id-${each.key}"
}
''',
    "key_without_instance": TARGET + '''
import {
  for_each = { a = "1", c = "2" }
  to       = terraform_data.x[each.key]
  id       = "id-${each.value}"
}
''',
}


def run(args, cwd):
    env = dict(os.environ, TF_CLI_CONFIG_FILE="/dev/null", TF_IN_AUTOMATION="1")
    return subprocess.run(["terraform", "-chdir=" + cwd, *args], capture_output=True,
                          text=True, env=env)


def errors(lines):
    out = []
    for line in lines:
        msg = json.loads(line)
        d = msg.get("diagnostic")
        if msg.get("type") != "diagnostic" or d.get("severity") != "error":
            continue
        start = (d.get("range") or {}).get("start") or {}
        out.append({"summary": d["summary"], "detail": d.get("detail", ""),
                    "file": (d.get("range") or {}).get("filename"),
                    "line": start.get("line"), "column": start.get("column")})
    return out


def record(files):
    with tempfile.TemporaryDirectory() as cwd:
        with open(os.path.join(cwd, "main.tf"), "w") as f:
            f.write(files)
        if run(["init", "-input=false"], cwd).returncode != 0:
            raise SystemExit("terraform init failed")
        proc = run(["plan", "-json", "-input=false", "-out=t.plan"], cwd)
        case = {"main.tf": files, "ok": proc.returncode == 0,
                "errors": errors(proc.stdout.splitlines())}
        if proc.returncode == 0:
            shown = json.loads(run(["show", "-json", "t.plan"], cwd).stdout)
            case["imports"] = {
                rc["address"]: {"id": rc["change"]["importing"]["id"],
                                "actions": rc["change"]["actions"]}
                for rc in shown.get("resource_changes", [])
                if rc["change"].get("importing")
            }
        return case


def main():
    out = {name: record(files) for name, files in CASES.items()}
    with open(FILE, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
