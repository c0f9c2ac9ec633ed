//! The local API gateway: routes from `template.yaml`, each request turned into the HTTP API
//! (payload v2) event API Gateway would send, converted by `lambda_http` exactly as in Lambda,
//! and handed to the function's handler. Each function has its own state and DynamoDB, S3 and
//! Management API clients (as each Lambda has its own containers), with its IAM policy enforced
//! and its DynamoDB requests recorded. The template's WebSocket API is served on the same
//! listener under its stage's path ([`crate::socket`]).

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use base64::Engine;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value, json};
use shared::AppState;
use shared::config::Config;
use shared::lambda::{Body, Function, Handler};
use shared::socket::Pusher;
use shared::store::observe::RequestLog;
use tokio::net::TcpListener;

use crate::iam::Policy;
use crate::socket::{AuthorizerMounted, Socket};
use crate::static_files::StaticFiles;
use crate::streams::StreamMounted;
use crate::template::Template;

/// API Gateway's payload limit for HTTP APIs.
pub const MAX_PAYLOAD: usize = 10 * 1024 * 1024;
/// Lambda's limit on a synchronous invocation's payload: the event, body base64-encoded.
pub const MAX_EVENT: usize = 6 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("template function {logical_id} names binary {binary}, which no surface provides")]
    NoHandler { logical_id: String, binary: String },
    #[error("function {0} exists in code but not in template.yaml, so it would never be deployed")]
    NotInTemplate(String),
    #[error("route {0} is declared twice")]
    DuplicateRoute(String),
    #[error("HTTP route {route} is under /{stage}, where the WebSocket API's stage is served on the same port")]
    StageTaken { route: String, stage: String },
    #[error("HTTP route {route} is under {prefix}, where the local gateway serves static files")]
    StaticTaken { route: String, prefix: &'static str },
}

/// A function with its own state and clients, as in its own Lambda containers.
pub(crate) struct Mounted {
    pub(crate) binary: String,
    handler: Handler,
    state: AppState,
    requests: RequestLog,
}

