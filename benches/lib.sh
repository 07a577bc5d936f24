#!/usr/bin/env bash
# What the benchmarks share (sourced by graph.sh, compare.sh and live.sh, which define `die`, HUBCTL
# and REPO_DIR): GNU time, the hubctl binary to measure, Terraform and the loopback environment.

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

# The AWS provider comes from a local filesystem mirror: `terraform init` must not download.
find_aws_mirror() {
    local dir
    for dir in "${TF_PLUGIN_MIRROR:-}" /opt/tf-plugins /usr/share/terraform/plugins \
        "$HOME/.terraform.d/plugins" "$HOME/.local/share/terraform/plugins"; do
        [[ -n $dir && -d $dir/registry.terraform.io/hashicorp/aws ]] && { echo "$dir"; return 0; }
    done
    dir=$(find / -maxdepth 8 -type d -path '*registry.terraform.io/hashicorp/aws' 2>/dev/null | head -n 1)
    [[ -n $dir ]] || return 1
    echo "${dir%/registry.terraform.io/hashicorp/aws}"
}

# Everything talks to the emulator on 127.0.0.1 with dummy keys: no profile, no instance
# metadata, no per-service endpoint overrides, no proxy, no registry or checkpoint calls.
# Writes Terraform's CLI config to $1: the provider mirror $MIRROR when USE_TERRAFORM=1.
loopback_env() {
    local rc=$1 var
    unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
    while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep -E '^AWS_ENDPOINT_URL_' || true)
    unset HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy
    export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
    export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
    export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
    unset TF_LOG TF_LOG_PATH TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_plan TF_CLI_ARGS_apply TF_CLI_ARGS_destroy
    unset HUBCTL_LOG
    export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=$rc
    if [[ ${USE_TERRAFORM:-0} -eq 1 ]]; then
        cat >"$TF_CLI_CONFIG_FILE" <<TFRC
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
TFRC
    else
        : >"$TF_CLI_CONFIG_FILE"
    fi
}

# Whether terraform and the AWS provider mirror are here; sets MIRROR, else USE_TERRAFORM=0.
find_terraform() {
    [[ ${USE_TERRAFORM:-0} -eq 1 ]] || return 0
    if ! command -v terraform >/dev/null 2>&1; then
        echo "terraform not on PATH: hubctl only" >&2
        USE_TERRAFORM=0
    elif ! MIRROR=$(find_aws_mirror); then
        echo "no filesystem mirror of registry.terraform.io/hashicorp/aws (set TF_PLUGIN_MIRROR): hubctl only" >&2
        USE_TERRAFORM=0
    fi
}

# The report's opening: title, how it was run, the machine and the versions measured.
# Uses HUBCTL, REPO_DIR, USE_TERRAFORM and MIRROR.
report_header() { # TITLE COMMAND_LINE
    echo "# $1"
    echo
    echo "Real run of \`$2\` on this machine, $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo
    [[ $HUBCTL != */debug/* ]] || echo "- hubctl is a debug build here (the dev profile: dependencies at opt-level 1, hubctl's own crates unoptimised); a release build is faster on the CPU-bound parts"
    echo "- machine: $(nproc) CPUs ($(uname -sm)), shared with other jobs; moto runs on the same CPUs"
    echo "- hubctl: $(cd "$REPO_DIR" && git describe --always --dirty 2>/dev/null || echo unknown) ($HUBCTL)"
    if [[ ${USE_TERRAFORM:-0} -eq 1 ]]; then
        echo "- terraform: $(terraform version | head -n 1), AWS provider $(find "$MIRROR/registry.terraform.io/hashicorp/aws" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)"
    else
        echo "- terraform: not run"
    fi
}

# The options every hubctl-vs-Terraform bench takes; sets USE_TERRAFORM, HUBCTL, OUT and KEEP.
# The caller defines `usage` and `die`.
parse_bench_args() {
    while [[ $# -gt 0 ]]; do
        case "$1" in
        --no-terraform) USE_TERRAFORM=0; shift ;;
        --hubctl) HUBCTL=${2:?--hubctl needs a path}; shift 2 ;;
        --hubctl=*) HUBCTL=${1#*=}; shift ;;
        --out) OUT=${2:?--out needs a path}; shift 2 ;;
        --out=*) OUT=${1#*=}; shift ;;
        --keep) KEEP=1; shift ;;
        --runs) RUNS=${2:?--runs needs a value}; shift 2 ;;
        --runs=*) RUNS=${1#*=}; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
        esac
    done
}
