//! What every Lambda function of this backend shares.
//!
//! - [`config`]: configuration read once per container;
//! - [`auth`]: tokens (JWT, HS256 pinned, `exp`/`aud` checked), argon2id password hashes, the caller;
//! - [`error`]: the one error type every surface renders its own way;
//! - [`openim`]: the chatx wire style (`{errCode, errMsg, errDlt, data}`);
//! - [`rest`]: the info module's wire style (REST statuses, Laravel-style errors);
//! - [`store`] and [`keys`]: the single DynamoDB table and every key format in it;
//! - [`chatx`]: the chatx domain (validated types and store operations);
//! - [`nobase`]: the nobase BBS surface: its wire style (`{code, msg, data}`), checks and domain;
//! - [`weif`] and [`weifchat`]: the weifChat wire style (`{status, msg, data}`) and domain;
//! - [`fields`]: checking many request fields at once (express-validator style lists);
//! - [`info`]: the info (news) module's domain;
//! - [`storage`]: uploaded files in S3 ("storage nodes"), for every surface;
//! - [`lambda`]: the glue a function's `main` uses to hand its handler to the runtime.

pub mod auth;
pub mod chatx;
pub mod clock;
pub mod config;
pub mod error;
pub mod fields;
pub mod http;
pub mod ids;
pub mod info;
pub mod keys;
pub mod lambda;
pub mod nobase;
pub mod openim;
pub mod rest;
pub mod state;
pub mod storage;
pub mod store;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod weif;
pub mod weifchat;

pub use error::AppError;
pub use state::AppState;
