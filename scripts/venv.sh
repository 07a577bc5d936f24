# Sourced by moto.sh and test.sh: the Python that runs moto, the local AWS emulator.
#
# moto[server] goes into a virtualenv under the cache folder, never into the system Python
# (Debian 12's /usr/bin/python3 is "externally managed" and refuses `pip install`).
# `hubctl_venv` creates it on first use and sets HUBCTL_PYTHON to its interpreter, which the
# Rust integration tests also use (tests/it/moto.rs).

HUBCTL_VENV=${HUBCTL_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/hubctl/venv}
HUBCTL_MOTO_REQ=${HUBCTL_MOTO_REQ:-moto[server]>=5,<6}

venv_die() {
  echo "error: $*" >&2
  exit 1
}

# Creates the venv with the first python3 on PATH. Debian ships ensurepip in python3-venv:
# without it, `virtualenv` is tried; else the message says what to install (no sudo here).
venv_create() {
  command -v python3 >/dev/null 2>&1 ||
    venv_die "python3 not found: install Python 3.9 or newer (Debian/Ubuntu: apt-get install python3 python3-venv)"
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 9))' ||
    venv_die "$(python3 --version 2>&1) is too old for moto 5: Python 3.9 or newer is needed"
  rm -rf "$HUBCTL_VENV"
  mkdir -p "$(dirname "$HUBCTL_VENV")"
  echo "creating a Python virtualenv for moto at $HUBCTL_VENV" >&2
  if python3 -m venv "$HUBCTL_VENV" >/dev/null 2>&1; then return 0; fi
  rm -rf "$HUBCTL_VENV"
  if python3 -m virtualenv --quiet "$HUBCTL_VENV" >/dev/null 2>&1; then return 0; fi
  rm -rf "$HUBCTL_VENV"
  venv_die "cannot create a virtualenv: '$(command -v python3) -m venv' needs ensurepip (Debian/Ubuntu: apt-get install python3-venv), or install virtualenv (pip install --user virtualenv)"
}

# Sets HUBCTL_PYTHON to a Python that can import moto.server, installing it when needed.
hubctl_venv() {
  local py="$HUBCTL_VENV/bin/python"
  if "$py" -c 'import moto.server, flask' >/dev/null 2>&1; then
    export HUBCTL_PYTHON="$py"
    return 0
  fi
  # A venv whose interpreter no longer runs (Python upgraded or removed) is made anew.
  "$py" -c '' >/dev/null 2>&1 || venv_create
  echo "installing $HUBCTL_MOTO_REQ into $HUBCTL_VENV" >&2
  "$py" -m pip install --quiet "$HUBCTL_MOTO_REQ" >&2 ||
    venv_die "pip could not install $HUBCTL_MOTO_REQ into $HUBCTL_VENV (is the package index reachable?)"
  "$py" -c 'import moto.server, flask' >/dev/null 2>&1 ||
    venv_die "moto.server still does not import from $py after installing"
  export HUBCTL_PYTHON="$py"
}