impl Mounted {
    /// Invokes the function with `event` (its JSON), converted by `lambda_http` as in Lambda. An
    /// event it can't convert is a 500, as a failed invocation would be.
    pub(crate) async fn invoke(&self, event: &str) -> lambda_http::Response<Body> {
        match lambda_http::request::from_str(event) {
            Ok(request) => (self.handler)(&self.state, request).await,
            Err(e) => {
                tracing::error!(error = %e, function = %self.binary, "could not build the Lambda request");
                let mut response =
                    lambda_http::Response::new(Body::from(json!({ "message": "Internal Server Error" }).to_string()));
                *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                response.headers_mut().insert(
                    "content-type",
                    hyper::header::HeaderValue::from_static("application/json"),
                );
                response
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
    Greedy(String),
}

struct RouteEntry {
    method: String,
    path: String,
    segments: Vec<Segment>,
    function: usize,
}

pub struct Gateway {
    functions: Vec<Arc<Mounted>>,
    /// The WebSocket API's authorizer functions.
    authorizers: Vec<Arc<AuthorizerMounted>>,
    routes: Vec<RouteEntry>,
    addr: SocketAddr,
    socket: Option<Arc<Socket>>,
    static_files: StaticFiles,
    /// The functions on the table's stream, read once [`Gateway::start_streams`] is called.
    streams: Vec<Arc<StreamMounted>>,
    /// The clients that read the stream (the event source mapping's, not a function's) and the
    /// table's name.
    stream_reader: (aws_sdk_dynamodbstreams::Client, aws_sdk_dynamodb::Client, String),
}

impl Gateway {
    /// Mounts every function of `template` with its handler from `registry`, to be served at
    /// `addr` (bind the listener first: the functions' Management API clients call the
    /// gateway back there, at `http://{addr}/{stage}`).
    pub fn new(
        template: &Template,
        registry: Vec<Function>,
        config: &Config,
        sdk: &aws_config::SdkConfig,
        addr: SocketAddr,
    ) -> Result<Self, GatewayError> {
        Self::with_dynamo_endpoint(template, registry, config, sdk, addr, None)
    }

    /// [`Gateway::new`] with the functions' DynamoDB clients sent to `dynamo_endpoint` instead
    /// of the SDK configuration's endpoint: the tests put a fault-injecting proxy there
    /// (docs/reliability.md).
    pub fn with_dynamo_endpoint(
        template: &Template,
        registry: Vec<Function>,
        config: &Config,
        sdk: &aws_config::SdkConfig,
        addr: SocketAddr,
        dynamo_endpoint: Option<&str>,
    ) -> Result<Self, GatewayError> {
        let mut by_binary: HashMap<&'static str, Function> = registry.into_iter().map(|f| (f.binary, f)).collect();
        let mut stream_handlers: HashMap<&'static str, shared::lambda::StreamHandler> = crate::all_stream_functions()
            .into_iter()
            .map(|f| (f.binary, f.handler))
            .collect();
        let mut authorizer_handlers: HashMap<&'static str, shared::lambda::AuthorizerHandler> =
            crate::all_authorizer_functions()
                .into_iter()
                .map(|f| (f.binary, f.handler))
                .collect();
        let mut authorizers = Vec::new();
        let mut streams = Vec::new();
        let mut functions = Vec::new();
        let mut routes = Vec::new();
        let static_files = StaticFiles::local();
        // The Management API endpoint, as SOCKET_ENDPOINT is in AWS.
        let socket_endpoint = template
            .socket
            .as_ref()
            .map(|api| format!("http://{addr}/{}", api.stage));
        for def in &template.functions {
            let no_handler = || GatewayError::NoHandler {
                logical_id: def.logical_id.clone(),
                binary: def.binary.clone(),
            };
            let requests = RequestLog::default();
            let policy = Policy {
                function: def.binary.clone(),
                grants: Arc::new(def.grants.clone()),
            };
            let mut dynamo = shared::state::dynamo_config(sdk);
            if let Some(endpoint) = dynamo_endpoint {
                dynamo = dynamo.endpoint_url(endpoint);
            }
            let dynamo = dynamo.interceptor(requests.clone()).interceptor(policy.clone()).build();
            let s3 = shared::state::s3_config(sdk).interceptor(policy.clone()).build();
            let mut config = config.clone();
            config.socket_endpoint = socket_endpoint.clone();
            let mut state = AppState::new(config, aws_sdk_dynamodb::Client::from_conf(dynamo))
                .with_s3(aws_sdk_s3::Client::from_conf(s3));
            if let Some(endpoint) = &socket_endpoint {
                let push = shared::socket::push_config(sdk, endpoint).interceptor(policy).build();
                state = state.with_push(Pusher::new(aws_sdk_apigatewaymanagement::Client::from_conf(push)));
            }
            if let Some(source) = &def.stream {
                let handler = stream_handlers.remove(def.binary.as_str()).ok_or_else(no_handler)?;
                streams.push(Arc::new(StreamMounted {
                    binary: def.binary.clone(),
                    source: source.clone(),
                    state,
                    requests,
                    handler,
                }));
                continue;
            }
            if let Some(handler) = authorizer_handlers.remove(def.binary.as_str()) {
                authorizers.push(Arc::new(AuthorizerMounted {
                    binary: def.binary.clone(),
                    state,
                    requests,
                    handler,
                }));
                continue;
            }
            let f = by_binary.remove(def.binary.as_str()).ok_or_else(no_handler)?;
            for route in &def.routes {
                let key = format!("{} {}", route.method, route.path);
                if let Some(api) = &template.socket
                    && route.path.trim_start_matches('/').split('/').next() == Some(api.stage.as_str())
                {
                    return Err(GatewayError::StageTaken {
                        route: key,
                        stage: api.stage.clone(),
                    });
                }
                // A GET there is answered from disk and would never reach the route, which
                // would then work in AWS but not locally.
                if let Some(prefix) = static_files
                    .prefixes()
                    .find(|p| format!("{}/", route.path).starts_with(p))
                {
                    return Err(GatewayError::StaticTaken { route: key, prefix });
                }
                if routes
                    .iter()
                    .any(|r: &RouteEntry| format!("{} {}", r.method, r.path) == key)
                {
                    return Err(GatewayError::DuplicateRoute(key));
                }
                routes.push(RouteEntry {
                    method: route.method.clone(),
                    path: route.path.clone(),
                    segments: parse_path(&route.path),
                    function: functions.len(),
                });
            }
            functions.push(Arc::new(Mounted {
                binary: def.binary.clone(),
                handler: f.handler,
                state,
                requests,
            }));
        }
        // Like the stream functions, an authorizer the template doesn't declare is not mounted
        // (tests/tests/e2e/contract.rs checks the registries against template.yaml).
        if let Some(binary) = by_binary.keys().next() {
            return Err(GatewayError::NotInTemplate(binary.to_string()));
        }
        // The stream is read with the SDK's own endpoint for DynamoDB (the API server serves
        // both APIs), or the one the functions are sent to.
        let endpoint = dynamo_endpoint
            .map(str::to_owned)
            .or_else(|| std::env::var("AWS_ENDPOINT_URL_DYNAMODB").ok());
        let mut streams_config = aws_sdk_dynamodbstreams::config::Builder::from(sdk);
        if let Some(endpoint) = &endpoint {
            streams_config = streams_config.endpoint_url(endpoint);
        }
        let stream_reader = (
            aws_sdk_dynamodbstreams::Client::from_conf(streams_config.build()),
            aws_sdk_dynamodb::Client::new(sdk),
            config.table_name.clone(),
        );
        let socket = template.socket.as_ref().map(|api| {
            // The template resolved every route to one of its functions, all mounted above.
            let function = |binary: &str| {
                functions
                    .iter()
                    .find(|f| f.binary == binary)
                    .cloned()
                    .expect("a socket route's function is mounted")
            };
            let authorizer = |binary: &str| authorizers.iter().find(|f| f.binary == binary).cloned();
            let region = sdk.region().map_or_else(|| "us-east-1".to_owned(), |r| r.to_string());
            Arc::new(Socket::new(api, &region, function, authorizer))
        });
        Ok(Self {
            functions,
            authorizers,
            routes,
            addr,
            socket,
            static_files,
            streams,
            stream_reader,
        })
    }

    /// Starts reading the table's stream for every function with a `DynamoDB` event, as their
    /// event source mappings would (`crate::streams`); abort the handles to stop them.
    /// Every record written once this returns reaches them.
    pub async fn start_streams(&self) -> Result<Vec<tokio::task::JoinHandle<()>>, crate::streams::BoxError> {
        let (streams, dynamo, table) = &self.stream_reader;
        let mut readers = Vec::new();
        for function in &self.streams {
            readers.extend(crate::streams::start(streams, dynamo, table, function).await?);
        }
        Ok(readers)
    }

    /// Serves these static files instead of [`StaticFiles::local`]'s (for tests, which don't run
    /// from the repository's root).
    pub fn with_static_files(mut self, files: StaticFiles) -> Self {
        self.static_files = files;
        self
    }

    /// How long a WebSocket connection may go without a frame from its client
    /// ([`crate::socket::IDLE_TIMEOUT`] unless changed here, for tests).
    pub fn with_socket_idle_timeout(mut self, idle: std::time::Duration) -> Self {
        if let Some(socket) = self.socket.as_mut().and_then(Arc::get_mut) {
            socket.idle_timeout = idle;
        }
        self
    }

    /// The number of HTTP routes.
    pub fn route_count(&self) -> usize {
        self.routes.len()
    }

    /// The number of WebSocket routes.
    pub fn socket_route_count(&self) -> usize {
        self.socket.as_ref().map_or(0, |s| s.route_count())
    }

    /// The HTTP API's base URL: `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The WebSocket API's URL, `ws://127.0.0.1:PORT/{stage}`, if the template has one.
    pub fn ws_url(&self) -> Option<String> {
        self.socket
            .as_ref()
            .map(|s| format!("ws://{}/{}", self.addr, s.stage()))
    }

    /// The DynamoDB requests function `binary` has made.
    pub fn requests(&self, binary: &str) -> &RequestLog {
        let http = self.functions.iter().find(|f| f.binary == binary).map(|f| &f.requests);
        let stream = || self.streams.iter().find(|f| f.binary == binary).map(|f| &f.requests);
        let authorizer = || {
            self.authorizers
                .iter()
                .find(|f| f.binary == binary)
                .map(|f| &f.requests)
        };
        http.or_else(stream)
            .or_else(authorizer)
            .unwrap_or_else(|| panic!("no function {binary}"))
    }

    /// Accepts connections on `listener` until the task is dropped.
    pub async fn serve(self: Arc<Self>, listener: TcpListener) -> std::io::Result<()> {
        loop {
            let (stream, peer) = listener.accept().await?;
            let gateway = self.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let gateway = gateway.clone();
                    async move { Ok::<_, Infallible>(gateway.handle(req, peer).await) }
                });
                if let Err(e) = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .with_upgrades()
                    .await
                {
                    tracing::debug!(error = %e, "connection ended");
                }
            });
        }
    }

    async fn handle(&self, req: Request<Incoming>, peer: SocketAddr) -> Response<Full<Bytes>> {
        if let Some(socket) = &self.socket
            && socket.serves(req.uri().path())
        {
            return socket.clone().handle(req, peer).await;
        }
        if req.method() == hyper::Method::GET
            && let Some(file) = self.static_files.serve(req.uri().path())
        {
            return file;
        }
        let started = Instant::now();
        let (parts, body) = req.into_parts();
        let body = match Limited::new(body, MAX_PAYLOAD).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => return message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large"),
        };
        let method = parts.method.as_str().to_owned();
        let path = parts.uri.path().to_owned();
        let Some((route, params)) = self.route(&method, &path) else {
            tracing::info!(%method, %path, status = 404, "no route");
            return message(StatusCode::NOT_FOUND, "Not Found");
        };
        let function = &self.functions[route.function];
        let request_id = uuid::Uuid::new_v4().to_string();
        let event = event(&parts, &body, route, &params, peer, &request_id);
        let event = event.to_string();
        if event.len() > MAX_EVENT {
            // Lambda refuses an invocation payload over 6 MiB (a binary body counts base64-encoded).
            tracing::info!(%method, %path, status = 413, bytes = event.len(), "event over Lambda's limit");
            return message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
        }
        let response = function.invoke(&event).await;
        let status = response.status();
        tracing::info!(%method, %path, status = status.as_u16(), function = %function.binary, ms = started.elapsed().as_millis() as u64, "request");
        let (parts, body) = response.into_parts();
        let mut out = Response::from_parts(parts, Full::new(body_bytes(body)));
        if let Ok(v) = request_id.parse() {
            out.headers_mut().insert("apigw-requestid", v);
        }
        out
    }

    /// The route for `method path`, preferring literal segments over parameters, as API Gateway does.
    fn route(&self, method: &str, path: &str) -> Option<(&RouteEntry, Map<String, Value>)> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        self.routes
            .iter()
            .filter(|r| r.method == method || r.method == "ANY")
            .filter_map(|r| match_segments(&r.segments, &parts).map(|p| (r, p)))
            .max_by_key(|(r, _)| specificity(&r.segments))
    }
}

