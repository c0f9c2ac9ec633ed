//! What the fuzz targets share: turning the fuzzer's bytes into a request the way API Gateway
//! hands one to a function, and the invariants every parser keeps.
//!
//! A target's input is text lines, so the seed corpora (`fuzz/corpus/<target>/`) read like
//! requests: the first lines are the request's parts (content type, query string), the rest is
//! the body, byte for byte.

use lambda_http::aws_lambda_events::query_map::QueryMap;
use lambda_http::{Body, Request, RequestExt};
use shared::AppError;

/// The first `n` lines of `data` (each as lossy UTF-8, without its `\n`) and the rest as bytes.
pub fn lines<const N: usize>(data: &[u8]) -> ([String; N], &[u8]) {
    let mut rest = data;
    let parts = std::array::from_fn(|_| {
        let (line, tail) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = tail;
        String::from_utf8_lossy(line).into_owned()
    });
    (parts, rest)
}

/// A POST request as lambda_http builds it from an HTTP API event: the raw query string parsed
/// into the query map (lambda_http parses `rawQueryString` the same way), the content type if
/// not empty, and the body (text when it is UTF-8, as API Gateway sends it, else binary).
pub fn request(query: &str, content_type: &str, body: &[u8]) -> Request {
    let mut builder = lambda_http::http::Request::builder().method("POST");
    let uri = format!("https://api.example.com/route?{query}");
    if uri.parse::<lambda_http::http::Uri>().is_ok() {
        builder = builder.uri(uri);
    }
    if !content_type.is_empty()
        && let Ok(value) = lambda_http::http::HeaderValue::from_str(content_type)
    {
        builder = builder.header("content-type", value);
    }
    let body = match std::str::from_utf8(body) {
        Ok(text) if !text.is_empty() => Body::Text(text.to_owned()),
        Ok(_) => Body::Empty,
        Err(_) => Body::Binary(body.to_vec()),
    };
    builder
        .body(body)
        .expect("a request of valid parts")
        .with_query_string_parameters(query.parse::<QueryMap>().expect("infallible"))
}

/// A parser's refusal of client input is a client error: an internal error (which every
/// surface answers as its 5xx-like fault) for any input is a bug.
pub fn client_error(result: &Result<impl Sized, AppError>) {
    if let Err(AppError::Internal(e)) = result {
        panic!("input parsing failed as an internal error: {e:?}");
    }
}

/// Runs a future that can't wait (the parsers read a body already in memory).
pub fn ready<F: std::future::Future>(f: F) -> F::Output {
    futures_util::FutureExt::now_or_never(f).expect("parsing a body in memory never waits")
}
