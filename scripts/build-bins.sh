#!/usr/bin/env bash
# Every function binary links (what `cargo lambda build` compiles; clippy stops short of codegen).
# A dozen binaries at a time. With LEAN_DISK=1 (.ci/run sets it) each dozen is deleted once
# linked: the 100-odd debug binaries are about 5 GB together, more than the rest of `make test`
# writes, and a CI machine's disk may be small. Locally they stay, so a second run links nothing.
# Same compiler work as one `cargo build --workspace --bins`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

target="${CARGO_TARGET_DIR:-target}/debug"
linked=0
# `--workspace` with `--bin` filters resolves features as the whole workspace's build does, so
# every dozen reuses the same compiled dependencies.
while read -r bins; do
  args=()
  for bin in $bins; do args+=(--bin "$bin"); done
  cargo build --quiet --workspace "${args[@]}"
  for bin in $bins; do
    [[ -x "$target/$bin" ]] || { echo "cargo built no $target/$bin" >&2; exit 1; }
    if [[ "${LEAN_DISK:-}" == 1 ]]; then
      rm -f "$target/$bin"
      find "$target/deps" -maxdepth 1 -type f -name "${bin//-/_}-????????????????" -delete
    fi
    linked=$((linked + 1))
  done
done < <(cargo metadata --format-version 1 --no-deps | python3 -c '
import json, sys
bins = sorted(t["name"] for p in json.load(sys.stdin)["packages"] for t in p["targets"] if "bin" in t["kind"])
for i in range(0, len(bins), 12):
    print(*bins[i:i + 12])
')
echo "$linked binaries linked"
