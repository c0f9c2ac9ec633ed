//! The info module's wire style, as ThinkSNS Plus (Laravel) answers: real HTTP status codes
//! (200, 201, 204), JSON bodies without an envelope, `Authorization: Bearer <token>`.
//!
//! Input is Laravel's: the query string and the JSON body form one bag of fields (the body wins),
//! strings are trimmed and an empty string or `null` counts as absent. A [`Validator`] checks the
//! fields with Laravel's messages and collects every failure, field by field.
//!
//! Errors, rendered in one place ([`failure`]; see `docs/info.md`):
//!
//! | status | body | when |
//! |---|---|---|
//! | 400 | `{"message": "…"}` | the body is not a JSON object, or is too large |
//! | 401 | `{"message": "Unauthenticated."}` | no token where one is needed, or a bad one anywhere |
//! | 403 | `{"message": "…"}` | the caller may not do this (ability, ownership) |
//! | 404 | `{"message": "…"}` | the record the path names doesn't exist |
//! | 422 | `{"message": "…", "errors": {"field": ["…"]}}` | invalid input (Laravel's validation shape) |
//! | 422 | `{"message": "…"}` | a rule of the data refuses the request, or login failed |
//! | 409 | `{"message": "…"}` + `Retry-After: 1` | a repeat under an `Idempotency-Key` whose first request is still running |
//! | 422 | `{"message": "…"}` | an `Idempotency-Key` already used with another request |
//! | 500 | `{"message": "Server Error"}` | a fault on our side (details go to the logs only) |
//! | 503 | `{"message": "Service Unavailable"}` + `Retry-After: 1` | the store stayed busy through its retries (docs/reliability.md) |

use std::future::Future;

use lambda_http::http::header::{LOCATION, RETRY_AFTER, WWW_AUTHENTICATE};
use lambda_http::http::{HeaderValue, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use serde_json::{Map, Value, json};

use shared::auth::{Caller, TokenError};
use shared::error::{AppError, FieldErrors, IdempotencyError};
use shared::http;
use shared::state::AppState;
use shared::throttle;
use shared::wire::{self, Answer, Wire};

/// The largest body a REST route reads (an info's `content` alone may be 65,000 bytes).
pub const MAX_BODY: usize = 256 * 1024;

/// What a route answers on success.
#[derive(Debug)]
pub struct Reply {
    status: StatusCode,
    body: ReplyBody,
}

#[derive(Debug)]
enum ReplyBody {
    Json(Value),
    Empty,
    Redirect(String),
}

impl Reply {
    /// 200 with `value` as JSON.
    pub fn ok(value: impl Serialize) -> Result<Self, AppError> {
        Self::json(StatusCode::OK, value)
    }

    /// 201 with `value` as JSON.
    pub fn created(value: impl Serialize) -> Result<Self, AppError> {
        Self::json(StatusCode::CREATED, value)
    }

    /// 204 without a body.
    pub fn no_content() -> Self {
        Self {
            status: StatusCode::NO_CONTENT,
            body: ReplyBody::Empty,
        }
    }

    /// 302 to `location`.
    pub fn redirect(location: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FOUND,
            body: ReplyBody::Redirect(location.into()),
        }
    }

    fn json(status: StatusCode, value: impl Serialize) -> Result<Self, AppError> {
        Ok(Self {
            status,
            body: ReplyBody::Json(serde_json::to_value(value).map_err(AppError::internal)?),
        })
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    fn into_response(self) -> Response<Body> {
        match self.body {
            ReplyBody::Json(v) => http::json_response(self.status, &v),
            ReplyBody::Empty => bare(self.status),
            ReplyBody::Redirect(location) => {
                let mut resp = bare(self.status);
                match HeaderValue::from_str(&location) {
                    Ok(v) => {
                        resp.headers_mut().insert(LOCATION, v);
                        resp
                    }
                    Err(e) => failure(&AppError::internal(e)),
                }
            }
        }
    }
}

fn bare(status: StatusCode) -> Response<Body> {
    let mut resp = Response::new(Body::Empty);
    *resp.status_mut() = status;
    resp
}

/// Laravel's 422 summary: the first message, and how many more there are.
fn summary(errors: &FieldErrors) -> String {
    match errors.count().saturating_sub(1) {
        0 => errors.to_string(),
        1 => format!("{errors} (and 1 more error)"),
        n => format!("{errors} (and {n} more errors)"),
    }
}

/// The response for `err`: the one place REST errors are mapped to statuses and bodies.
pub fn failure(err: &AppError) -> Response<Body> {
    use AppError::*;
    let (status, body) = match err {
        Invalid(errors) => {
            let fields: Map<String, Value> = errors
                .fields()
                .into_iter()
                .map(|(f, msgs)| (f.to_owned(), json!(msgs)))
                .collect();
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "message": summary(errors), "errors": fields }),
            )
        }
        BadRequest(m) => (StatusCode::BAD_REQUEST, json!({ "message": m })),
        Unauthenticated(_) => (StatusCode::UNAUTHORIZED, json!({ "message": "Unauthenticated." })),
        BadCredentials(m) | Conflict(m) => (StatusCode::UNPROCESSABLE_ENTITY, json!({ "message": m })),
        Forbidden(m) => (StatusCode::FORBIDDEN, json!({ "message": m })),
        NotFound(m) => (StatusCode::NOT_FOUND, json!({ "message": m })),
        // Laravel's throttle middleware: 429 `Too Many Attempts.` with `Retry-After`.
        Throttled { .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            json!({ "message": "Too Many Attempts." }),
        ),
        Unavailable(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "message": "Service Unavailable" }),
        ),
        Idempotency(IdempotencyError::InProgress) => (StatusCode::CONFLICT, json!({ "message": err.to_string() })),
        Idempotency(IdempotencyError::Mismatch) => {
            (StatusCode::UNPROCESSABLE_ENTITY, json!({ "message": err.to_string() }))
        }
        Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, json!({ "message": "Server Error" })),
    };
    let mut resp = http::json_response(status, &body);
    match err {
        Unauthenticated(_) => {
            resp.headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        Throttled { .. } | Unavailable(_) => {
            if let Some(secs) = err.retry_after_secs() {
                resp.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
            }
        }
        Idempotency(IdempotencyError::InProgress) => {
            resp.headers_mut().insert(RETRY_AFTER, HeaderValue::from(1));
        }
        _ => {}
    }
    resp
}

