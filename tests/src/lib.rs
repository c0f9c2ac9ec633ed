//! End-to-end test support: the [`harness`] (a gateway per test against the DynamoDB and S3 API
//! server) and one module of helpers per surface. The tests themselves are in `tests/e2e`.

pub mod chatx;
pub mod faults;
pub mod harness;
pub mod hot;
pub mod info;
pub mod matrix;
pub mod nobase;
pub mod proxy;
pub mod throttle;
pub mod weif;

pub use chatx::User;
pub use harness::{
    Socket, TestApp, config, spawn_app, spawn_app_holding, spawn_app_on_own_table, spawn_app_through,
    spawn_app_with_faults, spawn_app_with_limits, spawn_app_with_throttling, spawn_app_with_upkeep, unique,
};
pub use serde_json;
