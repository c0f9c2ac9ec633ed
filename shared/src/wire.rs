//! The one request skeleton every wire style plugs into: a `request` span (request ID, method,
//! path; the caller, operation and app once known), the route's work, the failure logged with its
//! cause, one `done` line with the outcome code, its DynamoDB requests and its duration, the
//! request's metrics (`Requests`, `Latency`, `Faults`: docs/operations.md), and the answer
//! rendered by the surface's style.
//!
//! A surface's wire module implements [`Wire`] (its envelope and its error codes, in one place)
//! and wraps [`serve`] in the entry points its handlers call (`authed`, `public`, …), which read
//! the surface's headers and token inside the work so every refusal is rendered the same way.

use std::future::Future;
use std::time::Instant;

use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use tracing::Instrument;

use crate::error::AppError;
use crate::idempotency::{Claimed, Hashing, Once, Stored};
use crate::metrics::{self, Outcome};
use crate::state::AppState;

/// An answer and the code it carries (an HTTP status, or the envelope's own code), for the log.
pub struct Answer {
    pub code: i64,
    pub response: Response<Body>,
}

/// A failure the skeleton can log before it is rendered.
pub trait Failure {
    /// Logs the failure: internal causes at error level with their sources, refusals at debug.
    fn log(&self);
    /// Whether it failed on our side (an internal error: a store fault, a bug) rather than
    /// refusing the client's request; faults are counted apart (`Faults`) and alarmed on.
    fn is_fault(&self) -> bool;
}

impl Failure for AppError {
    fn log(&self) {
        AppError::log(self)
    }
    fn is_fault(&self) -> bool {
        AppError::is_fault(self)
    }
}

/// A wire style: how a route's result becomes an HTTP response.
pub trait Wire {
    /// The service (surface) this style answers for: the `Service` dimension of its metrics.
    const SERVICE: &'static str;
    /// What a route's work answers.
    type Reply;
    /// What a route's work fails with.
    type Error: Failure;
    /// The request parameters (query, form or JSON body fields) that carry credentials rather
    /// than what is asked: left out of the idempotency hash, so a retry signed in again is the
    /// same request. Headers are never hashed.
    const CREDENTIALS: &'static [&'static str] = &[];
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
    observe::<W, _>(req, async move { settle(wire, work.await) }).await
}

/// [`serve`] in two steps: `admit` (headers, token, body: what the work needs, and the subject
/// the request acts for, the token's user or, where nobody signs in, the source) then `run`.
/// With `once` (a create's state), a request carrying an `Idempotency-Key` header runs at most
/// once per route, subject and key ([`crate::idempotency`]): a repeat gets the first answer, byte for
/// byte; without the header nothing more happens than in [`serve`].
pub async fn serve_steps<W, A, Admit, Run, Fut>(
    wire: &W,
    req: &Request,
    once: Option<&AppState>,
    admit: Admit,
    run: Run,
) -> Response<Body>
where
    W: Wire,
    W::Error: From<AppError>,
    Admit: Future<Output = Result<(String, A), W::Error>>,
    Run: FnOnce(A) -> Fut,
    Fut: Future<Output = Result<W::Reply, W::Error>>,
{
    observe::<W, _>(req, async move {
        let (subject, admitted) = match admit.await {
            Ok(admitted) => admitted,
            Err(err) => return settle(wire, Err(err)),
        };
        let once = match once {
            Some(state) => Once::of(
                &state.store,
                req,
                &subject,
                Hashing {
                    secret: state.config.token_secret.expose(),
                    credentials: W::CREDENTIALS,
                },
            ),
            None => Ok(None),
        };
        let lock = match once {
            Err(err) => return settle(wire, Err(err.into())),
            Ok(None) => None,
            Ok(Some(once)) => match once.claim().await {
                Ok(Claimed::Fresh(lock)) => Some(lock),
                Ok(Claimed::Done(first)) => {
                    tracing::info!(code = first.code, "idempotent repeat: the first answer again");
                    return (
                        Answer {
                            code: first.code,
                            response: first.response(),
                        },
                        Outcome::Ok,
                    );
                }
                Err(err) => return settle(wire, Err(err.into())),
            },
        };
        let (answer, outcome) = settle(wire, run(admitted).await);
        if let Some(lock) = lock {
            let kept = Stored::of(answer.code, &answer.response);
            lock.finish(&kept, outcome == Outcome::Ok).await;
        }
        (answer, outcome)
    })
    .await
}

