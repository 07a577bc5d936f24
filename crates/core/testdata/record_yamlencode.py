#!/usr/bin/env python3
"""Re-records yamlencode-terraform-1.11.json from the `terraform` on PATH (offline: only
`terraform console` with built-in functions). Run from this directory; it keeps the inputs
already in the file and replaces each `yaml` with what Terraform returns now."""
import json
import os
import subprocess
import tempfile

FILE = "yamlencode-terraform-1.11.json"


def terraform_yaml(value, cwd):
    text = json.dumps(value)
    literal = (text.replace("\\", "\\\\").replace('"', '\\"')
               .replace("${", "$${").replace("%{", "%%{"))
    expr = f'jsonencode(yamlencode(jsondecode("{literal}")))'
    out = subprocess.run(["terraform", "console"], input=expr, capture_output=True,
                         text=True, cwd=cwd, check=True).stdout
    return json.loads(json.loads(out.strip().splitlines()[-1]))


def main():
    with open(FILE) as f:
        cases = json.load(f)
    with tempfile.TemporaryDirectory() as cwd:
        for case in cases.values():
            case["yaml"] = terraform_yaml(case["input"], cwd)
    with open(FILE, "w") as f:
        json.dump(cases, f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
