//! The nobase wire style, as nobase answers: HTTP 200 with `{code, msg, data}`; `msg` is `success` (code 200)
//! or `fail`; `data` is the result, or on failure the reason as a string. Parameters arrive in the
//! query string, an `application/x-www-form-urlencoded` body or a JSON body (a body's value wins
//! over the query's). Each endpoint's checks run in a fixed order:
//!
//! 1. the endpoint's required parameters, in its documented order (204 `接口参数错误:缺少<name>`);
//! 2. the endpoint's own parameter values (e.g. 405 `like参数错误(需为1或2)`);
//! 3. the app, its signature and status, its developer, and the user ([`gate`] lists them);
//! 4. the endpoint's own work (e.g. the like transaction).
//!
//! Every (code, message) pair is in [`Refusal`]; an internal fault is 405 `操作失败` (the seed's
//! "操作失败"), with its cause in the logs only. docs/nobase.md is the reference.

use std::collections::HashMap;
use std::future::Future;

use lambda_http::http::StatusCode;
use lambda_http::http::header::CONTENT_TYPE;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use serde_json::Value;

use crate::gate::{self, Identity, Session};
use crate::{NobaseError, Refusal};

use shared::error::{AppError, IdempotencyError};
use shared::http;
use shared::state::AppState;
use shared::throttle;
use shared::wire::{self, Answer, Failure, Wire};

pub const SUCCESS: i32 = 200;
/// What an internal fault answers (the seed: "数据库更新…失败返回'操作失败'", code 405).
pub const FAILED: (i32, &str) = (405, "操作失败");
/// The store stayed busy or out of reach through its retries: retry later (ours;
/// docs/reliability.md).
pub const BUSY: i32 = 503;

/// An endpoint: its required parameters, in the order they are checked, and who it acts as.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    pub required: &'static [&'static str],
    pub identity: Identity,
    /// Whether it creates something, and so honours an `Idempotency-Key` header
    /// (`shared::idempotency`): a repeat gets the first answer.
    pub creates: bool,
}

/// A request's parameters: the query string, then the body's (which win). Values are text; a
/// JSON number or boolean reads as its text, `null` as absent, an array or object is refused
/// (204 `接口参数错误:<name>必须为字符串`). The body is a form or JSON: its content type says
/// which (without one, a body opening with `{` is JSON); any other type is refused.
#[derive(Default)]
pub struct Params(HashMap<String, String>);

impl std::fmt::Debug for Params {
    // Values include passwords, tokens and signatures: only the names are ever shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

enum BodyKind {
    Form,
    Json,
}

fn body_kind(content_type: Option<&str>, body: &[u8]) -> Result<BodyKind, Refusal> {
    let mime = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match mime.as_str() {
        "application/x-www-form-urlencoded" => Ok(BodyKind::Form),
        m if m == "application/json" || m.ends_with("+json") => Ok(BodyKind::Json),
        // No type: a body that opens like a JSON object is JSON, else a form.
        "" if body.trim_ascii_start().starts_with(b"{") => Ok(BodyKind::Json),
        "" => Ok(BodyKind::Form),
        // Another type (text/plain, multipart/…) is not read as parameters.
        _ => Err(Refusal::UnreadableBody("请求体请用表单(x-www-form-urlencoded)或JSON")),
    }
}

impl Params {
    pub fn from_request(req: &Request) -> Result<Self, Refusal> {
        let mut params = Self::default();
        if let Some(query) = req.uri().query() {
            params.extend_form(query.as_bytes());
        }
        let body = http::body_bytes(req);
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(params);
        }
        if body.len() > http::MAX_JSON_BODY {
            return Err(Refusal::UnreadableBody("请求体过大"));
        }
        match body_kind(http::header(req, CONTENT_TYPE.as_str()), body)? {
            BodyKind::Form => params.extend_form(body),
            BodyKind::Json => {
                let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
                    return Err(Refusal::UnreadableBody("请求体不是有效的JSON对象"));
                };
                for (name, value) in fields {
                    let text = match value {
                        Value::Null => continue,
                        Value::String(s) => s,
                        Value::Array(_) | Value::Object(_) => return Err(Refusal::NotText(name)),
                        other => other.to_string(),
                    };
                    params.0.insert(name, text);
                }
            }
        }
        Ok(params)
    }

    fn extend_form(&mut self, bytes: &[u8]) {
        for (name, value) in form_urlencoded::parse(bytes) {
            self.0.insert(name.into_owned(), value.into_owned());
        }
    }

    /// A parameter, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// A parameter as sent (a password keeps its spaces); `None` when absent or blank.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|v| !v.trim().is_empty())
    }

    /// [`Params::get`] for a parameter the endpoint requires (checked before its parser runs).
    pub fn required(&self, name: &str) -> &str {
        self.get(name).unwrap_or_default()
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    code: i32,
    msg: &'a str,
    data: Value,
}

