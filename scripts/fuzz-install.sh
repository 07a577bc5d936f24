#!/usr/bin/env bash
# Installs what scripts/fuzz.sh needs: a nightly toolchain (libFuzzer's instrumentation needs
# -Z flags) and cargo-fuzz. Idempotent: does nothing when both are present.
set -euo pipefail
if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo +nightly install cargo-fuzz --locked
fi
cargo +nightly fuzz --version
