//! The weifChat wire style (seed 003, an Express app): every answer is HTTP 200 with the JSON
//! body `{status, msg, data}` (each part only when the row shows it, plus a row's extra fields
//! such as `start`, `_id`, `state` or `result`). The application status lives in the body, as
//! the original `res.send({status: …})` answers did:
//!
//! | status | when |
//! |---|---|
//! | 200 | success (`msg` and/or `data` as each route's row prints them) |
//! | 201, 202 | success variants some rows define (`暂无更多`, not yet friends) |
//! | 400 | refused by a rule: duplicate, not found, not allowed in this state (`该用户已注册` …) |
//! | 401 | no valid token, or a wrong password at login |
//! | 403 | the caller may not do this (someone else's data, a parameter naming another user) |
//! | 404 | a fault on our side: the route's own failure body (`注册失败`, `data: '服务器错误'` …); details only in the logs |
//! | 405 | `参数错误`, `data` the express-validator list `[{type: "field", msg, path, location}]` |
//! | 429 | a rate limit: `操作过于频繁, 请<n>秒后再试` (ours; the original had none) |
//! | 503 | the store stayed busy through its retries: `服务器繁忙, 请1秒后再试` (ours; docs/reliability.md) |
//! | 409 | a repeat under an `Idempotency-Key` whose first request is still running: `请求正在处理中, 请稍后重试` (ours) |
//! | 422 | an `Idempotency-Key` already used with another request: `该Idempotency-Key已用于另一请求` (ours) |
//!
//! Parameters come from the query string (GET routes) or the body (POST routes, JSON or
//! `application/x-www-form-urlencoded`), as [`Params`]; path parameters (`/:type`) too. Upload
//! routes ([`Route::form`]) read a `multipart/form-data` body with `multer`: its text fields as
//! parameters and its files ([`Params::take_files`]), within Lambda's event size. Every
//! route but register and login needs `Authorization: Bearer <token>`, checked before anything
//! else.

use std::collections::HashMap;
use std::future::Future;

use lambda_http::http::StatusCode;
use lambda_http::http::header::CONTENT_TYPE;
use lambda_http::{Body, Request, RequestExt, RequestPayloadExt, Response};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::fields::{Field, invalid};
use shared::auth::{Caller, TokenError};
use shared::error::{AppError, FieldError, IdempotencyError, Msg};
use shared::http;
use shared::state::AppState;
use shared::throttle;
use shared::wire::{self, Answer, Wire};

pub const AUTHORIZATION: &str = "authorization";

/// The application statuses of the envelope.
pub mod status {
    pub const OK: u16 = 200;
    pub const REFUSED: u16 = 400;
    pub const UNAUTHORIZED: u16 = 401;
    pub const FORBIDDEN: u16 = 403;
    pub const FAILED: u16 = 404;
    pub const INVALID: u16 = 405;
    /// A rate limit (ours: the original server had none; the HTTP status's number).
    pub const TOO_MANY_REQUESTS: u16 = 429;
    /// The store stayed busy or out of reach through its retries: retry later (ours).
    pub const BUSY: u16 = 503;
    /// A repeat under an `Idempotency-Key` whose first request is still running: retry (ours).
    pub const IN_PROGRESS: u16 = 409;
    /// An `Idempotency-Key` already used with another request (ours).
    pub const KEY_REUSED: u16 = 422;
}

pub const INVALID_MSG: &str = "参数错误";

/// Where a route reads its parameters (and what a 405 list names as `location`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Body,
    Query,
    /// A `multipart/form-data` body (the upload routes): text fields and files.
    Form,
}

impl Source {
    fn location(self) -> &'static str {
        match self {
            Source::Body | Source::Form => "body",
            Source::Query => "query",
        }
    }
}

/// What a route answers when something fails on our side (status 404): the seed prints it per
/// route, either as `msg` or as `data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    Msg(&'static str),
    Data(&'static str),
}

/// How a route reads its parameters and answers failures.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    source: Source,
    failure: Failure,
    path_params: &'static [&'static str],
    result_flag: bool,
    /// The envelope names its status `res_code` (the single-file upload rows).
    res_code: bool,
    /// The status of a fault (404 unless a row prints another, e.g. `res_code: 500`).
    fault_status: u16,
    /// Body fields that may be a JSON array (every other field takes a string, a number or a
    /// boolean, read as text).
    lists: &'static [&'static str],
    /// The route creates something and honours an `Idempotency-Key` header.
    creates: bool,
}

