#!/usr/bin/env bash
# Graph benchmark: hubctl vs Terraform on N `terraform_data` resources in three shapes.
#
# Shapes:  wide    - N independent resources
#          chain   - each resource depends on the previous one through its `input`
#          layered - 10 layers; each node depends on 2 nodes of the previous layer
# Steps:   plan, apply, no-op plan (--detailed-exitcode, must exit 0), destroy.
#
# Each figure is R runs (--runs, default 3) of the four steps in one directory; the table shows
# the min, median and max wall time, the median CPU time (user + system) and the largest peak
# RSS. Wall time comes from bash's $EPOCHREALTIME around `/usr/bin/time` (time's own %e only
# has 10 ms resolution, too coarse for N=100). Each tool runs in its own copy of the generated
# directory, with output redirected to a log file so terminal output does not distort the
# timing. A Terraform step that takes longer than --terraform-limit seconds is stopped; its
# figure is a lower bound ("> 60"), and the rest of that case is not run for Terraform.
# Any failed step aborts with the log's tail.
#
# Usage: benches/graph.sh [--sizes 100,1000,10000,100000] [--shapes wide,chain,layered]
#                         [--runs 3] [--no-terraform] [--terraform-max 1000]
#                         [--terraform-limit 60] [--hubctl PATH] [--out FILE] [--keep]
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
ORIG_ARGS="$*"

SIZES="100,1000,10000,100000"
SHAPES="wide,chain,layered"
USE_TERRAFORM=1
TERRAFORM_MAX=1000
TERRAFORM_LIMIT=60
RUNS=3
HUBCTL=""
OUT="$SCRIPT_DIR/results/latest.md"
KEEP=0
PARALLELISM=10
STEPS=(plan apply noop-plan destroy)

usage() {
    sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

die() {
    printf 'graph.sh: %s\n' "$*" >&2
    exit 1
}

while [[ $# -gt 0 ]]; do
    case "$1" in
    --sizes) SIZES=${2:?--sizes needs a value}; shift 2 ;;
    --sizes=*) SIZES=${1#*=}; shift ;;
    --shapes) SHAPES=${2:?--shapes needs a value}; shift 2 ;;
    --shapes=*) SHAPES=${1#*=}; shift ;;
    --no-terraform) USE_TERRAFORM=0; shift ;;
    --terraform-max) TERRAFORM_MAX=${2:?--terraform-max needs a value}; shift 2 ;;
    --terraform-max=*) TERRAFORM_MAX=${1#*=}; shift ;;
    --terraform-limit) TERRAFORM_LIMIT=${2:?--terraform-limit needs a value}; shift 2 ;;
    --terraform-limit=*) TERRAFORM_LIMIT=${1#*=}; shift ;;
    --runs) RUNS=${2:?--runs needs a value}; shift 2 ;;
    --runs=*) RUNS=${1#*=}; shift ;;
    --hubctl) HUBCTL=${2:?--hubctl needs a path}; shift 2 ;;
    --hubctl=*) HUBCTL=${1#*=}; shift ;;
    --out) OUT=${2:?--out needs a path}; shift 2 ;;
    --out=*) OUT=${1#*=}; shift ;;
    --keep) KEEP=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
    esac
done

IFS=, read -r -a SIZE_LIST <<<"$SIZES"
IFS=, read -r -a SHAPE_LIST <<<"$SHAPES"
for n in "${SIZE_LIST[@]}"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "size '$n' is not a positive integer"
done
for s in "${SHAPE_LIST[@]}"; do
    [[ $s == wide || $s == chain || $s == layered ]] || die "unknown shape '$s' (wide, chain, layered)"
done
[[ $TERRAFORM_MAX =~ ^[0-9]+$ ]] || die "--terraform-max '$TERRAFORM_MAX' is not a number"
[[ $TERRAFORM_LIMIT =~ ^[1-9][0-9]*$ ]] || die "--terraform-limit '$TERRAFORM_LIMIT' is not a positive number of seconds"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs '$RUNS' is not a positive integer"

# --- prerequisites ---------------------------------------------------------------------------

# shellcheck source=benches/lib.sh
. "$SCRIPT_DIR/lib.sh"

ensure_gnu_time
command -v jq >/dev/null 2>&1 || die "jq is required (state checks)"
resolve_hubctl
if [[ $USE_TERRAFORM -eq 1 ]] && ! command -v terraform >/dev/null 2>&1; then
    echo "terraform not on PATH: hubctl only" >&2
    USE_TERRAFORM=0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hubctl-bench.XXXXXX")
