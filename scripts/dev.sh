#!/usr/bin/env bash
# `make dev`: the whole API locally, in the foreground. A DynamoDB API server (moto), the table
# from template.yaml, and the local gateway on 127.0.0.1:${PORT:-3000} (HTTP, and the WebSocket API
# at ws://127.0.0.1:${PORT:-3000}/ws; the API reference at /docs/, the demos at /examples/).
# Ctrl-C (or SIGTERM) stops all of it. A busy port stops it before anything starts, so a second
# `make dev` leaves the running stack and its files alone.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

PORT="${PORT:-3000}"
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "make dev: 127.0.0.1:$PORT is already in use (another \`make dev\`?); stop it or run PORT=<free port> make dev" >&2
  exit 1
fi

ensure_python_tools test
mkdir -p .local
# A token secret for this machine, made once; never committed (.local is ignored).
if [[ ! -f .local/dev.env ]]; then
  echo "TOKEN_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')" > .local/dev.env
fi
set -a; source .local/dev.env; set +a

# The API reference's UI (Redoc, pinned in docs/ui/package-lock.json) for /docs/. Without it the
# page still lists the APIs and links their OpenAPI documents, so a failed install only warns.
if ! command -v npm >/dev/null; then
  echo "make dev: npm not found, so /docs/ shows no docs UI (install Node 20+ with npm)" >&2
elif ! ensure_node_modules docs/ui; then
  echo "make dev: npm ci in docs/ui failed, so /docs/ shows no docs UI; the API runs anyway" >&2
fi

cargo build --quiet -p local-gateway
GATEWAY_PID=""
stop_all() {
  if [[ -n "$GATEWAY_PID" ]]; then
    kill "$GATEWAY_PID" 2>/dev/null || true
    wait "$GATEWAY_PID" 2>/dev/null || true
  fi
  stop_moto
  rm -f .local/lambda.env
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
start_moto "${MOTO_PORT:-$(free_port)}" .local/moto.log
export TABLE_NAME="${TABLE_NAME:-social-local}"
export STORAGE_BUCKET="${STORAGE_BUCKET:-social-local-storage}"
# The environment a function has in this stack: for `cargo lambda watch --env-file` and
# scripts/admin.sh.
write_lambda_env .local/lambda.env
echo "DynamoDB API server (moto) at $AWS_ENDPOINT_URL_DYNAMODB; function environment in .local/lambda.env"
echo "Logs: one JSON object a line, as in Lambda; LOG_FORMAT=text make dev for compact text"
# In the background, so a signal to this script reaches its trap at once (bash defers traps
# while a foreground child runs) and the gateway is stopped with everything else.
PORT="$PORT" "$ROOT/target/debug/local-gateway" &
GATEWAY_PID=$!
wait "$GATEWAY_PID"
