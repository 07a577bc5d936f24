#!/bin/sh
# Non-test, non-blank, non-comment lines per AWS resource type file (and the shared helpers),
# the measure behind "<= 150 lines per type". Everything from the first `#[cfg(test)]` on is
# test code. Usage: scripts/type-lines.sh [git-rev]   (default: the work tree)
set -eu
rev=${1:-}
cd "$(dirname "$0")/.."
for f in vpc subnet internet_gateway eip nat_gateway route_table route route_table_association \
         routes route_block common tagged; do
    path=crates/aws/src/ec2/$f.rs
    if [ -n "$rev" ]; then
        text=$(git show "$rev:$path" 2>/dev/null) || continue
    else
        [ -f "$path" ] || continue
        text=$(cat "$path")
    fi
    printf '%s\n' "$text" | awk '
        /^#\[cfg\(test\)\]/ { exit }
        /^[[:space:]]*$/ { next }
        /^[[:space:]]*\/\// { next }
        { n++ }
        END { printf "%5d  '"$f"'\n", n }'
done
