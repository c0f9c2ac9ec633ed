//! The glue between a function's `main` and the Lambda runtime.
//!
//! ```text
//! #[tokio::main]
//! async fn main() -> Result<(), shared::lambda::Error> {
//!     shared::lambda::run(shared::handler!(chatx::likes::like)).await
//! }
//! ```

use std::future::Future;
use std::pin::Pin;

pub use lambda_http::{Body, Error, Request, RequestExt, Response, http};

use crate::state::AppState;

pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = Response<Body>> + Send + 'a>>;

/// An endpoint: a plain async function of the container state and the request. It answers
/// every request itself (errors included), so it never fails the invocation.
pub type Handler = for<'a> fn(&'a AppState, Request) -> HandlerFuture<'a>;

/// A batch of the table's stream records.
pub use aws_lambda_events::event::dynamodb::Event as StreamEvent;
/// A record of a batch to hand again, from its sequence number.
pub use aws_lambda_events::event::streams::DynamoDbBatchItemFailure as StreamItemFailure;
/// The records of a batch to hand again (`ReportBatchItemFailures`).
pub use aws_lambda_events::event::streams::DynamoDbEventResponse as StreamResponse;

/// The table key a stream record names and its sequence number (`None` for a record without
/// string `PK` and `SK`).
pub fn record_key(record: &aws_lambda_events::event::dynamodb::EventRecord) -> Option<(crate::keys::Key, String)> {
    let text = |name: &str| match record.change.keys.get(name) {
        Some(serde_dynamo::AttributeValue::S(s)) => Some(s.clone()),
        _ => None,
    };
    let key = crate::keys::Key::new(text(crate::keys::PK)?, text(crate::keys::SK)?);
    Some((key, record.change.sequence_number.clone().unwrap_or_default()))
}

pub type StreamFuture<'a> = Pin<Box<dyn Future<Output = StreamResponse> + Send + 'a>>;

/// A function on the table's stream: the container state and a batch of records; it handles
/// every failure itself, answering the records to hand again.
pub type StreamHandler = for<'a> fn(&'a AppState, StreamEvent) -> StreamFuture<'a>;

/// A function on the table's stream, for the local gateway: its binary name (as in
/// `template.yaml`) and its handler.
pub struct StreamFunction {
    pub binary: &'static str,
    pub handler: StreamHandler,
}

/// A WebSocket API's `$connect` REQUEST authorizer's event: the upgrade request's headers and
/// query string, `methodArn` and the connection's `requestContext`.
pub use aws_lambda_events::event::apigw::ApiGatewayCustomAuthorizerRequestTypeRequest as AuthorizerRequest;
/// A REQUEST authorizer's answer: `principalId`, an IAM policy on the `methodArn`, and the
/// `context` API Gateway hands every later event of the connection (`requestContext.authorizer`).
pub type AuthorizerResponse = aws_lambda_events::event::apigw::ApiGatewayCustomAuthorizerResponse<
    std::collections::HashMap<String, serde_json::Value>,
>;

/// Why an authorizer answered no policy. API Gateway turns the error message `Unauthorized`,
/// and only that one, into a 401; any other failed invocation is a 500.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizerError {
    /// No valid identity: the handshake is refused with 401.
    #[error("Unauthorized")]
    Unauthorized,
    /// A fault on our side (logged by the handler): the handshake fails with 500.
    #[error("internal error")]
    Internal,
}

/// An `Allow` (or `Deny`) of `execute-api:Invoke` on `method_arn` for `principal_id`, with
/// `context` for the connection's later events.
pub fn authorizer_policy(
    principal_id: &str,
    allow: bool,
    method_arn: &str,
    context: std::collections::HashMap<String, serde_json::Value>,
) -> AuthorizerResponse {
    use aws_lambda_events::event::iam::{IamPolicyEffect, IamPolicyStatement};
    let mut statement = IamPolicyStatement::default();
    statement.action = vec!["execute-api:Invoke".to_owned()];
    statement.effect = if allow {
        IamPolicyEffect::Allow
    } else {
        IamPolicyEffect::Deny
    };
    statement.resource = vec![method_arn.to_owned()];
    let mut policy = aws_lambda_events::event::apigw::ApiGatewayCustomAuthorizerPolicy::default();
    policy.version = Some("2012-10-17".to_owned());
    policy.statement = vec![statement];
    let mut response = AuthorizerResponse::default();
    response.principal_id = Some(principal_id.to_owned());
    response.policy_document = policy;
    response.context = context;
    response
}

pub type AuthorizerFuture<'a> = Pin<Box<dyn Future<Output = Result<AuthorizerResponse, AuthorizerError>> + Send + 'a>>;

/// A `$connect` authorizer: the container state and the authorizer's event.
pub type AuthorizerHandler = for<'a> fn(&'a AppState, AuthorizerRequest) -> AuthorizerFuture<'a>;

/// An authorizer function, for the local gateway: its binary name (as in `template.yaml`) and
/// its handler.
pub struct AuthorizerFunction {
    pub binary: &'static str,
    pub handler: AuthorizerHandler,
}

/// A function of a surface, for the local gateway and the tests: its binary name (as in
/// `template.yaml`), the handler's path (which its `src/bin/<binary>.rs` must call) and the handler.
pub struct Function {
    pub binary: &'static str,
    pub handler_path: &'static str,
    pub handler: Handler,
}

