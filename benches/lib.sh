#!/usr/bin/env bash
# What the benchmarks share (sourced by graph.sh and compare.sh, which define `die`, HUBCTL
# and REPO_DIR): GNU time, and the hubctl binary to measure.

ensure_gnu_time() {
    [[ -x /usr/bin/time ]] && return 0
    local sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    echo "installing GNU time (apt-get) ..." >&2
    if ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq time >/dev/null 2>&1; then
        "${sudo[@]}" apt-get update -qq >/dev/null 2>&1 || true
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq time >/dev/null 2>&1 ||
            die "could not install GNU time; install the 'time' package"
    fi
    [[ -x /usr/bin/time ]] || die "/usr/bin/time still missing after installing 'time'"
}

resolve_hubctl() {
    if [[ -n $HUBCTL ]]; then
        [[ -x $HUBCTL ]] || die "--hubctl '$HUBCTL' is not an executable"
        return 0
    fi
    if command -v cargo >/dev/null 2>&1; then
        local target=${CARGO_TARGET_DIR:-/work/target-bench}
        echo "building hubctl (release) into $target (the AWS SDK takes a while once) ..." >&2
        (cd "$REPO_DIR" && CARGO_TARGET_DIR=$target cargo build --release -q -p hubctl) ||
            die "cargo build --release -p hubctl failed"
        HUBCTL=$target/release/hubctl
    elif [[ -x $REPO_DIR/target/release/hubctl ]]; then
        HUBCTL=$REPO_DIR/target/release/hubctl
    else
        die "no hubctl: pass --hubctl PATH or install cargo"
    fi
    [[ -x $HUBCTL ]] || die "hubctl binary not found at $HUBCTL"
}
