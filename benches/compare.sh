#!/usr/bin/env bash
# hubctl vs Terraform on one example root module against private moto emulators: the engine of
# benches/network.sh and benches/hub.sh, which set BENCH_NAME, BENCH_EXAMPLE (a folder under
# examples/), BENCH_MODULES (folders under modules/ it uses) and BENCH_DESC.
#
# Steps:   plan, apply, no-op plan (-detailed-exitcode, must exit 0), destroy; moto is reset
#          between the two tools so each starts from an empty emulator.
# Timing:  bash's $EPOCHREALTIME around `/usr/bin/time -f '%e %M'` (wall s, peak RSS), after
#          one read per service (benches/moto_warm.py: moto builds each backend on first use)
#          and an untimed warm-up plan per tool.
# Requests: every step's AWS requests are counted in moto's own request log (same yardstick
#          for both tools, no logging overhead in the timed runs). One extra, untimed no-op
#          plan per tool with its request logging on (HUBCTL_LOG=hubctl::api=info,
#          TF_LOG=DEBUG) breaks that step down by operation.
# Resources: hubctl's applied state sets the count; Terraform's state must hold as many.
# Both tools run the example unmodified (its provider block needs no skip_* settings).
#
# Runs:    R rounds (--runs, default 3), each from a fresh emulator state, the tools taking
#          turns, so a slow spell of the shared machine hits both; the table shows each
#          figure's min / median / max and the ratio of the medians.
#
# Usage: benches/<name>.sh [--no-terraform] [--hubctl PATH] [--out FILE] [--runs R] [--keep]
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
ORIG_ARGS="$*"

USE_TERRAFORM=1
HUBCTL=""
: "${BENCH_NAME:?set by the wrapper script}" "${BENCH_EXAMPLE:?}" "${BENCH_MODULES:?}" "${BENCH_DESC:?}"
OUT="$SCRIPT_DIR/results/$BENCH_NAME.md"
KEEP=0
RUNS=3
RUN=1 # the round under way; the no-op plan's request breakdown is taken in the first
PARALLELISM=10
STEPS=(plan apply noop-plan destroy)
RESOURCES="" # managed instances, from hubctl's state after apply
TF_NOOP_CHANGES="" # Terraform's "Plan: ..." line when its no-op plan was not one
CRITICAL=""  # per round, "apply seconds<TAB>critical path seconds<TAB>chain" of hubctl's apply

