//! Support for tests (the `testing` feature, a dev-dependency of the surface crates and the
//! end-to-end tests): an offline state, requests built as API Gateway builds them, and the
//! JSON body of an answer.

use std::collections::HashMap;

use lambda_http::{Body, Request, RequestExt, Response, http};
use serde_json::Value;

use crate::AppState;
use crate::config::Config;

/// The state of a function whose DynamoDB client has an unusable endpoint and whose S3 client
/// points at a closed port (127.0.0.1:9), without retries: everything decided before the store
/// behaves as in production, and any DynamoDB call fails at once, as an internal error (a
/// closed port would be a store out of reach: `AppError::Unavailable`, docs/reliability.md).
pub fn offline_state() -> AppState {
    let secret = "x".repeat(32);
    let config = Config::from_lookup(|k| match k {
        "TABLE_NAME" | "STORAGE_BUCKET" => Some("unused".into()),
        "TOKEN_SECRET" => Some(secret.clone()),
        _ => None,
    })
    .expect("test configuration");
    let credentials = aws_sdk_dynamodb::config::Credentials::new("k", "s", None, None, "test");
    let dynamo = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .endpoint_url("unusable endpoint")
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
        .credentials_provider(credentials.clone())
        .build();
    let s3 = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url("http://127.0.0.1:9")
        .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
        .credentials_provider(credentials)
        .force_path_style(true)
        .build();
    AppState::new(config, aws_sdk_dynamodb::Client::from_conf(dynamo)).with_s3(aws_sdk_s3::Client::from_conf(s3))
}

/// A request as API Gateway hands it to a handler once `lambda_http` has converted the event:
/// method, URI (with its raw query string), headers, body, and the query string and path
/// parameters API Gateway extracted. `request("GET", "/api/x?a=1").build()` has no body.
#[must_use]
pub struct ApiRequest {
    method: String,
    uri: String,
    headers: Vec<(String, String)>,
    query: Option<HashMap<String, String>>,
    path: Option<HashMap<String, String>>,
    body: Body,
}

/// Starts an [`ApiRequest`] for `method` and `uri`.
pub fn request(method: &str, uri: &str) -> ApiRequest {
    ApiRequest {
        method: method.to_owned(),
        uri: uri.to_owned(),
        headers: Vec::new(),
        query: None,
        path: None,
        body: Body::Empty,
    }
}

fn to_map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

impl ApiRequest {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Every `(name, value)` of `headers`, in order.
    pub fn headers(self, headers: &[(&str, &str)]) -> Self {
        headers.iter().fold(self, |req, (k, v)| req.header(k, v))
    }

    /// The query string parameters API Gateway extracted (`queryStringParameters`).
    pub fn query(mut self, params: &[(&str, &str)]) -> Self {
        self.query = Some(to_map(params));
        self
    }

    /// The path parameters of the route (`pathParameters`, `/:id`).
    pub fn path(mut self, params: &[(&str, &str)]) -> Self {
        self.path = Some(to_map(params));
        self
    }

    /// A text body (JSON, a form, or anything a client may send).
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Body::Text(body.into());
        self
    }

    /// A binary body (a multipart form with files), as API Gateway decodes a base64 body.
    pub fn bytes(mut self, body: Vec<u8>) -> Self {
        self.body = Body::Binary(body);
        self
    }

    pub fn build(self) -> Request {
        let mut builder = http::Request::builder().method(self.method.as_str()).uri(self.uri);
        for (k, v) in &self.headers {
            builder = builder.header(k, v);
        }
        let mut req = builder.body(self.body).expect("a valid test request");
        if let Some(query) = self.query {
            req = req.with_query_string_parameters(query);
        }
        if let Some(path) = self.path {
            req = req.with_path_parameters(path);
        }
        req
    }
}

/// The JSON body of a handler's answer (`null` for an empty body); panics on anything else.
pub fn json_body(resp: &Response<Body>) -> Value {
    match resp.body() {
        Body::Text(t) => serde_json::from_str(t).unwrap_or_else(|e| panic!("not JSON ({e}): {t}")),
        Body::Empty => Value::Null,
        other => panic!("unexpected body {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_carries_what_api_gateway_extracted() {
        let req = request("POST", "/x?a=1")
            .headers(&[("operationID", "op"), ("token", "t")])
            .query(&[("a", "1")])
            .path(&[("id", "7")])
            .body("{}")
            .build();
        assert_eq!(req.method(), "POST");
        assert_eq!(req.uri(), "/x?a=1");
        assert_eq!(
            (&req.headers()["operationID"], &req.headers()["token"]),
            (&"op".parse().unwrap(), &"t".parse().unwrap())
        );
        assert_eq!(req.query_string_parameters_ref().and_then(|q| q.first("a")), Some("1"));
        assert_eq!(req.path_parameters_ref().and_then(|p| p.first("id")), Some("7"));
        assert!(matches!(req.body(), Body::Text(t) if t == "{}"));
        assert!(matches!(request("GET", "/x").build().body(), Body::Empty));
    }

    #[test]
    fn the_json_body_of_an_answer() {
        let answer = |body: Body| Response::builder().body(body).unwrap();
        assert_eq!(
            json_body(&answer(Body::Text(r#"{"a":1}"#.into()))),
            serde_json::json!({"a": 1})
        );
        assert_eq!(json_body(&answer(Body::Empty)), Value::Null);
    }
}
