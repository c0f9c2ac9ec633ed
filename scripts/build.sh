#!/usr/bin/env bash
# `make build`: every function of template.yaml for Lambda (provided.al2023, arm64, release),
# into target/lambda/<binary>/bootstrap. The binaries are the template's (`Binary:`), so what is
# built is what is deployed. zig, from the cargo-lambda package, cross-links for arm64.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_python_tools build
export PATH="$VENV/bin:$PATH"
bins=()
while read -r binary; do bins+=(--bin "$binary"); done < <(sed -n 's/^ *Binary: *//p' template.yaml)
echo "building ${#bins[@]} arguments for $(( ${#bins[@]} / 2 )) functions"
cargo lambda build --release --arm64 "${bins[@]}" "$@"
