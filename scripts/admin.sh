#!/usr/bin/env bash
# Runs the admin CLI against the stack `make dev` is running (its table, secret and DynamoDB
# API server, from .local/lambda.env; LAMBDA_ENV_FILE names another stack's, as the doc examples
# test does). Example: scripts/admin.sh chatx token <userID>
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
env_file="${LAMBDA_ENV_FILE:-.local/lambda.env}"
if [[ ! -f "$env_file" ]]; then
  echo "start the local stack first: make dev" >&2
  exit 1
fi
set -a; source "$env_file"; set +a
exec cargo run --quiet -p admin -- "$@"
