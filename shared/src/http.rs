//! Reading requests and writing responses, the same way for every surface.

use lambda_http::http::{HeaderValue, StatusCode, header::CONTENT_TYPE};
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// The largest JSON body any endpoint reads. Larger bodies are refused before parsing.
pub const MAX_JSON_BODY: usize = 64 * 1024;

/// A header's value, trimmed; `None` when absent, empty or not valid UTF-8.
pub fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Whether the request's body may be read as JSON: its content type is `application/json` or a
/// `+json` type, or it has none. A `text/plain` or form body is not JSON, whatever it contains.
pub fn declares_json(req: &Request) -> bool {
    header(req, CONTENT_TYPE.as_str()).is_none_or(|ct| {
        let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
    })
}

pub fn body_bytes(req: &Request) -> &[u8] {
    match req.body() {
        Body::Empty => &[],
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => &[],
    }
}

/// Parses the body as JSON into `T`. An empty body reads as `{}`, a top-level field that is
/// `null` as absent (as Go's decoder, and so OpenIM, reads it), and unknown fields are ignored.
pub fn json_body<T: DeserializeOwned>(req: &Request) -> Result<T, AppError> {
    let bytes = body_bytes(req);
    if bytes.len() > MAX_JSON_BODY {
        return Err(AppError::bad_request(format!(
            "request body too large (at most {MAX_JSON_BODY} bytes)"
        )));
    }
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else if !declares_json(req) {
        return Err(AppError::bad_request(
            "request body must be JSON (Content-Type: application/json)",
        ));
    } else {
        bytes
    };
    let invalid = |e: serde_json::Error| AppError::bad_request(format!("invalid JSON body: {e}"));
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(invalid)?;
    if let serde_json::Value::Object(fields) = &mut value {
        fields.retain(|_, v| !v.is_null());
    }
    T::deserialize(value).map_err(invalid)
}

/// A JSON response with `status`.
pub fn json_response(status: StatusCode, value: &impl Serialize) -> Response<Body> {
    let body = match serde_json::to_string(value) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "response serialization failed");
            return plain_response(StatusCode::INTERNAL_SERVER_ERROR);
        }
    };
    let mut resp = Response::new(Body::Text(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}

fn plain_response(status: StatusCode) -> Response<Body> {
    let mut resp = Response::new(Body::Empty);
    *resp.status_mut() = status;
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, Default)]
    #[serde(default)]
    struct In {
        a: String,
    }

    fn req(body: &str) -> Request {
        lambda_http::http::Request::builder()
            .body(Body::Text(body.into()))
            .unwrap()
    }

    #[test]
    fn empty_body_reads_as_empty_object() {
        assert_eq!(json_body::<In>(&req("")).unwrap().a, "");
    }

    #[test]
    fn unknown_fields_are_ignored() {
        assert_eq!(json_body::<In>(&req(r#"{"a":"x","userID":"evil"}"#)).unwrap().a, "x");
    }

    #[test]
    fn null_fields_read_as_absent() {
        assert_eq!(json_body::<In>(&req(r#"{"a":null}"#)).unwrap().a, "");
    }

    #[test]
    fn malformed_and_mistyped_bodies_are_bad_requests() {
        assert!(matches!(json_body::<In>(&req("{")), Err(AppError::BadRequest(_))));
        assert!(matches!(
            json_body::<In>(&req(r#"{"a":5}"#)),
            Err(AppError::BadRequest(_))
        ));
    }

    #[test]
    fn oversized_bodies_are_refused() {
        let big = format!(r#"{{"a":"{}"}}"#, "x".repeat(MAX_JSON_BODY));
        let err = json_body::<In>(&req(&big)).unwrap_err();
        assert!(err.to_string().contains("too large"));
    }

    #[test]
    fn only_json_content_types_are_read_as_json() {
        let with = |ct: &str| {
            lambda_http::http::Request::builder()
                .header("content-type", ct)
                .body(Body::Text(r#"{"a":"x"}"#.into()))
                .unwrap()
        };
        for ct in [
            "application/json",
            "application/json; charset=utf-8",
            "application/merge-patch+json",
        ] {
            assert_eq!(json_body::<In>(&with(ct)).unwrap().a, "x", "{ct}");
        }
        for ct in [
            "text/plain",
            "text/plain;charset=UTF-8",
            "application/x-www-form-urlencoded",
        ] {
            assert!(
                matches!(json_body::<In>(&with(ct)), Err(AppError::BadRequest(_))),
                "{ct}"
            );
        }
        assert_eq!(json_body::<In>(&req(r#"{"a":"y"}"#)).unwrap().a, "y", "no content type");
    }
}
