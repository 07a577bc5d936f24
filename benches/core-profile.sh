#!/usr/bin/env bash
# Core-only phase profile: the engine (no CLI) on benches/graph.sh's configurations, one
# process per CLI-like step, so each step's peak RSS is its own.
#
# Steps:   plan      - load, prepare (graph, checks), plan
#          apply     - the same, then apply (state written to the case directory)
#          noop-plan - read that state, load, prepare, plan; must show no changes
# Columns: wall time and peak RSS of the whole step; per stage (crates/core/examples/
#          load_plan.rs resets VmHWM at each stage's start): the RSS at the end of the load
#          (what the loaded configuration and graph hold) and the RSS peak of each stage.
#
# Usage: benches/core-profile.sh [--sizes 1000,10000,100000] [--shapes wide,chain,layered]
#                                [--steps plan,apply,noop-plan] [--apply-max 10000]
#                                [--bin PATH] [--label TEXT] [--out FILE]
# --apply-max: above this N only `plan` runs (N=100,000 apply takes 15-30 s per shape; it was
# quadratic before stale deletes were indexed, see results/core-profile-stale-index.md).
# --bin defaults to a release build of the example (cargo build --release -p hubctl-core
# --example load_plan, honouring CARGO_TARGET_DIR).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
ORIG_ARGS="$*"
SIZES="1000,10000,100000"
SHAPES="wide,chain,layered"
STEPS="plan,apply,noop-plan"
BIN=""
LABEL=""
OUT="$SCRIPT_DIR/results/core-profile.md"
APPLY_MAX=10000

die() {
    printf 'core-profile.sh: %s\n' "$*" >&2
    exit 1
}

while [[ $# -gt 0 ]]; do
    case "$1" in
    --sizes) SIZES=${2:?}; shift 2 ;;
    --shapes) SHAPES=${2:?}; shift 2 ;;
    --steps) STEPS=${2:?}; shift 2 ;;
    --apply-max) APPLY_MAX=${2:?}; shift 2 ;;
    --bin) BIN=${2:?}; shift 2 ;;
    --label) LABEL=${2:?}; shift 2 ;;
    --out) OUT=${2:?}; shift 2 ;;
    -h | --help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
    esac
done

if [[ -z $BIN ]]; then
    (cd "$REPO_DIR" && cargo build --release -q -p hubctl-core --example load_plan) >&2
    BIN=${CARGO_TARGET_DIR:-$REPO_DIR/target}/release/examples/load_plan
fi
[[ -x $BIN ]] || die "no binary at $BIN"

IFS=, read -r -a SIZE_LIST <<<"$SIZES"
IFS=, read -r -a SHAPE_LIST <<<"$SHAPES"
IFS=, read -r -a STEP_LIST <<<"$STEPS"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hubctl-core-profile.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

rows=()
for shape in "${SHAPE_LIST[@]}"; do
    for n in "${SIZE_LIST[@]}"; do
        dir=$WORK/$shape-$n
        for step in "${STEP_LIST[@]}"; do
            [[ $step == plan || $n -le $APPLY_MAX ]] || continue
            echo "$shape N=$n $step ..." >&2
            # A failed step is a result too (a row saying how it failed), not the end of the run.
            if ! out=$("$BIN" --shape "$shape" --n "$n" --dir "$dir" --step "$step" 2>"$WORK/err"); then
                why=$(grep -m1 -E 'overflowed|panicked|error' "$WORK/err" | cut -c1-80)
                echo "  failed: $why" >&2
                rows+=("| $shape | $n | $step | failed: ${why:-exit status $?} | | | | | | | | | |")
                break
            fi
            get() { awk -F'\t' -v s="$1" -v c="$2" '$1 == s { print $c }' <<<"$out"; }
            total_ms=$(get total 2)
            peak=$(awk -F'\t' 'NF >= 4 && $4 > m { m = $4 } END { print m + 0 }' <<<"$out")
            load_ms=$(get load+prepare 2)
            load_live=$(get load+prepare 3)
            load_peak=$(get load+prepare 4)
            plan_ms=$(get plan 2)
            plan_peak=$(get plan 4)
            apply_ms=$(get apply 2)
            apply_peak=$(get apply 4)
            rows+=("$(printf '| %s | %d | %s | %.2f | %.0f | %.1f | %.2f | %s | %s | %.0f | %.2f | %s | %s |' \
                "$shape" "$n" "$step" "$(awk -v m="$total_ms" 'BEGIN { print m / 1000 }')" \
                "$(awk -v m="$total_ms" -v n="$n" 'BEGIN { print m * 1000 / n }')" \
                "$(mb "$peak")" \
                "$(awk -v m="$load_ms" 'BEGIN { print m / 1000 }')" \
                "$(mb "$load_live")" "$(mb "$load_peak")" \
                "$(awk -v b="$load_live" -v n="$n" 'BEGIN { print b / n }')" \
                "$(awk -v m="$plan_ms" 'BEGIN { print m / 1000 }')" "$(mb "$plan_peak")" \
                "$(if [[ -n $apply_ms ]]; then printf '%.2f s, %s MB' "$(awk -v m="$apply_ms" 'BEGIN { print m / 1000 }')" "$(mb "$apply_peak")"; else echo -; fi)")")
        done
        rm -rf "$dir"
    done
done

mkdir -p "$(dirname "$OUT")"
{
    echo "# hubctl core phase profile${LABEL:+: $LABEL}"
    echo
    echo "Real run of \`benches/core-profile.sh $ORIG_ARGS\` on this machine, $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo
    echo "- machine: $(nproc) CPUs ($(uname -sm)), shared with other jobs"
    echo "- hubctl-core: $(cd "$REPO_DIR" && git rev-parse --short HEAD 2>/dev/null || echo unknown), release build of crates/core/examples/load_plan.rs"
    echo "- one process per step; peak RSS is the highest VmHWM of its stages (each stage resets VmHWM through /proc/self/clear_refs)"
    echo "- RSS after load: what the process holds when planning starts: the configuration, its sources, the graph (B/res: per resource)"
    echo
    echo "| shape | N | step | wall s | µs/node | peak RSS MB | load s | RSS after load MB | load peak MB | B/res after load | plan s | plan peak MB | apply (s, peak MB) |"
    echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    printf '%s\n' "${rows[@]}"
} >"$OUT"
cat "$OUT"