usage() {
    sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

die() {
    printf '%s.sh: %s\n' "$BENCH_NAME" "$*" >&2
    exit 1
}

# shellcheck source=benches/lib.sh
. "$SCRIPT_DIR/lib.sh"
parse_bench_args "$@"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs '$RUNS' is not a positive integer"

# --- prerequisites ---------------------------------------------------------------------------


ensure_gnu_time
command -v jq >/dev/null 2>&1 || die "jq is required (state checks)"
resolve_hubctl
find_terraform

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hubctl-$BENCH_NAME-bench.XXXXXX")
RESULTS=$WORK/results.tsv
: >"$RESULTS"
export HUBCTL_MOTO_RUN=$WORK/moto
cleanup() {
    local rc=$?
    bash "$REPO_DIR/scripts/moto.sh" stop >/dev/null 2>&1 || true
    if [[ $rc -eq 0 && $KEEP -eq 0 ]]; then
        rm -rf "$WORK"
    else
        echo "work directory kept: $WORK" >&2
    fi
}
trap cleanup EXIT

# --- environment: loopback only ----------------------------------------------------------------

loopback_env "$WORK/terraform.tfrc"

echo "starting moto ..." >&2
bash "$REPO_DIR/scripts/moto.sh" start >/dev/null || die "moto did not start"
# shellcheck disable=SC1091
. "$HUBCTL_MOTO_RUN/env.sh"
MOTO_LOG=$HUBCTL_MOTO_RUN/moto.log
[[ $AWS_ENDPOINT_URL == http://127.0.0.1:* ]] || die "moto endpoint '$AWS_ENDPOINT_URL' is not loopback"

# moto builds each service's backend on its first request (IAM's takes about 1 s): build them
# all before anything is timed, after each start and reset (benches/moto_warm.py).
warm_moto() {
    "${HUBCTL_PYTHON:-python3}" "$SCRIPT_DIR/moto_warm.py" || die "moto warm-up failed"
}
warm_moto

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

# Requests moto has served so far (werkzeug logs one line per request).
moto_requests() {
    grep -c '"[A-Z]* /' "$MOTO_LOG" || true
}

# Runs one step under /usr/bin/time. Sets STEP_S (wall seconds), STEP_KB (peak RSS KiB) and
# STEP_REQ (requests moto served meanwhile). Any non-zero exit fails the run; for the no-op
# plan, 2 means "changes" and says so.
measure() {
    local label=$1 log=$2
    shift 2
    local timing=$log.time t0 t1 r0 r1 rc=0
    r0=$(moto_requests)
    t0=$EPOCHREALTIME
    /usr/bin/time -f '%e %M' -o "$timing" "$@" >"$log" 2>&1 || rc=$?
    t1=$EPOCHREALTIME
    r1=$(moto_requests)
    # Terraform's no-op plan may show changes where the emulator echoes what the provider
    # diffs on (BENCH_TF_NOOP_MAY_CHANGE: the wrapper's explanation): timed, and noted in the report.
    if [[ $rc -eq 2 && $label == "terraform noop-plan" && -n ${BENCH_TF_NOOP_MAY_CHANGE:-} ]]; then
        TF_NOOP_CHANGES=$(grep -E '^Plan: ' "$log" | tail -n 1)
        rc=0
    fi
    if [[ $rc -ne 0 ]]; then
        local why="exit $rc"
        [[ $label == *noop-plan* && $rc -eq 2 ]] && why="exit 2: the no-op plan after apply shows changes"
        fail_step "$label ($why): $*" "$log"
    fi
    STEP_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    STEP_KB=$(awk 'END { print $2 }' "$timing")
    STEP_REQ=$((r1 - r0))
    [[ $STEP_KB =~ ^[0-9]+$ ]] || fail_step "$label: unreadable /usr/bin/time output" "$timing"
}

# Managed resource instances in a state file (hubctl's map form or Terraform's array form;
# data sources do not count).
count_instances() {
    jq '.resources | if type == "object" then ([to_entries[] | select(.key | test("(^|\\.)data\\.") | not)] | length)
        elif type == "array" then ([.[] | select(.mode != "data") | .instances[]?] | length) else -1 end' "$1"
}

check_state() {
    local label=$1 file=$2 want=$3 log=$4 got
    [[ -f $file ]] || fail_step "$label: no state file at $file" "$log"
    got=$(count_instances "$file" 2>/dev/null) || fail_step "$label: state $file is not JSON" "$log"
    [[ $got == "$want" ]] || fail_step "$label: state holds $got resource instances, expected $want" "$log"
}

record() { # tool step
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$STEP_S" "$STEP_KB" "$STEP_REQ" >>"$RESULTS"
}

# `service:Operation` per request in a TF_LOG=DEBUG log. An entry ("HTTP Request Sent") can
# span lines (the body); rpc.service/rpc.method name it, or the query body's Action=.
terraform_ops() {
    awk '
    function flush() { if (req) print tolower(svc) ":" (op != "" ? op : act); req = 0 }
    /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T/ {
        flush()
        if ($0 ~ /HTTP Request Sent/) { req = 1; svc = "?"; op = ""; act = "?" }
    }
    req {
        if (match($0, /rpc\.service=[A-Za-z0-9]+/)) svc = substr($0, RSTART + 12, RLENGTH - 12)
        if (match($0, /rpc\.method=[A-Za-z0-9]+/)) op = substr($0, RSTART + 11, RLENGTH - 11)
        if (match($0, /Action=[A-Za-z0-9]+/)) act = substr($0, RSTART + 7, RLENGTH - 7)
    }
    END { flush() }' "$1"
}

# `service:Operation` per request in a HUBCTL_LOG=hubctl::api=info log.
hubctl_ops() {
    sed 's/\x1b\[[0-9;]*m//g' "$1" | sed -n 's/.*hubctl::api: \([a-z0-9]*:[A-Za-z0-9]*\).*/\1/p'
}

# Untimed no-op plan with the tool's request logging on: "count op" lines, most frequent first.
# Also warns when the tool's own count differs from moto's.
breakdown() {
    local tool=$1 log=$2 ops=$3
    shift 3
    local r0 r1 rc=0
    r0=$(moto_requests)
    "$@" >"$log" 2>&1 || rc=$?
    r1=$(moto_requests)
    [[ $rc -eq 0 || $rc == "${BENCH_BREAKDOWN_RC_OK:-0}" ]] || fail_step "$tool logged no-op plan (exit $rc): $*" "$log"
    if [[ $tool == hubctl ]]; then hubctl_ops "$log"; else terraform_ops "$log"; fi |
        sort | uniq -c | sort -k1,1nr -k2 >"$ops"
    local logged
    logged=$(awk '{ n += $1 } END { print n + 0 }' "$ops")
    if [[ $logged -ne $((r1 - r0)) ]]; then
        echo "warning: $tool logged $logged requests, moto served $((r1 - r0))" >&2
    fi
}

run_hubctl() {
    local root=$1 logs=$2 step
    local state=$root/.hubctl/state.json h=("$HUBCTL" --no-color)
    measure "hubctl warm-up plan" "$logs/hubctl-warmup.log" "${h[@]}" plan "$root" --parallelism=$PARALLELISM
    for step in "${STEPS[@]}"; do
        local label="hubctl $step" log=$logs/hubctl-$step.log
        case $step in
        plan) measure "$label" "$log" "${h[@]}" plan "$root" --parallelism=$PARALLELISM ;;
        apply)
            # One log line at the end: the critical path (hubctl::timing), the bound apply can reach.
            HUBCTL_LOG=hubctl::timing=info measure "$label" "$log" "${h[@]}" apply "$root" --auto-approve --parallelism=$PARALLELISM
            CRITICAL+="$STEP_S	$(sed 's/\x1b\[[0-9;]*m//g' "$log" | sed -n 's/.*hubctl::timing: critical path \([0-9.]*\) s: \(.*\)/\1\t\2/p' | tail -n 1)"$'\n'
            RESOURCES=$(count_instances "$state" 2>/dev/null) || fail_step "$label: no readable state at $state" "$log"
            [[ $RESOURCES -gt 0 ]] || fail_step "$label: the state holds no resource instances" "$log"
            ;;
        noop-plan)
            measure "$label" "$log" "${h[@]}" plan "$root" --detailed-exitcode --parallelism=$PARALLELISM
            record hubctl "$step"
            [[ $RUN -eq 1 ]] || continue
            HUBCTL_LOG=hubctl::api=info breakdown hubctl "$logs/hubctl-noop-plan-logged.log" "$WORK/ops-hubctl.txt" \
                "${h[@]}" plan "$root" --detailed-exitcode --parallelism=$PARALLELISM
            continue
            ;;
        destroy)
            measure "$label" "$log" "${h[@]}" destroy "$root" --auto-approve --parallelism=$PARALLELISM
            check_state "$label" "$state" 0 "$log"
            ;;
        esac
        record hubctl "$step"
    done
}

