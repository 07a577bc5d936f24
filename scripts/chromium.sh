#!/usr/bin/env bash
# Headless Chromium for the browser tests (`show --html`): Debian's `chromium` package,
# installed when missing (needs root, or sudo without a password). Prints the binary's path.
set -euo pipefail
log() { echo "chromium.sh: $*" >&2; }
for c in "${HUBCTL_CHROMIUM:-}" chromium chromium-browser; do
  if [ -n "$c" ] && command -v "$c" >/dev/null 2>&1; then command -v "$c"; exit 0; fi
done
if [ "$(id -u)" -eq 0 ]; then sudo=(); elif sudo -n true 2>/dev/null; then sudo=(sudo -n); else
  log "Chromium is missing and installing it needs root: apt-get install chromium"; exit 1
fi
log "apt-get install chromium"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium
