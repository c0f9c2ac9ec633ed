//! Idempotency keys for creates, kept the way AWS Lambda Powertools' idempotency utility keeps
//! them: a record in the table per (route, caller, key), written first as an in-progress lock by
//! a conditional `PutItem`, then completed with the answer and a hash of the request; a repeat
//! with the same key and the same request gets the first answer again, byte for byte.
//!
//! - The key is the client's `Idempotency-Key` header: 1 to [`MAX_KEY_LEN`] visible ASCII
//!   characters (`!`..`~`, no spaces); anything else is a bad request.
//! - The record's scope is the route (API Gateway's route key, `POST /api/v2/infos`) and the
//!   subject the surface names (the token's user; the source IP where nobody is signed in,
//!   register), so one caller's key can neither collide with nor read another caller's answer.
//! - The request hash ([`fingerprint`]) is HMAC-SHA256 over the method, the path, the query's
//!   pairs (sorted) and the body (JSON with its object keys sorted, a form's pairs sorted, else
//!   its bytes); the same key with another hash is [`IdempotencyError::Mismatch`]. Keyed with a
//!   key derived from the deployment's token secret: a register's body holds a password, and a
//!   plain hash of it kept in the table would be a fast hash of that password. A surface's
//!   credential parameters ([`crate::wire::Wire::CREDENTIALS`], nobase's `token`) are left out:
//!   a retry after signing in again is the same request.
//! - A record's `expiresAt` (the table's TTL attribute) is its whole life: [`LOCK_SECS`] while
//!   in progress (an invocation that crashed frees the key when it passes), [`RECORD_SECS`] once
//!   completed. A record past it counts as absent even before TTL deletes it.
//! - Only a success is kept: a refused or failed first attempt deletes its record, so the client
//!   may retry with the same key. Each lock carries a random claim, and completing or releasing
//!   it is conditional on that claim, so a slow invocation whose lock expired can't overwrite or
//!   delete the record of the one that took over.
//!
//! Cost: nothing without the header; with it, 1 `PutItem` (refused on a repeat, whose old item
//! comes back with the refusal) and, for a first attempt, 1 `UpdateItem` (success) or 1
//! `DeleteItem` (failure). The skeleton that runs it is [`crate::wire::serve_steps`].

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use hmac::{Hmac, Mac};
use lambda_http::http::{HeaderName, HeaderValue, StatusCode};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use sha2::Sha256;

use crate::error::{AppError, IdempotencyError};
use crate::keys::{self, Key};
use crate::store::write::{Change, Written};
use crate::store::{Item, Store, n, s};

/// The request header that carries the key (matched without regard to case).
pub const HEADER: &str = "idempotency-key";
/// The partition prefix of idempotency records (registered in [`keys::PREFIXES`]).
pub const PREFIX: &str = keys::registered("IDEM#");
/// The longest key, in characters.
pub const MAX_KEY_LEN: usize = 255;
/// How long a completed record answers repeats: 24 hours.
pub const RECORD_SECS: i64 = 24 * 3600;
/// How long an in-progress lock holds: longer than any function's timeout (60 s at most in
/// template.yaml), so a running first attempt is never run twice, short enough that a crashed one
/// frees its key within a minute.
pub const LOCK_SECS: i64 = 61;
/// The header a replayed answer carries (as Stripe's API marks one).
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

const ENTITY: &str = "IdempotencyRecord";
const SORT: &str = "RECORD";

/// A record's attributes beside its key, `entity` and `expiresAt`.
pub mod attr {
    pub const STATUS: &str = "status";
    pub const HASH: &str = "payloadHash";
    pub const CLAIM: &str = "claim";
    pub const HTTP_STATUS: &str = "httpStatus";
    pub const CODE: &str = "code";
    pub const HEADERS: &str = "headers";
    pub const BODY: &str = "body";
}

/// A record's `status` while its first request runs, and once it succeeded.
pub const IN_PROGRESS: &str = "IN_PROGRESS";
pub const COMPLETED: &str = "COMPLETED";

/// A client's idempotency key, valid once it exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// 1 to [`MAX_KEY_LEN`] visible ASCII characters, surrounding spaces ignored.
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let key = raw.trim();
        if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AppError::bad_request(format!(
                "Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters"
            )));
        }
        Ok(Self(key.to_owned()))
    }

    /// The key of `req`: `None` without the header, an error for a bad one.
    pub fn of(req: &Request) -> Result<Option<Self>, AppError> {
        match req.headers().get(HEADER) {
            None => Ok(None),
            Some(v) => Self::parse(v.to_str().unwrap_or("\u{0}")).map(Some),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The route a request came by: API Gateway's route key (`POST /api/v2/infos/{id}/comments`),
/// else its method and path.
pub fn route(req: &Request) -> String {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) if ctx.route_key.as_deref().is_some_and(|k| !k.is_empty()) => {
            ctx.route_key.clone().unwrap_or_default()
        }
        _ => format!("{} {}", req.method(), req.uri().path()),
    }
}

/// The record of `key` for `subject` on `route`.
pub fn record_key(route: &str, subject: &str, key: &IdempotencyKey) -> Key {
    Key::new(format!("{PREFIX}{route}#{subject}#{}", key.as_str()), SORT)
}

type HmacSha256 = Hmac<Sha256>;

/// How requests are hashed: the key (from the token secret, never the token key itself) and the
/// parameters left out.
#[derive(Clone, Copy)]
pub struct Hashing<'a> {
    pub secret: &'a [u8],
    pub credentials: &'a [&'a str],
}

impl Hashing<'_> {
    fn mac(&self) -> HmacSha256 {
        let mut derive = HmacSha256::new_from_slice(self.secret).expect("HMAC takes any key length");
        derive.update(b"idempotency request hash");
        HmacSha256::new_from_slice(&derive.finalize().into_bytes()).expect("HMAC takes any key length")
    }

    fn keeps(&self, pair: &[u8]) -> bool {
        let name = pair.split(|b| *b == b'=').next().unwrap_or_default();
        !pair.is_empty() && !self.credentials.iter().any(|c| c.as_bytes() == name)
    }
}

/// The request hash: HMAC-SHA256 (hex) over the method, the path, the query's pairs sorted and
/// the body in canonical form ([`canonical_body`]), credentials left out.
pub fn fingerprint(req: &Request, hashing: Hashing<'_>) -> String {
    let mut query: Vec<&str> = req
        .uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| hashing.keeps(p.as_bytes()))
        .collect();
    query.sort_unstable();
    let content_type = req
        .headers()
        .get(lambda_http::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let mut mac = hashing.mac();
    mac.update(req.method().as_str().as_bytes());
    mac.update(b" ");
    mac.update(req.uri().path().as_bytes());
    mac.update(b"?");
    mac.update(query.join("&").as_bytes());
    mac.update(b"\n");
    mac.update(&canonical_body(content_type, crate::http::body_bytes(req), hashing));
    let out = mac.finalize().into_bytes();
    out.iter().map(|b| format!("{b:02x}")).collect()
}

/// A body in a form that doesn't depend on how the client wrote it: a JSON document with every
/// object's keys sorted and no spaces, a form's `name=value` pairs sorted, anything else as sent;
/// a form's or a JSON object's credential fields left out.
pub fn canonical_body(content_type: Option<&str>, body: &[u8], hashing: Hashing<'_>) -> Vec<u8> {
    let essence = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if essence == "application/x-www-form-urlencoded" {
        let mut pairs: Vec<&[u8]> = body.split(|b| *b == b'&').filter(|p| hashing.keeps(p)).collect();
        pairs.sort_unstable();
        return pairs.join(&b'&');
    }
    let json = essence.is_empty() || essence == "application/json" || essence.ends_with("+json");
    if let (true, Ok(mut value)) = (json, serde_json::from_slice::<serde_json::Value>(body)) {
        if let Some(fields) = value.as_object_mut() {
            fields.retain(|name, _| !hashing.credentials.contains(&name.as_str()));
        }
        return serde_json::to_vec(&sorted(value)).unwrap_or_else(|_| body.to_vec());
    }
    body.to_vec()
}

/// `value` with every object's keys in order (serde_json keeps insertion order here).
fn sorted(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut fields: Vec<(String, Value)> = map.into_iter().collect();
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(fields.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// A request under an idempotency key: where its record lives and what it hashes to.
#[derive(Debug)]
pub struct Once<'a> {
    store: &'a Store,
    key: Key,
    hash: String,
}

/// What claiming a key found.
#[derive(Debug)]
pub enum Claimed<'a> {
    /// The key is this request's: run it, then [`Lock::finish`].
    Fresh(Lock<'a>),
    /// The key's first request succeeded: its answer.
    Done(Stored),
}

impl<'a> Once<'a> {
    /// `req`'s idempotency for `subject`: `None` without an `Idempotency-Key` header (and then
    /// nothing is read or written), a bad request for a malformed key.
    pub fn of(store: &'a Store, req: &Request, subject: &str, hashing: Hashing<'_>) -> Result<Option<Self>, AppError> {
        let Some(key) = IdempotencyKey::of(req)? else {
            return Ok(None);
        };
        Ok(Some(Self {
            store,
            key: record_key(&route(req), subject, &key),
            hash: fingerprint(req, hashing),
        }))
    }

    /// Takes the key for this request (1 conditional `PutItem`), or tells why not: the first
    /// answer to replay, [`IdempotencyError::InProgress`], [`IdempotencyError::Mismatch`].
    pub async fn claim(self) -> Result<Claimed<'a>, AppError> {
        let now = crate::clock::now_secs();
        let claim = uuid::Uuid::new_v4().to_string();
        let mut item = self.key.to_item();
        item.insert(keys::ENTITY.into(), s(ENTITY));
        item.insert(attr::STATUS.into(), s(IN_PROGRESS));
        item.insert(attr::HASH.into(), s(self.hash.clone()));
        item.insert(attr::CLAIM.into(), s(claim.clone()));
        item.insert(keys::TTL.into(), n(now + LOCK_SECS));
        let written = Change::new(self.key.clone())
            .when_absent_or_lt(keys::TTL, n(now))
            .put(self.store, item)
            .await?;
        match written {
            Written::Applied(_) => Ok(Claimed::Fresh(Lock {
                store: self.store,
                key: self.key,
                claim,
            })),
            Written::Refused(old) => decide(&self.hash, old.as_ref()),
        }
    }
}

/// What a refused claim means, from the record as it was.
fn decide<'a>(hash: &str, old: Option<&Item>) -> Result<Claimed<'a>, AppError> {
    let text = |name: &str| {
        old.and_then(|i| i.get(name))
            .and_then(|v| v.as_s().ok())
            .map(String::as_str)
    };
    if text(attr::HASH).is_some_and(|h| h != hash) {
        return Err(IdempotencyError::Mismatch.into());
    }
    match (text(attr::STATUS), old) {
        (Some(COMPLETED), Some(item)) => Stored::from_item(item).map(Claimed::Done),
        _ => Err(IdempotencyError::InProgress.into()),
    }
}

/// The key, held by this request until it finishes.
#[derive(Debug)]
pub struct Lock<'a> {
    store: &'a Store,
    key: Key,
    claim: String,
}

impl Lock<'_> {
    /// Keeps `answer` for repeats when the request succeeded (1 `UpdateItem`), else deletes the
    /// record so the client may try again (1 `DeleteItem`). The client gets its answer whatever
    /// happens here: a record that can't be written is logged, and its lock runs out.
    pub async fn finish(self, answer: &Stored, succeeded: bool) {
        let change = Change::new(self.key).when_eq(attr::CLAIM, s(self.claim));
        let written = if succeeded {
            let now = crate::clock::now_secs();
            let mut change = change
                .set(attr::STATUS, s(COMPLETED))
                .set(attr::HTTP_STATUS, n(answer.status.into()))
                .set(attr::CODE, n(answer.code))
                .set(attr::HEADERS, AttributeValue::L(answer.headers_attr()))
                .set(keys::TTL, n(now + RECORD_SECS));
            change = match &answer.body {
                Some(body) => change.set(attr::BODY, body.clone()),
                None => change.remove(attr::BODY),
            };
            change.update(self.store).await
        } else {
            change.delete(self.store).await
        };
        match written {
            Ok(Written::Applied(_)) => {}
            Ok(Written::Refused(_)) => {
                tracing::warn!(succeeded, "idempotency lock expired before the request finished")
            }
            Err(err) => {
                tracing::error!(succeeded, error = %crate::error::Chain(&err), "idempotency record not written")
            }
        }
    }
}

/// An answer as a record keeps it: the HTTP status, the code the log shows, the headers and
/// the body exactly as first sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub status: u16,
    pub code: i64,
    headers: Vec<(String, String)>,
    body: Option<AttributeValue>,
}

