#!/usr/bin/env bash
# `make dev`: the whole API locally, in the foreground. A DynamoDB API server (moto), the table
# from template.yaml, and the local gateway on 127.0.0.1:${PORT:-3000}. Ctrl-C stops all.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_python_tools test
mkdir -p .local
# A token secret for this machine, made once; never committed (.local is ignored).
if [[ ! -f .local/dev.env ]]; then
  echo "TOKEN_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')" > .local/dev.env
fi
set -a; source .local/dev.env; set +a

cargo build --quiet -p local-gateway
start_moto "${MOTO_PORT:-$(free_port)}" .local/moto.log
trap stop_moto EXIT
echo "DynamoDB API server (moto) at $AWS_ENDPOINT_URL_DYNAMODB"
PORT="${PORT:-3000}" TABLE_NAME="${TABLE_NAME:-social-local}" "$ROOT/target/debug/local-gateway"
