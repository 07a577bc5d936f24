#!/usr/bin/env python3
"""Joins two benches/core-profile.sh tables (before, after) into one markdown table of the
peak RSS, the RSS after load and the wall time of every step.

Usage: benches/core-profile-compare.py BEFORE.md AFTER.md
"""
import sys


def rows(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        if line.startswith("| ") and not line.startswith("| shape"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            out[(cells[0], cells[1], cells[2])] = cells
    return out


def main(before_path, after_path):
    before, after = rows(before_path), rows(after_path)
    print("| shape | N | step | peak RSS MB before | after | RSS after load MB before | after | wall s before | after |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for key, b in before.items():
        a = after.get(key)
        if a is None or b[3].startswith("failed") or a[3].startswith("failed"):
            why = lambda r: "-" if r is None else (r[3] if r[3].startswith("failed") else r[5])
            print(f"| {key[0]} | {key[1]} | {key[2]} | {why(b)} | {why(a)} | | | | |")
            continue
        print(f"| {key[0]} | {key[1]} | {key[2]} | {b[5]} | {a[5]} | {b[7]} | {a[7]} | {b[3]} | {a[3]} |")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
