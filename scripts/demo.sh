#!/usr/bin/env bash
# The local demo: builds hubctl, then plans, applies, prints outputs, shows that a second
# plan has nothing to do, and cleans up — on examples/quickstart, in a scratch copy.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME}/.cache/hubctl/target}"
export AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1

cargo build --quiet --locked
hubctl="$CARGO_TARGET_DIR/debug/hubctl"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r examples/quickstart/. "$work/"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
step hubctl validate; "$hubctl" validate "$work"
step hubctl plan; "$hubctl" plan "$work"
step hubctl apply --auto-approve; "$hubctl" apply "$work" --auto-approve
step hubctl output; "$hubctl" output --dir "$work"
step "hubctl plan --detailed-exitcode   # nothing left to do: exit 0"
"$hubctl" plan "$work" --detailed-exitcode >/dev/null && echo "exit 0: no changes"
step 'hubctl plan --var environment=prod   # an input change'
"$hubctl" plan "$work" --var environment=prod | sed -n '/will perform/,$p'
step hubctl destroy --auto-approve; "$hubctl" destroy "$work" --auto-approve | tail -n 2
