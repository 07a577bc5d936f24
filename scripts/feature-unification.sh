#!/usr/bin/env bash
# Checks that the kubernetes provider leaves the AWS SDK's build alone: every crate of the
# HTTP/TLS stack has the same features in the hubctl binary (AWS + Kubernetes providers) as
# in hubctl-aws alone. A crate whose features grew would make cargo rebuild it and everything
# above it, the whole AWS SDK (~20 min on 2 cores), in every build folder.
set -euo pipefail
cd "$(dirname "$0")/.."
crates='^(rustls|hyper|hyper-util|hyper-rustls|tokio-rustls|tower|tokio|tracing|tracing-core|http|http-body|http-body-util|h2|bytes|rustls-native-certs|rustls-pki-types|rustls-webpki|aws-lc-rs|serde_json|base64) '
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
features() { # PACKAGE -> the stack's crates with their features, one a line
  cargo tree -e normal,build -f '{p} [{f}]' --prefix none -p "$1" >"$tmp/tree"
  sed 's/ (\*)$//; s/ (proc-macro)//' "$tmp/tree" | grep -E "$crates" | sort -u
}
aws=$(features hubctl-aws)
both=$(features hubctl)
if [ "$aws" != "$both" ]; then
  echo "feature sets differ between hubctl-aws alone (<) and the hubctl binary (>):" >&2
  diff <(echo "$aws") <(echo "$both") >&2 || true
  exit 1
fi
echo "same features for $(echo "$aws" | wc -l) HTTP/TLS crate versions in hubctl-aws and in hubctl"
