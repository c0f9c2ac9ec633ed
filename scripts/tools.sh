#!/usr/bin/env bash
# `make tools`: the local Lambda tools alone (cargo-lambda and the zig linker it brings) into
# ./.venv, without building any function; then `.venv/bin/cargo-lambda lambda watch` / `invoke`
# work (or put .venv/bin on PATH for `cargo lambda …`).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_python_tools build
echo "cargo-lambda: $("$VENV/bin/cargo-lambda" lambda --version)"
echo "add it to PATH for \`cargo lambda …\`:  export PATH=\"$VENV/bin:\$PATH\""
