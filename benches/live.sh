#!/usr/bin/env bash
# live/ benchmark: the shipped staging environment (config/, live/staging, modules/) run three
# ways against a private moto emulator, reset before each:
#   1. hubctl --all      one process, one run over every unit (`plan --all`, `apply --all`);
#   2. hubctl per unit   one hubctl process per unit in dependency order, the other units left
#                        out with --queue-exclude-dir (their outputs read from their states);
#   3. terraform         Terraform run unit by unit the way Terragrunt runs it: per unit, an
#                        `init` + `output -json` in each dependency, the unit's inputs resolved
#                        with those outputs, then `init` and `plan`/`apply` in the unit.
# Phases: plan of the never-applied environment, apply, and the no-op plan after it
# (-detailed-exitcode). Terraform cannot plan a never-applied dependent without mocks, which
# Terragrunt would need: that cell is "-". The argocd unit is left out of all three: its
# kubernetes provider needs a real cluster, which moto's EKS endpoint is not.
#
# Terraform's units run in the working copies `hubctl init --all` writes (the module package
# with the generated backend.tf and provider.tf, as Terragrunt's .terragrunt-cache holds);
# their inputs come from `hubctl render --json` with each dependency's `terraform output`
# as its mock_outputs (render reads no state), standing in for Terragrunt's own evaluation.
# The state bucket, lock table and key are created untimed before each run, after one
# untimed warm-up apply (moto builds its backends on first use).
#
# Usage: benches/live.sh [--no-terraform] [--hubctl PATH] [--out FILE] [--keep]
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
ORIG_ARGS="$*"
USE_TERRAFORM=1
HUBCTL=""
OUT="$SCRIPT_DIR/results/live.md"
KEEP=0
ENV_NAME=staging
UNITS=(network kms eks iam)
PHASES=(plan apply noop-plan)

die() {
    printf 'live.sh: %s\n' "$*" >&2
    exit 1
}

