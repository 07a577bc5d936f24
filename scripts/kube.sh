#!/usr/bin/env bash
# A real Kubernetes API server on 127.0.0.1 for the kubernetes provider's tests and the demo.
# No container runtime or prebuilt Kubernetes binary is needed: kube-apiserver and
# kube-controller-manager (v1.20.2) are built offline from Debian bookworm's `kubernetes` source
# package and its vendor tree, with Debian's Go, and etcd is Debian's etcd-server.
#
#   scripts/kube.sh build   build the binaries into $KUBE_CACHE (reused when present: a fresh
#                           machine pays ~6 min once; KUBE_REBUILD=1 forces a rebuild)
#   scripts/kube.sh start   build if needed, then start etcd + apiserver + controller-manager on
#                           free loopback ports (token auth, RBAC); prints export lines (env.sh)
#   scripts/kube.sh stop    stop exactly the processes started (by their recorded PIDs)
#   scripts/kube.sh env     print the env.sh of the running server
#
# With KUBE_STOP_WITH_PID set, `start` also leaves a watcher that stops the servers when that
# process exits, and removes its run folder (the integration tests start one cluster per
# run this way).
# env.sh exports KUBE_API, KUBE_TOKEN, KUBE_CA, KUBECONFIG and the three PIDs.
set -euo pipefail

REV=1 # bump when the build steps change: invalidates cached binaries
WORK=${KUBE_WORK:-$HOME/.cache/hubctl/kube}   # outside the clone, like the cargo target folder
CACHE=${KUBE_CACHE:-$WORK/bin}
RUN=${HUBCTL_KUBE_RUN:-/tmp/hubctl-kube}
TOKEN=${KUBE_TOKEN:-hubctl-test-token-$(id -u)}
WHAT="cmd/kube-apiserver cmd/kube-controller-manager"

