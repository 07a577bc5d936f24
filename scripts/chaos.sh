#!/usr/bin/env bash
# Crash safety, measured: the whole hub (examples/hub) applied against a local AWS emulator
# (moto, on a free 127.0.0.1 port, our own) while hubctl is SIGKILLed at random points and
# resumed, in rounds from an empty emulator, until --kills kills have landed. After each
# round's final apply (exit 0) and `plan -detailed-exitcode` (exit 0), every object of the
# services the hub uses (EC2, IAM, KMS, EKS) is compared with the state:
#   orphans     in the emulator, in no state entry (AWS's own defaults excepted)
#   duplicates  two objects tagged with one hubctl:address
#   lost        in the state, not in the emulator (or never finished)
#   misfiled    one object in two entries, or under an address its tag does not name
# Prints `kills: N  orphans: 0  duplicates: 0  lost: 0  misfiled: 0`; exits non-zero unless
# all are 0. The loop is scripts/chaos_driver.py, the inventory scripts/chaos_inventory.py.
#
#   scripts/chaos.sh [--seed N] [--kills N] [--keep]
#     --seed N   the RNG seed that picks the kill points (default 1)
#     --kills N  how many SIGKILLs land (default 50)
#     --keep     keep the scratch copy and every run's log (its path is printed)
#   HUBCTL_BIN=path uses that binary instead of building one (cargo build -p hubctl).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
seed=1 kills=50 keep=
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed=$2; shift 2 ;;
    --kills) kills=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--seed N] [--kills N] [--keep]" >&2; exit 2 ;;
  esac
done
case "$seed$kills" in *[!0-9]*) echo "error: --seed and --kills take whole numbers" >&2; exit 2 ;; esac

# Talk only to the local emulator: static dummy credentials, no instance-metadata probing.
export AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN

# shellcheck source=scripts/venv.sh
. scripts/venv.sh
hubctl_venv

hubctl=${HUBCTL_BIN:-}
if [ -z "$hubctl" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME}/.cache/hubctl/target}"
  echo "building hubctl..." >&2
  cargo build --quiet --locked -p hubctl
  hubctl="$CARGO_TARGET_DIR/debug/hubctl"
fi

export HUBCTL_MOTO_RUN
HUBCTL_MOTO_RUN=$(mktemp -d)
work=$(mktemp -d)
cleanup() {
  bash "$repo/scripts/moto.sh" stop >/dev/null 2>&1 || true
  rm -rf "$HUBCTL_MOTO_RUN"
  if [ -n "$keep" ]; then echo "kept: $work (logs in $work/logs)" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
bash scripts/moto.sh start >/dev/null
# shellcheck disable=SC1091
. "$HUBCTL_MOTO_RUN/env.sh"

mkdir -p "$work/modules" "$work/examples"
for m in vpc kms eks iam-irsa controller-roles hub; do cp -r "modules/$m" "$work/modules/"; done
cp -r examples/hub "$work/examples/"
rm -rf "$work/examples/hub/.hubctl"

"$HUBCTL_PYTHON" scripts/chaos_driver.py --hubctl "$hubctl" --root "$work/examples/hub" \
  --logs "$work/logs" --seed "$seed" --kills "$kills"
