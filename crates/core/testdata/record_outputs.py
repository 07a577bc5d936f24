#!/usr/bin/env python3
"""Records outputs-terraform-1.11.json from the `terraform` on PATH (offline: the configuration
has only locals, variables, outputs and the built-in terraform_data). It writes CONFIG to a
temporary directory, runs `terraform init`, `terraform apply -auto-approve` and `terraform
output -json`, and saves the configuration with that JSON, so hubctl's `output --json` can be
compared with Terraform's: one output of each kind of value and type."""
import json
import os
import subprocess
import tempfile

FILE = "outputs-terraform-1.11.json"

CONFIG = r'''
variable "secret" {
  type      = string
  default   = "pw"
  sensitive = true
}

variable "typed" {
  type = list(object({ name = string, ports = set(number), tags = map(string) }))
  default = [{ name = "a", ports = [443, 80], tags = { env = "dev" } }]
}

locals {
  objs = [{ name = "a", n = 1 }, { name = "b", n = 2 }]
}

resource "terraform_data" "d" {
  input = tolist(["x", "y"])
}

output "string" { value = "hello" }
output "number" { value = 42 }
output "float" { value = 1.5 }
output "bool" { value = true }
output "null" { value = null }
output "tuple" { value = ["a", 1, true] }
output "list" { value = tolist(["a", "b"]) }
output "empty_list" { value = tolist([]) }
output "empty_tuple" { value = [] }
output "empty_object" { value = {} }
output "empty_map" { value = tomap({}) }
output "empty_set" { value = toset([]) }
output "set" { value = toset(["b", "a", "b"]) }
output "map" { value = tomap({ a = 1, b = 2 }) }
output "object" { value = { a = 1, b = "x", c = [1, 2] } }
output "nested" {
  value = {
    list = tolist([{ k = "v" }])
    map  = tomap({ x = ["y"] })
    set  = toset([1, 2])
    null = null
  }
}
output "objects" { value = local.objs }
output "for_tuple" { value = [for o in local.objs : o.n] }
output "for_object" { value = { for o in local.objs : o.name => o.n } }
output "grouped" { value = { for o in local.objs : o.name => o.n... } }
output "splat" { value = local.objs[*].name }
output "list_splat" { value = tolist(["a"])[*] }
output "sensitive" {
  value     = var.secret
  sensitive = true
}
output "sensitive_object" {
  value     = { pw = var.secret, user = "u" }
  sensitive = true
}
output "typed_var" { value = var.typed }
output "jsondecoded" { value = jsondecode("{\"a\": [1, 2], \"b\": null}") }
output "merged_maps" { value = merge(tomap({ a = "1" }), tomap({ b = "2" })) }
output "merged_objects" { value = merge({ a = 1 }, { b = "x" }) }
output "keys" { value = keys({ b = 1, a = 2 }) }
output "split" { value = split(",", "a,b") }
output "range" { value = range(2) }
output "conditional" { value = true ? ["a"] : ["b", "c"] }
output "zipmap" { value = zipmap(["a"], tolist([1])) }
output "setproduct" { value = setproduct(["a"], ["b", "c"]) }
output "data_output" { value = terraform_data.d.output }
output "data" { value = terraform_data.d }
'''


def run(args, cwd):
    env = dict(os.environ, TF_CLI_CONFIG_FILE="/dev/null", TF_IN_AUTOMATION="1")
    proc = subprocess.run(["terraform", *args], capture_output=True, text=True, cwd=cwd, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"terraform {' '.join(args)} failed:\n{proc.stderr}")
    return proc.stdout


def main():
    with tempfile.TemporaryDirectory() as cwd:
        with open(os.path.join(cwd, "main.tf"), "w") as f:
            f.write(CONFIG)
        run(["init", "-input=false"], cwd)
        run(["apply", "-auto-approve", "-input=false"], cwd)
        output = json.loads(run(["output", "-json"], cwd))
    # terraform_data's id is a fresh UUID per create: recorded only as its shape.
    output["data"]["value"]["id"] = "<uuid>"
    with open(FILE, "w") as f:
        json.dump({"config": CONFIG, "output": output}, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