RESULTS=$WORK/results.tsv
: >"$RESULTS"
cleanup() {
    local rc=$?
    if [[ $rc -eq 0 && $KEEP -eq 0 ]]; then
        rm -rf "$WORK"
    else
        echo "work directory kept: $WORK" >&2
    fi
}
trap cleanup EXIT

# Terraform stays offline: terraform_data is built in, so init downloads nothing.
: >"$WORK/empty.tfrc"
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=$WORK/empty.tfrc
unset TF_LOG TF_CLI_ARGS TF_CLI_ARGS_plan TF_CLI_ARGS_apply TF_CLI_ARGS_destroy

# --- configuration generator -----------------------------------------------------------------

# Writes DIR/main.tf with N resources of SHAPE. Dependencies go through `input` (the name of
# the dependency's output), so plan sees unknowns and apply must follow the edges.
generate() {
    local shape=$1 n=$2 dir=$3
    mkdir -p "$dir"
    awk -v shape="$shape" -v n="$n" 'BEGIN {
        printf "variable \"revision\" {\n  type    = number\n  default = 1\n}\n\n"
        printf "locals {\n  prefix = \"bench-%s\"\n}\n\n", shape
        w = int((n + 9) / 10)          # layer width for the layered shape (10 layers)
        for (i = 0; i < n; i++) {
            deps = ""
            if (shape == "chain" && i > 0) {
                deps = sprintf("terraform_data.n%d.output.name", i - 1)
            } else if (shape == "layered" && i >= w) {
                layer = int(i / w); pos = i - layer * w; base = (layer - 1) * w
                deps = sprintf("terraform_data.n%d.output.name", base + pos)
                if (w > 1) deps = deps sprintf(", terraform_data.n%d.output.name", base + (pos + 1) % w)
            }
            printf "resource \"terraform_data\" \"n%d\" {\n", i
            printf "  input = {\n"
            printf "    name  = \"${local.prefix}-n%d\"\n", i
            printf "    index = %d\n", i
            printf "    deps  = [%s]\n", deps
            printf "  }\n"
            printf "  triggers_replace = [var.revision, \"n%d\"]\n", i
            printf "}\n\n"
        }
        printf "output \"last\" {\n  value = terraform_data.n%d.output.name\n}\n", n - 1
    }' >"$dir/main.tf"
}

# --- measurement -----------------------------------------------------------------------------

fail_step() {
    local what=$1 log=$2
    {
        echo
        echo "FAILED: $what"
        echo "--- last 40 lines of $log ---"
        tail -n 40 "$log" 2>/dev/null || true
        echo "---"
        echo "results so far:"
        render_table
    } >&2
    exit 1
}

# Runs one step under /usr/bin/time. Sets STEP_S (wall seconds), STEP_CPU (user + system
# seconds), STEP_KB (peak RSS KiB) and STEP_OVER (1 if the step hit LIMIT seconds, given as
# `--limit S` before the label). Any other exit code than 0 is a failure (the no-op plan's 2
# means "changes", also a failure).
measure() {
    local limit=0
    if [[ $1 == --limit ]]; then limit=$2; shift 2; fi
    local label=$1 log=$2
    shift 2
    local timing=$log.time t0 t1 rc=0 cmd=("$@")
    [[ $limit -gt 0 ]] && cmd=(timeout -k 5 "$limit" "$@")
    t0=$EPOCHREALTIME
    /usr/bin/time -f '%e %U %S %M' -o "$timing" "${cmd[@]}" >"$log" 2>&1 || rc=$?
    t1=$EPOCHREALTIME
    STEP_OVER=0
    if [[ $limit -gt 0 && ($rc -eq 124 || $rc -eq 137) ]]; then
        STEP_OVER=1
    elif [[ $rc -ne 0 ]]; then
        local why="exit $rc"
        [[ $label == *noop-plan* && $rc -eq 2 ]] && why="exit 2: the no-op plan after apply shows changes"
        fail_step "$label ($why): $*" "$log"
    fi
    STEP_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    STEP_CPU=$(awk '/^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+$/ { c = $2 + $3 } END { printf "%.3f", c }' "$timing")
    STEP_KB=$(awk '/^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+$/ { k = $4 } END { print k }' "$timing")
    [[ $STEP_KB =~ ^[0-9]+$ ]] || fail_step "$label: unreadable /usr/bin/time output" "$timing"
}

# One result row: shape, N, step, tool, run, wall s, CPU s, peak KiB, over the limit.
record() {
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" "$STEP_S" "$STEP_CPU" "$STEP_KB" "$STEP_OVER" >>"$RESULTS"
}