usage() {
    sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# shellcheck source=benches/lib.sh
. "$SCRIPT_DIR/lib.sh"
parse_bench_args "$@"

command -v jq >/dev/null 2>&1 || die "jq is required (inputs and outputs as JSON)"
resolve_hubctl
find_terraform

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hubctl-live-bench.XXXXXX")
RESULTS=$WORK/results.tsv # way, phase, seconds, requests
: >"$RESULTS"
export HUBCTL_MOTO_RUN=$WORK/moto
cleanup() {
    local rc=$?
    bash "$REPO_DIR/scripts/moto.sh" stop >/dev/null 2>&1 || true
    if [[ $rc -eq 0 && $KEEP -eq 0 ]]; then rm -rf "$WORK"; else echo "work directory kept: $WORK" >&2; fi
}
trap cleanup EXIT
loopback_env "$WORK/terraform.tfrc"
echo "starting moto ..." >&2
bash "$REPO_DIR/scripts/moto.sh" start >/dev/null || die "moto did not start"
# shellcheck disable=SC1091
. "$HUBCTL_MOTO_RUN/env.sh"
[[ $AWS_ENDPOINT_URL == http://127.0.0.1:* ]] || die "moto endpoint '$AWS_ENDPOINT_URL' is not loopback"
MOTO_LOG=$HUBCTL_MOTO_RUN/moto.log

moto_requests() { grep -c '"[A-Z]* /' "$MOTO_LOG" || true; }

# Runs a command with its output to LOG; fails the bench unless it exits with one of OK_CODES.
run_logged() { # LOG OK_CODES CMD...
    local log=$1 ok=$2 rc=0
    shift 2
    "$@" >>"$log" 2>&1 || rc=$?
    if [[ " $ok " != *" $rc "* ]]; then
        echo "FAILED (exit $rc): $*" >&2
        tail -n 40 "$log" >&2
        exit 1
    fi
}

# A fresh copy of the tree (a git work tree for get_repo_root()), its backend created untimed
# on a reset emulator, every unit's working copy written.
fresh_tree() { # DIR
    local dir=$1 d
    mkdir -p "$dir/.git"
    for d in config live modules; do cp -r "$REPO_DIR/$d" "$dir/"; done
    find "$dir" -name .hubctl -type d -prune -exec rm -rf {} +
    bash "$REPO_DIR/scripts/moto.sh" reset >/dev/null || die "moto reset failed"
    (cd "$dir" && run_logged "$WORK/setup.log" 0 "$HUBCTL" --no-color init --all --bootstrap "live/$ENV_NAME")
}

# Times one phase of one way: the sum of its commands, and the requests moto served.
PHASE_S=0
PHASE_REQ=0
phase_start() { PHASE_T0=$EPOCHREALTIME; PHASE_R0=$(moto_requests); }
phase_end() { # WAY PHASE
    PHASE_S=$(awk -v a="$PHASE_T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
    PHASE_REQ=$(($(moto_requests) - PHASE_R0))
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$PHASE_S" "$PHASE_REQ" >>"$RESULTS"
    echo "  $1 $2: ${PHASE_S}s, $PHASE_REQ requests" >&2
}

# The queue flags that leave out every unit but $1 (and always argocd).
only() {
    local u flags=(--queue-exclude-dir '**/argocd')
    for u in "${UNITS[@]}"; do
        [[ $u == "$1" ]] || flags+=(--queue-exclude-dir "live/$ENV_NAME/$u")
    done
    printf '%s\n' "${flags[@]}"
}

hubctl_all() {
    local tree=$WORK/all log=$WORK/hubctl-all.log h
    fresh_tree "$tree"
    h=("$HUBCTL" --no-color)
    cd "$tree"
    local all=("live/$ENV_NAME" --queue-exclude-dir '**/argocd')
    phase_start; run_logged "$log" 0 "${h[@]}" plan --all "${all[@]}"; phase_end "hubctl --all" plan
    phase_start; run_logged "$log" 0 "${h[@]}" apply --all "${all[@]}" --auto-approve; phase_end "hubctl --all" apply
    phase_start; run_logged "$log" 0 "${h[@]}" plan --all "${all[@]}" --detailed-exitcode; phase_end "hubctl --all" noop-plan
    cd "$REPO_DIR"
}

hubctl_per_unit() {
    local tree=$WORK/units log=$WORK/hubctl-units.log u
    fresh_tree "$tree"
    local h=("$HUBCTL" --no-color)
    cd "$tree"
    local verb phase extra
    for phase in "${PHASES[@]}"; do
        case $phase in
        plan) verb=plan extra=() ;;
        apply) verb=apply extra=(--auto-approve) ;;
        noop-plan) verb=plan extra=(--detailed-exitcode) ;;
        esac
        phase_start
        for u in "${UNITS[@]}"; do
            mapfile -t q < <(only "$u")
            run_logged "$log" 0 "${h[@]}" "$verb" --all "live/$ENV_NAME" "${q[@]}" "${extra[@]}"
        done
        phase_end "hubctl per unit" "$phase"
    done
    cd "$REPO_DIR"
}

# A unit's working copy: where its module runs (after the source's `//`).
unit_dir() { # TREE UNIT
    local src sub
    src=$(cd "$1" && "$HUBCTL" render --json "live/$ENV_NAME/$2" | jq -r '.terraform.source')
    sub=${src#*//}
    [[ $sub != "$src" ]] || sub=""
    echo "$1/live/$ENV_NAME/$2/.hubctl/work${sub:+/$sub}"
}

# The units a unit's dependency blocks name (their folder names).
unit_deps() { # TREE UNIT
    (cd "$1" && "$HUBCTL" render --json "live/$ENV_NAME/$2") |
        jq -r '.dependency // {} | to_entries[] | .value.config_path' | xargs -r -n1 basename
}

# Each dependency block of the unit's file gets the dependency's outputs as its mocks.
mock_from_outputs() { # UNIT_FILE OUTPUTS_DIR
    python3 - "$1" "$2" <<'PY'
import re, sys
path, outs = sys.argv[1], sys.argv[2]
text = open(path).read()
text = re.sub(r'(dependency\s+"([^"]+)"\s*\{)',
              lambda m: f'{m.group(1)}\n  mock_outputs = jsondecode(file("{outs}/{m.group(2)}.json"))', text)
open(path, "w").write(text)
PY
}

declare -A TF_DIR TF_DEPS

# One unit the Terragrunt way: init + output in each dependency, inputs resolved, init + CMD.
terraform_unit() { # TREE UNIT LOG OK_CODES CMD...
    local tree=$1 u=$2 log=$3 ok=$4 d dir outs=$1/.bench-outputs
    shift 4
    for d in ${TF_DEPS[$u]}; do
        dir=${TF_DIR[$d]}
        run_logged "$log" 0 terraform "-chdir=$dir" init -input=false -no-color -backend-config=use_path_style=true
        terraform "-chdir=$dir" output -json 2>>"$log" | jq 'map_values(.value)' >"$outs/$d.json" ||
            die "terraform output -json failed in $dir"
    done
    dir=${TF_DIR[$u]}
    (cd "$tree" && "$HUBCTL" render --json "live/$ENV_NAME/$u") | jq '.inputs' >"$dir/terragrunt.auto.tfvars.json"
    run_logged "$log" 0 terraform "-chdir=$dir" init -input=false -no-color -backend-config=use_path_style=true
    run_logged "$log" "$ok" terraform "-chdir=$dir" "$@" -input=false -no-color
}

terraform_per_unit() {
    local tree=$WORK/terraform log=$WORK/terraform.log u
    fresh_tree "$tree"
    mkdir -p "$tree/.bench-outputs"
    for u in "${UNITS[@]}"; do
        TF_DIR[$u]=$(unit_dir "$tree" "$u")
        TF_DEPS[$u]=$(unit_deps "$tree" "$u" | tr '\n' ' ')
    done
    for u in "${UNITS[@]}"; do
        mock_from_outputs "$tree/live/$ENV_NAME/$u/terragrunt.hcl" "$tree/.bench-outputs"
    done
    phase_start
    for u in "${UNITS[@]}"; do terraform_unit "$tree" "$u" "$log" 0 apply -auto-approve; done
    phase_end terraform apply
    phase_start
    for u in "${UNITS[@]}"; do terraform_unit "$tree" "$u" "$log" "0 2" plan -detailed-exitcode; done
    phase_end terraform noop-plan
    TF_NOOP=$(grep -E '^(Plan: |No changes)' "$log" | tail -n ${#UNITS[@]} | sort | uniq -c | sed 's/^ *//' | paste -sd ';' -)
}

# moto builds its service backends lazily: the first CreateVpc of the process alone takes
# seconds. One untimed apply of the tree first, so that no way pays for it.
warm_up() {
    local tree=$WORK/warm-up
    fresh_tree "$tree"
    (cd "$tree" && run_logged "$WORK/warm-up.log" 0 "$HUBCTL" --no-color apply --all "live/$ENV_NAME" \
        --queue-exclude-dir '**/argocd' --auto-approve)
}

echo "warm-up (untimed) ..." >&2
warm_up
echo "hubctl --all ..." >&2
hubctl_all
echo "hubctl per unit ..." >&2
hubctl_per_unit
TF_NOOP=""
if [[ $USE_TERRAFORM -eq 1 ]]; then
    echo "terraform unit by unit ..." >&2
    terraform_per_unit
fi

render_table() {
    awk -F'\t' '
    { s[$2, $1] = $3; rq[$2, $1] = $4 }
    function cell(p, w) { return ((p, w) in s) ? sprintf("%.3f s, %d req", s[p, w], rq[p, w]) : "-" }
    function ratio(p, w) { return ((p, w) in s && (p, "hubctl --all") in s && s[p, "hubctl --all"] > 0) ? sprintf("%.1fx", s[p, w] / s[p, "hubctl --all"]) : "-" }
    END {
        print "| phase | hubctl --all | hubctl per unit | terraform unit by unit | per unit / --all | terraform / --all |"
        print "|---|---:|---:|---:|---:|---:|"
        n = split("plan apply noop-plan", ph, " ")
        for (i = 1; i <= n; i++) {
            p = ph[i]
            printf "| %s | %s | %s | %s | %s | %s |\n", p, cell(p, "hubctl --all"), cell(p, "hubctl per unit"), cell(p, "terraform"), ratio(p, "hubctl per unit"), ratio(p, "terraform")
        }
    }' "$RESULTS"
}

table=$(render_table)
printf '%s\n' "$table"
mkdir -p "$(dirname "$OUT")"
{
    report_header "hubctl live/ benchmark" "benches/live.sh $ORIG_ARGS"
    echo "- moto: $("${HUBCTL_PYTHON:-python3}" -c 'import moto; print(moto.__version__)' 2>/dev/null || echo unknown), reset before each way"
    echo "- tree: config/ + live/$ENV_NAME + modules/ unmodified, units ${UNITS[*]} (argocd left out: its provider needs a real cluster); each unit's state its own encrypted S3 object"
    echo "- wall time of each phase (the sum of its commands), and the requests moto served meanwhile"
    echo
    printf '%s\n' "$table"
    echo
    echo "Terraform cannot plan the never-applied environment unit by unit without mock outputs (a dependent's inputs need its dependencies' outputs); hubctl plans it with them known after apply."
    [[ -z $TF_NOOP ]] || echo "Terraform's no-op plans, by their Plan line (count and line): $TF_NOOP. moto echoes EKS settings the Terraform provider diffs on (see results/hub.md)."
} >"$OUT"
echo "table written to $OUT" >&2