/// Declares a surface's `functions()` registry: `"binary-name" => module::handler, ...`.
#[macro_export]
macro_rules! functions {
    ($crate_name:literal; $($binary:literal => $($path:ident)::+),* $(,)?) => {
        /// Every function of this surface.
        pub fn functions() -> ::std::vec::Vec<$crate::lambda::Function> {
            vec![$($crate::lambda::Function {
                binary: $binary,
                handler_path: concat!($crate_name, "::", stringify!($($path)::+)),
                handler: $crate::handler!($($path)::+),
            }),*]
        }
    };
}

/// Turns `async fn(&AppState, Request) -> Response<Body>` into a [`Handler`].
#[macro_export]
macro_rules! handler {
    ($f:path) => {{
        fn handler(state: &$crate::AppState, req: $crate::lambda::Request) -> $crate::lambda::HandlerFuture<'_> {
            ::std::boxed::Box::pin($f(state, req))
        }
        handler as $crate::lambda::Handler
    }};
}

/// Turns `async fn(&AppState, AuthorizerRequest) -> Result<AuthorizerResponse, AuthorizerError>`
/// into an [`AuthorizerHandler`].
#[macro_export]
macro_rules! authorizer {
    ($f:path) => {{
        fn handler(
            state: &$crate::AppState,
            event: $crate::lambda::AuthorizerRequest,
        ) -> $crate::lambda::AuthorizerFuture<'_> {
            ::std::boxed::Box::pin($f(state, event))
        }
        handler as $crate::lambda::AuthorizerHandler
    }};
}

/// Builds the container state once (the store only) and serves `handler` until the runtime
/// stops: [`run_with`] without extra clients.
pub async fn run(handler: Handler) -> Result<(), Error> {
    run_with(&[], handler).await
}

/// Builds the container state once, with the store and the extra `clients` the handler uses
/// (`shared::state::STORAGE`, `shared::state::PUSH`), and serves `handler` until the runtime stops. Each
/// invocation runs in the runtime's span (`requestId`, `xrayTraceId`: on every log line), and
/// what it recorded is written to stdout in Embedded Metric Format before its answer goes back.
pub async fn run_with(clients: &[crate::state::Client], handler: Handler) -> Result<(), Error> {
    let (state, metrics) = start(clients).await?;
    lambda_http::run(lambda_http::service_fn(move |req: Request| async move {
        let context = req.lambda_context_ref().cloned();
        let response = handler(state, req).await;
        if let (Some(collector), Some(context)) = (metrics, context) {
            crate::metrics::flush(collector, &context, std::io::stdout().lock());
        }
        Ok::<_, Error>(response)
    }))
    .await
}

/// [`run`] for a function on the table's stream: the same container state, logs and metrics.
pub async fn run_stream(handler: StreamHandler) -> Result<(), Error> {
    let (state, metrics) = start(&[]).await?;
    lambda_http::lambda_runtime::run(lambda_http::lambda_runtime::service_fn(
        move |event: lambda_http::lambda_runtime::LambdaEvent<StreamEvent>| async move {
            let response = handler(state, event.payload).await;
            if let Some(collector) = metrics {
                crate::metrics::flush(collector, &event.context, std::io::stdout().lock());
            }
            Ok::<_, Error>(response)
        },
    ))
    .await
}

/// [`run`] for a `$connect` authorizer: the same container state, logs and metrics, but no
/// store warm-up (an authorizer that checks a signed token reads nothing, and its role may not).
/// A refusal fails the invocation with the error message API Gateway reads:
/// [`AuthorizerError::Unauthorized`] is `Unauthorized` (401).
pub async fn run_authorizer(handler: AuthorizerHandler) -> Result<(), Error> {
    let (state, metrics) = container(&[]).await?;
    lambda_http::lambda_runtime::run(lambda_http::lambda_runtime::service_fn(
        move |event: lambda_http::lambda_runtime::LambdaEvent<AuthorizerRequest>| async move {
            let answer = handler(state, event.payload).await;
            if let Some(collector) = metrics {
                crate::metrics::flush(collector, &event.context, std::io::stdout().lock());
            }
            answer.map_err(|e| lambda_http::lambda_runtime::Diagnostic {
                error_type: format!("{e:?}"),
                error_message: e.to_string(),
            })
        },
    ))
    .await
}

/// A container's logs, metrics and state (with `clients`), set up once before its first
/// invocation.
async fn container(
    clients: &[crate::state::Client],
) -> Result<(&'static AppState, Option<&'static crate::metrics::Collector>), Error> {
    crate::telemetry::init();
    let metrics = crate::metrics::init();
    let state: &'static AppState = Box::leak(Box::new(AppState::from_env(clients).await?));
    Ok((state, metrics))
}

/// What a container sets up once, before its first invocation: logs, metrics, its state, and
/// its store connection, opened now ([`Store::warm_up`](crate::store::Store::warm_up)) so that
/// the connection's set-up (TLS included) is paid in init, not by the first request; and, at
/// the same time, its S3 connection where its requests call S3
/// ([`Storage::warm_up`](crate::storage::Storage::warm_up); not for those that only presign). A failed warm-up is logged and the
/// container starts anyway: the first request opens the connection.
async fn start(
    clients: &[crate::state::Client],
) -> Result<(&'static AppState, Option<&'static crate::metrics::Collector>), Error> {
    let (state, metrics) = container(clients).await?;
    let storage = async {
        match state.storage() {
            Ok(storage) if state.calls_s3 => storage.warm_up().await,
            _ => Ok(()), // no storage, or only presigning: nothing to open
        }
    };
    let (store, storage) = tokio::join!(state.store.warm_up(), storage);
    if let Err(error) = store {
        tracing::warn!(%error, "the store connection could not be opened during init");
    }
    if let Err(error) = storage {
        tracing::warn!(%error, "the S3 connection could not be opened during init");
    }
    Ok((state, metrics))
}