run_terraform() {
    local root=$1 logs=$2 step
    local state=$root/.hubctl/state.json tf=(terraform "-chdir=$root")
    measure "terraform init" "$logs/terraform-init.log" "${tf[@]}" init -input=false -no-color
    measure "terraform warm-up plan" "$logs/terraform-warmup.log" "${tf[@]}" plan -input=false -no-color -parallelism=$PARALLELISM
    for step in "${STEPS[@]}"; do
        local label="terraform $step" log=$logs/terraform-$step.log
        case $step in
        plan) measure "$label" "$log" "${tf[@]}" plan -input=false -no-color -parallelism=$PARALLELISM ;;
        apply)
            measure "$label" "$log" "${tf[@]}" apply -input=false -no-color -auto-approve -parallelism=$PARALLELISM
            check_state "$label" "$state" "$RESOURCES" "$log"
            ;;
        noop-plan)
            measure "$label" "$log" "${tf[@]}" plan -input=false -no-color -detailed-exitcode -parallelism=$PARALLELISM
            record terraform "$step"
            [[ -z $TF_NOOP_CHANGES ]] || echo "terraform's no-op plan shows changes: $TF_NOOP_CHANGES" >&2
            [[ $RUN -eq 1 ]] || continue
            TF_LOG=DEBUG BENCH_BREAKDOWN_RC_OK=2 breakdown terraform "$logs/terraform-noop-plan-logged.log" "$WORK/ops-terraform.txt" \
                "${tf[@]}" plan -input=false -no-color -detailed-exitcode -parallelism=$PARALLELISM
            continue
            ;;
        destroy)
            measure "$label" "$log" "${tf[@]}" destroy -input=false -no-color -auto-approve -parallelism=$PARALLELISM
            check_state "$label" "$state" 0 "$log"
            ;;
        esac
        record terraform "$step"
    done
}

