#!/usr/bin/env python3
"""Records checks-terraform-1.11.json from the `terraform` on PATH (offline: only the built-in
terraform_data and terraform_remote_state). CONFIG has `check` blocks whose assertions pass,
fail (one of two assertions), are unknown at plan time (an id known after apply), run in
every instance of a module, and one with a scoped data source that fails. It records the
`checks` of `terraform show -json` for the saved plan, then applies and records the
warnings' summaries of the apply and the `checks` of the next plan (the unknown assertion
now decided; terraform_data's random id written `<uuid>`). end_to_end/check_blocks.rs requires hubctl's plan JSON `checks` to be the
same (for the scoped data source it has its own failing data source, as hubctl has no
terraform_remote_state)."""
import json
import os
import re
import subprocess
import tempfile

FILE = "checks-terraform-1.11.json"

FILES = {
    "main.tf": r'''
variable "n" {
  default = 3
}

resource "terraform_data" "a" {
  input = var.n
}

check "passes" {
  assert {
    condition     = terraform_data.a.input == 3
    error_message = "a must be 3"
  }
}

check "fails" {
  assert {
    condition     = var.n > 5
    error_message = "n is ${var.n}, not above 5"
  }
  assert {
    condition     = var.n > 1
    error_message = "n must be above 1"
  }
}

check "unknown" {
  assert {
    condition     = terraform_data.a.id == "never"
    error_message = "the id is ${terraform_data.a.id}"
  }
}

module "m" {
  source   = "./m"
  for_each = toset(["small", "big"])
  size     = each.key == "big" ? 10 : 1
}
''',
    "m/main.tf": r'''
variable "size" {
  type = number
}

check "size" {
  assert {
    condition     = var.size < 5
    error_message = "size ${var.size} is too big"
  }
}
''',
    "scoped.tf": r'''
check "scoped" {
  data "terraform_remote_state" "s" {
    backend = "local"
    config = {
      path = "${path.module}/missing/terraform.tfstate"
    }
  }
  assert {
    condition     = data.terraform_remote_state.s.outputs == {}
    error_message = "unexpected outputs"
  }
}
''',
}


def run(args, cwd):
    env = dict(os.environ, TF_CLI_CONFIG_FILE="/dev/null", TF_IN_AUTOMATION="1")
    extra = [] if args[0] == "show" else ["-no-color"]
    cmd = ["terraform", "-chdir=" + cwd, *args, *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"terraform {' '.join(args)} failed:\n{proc.stderr}")
    return proc


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def plan_checks(cwd):
    run(["plan", "-input=false", "-out=t.plan"], cwd)
    text = run(["show", "-json", "t.plan"], cwd).stdout
    # terraform_data's id is a fresh UUID per create: recorded only as its shape.
    return json.loads(UUID.sub("<uuid>", text))["checks"]


def warnings(text):
    return sorted(set(re.findall(r"^Warning: (.+)$", text, re.M)))


def main():
    with tempfile.TemporaryDirectory() as cwd:
        for path, text in FILES.items():
            os.makedirs(os.path.dirname(os.path.join(cwd, path)), exist_ok=True)
            with open(os.path.join(cwd, path), "w") as f:
                f.write(text)
        run(["init", "-input=false"], cwd)
        planned = plan_checks(cwd)
        applied = run(["apply", "-auto-approve", "-input=false"], cwd)
        after = plan_checks(cwd)
    out = {
        "files": FILES,
        "plan_checks": planned,
        "apply_warnings": warnings(applied.stdout + applied.stderr),
        "next_plan_checks": after,
    }
    with open(FILE, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
