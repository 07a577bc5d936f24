#!/usr/bin/env bash
# The local AWS emulator (moto server) on 127.0.0.1:
#   scripts/moto.sh start    install moto[server] into the cache folder's virtualenv if missing
#                            (scripts/venv.sh), start it on a free port, wait until it answers,
#                            print `export AWS_ENDPOINT_URL=...` lines (also in $RUN/env.sh)
#   scripts/moto.sh stop     stop exactly the process started (by its recorded PID)
#   scripts/moto.sh reset    wipe the emulator's state (POST /moto-api/reset)
#   scripts/moto.sh env      print the env.sh of the running emulator
set -euo pipefail
RUN=${HUBCTL_MOTO_RUN:-/tmp/hubctl-moto}
mkdir -p "$RUN"
log() { echo "moto.sh: $*" >&2; }
# shellcheck source=scripts/venv.sh
. "$(dirname "$0")/venv.sh"

free_port() {
  "$HUBCTL_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# An HTTP request to the emulator with the venv's Python (no curl needed); fails on non-2xx.
http() { # METHOD URL
  "${HUBCTL_PYTHON:-$HUBCTL_VENV/bin/python}" -c 'import sys, urllib.request as u
u.urlopen(u.Request(sys.argv[2], method=sys.argv[1], data=b"" if sys.argv[1] == "POST" else None), timeout=5).read()' "$1" "$2"
}

ours() { # PID is alive and is a moto server
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null && tr '\0' ' ' < "/proc/$1/cmdline" | grep -q moto
}

start() {
  if [ -f "$RUN/env.sh" ]; then
    # shellcheck disable=SC1091
    . "$RUN/env.sh"
    if ours "${MOTO_PID:-}"; then log "already running at $AWS_ENDPOINT_URL"; cat "$RUN/env.sh"; return 0; fi
  fi
  hubctl_venv
  local port pid
  port=$(free_port)
  MOTO_IAM_LOAD_MANAGED_POLICIES=${MOTO_IAM_LOAD_MANAGED_POLICIES:-true} \
    "$HUBCTL_PYTHON" "$(dirname "$0")/moto_server.py" -H 127.0.0.1 -p "$port" > "$RUN/moto.log" 2>&1 &
  pid=$!
  for _ in $(seq 150); do
    if http GET "http://127.0.0.1:$port/moto-api/data.json" 2>/dev/null; then
      cat > "$RUN/env.sh" <<EOT
export AWS_ENDPOINT_URL=http://127.0.0.1:$port
export MOTO_PID=$pid
export AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=\${AWS_ACCESS_KEY_ID:-test}
export AWS_SECRET_ACCESS_KEY=\${AWS_SECRET_ACCESS_KEY:-test}
export AWS_REGION=\${AWS_REGION:-us-east-1}
export HUBCTL_PYTHON=$HUBCTL_PYTHON
EOT
      log "moto is up at http://127.0.0.1:$port (pid $pid)"
      cat "$RUN/env.sh"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  tail -20 "$RUN/moto.log" >&2
  kill "$pid" 2>/dev/null || true
  log "moto did not start"; return 1
}

stop() {
  [ -f "$RUN/env.sh" ] || return 0
  # shellcheck disable=SC1091
  . "$RUN/env.sh"
  if ours "${MOTO_PID:-}"; then
    kill "$MOTO_PID"
    for _ in $(seq 50); do kill -0 "$MOTO_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$MOTO_PID" 2>/dev/null || true
    log "stopped (pid $MOTO_PID)"
  fi
  rm -f "$RUN/env.sh"
}

reset() {
  [ -f "$RUN/env.sh" ] || { log "not running (no $RUN/env.sh): run scripts/moto.sh start"; return 1; }
  # shellcheck disable=SC1091
  . "$RUN/env.sh"
  http POST "$AWS_ENDPOINT_URL/moto-api/reset" && log "state reset"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  reset) reset ;;
  env) cat "$RUN/env.sh" ;;
  *) echo "usage: $0 start|stop|reset|env" >&2; exit 2 ;;
esac
