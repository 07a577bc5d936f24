#!/usr/bin/env python3
"""Records funcdiff-terraform-1.11.json from the `terraform` on PATH (offline: only
`terraform console` with built-in functions). Run from this directory. For each expression in
funcdiff-exprs.txt it keeps Terraform's `jsonencode(EXPR)` text, or the summary of the error
Terraform reports, so hubctl's results can be compared exactly. With --new, only expressions
the file does not hold yet are recorded; the others keep their recorded results."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

EXPRS = "funcdiff-exprs.txt"
FILE = "funcdiff-terraform-1.11.json"
FILES = "funcdiff-files"
# `local.*` for the expressions that need a named value (templatestring's template).
LOCALS = "funcdiff-locals.tf"


def record(expr, cwd):
    proc = subprocess.run(["terraform", "console"], input=f"jsonencode({expr})\n",
                          capture_output=True, text=True, cwd=cwd)
    out = proc.stdout.strip()
    if proc.returncode == 0 and out.startswith('"'):
        # Console prints the string result as an HCL quoted literal, which JSON reads.
        return {"expr": expr, "json": json.loads(out.splitlines()[-1])}
    if proc.returncode == 0:
        # Not a string: "(known after apply)" for results only known at apply time, or
        # "(sensitive value)" for a sensitive one.
        return {"expr": expr, "console": out}
    errors = re.findall(r"Error: (.*)", re.sub(r"\x1b\[[0-9;]*m", "", proc.stderr))
    if not errors:
        raise SystemExit(f"no result and no error for {expr}: {proc.stderr}")
    return {"expr": expr, "error": errors[0].strip()}


def main():
    with open(EXPRS) as f:
        exprs = [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#")]
    with tempfile.TemporaryDirectory() as cwd:
        # File functions read the fixtures at the same relative paths as the test, which
        # runs in this directory (console's own state files stay outside the fixtures).
        shutil.copytree(FILES, os.path.join(cwd, FILES), symlinks=True)
        shutil.copy(LOCALS, cwd)
        known = {}
        if "--new" in sys.argv[1:] and os.path.exists(FILE):
            with open(FILE) as f:
                known = {c["expr"]: c for c in json.load(f)}
        cases = [known.get(e) or record(e, cwd) for e in exprs]
    with open(FILE, "w") as f:
        json.dump(cases, f, indent=0, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
