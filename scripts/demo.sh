#!/usr/bin/env bash
# The local demo: the AWS emulator (moto) up on 127.0.0.1, then the whole hub (examples/hub →
# modules/hub: the network, the KMS key, EKS with its node group and OIDC provider, one IRSA
# role per controller) planned, applied, its outputs printed, a second plan showing nothing
# left to do, and everything destroyed again. Then a real Kubernetes API
# server (scripts/kube.sh: built once, ~6 min) and the ArgoCD bootstrap
# (examples/argocd-bootstrap → modules/argocd-bootstrap) in one plan and one apply, with
# the cluster's address known only after apply. Runs in a scratch copy.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME}/.cache/hubctl/target}"
# Talk only to the local emulator: static dummy credentials, no instance-metadata probing.
export AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN

command -v cargo >/dev/null 2>&1 || {
  echo "error: cargo not found: install Rust with rustup (https://rustup.rs)" >&2
  exit 1
}
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

echo "building hubctl (the first build takes a while: the AWS SDK is large)..."
cargo build --quiet --locked -p hubctl
hubctl="$CARGO_TARGET_DIR/debug/hubctl"

export HUBCTL_MOTO_RUN
HUBCTL_MOTO_RUN=$(mktemp -d)
work=$(mktemp -d)
export HUBCTL_KUBE_RUN
HUBCTL_KUBE_RUN=$(mktemp -d)
cleanup() {
  bash "$repo/scripts/moto.sh" stop >/dev/null 2>&1 || true
  bash "$repo/scripts/kube.sh" stop >/dev/null 2>&1 || true
  rm -rf "$work" "$HUBCTL_MOTO_RUN" "$HUBCTL_KUBE_RUN"
}
trap cleanup EXIT
bash scripts/moto.sh start >/dev/null
# shellcheck disable=SC1091
. "$HUBCTL_MOTO_RUN/env.sh"
echo "AWS emulator (moto) at $AWS_ENDPOINT_URL"

mkdir -p "$work/modules" "$work/examples"
for m in vpc kms eks iam-irsa controller-roles hub; do cp -r "modules/$m" "$work/modules/"; done
cp -r examples/hub "$work/examples/"
root="$work/examples/hub"

step hubctl validate; "$hubctl" validate "$root"
step "hubctl plan   # one line per resource here; the full plan shows every attribute"
"$hubctl" plan "$root" | grep -E "will be created|^Plan:"
step hubctl apply -auto-approve; "$hubctl" apply "$root" -auto-approve | sed -n '/^Apply complete/,$p'
step hubctl output; "$hubctl" output --dir "$root"
step "hubctl plan -detailed-exitcode   # nothing left to do: exit 0"
"$hubctl" plan "$root" -detailed-exitcode >/dev/null && echo "exit 0: no changes"
step hubctl destroy -auto-approve; "$hubctl" destroy "$root" -auto-approve | tail -n 2

echo
echo "starting a local Kubernetes API server (scripts/kube.sh; the first run builds it)..."
bash scripts/kube.sh start >/dev/null
# shellcheck disable=SC1091
. "$HUBCTL_KUBE_RUN/env.sh"
echo "kube-apiserver at $KUBE_API"
cp -r modules/argocd-bootstrap "$work/modules/"
cp -r examples/argocd-bootstrap "$work/examples/"
boot="$work/examples/argocd-bootstrap"
export TF_VAR_kube_api=$KUBE_API TF_VAR_kube_token=$KUBE_TOKEN TF_VAR_kube_ca_file=$KUBE_CA
step "hubctl plan   # the cluster's address is known only after apply: everything plans as a create"
"$hubctl" plan "$boot" | grep -E "will be created|^Plan:"
step hubctl apply -auto-approve; "$hubctl" apply "$boot" -auto-approve | sed -n '/^Apply complete/,$p'
step hubctl output; "$hubctl" output --dir "$boot"
step "hubctl plan -detailed-exitcode   # nothing left to do: exit 0"
"$hubctl" plan "$boot" -detailed-exitcode >/dev/null && echo "exit 0: no changes"
