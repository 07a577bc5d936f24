#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds from the repository (not committed: see
# fuzz/.gitignore): every .tf for `hcl`, every Terragrunt .hcl for `live`, the state
# fixtures for `state`, and fuzz/seeds/planfile for `planfile`. Files are named by content
# hash, so running it again adds nothing twice and keeps what the fuzzer found.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$root/fuzz/corpus"
seed() { # seed TARGET FILE...
  local target="$1"; shift
  mkdir -p "$corpus/$target"
  for f in "$@"; do
    [ -f "$f" ] || continue
    # libFuzzer's default -max_len is 4096 bytes unless seeds are longer; keep seeds small
    # enough that it stays within a few kB per input.
    [ "$(wc -c <"$f")" -le 65536 ] || continue
    cp "$f" "$corpus/$target/$(sha1sum "$f" | cut -c1-16)"
  done
}
cd "$root"
mapfile -t tf < <(find modules examples tests/fixtures live -name '*.tf' -type f | sort)
mapfile -t hcl < <(find live tests/fixtures examples -name '*.hcl' -type f | sort)
mapfile -t st < <(find state-fixtures tests/fixtures -type f \( -name '*.json' -o -name '*.tfstate' -o -name '*.hubstate' \) | sort)
mapfile -t plans < <(find fuzz/seeds/planfile -type f | sort)
seed hcl "${tf[@]}"
seed live "${hcl[@]}"
seed state "${st[@]}"
seed planfile "${plans[@]}" "${st[@]}"
for t in hcl live state planfile; do
  echo "fuzz/corpus/$t: $(find "$corpus/$t" -type f | wc -l) inputs"
done
