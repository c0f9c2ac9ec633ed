#!/usr/bin/env bash
# Runs the admin CLI against the stack `make dev` is running (its table, secret and DynamoDB
# API server, from .local/lambda.env). Example: scripts/admin.sh chatx token <userID>
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
if [[ ! -f .local/lambda.env ]]; then
  echo "start the local stack first: make dev" >&2
  exit 1
fi
set -a; source .local/lambda.env; set +a
exec cargo run --quiet -p admin -- "$@"
