#!/usr/bin/env bash
# The docs' examples, run as a new user pastes them: every fenced block marked `sh run` or `js run`
# in README.md and docs/*.md (scripts/doc_examples.py extracts them) against a fresh local stack
# (moto, the table, the local gateway on a free port), stopped on exit. A file's shell blocks run
# in order in one bash session (set -euo pipefail), its JavaScript blocks as one Node module; each
# file's scripts run twice, each time in a fresh shell with a clean environment, to prove they can
# be pasted again. The examples reach this stack through BASE (and scripts/admin.sh through
# LAMBDA_ENV_FILE). Installs jq with apt when it is missing.
# Usage: scripts/doc-examples.sh [FILE.md ...]   (default: README.md docs/*.md)
# The extracted scripts are in target/doc-examples/ (line numbers are the Markdown's).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

if ! command -v jq >/dev/null; then
  echo "installing jq ..."
  sudo=()
  [[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq jq >/dev/null
fi

files=("$@")
[[ ${#files[@]} -gt 0 ]] || files=(README.md docs/*.md)
out=target/doc-examples
rm -rf "$out"
manifest="$(python3 scripts/doc_examples.py "$out" "${files[@]}")"
if [[ -z "$manifest" ]]; then
  echo "no runnable examples (\`\`\`sh run / \`\`\`js run) in ${files[*]}" >&2
  exit 1
fi

# Node 22 has a global WebSocket; Node 20.10+ behind a flag.
node_flags=()
if [[ "$(node -p 'process.versions.node.split(".")[0]')" -lt 22 ]]; then
  node_flags=(--experimental-websocket --disable-warning=ExperimentalWarning)
fi

ensure_python_tools test
cargo build --quiet -p local-gateway -p admin
trap stop_test_stack EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
start_test_stack doc-examples

# A fresh shell's environment: what a user's terminal has, plus where the stack is.
clean_env=(env -i HOME="$HOME" PATH="$PATH" LANG="${LANG:-C.UTF-8}" TERM="${TERM:-dumb}"
  BASE="http://127.0.0.1:$GATEWAY_PORT" LAMBDA_ENV_FILE="$ROOT/.local/doc-examples.env")
for var in USER CARGO_HOME RUSTUP_HOME CARGO_TARGET_DIR TMPDIR; do
  [[ -z "${!var:-}" ]] || clean_env+=("$var=${!var}")
done

echo "local gateway at http://127.0.0.1:$GATEWAY_PORT (log: .local/gateway-doc-examples.log)"
failed=0
while IFS=$'\t' read -r runner md count script; do
  for run in 1 2; do
    started=$SECONDS
    log="$script.run$run.log"
    if [[ "$runner" == bash ]]; then
      cmd=(bash --noprofile --norc "$script")
    else
      cmd=(node "${node_flags[@]}" "$script")
    fi
    if timeout 300 "${clean_env[@]}" "${cmd[@]}" >"$log" 2>&1; then
      echo "ok      $md: $count $runner block(s), run $run ($((SECONDS - started)) s)"
    else
      echo "FAILED  $md: $count $runner block(s), run $run; its output ($log):" >&2
      sed 's/^/    /' "$log" >&2
      failed=1
      break
    fi
  done
done <<<"$manifest"

if [[ $failed -ne 0 ]]; then
  echo "doc examples failed; the gateway's log: .local/gateway-doc-examples.log" >&2
  exit 1
fi