impl Route {
    /// A GET route: parameters from the query string.
    pub const fn query(failure: Failure) -> Self {
        Self {
            source: Source::Query,
            failure,
            path_params: &[],
            result_flag: false,
            res_code: false,
            fault_status: status::FAILED,
            lists: &[],
            creates: false,
        }
    }

    /// A create: a request with an `Idempotency-Key` header runs once per key and caller, and a
    /// repeat gets the first answer (`shared::idempotency`).
    pub const fn creates(self) -> Self {
        Self { creates: true, ..self }
    }

    /// A POST route: parameters from the body.
    pub const fn body(failure: Failure) -> Self {
        Self {
            source: Source::Body,
            ..Self::query(failure)
        }
    }

    /// Body fields that may be a JSON array (`photos`).
    pub const fn lists(self, names: &'static [&'static str]) -> Self {
        Self { lists: names, ..self }
    }

    /// Names of the route's path parameters (`location: "params"` in a 405 list).
    pub const fn path_params(self, names: &'static [&'static str]) -> Self {
        Self {
            path_params: names,
            ..self
        }
    }

    /// A POST route whose body is `multipart/form-data` (the upload routes).
    pub const fn form(failure: Failure) -> Self {
        Self {
            source: Source::Form,
            ..Self::query(failure)
        }
    }

    /// The envelope's status is named `res_code` (`{res_code, name, url}`), and a fault answers
    /// `fault_status` with the route's failure.
    pub const fn res_code(self, fault_status: u16) -> Self {
        Self {
            res_code: true,
            fault_status,
            ..self
        }
    }

    fn status_key(&self) -> &'static str {
        if self.res_code { "res_code" } else { "status" }
    }

    /// Every refusal of this route also says `result: false` (search).
    pub const fn result_flag(self) -> Self {
        Self {
            result_flag: true,
            ..self
        }
    }
}

/// A request's parameters: query string or body fields as strings (a JSON number or boolean
/// reads as its text, an array or object as its JSON text, `null` as absent), and the path
/// parameters.
#[derive(Debug, Default)]
pub struct Params {
    values: HashMap<String, String>,
    path: HashMap<String, String>,
    files: Vec<FilePart>,
}

/// A file of a `multipart/form-data` body.
#[derive(Debug, Clone)]
pub struct FilePart {
    /// The form field that carried it (`file`, `photos`, `blob` …).
    pub field: String,
    /// The file name the client gave, if any.
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
}

/// The largest `multipart/form-data` body: Lambda takes events up to 6 MiB, and API Gateway
/// sends a binary body base64-encoded (4/3 larger), so 4.4 MiB of body is what fits with the
/// event's headers.
pub const MAX_FORM_BODY: usize = 4 * 1024 * 1024 + 400 * 1024;
/// The largest file of a form (an image, or one chunk of a chunked upload).
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;
/// The most parts (fields and files) a form may have.
const MAX_FORM_PARTS: usize = 32;

impl Params {
    pub fn new(values: HashMap<String, String>, path: HashMap<String, String>) -> Self {
        Self {
            values,
            path,
            files: Vec::new(),
        }
    }

    /// Takes the files a form sent under `field`, in order.
    pub fn take_files(&mut self, field: &str) -> Vec<FilePart> {
        let (taken, kept) = std::mem::take(&mut self.files)
            .into_iter()
            .partition(|f| f.field == field);
        self.files = kept;
        taken
    }

    /// The parameter as sent, `None` when absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The parameter as sent, empty when absent.
    pub fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }

    /// A path parameter, empty when absent.
    pub fn path(&self, name: &str) -> &str {
        self.path.get(name).map_or("", String::as_str)
    }

    /// Reads a request's parameters the way `route` takes them (public for the fuzz targets,
    /// `fuzz/fuzz_targets/`).
    pub async fn read(req: &Request, route: &Route) -> Result<Self, AppError> {
        let source = route.source;
        let path = req
            .path_parameters()
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let values = match source {
            Source::Query => req
                .query_string_parameters()
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            Source::Body => body_fields(req, route.lists)?,
            Source::Form => {
                let (values, files) = form_fields(req).await?;
                return Ok(Self { values, path, files });
            }
        };
        Ok(Self {
            values,
            path,
            files: Vec::new(),
        })
    }
}

