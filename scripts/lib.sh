# Shared by the scripts: the project-local Python tools and the DynamoDB API server (moto).
# Source it; it sets ROOT and VENV.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
export SAM_CLI_TELEMETRY=0

# Installs requirements-<name>.txt into .venv unless it is already installed as written.
ensure_python_tools() {
  local req="$ROOT/requirements-$1.txt" stamp="$VENV/.installed-$1"
  if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
  fi
  if ! cmp -s "$req" "$stamp"; then
    echo "installing Python tools from $(basename "$req") into .venv ..."
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$req"
    cp "$req" "$stamp"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts moto in server mode on 127.0.0.1:$1 (DynamoDB and S3), waits until it answers, and
# points the AWS SDK at it with dummy credentials. Sets MOTO_PID; logs to $2.
start_moto() {
  local port="$1" log="$2"
  "$VENV/bin/python" "$ROOT/scripts/moto_server.py" 127.0.0.1 "$port" >"$log" 2>&1 &
  MOTO_PID=$!
  for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      break
    fi
    if ! kill -0 "$MOTO_PID" 2>/dev/null; then
      echo "moto_server failed to start; see $log" >&2
      return 1
    fi
    sleep 0.2
  done
  export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$port"
  export AWS_ENDPOINT_URL_S3="http://127.0.0.1:$port"
  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1
  unset AWS_PROFILE AWS_SESSION_TOKEN
}

stop_moto() {
  if [[ -n "${MOTO_PID:-}" ]]; then
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
  fi
}

# Starts moto and the local gateway (built as needed) on a free port with a fresh table, bucket
# and token secret, for a check that needs a whole local stack; waits until the gateway answers.
# Sets BASE (its URL) and GATEWAY_PID; logs to .local/<name>-{moto,gateway}.log. Stop with
# stop_stack (e.g. `trap stop_stack EXIT`).
start_stack() {
  local name="$1" port
  mkdir -p "$ROOT/.local"
  cargo build --quiet -p local-gateway
  start_moto "$(free_port)" "$ROOT/.local/$name-moto.log"
  port="$(free_port)"
  TABLE_NAME="social-$name" STORAGE_BUCKET="social-$name" \
    TOKEN_SECRET="$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')" \
    PORT="$port" "$ROOT/target/debug/local-gateway" >"$ROOT/.local/$name-gateway.log" 2>&1 &
  GATEWAY_PID=$!
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      BASE="http://127.0.0.1:$port"
      return 0
    fi
    if ! kill -0 "$GATEWAY_PID" 2>/dev/null; then
      echo "the local gateway failed to start; see .local/$name-gateway.log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "the local gateway did not answer; see .local/$name-gateway.log" >&2
  return 1
}

stop_stack() {
  if [[ -n "${GATEWAY_PID:-}" ]]; then
    kill "$GATEWAY_PID" 2>/dev/null || true
    wait "$GATEWAY_PID" 2>/dev/null || true
  fi
  stop_moto
}
