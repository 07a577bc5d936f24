#!/usr/bin/env python3
"""Records ephemeral-terraform-1.11.json from the `terraform` on PATH (offline: only the
built-in terraform_data and terraform_remote_state). Each case is a configuration using
ephemeral values (Terraform 1.10+): an `ephemeral = true` root variable, a child module's
ephemeral variable and output, `ephemeralasnull` and `terraform.applying`; Terraform's
built-in provider has no ephemeral resource type, so `ephemeral` blocks are recorded only
for their refusal. For every case it records the error diagnostics (summary, detail, the
subject's file, line and column), and the warnings alike, of `terraform validate -json` and of `terraform plan -json`
(the plan gets `-var s=...` where `var.s` is declared; a configuration `terraform init`
refuses has only its validate recorded), and whether each succeeded. The `saved_plan` case also
records that the secret is in neither the saved plan nor the state, and the error of
applying that plan without the ephemeral variable; `saved_plan_variables` records applies of
a saved plan given its variables again in four ways (the same values, only the ephemeral
one, the ephemeral one from TF_VAR_, a changed plain one), which tests/it/planfile.rs
replays. end_to_end/ephemeral.rs requires
hubctl's errors to be the same (summary and location; the detail with "Terraform" read
as "hubctl")."""
import json
import os
import subprocess
import tempfile

FILE = "ephemeral-terraform-1.11.json"
SECRET = "UNIQ-EPHEMERAL-SECRET-7731"

VAR = '''variable "s" {
  type      = string
  ephemeral = true
}
'''

CHILD = '''variable "plain" {
  default = null
}

variable "eph" {
  type      = string
  ephemeral = true
  default   = null
}

output "eo" {
  value     = var.eph
  ephemeral = true
}
'''

CASES = {
    "resource_argument": {"main.tf": VAR + '''
locals {
  l = "x-${var.s}"
}

resource "terraform_data" "a" {
  input = local.l
}
'''},
    "data_source_argument": {"main.tf": VAR + '''
data "terraform_remote_state" "r" {
  backend = "local"
  config = {
    path = var.s
  }
}
'''},
    "root_output": {"main.tf": VAR + '''
output "o" {
  value = var.s
}
'''},
    "root_output_declared_ephemeral": {"main.tf": VAR + '''
output "oe" {
  value     = var.s
  ephemeral = true
}
'''},
    "module_input": {"main.tf": VAR + '''
module "m" {
  source = "./m"
  plain  = var.s
  eph    = var.s
}
''', "m/main.tf": CHILD},
    "child_output": {"main.tf": VAR + '''
module "m" {
  source = "./m"
  eph    = var.s
}
''', "m/main.tf": CHILD + '''
output "po" {
  value = var.eph
}
'''},
    "child_ephemeral_output_into_resource": {"main.tf": VAR + '''
module "m" {
  source = "./m"
  eph    = var.s
}

resource "terraform_data" "e" {
  input = module.m.eo
}
''', "m/main.tf": CHILD},
    "count": {"main.tf": VAR + '''
resource "terraform_data" "c" {
  count = length(var.s) > 3 ? 1 : 0
}
'''},
    "for_each": {"main.tf": VAR + '''
resource "terraform_data" "f" {
  for_each = toset([var.s])
}
'''},
    "conditional_joins_marks": {"main.tf": VAR + '''
resource "terraform_data" "d" {
  input = true ? "a" : var.s
}
'''},
    "terraform_applying": {"main.tf": '''
resource "terraform_data" "t" {
  input = terraform.applying
}
'''},
    "ephemeralasnull": {"main.tf": VAR + '''
locals {
  l = "x-${var.s}"
}

resource "terraform_data" "b" {
  input = ephemeralasnull(local.l)
}

module "m" {
  source = "./m"
  eph    = local.l
}

output "n" {
  value = ephemeralasnull({ a = var.s, b = "keep", c = module.m.eo })
}
''', "m/main.tf": CHILD},
    "error_messages": {"main.tf": VAR + '''
check "c" {
  assert {
    condition     = var.s == "nope"
    error_message = "s is ${var.s}"
  }
}

module "m" {
  source = "./m"
  eph    = var.s
}
''', "m/main.tf": '''
variable "eph" {
  type      = string
  ephemeral = true
  validation {
    condition     = length(var.eph) > 100
    error_message = "too short: ${var.eph}"
  }
}

output "o" {
  value     = var.eph
  ephemeral = true
  precondition {
    condition     = var.eph == "nope"
    error_message = "not nope: ${var.eph}"
  }
}
'''},
    "ephemeral_lifecycle": {"main.tf": '''
ephemeral "terraform_data" "y" {
  count      = 1
  depends_on = []
  lifecycle {
    create_before_destroy = true
    ignore_changes        = all
  }
}
'''},
    "undeclared_ephemeral_resource": {"main.tf": '''
locals {
  t = ephemeral.terraform_data.nope.output
}
'''},
    "builtin_has_no_ephemeral_type": {"main.tf": '''
ephemeral "terraform_data" "y" {
}
'''},
}


