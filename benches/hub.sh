#!/usr/bin/env bash
# Hub benchmark: hubctl vs Terraform on the whole hub (examples/hub -> modules/hub: the network,
# KMS, IAM, EKS with its node group and OIDC provider, the IRSA roles) against private moto
# emulators, with hubctl's apply set against its critical path. See benches/compare.sh for the
# method. Usage: benches/hub.sh [--no-terraform] [--hubctl PATH] [--out FILE] [--keep]
set -euo pipefail
# Terraform's no-op plan on moto is not one (the issue's measurement, reproduced here):
export BENCH_TF_NOOP_MAY_CHANGE="moto drops accessConfig and updateConfig and echoes a remoteAccess nobody set, which the Terraform provider diffs on; hubctl's no-op plan exits 0 (its echo rules, crates/aws/src/managed/fields.rs)."
export BENCH_NAME=hub BENCH_EXAMPLE=hub BENCH_MODULES="hub vpc kms eks iam-irsa controller-roles" BENCH_DESC="3 AZs, EKS, 4 IRSA roles"
exec bash "$(dirname "${BASH_SOURCE[0]}")/compare.sh" "$@"