/// A success: `{code: 200, msg: "success", data}`.
pub fn success(data: Value) -> Response<Body> {
    http::json_response(
        StatusCode::OK,
        &Envelope {
            code: SUCCESS,
            msg: "success",
            data,
        },
    )
}

/// A failure: `{code, msg: "fail", data: <reason>}`; the one place nobase errors become codes.
pub fn failure(err: &NobaseError) -> Response<Body> {
    let (code, reason) = render(err);
    http::json_response(
        StatusCode::OK,
        &Envelope {
            code,
            msg: "fail",
            data: Value::String(reason),
        },
    )
}

fn render(err: &NobaseError) -> (i32, String) {
    let refused = |r: Refusal| (r.code(), r.message().into_owned());
    match err {
        NobaseError::Refused(r) => refused(r.clone()),
        NobaseError::App(e) => match e {
            AppError::BadRequest(m) => (204, format!("接口参数错误:{m}")),
            AppError::Invalid(_) => (204, format!("接口参数错误:{e}")),
            AppError::Unauthenticated(_) => refused(Refusal::TokenInvalid),
            AppError::BadCredentials(_) => refused(Refusal::BadCredentials),
            AppError::Forbidden(m) => (404, m.to_string()),
            AppError::NotFound(m) => (407, m.to_string()),
            AppError::Conflict(m) => (405, m.to_string()),
            AppError::Throttled { retry_after_secs } => (429, format!("操作过于频繁,请{retry_after_secs}秒后再试!")),
            AppError::Unavailable(_) => (BUSY, format!("服务器繁忙,请{}秒后再试!", AppError::RETRY_AFTER_SECS)),
            AppError::Idempotency(IdempotencyError::InProgress) => (409, "请求正在处理中,请稍后重试!".to_owned()),
            AppError::Idempotency(IdempotencyError::Mismatch) => {
                (422, "该幂等键(Idempotency-Key)已用于另一请求!".to_owned())
            }
            AppError::Internal(_) => (FAILED.0, FAILED.1.to_owned()),
        },
    }
}

impl Failure for NobaseError {
    fn log(&self) {
        match self {
            NobaseError::Refused(r) => tracing::debug!(code = r.code(), "request refused"),
            NobaseError::App(e) => e.log(),
        }
    }
    fn is_fault(&self) -> bool {
        matches!(self, NobaseError::App(e) if e.is_fault())
    }
}

/// The nobase wire style: every answer is HTTP 200 with `{code, msg, data}`.
struct Nobase;

impl Wire for Nobase {
    const SERVICE: &'static str = "nobase";
    type Reply = Value;
    type Error = NobaseError;
    /// A token mode request signs in with `token`, a parameter like any other.
    const CREDENTIALS: &'static [&'static str] = &["token"];

    fn success(&self, data: Value) -> Answer {
        Answer {
            code: SUCCESS.into(),
            response: success(data),
        }
    }

    fn failure(&self, err: &NobaseError) -> Answer {
        Answer {
            code: render(err).0.into(),
            response: failure(err),
        }
    }
}

