#!/usr/bin/env python3
"""Records modules-terraform-1.11.json from the `terraform` on PATH (offline: only the built-in
terraform_data). FILES is a root module calling child modules with `for_each` (a map, as hubs
write one module call per controller role) and `count`, one nested inside the other, with
`each`/`count.index` in the arguments and outputs that read `module.x` as a map, a tuple and
one instance. It records, after `terraform apply`: the planned resource addresses in
Terraform's order (`plan -json`), `terraform state list`, and `terraform output -json`.
tests/it/module_calls.rs requires hubctl to give the same."""
import json
import os
import subprocess
import tempfile

FILE = "modules-terraform-1.11.json"

FILES = {
    "main.tf": r'''
variable "controllers" {
  default = {
    kro     = { namespace = "kro-system", sa = "kro" }
    ack-iam = { namespace = "ack-system", sa = "ack-iam-controller" }
    ack-eks = { namespace = "ack-system", sa = "ack-eks-controller" }
  }
}

module "irsa" {
  source   = "./modules/irsa"
  for_each = var.controllers
  name     = "hub-${each.key}-controller-role"
  subject  = "system:serviceaccount:${each.value.namespace}:${each.value.sa}"
}

module "pool" {
  source = "./modules/pool"
  count  = 2
  index  = count.index
  size   = count.index + 1
}

resource "terraform_data" "root" {
  count = 11
  input = count.index
}

resource "terraform_data" "uses" {
  input = module.irsa["kro"].role_name
}

output "role_names" {
  value = { for k, m in module.irsa : k => m.role_name }
}
output "kro_subject" {
  value = module.irsa["kro"].subject
}
output "pool_members" {
  value = module.pool[*].members
}
output "first_pool" {
  value = module.pool[0]
}
''',
    "modules/irsa/main.tf": r'''
variable "name" {
  type = string
}
variable "subject" {
  type = string
}
resource "terraform_data" "role" {
  input = { name = var.name, subject = var.subject }
}
output "role_name" {
  value = terraform_data.role.output.name
}
output "subject" {
  value = var.subject
}
''',
    "modules/pool/main.tf": r'''
variable "index" {
  type = number
}
variable "size" {
  type = number
}
module "member" {
  source   = "./member"
  for_each = toset([for i in range(var.size) : "m${i}"])
  label    = "pool${var.index}-${each.key}"
}
output "members" {
  value = sort([for m in module.member : m.label])
}
''',
    "modules/pool/member/main.tf": r'''
variable "label" {
  type = string
}
resource "terraform_data" "this" {
  input = var.label
}
output "label" {
  value = terraform_data.this.output
}
''',
}


def run(cwd, *args):
    return subprocess.run(["terraform", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def main():
    with tempfile.TemporaryDirectory() as d:
        for name, text in FILES.items():
            path = os.path.join(d, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        run(d, "init", "-input=false")
        run(d, "plan", "-input=false", "-out=p")
        plan = json.loads(run(d, "show", "-json", "p"))
        run(d, "apply", "-input=false", "p")
        record = {
            "files": FILES,
            "planned": [r["address"] for r in plan["resource_changes"]],
            "state_list": run(d, "state", "list").splitlines(),
            "outputs": {k: v["value"] for k, v in json.loads(run(d, "output", "-json")).items()},
        }
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, FILE), "w") as f:
        json.dump(record, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
