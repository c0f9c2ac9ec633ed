#!/usr/bin/env bash
# `make test`: every check, exiting non-zero on any failure. CI runs exactly this.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# Each step names itself with the disk space left, and a failure ends with the step and the
# machine's disk and memory: CI shows only the end of the log, so that is what it must hold.
current_step="setup"
step() { current_step="$*"; echo; echo "== $* ($(df -h --output=avail . | tail -1 | tr -d ' ') free)"; }
on_exit() {
  local status=$?
  stop_moto
  if [ "$status" -ne 0 ]; then
    echo >&2
    echo "make test FAILED (exit $status) in step: $current_step" >&2
    df -h . >&2
    free -m >&2 || true
  fi
  exit "$status"
}
trap on_exit EXIT

ensure_python_tools test

step "template: cfn-lint and sam validate --lint (reading samconfig.toml, which holds no secret)"
"$VENV/bin/cfn-lint" template.yaml
"$VENV/bin/sam" validate --lint --config-file samconfig.toml --region us-east-1 --template-file template.yaml
if grep -q '^[^#]*TokenSecret' samconfig.toml; then
  echo "samconfig.toml names TokenSecret: the secret is passed at deploy time, never committed (docs/deploy.md)" >&2
  exit 1
fi

step "OpenAPI documents: valid OpenAPI 3"
"$VENV/bin/openapi-spec-validator" docs/openapi/*.yaml

step "formatting"
cargo fmt --all --check

step "unit and end-to-end tests (against moto)"
mkdir -p .local
start_moto "$(free_port)" .local/moto-test.log
cargo test --workspace --lib --test '*'

step "browser test: examples/chat as two users in headless Chromium (its own local stack)"
scripts/browser-test.sh

step "the docs' examples: every \`sh run\` / \`js run\` block of README.md and docs/, twice (its own local stack)"
scripts/doc-examples.sh

step "API fuzzing: Schemathesis against every docs/openapi/*.yaml (its own local stack)"
scripts/api-fuzz.sh

step "fuzzing the request parsers: cargo-fuzz, 20 s a target (nightly toolchain, docs/reliability.md)"
scripts/fuzz.sh

step "clippy on every target (also type-checks every Lambda binary)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "every function binary builds (what cargo lambda build compiles; clippy stops short of codegen)"
scripts/build-bins.sh

echo; echo "all checks passed"