/// Serves a nobase endpoint: reads the parameters, checks the required ones in order, runs
/// `parse` (the endpoint's own parameter checks), then the [`gate`]'s checks, then `run` with
/// what they established. Whatever `run` returns becomes `data`.
pub async fn serve<I, T, P, F, Fut>(
    state: &AppState,
    req: Request,
    endpoint: &Endpoint,
    parse: P,
    run: F,
) -> Response<Body>
where
    P: FnOnce(&Params) -> Result<I, Refusal>,
    F: FnOnce(Session, I) -> Fut,
    Fut: Future<Output = Result<T, NobaseError>>,
    T: Serialize,
{
    let admit = async {
        let params = Params::from_request(&req)?;
        if let Some(missing) = endpoint.required.iter().find(|name| params.get(name).is_none()) {
            return Err(Refusal::Missing(missing).into());
        }
        let appid = params.required("appid");
        if shared::ids::is_valid_id(appid) {
            wire::record_app(appid);
        }
        let input = parse(&params)?;
        let source = throttle::source(&req);
        let session = gate::open(state, &params, endpoint.identity, &source).await?;
        let subject = match endpoint.identity {
            Identity::App => source,
            Identity::Credentials | Identity::User => throttle::user(&session.user().user_id),
        };
        Ok((subject, (session, input)))
    };
    let once = endpoint.creates.then_some(state);
    // Boxed: the steps' futures, instrumented, would nest past the compiler's type-depth limit.
    wire::serve_steps(&Nobase, &req, once, Box::pin(admit), |(session, input)| async {
        let data = Box::pin(run(session, input)).await?;
        serde_json::to_value(data).map_err(|e| NobaseError::App(AppError::internal(e)))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(resp: &Response<Body>) -> Value {
        assert_eq!(resp.status(), 200, "nobase answers with HTTP 200");
        match resp.body() {
            Body::Text(t) => serde_json::from_str(t).unwrap(),
            other => panic!("unexpected body {other:?}"),
        }
    }

    fn request(uri: &str, content_type: Option<&str>, body: &str) -> Request {
        let mut b = lambda_http::http::Request::builder().method("POST").uri(uri);
        if let Some(ct) = content_type {
            b = b.header("content-type", ct);
        }
        b.body(Body::Text(body.into())).unwrap()
    }

    #[test]
    fn success_envelope_is_exactly_the_seeds() {
        assert_eq!(
            body(&success(Value::String("操作成功".into()))),
            serde_json::json!({"code":200,"msg":"success","data":"操作成功"})
        );
    }

    #[test]
    fn failure_envelope_is_exactly_the_seeds() {
        assert_eq!(
            body(&failure(&Refusal::Missing("like").into())),
            serde_json::json!({"code":204,"msg":"fail","data":"接口参数错误:缺少like"})
        );
        assert_eq!(
            body(&failure(&Refusal::DeveloperOverdue { days: 3 }.into())),
            serde_json::json!({"code":404,"msg":"fail","data":"开发者账号已逾期(3天),请缴费后重试!"})
        );
    }

    #[test]
    fn internal_faults_are_the_seeds_operation_failed_without_their_cause() {
        let err = NobaseError::App(AppError::internal("ResourceNotFoundException: table social is missing"));
        let answer = body(&failure(&err));
        assert_eq!(answer, serde_json::json!({"code":405,"msg":"fail","data":"操作失败"}));
    }

    #[test]
    fn the_renderer_understands_the_shared_errors() {
        let token = body(&failure(&AppError::from(shared::auth::TokenError::Expired).into()));
        assert_eq!(token["code"], 401);
        assert_eq!(token["data"], "token无效或已过期(非当前应用/开发者)!");
        let bad = body(&failure(&AppError::bad_request("x").into()));
        assert_eq!(
            (bad["code"].as_i64(), bad["data"].as_str()),
            (Some(204), Some("接口参数错误:x"))
        );
    }

    #[test]
    fn parameters_come_from_the_query_and_a_form_body_which_wins() {
        let p = Params::from_request(&request(
            "/api/bbs/post_like?appid=a1&like=1&uid=b%201",
            Some("application/x-www-form-urlencoded; charset=UTF-8"),
            "like=2&id=p+1&title=%E4%BD%A0%E5%A5%BD",
        ))
        .unwrap();
        assert_eq!(p.get("appid"), Some("a1"));
        assert_eq!(p.get("like"), Some("2"));
        assert_eq!(p.get("uid"), Some("b 1"));
        assert_eq!(p.get("id"), Some("p 1"));
        assert_eq!(p.get("title"), Some("你好"));
        assert_eq!(p.get("token"), None);
    }

    #[test]
    fn json_bodies_read_numbers_as_text_and_null_as_absent() {
        for ct in [Some("application/json"), None] {
            let p = Params::from_request(&request(
                "/x?token=t",
                ct,
                r#"{"appid":"a1","like":1,"token":null,"pass":" p w "}"#,
            ))
            .unwrap();
            assert_eq!(
                (p.get("appid"), p.get("like"), p.get("token")),
                (Some("a1"), Some("1"), Some("t"))
            );
            assert_eq!(p.raw("pass"), Some(" p w "));
            assert_eq!(p.get("pass"), Some("p w"));
        }
    }

    #[test]
    fn blank_values_are_absent() {
        let p = Params::from_request(&request("/x?appid=%20&uid=", None, "")).unwrap();
        assert_eq!((p.get("appid"), p.get("uid")), (None, None));
    }

    #[test]
    fn unreadable_bodies_are_refused_with_a_reason() {
        let cases = [
            (Some("application/json"), "[1,2]".to_owned(), "请求体不是有效的JSON对象"),
            (None, "{nope".to_owned(), "请求体不是有效的JSON对象"),
            (
                Some("multipart/form-data; boundary=x"),
                "--x".to_owned(),
                "请求体请用表单(x-www-form-urlencoded)或JSON",
            ),
            (None, "a=".repeat(http::MAX_JSON_BODY), "请求体过大"),
        ];
        for (ct, body, why) in cases {
            assert_eq!(
                Params::from_request(&request("/x", ct, &body)).unwrap_err(),
                Refusal::UnreadableBody(why)
            );
        }
    }

    #[test]
    fn debug_output_shows_names_only() {
        let p = Params::from_request(&request("/x?pass=hunter22&signature=s3cret", None, "")).unwrap();
        let shown = format!("{p:?}");
        assert!(!shown.contains("hunter22") && !shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("pass"));
    }

    #[test]
    fn fields_are_text_and_bodies_a_form_or_json() {
        let read = |ct: Option<&str>, b: &str| Params::from_request(&request("/api/user/register", ct, b));
        assert_eq!(
            read(Some("application/json"), r#"{"pass":{"a":"bcdefg"}}"#).unwrap_err(),
            Refusal::NotText("pass".into())
        );
        assert_eq!(
            Refusal::NotText("pass".into()).message(),
            "接口参数错误:pass必须为字符串"
        );
        assert!(matches!(
            read(Some("application/json"), r#"{"user":["a"]}"#),
            Err(Refusal::NotText(_))
        ));
        assert!(matches!(
            read(Some("text/plain"), r#"{"user":"a"}"#),
            Err(Refusal::UnreadableBody(_))
        ));
        let p = read(None, r#"{"user":"a","n":5}"#).unwrap();
        assert_eq!((p.get("user"), p.get("n")), (Some("a"), Some("5")));
        assert_eq!(read(None, "user=b").unwrap().get("user"), Some("b"));
    }
}
