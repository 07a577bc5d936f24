#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit and integration tests. `.ci/run` calls this.
set -euo pipefail
cd "$(dirname "$0")/.."

# Reuse a build folder outside the clone (a cold build of the dependencies is slow on 2 cores).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME}/.cache/hubctl/target}"
mkdir -p "$CARGO_TARGET_DIR"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Tests talk only to 127.0.0.1; never let an SDK probe the instance-metadata address.
export AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust (https://rustup.rs) first" >&2
  exit 1
fi
rustup component add rustfmt clippy >/dev/null 2>&1 || true
# The AWS integration tests start their own moto server (the local AWS emulator).
if ! python3 -c 'import moto.server, flask' >/dev/null 2>&1; then
  echo "== installing moto[server] (the local AWS emulator)"
  python3 -m pip install --quiet 'moto[server]>=5,<6'
fi

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
echo "== all checks passed"