/// Reads a `multipart/form-data` body with `multer`: text fields (the last of a name wins) and
/// files (any part with a file name), within [`MAX_FORM_BODY`], [`MAX_FILE_BYTES`] a file.
async fn form_fields(req: &Request) -> Result<(HashMap<String, String>, Vec<FilePart>), AppError> {
    let bytes = http::body_bytes(req);
    if bytes.len() > MAX_FORM_BODY {
        return Err(AppError::bad_request(format!("请求体过大(最多{}字节)", MAX_FORM_BODY)));
    }
    let boundary = http::header(req, CONTENT_TYPE.as_str())
        .and_then(|ct| multer::parse_boundary(ct).ok())
        .ok_or_else(|| AppError::bad_request("请求体必须是multipart/form-data表单"))?;
    let body = bytes.to_vec();
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let limits = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .whole_stream(MAX_FORM_BODY as u64)
            .per_field(MAX_FILE_BYTES as u64),
    );
    let mut form = multer::Multipart::with_constraints(stream, boundary, limits);
    let (mut values, mut files) = (HashMap::new(), Vec::new());
    let mut parts = 0;
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(form_error(e)),
        };
        parts += 1;
        if parts > MAX_FORM_PARTS {
            return Err(AppError::bad_request(format!("表单最多{MAX_FORM_PARTS}项")));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let data = field.bytes().await.map_err(form_error)?;
        match file_name {
            Some(file_name) => files.push(FilePart {
                field: name,
                file_name: Some(file_name),
                bytes: data.to_vec(),
            }),
            None => {
                let text = String::from_utf8(data.to_vec())
                    .map_err(|_| AppError::bad_request(format!("{name}不是合法的文本")))?;
                values.insert(name, text);
            }
        }
    }
    Ok((values, files))
}

fn form_error(e: multer::Error) -> AppError {
    match e {
        multer::Error::FieldSizeExceeded { .. } | multer::Error::StreamSizeExceeded { .. } => {
            AppError::bad_request(format!("文件过大(每个文件最多{}字节)", MAX_FILE_BYTES))
        }
        _ => AppError::bad_request("请求体不是合法的multipart/form-data表单"),
    }
}

/// A body's fields: JSON (`application/json`, or no content type) or a form
/// (`application/x-www-form-urlencoded`); any other content type is refused. Strings, numbers
/// and booleans read as text, `null` as absent; an array or object only where the route takes a
/// list (`lists`), else 405 `<field>必须为字符串`, so no structure is ever stored as text.
fn body_fields(req: &Request, lists: &[&str]) -> Result<HashMap<String, String>, AppError> {
    let bytes = http::body_bytes(req);
    if bytes.len() > http::MAX_JSON_BODY {
        return Err(AppError::bad_request(format!(
            "请求体过大(最多{}字节)",
            http::MAX_JSON_BODY
        )));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(HashMap::new());
    }
    let content_type = http::header(req, CONTENT_TYPE.as_str()).map(str::to_ascii_lowercase);
    let form = content_type
        .as_deref()
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !form && !http::declares_json(req) {
        return Err(AppError::bad_request(
            "请求体必须是JSON(application/json)或表单(application/x-www-form-urlencoded)",
        ));
    }
    if form {
        return req
            .payload::<HashMap<String, String>>()
            .map(Option::unwrap_or_default)
            .map_err(|_| AppError::bad_request("请求体不是合法的表单"));
    }
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(bytes) else {
        return Err(AppError::bad_request("请求体必须是JSON对象"));
    };
    let mut values = HashMap::new();
    let mut structured = Vec::new();
    for (name, value) in fields {
        let text = match value {
            Value::Null => continue,
            Value::String(s) => s,
            Value::Array(_) if lists.contains(&name.as_str()) => value.to_string(),
            Value::Array(_) | Value::Object(_) => {
                structured.push(FieldError::new(name.clone(), format!("{name}必须为字符串")));
                continue;
            }
            other => other.to_string(),
        };
        values.insert(name, text);
    }
    if structured.is_empty() {
        Ok(values)
    } else {
        Err(AppError::Invalid(structured.into()))
    }
}

