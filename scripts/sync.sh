#!/usr/bin/env bash
# `sam sync --watch` against the development stack: samconfig.toml's [default.sync.parameters]
# name it (social-dev), never the production stack. Needs AWS credentials for a development
# account (the usual AWS_PROFILE / AWS_* variables). Arguments go on to `sam sync`; the first run
# creates the stack and needs its own token secret:
#   scripts/sync.sh --parameter-overrides TokenSecret="$(openssl rand -base64 48)"
# What it does, and what it costs: docs/deploy.md, "Iterate on a development stack".
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_python_tools test    # sam
ensure_python_tools build   # cargo-lambda and zig, which `sam build` runs for each function
export PATH="$VENV/bin:$PATH"

# Every function's CodeUri is the whole workspace, which sam sync watches (all but .aws-sam and
# node_modules). Cargo's output goes under .aws-sam, or each build would set off the next sync;
# and what no function is built from is left out of the watch, for each function.
export CARGO_TARGET_DIR="$ROOT/.aws-sam/cargo-target"
ignored='/(target|\.git|\.venv|\.local|\.ci|docs|examples|events|tests|tools)/'
excludes=()
while read -r id; do
  excludes+=(--watch-exclude "$id=$ignored")
done < <(awk '/^  [A-Za-z0-9]+:$/ { id = substr($1, 1, length($1) - 1) }
              /^    Type: AWS::Serverless::Function$/ { print id }' template.yaml)
echo "sam sync --watch: $(( ${#excludes[@]} / 2 )) functions, stack from samconfig.toml's [default.sync.parameters]"
exec sam sync --config-file samconfig.toml "${excludes[@]}" "$@"