# --- report ----------------------------------------------------------------------------------

# One row per step: hubctl and Terraform side by side ("-" where a tool did not run).
render_table() {
    awk -F'\t' '
    function sorted(list, a,   n, i, j, t) {
        n = split(list, a, " ")
        for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return n
    }
    function median(list,   a, n) { n = sorted(list, a); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    function span(list,   a, n) { n = sorted(list, a); return sprintf("%.3f / %.3f / %.3f", a[1], median(list), a[n]) }
    {
        if (!($2 in seen)) { seen[$2] = 1; order[++rows] = $2 }
        s[$2, $1] = s[$2, $1] " " $3; if ($4 > kb[$2, $1]) kb[$2, $1] = $4; rq[$2, $1] = rq[$2, $1] " " $5
        runs[$2, $1]++
    }
    END {
        print "| step | runs | hubctl s min / median / max | hubctl MB | terraform s min / median / max | terraform MB | ratio of medians (tf/hubctl) | hubctl requests | terraform requests |"
        print "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        for (r = 1; r <= rows; r++) {
            k = order[r]; hs = hm = hr = ts = tm = tr = ratio = "-"; n = runs[k, "hubctl"] + 0
            if ((k, "hubctl") in s) {
                hs = span(s[k, "hubctl"]); hm = sprintf("%.1f", kb[k, "hubctl"] / 1024); hr = median(rq[k, "hubctl"])
            }
            if ((k, "terraform") in s) {
                ts = span(s[k, "terraform"]); tm = sprintf("%.1f", kb[k, "terraform"] / 1024); tr = median(rq[k, "terraform"])
                h = median(s[k, "hubctl"])
                if (hs != "-" && h > 0) ratio = sprintf("%.1fx", median(s[k, "terraform"]) / h)
            }
            printf "| %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", k, n, hs, hm, ts, tm, ratio, hr, tr
        }
    }' "$RESULTS"
}

# hubctl's apply against its critical path, per round, and the chain of the last round.
render_critical() {
    [[ -n $CRITICAL ]] || return 0
    awk -F'\t' 'NF >= 3 {
        line = line sprintf("%s%.3f s against %.3f s (%.2fx)", (n++ ? "; " : ""), $1, $2, ($2 > 0 ? $1 / $2 : 0)); chain = $3
    }
    END { printf "hubctl apply against its critical path (the sum of the measured operation times along the longest dependency chain), per round: %s. The chain: %s\n", line, chain }' <<<"$CRITICAL"
}

