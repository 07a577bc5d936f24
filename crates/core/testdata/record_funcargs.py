#!/usr/bin/env python3
"""Records funcargs-terraform-1.11.json from the `terraform` on PATH (offline: `terraform
metadata functions -json` and `terraform console` with built-in functions). Run from this
directory. It keeps, for every function, the names of its parameters (and of its variadic
parameter), and for each expression of CASES the summary and detail of the error Terraform
reports, so hubctl's argument errors can name the parameter as Terraform does."""
import json
import re
import subprocess
import tempfile

FILE = "funcargs-terraform-1.11.json"

# Calls with a bad argument: one per kind of parameter (first, middle, last, variadic) and a
# few whose bad value Terraform reports as a failed call instead.
CASES = [
    'cidrsubnet("10.0.0.0/16", "x", 1)',
    'cidrsubnet("10.0.0.0/16", 300, 1)',
    'cidrsubnet("10.0.0.0/16", 8, 300)',
    'cidrsubnet("10.0.0/16", 8, 1)',
    'cidrhost("10.0.0.0/16", "abc")',
    'cidrhost("10.0.0.0/24", 256)',
    'cidrhost("10.0.0/24", 1)',
    'cidrnetmask("fd00::/8")',
    'cidrnetmask("10.0.0/8")',
    'cidrsubnets("10.0.0.0/24", 9)',
    'cidrsubnets("10.0.0.0/24", 1, 1, 1)',
    'cidrsubnets("10.0/24", 1)',
    'cidrsubnets("10.0.0.0/16", 4, "x")',
    'join(",", "notalist")',
    'join(",", ["a"], "x")',
    'substr("abc", "x", 1)',
    'upper(null)',
    'range("a")',
    'pow(2, "x")',
    'lookup("notamap", "a")',
    'element("x", 0)',
    'element([], 0)',
    'element(toset(["a"]), 0)',
    'format("%d", "x")',
    'replace("a", null, "c")',
    'split(",", null)',
    'tonumber("x")',
    'base64decode("!")',
    'base64decode("/w==")',
    'regex("(", "x")',
    'regex("^nope$", "x")',
    'plantimestamp(1)',
    'templatestring("x", {})',
    'timecmp("x", "2017-11-22T00:00:00Z")',
    'textencodebase64("x", "nope")',
    'textencodebase64("€", "latin1")',
    'textdecodebase64("/w==", "UTF-8")',
    'uuidv5("nope", "x")',
    'csvdecode("")',
    'csvdecode("a\\n1,2")',
    'filemd5("no-such-file")',
    'fileset(".", "[")',
    'pathexpand("~user")',
]


def detail(stderr):
    """The error's summary and its detail paragraph (console wraps lines; they are joined)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", stderr)
    lines = [re.sub(r"^│ ?", "", l) for l in text.splitlines() if l.startswith("│")]
    summary = next(l for l in lines if l.startswith("Error: "))[len("Error: "):]
    # After the "on <console-input> line 1:" and "(source code not available)" lines.
    body = lines[lines.index("  (source code not available)") + 1:]
    return summary.strip(), " ".join(l.strip() for l in body if l.strip())


def record(expr, cwd):
    proc = subprocess.run(["terraform", "console"], input=f"{expr}\n",
                          capture_output=True, text=True, cwd=cwd)
    if proc.returncode == 0:
        raise SystemExit(f"{expr} did not fail: {proc.stdout}")
    summary, text = detail(proc.stderr)
    return {"expr": expr, "summary": summary, "detail": text}


def main():
    meta = subprocess.run(["terraform", "metadata", "functions", "-json"],
                          capture_output=True, text=True, check=True)
    sigs = json.loads(meta.stdout)["function_signatures"]
    params = {
        name: {
            "params": [p["name"] for p in sig.get("parameters", [])],
            "variadic": sig.get("variadic_parameter", {}).get("name"),
        }
        for name, sig in sorted(sigs.items())
    }
    with tempfile.TemporaryDirectory() as cwd:
        errors = [record(e, cwd) for e in CASES]
    with open(FILE, "w") as f:
        json.dump({"params": params, "errors": errors}, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
