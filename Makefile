# The two commands a new user needs: `make dev` and `make test`. See README.md.
.PHONY: help dev test build tools lint clean bench
.DEFAULT_GOAL := help

## List the targets.
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-z]+:/{if(doc){split($$1,t,":"); printf "  make %-6s %s\n", t[1], doc}; doc=""}' $(MAKEFILE_LIST)

## Run the whole API locally (DynamoDB API server, table, gateway on 127.0.0.1:$PORT, default 3000; WebSocket at /ws).
dev:
	@scripts/dev.sh

## Run every check and test; CI runs exactly this.
test:
	@scripts/test.sh

## Measure every endpoint (cost per call, latency) into docs/benchmarks.md; BENCH_QUICK=1 for a fast run.
bench:
	@scripts/bench.sh

## Build every function for Lambda (release, arm64) with cargo-lambda.
build:
	@scripts/build.sh

## Install the local tools alone (cargo-lambda with zig into .venv/bin): for `cargo lambda watch/invoke`.
tools:
	@scripts/tools.sh

## Clippy with warnings as errors.
lint:
	cargo clippy --workspace --all-targets -- -D warnings

## Remove build output and the local stack's files.
clean:
	cargo clean
	rm -rf .local .aws-sam
