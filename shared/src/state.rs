//! What lives for a whole container: configuration, the store, the token keys and S3. Nothing
//! here is a surface's: a surface reaches its own store through its crate (an extension trait
//! on [`AppState`], e.g. `chatx::ChatxState`).

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;

use crate::auth::Tokens;
use crate::config::Config;
use crate::error::AppError;
use crate::socket::{Pusher, push_config};
use crate::storage::Storage;
use crate::store::Store;
use crate::throttle::{self, Rule};

pub struct AppState {
    pub config: Config,
    pub store: Store,
    pub tokens: Tokens,
    /// The S3 client of the functions that use storage.
    pub s3: Option<aws_sdk_s3::Client>,
    /// Whether the function's requests call S3 (not only sign URLs for it), so its init opens
    /// the S3 connection ([`STORAGE`] against [`PRESIGNING`]).
    pub calls_s3: bool,
    /// Pushes to WebSocket connections, for the functions that push frames.
    pub push: Option<Pusher>,
    /// The container's own first tier of the rate limits that have one.
    pub local_limits: throttle::Local,
}

impl AppState {
    pub fn new(config: Config, dynamo: aws_sdk_dynamodb::Client) -> Self {
        let store = Store::new(dynamo, config.table_name.as_str());
        let tokens = Tokens::new(config.token_secret.expose(), config.token_ttl_secs);
        Self {
            config,
            store,
            tokens,
            s3: None,
            calls_s3: false,
            push: None,
            local_limits: throttle::Local::default(),
        }
    }

    /// The same state with an S3 client for storage.
    pub fn with_s3(mut self, s3: aws_sdk_s3::Client) -> Self {
        self.s3 = Some(s3);
        self
    }

    /// The same state with a pusher to WebSocket connections.
    pub fn with_push(mut self, push: Pusher) -> Self {
        self.push = Some(push);
        self
    }

    /// Reads the configuration from the environment and builds the DynamoDB client (which
    /// honours `AWS_ENDPOINT_URL_DYNAMODB` and the usual credential chain), then the extra
    /// clients a function names ([`Client`]: [`STORAGE`], [`PUSH`]). A client no function's
    /// `main` names is not even linked into that function.
    pub async fn from_env(clients: &[Client]) -> Result<Self, lambda_http::Error> {
        let config = Config::from_env()?;
        let sdk = sdk_config().await;
        let dynamo = aws_sdk_dynamodb::Client::from_conf(dynamo_config(&sdk).build());
        Ok(clients
            .iter()
            .fold(Self::new(config, dynamo), |state, add| add(state, &sdk)))
    }

    /// Counts one request of `subject` (`user:<id>`, `ip:<address>` …) against `rule`:
    /// [`AppError::Throttled`] past the configured limit. Cost: 1 UpdateItem (2 when busy);
    /// nothing while a [`Rule::local_first`] rule's container tier lets the subject through.
    pub async fn throttle(&self, rule: Rule, subject: &str) -> Result<(), AppError> {
        let now = crate::clock::now_ms();
        throttle::check(&self.store, &self.config.limits, &self.local_limits, rule, subject, now).await
    }

    /// Uploaded files; an internal error where the function has no bucket configured.
    pub fn storage(&self) -> Result<Storage<'_>, AppError> {
        match (&self.s3, &self.config.storage_bucket) {
            (Some(s3), Some(bucket)) => Ok(Storage::new(&self.store, s3, bucket)),
            _ => Err(AppError::internal(
                "storage is not configured: STORAGE_BUCKET and an S3 client",
            )),
        }
    }
}

/// An SDK client beyond the store's that a function builds during init: it adds the client to
/// the state. A function's `main` names the ones its handler uses (`shared::lambda::run_with`).
pub type Client = fn(AppState, &aws_config::SdkConfig) -> AppState;

/// The S3 client, for the functions whose requests call S3 (uploads, reads of uploaded files):
/// init opens its connection (`shared::lambda`).
pub const STORAGE: Client = |state, sdk| AppState {
    calls_s3: true,
    ..PRESIGNING(state, sdk)
};

