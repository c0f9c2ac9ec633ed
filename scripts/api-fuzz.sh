#!/usr/bin/env bash
# Property-based API tests: Schemathesis generates requests from docs/openapi/info.yaml (valid
# and invalid ones) and checks every answer against the document: no 5xx, documented status
# codes, content types and bodies, schema-valid input accepted, schema-invalid input refused.
# Against a fresh local stack with rate limits off (it registers and logs in from one address
# far faster than a person would); settings and the few justified exceptions in
# tests/api/schemathesis.toml (a fixed seed, so a run is reproducible).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_python_tools test
cargo build --quiet -p local-gateway
trap stop_test_stack EXIT
export RATE_LIMITS=off
start_test_stack api-fuzz
"$VENV/bin/st" --config-file tests/api/schemathesis.toml run docs/openapi/info.yaml --url "http://127.0.0.1:$GATEWAY_PORT"
