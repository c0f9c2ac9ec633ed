//! The chatx wire style, as OpenIM answers: HTTP 200 with `{errCode, errMsg, errDlt, data}`.
//!
//! Every chatx route needs the `operationID` header (checked first) and, except register and
//! login, a `token` header (checked second). Error codes (see `docs/auth.md`):
//!
//! | errCode | errMsg | when |
//! |---|---|---|
//! | 0 | | success |
//! | 500 | ServerInternalError | a fault on our side (details go to the logs only) |
//! | 503 | ServerBusyError | the store stayed busy through its retries: retry after 1 s (ours; docs/reliability.md) |
//! | 1001 | ArgsError | missing header, missing or invalid argument, bad JSON, `token is empty` |
//! | 1002 | NoPermissionError | acting on someone else's post or comment |
//! | 1003 | DuplicateKeyError | account already registered |
//! | 1004 | RecordNotFoundError | post, comment, reply target or user not found |
//! | 1501 | TokenExpiredError | token past its `exp` |
//! | 1502 | TokenInvalidError | bad signature, wrong audience or issuer, wrong algorithm |
//! | 1503 | TokenMalformedError | not a JWT at all |
//! | 20001 | PasswordError | login with a wrong account or password |
//! | 1409 | IdempotencyInProgressError | a repeat under an `Idempotency-Key` whose first request is still running (retry) |
//! | 1422 | IdempotencyKeyReusedError | an `Idempotency-Key` already used with another request |

use std::future::Future;

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use shared::auth::{Caller, TokenError};
use shared::error::{AppError, IdempotencyError};
use shared::http;
use shared::state::AppState;
use shared::throttle;
use shared::wire::{self, Answer, Wire};

pub const OPERATION_ID: &str = "operationID";
pub const TOKEN: &str = "token";

pub mod code {
    pub const SUCCESS: i32 = 0;
    pub const SERVER_INTERNAL: i32 = 500;
    /// The store stayed busy or out of reach through its retries: retry later (ours).
    pub const SERVER_BUSY: i32 = 503;
    pub const ARGS: i32 = 1001;
    pub const NO_PERMISSION: i32 = 1002;
    pub const DUPLICATE_KEY: i32 = 1003;
    pub const RECORD_NOT_FOUND: i32 = 1004;
    pub const TOKEN_EXPIRED: i32 = 1501;
    pub const TOKEN_INVALID: i32 = 1502;
    pub const TOKEN_MALFORMED: i32 = 1503;
    pub const PASSWORD: i32 = 20001;
    /// A rate limit (ours: OpenIM's server has none of its own; the HTTP status's number).
    pub const TOO_MANY_REQUESTS: i32 = 1429;
    /// A repeat under an `Idempotency-Key` whose first request is still running: retry (ours,
    /// as 1429: the HTTP status's number).
    pub const IDEMPOTENCY_IN_PROGRESS: i32 = 1409;
    /// An `Idempotency-Key` already used with another request (ours).
    pub const IDEMPOTENCY_MISMATCH: i32 = 1422;
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    err_code: i32,
    err_msg: &'a str,
    err_dlt: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<serde_json::Value>,
}

/// The chatx wire style: every answer is HTTP 200 with the envelope.
struct Openim;

impl Wire for Openim {
    const SERVICE: &'static str = "chatx";
    type Reply = serde_json::Value;
    type Error = AppError;

    fn success(&self, data: serde_json::Value) -> Answer {
        Answer {
            code: code::SUCCESS.into(),
            response: success(data),
        }
    }

    fn failure(&self, err: &AppError) -> Answer {
        Answer {
            code: render(err).0.into(),
            response: failure(err),
        }
    }
}

/// A success envelope; `data` is left out when it is `null`.
pub fn success(data: serde_json::Value) -> Response<Body> {
    let data = (!data.is_null()).then_some(data);
    http::json_response(
        StatusCode::OK,
        &Envelope {
            err_code: code::SUCCESS,
            err_msg: "",
            err_dlt: "",
            data,
        },
    )
}

/// The error envelope for `err`: the one place chatx errors are mapped to codes.
pub fn failure(err: &AppError) -> Response<Body> {
    let (err_code, err_msg, err_dlt) = render(err);
    http::json_response(
        StatusCode::OK,
        &Envelope {
            err_code,
            err_msg,
            err_dlt: &err_dlt,
            data: None,
        },
    )
}

fn render(err: &AppError) -> (i32, &'static str, String) {
    use AppError::*;
    match err {
        BadRequest(m) => (code::ARGS, "ArgsError", m.to_string()),
        Invalid(e) => (code::ARGS, "ArgsError", e.to_string()),
        Unauthenticated(t) => {
            let (c, m) = match t {
                TokenError::Missing => (code::ARGS, "ArgsError"),
                TokenError::Expired => (code::TOKEN_EXPIRED, "TokenExpiredError"),
                TokenError::Invalid => (code::TOKEN_INVALID, "TokenInvalidError"),
                TokenError::Malformed => (code::TOKEN_MALFORMED, "TokenMalformedError"),
            };
            (c, m, t.to_string())
        }
        BadCredentials(m) => (code::PASSWORD, "PasswordError", m.to_string()),
        Forbidden(m) => (code::NO_PERMISSION, "NoPermissionError", m.to_string()),
        NotFound(m) => (code::RECORD_NOT_FOUND, "RecordNotFoundError", m.to_string()),
        Conflict(m) => (code::DUPLICATE_KEY, "DuplicateKeyError", m.to_string()),
        Throttled { .. } => (code::TOO_MANY_REQUESTS, "TooManyRequestsError", err.to_string()),
        Unavailable(_) => (code::SERVER_BUSY, "ServerBusyError", err.to_string()),
        Idempotency(IdempotencyError::InProgress) => (
            code::IDEMPOTENCY_IN_PROGRESS,
            "IdempotencyInProgressError",
            err.to_string(),
        ),
        Idempotency(IdempotencyError::Mismatch) => {
            (code::IDEMPOTENCY_MISMATCH, "IdempotencyKeyReusedError", err.to_string())
        }
        Internal(_) => (
            code::SERVER_INTERNAL,
            "ServerInternalError",
            "internal error".to_owned(),
        ),
    }
}

