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
trap 'stop_moto; rm -f .local/lambda.env' EXIT
export TABLE_NAME="${TABLE_NAME:-social-local}"
export STORAGE_BUCKET="${STORAGE_BUCKET:-social-local-storage}"
# The environment a function has in this stack: for `cargo lambda watch --env-file` and
# scripts/admin.sh.
{
  echo "TABLE_NAME=$TABLE_NAME"
  echo "STORAGE_BUCKET=$STORAGE_BUCKET"
  echo "TOKEN_SECRET=$TOKEN_SECRET"
  echo "AWS_ENDPOINT_URL_DYNAMODB=$AWS_ENDPOINT_URL_DYNAMODB"
  echo "AWS_ENDPOINT_URL_S3=$AWS_ENDPOINT_URL_S3"
  echo "AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID"
  echo "AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY"
  echo "AWS_REGION=$AWS_REGION"
} > .local/lambda.env
echo "DynamoDB API server (moto) at $AWS_ENDPOINT_URL_DYNAMODB; function environment in .local/lambda.env"
PORT="${PORT:-3000}" "$ROOT/target/debug/local-gateway"
