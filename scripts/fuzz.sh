#!/usr/bin/env bash
# Fuzzes the request parsers (fuzz/fuzz_targets/: JSON, form and multipart bodies, query strings,
# tokens, cursors) with cargo-fuzz (libFuzzer), FUZZ_SECONDS per target (20 by default: the short
# run of `make test`; the long run is `FUZZ_SECONDS=3600 FUZZ_PROFILE=release scripts/fuzz.sh`,
# docs/reliability.md).
# Installs what it needs on a fresh machine: a nightly toolchain (rustup, minimal profile) and
# cargo-fuzz (pinned, into .local/cargo-fuzz). A crash fails the run and leaves its input in
# fuzz/artifacts/<target>/: fix the bug, then add the input to fuzz/corpus/<target>/.
# `scripts/fuzz.sh TARGET…` runs only those targets.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

CARGO_FUZZ_VERSION=0.13.2
seconds="${FUZZ_SECONDS:-20}"
fuzz_bin="$ROOT/.local/cargo-fuzz/bin/cargo-fuzz"

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "installing the nightly toolchain (minimal profile) ..."
  rustup toolchain install nightly --profile minimal
fi
if ! "$fuzz_bin" --version 2>/dev/null | grep -q " $CARGO_FUZZ_VERSION\$"; then
  echo "installing cargo-fuzz $CARGO_FUZZ_VERSION into .local/cargo-fuzz ..."
  cargo install --quiet --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION" --root "$ROOT/.local/cargo-fuzz"
fi

# Without AddressSanitizer: the parsers are safe Rust, so what fuzzing finds here is panics
# (cargo-fuzz turns overflow checks and debug assertions on), and an ASan build of the AWS SDK
# costs minutes more. FUZZ_PROFILE: `dev` (default) builds unoptimized, 3.6 times less build
# work than `release` (the targets link the AWS SDK), for a short run that fuzzes slower;
# `release` fuzzes several times faster once built, for long runs (docs/reliability.md).
profile="${FUZZ_PROFILE:-dev}"
case "$profile" in
  dev) profile_args=(--dev) ;;
  release) profile_args=(--release --codegen-units 16) ;;
  *) echo "FUZZ_PROFILE is dev or release" >&2; exit 1 ;;
esac
fuzz() {
  RUSTUP_TOOLCHAIN=nightly "$fuzz_bin" "$1" --fuzz-dir fuzz --target-dir target/fuzz \
    --sanitizer none "${profile_args[@]}" "${@:2}"
}

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  mapfile -t targets < <("$fuzz_bin" list --fuzz-dir fuzz)
  [[ ${#targets[@]} -gt 0 ]] || { echo "no fuzz targets found in fuzz/" >&2; exit 1; }
fi
mkdir -p .local
echo "building ${#targets[@]} fuzz targets (target/fuzz; the first build takes minutes, docs/build.md) ..."
# One build for them all (cargo-fuzz builds one target or every one).
build_args=()
[[ $# -eq 1 ]] && build_args=("$1")
if ! fuzz build "${build_args[@]}" >.local/fuzz-build.log 2>&1; then
  tail -50 .local/fuzz-build.log >&2
  exit 1
fi

for target in "${targets[@]}"; do
  # New inputs go to .local (ignored); the committed seeds in fuzz/corpus stay as they are.
  scratch=".local/fuzz-corpus/$target" log=".local/fuzz-$target.log"
  mkdir -p "$scratch"
  if ! fuzz run "$target" "$scratch" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$log" 2>&1; then
    tail -60 "$log" >&2
    echo "fuzz target $target failed: the input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "fuzz $target: ${runs:-?} inputs in ${seconds}s, no failure"
done
echo "fuzzing passed: ${#targets[@]} targets, ${seconds}s each ($profile build)"
