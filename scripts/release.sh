#!/usr/bin/env bash
# A release of hubctl that a pipeline can fetch, check and pin:
#   scripts/release.sh [OUT_DIR]                  build (cargo --release, stripped) and package
#   scripts/release.sh --package BIN [OUT_DIR]    package an already built binary
# writes OUT_DIR (default dist/) / hubctl_<version>_<platform>.tar.gz, holding hubctl,
# README.md and docs/, and hubctl_<version>_SHA256SUMS, as Terraform's releases name them.
# The tarball is reproducible: sorted entries, owner 0, mtimes and gzip header from the
# commit's date (SOURCE_DATE_EPOCH), so the same commit gives the same checksum.
set -euo pipefail
cd "$(dirname "$0")/.."
die() { echo "release.sh: $*" >&2; exit 1; }

bin=
if [ "${1:-}" = "--package" ]; then
  bin=${2:?--package needs the binary}; shift 2
fi
out=${1:-dist}
if [ -z "$bin" ]; then
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${HOME}/.cache/hubctl/target-release}
  cargo build --release --locked --bin hubctl
  bin=$CARGO_TARGET_DIR/release/hubctl
fi
[ -x "$bin" ] || die "no executable at $bin"

json=$("$bin" version -json)
field() { printf '%s' "$json" | sed -n "s/.*\"$1\": *\"\\([^\"]*\\)\".*/\\1/p"; }
version=$(field hubctl_version); platform=$(field platform)
[ -n "$version" ] && [ -n "$platform" ] || die "cannot read the version from: $json"
name=hubctl_${version}_${platform}
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name"
cp "$bin" "$stage/$name/hubctl"
cp README.md "$stage/$name/"
cp -r docs "$stage/$name/"
mkdir -p "$out"
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
  -cf - "$name" | gzip -9 -n > "$out/$name.tar.gz"
(cd "$out" && sha256sum "$name.tar.gz" > "hubctl_${version}_SHA256SUMS")
echo "$out/$name.tar.gz"
echo "$out/hubctl_${version}_SHA256SUMS"