/// Whether a route needs a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    /// 401 without a valid token.
    Required,
    /// Anonymous without an `Authorization` header; 401 for a bad token.
    Optional,
    /// The header is not read.
    Public,
}

/// Serves a route that needs a token.
pub async fn authed<F, Fut>(state: &AppState, req: Request, run: F) -> Response<Body>
where
    F: FnOnce(Caller, Input) -> Fut,
    Fut: Future<Output = Result<Reply, AppError>>,
{
    serve(state, req, Auth::Required, None, |caller, input| {
        run(caller.expect("authenticated route has a caller"), input)
    })
    .await
}

/// [`authed`] for a create, which honours an `Idempotency-Key` header (`shared::idempotency`):
/// a repeat gets the first answer.
pub async fn authed_create<F, Fut>(state: &AppState, req: Request, run: F) -> Response<Body>
where
    F: FnOnce(Caller, Input) -> Fut,
    Fut: Future<Output = Result<Reply, AppError>>,
{
    serve(state, req, Auth::Required, Some(state), |caller, input| {
        run(caller.expect("authenticated route has a caller"), input)
    })
    .await
}

/// Serves a route anyone may call; a caller who sends a token is identified (and refused if the
/// token is bad).
pub async fn optional<F, Fut>(state: &AppState, req: Request, run: F) -> Response<Body>
where
    F: FnOnce(Option<Caller>, Input) -> Fut,
    Fut: Future<Output = Result<Reply, AppError>>,
{
    serve(state, req, Auth::Optional, None, run).await
}

/// Serves a route without identity (register, login).
pub async fn public<F, Fut>(state: &AppState, req: Request, run: F) -> Response<Body>
where
    F: FnOnce(Input) -> Fut,
    Fut: Future<Output = Result<Reply, AppError>>,
{
    serve(state, req, Auth::Public, None, |_, input| run(input)).await
}

