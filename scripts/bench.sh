#!/usr/bin/env bash
# `make bench`: release builds, the DynamoDB API server (moto), then tools/bench, which measures
# every endpoint through the local gateway (in process) and writes docs/benchmarks.md, keeping
# its hand-written part (after the marker line). BENCH_QUICK=1: fewer runs, smaller sizes.
# The cold-start section comes from tools/coldstart when the workspace has it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_python_tools test
# Release binaries land in target/release unless CARGO_TARGET_DIR says otherwise.
bin="${CARGO_TARGET_DIR:-target}/release"
mkdir -p .local
command="make bench"
if [[ -n "${BENCH_QUICK:-}" && "${BENCH_QUICK}" != "0" ]]; then
  command="BENCH_QUICK=1 make bench"
fi

start_moto "$(free_port)" .local/moto-bench.log
trap stop_moto EXIT

coldstart_args=()
if [[ -f tools/coldstart/Cargo.toml ]]; then
  echo "== cold start: cargo build --release -p coldstart, then $bin/coldstart --build"
  cargo build --release --quiet -p coldstart
  runs=()
  if [[ -n "${BENCH_QUICK:-}" && "${BENCH_QUICK}" != "0" ]]; then runs=(--runs 3); fi
  # Its own table on the same server; --build builds the functions and probes it runs.
  "$bin/coldstart" --build --out .local/coldstart.md "${runs[@]}"
  coldstart_args=(--coldstart .local/coldstart.md)
fi

echo "== the endpoints: cargo build --release -p bench"
cargo build --release --quiet -p bench
"$bin/bench" --out docs/benchmarks.md --command "$command" "${coldstart_args[@]}"