def run(args, cwd, check=False, env_extra=None):
    env = dict(os.environ, TF_CLI_CONFIG_FILE="/dev/null", TF_IN_AUTOMATION="1", **(env_extra or {}))
    cmd = ["terraform", "-chdir=" + cwd, *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if check and proc.returncode != 0:
        raise SystemExit(f"terraform {' '.join(args)} failed:\n{proc.stderr}")
    return proc


def errors(diags, severity="error"):
    out = []
    for d in diags:
        if d.get("severity") != severity:
            continue
        r = d.get("range") or {}
        start = r.get("start") or {}
        out.append({
            "summary": d["summary"],
            "detail": d.get("detail", ""),
            "file": r.get("filename"),
            "line": start.get("line"),
            "column": start.get("column"),
        })
    return out


def validate(cwd):
    proc = run(["validate", "-json", "-no-color"], cwd)
    j = json.loads(proc.stdout)
    diags = j.get("diagnostics", [])
    return {"ok": proc.returncode == 0, "errors": errors(diags), "warnings": errors(diags, "warning")}


def plan(cwd, files):
    given = ["-var", f"s={SECRET}"] if 'variable "s"' in files["main.tf"] else []
    proc = run(["plan", "-json", "-input=false", "-no-color", *given], cwd)
    diags = []
    for line in proc.stdout.splitlines():
        msg = json.loads(line)
        if msg.get("type") == "diagnostic":
            diags.append(msg["diagnostic"])
    return {"ok": proc.returncode == 0, "errors": errors(diags), "warnings": errors(diags, "warning")}


def write(cwd, files):
    for path, text in files.items():
        full = os.path.join(cwd, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)


def saved_plan():
    """Plan -out with the secret, then apply the saved plan without and with it."""
    files = CASES["ephemeralasnull"]
    with tempfile.TemporaryDirectory() as cwd:
        write(cwd, files)
        run(["init", "-input=false"], cwd, check=True)
        run(["plan", "-input=false", "-var", f"s={SECRET}", "-out=t.plan"], cwd, check=True)
        with open(os.path.join(cwd, "t.plan"), "rb") as f:
            plan_bytes = f.read()
        shown = run(["show", "-json", "t.plan"], cwd, check=True).stdout
        without = run(["apply", "-json", "-input=false", "t.plan"], cwd)
        diags = [json.loads(l)["diagnostic"] for l in without.stdout.splitlines()
                 if json.loads(l).get("type") == "diagnostic"]
        run(["apply", "-input=false", "-var", f"s={SECRET}", "t.plan"], cwd, check=True)
        with open(os.path.join(cwd, "terraform.tfstate")) as f:
            state = f.read()
        outputs = json.loads(run(["output", "-json"], cwd, check=True).stdout)
    import zipfile, io
    zipped = b"".join(zipfile.ZipFile(io.BytesIO(plan_bytes)).open(n).read()
                      for n in zipfile.ZipFile(io.BytesIO(plan_bytes)).namelist())
    return {
        "secret_in_plan_file": SECRET.encode() in zipped,
        "secret_in_show_json": SECRET in shown,
        "secret_in_state": SECRET in state,
        "apply_without_variable": {"ok": without.returncode == 0, "errors": errors(diags)},
        "outputs": {k: v["value"] for k, v in outputs.items()},
    }


SAVED_VARS = {"main.tf": VAR + '''
variable "p" {
  type    = string
  default = "d"
}

resource "terraform_data" "x" {
  input = var.p
}
'''}

# How an apply of a plan saved with `-var s=SECRET -var p=q` is given its variables again.
SAVED_VAR_APPLIES = {
    "same_values_again": (["-var", f"s={SECRET}", "-var", "p=q"], {}),
    "ephemeral_only": (["-var", f"s={SECRET}"], {}),
    "ephemeral_from_environment": ([], {"TF_VAR_s": SECRET}),
    "plain_changed": (["-var", f"s={SECRET}", "-var", "p=other"], {}),
}


def saved_plan_variables():
    """For each way of giving variables to `apply PLANFILE` (a fresh plan each), whether it
    applied, its errors, and the value the resource got."""
    out = {"files": SAVED_VARS}
    for name, (args, env) in SAVED_VAR_APPLIES.items():
        with tempfile.TemporaryDirectory() as cwd:
            write(cwd, SAVED_VARS)
            run(["init", "-input=false"], cwd, check=True)
            run(["plan", "-input=false", "-var", f"s={SECRET}", "-var", "p=q", "-out=t.plan"],
                cwd, check=True)
            proc = run(["apply", "-json", "-input=false", *args, "t.plan"], cwd, env_extra=env)
            diags = [json.loads(l)["diagnostic"] for l in proc.stdout.splitlines()
                     if json.loads(l).get("type") == "diagnostic"]
            case = {"args": args, "env": sorted(env), "ok": proc.returncode == 0,
                    "errors": errors(diags)}
            if proc.returncode == 0:
                with open(os.path.join(cwd, "terraform.tfstate")) as f:
                    st = json.load(f)
                case["input"] = st["resources"][0]["instances"][0]["attributes"]["input"]
            out[name] = case
    return out


def main():
    out = {"secret": SECRET, "cases": {}}
    for name, files in CASES.items():
        with tempfile.TemporaryDirectory() as cwd:
            write(cwd, files)
            init = run(["init", "-input=false", "-no-color"], cwd)
            case = {"files": files}
            if init.returncode != 0:
                # Configuration errors stop init; validate still reports them.
                case["init_failed"] = True
                case["validate"] = validate(cwd)
            else:
                case["validate"] = validate(cwd)
                case["plan"] = plan(cwd, files)
            out["cases"][name] = case
    out["saved_plan"] = saved_plan()
    out["saved_plan_variables"] = saved_plan_variables()
    with open(FILE, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
