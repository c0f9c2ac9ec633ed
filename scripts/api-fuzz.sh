#!/usr/bin/env bash
# Property-based API tests: Schemathesis generates requests from docs/openapi/info.yaml (valid
# and invalid ones) and checks every answer against the document: no 5xx, documented status
# codes, content types and bodies, schema-valid input accepted, schema-invalid input refused.
# Against a fresh local stack; settings and the few justified exceptions in
# tests/api/schemathesis.toml (a fixed seed, so a run is reproducible).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_python_tools test
trap stop_stack EXIT
start_stack api-fuzz
"$VENV/bin/st" --config-file tests/api/schemathesis.toml run docs/openapi/info.yaml --url "$BASE"
