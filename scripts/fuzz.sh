#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS-PER-TARGET] [TARGET...]: builds the fuzz targets of fuzz/ and runs
# each for a bounded time (default 60 s), one at a time in one process (libFuzzer without
# -jobs/-workers uses one core; -jobs=1 would fork a child and log to a file instead), from the seed corpus of
# scripts/fuzz-corpus.sh. Fails if any target crashed, hung past 10 s on one input or went
# over 2 GB; the input that did it is left in fuzz/artifacts/<target>/ (replay it with
# `cargo +nightly fuzz run --dev --sanitizer none <target> <file>`). Not part of scripts/test.sh: it needs nightly.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
secs="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(hcl state planfile live)
"$root/scripts/fuzz-install.sh" >/dev/null
"$root/scripts/fuzz-corpus.sh"
# Its own target dir: nightly with coverage instrumentation shares nothing with the workspace build.
export CARGO_TARGET_DIR="${HUBCTL_FUZZ_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hubctl/fuzz-target}"
# No AddressSanitizer: hubctl's crates forbid unsafe code, so what a fuzzer finds here is a
# panic, a stack overflow, a hang or runaway memory, which libFuzzer catches by itself.
cargo +nightly fuzz build --dev --sanitizer none
bin="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/debug"
failed=()
for t in "${targets[@]}"; do
  mkdir -p "fuzz/artifacts/$t"
  log="fuzz/artifacts/$t/last-run.log"
  echo "fuzz: $t for ${secs}s"
  dict=()
  [ -f "fuzz/dicts/$t.dict" ] && dict=(-dict="fuzz/dicts/$t.dict")
  # The built binary, not `cargo fuzz run`, which would rebuild when the tree changed.
  if "$bin/$t" "fuzz/corpus/$t" "${dict[@]}" -artifact_prefix="fuzz/artifacts/$t/" \
      -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^Done' "$log" | tr '\n' ' '; echo
  else
    echo "fuzz: $t FAILED, see $log:"
    grep -E 'panicked at|ERROR: libFuzzer|SUMMARY|Test unit written' "$log" | head -5
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]}"
  exit 1
fi
echo "fuzz: no crash in ${targets[*]}"