log() { printf 'kube.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# A private apt configuration for the deb-src index; the system's sources and caches stay as
# they are (binary packages come from the system's own sources).
APTDIR=$WORK/apt
APTOPT=(-o "Dir::Etc::SourceList=$APTDIR/sources.list" -o "Dir::Etc::SourceParts=$APTDIR/sources.list.d"
        -o "Dir::State::Lists=$APTDIR/lists" -o "Dir::Cache=$APTDIR/cache" -o "APT::Sandbox::User=root")

missing_pkgs() { local p; for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"; done; }
apt_install() { # installs those of "$@" that are missing (needs root)
  local missing; missing=$(missing_pkgs "$@"); [ -n "$missing" ] || return 0
  log "apt-get install" $missing
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

src_index() { # the deb-src lines for the Debian archives this machine's apt already uses
  mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/sources.list.d"
  local uris u
  uris=$({ cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true; } |
    grep -oE '(URIs:[[:space:]]*|deb[[:space:]]+(\[[^]]*\][[:space:]]+)?)[a-z]+://[^[:space:]]+' |
    grep -oE '[a-z]+://[^[:space:]]+' | sort -u || true)
  [ -n "$uris" ] || die "no Debian archive in this machine's apt sources"
  : >"$APTDIR/sources.list"
  for u in $uris; do
    case $u in *security*) s=bookworm-security ;; *) s=bookworm ;; esac
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $u $s main" >>"$APTDIR/sources.list"
  done
  apt-get "${APTOPT[@]}" update -qq
  SRCVER=$(apt-cache "${APTOPT[@]}" showsrc kubernetes | awk '/^Version:/{print $2; exit}')
  [ -n "$SRCVER" ] || die "no deb-src for kubernetes"
}

fetch_source() { # -> SRCDIR, unpacked with Debian's patches
  mkdir -p "$WORK/src"
  SRCDIR=$(ls -d "$WORK"/src/kubernetes-*/ 2>/dev/null | head -n1 || true); SRCDIR=${SRCDIR%/}
  [ -n "$SRCDIR" ] && [ "$(cat "$SRCDIR/.hubctl-unpacked" 2>/dev/null)" = "$SRCVER" ] && return 0
  rm -rf "$WORK"/src/kubernetes[-_]*
  log "apt-get source kubernetes=$SRCVER (34 MB)"
  (cd "$WORK/src" && apt-get "${APTOPT[@]}" source -qq "kubernetes=$SRCVER" >/dev/null)
  SRCDIR=$(ls -d "$WORK"/src/kubernetes-*/ | head -n1); SRCDIR=${SRCDIR%/}
  echo "$SRCVER" >"$SRCDIR/.hubctl-unpacked"
}

# The vendored modern-go/reflect2 1.0.1 crashes an apiserver built with Go >= 1.18 on the first
# ConfigMap or CRD (while /readyz stays green): replace it with Debian's 1.0.2.
fix_vendor() {
  [ -f "$SRCDIR/.hubctl-vendor-fixed" ] && return 0
  local d=$WORK/debs m=github.com/modern-go/reflect2
  rm -rf "$d"; mkdir -p "$d"
  (cd "$d" && apt-get -o APT::Sandbox::User=root download -qq golang-github-modern-go-reflect2-dev &&
   dpkg-deb -x ./*.deb x)
  [ -d "$d/x/usr/share/gocode/src/$m" ] || die "no $m in golang-github-modern-go-reflect2-dev"
  log "vendor: $m 1.0.1 -> $(dpkg-deb -f "$d"/*.deb Version)"
  rm -rf "${SRCDIR:?}/vendor/$m"; mkdir -p "$SRCDIR/vendor/$m"
  find "$d/x/usr/share/gocode/src/$m" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' -o -name go.mod -o -name 'LICENSE*' \) \
    ! -name '*_test.go' -exec cp {} "$SRCDIR/vendor/$m/" \;
  sed -i "s#$m v1.0.1#$m v1.0.2#g" "$SRCDIR/go.mod" "$SRCDIR/vendor/modules.txt"
  touch "$SRCDIR/.hubctl-vendor-fixed"
}

have_binaries() {
  [ "${KUBE_REBUILD:-0}" != 1 ] && grep -qs "^rev=$REV " "$CACHE/STAMP" || return 1
  local b; for b in $WHAT; do [ -x "$CACHE/${b#cmd/}" ] || return 1; done
}

build() {
  if have_binaries; then log "using $CACHE ($(cat "$CACHE/STAMP"))"; return 0; fi
  apt_install golang-go rsync dpkg-dev xz-utils make gcc ca-certificates
  src_index; fetch_source; fix_vendor
  log "make WHAT=\"$WHAT\" (about 6 min on 2 cores)"
  local t0=$SECONDS b
  # hack/lib/golang.sh keeps its Go cache in the source tree: rebuilds reuse it.
  (cd "$SRCDIR" && env GOPROXY=off GOFLAGS=-mod=vendor GOTOOLCHAIN=local make WHAT="$WHAT")
  mkdir -p "$CACHE"
  for b in $WHAT; do cp "$SRCDIR/_output/bin/${b#cmd/}" "$CACHE/"; done
  echo "rev=$REV kubernetes=$SRCVER $(go version | awk '{print $3}') built_in=$((SECONDS - t0))s" >"$CACHE/STAMP"
  log "built in $((SECONDS - t0)) s"
}

free_port() { # a TCP port nobody listens on at 127.0.0.1
  local p; for _ in $(seq 200); do
    p=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done; die "no free port"
}
ours() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q -- "$2"; }
ready() { curl -fsS --cacert "$RUN/certs/apiserver.crt" -H "Authorization: Bearer $TOKEN" "$1/readyz" 2>/dev/null | grep -qx ok; }

start_etcd() { # -> ETCD_PORT ETCD_PID
  # A port found free can be taken before etcd binds it, and a loaded machine starts etcd
  # slowly: up to 3 attempts on fresh ports, each given 30 s to turn healthy.
  local pp attempt
  for attempt in 1 2 3; do
    ETCD_PORT=$(free_port); pp=$(free_port)
    while [ "$pp" = "$ETCD_PORT" ]; do pp=$(free_port); done
    rm -rf "$RUN/etcd"
    etcd --name hubctl --data-dir "$RUN/etcd" \
      --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
      --listen-peer-urls "http://127.0.0.1:$pp" --initial-advertise-peer-urls "http://127.0.0.1:$pp" \
      --initial-cluster "hubctl=http://127.0.0.1:$pp" --initial-cluster-state new \
      --logger zap --log-level warn >"$RUN/etcd.log" 2>&1 &
    ETCD_PID=$!
    for _ in $(seq 300); do
      kill -0 "$ETCD_PID" 2>/dev/null || break
      curl -fsS "http://127.0.0.1:$ETCD_PORT/health" 2>/dev/null | grep -q true && return 0
      sleep 0.1
    done
    kill "$ETCD_PID" 2>/dev/null || true
    log "etcd attempt $attempt did not turn healthy:"; tail -5 "$RUN/etcd.log" >&2
  done
  die "etcd not healthy after 3 attempts, see $RUN/etcd.log"
}

start_apiserver() { # -> API API_PID
  local ap; ap=$(free_port)
  while [ "$ap" = "$ETCD_PORT" ]; do ap=$(free_port); done
  API=https://127.0.0.1:$ap
  "$CACHE/kube-apiserver" --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$ap" --cert-dir="$RUN/certs" \
    --token-auth-file="$RUN/tokens.csv" --authorization-mode=RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$RUN/sa.pub" --service-account-signing-key-file="$RUN/sa.key" \
    --service-cluster-ip-range=10.0.0.0/24 --endpoint-reconciler-type=none \
    --logtostderr=true --v=1 >"$RUN/apiserver.log" 2>&1 &
  API_PID=$!
  for _ in $(seq 600); do
    kill -0 "$API_PID" 2>/dev/null || break
    [ -s "$RUN/certs/apiserver.crt" ] && ready "$API" && return 0
    sleep 0.1
  done
  tail -20 "$RUN/apiserver.log" >&2; kill "$API_PID" "$ETCD_PID" 2>/dev/null || true
  die "apiserver not ready, see $RUN/apiserver.log"
}

write_kubeconfig() {
  cat >"$RUN/kubeconfig" <<EOT
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: $API
    certificate-authority-data: $(base64 -w0 <"$RUN/certs/apiserver.crt")
users:
- name: admin
  user:
    token: $TOKEN
contexts:
- name: local
  context: {cluster: local, user: admin, namespace: default}
current-context: local
EOT
  chmod 600 "$RUN/kubeconfig"
}

start() {
  build
  # lua5.4: the bootstrap test runs argocd-cm's Application health check (Lua) with it.
  apt_install etcd-server curl openssl lua5.4
  if [ -f "$RUN/env.sh" ]; then
    # shellcheck disable=SC1091
    . "$RUN/env.sh"
    if ours "${APISERVER_PID:-}" kube-apiserver && ours "${ETCD_PID:-}" etcd; then
      log "already running at $KUBE_API"; cat "$RUN/env.sh"; return 0; fi
    stop
  fi
  mkdir -p "$RUN/certs"
  local t0=$SECONDS cm_pid
  [ -s "$RUN/sa.key" ] || openssl genrsa -out "$RUN/sa.key" 2048 2>/dev/null
  openssl rsa -in "$RUN/sa.key" -pubout -out "$RUN/sa.pub" 2>/dev/null
  # a static token whose user is in system:masters: cluster admin under RBAC
  echo "$TOKEN,admin,admin,system:masters" >"$RUN/tokens.csv"; chmod 600 "$RUN/tokens.csv" "$RUN/sa.key"
  start_etcd
  start_apiserver
  write_kubeconfig
  # The controller-manager finalises deleted namespaces (else they stay Terminating) and runs
  # the Deployment controller.
  "$CACHE/kube-controller-manager" --kubeconfig="$RUN/kubeconfig" --leader-elect=false --port=0 --secure-port=0 \
    --service-account-private-key-file="$RUN/sa.key" --root-ca-file="$RUN/certs/apiserver.crt" \
    --use-service-account-credentials=false --controllers='*,-nodeipam,-nodelifecycle' \
    --logtostderr=true --v=1 >"$RUN/controller-manager.log" 2>&1 &
  cm_pid=$!
  cat >"$RUN/env.sh" <<EOT
export KUBE_API=$API
export KUBE_TOKEN=$TOKEN
export KUBE_CA=$RUN/certs/apiserver.crt
export KUBECONFIG=$RUN/kubeconfig
export ETCD_PID=$ETCD_PID
export APISERVER_PID=$API_PID
export CONTROLLER_MANAGER_PID=$cm_pid
EOT
  if [ -n "${KUBE_STOP_WITH_PID:-}" ]; then
    # setsid + closed descriptors: the watcher must not keep the caller's pipes open.
    setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; HUBCTL_KUBE_RUN="$3" "$2" stop; rm -rf "$3"' \
      _ "$KUBE_STOP_WITH_PID" "$(realpath "$0")" "$RUN" </dev/null >/dev/null 2>&1 &
  fi
  log "ready at $API after $((SECONDS - t0)) s (pids: etcd $ETCD_PID, apiserver $API_PID, controller-manager $cm_pid)"
  cat "$RUN/env.sh"
}

stop() { # kills exactly the recorded PIDs, controller-manager and apiserver before etcd
  [ -f "$RUN/env.sh" ] || return 0
  # shellcheck disable=SC1091
  . "$RUN/env.sh"
  local e p pat
  for e in "${CONTROLLER_MANAGER_PID:-}:kube-controller-manager" "${APISERVER_PID:-}:kube-apiserver" "${ETCD_PID:-}:etcd"; do
    p=${e%%:*}; pat=${e#*:}
    ours "$p" "$pat" || continue
    kill "$p"
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && kill -9 "$p"
  done
  rm -f "$RUN/env.sh"; log "stopped"
}

case "${1:-}" in
  build) build ;;
  start) start ;;
  stop) stop ;;
  env) cat "$RUN/env.sh" ;;
  *) echo "usage: $0 build|start|stop|env" >&2; exit 2 ;;
esac