# Counts resource instances in a state file (hubctl's map or Terraform's array form).
count_instances() {
    jq '.resources | if type == "object" then length
        elif type == "array" then ([.[].instances[]?] | length) else -1 end' "$1"
}

check_state() {
    local label=$1 file=$2 want=$3 log=$4 got
    [[ -f $file ]] || fail_step "$label: no state file at $file" "$log"
    got=$(count_instances "$file" 2>/dev/null) || fail_step "$label: state $file is not JSON" "$log"
    [[ $got == "$want" ]] || fail_step "$label: state holds $got instances, expected $want" "$log"
}

run_hubctl() {
    local shape=$1 n=$2 dir=$3 logs=$4 run=$5 step
    local state=$dir/.hubctl/state.json
    for step in "${STEPS[@]}"; do
        local label="hubctl $step ($shape, N=$n, run $run)" log=$logs/hubctl-$step-$run.log
        case $step in
        plan) measure "$label" "$log" "$HUBCTL" --no-color plan "$dir" --parallelism=$PARALLELISM ;;
        apply)
            measure "$label" "$log" "$HUBCTL" --no-color apply "$dir" --auto-approve --parallelism=$PARALLELISM
            check_state "$label" "$state" "$n" "$log"
            ;;
        noop-plan) measure "$label" "$log" "$HUBCTL" --no-color plan "$dir" --detailed-exitcode --parallelism=$PARALLELISM ;;
        destroy)
            measure "$label" "$log" "$HUBCTL" --no-color destroy "$dir" --auto-approve --parallelism=$PARALLELISM
            check_state "$label" "$state" 0 "$log"
            ;;
        esac
        record "$shape" "$n" "$step" hubctl "$run"
    done
}

# One run of Terraform's steps; returns 1 when a step hit the time limit (the rest of the
# case is then not run: its state is whatever the stopped step left).
run_terraform() {
    local shape=$1 n=$2 dir=$3 logs=$4 run=$5 step
    local state=$dir/terraform.tfstate tf=(terraform "-chdir=$dir")
    local lim=(--limit "$TERRAFORM_LIMIT")
    if [[ ! -d $dir/.terraform ]]; then
        measure "terraform init ($shape, N=$n)" "$logs/terraform-init.log" "${tf[@]}" init -input=false -no-color
    fi
    for step in "${STEPS[@]}"; do
        local label="terraform $step ($shape, N=$n, run $run)" log=$logs/terraform-$step-$run.log
        case $step in
        plan) measure "${lim[@]}" "$label" "$log" "${tf[@]}" plan -input=false -no-color -parallelism=$PARALLELISM ;;
        apply)
            measure "${lim[@]}" "$label" "$log" "${tf[@]}" apply -input=false -no-color -auto-approve -parallelism=$PARALLELISM
            [[ $STEP_OVER -eq 1 ]] || check_state "$label" "$state" "$n" "$log"
            ;;
        noop-plan) measure "${lim[@]}" "$label" "$log" "${tf[@]}" plan -input=false -no-color -detailed-exitcode -parallelism=$PARALLELISM ;;
        destroy)
            measure "${lim[@]}" "$label" "$log" "${tf[@]}" destroy -input=false -no-color -auto-approve -parallelism=$PARALLELISM
            [[ $STEP_OVER -eq 1 ]] || check_state "$label" "$state" 0 "$log"
            ;;
        esac
        record "$shape" "$n" "$step" terraform "$run"
        [[ $STEP_OVER -eq 0 ]] || return 1
    done
}

# --- report ----------------------------------------------------------------------------------