/// A function's answer body as bytes.
pub(crate) fn body_bytes(body: Body) -> Bytes {
    match body {
        Body::Empty => Bytes::new(),
        Body::Text(t) => Bytes::from(t),
        Body::Binary(b) => Bytes::from(b),
        _ => Bytes::new(),
    }
}

fn parse_path(path: &str) -> Vec<Segment> {
    path.trim_start_matches('/')
        .split('/')
        .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) if name.ends_with('+') => Segment::Greedy(name.trim_end_matches('+').to_owned()),
            Some(name) => Segment::Param(name.to_owned()),
            None => Segment::Literal(s.to_owned()),
        })
        .collect()
}

fn match_segments(segments: &[Segment], parts: &[&str]) -> Option<Map<String, Value>> {
    let mut params = Map::new();
    for (i, seg) in segments.iter().enumerate() {
        match seg {
            Segment::Greedy(name) => {
                let rest = parts.get(i..).filter(|r| !r.is_empty() && !r[0].is_empty())?;
                params.insert(name.clone(), Value::String(rest.join("/")));
                return Some(params);
            }
            Segment::Literal(l) => {
                if parts.get(i) != Some(&l.as_str()) {
                    return None;
                }
            }
            Segment::Param(name) => {
                let value = parts.get(i).filter(|v| !v.is_empty())?;
                params.insert(name.clone(), Value::String(percent_decode(value)));
            }
        }
    }
    (segments.len() == parts.len()).then_some(params)
}

