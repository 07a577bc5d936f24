#!/usr/bin/env python3
"""Records typediff-terraform-1.11.json from the `terraform` on PATH (offline: only
`terraform console` with built-in functions). Run from this directory. For each expression in
typediff-exprs.txt it keeps what Terraform's `type(EXPR)` prints, with all whitespace removed,
so hubctl's `Value::ty()` can be compared with Terraform's type of the same value."""
import json
import os
import re
import subprocess
import tempfile

EXPRS = "typediff-exprs.txt"
FILE = "typediff-terraform-1.11.json"


def record(expr, cwd):
    env = dict(os.environ, TF_CLI_CONFIG_FILE="/dev/null")
    proc = subprocess.run(["terraform", "console"], input=f"type({expr})\n",
                          capture_output=True, text=True, cwd=cwd, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"type({expr}) failed: {proc.stderr}")
    return {"expr": expr, "type": re.sub(r"\s+", "", proc.stdout)}


def main():
    with open(EXPRS) as f:
        exprs = [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#")]
    with tempfile.TemporaryDirectory() as cwd:
        cases = [record(e, cwd) for e in exprs]
    with open(FILE, "w") as f:
        json.dump(cases, f, indent=0, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