/// [`public`] for a create (register), which honours an `Idempotency-Key` header scoped to the
/// request's source.
pub async fn public_create<F, Fut>(state: &AppState, req: Request, run: F) -> Response<Body>
where
    F: FnOnce(Input) -> Fut,
    Fut: Future<Output = Result<Reply, AppError>>,
{
    serve(state, req, Auth::Public, Some(state), |_, input| run(input)).await
}

/// The token of `Authorization: Bearer <token>`; anything else is [`TokenError::Missing`] or,
/// for another scheme, [`TokenError::Malformed`].
fn bearer(req: &Request) -> Result<&str, TokenError> {
    let value = http::header(req, "authorization").ok_or(TokenError::Missing)?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => Ok(token.trim()),
        _ => Err(TokenError::Malformed),
    }
}

/// The REST wire style: real statuses, bodies without an envelope.
struct Rest;

impl Wire for Rest {
    const SERVICE: &'static str = "info";
    type Reply = Reply;
    type Error = AppError;

    fn success(&self, reply: Reply) -> Answer {
        Answer {
            code: reply.status().as_u16().into(),
            response: reply.into_response(),
        }
    }

    fn failure(&self, err: &AppError) -> Answer {
        let response = failure(err);
        Answer {
            code: response.status().as_u16().into(),
            response,
        }
    }
}

async fn serve<F, Fut>(state: &AppState, req: Request, auth: Auth, once: Option<&AppState>, run: F) -> Response<Body>
where
    F: FnOnce(Option<Caller>, Input) -> Fut,
    Fut: Future<Output = Result<Reply, AppError>>,
{
    let admit = async {
        let caller = match (auth, bearer(&req)) {
            (Auth::Public, _) | (Auth::Optional, Err(TokenError::Missing)) => None,
            (_, token) => {
                let caller = state.tokens.verify(token?, crate::AUDIENCE)?;
                wire::record_user(caller.user_id());
                Some(caller)
            }
        };
        let input = Input::from_request(&req)?;
        let subject = match &caller {
            Some(caller) => throttle::user(caller.user_id()),
            None => throttle::source(&req),
        };
        Ok((subject, (caller, input)))
    };
    // Boxed: a route's future (its store calls, the SDK's requests) nests deep enough that
    // wrapping it in the handler's span would pass the compiler's type-depth limit.
    wire::serve_steps(&Rest, &req, once, admit, |(caller, input)| Box::pin(run(caller, input))).await
}

/// A request's input: path parameters, and the query string and JSON body as one bag of fields.
#[derive(Debug, Clone, Default)]
pub struct Input {
    fields: Map<String, Value>,
    path: Vec<(String, String)>,
    query: Vec<(String, String)>,
    url: String,
}