/// A success answer: `{status, msg?, data?, …extra}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    status: u16,
    msg: Option<Msg>,
    data: Option<Value>,
    extra: Vec<(&'static str, Value)>,
}

impl Reply {
    /// `{status: 200, msg}`.
    pub fn msg(msg: impl Into<Msg>) -> Self {
        Self {
            status: status::OK,
            msg: Some(msg.into()),
            data: None,
            extra: Vec::new(),
        }
    }

    /// `{status}` alone (`res_code` on upload routes), for the fields [`Reply::with`] adds.
    pub fn code(status: u16) -> Self {
        Self {
            status,
            msg: None,
            data: None,
            extra: Vec::new(),
        }
    }

    /// `{status: 200, data}`.
    pub fn data(data: impl Serialize) -> Result<Self, AppError> {
        Ok(Self {
            status: status::OK,
            msg: None,
            data: Some(serde_json::to_value(data).map_err(AppError::internal)?),
            extra: Vec::new(),
        })
    }

    /// Adds `data` to a `msg` answer.
    pub fn with_data(self, data: impl Serialize) -> Result<Self, AppError> {
        Ok(Self {
            data: Some(serde_json::to_value(data).map_err(AppError::internal)?),
            ..self
        })
    }

    /// Adds a top-level field after `data` (`start`, `_id`, `state` …).
    pub fn with(mut self, name: &'static str, value: impl Serialize) -> Result<Self, AppError> {
        self.extra
            .push((name, serde_json::to_value(value).map_err(AppError::internal)?));
        Ok(self)
    }

    /// Another application status (201, 202).
    pub fn status(self, status: u16) -> Self {
        Self { status, ..self }
    }

    fn into_json(self, status_key: &str) -> Value {
        let mut env = Map::new();
        env.insert(status_key.into(), self.status.into());
        if let Some(msg) = self.msg {
            env.insert("msg".into(), Value::String(msg.into_owned()));
        }
        if let Some(data) = self.data {
            env.insert("data".into(), data);
        }
        for (name, value) in self.extra {
            env.insert(name.into(), value);
        }
        Value::Object(env)
    }
}

/// The answer to a successful request.
pub fn success(reply: Reply) -> Response<Body> {
    http::json_response(StatusCode::OK, &reply.into_json("status"))
}

/// The answer to a failed request.
pub fn failure(route: &Route, err: &AppError) -> Response<Body> {
    http::json_response(StatusCode::OK, &Value::Object(failure_envelope(route, err).1))
}

/// The application status and envelope of a failure: the one place weifChat errors become
/// envelopes.
pub(crate) fn failure_envelope(route: &Route, err: &AppError) -> (u16, Map<String, Value>) {
    use AppError::*;
    let text = |m: &str| Some(Value::String(m.to_owned()));
    let (status, msg, data) = match err {
        Invalid(fields) => {
            let list = fields
                .iter()
                .map(|f| {
                    let location = if route.path_params.contains(&f.field.as_ref()) {
                        "params"
                    } else {
                        route.source.location()
                    };
                    serde_json::json!({"type": "field", "msg": f.message, "path": f.field, "location": location})
                })
                .collect();
            (status::INVALID, text(INVALID_MSG), Some(Value::Array(list)))
        }
        BadRequest(m) | NotFound(m) | Conflict(m) => (status::REFUSED, text(m), None),
        Unauthenticated(t) => (status::UNAUTHORIZED, text(token_message(*t)), None),
        BadCredentials(m) => (status::UNAUTHORIZED, text(m), None),
        Forbidden(m) => (status::FORBIDDEN, text(m), None),
        Throttled { retry_after_secs } => (
            status::TOO_MANY_REQUESTS,
            text(&format!("操作过于频繁, 请{retry_after_secs}秒后再试")),
            None,
        ),
        Unavailable(_) => (
            status::BUSY,
            text(&format!("服务器繁忙, 请{}秒后再试", AppError::RETRY_AFTER_SECS)),
            None,
        ),
        Idempotency(IdempotencyError::InProgress) => (status::IN_PROGRESS, text("请求正在处理中, 请稍后重试"), None),
        Idempotency(IdempotencyError::Mismatch) => (status::KEY_REUSED, text("该Idempotency-Key已用于另一请求"), None),
        Internal(_) => match route.failure {
            Failure::Msg(m) => (route.fault_status, text(m), None),
            Failure::Data(d) => (route.fault_status, None, text(d)),
        },
    };
    let mut env = Map::new();
    env.insert(route.status_key().into(), status.into());
    if let Some(msg) = msg {
        env.insert("msg".into(), msg);
    }
    if let Some(data) = data {
        env.insert("data".into(), data);
    }
    if route.result_flag {
        env.insert("result".into(), false.into());
    }
    (status, env)
}