fn specificity(segments: &[Segment]) -> (usize, usize) {
    let literals = segments.iter().filter(|s| matches!(s, Segment::Literal(_))).count();
    let not_greedy = segments.iter().filter(|s| !matches!(s, Segment::Greedy(_))).count();
    (literals, not_greedy)
}

pub(crate) fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| Some(hex(*bytes.get(i + 1)?)? << 4 | hex(*bytes.get(i + 2)?)?))
            .flatten();
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether API Gateway would pass this body as text (else base64 with `isBase64Encoded`).
fn is_text(content_type: Option<&str>) -> bool {
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    ct.is_empty()
        || ct.starts_with("text/")
        || ct.contains("json")
        || ct.contains("xml")
        || ct.contains("javascript")
        || ct.starts_with("application/x-www-form-urlencoded")
}

/// The HTTP API payload v2 event for a request.
fn event(
    parts: &hyper::http::request::Parts,
    body: &Bytes,
    route: &RouteEntry,
    params: &Map<String, Value>,
    peer: SocketAddr,
    request_id: &str,
) -> Value {
    let mut headers = Map::new();
    for (name, value) in &parts.headers {
        let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match headers.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(&v);
            }
            _ => {
                headers.insert(name.as_str().to_owned(), Value::String(v));
            }
        }
    }
    let header = |n: &str| parts.headers.get(n).and_then(|v| v.to_str().ok());
    let route_key = format!("{} {}", route.method, route.path);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let text = std::str::from_utf8(body)
        .ok()
        .filter(|_| is_text(header("content-type")));
    let (body, base64) = match (body.is_empty(), text) {
        (true, _) => (Value::Null, false),
        (false, Some(t)) => (Value::String(t.to_owned()), false),
        (false, None) => (
            Value::String(base64::engine::general_purpose::STANDARD.encode(body)),
            true,
        ),
    };
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": parts.uri.path(),
        "rawQueryString": parts.uri.query().unwrap_or(""),
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": header("host").unwrap_or("localhost"),
            "domainPrefix": "local",
            "http": {
                "method": parts.method.as_str(),
                "path": parts.uri.path(),
                "protocol": "HTTP/1.1",
                "sourceIp": peer.ip().to_string(),
                "userAgent": header("user-agent").unwrap_or(""),
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": "$default",
            "timeEpoch": now.as_millis() as u64,
        },
        "isBase64Encoded": base64,
    });
    if !params.is_empty() {
        event["pathParameters"] = Value::Object(params.clone());
    }
    if !body.is_null() {
        event["body"] = body;
    }
    event
}