/// `result` in `wire`'s style, with its outcome; a failure is logged first.
fn settle<W: Wire>(wire: &W, result: Result<W::Reply, W::Error>) -> (Answer, Outcome) {
    match result {
        Ok(reply) => (wire.success(reply), Outcome::Ok),
        Err(err) => {
            err.log();
            let outcome = if err.is_fault() {
                Outcome::Fault
            } else {
                Outcome::Refused
            };
            (wire.failure(&err), outcome)
        }
    }
}

/// Runs `answer` (a request's settled answer) inside the request's span, then writes its `done`
/// line and its metrics.
async fn observe<W, Fut>(req: &Request, answer: Fut) -> Response<Body>
where
    W: Wire,
    Fut: Future<Output = (Answer, Outcome)>,
{
    // A WebSocket frame has no method or path: its route key stands for both.
    // The route is the template's (`POST /chatx/like`, a WebSocket route key): what logs and
    // dashboards group by, where the path carries IDs.
    let (request_id, method, path, route) = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => (
            ctx.request_id.clone().unwrap_or_default(),
            req.method().to_string(),
            req.uri().path().to_owned(),
            ctx.route_key.clone().unwrap_or_default(),
        ),
        Some(RequestContext::WebSocket(ctx)) => {
            let route = ctx.route_key.clone().unwrap_or_default();
            (
                ctx.request_id.clone().unwrap_or_default(),
                "WEBSOCKET".to_owned(),
                route.clone(),
                route,
            )
        }
        _ => (
            String::new(),
            req.method().to_string(),
            req.uri().path().to_owned(),
            String::new(),
        ),
    };
    // Values a client chose are recorded quoted and escaped (`?`), so a header such as
    // `operationID: abc user_id="x"` can't forge a field of a plain-text log line.
    let started = Instant::now();
    let span = tracing::info_span!(
        "request",
        request_id = ?request_id,
        method = %method,
        path = ?path,
        route = %route,
        operation_id = tracing::field::Empty,
        app_id = tracing::field::Empty,
        user_id = tracing::field::Empty,
    );
    // Boxed: a route's future inside the request's span and metrics scope would nest past the
    // compiler's type-depth limit.
    let answer = Box::pin(answer);
    let request = async move {
        let (answer, outcome) = answer.await;
        let elapsed = started.elapsed();
        tracing::info!(
            code = answer.code,
            outcome = outcome.as_str(),
            dynamodb_requests = metrics::dynamodb_requests(),
            dynamodb_us = u64::try_from(metrics::dynamodb_time().as_micros()).unwrap_or(u64::MAX),
            duration_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            "done"
        );
        metrics::request(W::SERVICE, outcome, answer.code, elapsed);
        answer.response
    }
    .instrument(span);
    metrics::scoped(W::SERVICE, request).await
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
    use crate::metrics::tests::{document, emitted};
    use crate::telemetry::CapturedLogs;
    use lambda_http::http::StatusCode;
    use serde_json::json;

    struct Plain;

    impl Wire for Plain {
        const SERVICE: &'static str = "plain";
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

    /// Plain's style under a service of its own: the other tests serve `plain` meanwhile.
    struct Metered;

    impl Wire for Metered {
        const SERVICE: &'static str = "metered";
        type Reply = &'static str;
        type Error = AppError;
        fn success(&self, reply: &'static str) -> Answer {
            Plain.success(reply)
        }
        fn failure(&self, err: &AppError) -> Answer {
            Plain.failure(err)
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

    /// What serving `work` logs, as plain text lines.
    async fn logged(work: impl Future<Output = Result<&'static str, AppError>>) -> String {
        let logs = CapturedLogs::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(logs.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        serve(&Plain, &request(), work).await;
        logs.text()
    }

    #[tokio::test]
    async fn every_request_leaves_one_done_line_with_its_code_and_caller() {
        let text = logged(async {
            record_user("u-1");
            Err(AppError::bad_request("no"))
        })
        .await;
        let done: Vec<&str> = text.lines().filter(|l| l.contains("done")).collect();
        assert_eq!(done.len(), 1, "{text}");
        assert!(done[0].contains("code=42") && done[0].contains("u-1"), "{text}");
    }

    #[tokio::test]
    async fn a_client_chosen_value_cannot_forge_a_log_field() {
        let text = logged(async {
            record_operation("abc user_id=\"SPOOFED\" path=/chatx/admin");
            Ok("fine")
        })
        .await;
        let done = text.lines().find(|l| l.contains("done")).expect("a done line");
        assert!(
            done.contains(r#"operation_id="abc user_id=\"SPOOFED\" path=/chatx/admin""#),
            "{done}"
        );
        assert!(!done.contains(r#"user_id="SPOOFED""#), "{done}");
    }

    #[test]
    fn a_request_emits_its_count_latency_and_faults_in_embedded_metric_format() {
        let docs = emitted(async {
            for _ in 0..2 {
                serve(&Metered, &request(), async { Ok("fine") }).await;
            }
            serve(&Metered, &request(), async { Err(AppError::bad_request("no")) }).await;
            serve(&Metered, &request(), async { Err(AppError::internal("store down")) }).await;
        });
        let ok = document(&docs, &[("Service", "metered"), ("Outcome", "ok"), ("Code", "0")]);
        assert_eq!(ok["Requests"], 2);
        assert_eq!(
            ok["_aws"]["CloudWatchMetrics"],
            json!([{
                "Namespace": "Test",
                "Dimensions": [["Service", "Outcome", "Code"]],
                "Metrics": [{"Name": "Requests", "Unit": "Count"}],
            }])
        );
        let refused = document(&docs, &[("Service", "metered"), ("Outcome", "refused"), ("Code", "42")]);
        assert_eq!(refused["Requests"], 1);
        let fault = document(&docs, &[("Service", "metered"), ("Outcome", "fault"), ("Code", "42")]);
        assert_eq!(fault["Requests"], 1);

        let by_service = docs
            .iter()
            .find(|d| d["Service"] == "metered" && d.get("Outcome").is_none())
            .expect("a document by service alone");
        let directive = &by_service["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Dimensions"], json!([["Service"]]));
        let metrics = directive["Metrics"].as_array().expect("metrics");
        assert!(
            metrics.contains(&json!({"Name": "Latency", "Unit": "Milliseconds"})),
            "{by_service}"
        );
        assert!(
            metrics.contains(&json!({"Name": "Faults", "Unit": "Count"})),
            "{by_service}"
        );
        assert_eq!(by_service["Latency"].as_array().map(Vec::len), Some(4), "{by_service}");
        assert_eq!(by_service["Faults"], 1);
    }

    #[tokio::test]
    async fn the_done_line_tells_the_outcome_and_duration() {
        let logs = CapturedLogs::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(logs.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        serve(&Plain, &request(), async {
            Err::<&str, _>(AppError::internal("store down"))
        })
        .await;
        let text = logs.text();
        let done = text.lines().find(|l| l.contains("done")).expect("a done line");
        for field in [
            "code=42",
            "outcome=\"fault\"",
            "dynamodb_requests=0",
            "dynamodb_us=0",
            "duration_ms=",
        ] {
            assert!(done.contains(field), "{field} in {done}");
        }
    }
}