impl Input {
    /// Reads a request's fields (public for the fuzz targets, `fuzz/fuzz_targets/`).
    pub fn from_request(req: &Request) -> Result<Self, AppError> {
        let mut query: Vec<(String, String)> = req
            .query_string_parameters_ref()
            .map(|q| q.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
            .unwrap_or_default();
        query.sort();
        let path = req
            .path_parameters_ref()
            .map(|p| p.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
            .unwrap_or_default();
        let body = http::body_bytes(req);
        if !body.iter().all(u8::is_ascii_whitespace) && !http::declares_json(req) {
            return Err(AppError::bad_request(
                "The request body must be JSON (Content-Type: application/json).",
            ));
        }
        let mut input = Self::from_parts(&query, parse_body(body)?);
        input.path = path;
        input.query = query;
        let uri = req.uri();
        input.url = match (uri.scheme_str(), uri.authority()) {
            (Some(scheme), Some(authority)) => format!("{scheme}://{authority}{}", uri.path()),
            _ => uri.path().to_owned(),
        };
        Ok(input)
    }

    /// Fields from query pairs (PHP's rules: `a[]=1&a[]=2` is a list, a repeated plain key keeps
    /// its last value) overlaid with the body's fields.
    pub fn from_parts(query: &[(String, String)], body: Map<String, Value>) -> Self {
        let mut fields = Map::new();
        for (k, v) in query {
            match k.strip_suffix("[]") {
                Some(name) => {
                    let entry = fields
                        .entry(name.to_owned())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(items) = entry {
                        items.push(Value::String(v.clone()));
                    }
                }
                None => {
                    fields.insert(k.clone(), Value::String(v.clone()));
                }
            }
        }
        fields.extend(body);
        fields.retain(|_, v| !is_blank(v));
        for v in fields.values_mut() {
            trim(v);
        }
        Self {
            fields,
            ..Self::default()
        }
    }

    /// A path parameter (`{id}` of the route), empty when absent.
    pub fn path(&self, name: &str) -> &str {
        self.path
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// A field, unless absent, `null` or an empty string.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields.get(name)
    }

    pub fn has(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }

    /// The request's URL without its query: `https://host/api/v2/infos`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The query string's pairs, sorted.
    pub fn query(&self) -> &[(String, String)] {
        &self.query
    }

    pub fn validator(&self) -> Validator<'_> {
        Validator {
            input: self,
            errors: FieldErrors::default(),
        }
    }

    /// The typed request `T`, or the 422 naming every field that keeps it from being one.
    pub fn parse<T: FromInput>(&self) -> Result<T, AppError> {
        T::from_input(self)
    }

    /// What `rules` make of the fields, once every field passed them; else the 422 naming every
    /// field that failed. `rules` gives `None` only where a field failed.
    pub fn validate<'a, T>(&'a self, rules: impl FnOnce(&mut Validator<'a>) -> Option<T>) -> Result<T, AppError> {
        let mut v = self.validator();
        let value = rules(&mut v);
        v.finish()?;
        value.ok_or_else(|| AppError::internal("a rule gave no value and failed no field"))
    }
}

/// A typed request, parsed from a route's [`Input`]: it exists only when every field is valid.
pub trait FromInput: Sized {
    fn from_input(input: &Input) -> Result<Self, AppError>;
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// Trims every string, as Laravel's `TrimStrings` middleware does.
fn trim(v: &mut Value) {
    match v {
        Value::String(s) => {
            let t = s.trim();
            if t.len() != s.len() {
                *s = t.to_owned();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(trim),
        Value::Object(map) => map.values_mut().for_each(trim),
        _ => {}
    }
}

fn parse_body(bytes: &[u8]) -> Result<Map<String, Value>, AppError> {
    if bytes.len() > MAX_BODY {
        return Err(AppError::bad_request(format!(
            "The request body may not be greater than {MAX_BODY} bytes."
        )));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(fields)) => Ok(fields),
        _ => Err(AppError::bad_request("The request body must be a JSON object.")),
    }
}

/// How a field is named in messages: Laravel's `category_id` → `category id`.
pub fn attribute(field: &str) -> String {
    field.replace('_', " ")
}

/// Checks fields with Laravel's rules and messages, collecting every failure. A field gets one
/// message (its first failing rule), as Laravel's `bail` would give.
pub struct Validator<'a> {
    input: &'a Input,
    errors: FieldErrors,
}

impl<'a> Validator<'a> {
    /// Records a failure of `field` (ignored if the field already failed).
    pub fn fail(&mut self, field: &str, msg: impl Into<shared::error::Msg>) {
        if !self.errors.has(field) {
            self.errors.add(field.to_owned(), msg);
        }
    }

    pub fn failed(&self, field: &str) -> bool {
        self.errors.has(field)
    }

    /// The errors so far, as `Err` if there are any.
    pub fn finish(self) -> Result<(), AppError> {
        self.errors.into_result()
    }

    pub fn input(&self) -> &'a Input {
        self.input
    }

    /// Fails `field` unless it is present.
    pub fn required(&mut self, field: &str) -> bool {
        let present = self.input.has(field);
        if !present {
            self.fail(field, format!("The {} field is required.", attribute(field)));
        }
        present
    }

    /// A string field; `None` when absent or not a string (which fails it).
    pub fn string(&mut self, field: &str) -> Option<&'a str> {
        match self.input.get(field)? {
            Value::String(s) => Some(s),
            _ => {
                self.fail(field, format!("The {} must be a string.", attribute(field)));
                None
            }
        }
    }