/// Serves a route that needs a token: `operationID`, then `token`, then the JSON body `B`,
/// then `run` with the verified caller. Whatever `run` returns becomes `data`.
pub async fn authed<B, T, F, Fut>(state: &AppState, req: Request, run: F) -> Response<Body>
where
    B: DeserializeOwned,
    T: Serialize,
    F: FnOnce(Caller, B) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    serve(state, req, true, None, |caller, body| {
        run(caller.expect("authenticated route has a caller"), body)
    })
    .await
}

/// [`authed`] for a create, which honours an `Idempotency-Key` header (`shared::idempotency`):
/// a repeat gets the first answer.
pub async fn authed_create<B, T, F, Fut>(state: &AppState, req: Request, run: F) -> Response<Body>
where
    B: DeserializeOwned,
    T: Serialize,
    F: FnOnce(Caller, B) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    serve(state, req, true, Some(state), |caller, body| {
        run(caller.expect("authenticated route has a caller"), body)
    })
    .await
}

/// Serves a route that needs no token (login): `operationID`, then the body.
pub async fn public<B, T, F, Fut>(state: &AppState, req: Request, run: F) -> Response<Body>
where
    B: DeserializeOwned,
    T: Serialize,
    F: FnOnce(B) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    serve(state, req, false, None, |_, body| run(body)).await
}

/// [`public`] for a create (register), which honours an `Idempotency-Key` header scoped to the
/// request's source.
pub async fn public_create<B, T, F, Fut>(state: &AppState, req: Request, run: F) -> Response<Body>
where
    B: DeserializeOwned,
    T: Serialize,
    F: FnOnce(B) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    serve(state, req, false, Some(state), |_, body| run(body)).await
}

async fn serve<B, T, F, Fut>(
    state: &AppState,
    req: Request,
    needs_token: bool,
    once: Option<&AppState>,
    run: F,
) -> Response<Body>
where
    B: DeserializeOwned,
    T: Serialize,
    F: FnOnce(Option<Caller>, B) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    let admit = async {
        let operation_id =
            http::header(&req, OPERATION_ID).ok_or_else(|| AppError::bad_request("header must have operationID"))?;
        wire::record_operation(operation_id);
        let caller = if needs_token {
            let caller = state
                .tokens
                .verify(http::header(&req, TOKEN).unwrap_or_default(), crate::AUDIENCE)?;
            wire::record_user(caller.user_id());
            Some(caller)
        } else {
            None
        };
        let body: B = http::json_body(&req)?;
        let subject = match &caller {
            Some(caller) => throttle::user(caller.user_id()),
            None => throttle::source(&req),
        };
        Ok((subject, (caller, body)))
    };
    wire::serve_steps(&Openim, &req, once, admit, |(caller, body)| async {
        // Boxed: the route's future, instrumented, would nest past the compiler's type-depth limit.
        let data = Box::pin(run(caller, body)).await?;
        serde_json::to_value(data).map_err(AppError::internal)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(resp: &Response<Body>) -> serde_json::Value {
        match resp.body() {
            Body::Text(t) => serde_json::from_str(t).unwrap(),
            other => panic!("unexpected body {other:?}"),
        }
    }

    #[test]
    fn success_envelope_is_exactly_the_seeds() {
        let resp = success(serde_json::json!({"likeCount": 12}));
        assert_eq!(resp.status(), 200);
        assert_eq!(
            body(&resp),
            serde_json::json!({"errCode":0,"errMsg":"","errDlt":"","data":{"likeCount":12}})
        );
    }

    #[test]
    fn failure_envelope_is_exactly_the_seeds() {
        let resp = failure(&AppError::bad_request("postID and userID are required"));
        assert_eq!(resp.status(), 200);
        assert_eq!(
            body(&resp),
            serde_json::json!({"errCode":1001,"errMsg":"ArgsError","errDlt":"postID and userID are required"})
        );
    }

    #[test]
    fn missing_token_is_an_args_error() {
        let resp = failure(&TokenError::Missing.into());
        assert_eq!(
            body(&resp),
            serde_json::json!({"errCode":1001,"errMsg":"ArgsError","errDlt":"token is empty"})
        );
    }

    #[test]
    fn token_errors_have_distinct_15xx_codes() {
        let codes: Vec<i64> = [TokenError::Expired, TokenError::Invalid, TokenError::Malformed]
            .into_iter()
            .map(|t| body(&failure(&t.into()))["errCode"].as_i64().unwrap())
            .collect();
        assert_eq!(codes, [1501, 1502, 1503]);
    }

    #[test]
    fn internal_errors_say_nothing_of_their_cause() {
        let resp = failure(&AppError::internal(
            "ResourceNotFoundException: table social is missing",
        ));
        let text = serde_json::to_string(&body(&resp)).unwrap();
        assert!(!text.contains("ResourceNotFound") && !text.contains("social"), "{text}");
        assert_eq!(body(&resp)["errCode"], 500);
    }

    #[test]
    fn empty_data_is_left_out() {
        assert_eq!(
            body(&success(serde_json::Value::Null)),
            serde_json::json!({"errCode":0,"errMsg":"","errDlt":""})
        );
    }
}
