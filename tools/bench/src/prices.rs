//! Every price the bench uses, in one place, with the date it was read. On-demand prices in
//! us-east-1, as issue 11 dates them (docs/benchmarks.md prints this date beside the costs).

/// When these prices were read.
pub const AS_OF: &str = "2026-11-30 (the prices issue 11 quotes, on-demand, us-east-1)";

/// DynamoDB on-demand: dollars per million write request units.
pub const DYNAMODB_PER_MILLION_WRU: f64 = 0.625;
/// DynamoDB on-demand: dollars per million read request units.
pub const DYNAMODB_PER_MILLION_RRU: f64 = 0.125;
/// API Gateway HTTP API: dollars per million requests (first 300 million a month).
pub const HTTP_API_PER_MILLION: f64 = 1.00;
/// API Gateway WebSocket API: dollars per million messages (first billion a month; connection
/// minutes are billed apart and left out here).
pub const WEBSOCKET_PER_MILLION_MESSAGES: f64 = 1.00;
/// Lambda: dollars per million requests.
pub const LAMBDA_PER_MILLION_REQUESTS: f64 = 0.20;
/// Lambda on arm64: dollars per GB-second.
pub const LAMBDA_PER_GB_SECOND_ARM64: f64 = 0.000_013_333_4;
