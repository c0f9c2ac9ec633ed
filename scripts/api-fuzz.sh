#!/usr/bin/env bash
# Property-based API tests: Schemathesis generates requests from every surface's OpenAPI document
# (docs/openapi/*.yaml; valid and invalid ones) and checks every answer against the document: no
# 5xx, documented status codes, content types and bodies, and, on info (the REST surface),
# schema-valid input accepted and schema-invalid input refused. Against one fresh local stack
# with rate limits off (it registers and logs in from one address far faster than a person
# would). Each document has its settings and the checks that can't apply to it, with the reason,
# in tests/api/ (info: schemathesis.toml; the others: schemathesis-<surface>.toml), each with a
# fixed seed so a run is reproducible. Signed-in routes get real credentials: a user registered
# and logged in through each API first (nobase's app through the admin CLI).
# `scripts/api-fuzz.sh SURFACE…` runs only those (info chatx nobase weifchat).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_python_tools test
cargo build --quiet -p local-gateway -p admin
trap stop_test_stack EXIT
export RATE_LIMITS=off
start_test_stack api-fuzz
base="http://127.0.0.1:$GATEWAY_PORT"

# POSTs JSON $2 to $1 (extra curl arguments after) and prints the answer's field at the path $3
# (dot-separated), failing with the answer when it has none.
field() {
  local path="$1" body="$2" pick="$3"
  curl -sS "$base$path" -H 'Content-Type: application/json' -d "$body" "${@:4}" \
    | python3 -c 'import json, sys
answer = json.load(sys.stdin); value = answer
for key in sys.argv[1].split("."):
    value = value.get(key) if isinstance(value, dict) else None
if not value:
    sys.exit(f"no {sys.argv[1]} in {answer}")
print(value)' "$pick"
}

fuzz_surface() {
  local surface="$1" config="tests/api/schemathesis-$1.toml"
  case "$surface" in
    info) config=tests/api/schemathesis.toml ;;
    chatx)
      field /chatx/account/register '{"account":"fuzz_user","password":"fuzz-secret","nickname":"Fuzz"}' data.userID \
        -H 'operationID: api-fuzz' >/dev/null
      CHATX_TOKEN=$(field /chatx/account/login '{"account":"fuzz_user","password":"fuzz-secret"}' data.token \
        -H 'operationID: api-fuzz')
      export CHATX_TOKEN ;;
    weifchat)
      field /register '{"phone":"13800138000","password":"fuzz-secret","nick":"Fuzz"}' data._id >/dev/null
      WEIFCHAT_TOKEN=$(field /login '{"phone":"13800138000","password":"fuzz-secret"}' data.token)
      export WEIFCHAT_TOKEN ;;
    nobase)
      local admin=(env LAMBDA_ENV_FILE=.local/api-fuzz.env scripts/admin.sh nobase)
      "${admin[@]}" developer add --id fuzz_dev --name "API fuzzing" --vip-until 2099-12-31 >/dev/null
      NOBASE_APPID=fuzz_app
      NOBASE_SIGNATURE=$("${admin[@]}" app add --developer fuzz_dev --appid fuzz_app --name "API fuzzing" \
        --token-mode true | sed -n 's/^signature: *//p')
      "${admin[@]}" board add fuzz_app --uid general --name General >/dev/null
      local creds='"appid":"fuzz_app","signature":"'$NOBASE_SIGNATURE'","user":"fuzz_user","pass":"fuzz-secret"'
      field /api/user/register "{$creds}" data >/dev/null
      NOBASE_TOKEN=$(field /api/user/login "{$creds}" data.token)
      export NOBASE_APPID NOBASE_SIGNATURE NOBASE_TOKEN ;;
    *) echo "unknown surface $surface (info chatx nobase weifchat)" >&2; return 1 ;;
  esac
  echo "== Schemathesis: docs/openapi/$surface.yaml ($config)"
  "$VENV/bin/st" --config-file "$config" run "docs/openapi/$surface.yaml" --url "$base" ${ST_ARGS:-}
}

surfaces=("$@")
[[ ${#surfaces[@]} -gt 0 ]] || surfaces=(info chatx nobase weifchat)
for surface in "${surfaces[@]}"; do
  fuzz_surface "$surface"
done
