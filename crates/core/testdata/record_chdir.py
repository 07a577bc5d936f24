#!/usr/bin/env python3
"""Records chdir-terraform-1.11.json from the `terraform` on PATH (offline: locals, outputs
and the built-in terraform_data only). It writes FILES under a temporary directory and runs,
from that directory, `terraform -chdir=live` plan (relative -var-file and -out), apply of the
plan file, and output -json; `-chdir=live fmt -check extra`; and `-chdir=bad validate -json`.
It saves the files, the outputs (the temporary directory replaced by `<cwd>`), where the plan
and state files landed, fmt's output and validate's diagnostic file names, so
tests/it/chdir.rs can require the same of hubctl."""
import json
import os
import subprocess
import tempfile

FILE = "chdir-terraform-1.11.json"

MAIN = r'''
variable "name" {}
variable "auto" {}
variable "tf" {}

resource "terraform_data" "a" {
  input = "${var.name}-${var.auto}-${var.tf}"
}

module "m" {
  source = "./modules/m"
}

output "a" { value = terraform_data.a.output }
output "module" { value = path.module }
output "child" { value = module.m.dir }
output "root" { value = path.root }
output "cwd" { value = path.cwd }
output "abs" { value = abspath("x") }
output "file" { value = file("data.txt") }
output "template" { value = templatefile("${path.module}/t.tpl", { who = "hub" }) }
'''

FILES = {
    "live/main.tf": MAIN,
    "live/modules/m/main.tf": 'output "dir" { value = path.module }\n',
    "live/data.txt": "from-live",
    "live/t.tpl": "hello ${who}",
    "live/my.tfvars": 'name = "cli"\n',
    "live/x.auto.tfvars": 'auto = "auto"\n',
    "live/terraform.tfvars": 'tf = "tf"\n',
    "live/extra/ugly.tf": "a=1\n",
    "bad/main.tf": 'output "x" { value = nope }\n',
}


def tf(cwd, *args):
    env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    return subprocess.run(["terraform", *args], cwd=cwd, env=env, capture_output=True, text=True)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for rel, text in FILES.items():
            path = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        assert tf(tmp, "-chdir=live", "init", "-input=false").returncode == 0
        assert tf(tmp, "-chdir=live", "plan", "-var-file=my.tfvars", "-out=p.plan").returncode == 0
        assert tf(tmp, "-chdir=live", "apply", "p.plan").returncode == 0
        out = json.loads(tf(tmp, "-chdir=live", "output", "-json").stdout)
        outputs = {k: v["value"] for k, v in out.items()}
        outputs = json.loads(json.dumps(outputs).replace(tmp, "<cwd>"))
        fmt = tf(tmp, "-chdir=live", "fmt", "-check", "extra")
        bad = json.loads(tf(tmp, "-chdir=bad", "validate", "-json").stdout)
        landed = {
            rel: os.path.exists(os.path.join(tmp, rel))
            for rel in ["live/p.plan", "p.plan", "live/terraform.tfstate", "terraform.tfstate"]
        }
        record = {
            "files": FILES,
            "outputs": outputs,
            "exists": landed,
            "fmt": {"code": fmt.returncode, "stdout": fmt.stdout},
            "validate_files": [d["range"]["filename"] for d in bad["diagnostics"]],
        }
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), FILE), "w") as f:
        json.dump(record, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