    /// An integer field: a JSON integer or a string of digits (the query string's form).
    pub fn integer(&mut self, field: &str) -> Option<i64> {
        let v = self.input.get(field)?;
        let parsed = match v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => parse_integer(s),
            _ => None,
        };
        if parsed.is_none() {
            self.fail(field, format!("The {} must be an integer.", attribute(field)));
        }
        parsed
    }

    /// A boolean field as Laravel accepts one: `true`, `false`, `1`, `0`, `"1"`, `"0"`.
    pub fn boolean(&mut self, field: &str) -> Option<bool> {
        let v = self.input.get(field)?;
        let parsed = match v {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => match n.as_i64() {
                Some(1) => Some(true),
                Some(0) => Some(false),
                _ => None,
            },
            Value::String(s) => match s.as_str() {
                "1" => Some(true),
                "0" => Some(false),
                _ => None,
            },
            _ => None,
        };
        if parsed.is_none() {
            self.fail(field, format!("The {} field must be true or false.", attribute(field)));
        }
        parsed
    }

    /// An array field.
    pub fn array(&mut self, field: &str) -> Option<&'a [Value]> {
        match self.input.get(field)? {
            Value::Array(items) => Some(items),
            _ => {
                self.fail(field, format!("The {} must be an array.", attribute(field)));
                None
            }
        }
    }

    /// One of `allowed` (a string field).
    pub fn one_of(&mut self, field: &str, allowed: &[&'static str]) -> Option<&'static str> {
        let s = self.string(field)?;
        let found = allowed.iter().copied().find(|a| *a == s);
        if found.is_none() {
            self.fail(field, format!("The selected {} is invalid.", attribute(field)));
        }
        found
    }

    /// A list of positive integers given as `1,2,3`, as a JSON array, or as `field[]=1&field[]=2`;
    /// at most `max` of them.
    pub fn id_list(&mut self, field: &str, max: usize) -> Option<Vec<u64>> {
        let v = self.input.get(field)?;
        let parts: Vec<String> = match v {
            Value::String(s) => s.split(',').map(|p| p.trim().to_owned()).collect(),
            Value::Number(n) => vec![n.to_string()],
            Value::Array(items) => items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.trim().to_owned(),
                    Value::Number(n) => n.to_string(),
                    _ => String::new(),
                })
                .collect(),
            _ => vec![String::new()],
        };
        let ids: Option<Vec<u64>> = parts
            .iter()
            .map(|p| parse_integer(p).and_then(|n| u64::try_from(n).ok()).filter(|n| *n > 0))
            .collect();
        match ids {
            Some(mut ids) if ids.len() <= max => {
                let mut seen = std::collections::HashSet::new();
                ids.retain(|id| seen.insert(*id));
                Some(ids)
            }
            Some(_) => {
                self.fail(
                    field,
                    format!("The {} may not have more than {max} items.", attribute(field)),
                );
                None
            }
            None => {
                self.fail(
                    field,
                    format!("The {} must be a comma separated list of ids.", attribute(field)),
                );
                None
            }
        }
    }
}

