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
