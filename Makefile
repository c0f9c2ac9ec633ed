# The two commands a new user needs: `make dev` and `make test`. See README.md.
.PHONY: dev test build lint clean

## Run the whole API locally (DynamoDB API server, table, gateway on 127.0.0.1:$PORT, default 3000).
dev:
	@scripts/dev.sh

## Run every check and test; CI runs exactly this.
test:
	@scripts/test.sh

## Build every function for Lambda (release, arm64) with cargo-lambda.
build:
	@scripts/build.sh

## Clippy with warnings as errors.
lint:
	cargo clippy --workspace --all-targets -- -D warnings

clean:
	cargo clean
	rm -rf .local .aws-sam
