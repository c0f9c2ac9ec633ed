#!/usr/bin/env bash
# The browser tests, in headless Chromium (tests/browser): examples/chat driven as two users, then
# the API reference at /docs/ rendering every API, against a fresh local stack (moto, the table,
# the local gateway on a free port), stopped on exit. Installs what is missing first: Debian's
# chromium (apt), playwright-core and docs/ui's Redoc (npm ci).
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

ensure_node_modules tests/browser
# The docs page's UI (Redoc), for the docs test.
ensure_node_modules docs/ui

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
for test in chat docs; do
  if ! BASE="http://127.0.0.1:$PORT" CHROMIUM="$CHROMIUM" node "tests/browser/$test.test.mjs"; then
    echo "browser test $test failed; the gateway's log: $log, screenshots: target/browser-test/" >&2
    exit 1
  fi
done
