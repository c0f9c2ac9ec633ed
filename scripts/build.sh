#!/usr/bin/env bash
# `make build`: every function of template.yaml for Lambda (provided.al2023, arm64, release),
# into target/lambda/<binary>/bootstrap. Uses zig from the cargo-lambda package to cross-link.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_python_tools build
export PATH="$VENV/bin:$PATH"
cargo lambda build --release --arm64 --workspace "$@"
