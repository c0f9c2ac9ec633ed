//! Support for handler-tier tests (enabled by the `testing` feature in the functions crates'
//! dev-dependencies).

use crate::AppState;
use crate::config::Config;

/// The state of a function whose DynamoDB and S3 clients point at a closed port
/// (127.0.0.1:9), without retries: everything decided before the store behaves as in
/// production, and any store call fails at once, as an internal error.
pub fn offline_state() -> AppState {
    let secret = "x".repeat(32);
    let config = Config::from_lookup(|k| match k {
        "TABLE_NAME" | "STORAGE_BUCKET" => Some("unused".into()),
        "TOKEN_SECRET" => Some(secret.clone()),
        _ => None,
    })
    .expect("test configuration");
    let credentials = aws_sdk_dynamodb::config::Credentials::new("k", "s", None, None, "test");
    let dynamo = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .endpoint_url("http://127.0.0.1:9")
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
        .credentials_provider(credentials.clone())
        .build();
    let s3 = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url("http://127.0.0.1:9")
        .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
        .credentials_provider(credentials)
        .force_path_style(true)
        .build();
    AppState::new(config, aws_sdk_dynamodb::Client::from_conf(dynamo)).with_s3(aws_sdk_s3::Client::from_conf(s3))
}