/// The S3 client, for the functions that only sign URLs with it (presigning is local: their
/// requests make no S3 call), so init opens no S3 connection.
pub const PRESIGNING: Client = |state, sdk| state.with_s3(aws_sdk_s3::Client::from_conf(s3_config(sdk).build()));

/// The API Gateway Management API client, for the functions that push to WebSocket connections
/// (where `SOCKET_ENDPOINT` is configured).
pub const PUSH: Client = |state, sdk| match state.config.socket_endpoint.clone() {
    Some(endpoint) => state.with_push(Pusher::new(aws_sdk_apigatewaymanagement::Client::from_conf(
        push_config(sdk, &endpoint).build(),
    ))),
    None => state,
};

/// Attempts per DynamoDB call (the first and up to 3 retries) in the SDK's standard retry mode.
pub const DYNAMO_MAX_ATTEMPTS: u32 = 4;
/// The first retry waits up to this long (full jitter), doubling each retry: at most 50, 100
/// and 200 ms for the three retries.
pub const DYNAMO_INITIAL_BACKOFF: Duration = Duration::from_millis(50);
/// No single wait between attempts is longer than this.
pub const DYNAMO_MAX_BACKOFF: Duration = Duration::from_secs(1);
/// Opening a connection to DynamoDB.
pub const DYNAMO_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// One attempt, from sending the request to reading the whole answer: a connection that
/// stalls is abandoned (and retried) rather than waited on.
pub const DYNAMO_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);
/// One call with all its attempts and waits: a call never takes longer, well inside the
/// functions' 10 s Lambda timeout.
pub const DYNAMO_OPERATION_TIMEOUT: Duration = Duration::from_secs(6);
/// How many times longer the timeouts are against a local API server (see [`dynamo_config`]).
pub const LOCAL_TIMEOUT_SCALE: u32 = 10;

/// The DynamoDB client configuration from the SDK's, with the request metrics
/// ([`RequestMetrics`](crate::store::observe::RequestMetrics)) every function's client carries,
/// and its resilience stated rather than left to defaults: the standard retry mode (which
/// retries throttling, 5xx, timeouts and connection failures, and whose retry quota stops
/// retrying when most calls fail) with [`DYNAMO_MAX_ATTEMPTS`] attempts, and timeouts per
/// connection, attempt and call. What still fails becomes `AppError::Unavailable`
/// (docs/reliability.md).
///
/// Against a local API server (`AWS_ENDPOINT_URL_DYNAMODB` set: `make dev`, the tests) the
/// timeouts are [`LOCAL_TIMEOUT_SCALE`] times longer: moto serves one request at a time, so under
/// a whole test run's load a request queues there for seconds, which says nothing of DynamoDB.
pub fn dynamo_config(sdk: &aws_config::SdkConfig) -> aws_sdk_dynamodb::config::Builder {
    let retry = RetryConfig::standard()
        .with_max_attempts(DYNAMO_MAX_ATTEMPTS)
        .with_initial_backoff(DYNAMO_INITIAL_BACKOFF)
        .with_max_backoff(DYNAMO_MAX_BACKOFF);
    let scale = match std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB") {
        Some(_) => LOCAL_TIMEOUT_SCALE,
        None => 1,
    };
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(DYNAMO_CONNECT_TIMEOUT * scale)
        .operation_attempt_timeout(DYNAMO_ATTEMPT_TIMEOUT * scale)
        .operation_timeout(DYNAMO_OPERATION_TIMEOUT * scale)
        .build();
    aws_sdk_dynamodb::config::Builder::from(sdk)
        .retry_config(retry)
        .timeout_config(timeouts)
        .interceptor(crate::store::observe::RequestMetrics)
}

/// The S3 client configuration from the SDK's: path-style addressing where an endpoint is
/// configured (`AWS_ENDPOINT_URL_S3`: a local S3 API server has no per-bucket host names).
pub fn s3_config(sdk: &aws_config::SdkConfig) -> aws_sdk_s3::config::Builder {
    let local = std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
    aws_sdk_s3::config::Builder::from(sdk).force_path_style(local)
}

/// The AWS SDK configuration from the environment.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await
}
