//! The cold-start tool's probes (`src/bin/`): what a Rust function costs before it does anything
//! (`probe-hello`), and with one DynamoDB PutItem per request (`probe-put`). See tools/coldstart.
