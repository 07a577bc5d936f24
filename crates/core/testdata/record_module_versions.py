#!/usr/bin/env python3
"""Records module-versions-terraform-1.11.json from the `terraform` on PATH: for each version
constraint of CASES, which of OFFERED a loopback registry's module Terraform installs with
`terraform get` (the Version of .terraform/modules/modules.json), or the summary of its error.
sources/version_tests.rs requires hubctl's Constraints::newest to pick the same version and to
fail where Terraform fails."""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loopback_registry import Registry, terraform_env  # noqa: E402

FILE = "module-versions-terraform-1.11.json"
OFFERED = ["0.9.0", "1.1.0", "1.2.3", "1.2.10", "1.3.0-beta", "1.3.0-rc.1", "1.3.0", "2.0.0",
           "2.0.1-alpha"]
CASES = [
    "~> 1.2", "~> 1.2.0", "~> 1", "~> 1.3", "~> 2.0", "~> 0.9", "~> 1.3.0-beta",
    ">= 1.0", ">= 1.0, < 1.3", "> 1.2.3", "< 1.2.10", "<= 1.2.10", "!= 2.0.0", "= 1.2.3",
    "1.2.3", "1.2", "v1.1.0", " >= 1.1 ,< 2 ", ">=1.1,!=1.3.0,<2",
    "1.3.0-beta", "= 1.3.0-rc.1", ">= 1.3.0-beta", ">= 1.3.0-beta, < 1.3.0", "2.0.1-alpha",
    "~> 3.0", "> 2.0.1", "1.3.0-beta, >= 1.0", "!= 1.3.0-beta",
    "= 1.3.0-beta", "1.3.0-rc.1", "=1.3.0-rc.1", "=2.0.1-alpha", "= 2.0.1-alpha",
    "<= 1.3.0-rc.1, >= 1.3.0-beta", "1.3.0-beta, != 1.2.3", "1.3.0-beta,!=1.2.3",
    "2.0.1-alpha, >= 2.0.1-alpha", "2.0.1-alpha,>=2.0.1-alpha", " 2.0.1-alpha", "v2.0.1-alpha",
    "=> 1.0", "banana", "~>", "1.2.x",
]


def one(reg, ca, constraint):
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write('module "m" {\n  source  = "%s/hub/mod/aws"\n  version = %s\n}\n'
                    % (reg.host, json.dumps(constraint)))
        p = subprocess.run(["terraform", "get", "-no-color"], cwd=d, env=terraform_env(ca),
                           capture_output=True, text=True)
        if p.returncode == 0:
            with open(os.path.join(d, ".terraform/modules/modules.json")) as f:
                mods = json.load(f)["Modules"]
            return {"version": next(m["Version"] for m in mods if m["Key"] == "m")}
        m = re.search(r"Error: (.+)", p.stderr)
        return {"error": m.group(1).strip() if m else p.stderr.strip()}


def main():
    out = []
    with tempfile.TemporaryDirectory() as work:
        files = {v: {"main.tf": "output \"v\" { value = \"%s\" }\n" % v} for v in OFFERED}
        reg = Registry(work, {"hub/mod/aws": files})
        try:
            for c in CASES:
                out.append(dict(constraint=c, **one(reg, reg.ca, c)))
        finally:
            reg.close()
    tf = subprocess.run(["terraform", "version", "-json"], capture_output=True, text=True)
    doc = {"terraform": json.loads(tf.stdout)["terraform_version"], "offered": OFFERED,
           "cases": out}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), FILE)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("%d cases -> %s" % (len(out), path))


if __name__ == "__main__":
    main()