impl Stored {
    /// `response` (with the `code` its log line showed) as it will be kept.
    pub fn of(code: i64, response: &Response<Body>) -> Self {
        let headers = response
            .headers()
            .iter()
            .filter_map(|(name, value)| Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned())))
            .collect();
        let body = match response.body() {
            Body::Text(t) => Some(AttributeValue::S(t.clone())),
            Body::Binary(b) if !b.is_empty() => Some(AttributeValue::B(Blob::new(b.clone()))),
            _ => None,
        };
        Self {
            status: response.status().as_u16(),
            code,
            headers,
            body,
        }
    }

    fn headers_attr(&self) -> Vec<AttributeValue> {
        self.headers
            .iter()
            .map(|(name, value)| AttributeValue::L(vec![s(name.clone()), s(value.clone())]))
            .collect()
    }

    fn from_item(item: &Item) -> Result<Self, AppError> {
        let bad = || AppError::internal("an idempotency record without its answer");
        let number = |name: &str| {
            item.get(name)
                .and_then(|v| v.as_n().ok())
                .and_then(|v| v.parse::<i64>().ok())
        };
        let status = number(attr::HTTP_STATUS)
            .and_then(|v| u16::try_from(v).ok())
            .ok_or_else(bad)?;
        let headers = match item.get(attr::HEADERS) {
            Some(AttributeValue::L(pairs)) => pairs
                .iter()
                .filter_map(|pair| match pair.as_l().ok()?.as_slice() {
                    [name, value] => Some((name.as_s().ok()?.clone(), value.as_s().ok()?.clone())),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok(Self {
            status,
            code: number(attr::CODE).ok_or_else(bad)?,
            headers,
            body: item.get(attr::BODY).cloned(),
        })
    }

    /// The answer again, marked [`REPLAYED_HEADER`].
    pub fn response(&self) -> Response<Body> {
        let body = match &self.body {
            Some(AttributeValue::S(t)) => Body::Text(t.clone()),
            Some(AttributeValue::B(b)) => Body::Binary(b.clone().into_inner()),
            _ => Body::Empty,
        };
        let mut response = Response::new(body);
        *response.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let headers = response.headers_mut();
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) = (HeaderName::try_from(name.as_str()), HeaderValue::from_str(value)) {
                headers.append(name, value);
            }
        }
        headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::http;

    fn request(method: &str, uri: &str, content_type: Option<&str>, body: &str) -> Request {
        let mut b = http::Request::builder().method(method).uri(uri);
        if let Some(ct) = content_type {
            b = b.header("content-type", ct);
        }
        b.body(Body::Text(body.into())).unwrap()
    }

    #[test]
    fn keys_are_one_to_255_visible_ascii_characters() {
        assert_eq!(IdempotencyKey::parse(" a-b_c:1 ").unwrap().as_str(), "a-b_c:1");
        assert!(IdempotencyKey::parse(&"k".repeat(255)).is_ok());
        for bad in ["", "   ", "a b", "ключ", "a\tb", &"k".repeat(256)] {
            assert!(
                matches!(IdempotencyKey::parse(bad), Err(AppError::BadRequest(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_request_without_the_header_has_no_key() {
        let req = request("POST", "/x", None, "{}");
        assert_eq!(IdempotencyKey::of(&req).unwrap(), None);
        let mut keyed = request("POST", "/x", None, "{}");
        keyed.headers_mut().insert(HEADER, HeaderValue::from_static("k-1"));
        assert_eq!(IdempotencyKey::of(&keyed).unwrap().unwrap().as_str(), "k-1");
        keyed.headers_mut().insert(HEADER, HeaderValue::from_static(""));
        assert!(IdempotencyKey::of(&keyed).is_err());
    }

    #[test]
    fn records_are_scoped_by_route_and_subject_under_their_prefix() {
        let key = IdempotencyKey::parse("k#1").unwrap();
        let a = record_key("POST /a", "u1", &key);
        assert_eq!(a.pk, "IDEM#POST /a#u1#k#1");
        assert_ne!(a, record_key("POST /a", "u2", &key));
        assert_ne!(a, record_key("POST /b", "u1", &key));
        assert!(a.pk.starts_with(PREFIX));
    }

    const HASHING: Hashing<'static> = Hashing {
        secret: b"a-token-secret-of-32-bytes-or-more",
        credentials: &["token"],
    };

    fn fingerprint(req: &Request) -> String {
        super::fingerprint(req, HASHING)
    }

    #[test]
    fn the_fingerprint_is_keyed_and_leaves_credentials_out() {
        let req = |query: &str, body: &str| request("POST", &format!("/p?{query}"), Some("application/json"), body);
        let first = fingerprint(&req("a=1&token=t1", r#"{"password":"hunter22","token":"t1"}"#));
        let resigned = fingerprint(&req("token=t2&a=1", r#"{"token":"t2","password":"hunter22"}"#));
        assert_eq!(first, resigned, "a new token is the same request");
        let other_password = fingerprint(&req("a=1&token=t1", r#"{"password":"hunter23","token":"t1"}"#));
        assert_ne!(first, other_password, "a password is content, not a credential");
        let other_secret = Hashing {
            secret: b"another-token-secret-of-32-bytes",
            ..HASHING
        };
        let elsewhere = super::fingerprint(
            &req("a=1&token=t1", r#"{"password":"hunter22","token":"t1"}"#),
            other_secret,
        );
        assert_ne!(first, elsewhere, "without the deployment's secret no guess matches");
        let form = |body: &str| fingerprint(&request("POST", "/f", Some("application/x-www-form-urlencoded"), body));
        assert_eq!(form("a=1&token=x"), form("token=y&a=1"));
        assert_ne!(form("a=1&tokens=x"), form("a=1&tokens=y"), "only the named parameter");
    }

    #[test]
    fn the_fingerprint_ignores_how_a_body_was_written_but_not_what_it_says() {
        let json = |body: &str| fingerprint(&request("POST", "/p?b=2&a=1", Some("application/json"), body));
        let first = json(r#"{"content":"hi","images":["a","b"],"n":{"y":1,"x":2}}"#);
        assert_eq!(
            first,
            json(r#"{ "n": {"x":2, "y":1}, "images":["a","b"], "content":"hi" }"#)
        );
        assert_ne!(first, json(r#"{"content":"hi!","images":["a","b"],"n":{"y":1,"x":2}}"#));
        assert_ne!(first, json(r#"{"content":"hi","images":["b","a"],"n":{"y":1,"x":2}}"#));
        let query = fingerprint(&request(
            "POST",
            "/p?a=1&b=2",
            Some("application/json"),
            r#"{"content":"hi","images":["a","b"],"n":{"y":1,"x":2}}"#,
        ));
        assert_eq!(first, query, "query pairs in any order");
        let other_path = fingerprint(&request(
            "POST",
            "/q?a=1&b=2",
            Some("application/json"),
            r#"{"content":"hi","images":["a","b"],"n":{"y":1,"x":2}}"#,
        ));
        assert_ne!(first, other_path);
        let form = |body: &str| fingerprint(&request("POST", "/f", Some("application/x-www-form-urlencoded"), body));
        assert_eq!(form("a=1&b=2"), form("b=2&a=1"));
        assert_ne!(form("a=1&b=2"), form("a=1&b=3"));
        assert_eq!(first.len(), 64);
    }

    #[test]
    fn a_refused_claim_replays_refuses_or_waits_by_the_record() {
        let record = |status: &str, hash: &str| {
            let mut item = Key::new("IDEM#x", SORT).to_item();
            item.insert(attr::STATUS.into(), s(status));
            item.insert(attr::HASH.into(), s(hash));
            item
        };
        assert!(matches!(
            decide("h", Some(&record(COMPLETED, "other"))),
            Err(AppError::Idempotency(IdempotencyError::Mismatch))
        ));
        assert!(matches!(
            decide("h", Some(&record(IN_PROGRESS, "other"))),
            Err(AppError::Idempotency(IdempotencyError::Mismatch))
        ));
        assert!(matches!(
            decide("h", Some(&record(IN_PROGRESS, "h"))),
            Err(AppError::Idempotency(IdempotencyError::InProgress))
        ));
        let mut done = record(COMPLETED, "h");
        let stored = Stored {
            status: 201,
            code: 201,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Some(s(r#"{"id":1}"#)),
        };
        done.insert(attr::HTTP_STATUS.into(), n(201));
        done.insert(attr::CODE.into(), n(201));
        done.insert(attr::HEADERS.into(), AttributeValue::L(stored.headers_attr()));
        done.insert(attr::BODY.into(), s(r#"{"id":1}"#));
        match decide("h", Some(&done)) {
            Ok(Claimed::Done(found)) => assert_eq!(found, stored),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_stored_answer_replays_byte_for_byte_and_says_so() {
        let mut first = Response::new(Body::Text(r#"{"errCode":0,"data":{"b":1,"a":2}}"#.into()));
        *first.status_mut() = StatusCode::CREATED;
        first.headers_mut().insert(
            "content-type",
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        let again = Stored::of(0, &first).response();
        assert_eq!(again.status(), StatusCode::CREATED);
        assert_eq!(again.body(), first.body());
        assert_eq!(again.headers()["content-type"], "application/json; charset=utf-8");
        assert_eq!(again.headers()[REPLAYED_HEADER], "true");
    }
}
