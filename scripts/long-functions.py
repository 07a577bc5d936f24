#!/usr/bin/env python3
"""Lists Rust functions longer than a limit (default 80 lines, from `fn` to its closing brace).

Usage: scripts/long-functions.py [--limit N] [--tests] [PATH ...]   (default PATH: crates/core/src)

Test code (files named *tests.rs, `#[cfg(test)] mod` blocks, `#[test]` functions) is left out
unless --tests is given. Exits 1 when a function is over the limit, so CI can gate on it.
"""
import argparse
import os
import re
import sys

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def strip(src):
    """The source with comments, strings and char literals blanked (newlines kept)."""
    out = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif src.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if src.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif src.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif c == "r" and re.match(r'r#*"', src[i:]) and not (i and (src[i - 1].isalnum() or src[i - 1] == "_")):
            hashes = re.match(r"r(#*)\"", src[i:]).group(1)
            end = src.find('"' + hashes, i + 2 + len(hashes))
            j = n if end < 0 else end + 1 + len(hashes)
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            j += 1
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif c == "'":
            # A char literal ('x', '\n', '\u{1F600}') or a lifetime ('a).
            m = re.match(r"'(\\.[^']*|[^\\'])'", src[i:])
            if m:
                out.append(" " * len(m.group(0)))
                i += len(m.group(0))
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(text):
    """(name, first line, last line, is_test) for every fn with a body."""
    line_of = []
    ln = 1
    for ch in text:
        line_of.append(ln)
        if ch == "\n":
            ln += 1
    # Brace ranges of `#[cfg(test)] mod x { ... }`.
    test_ranges = []
    for m in re.finditer(r"#\[cfg\(test\)\]\s*(pub(\([^)]*\))?\s+)?mod\s+\w+\s*\{", text):
        start = m.end() - 1
        test_ranges.append((start, match_brace(text, start)))
    found = []
    for m in re.finditer(r"\bfn\s+([A-Za-z_][A-Za-z0-9_]*)\s*[<(]", text):
        j, depth = m.end() - 1, 0
        body = None
        while j < len(text):
            ch = text[j]
            if ch in "(<[":
                depth += 1
            elif ch in ")]":
                depth -= 1
            elif ch == ">" and text[j - 1] != "-":
                depth -= 1
            elif ch == ";" and depth <= 0:
                break
            elif ch == "{" and depth <= 0:
                body = j
                break
            j += 1
        if body is None:
            continue
        end = match_brace(text, body)
        before = text[max(0, m.start() - 200):m.start()]
        is_test = bool(re.search(r"#\[(tokio::)?test[\](]", before.split("}")[-1])) or any(
            a <= m.start() <= b for a, b in test_ranges
        )
        found.append((m.group(1), line_of[m.start()], line_of[min(end, len(text) - 1)], is_test))
    return found


def match_brace(text, start):
    depth = 0
    for j in range(start, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(text) - 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=80)
    ap.add_argument("--tests", action="store_true", help="include test code")
    ap.add_argument("paths", nargs="*", default=["crates/core/src"])
    args = ap.parse_args()
    rows = []
    for root in args.paths:
        files = [root] if os.path.isfile(root) else [
            os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".rs")
        ]
        for path in sorted(files):
            if not args.tests and path.endswith("tests.rs"):
                continue
            with open(path, encoding="utf-8") as f:
                text = strip(f.read())
            for name, a, b, is_test in functions(text):
                if is_test and not args.tests:
                    continue
                rows.append((b - a + 1, f"{path}:{a}", name))
    rows.sort(key=lambda r: (-r[0], r[1]))
    longest = rows[0] if rows else None
    over = [r for r in rows if r[0] > args.limit]
    for lines, where, name in over:
        print(f"{lines:5} {where} {name}")
    sys.stdout.flush()
    if longest:
        print(f"longest: {longest[2]} ({longest[0]} lines) at {longest[1]}", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
