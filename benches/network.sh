#!/usr/bin/env bash
# Network benchmark: hubctl vs Terraform on the hub network (examples/hub-network ->
# modules/vpc: 28 AWS resources and one data source) against private moto emulators.
# See benches/compare.sh for the method. Usage: benches/network.sh [--no-terraform]
# [--hubctl PATH] [--out FILE] [--keep]
set -euo pipefail
export BENCH_NAME=network BENCH_EXAMPLE=hub-network BENCH_MODULES=vpc BENCH_DESC="3 AZs"
exec bash "$(dirname "${BASH_SOURCE[0]}")/compare.sh" "$@"
