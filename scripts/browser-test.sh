#!/usr/bin/env bash
# The browser test: examples/chat driven as two users in headless Chromium (tests/browser), against
# a fresh local stack (moto, the table, the local gateway on a free port), stopped on exit.
# Installs what is missing first: Debian's chromium (apt) and playwright-core (npm ci).
# Env: CHROMIUM (default /usr/bin/chromium). Screenshots go to target/browser-test/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$CHROMIUM" ]]; then
  echo "installing Debian's chromium ..."
  sudo=()
  [[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq chromium >/dev/null
fi

# npm ci when node_modules is missing or older than the lock file (npm writes its own copy of the
# lock into node_modules/.package-lock.json on every install).
modules=tests/browser/node_modules
if [[ ! -f "$modules/.package-lock.json" || tests/browser/package-lock.json -nt "$modules/.package-lock.json" ]]; then
  echo "installing tests/browser's packages (npm ci) ..."
  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
fi

ensure_python_tools test
mkdir -p target/browser-test
cargo build --quiet -p local-gateway
trap stop_test_stack EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
start_test_stack browser
PORT="$GATEWAY_PORT"
log=.local/gateway-browser.log
if ! curl -fsS -o /dev/null "http://127.0.0.1:$PORT/examples/chat/"; then
  echo "the local gateway does not serve /examples/chat/ (is static_files::serve wired into its dispatch?)" >&2
  exit 1
fi

echo "local gateway at http://127.0.0.1:$PORT (log: $log)"
if ! BASE="http://127.0.0.1:$PORT" CHROMIUM="$CHROMIUM" node tests/browser/chat.test.mjs; then
  echo "browser test failed; the gateway's log: $log, screenshots: target/browser-test/" >&2
  exit 1
fi