/// Laravel's `simplePaginate` object around a page of `data`: the page, links to its neighbours
/// (the request's other query parameters kept) and the 1-based positions of its first and last
/// items. There is no total: counting every match would cost a read of every match.
pub fn simple_paginate(input: &Input, page: usize, per_page: usize, data: Vec<Value>, has_more: bool) -> Value {
    let link = |p: usize| {
        let mut query: Vec<String> = input
            .query()
            .iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
            .collect();
        query.push(format!("page={p}"));
        format!("{}?{}", input.url(), query.join("&"))
    };
    let offset = (page - 1) * per_page;
    let (from, to) = match data.len() {
        0 => (Value::Null, Value::Null),
        n => (json!(offset + 1), json!(offset + n)),
    };
    json!({
        "current_page": page,
        "data": data,
        "first_page_url": link(1),
        "from": from,
        "next_page_url": if has_more { json!(link(page + 1)) } else { Value::Null },
        "path": input.url(),
        "per_page": per_page,
        "prev_page_url": if page > 1 { json!(link(page - 1)) } else { Value::Null },
        "to": to,
    })
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn parse_integer(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(resp: &Response<Body>) -> Value {
        match resp.body() {
            Body::Text(t) => serde_json::from_str(t).unwrap(),
            other => panic!("unexpected body {other:?}"),
        }
    }

    #[test]
    fn validation_errors_are_laravels_422() {
        let mut errors = FieldErrors::default();
        errors.add("name", "The name field is required.");
        let resp = failure(&AppError::Invalid(errors.clone()));
        assert_eq!(resp.status(), 422);
        assert_eq!(
            body(&resp),
            json!({"message": "The name field is required.", "errors": {"name": ["The name field is required."]}})
        );
        errors.add("sort", "The sort field is required.");
        errors.add("icon", "The icon must be a string.");
        assert_eq!(
            body(&failure(&AppError::Invalid(errors)))["message"],
            "The name field is required. (and 2 more errors)"
        );
    }

    #[test]
    fn every_token_error_is_a_plain_401_with_a_bearer_challenge() {
        for t in [
            TokenError::Missing,
            TokenError::Malformed,
            TokenError::Invalid,
            TokenError::Expired,
        ] {
            let resp = failure(&t.into());
            assert_eq!(resp.status(), 401);
            assert_eq!(body(&resp), json!({"message": "Unauthenticated."}));
            assert_eq!(resp.headers()[WWW_AUTHENTICATE], "Bearer");
        }
    }

    #[test]
    fn client_errors_carry_their_message_and_status() {
        let cases = [
            (AppError::forbidden("no"), 403),
            (AppError::not_found("gone"), 404),
            (AppError::conflict("busy"), 422),
            (AppError::BadCredentials("wrong".into()), 422),
            (AppError::bad_request("bad"), 400),
        ];
        for (err, status) in cases {
            let resp = failure(&err);
            assert_eq!(resp.status(), status);
            assert_eq!(body(&resp), json!({"message": err.to_string()}));
        }
    }

    #[test]
    fn internal_errors_say_nothing_of_their_cause() {
        let resp = failure(&AppError::internal("ResourceNotFoundException: table social"));
        assert_eq!(resp.status(), 500);
        assert_eq!(body(&resp), json!({"message": "Server Error"}));
    }

    #[test]
    fn replies_have_their_status_and_body() {
        let resp = Reply::created(json!({"id": 1})).unwrap().into_response();
        assert_eq!((resp.status().as_u16(), body(&resp)), (201, json!({"id": 1})));
        let resp = Reply::no_content().into_response();
        assert_eq!(resp.status(), 204);
        assert!(matches!(resp.body(), Body::Empty));
        let resp = Reply::redirect("https://x/y").into_response();
        assert_eq!(resp.status(), 302);
        assert_eq!(resp.headers()[LOCATION], "https://x/y");
    }

    fn input(query: &[(&str, &str)], body: Value) -> Input {
        let query: Vec<(String, String)> = query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let Value::Object(body) = body else { panic!() };
        Input::from_parts(&query, body)
    }

    #[test]
    fn query_and_body_form_one_trimmed_bag() {
        let i = input(
            &[
                ("with[]", "author"),
                ("with[]", "category"),
                ("limit", "5"),
                ("name", "q"),
            ],
            json!({"name": "  body wins  ", "summary": "   ", "icon": null}),
        );
        assert_eq!(i.get("with"), Some(&json!(["author", "category"])));
        assert_eq!(i.get("name"), Some(&json!("body wins")));
        assert!(!i.has("summary") && !i.has("icon"), "blank and null are absent");
        assert_eq!(i.get("limit"), Some(&json!("5")));
    }

    #[test]
    fn the_validator_reads_laravel_types_and_collects_failures() {
        let i = input(
            &[("limit", "15"), ("page", "x"), ("recommend", "1"), ("id", "3,1,3")],
            json!({"sort": 7, "deleted": true, "topped": "yes", "name": 5, "medias": {}}),
        );
        let mut v = i.validator();
        assert_eq!(v.integer("limit"), Some(15));
        assert_eq!(v.integer("sort"), Some(7));
        assert_eq!(v.integer("page"), None);
        assert_eq!(v.boolean("recommend"), Some(true));
        assert_eq!(v.boolean("deleted"), Some(true));
        assert_eq!(v.boolean("topped"), None);
        assert_eq!(v.string("name"), None);
        assert_eq!(v.array("medias"), None);
        assert_eq!(v.id_list("id", 10), Some(vec![3, 1]));
        assert!(!v.required("title"));
        let Err(AppError::Invalid(errors)) = v.finish() else {
            panic!()
        };
        let got: Vec<(String, Vec<String>)> = errors
            .fields()
            .into_iter()
            .map(|(f, m)| (f.to_owned(), m.iter().map(|m| m.to_string()).collect()))
            .collect();
        assert_eq!(
            got,
            [
                ("page", "The page must be an integer."),
                ("topped", "The topped field must be true or false."),
                ("name", "The name must be a string."),
                ("medias", "The medias must be an array."),
                ("title", "The title field is required."),
            ]
            .map(|(f, m)| (f.to_owned(), vec![m.to_owned()]))
        );
    }

    #[test]
    fn id_lists_refuse_junk_and_excess() {
        let i = input(&[("a", "1,x"), ("b", "1,2,3"), ("c", "0")], json!({}));
        let mut v = i.validator();
        assert_eq!(v.id_list("a", 5), None);
        assert_eq!(v.id_list("b", 2), None);
        assert_eq!(v.id_list("c", 2), None);
        assert_eq!(
            v.finish().unwrap_err().to_string(),
            "The a must be a comma separated list of ids."
        );
    }

    #[test]
    fn simple_pagination_links_neighbours_and_keeps_the_query() {
        let mut i = input(&[("page", "2"), ("limit", "2"), ("keyword", "新 闻")], json!({}));
        i.query = vec![
            ("keyword".into(), "新 闻".into()),
            ("limit".into(), "2".into()),
            ("page".into(), "2".into()),
        ];
        i.url = "https://api.example.com/api/v2/infos".into();
        let v = simple_paginate(&i, 2, 2, vec![json!({"id": 5}), json!({"id": 4})], true);
        assert_eq!(
            v,
            json!({
                "current_page": 2,
                "data": [{"id": 5}, {"id": 4}],
                "first_page_url": "https://api.example.com/api/v2/infos?keyword=%E6%96%B0%20%E9%97%BB&limit=2&page=1",
                "from": 3,
                "next_page_url": "https://api.example.com/api/v2/infos?keyword=%E6%96%B0%20%E9%97%BB&limit=2&page=3",
                "path": "https://api.example.com/api/v2/infos",
                "per_page": 2,
                "prev_page_url": "https://api.example.com/api/v2/infos?keyword=%E6%96%B0%20%E9%97%BB&limit=2&page=1",
                "to": 4,
            })
        );
        let last = simple_paginate(&i, 1, 2, vec![], false);
        assert_eq!(
            (
                last["from"].clone(),
                last["next_page_url"].clone(),
                last["prev_page_url"].clone()
            ),
            (Value::Null, Value::Null, Value::Null)
        );
    }

    #[test]
    fn bodies_must_be_json_objects_of_bounded_size() {
        assert!(parse_body(b"").unwrap().is_empty());
        assert!(matches!(parse_body(b"[1]"), Err(AppError::BadRequest(_))));
        assert!(matches!(parse_body(b"{"), Err(AppError::BadRequest(_))));
        let big = format!(r#"{{"a":"{}"}}"#, "x".repeat(MAX_BODY));
        assert!(
            parse_body(big.as_bytes())
                .unwrap_err()
                .to_string()
                .contains("greater than")
        );
    }

    #[test]
    fn bearer_tokens_are_read_from_the_authorization_header() {
        let req = |v: Option<&str>| {
            let mut b = lambda_http::http::Request::builder();
            if let Some(v) = v {
                b = b.header("Authorization", v);
            }
            b.body(Body::Empty).unwrap()
        };
        assert_eq!(bearer(&req(Some("Bearer abc"))), Ok("abc"));
        assert_eq!(bearer(&req(Some("bearer  abc "))), Ok("abc"));
        assert_eq!(bearer(&req(None)), Err(TokenError::Missing));
        assert_eq!(bearer(&req(Some("Basic abc"))), Err(TokenError::Malformed));
        assert_eq!(bearer(&req(Some("Bearer"))), Err(TokenError::Malformed));
    }
}