# The no-op plan's requests by operation, one column per tool.
render_ops() {
    local files=() f
    for f in "$WORK/ops-hubctl.txt" "$WORK/ops-terraform.txt"; do
        [[ -f $f ]] && files+=("$f")
    done
    [[ ${#files[@]} -gt 0 ]] || return 0
    awk '
    FNR == 1 { tool = (FILENAME ~ /ops-hubctl\.txt$/) ? "hubctl" : "terraform" }
    {
        if (!($2 in seen)) { seen[$2] = 1; order[++rows] = $2 }
        n[$2, tool] = $1; total[tool] += $1
    }
    END {
        print "| no-op plan request | hubctl | terraform |"
        print "|---|---:|---:|"
        for (r = 1; r <= rows; r++) {
            k = order[r]
            printf "| %s | %s | %s |\n", k, ((k, "hubctl") in n) ? n[k, "hubctl"] : 0, ((k, "terraform") in n) ? n[k, "terraform"] : 0
        }
        printf "| **total** | **%d** | **%d** |\n", total["hubctl"], total["terraform"]
    }' "${files[@]}"
}

# --- main ------------------------------------------------------------------------------------

prepare() { # copies the example and its module side by side, as in the repository
    local dir=$1
    local m
    mkdir -p "$dir/modules" "$dir/examples"
    for m in $BENCH_MODULES; do cp -r "$REPO_DIR/modules/$m" "$dir/modules/"; done
    cp -r "$REPO_DIR/examples/$BENCH_EXAMPLE" "$dir/examples/"
    rm -rf "$dir/examples/$BENCH_EXAMPLE/.hubctl" "$dir/examples/$BENCH_EXAMPLE/.terraform"
}

# Each round starts both tools from an empty, warmed emulator in fresh copies.
for RUN in $(seq 1 "$RUNS"); do
    logs=$WORK/logs/$RUN
    mkdir -p "$logs"
    if [[ $RUN -gt 1 ]]; then
        bash "$REPO_DIR/scripts/moto.sh" reset >/dev/null 2>&1 || die "moto reset failed"
        warm_moto
    fi
    prepare "$WORK/hubctl-$RUN"
    echo "round $RUN of $RUNS: hubctl ..." >&2
    run_hubctl "$WORK/hubctl-$RUN/examples/$BENCH_EXAMPLE" "$logs"
    if [[ $USE_TERRAFORM -eq 1 ]]; then
        bash "$REPO_DIR/scripts/moto.sh" reset >/dev/null 2>&1 || die "moto reset failed"
        warm_moto
        prepare "$WORK/terraform-$RUN"
        echo "round $RUN of $RUNS: terraform ..." >&2
        run_terraform "$WORK/terraform-$RUN/examples/$BENCH_EXAMPLE" "$logs"
    fi
done

table=$(render_table)
ops=$(render_ops)
critical=$(render_critical)
printf '%s\n\n%s\n\n%s\n' "$table" "$critical" "$ops"

mkdir -p "$(dirname "$OUT")"
{
    report_header "hubctl $BENCH_NAME benchmark" "benches/$BENCH_NAME.sh $ORIG_ARGS"
    echo "- moto: $("${HUBCTL_PYTHON:-python3}" -c 'import moto; print(moto.__version__)' 2>/dev/null || echo unknown), reset and warmed (benches/moto_warm.py) before each tool and round; $RUNS rounds"
    echo "- config: examples/$BENCH_EXAMPLE + modules/{${BENCH_MODULES// /,}} unmodified ($BENCH_DESC), $RESOURCES resources; parallelism $PARALLELISM"
    echo "- wall time in seconds, peak RSS in MiB (GNU time %M, the largest of the rounds); requests = lines in moto's request log (median of the rounds)"
    echo
    printf '%s\n' "$table"
    [[ -z $critical ]] || printf '\n%s\n' "$critical"
    if [[ -n $TF_NOOP_CHANGES ]]; then
        printf '\nTerraform'"'"'s no-op plan was not one (exit 2, "%s"): %s\n' "$TF_NOOP_CHANGES" "$BENCH_TF_NOOP_MAY_CHANGE"
    fi
    if [[ -n $ops ]]; then
        echo
        echo "No-op plan requests by operation (an extra, untimed run with each tool's request log on):"
        echo
        printf '%s\n' "$ops"
    fi
} >"$OUT"
echo "table written to $OUT" >&2
