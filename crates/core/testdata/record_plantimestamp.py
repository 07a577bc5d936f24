#!/usr/bin/env python3
"""Records plantimestamp-terraform-1.11.json from the `terraform` on PATH (offline: the
configurations have only outputs and locals). `plantimestamp()` exists only in a plan, so
`terraform console` cannot show it (funcdiff records its "Call to unknown function"); this
script runs validate, plan, show and apply instead and keeps what they say about it:

- `validate`: a local that would fail on any real timestamp passes, so the value is unknown;
- `plan`: the same local fails with its error summary, so the value is known there;
- a saved plan's outputs: every call gives the same instant, an RFC 3339 string in UTC with
  whole seconds, equal to the plan's `timestamp` in `show -json`;
- applying that plan two seconds later stores the plan's instant, not the apply's;
- a call with an argument: the error summary of `validate`.
Run from this directory."""
import json
import re
import subprocess
import tempfile
import time

FILE = "plantimestamp-terraform-1.11.json"

OUTPUTS = r'''
output "t" { value = plantimestamp() }
output "same" { value = plantimestamp() == plantimestamp() }
output "in_local" { value = local.t == plantimestamp() }
locals { t = plantimestamp() }
'''

UNKNOWN_AT_VALIDATE = r'''
locals { x = regex("^nope$", plantimestamp()) }
output "x" { value = local.x }
'''

TOO_MANY = 'output "bad" { value = plantimestamp(1) }\n'

RFC3339_UTC_SECONDS = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"


def tf(cwd, *args):
    return subprocess.run(["terraform", *args], capture_output=True, text=True, cwd=cwd)


def errors(proc):
    return re.findall(r"Error: (.*)", re.sub(r"\x1b\[[0-9;]*m", "", proc.stderr + proc.stdout))


def in_dir(config, fn):
    with tempfile.TemporaryDirectory() as d:
        with open(f"{d}/main.tf", "w") as f:
            f.write(config)
        return fn(d)


def validate_and_plan(d):
    v = json.loads(tf(d, "validate", "-json").stdout)
    p = tf(d, "plan", "-input=false", "-no-color")
    return {"valid": v["valid"], "plan_errors": [e.strip() for e in errors(p)]}


def saved_plan(d):
    tf(d, "plan", "-input=false", "-out=p.tfplan").check_returncode()
    shown = json.loads(tf(d, "show", "-json", "p.tfplan").stdout)
    planned = {k: o["value"] for k, o in shown["planned_values"]["outputs"].items()}
    time.sleep(2)
    tf(d, "apply", "-input=false", "p.tfplan").check_returncode()
    applied = {k: o["value"] for k, o in json.loads(tf(d, "output", "-json").stdout).items()}
    t = planned.pop("t")
    return {
        "t_is_rfc3339_utc_seconds": bool(re.match(RFC3339_UTC_SECONDS, t)),
        "t_is_plan_timestamp": t == shown["timestamp"],
        "applied_t_is_planned_t": applied.pop("t") == t,
        "planned": planned,
        "applied": applied,
    }


def main():
    too_many = in_dir(TOO_MANY, lambda d: errors(tf(d, "validate", "-no-color")))
    rec = {
        "outputs": {"config": OUTPUTS, **in_dir(OUTPUTS, saved_plan)},
        "unknown_at_validate": {
            "config": UNKNOWN_AT_VALIDATE,
            **in_dir(UNKNOWN_AT_VALIDATE, validate_and_plan),
        },
        "too_many_arguments": {"config": TOO_MANY, "errors": [e.strip() for e in too_many]},
    }
    with open(FILE, "w") as f:
        json.dump(rec, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
