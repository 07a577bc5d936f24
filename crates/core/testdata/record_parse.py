#!/usr/bin/env python3
"""Records parse-terraform-1.11.json from the `terraform` on PATH (offline: the cases declare no
provider, so no init is needed). Run from this directory. Each file of parse-corpus/ is one case,
copied byte for byte into an empty directory as main.tf: `terraform validate -json` says whether
Terraform accepts it (and where its first errors are); for an accepted case `terraform apply
-auto-approve` and `terraform output -json` give the value of each root output."""
import json
import os
import subprocess
import tempfile

CORPUS = "parse-corpus"
FILE = "parse-terraform-1.11.json"


def terraform(cwd, env, *args):
    return subprocess.run(["terraform", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False)


def record(path, env):
    with tempfile.TemporaryDirectory() as d:
        with open(path, "rb") as src, open(os.path.join(d, "main.tf"), "wb") as dst:
            dst.write(src.read())
        v = json.loads(terraform(d, env, "validate", "-json", "-no-color").stdout)
        errors = [{"summary": g["summary"],
                   "line": g.get("range", {}).get("start", {}).get("line"),
                   "column": g.get("range", {}).get("start", {}).get("column")}
                  for g in v["diagnostics"] if g["severity"] == "error"]
        out = {"valid": v["valid"], "errors": errors}
        if v["valid"]:
            a = terraform(d, env, "apply", "-auto-approve", "-input=false", "-no-color")
            if a.returncode != 0:
                raise SystemExit(f"{path}: valid but apply failed:\n{a.stderr}")
            o = json.loads(terraform(d, env, "output", "-json").stdout)
            out["outputs"] = {k: o[k]["value"] for k in sorted(o)}
        return out


def main():
    env = dict(os.environ, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1")
    with tempfile.NamedTemporaryFile("w", suffix=".tfrc", delete=False) as rc:
        env["TF_CLI_CONFIG_FILE"] = rc.name  # an empty CLI configuration: no warning about it
    version = json.loads(terraform(".", env, "version", "-json").stdout)["terraform_version"]
    cases = []
    for name in sorted(os.listdir(CORPUS)):
        if name.endswith(".tf"):
            cases.append({"name": name[:-3], **record(os.path.join(CORPUS, name), env)})
    os.unlink(rc.name)
    with open(FILE, "w") as f:
        json.dump({"terraform_version": version, "cases": cases}, f, indent=1)
        f.write("\n")
    accepted = sum(c["valid"] for c in cases)
    print(f"{len(cases)} cases ({accepted} accepted) recorded with Terraform {version} in {FILE}")


if __name__ == "__main__":
    main()
