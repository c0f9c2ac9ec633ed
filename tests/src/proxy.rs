//! What the proxies in front of the DynamoDB API server share: a listener on a free local port
//! with one task per connection ([`Listening`]), forwarding a request to the server as it came
//! ([`Upstream`]), the operation a request names, and DynamoDB's error answer. The fault proxy
//! (`faults.rs`), the throttling proxy (`throttle.rs`) and tools/bench's metering proxy add only
//! what they do to each request ([`Handle`]).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::http::request::Parts;
use hyper::service::service_fn;
use hyper::{HeaderMap, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::json;

/// A proxy's answer to one request.
pub type Answer = Response<Full<Bytes>>;

/// What a proxy does with each request.
pub trait Handle: Send + Sync + 'static {
    /// Why a request gets no answer: the connection is closed instead.
    type Error: Into<Box<dyn std::error::Error + Send + Sync>> + Send + 'static;

    fn handle(&self, req: Request<Incoming>) -> impl Future<Output = Result<Answer, Self::Error>> + Send;
}

/// A proxy serving on a free local port; it stops when dropped.
pub struct Listening {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Listening {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Listening {
    /// Serves `handler` on a free port of 127.0.0.1.
    pub async fn start<H: Handle>(handler: Arc<H>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("bound address");
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let handler = handler.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let handler = handler.clone();
                        async move { handler.handle(req).await }
                    });
                    // A handler's error closes the connection without an answer.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { addr, task }
    }

    /// The endpoint to give the functions' DynamoDB clients.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// The DynamoDB API server a proxy forwards to.
pub struct Upstream {
    url: String,
    http: reqwest::Client,
}

/// The server couldn't be reached, or its answer not read.
#[derive(Debug)]
pub struct Unreachable(reqwest::Error);

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the DynamoDB API server: {}", self.0)
    }
}

impl std::error::Error for Unreachable {}

impl Upstream {
    /// The server at `url` (`http://127.0.0.1:PORT`).
    pub fn new(url: &str) -> Self {
        Self {
            url: url.trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// The client to read from the server directly (what a proxy looks at around a request).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sends a request on as it came (its headers but those of the hop) and reads the server's
    /// answer.
    pub async fn forward(&self, parts: &Parts, body: Bytes) -> Result<Forwarded, Unreachable> {
        let path = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let mut req = self
            .http
            .request(parts.method.clone(), format!("{}{path}", self.url))
            .body(body);
        for (name, value) in &parts.headers {
            if !HOP.contains(&name.as_str()) && name != "host" {
                req = req.header(name, value);
            }
        }
        let resp = req.send().await.map_err(Unreachable)?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(Unreachable)?;
        Ok(Forwarded { status, headers, body })
    }
}

/// Headers of one hop, never passed on.
const HOP: [&str; 3] = ["content-length", "connection", "transfer-encoding"];

/// The server's answer to a forwarded request.
pub struct Forwarded {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Forwarded {
    /// The answer as the proxy gives it on.
    pub fn into_answer(self) -> Answer {
        let mut out = Response::builder().status(self.status);
        for (name, value) in &self.headers {
            if !HOP.contains(&name.as_str()) {
                out = out.header(name, value);
            }
        }
        out.body(Full::new(self.body)).expect("a response from a valid one")
    }
}

/// The DynamoDB operation a request names (`x-amz-target: DynamoDB_20120810.<operation>`);
/// `None` for anything else (a DynamoDB Streams call, a request without a target).
pub fn operation(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix("DynamoDB_20120810."))
}

/// A DynamoDB error answer: `__type`, the body's fields, `x-amzn-ErrorType`.
pub fn dynamodb_error(status: StatusCode, code: &str, mut fields: serde_json::Value) -> Answer {
    fields["__type"] = json!(format!("com.amazonaws.dynamodb.v20120810#{code}"));
    Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amzn-errortype", code)
        .header("x-amzn-requestid", uuid::Uuid::new_v4().to_string())
        .body(Full::new(Bytes::from(fields.to_string())))
        .expect("a valid response")
}

/// A proxy that holds the first request of one operation, once armed, until released: what a
/// test needs to land a write of its own between a function's read and its write, every run.
pub struct HoldOnce {
    upstream: Upstream,
    operation: &'static str,
    armed: std::sync::atomic::AtomicBool,
    /// Notified when the held request arrives.
    pub reached: tokio::sync::Notify,
    release: tokio::sync::Notify,
}

impl HoldOnce {
    /// Forwards everything to `upstream`; holds nothing until [`HoldOnce::arm`].
    pub fn new(upstream: &str, operation: &'static str) -> Self {
        Self {
            upstream: Upstream::new(upstream),
            operation,
            armed: std::sync::atomic::AtomicBool::new(false),
            reached: tokio::sync::Notify::new(),
            release: tokio::sync::Notify::new(),
        }
    }

    /// The next request of the operation is held.
    pub fn arm(&self) {
        self.armed.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Lets the held request (or the next one to be held) go on.
    pub fn release(&self) {
        self.release.notify_one();
    }

    /// Runs `answer` (a call that reads, then writes with the held operation) while, between
    /// its read and its write (held), `meanwhile` runs to the end. What `answer` gave.
    pub async fn during<T>(&self, meanwhile: impl Future<Output = ()>, answer: impl Future<Output = T>) -> T {
        self.arm();
        let meanwhile = async {
            self.reached.notified().await;
            meanwhile.await;
            self.release();
        };
        let (answered, ()) = tokio::join!(answer, meanwhile);
        answered
    }
}

impl Handle for HoldOnce {
    type Error = Unreachable;

    async fn handle(&self, req: Request<Incoming>) -> Result<Answer, Unreachable> {
        use http_body_util::BodyExt;
        let (parts, body) = req.into_parts();
        let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        if operation(&parts) == Some(self.operation) && self.armed.swap(false, std::sync::atomic::Ordering::SeqCst) {
            self.reached.notify_one();
            self.release.notified().await;
        }
        Ok(self.upstream.forward(&parts, body).await?.into_answer())
    }
}
