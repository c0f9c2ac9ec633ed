//! The platform every surface uses; it names no surface.
//!
//! - [`config`]: configuration read once per container;
//! - [`auth`]: tokens (JWT, HS256 pinned, `exp`/`aud` checked), argon2id password hashes, the caller;
//! - [`error`]: the one error type every surface renders its own way;
//! - [`wire`]: the one request skeleton every surface's wire style plugs into;
//! - [`http`]: reading requests and writing JSON responses;
//! - [`store`] and [`keys`]: the single DynamoDB table: one write builder, transactions and their
//!   cancellation reasons, cursors, the request log; attribute and index names and the registry of
//!   the surfaces' key prefixes;
//! - [`socket`]: API Gateway WebSocket events and pushes to connections (Management API);
//! - [`storage`]: uploaded files in S3 ("storage nodes"), for every surface;
//! - [`lambda`]: the glue a function's `main` uses to hand its handler to the runtime;
//! - [`counters`]: self-healing counters (recounted from the table's stream);
//! - [`idempotency`]: `Idempotency-Key` on creates (a record per key with the first answer, in the table);
//! - [`throttle`]: rate limits (a token bucket per subject and rule, in the table);
//! - [`telemetry`], [`metrics`]: logs (JSON in Lambda), metrics (CloudWatch Embedded Metric Format);
//! - [`clock`], [`ids`]: time, identifiers.
//!
//! A surface (`functions/<surface>/`) owns its wire style, keys, model, items, store and views.

pub mod auth;
pub mod clock;
pub mod config;
pub mod counters;
pub mod error;
pub mod http;
pub mod idempotency;
pub mod ids;
pub mod keys;
pub mod lambda;
pub mod metrics;
pub mod socket;
pub mod state;
pub mod storage;
pub mod store;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod throttle;
pub mod wire;

pub use error::AppError;
pub use state::AppState;