/// A route's own wire style: the envelope, and the failure body its row shows.
impl Wire for Route {
    const SERVICE: &'static str = "weifchat";
    type Reply = Reply;
    type Error = AppError;

    fn success(&self, reply: Reply) -> Answer {
        Answer {
            code: reply.status.into(),
            response: http::json_response(StatusCode::OK, &reply.into_json(self.status_key())),
        }
    }

    fn failure(&self, err: &AppError) -> Answer {
        let (status, env) = failure_envelope(self, err);
        Answer {
            code: status.into(),
            response: http::json_response(StatusCode::OK, &Value::Object(env)),
        }
    }
}

fn token_message(t: TokenError) -> &'static str {
    match t {
        TokenError::Missing => "请先登录",
        TokenError::Expired => "登录已过期, 请重新登录",
        TokenError::Invalid | TokenError::Malformed => "身份认证失败, 请重新登录",
    }
}

/// The token of `Authorization: Bearer <token>` (empty when absent).
fn bearer(req: &Request) -> Result<&str, TokenError> {
    let Some(value) = http::header(req, AUTHORIZATION) else {
        return Ok("");
    };
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Ok(token.trim()),
        _ => Err(TokenError::Malformed),
    }
}

/// Serves a route that needs a token: the token, then the parameters, then `run`.
pub async fn authed<F, Fut>(state: &AppState, req: Request, route: Route, run: F) -> Response<Body>
where
    F: FnOnce(Caller, Params) -> Fut,
    Fut: Future<Output = Result<Reply, AppError>>,
{
    serve(state, req, route, true, |caller, params| {
        run(caller.expect("authenticated route has a caller"), params)
    })
    .await
}

/// Serves a route that needs no token (register, login).
pub async fn public<F, Fut>(state: &AppState, req: Request, route: Route, run: F) -> Response<Body>
where
    F: FnOnce(Params) -> Fut,
    Fut: Future<Output = Result<Reply, AppError>>,
{
    serve(state, req, route, false, |_, params| run(params)).await
}

async fn serve<F, Fut>(state: &AppState, req: Request, route: Route, needs_token: bool, run: F) -> Response<Body>
where
    F: FnOnce(Option<Caller>, Params) -> Fut,
    Fut: Future<Output = Result<Reply, AppError>>,
{
    let admit = async {
        let caller = if needs_token {
            let caller = state.tokens.verify(bearer(&req)?, crate::AUDIENCE)?;
            wire::record_user(caller.user_id());
            Some(caller)
        } else {
            None
        };
        let params = Params::read(&req, &route).await?;
        let subject = match &caller {
            Some(caller) => throttle::user(caller.user_id()),
            None => throttle::source(&req),
        };
        Ok((subject, (caller, params)))
    };
    let once = route.creates.then_some(state);
    // Boxed: the route's future, instrumented, would nest past the compiler's type-depth limit.
    wire::serve_steps(&route, &req, once, Box::pin(admit), |(caller, params)| {
        Box::pin(run(caller, params))
    })
    .await
}

/// A parameter that names the caller (`_id`, `userId`, `fromId` …) must be the token's user.
pub fn must_be_caller(caller: &Caller, id: &str) -> Result<(), AppError> {
    if id == caller.user_id() {
        Ok(())
    } else {
        Err(AppError::forbidden("身份不符, 无权操作"))
    }
}