# Joins the runs of $RESULTS into one markdown table row per shape, N and step: hubctl's
# min / median / max wall time, median CPU time, largest peak RSS and median µs per node;
# Terraform's median and largest RSS; the ratio of the medians. A Terraform figure that hit
# the time limit is a lower bound ("> 60"), and so is its ratio. Terraform columns say
# "skipped" above --terraform-max and "-" when Terraform is off or did not get that far.
render_table() {
    awk -F'\t' -v tf="$USE_TERRAFORM" -v tfmax="$TERRAFORM_MAX" '
    function median(list,   a, k, m) {
        k = split(list, a, " "); sort(a, k); m = int((k + 1) / 2)
        return (k % 2) ? a[m] : (a[m] + a[m + 1]) / 2
    }
    function sort(a, k,   i, j, t) {
        for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
    }
    function lo(list,   a, k) { k = split(list, a, " "); sort(a, k); return a[1] }
    function hi(list,   a, k) { k = split(list, a, " "); sort(a, k); return a[k] }
    {
        key = $1 SUBSEP $2 SUBSEP $3
        if (!(key in seen)) { seen[key] = 1; order[++rows] = key }
        t = key SUBSEP $4
        wall[t] = wall[t] " " $6; cpu[t] = cpu[t] " " $7
        if ($8 + 0 > kb[t] + 0) kb[t] = $8
        if ($9 == 1) over[t] = 1
        runs[t]++
    }
    END {
        print "| shape | N | step | runs | hubctl s min / median / max | hubctl CPU s | hubctl MB | hubctl µs/node | terraform s | terraform MB | ratio (tf/hubctl) |"
        print "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        for (r = 1; r <= rows; r++) {
            key = order[r]; split(key, f, SUBSEP); n = f[2]; h = key SUBSEP "hubctl"; x = key SUBSEP "terraform"
            if (h in wall) {
                hmed = median(wall[h])
                hs = sprintf("%.3f / %.3f / %.3f", lo(wall[h]), hmed, hi(wall[h]))
                hc = sprintf("%.3f", median(cpu[h])); hm = sprintf("%.1f", kb[h] / 1024)
                hu = sprintf("%.0f", hmed * 1e6 / n); hr = runs[h]
            } else { hs = "-"; hc = "-"; hm = "-"; hu = "-"; hmed = 0; hr = "-" }
            if (x in wall) {
                tmed = median(wall[x]); gt = (x in over) ? "> " : ""
                if (x in over) tmed = hi(wall[x])
                ts = sprintf("%s%.3f", gt, tmed); tm = sprintf("%.1f", kb[x] / 1024)
                ratio = (hmed > 0) ? sprintf("%s%.1fx", gt, tmed / hmed) : "-"
            } else if (tf == 1 && n + 0 > tfmax + 0) { ts = "skipped"; tm = "skipped"; ratio = "skipped" }
            else { ts = "-"; tm = "-"; ratio = "-" }
            printf "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], n, f[3], hr, hs, hc, hm, hu, ts, tm, ratio
        }
    }' "$RESULTS"
}

# --- main ------------------------------------------------------------------------------------

for shape in "${SHAPE_LIST[@]}"; do
    for n in "${SIZE_LIST[@]}"; do
        case_dir=$WORK/$shape-$n
        generate "$shape" "$n" "$case_dir/src"
        mkdir -p "$case_dir/logs"
        cp -r "$case_dir/src" "$case_dir/hubctl"
        tf_on=0
        if [[ $USE_TERRAFORM -eq 1 && $n -le $TERRAFORM_MAX ]]; then
            tf_on=1
            cp -r "$case_dir/src" "$case_dir/terraform"
        fi
        # The runs of both tools alternate, so a slow spell of the shared machine hits both.
        for run in $(seq 1 "$RUNS"); do
            echo "$shape N=$n run $run/$RUNS: hubctl ..." >&2
            run_hubctl "$shape" "$n" "$case_dir/hubctl" "$case_dir/logs" "$run"
            if [[ $tf_on -eq 1 ]]; then
                echo "$shape N=$n run $run/$RUNS: terraform ..." >&2
                run_terraform "$shape" "$n" "$case_dir/terraform" "$case_dir/logs" "$run" || tf_on=0
            fi
        done
        # Large cases leave big state and log files behind; keep only what --keep asks for.
        [[ $KEEP -eq 1 ]] || rm -rf "$case_dir"
    done
done

table=$(render_table)
printf '%s\n' "$table"

mkdir -p "$(dirname "$OUT")"
{
    echo "# hubctl graph benchmark"
    echo
    echo "Real run of \`benches/graph.sh $ORIG_ARGS\` on this machine, $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo
    echo "- machine: $(nproc) CPUs ($(uname -sm)), shared with other jobs"
    echo "- hubctl: $(cd "$REPO_DIR" && git rev-parse --short HEAD 2>/dev/null || echo unknown) ($HUBCTL)"
    if [[ $USE_TERRAFORM -eq 1 ]]; then
        echo "- terraform: $(terraform version | head -n 1), Terraform rows only up to N=$TERRAFORM_MAX"
    else
        echo "- terraform: not run"
    fi
    echo "- runs: $RUNS per figure, the tools alternating; a Terraform step is stopped after ${TERRAFORM_LIMIT} s (\"> \" marks a lower bound)"
    echo "- parallelism: $PARALLELISM for both; wall and CPU (user + system) time in seconds, peak RSS in MiB (GNU time %M, the largest of the runs)"
    echo "- µs/node: hubctl's median wall time divided by N (flat as N grows = linear scaling)"
    echo "- bench time: $((SECONDS / 60)) min $((SECONDS % 60)) s"
    echo
    printf '%s\n' "$table"
} >"$OUT"
echo "table written to $OUT" >&2
