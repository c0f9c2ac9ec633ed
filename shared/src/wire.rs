//! The one request skeleton every wire style plugs into: a `request` span (request ID, method,
//! path; the caller, operation and app once known), the route's work, the failure logged with its
//! cause, one `done` line with the outcome code, and the answer rendered by the surface's style.
//!
//! A surface's wire module implements [`Wire`] (its envelope and its error codes, in one place)
//! and wraps [`serve`] in the entry points its handlers call (`authed`, `public`, …), which read
//! the surface's headers and token inside the work so every refusal is rendered the same way.

use std::future::Future;

use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use tracing::Instrument;

use crate::error::AppError;

/// An answer and the code it carries (an HTTP status, or the envelope's own code), for the log.
pub struct Answer {
    pub code: i64,
    pub response: Response<Body>,
}

/// A failure the skeleton can log before it is rendered.
pub trait Failure {
    /// Logs the failure: internal causes at error level with their sources, refusals at debug.
    fn log(&self);
}

impl Failure for AppError {
    fn log(&self) {
        AppError::log(self)
    }
}

/// A wire style: how a route's result becomes an HTTP response.
pub trait Wire {
    /// What a route's work answers.
    type Reply;
    /// What a route's work fails with.
    type Error: Failure;
    fn success(&self, reply: Self::Reply) -> Answer;
    fn failure(&self, err: &Self::Error) -> Answer;
}

/// Runs `work` for `req` inside its request span and renders the outcome in `wire`'s style.
/// Nothing fails the invocation: every outcome is an answer.
pub async fn serve<W, Fut>(wire: &W, req: &Request, work: Fut) -> Response<Body>
where
    W: Wire,
    Fut: Future<Output = Result<W::Reply, W::Error>>,
{
    // A WebSocket frame has no method or path: its route key stands for both.
    let (request_id, method, path) = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => (
            ctx.request_id.clone().unwrap_or_default(),
            req.method().to_string(),
            req.uri().path().to_owned(),
        ),
        Some(RequestContext::WebSocket(ctx)) => (
            ctx.request_id.clone().unwrap_or_default(),
            "WEBSOCKET".to_owned(),
            ctx.route_key.clone().unwrap_or_default(),
        ),
        _ => (String::new(), req.method().to_string(), req.uri().path().to_owned()),
    };
    // Values a client chose are recorded quoted and escaped (`?`), so a header such as
    // `operationID: abc user_id="x"` can't forge a field of a plain-text log line.
    let span = tracing::info_span!(
        "request",
        request_id = ?request_id,
        method = %method,
        path = ?path,
        operation_id = tracing::field::Empty,
        app_id = tracing::field::Empty,
        user_id = tracing::field::Empty,
    );
    async move {
        let answer = match work.await {
            Ok(reply) => wire.success(reply),
            Err(err) => {
                err.log();
                wire.failure(&err)
            }
        };
        tracing::info!(code = answer.code, "done");
        answer.response
    }
    .instrument(span)
    .await
}

/// Names the caller in the current request span.
pub fn record_user(user_id: &str) {
    tracing::Span::current().record("user_id", tracing::field::debug(user_id));
}

/// Names the client's operation ID (a correlation ID the client sent) in the current span.
pub fn record_operation(operation_id: &str) {
    tracing::Span::current().record("operation_id", tracing::field::debug(operation_id));
}

/// Names the app (of a multi-app surface) in the current span.
pub fn record_app(app_id: &str) {
    tracing::Span::current().record("app_id", tracing::field::debug(app_id));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::CapturedLogs;
    use lambda_http::http::StatusCode;

    struct Plain;

    impl Wire for Plain {
        type Reply = &'static str;
        type Error = AppError;
        fn success(&self, reply: &'static str) -> Answer {
            let mut response = Response::new(Body::Text(reply.into()));
            *response.status_mut() = StatusCode::OK;
            Answer { code: 0, response }
        }
        fn failure(&self, err: &AppError) -> Answer {
            let mut response = Response::new(Body::Text(err.to_string()));
            *response.status_mut() = StatusCode::BAD_REQUEST;
            Answer { code: 42, response }
        }
    }

    fn request() -> Request {
        lambda_http::http::Request::builder()
            .uri("/x")
            .body(Body::Empty)
            .unwrap()
    }

    #[tokio::test]
    async fn renders_success_and_failure_in_the_styles_way() {
        let ok = serve(&Plain, &request(), async { Ok("fine") }).await;
        assert_eq!((ok.status(), ok.body()), (StatusCode::OK, &Body::Text("fine".into())));
        let err = serve(&Plain, &request(), async { Err(AppError::bad_request("no")) }).await;
        assert_eq!(
            (err.status(), err.body()),
            (StatusCode::BAD_REQUEST, &Body::Text("no".into()))
        );
    }

    #[tokio::test]
    async fn every_request_leaves_one_done_line_with_its_code_and_caller() {
        let logs = CapturedLogs::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(logs.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        serve(&Plain, &request(), async {
            record_user("u-1");
            Err::<&str, _>(AppError::bad_request("no"))
        })
        .await;
        let text = logs.text();
        let done: Vec<&str> = text.lines().filter(|l| l.contains("done")).collect();
        assert_eq!(done.len(), 1, "{text}");
        assert!(done[0].contains("code=42") && done[0].contains("u-1"), "{text}");
    }

    #[tokio::test]
    async fn a_client_chosen_value_cannot_forge_a_log_field() {
        let logs = CapturedLogs::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(logs.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        serve(&Plain, &request(), async {
            record_operation("abc user_id=\"SPOOFED\" path=/chatx/admin");
            Ok("fine")
        })
        .await;
        let text = logs.text();
        let done = text.lines().find(|l| l.contains("done")).expect("a done line");
        assert!(
            done.contains(r#"operation_id="abc user_id=\"SPOOFED\" path=/chatx/admin""#),
            "{done}"
        );
        assert!(!done.contains(r#"user_id="SPOOFED""#), "{done}");
    }
}