/// An ID parameter: present (else the seed's `<field>参数不能为空`) and well-formed (else
/// `<field>参数不合法`).
pub fn id_param(params: &Params, field: &'static str) -> Field<String> {
    let raw = params.text(field).trim();
    if raw.is_empty() {
        return invalid(field, format!("{field}参数不能为空"));
    }
    if !shared::ids::is_valid_id(raw) {
        return invalid(field, format!("{field}参数不合法"));
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use shared::error::FieldError;

    const ROUTE: Route = Route::body(Failure::Msg("注册失败"));
    const PHOTOS: Route = Route::body(Failure::Msg("发布失败")).lists(&["photos"]);

    fn body(resp: &Response<Body>) -> Value {
        assert_eq!(resp.status(), 200, "every weifChat answer is HTTP 200");
        match resp.body() {
            Body::Text(t) => serde_json::from_str(t).unwrap(),
            other => panic!("unexpected body {other:?}"),
        }
    }

    #[test]
    fn success_prints_msg_data_and_extras_in_order() {
        let reply = Reply::msg("保存成功").with("start", "巨蟹座").unwrap();
        assert_eq!(
            serde_json::to_string(&body(&success(reply))).unwrap(),
            r#"{"status":200,"msg":"保存成功","start":"巨蟹座"}"#
        );
        let reply = Reply::data(json!({"a": 1})).unwrap().with("state", 1).unwrap();
        assert_eq!(
            body(&success(reply)),
            json!({"status": 200, "data": {"a": 1}, "state": 1})
        );
    }

    #[test]
    fn field_errors_are_the_express_validator_list() {
        let err = AppError::Invalid(
            vec![
                FieldError::new("phone", "手机号不合法"),
                FieldError::new("phone", "手机号不能为空"),
            ]
            .into(),
        );
        assert_eq!(
            body(&failure(&ROUTE, &err)),
            json!({"status": 405, "msg": "参数错误", "data": [
                {"type": "field", "msg": "手机号不合法", "path": "phone", "location": "body"},
                {"type": "field", "msg": "手机号不能为空", "path": "phone", "location": "body"}
            ]})
        );
    }

    #[test]
    fn query_and_path_parameters_name_their_location() {
        let route = Route::query(Failure::Msg("x")).path_params(&["type"]);
        let err = AppError::Invalid(
            vec![
                FieldError::new("type", "type必须为0或1"),
                FieldError::new("_id", "_id参数不能为空"),
            ]
            .into(),
        );
        let env = body(&failure(&route, &err));
        assert_eq!(env["data"][0]["location"], "params");
        assert_eq!(env["data"][1]["location"], "query");
    }

    #[test]
    fn refusals_are_400_with_their_message() {
        assert_eq!(
            body(&failure(&ROUTE, &AppError::conflict("该用户已注册"))),
            json!({"status": 400, "msg": "该用户已注册"})
        );
        assert_eq!(
            body(&failure(&ROUTE, &AppError::BadCredentials("密码错误".into()))),
            json!({"status": 401, "msg": "密码错误"})
        );
        assert_eq!(
            body(&failure(&ROUTE, &AppError::forbidden("身份不符, 无权操作"))),
            json!({"status": 403, "msg": "身份不符, 无权操作"})
        );
    }

    #[test]
    fn faults_answer_the_routes_own_failure_without_details() {
        let err = AppError::internal("ResourceNotFoundException: table social");
        assert_eq!(body(&failure(&ROUTE, &err)), json!({"status": 404, "msg": "注册失败"}));
        let route = Route::query(Failure::Data("服务器错误"));
        assert_eq!(
            body(&failure(&route, &err)),
            json!({"status": 404, "data": "服务器错误"})
        );
    }

    #[test]
    fn search_refusals_carry_result_false() {
        let route = Route::query(Failure::Msg("服务器错误")).result_flag();
        assert_eq!(
            body(&failure(&route, &AppError::not_found("暂无数据"))),
            json!({"status": 400, "msg": "暂无数据", "result": false})
        );
        assert_eq!(
            body(&failure(&route, &AppError::internal("x"))),
            json!({"status": 404, "msg": "服务器错误", "result": false})
        );
    }

    #[test]
    fn token_errors_are_401() {
        for t in [
            TokenError::Missing,
            TokenError::Expired,
            TokenError::Invalid,
            TokenError::Malformed,
        ] {
            assert_eq!(body(&failure(&ROUTE, &t.into()))["status"], 401);
        }
        assert_eq!(
            body(&failure(&ROUTE, &TokenError::Missing.into())),
            json!({"status": 401, "msg": "请先登录"})
        );
    }

    fn post(content_type: &str, body: &str) -> Request {
        lambda_http::http::Request::builder()
            .method("POST")
            .header("content-type", content_type)
            .body(Body::Text(body.into()))
            .unwrap()
    }

    #[test]
    fn body_fields_read_as_text() {
        let req = post(
            "application/json",
            r#"{"a":"x","n":5,"b":true,"z":null,"photos":["/a.png"]}"#,
        );
        let p = futures_util::FutureExt::now_or_never(Params::read(&req, &PHOTOS))
            .unwrap()
            .unwrap();
        assert_eq!(p.text("a"), "x");
        assert_eq!(p.text("n"), "5");
        assert_eq!(p.text("b"), "true");
        assert_eq!(p.get("z"), None);
        assert_eq!(p.text("photos"), r#"["/a.png"]"#);
    }

    #[test]
    fn form_bodies_are_read_too() {
        let req = post("application/x-www-form-urlencoded", "phone=13800000000&nick=%E6%AD%AAf");
        let p = futures_util::FutureExt::now_or_never(Params::read(&req, &PHOTOS))
            .unwrap()
            .unwrap();
        assert_eq!(p.text("nick"), "歪f");
    }

    #[test]
    fn malformed_bodies_are_refused() {
        for b in ["{", "[1]", "\"x\""] {
            let err = futures_util::FutureExt::now_or_never(Params::read(&post("application/json", b), &ROUTE))
                .unwrap()
                .unwrap_err();
            assert!(matches!(err, AppError::BadRequest(_)), "{b}");
        }
    }

    #[test]
    fn bearer_tokens() {
        let req = |v: &str| {
            lambda_http::http::Request::builder()
                .header("Authorization", v)
                .body(Body::Empty)
                .unwrap()
        };
        assert_eq!(bearer(&req("Bearer abc")), Ok("abc"));
        assert_eq!(bearer(&req("bearer  abc ")), Ok("abc"));
        assert_eq!(bearer(&req("Basic abc")), Err(TokenError::Malformed));
        assert_eq!(bearer(&req("abc")), Err(TokenError::Malformed));
    }

    #[test]
    fn id_params_say_the_seeds_message() {
        let err = id_param(&Params::default(), "userId").unwrap_err();
        assert_eq!(err, [FieldError::new("userId", "userId参数不能为空")]);
        let p = Params::new(HashMap::from([("friendId".into(), "a#b".into())]), HashMap::new());
        let err = id_param(&p, "friendId").unwrap_err();
        assert_eq!(err, [FieldError::new("friendId", "friendId参数不合法")]);
    }

    fn read(route: &Route, content_type: &str, body: &str) -> Result<Params, AppError> {
        futures_util::FutureExt::now_or_never(Params::read(&post(content_type, body), route)).unwrap()
    }

    #[test]
    fn structures_are_refused_where_a_string_is_expected() {
        let err = read(
            &ROUTE,
            "application/json",
            r#"{"text":{"$gt":""},"pass":["a"],"ok":"x"}"#,
        )
        .unwrap_err();
        let AppError::Invalid(fields) = err else {
            panic!("{err:?}")
        };
        let mut names: Vec<String> = fields.iter().map(|f| f.field.to_string()).collect();
        names.sort();
        assert_eq!(names, ["pass", "text"]);
        assert!(fields.iter().any(|f| f.message == "text必须为字符串"));
        // A route that takes a list takes it there only.
        assert_eq!(
            read(&PHOTOS, "application/json", r#"{"photos":["/a.png"]}"#)
                .unwrap()
                .text("photos"),
            r#"["/a.png"]"#
        );
        assert!(read(&PHOTOS, "application/json", r#"{"photos":{"a":1}}"#).is_err());
    }

    #[test]
    fn bodies_of_other_content_types_are_refused() {
        let err = read(&ROUTE, "text/plain", r#"{"a":"x"}"#).unwrap_err();
        assert!(matches!(err, AppError::BadRequest(_)), "{err:?}");
        assert!(read(&ROUTE, "application/json; charset=utf-8", r#"{"a":"x"}"#).is_ok());
        assert!(read(&ROUTE, "application/merge-patch+json", r#"{"a":"x"}"#).is_ok());
    }
}
