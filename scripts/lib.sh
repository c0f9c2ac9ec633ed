# Shared by the scripts: the project-local Python tools, the DynamoDB API server (moto) and the
# local stack the tests start. Source it; it sets ROOT and VENV.

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

# npm ci in folder $1 when its node_modules is missing or older than its lock file (npm writes its
# own copy of the lock into node_modules/.package-lock.json on every install). The folder's
# package-lock.json pins every package; its .npmrc, if any, adds options.
ensure_node_modules() {
  local dir="$ROOT/$1"
  if [[ ! -f "$dir/node_modules/.package-lock.json" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
    echo "installing $1's packages (npm ci) ..."
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
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

# Writes the environment a function has in the local stack (table, bucket, token secret, the API
# server's address, dummy credentials) as KEY=VALUE lines into $1: what `cargo lambda watch
# --env-file` and scripts/admin.sh (LAMBDA_ENV_FILE) read. Needs TABLE_NAME, STORAGE_BUCKET,
# TOKEN_SECRET and start_moto's variables.
write_lambda_env() {
  {
    echo "TABLE_NAME=$TABLE_NAME"
    echo "STORAGE_BUCKET=$STORAGE_BUCKET"
    echo "TOKEN_SECRET=$TOKEN_SECRET"
    echo "AWS_ENDPOINT_URL_DYNAMODB=$AWS_ENDPOINT_URL_DYNAMODB"
    echo "AWS_ENDPOINT_URL_S3=$AWS_ENDPOINT_URL_S3"
    echo "AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID"
    echo "AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY"
    echo "AWS_REGION=$AWS_REGION"
  } > "$1"
}

# A fresh local stack for a test, named $1: moto and the local gateway (target/debug, build it
# first) on free ports, table and bucket social-$1-test, a random token secret; returns once the
# gateway listens. Sets GATEWAY_PID and GATEWAY_PORT; writes the function environment to
# .local/$1.env; logs to .local/moto-$1.log and .local/gateway-$1.log. Stop it with
# stop_test_stack (from an EXIT trap).
start_test_stack() {
  local name="$1" log="$ROOT/.local/gateway-$1.log"
  mkdir -p "$ROOT/.local"
  start_moto "$(free_port)" "$ROOT/.local/moto-$name.log"
  GATEWAY_PORT="$(free_port)"
  (
    TABLE_NAME="social-$name-test" STORAGE_BUCKET="social-$name-test"
    TOKEN_SECRET="$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
    write_lambda_env "$ROOT/.local/$name.env"
  )
  # The gateway gets exactly the functions' environment, as in make dev.
  (set -a; source "$ROOT/.local/$name.env"; exec env PORT="$GATEWAY_PORT" "$ROOT/target/debug/local-gateway") \
    >"$log" 2>&1 &
  GATEWAY_PID=$!
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$GATEWAY_PORT") 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$GATEWAY_PID" 2>/dev/null; then
      echo "the local gateway failed to start; see $log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "the local gateway did not listen within 60 s; see $log" >&2
  return 1
}

stop_test_stack() {
  if [[ -n "${GATEWAY_PID:-}" ]]; then
    kill "$GATEWAY_PID" 2>/dev/null || true
    wait "$GATEWAY_PID" 2>/dev/null || true
  fi
  stop_moto
}