/// API Gateway's `{"message": …}` answer.
pub(crate) fn message(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(json!({ "message": text }).to_string())));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        "content-type",
        hyper::header::HeaderValue::from_static("application/json"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(p: &str) -> Vec<Segment> {
        parse_path(p)
    }

    #[test]
    fn matches_literals_params_and_greedy() {
        let parts = |p: &str| {
            p.trim_start_matches('/')
                .split('/')
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        let m = |route: &str, path: &str| {
            let ps = parts(path);
            let refs: Vec<&str> = ps.iter().map(String::as_str).collect();
            match_segments(&segs(route), &refs)
        };
        assert!(m("/chatx/moments/like", "/chatx/moments/like").is_some());
        assert!(m("/chatx/moments/like", "/chatx/moments/like/x").is_none());
        assert_eq!(m("/infos/{id}", "/infos/7").unwrap()["id"], "7");
        assert!(m("/infos/{id}", "/infos/").is_none());
        assert_eq!(m("/files/{key+}", "/files/a/b.png").unwrap()["key"], "a/b.png");
    }

    #[test]
    fn literal_routes_win_over_parameters() {
        assert!(specificity(&segs("/info/categories")) > specificity(&segs("/info/{id}")));
    }

    #[test]
    fn decodes_percent_escapes_in_parameters() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("%E4%BD%A0"), "你");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%é"), "%é");
    }
}
