#!/usr/bin/env python3
"""Re-records fmt-terraform-1.11.json: for each case, the `output` of `terraform fmt` on its
`input` (offline; terraform fmt needs no providers). Run from this directory."""
import json
import os
import subprocess
import tempfile

FILE = "fmt-terraform-1.11.json"


def main():
    with open(FILE) as f:
        cases = json.load(f)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "main.tf")
        for case in cases.values():
            with open(path, "w", newline="") as f:
                f.write(case["input"])
            subprocess.run(["terraform", "fmt", path], capture_output=True, check=True)
            with open(path, newline="") as f:
                case["output"] = f.read()
    with open(FILE, "w") as f:
        json.dump(cases, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
