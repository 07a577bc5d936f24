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

die() { echo "error: $*" >&2; exit 1; }
command -v cargo >/dev/null 2>&1 ||
  die "cargo not found: install Rust with rustup (https://rustup.rs); rust-toolchain.toml selects the version"
# rust-toolchain.toml lists rustfmt and clippy; a toolchain installed without them says so here.
cargo fmt --version >/dev/null 2>&1 ||
  die "rustfmt is missing from the toolchain: rustup component add rustfmt"
cargo clippy --version >/dev/null 2>&1 ||
  die "clippy is missing from the toolchain: rustup component add clippy"
# The AWS integration tests start their own moto server (the local AWS emulator) with
# $HUBCTL_PYTHON: the virtualenv under the cache folder, created on first use.
# shellcheck source=scripts/venv.sh
. scripts/venv.sh
hubctl_venv
echo "== moto: $("$HUBCTL_PYTHON" -c 'import moto; print(moto.__version__)') ($HUBCTL_PYTHON)"

# The kubernetes tests run against a real kube-apiserver built from Debian's source: built
# once into ~/.cache/hubctl/kube (about 6 min on 2 idle cores), reused afterwards.
echo "== kube-apiserver (scripts/kube.sh build)"
bash scripts/kube.sh build

# The `show --html` test opens the page in headless Chromium (Debian's package).
echo "== chromium (scripts/chromium.sh)"
HUBCTL_CHROMIUM=$(bash scripts/chromium.sh)
export HUBCTL_CHROMIUM

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== the kubernetes provider leaves the AWS SDK's features alone"
bash scripts/feature-unification.sh
echo "== engine functions under 80 lines"
"$HUBCTL_PYTHON" scripts/long-functions.py crates/core/src
echo "== cargo test"
cargo test --workspace --locked
echo "== all checks passed"
