//! The template's WebSocket API, served as API Gateway serves it, on the gateway's listener:
//! connections at `ws://127.0.0.1:PORT/{stage}` and the Management API the functions push
//! through at `http://127.0.0.1:PORT/{stage}/@connections/{id}`.
//!
//! - `$connect` with a Lambda REQUEST authorizer (`AuthorizationType: CUSTOM`): a handshake
//!   without one of its identity sources (`?token=`) is refused 401 without calling it;
//!   otherwise it is invoked first with the REQUEST event (`type`, `methodArn`
//!   `arn:aws:execute-api:{region}:{account}:local/{stage}/$connect`, the upgrade request's
//!   headers and query string, the `$connect` request context). Its error `Unauthorized` is a
//!   401, any other failure (or an answer that isn't a policy) a 500, a policy that doesn't
//!   allow `execute-api:Invoke` on the `methodArn` a 403, all without calling `$connect`. An
//!   allow's `principalId` and `context` (one flat map, scalar values only) are the
//!   `requestContext.authorizer` of `$connect` and of every later event of the connection
//!   (frames and `$disconnect`), as API Gateway does. Not emulated: API Gateway's own
//!   `integrationLatency` key in that map, and any result cache (WebSocket authorizers have
//!   none: every connect invokes it).
//! - The upgrade request becomes the `$connect` event; a 2xx answer completes the handshake
//!   (101, with the answer's `Sec-WebSocket-Protocol`), any other status is the handshake's
//!   answer. Without a `$connect` route every handshake is accepted.
//! - Each text frame goes to the route its JSON `action` names (`$request.body.action`), else to
//!   `$default`; without `$default` the sender gets API Gateway's `Forbidden` frame. On a
//!   two-way route the function's answer body, if not empty, is sent back as a text frame; a
//!   failed invocation (a handler that panics) sends API Gateway's `Internal server error` frame.
//! - A frame over 32 KiB ([`MAX_FRAME`]) or a message over 128 KiB closes the connection with
//!   1009, a binary frame with 1003 (API Gateway takes text frames only); 10 minutes without a
//!   frame from the client ([`IDLE_TIMEOUT`]; pings count, pushes to it don't), or 2 hours in
//!   all, close it with 1001.
//! - When a connection closes it is forgotten (pushes to it are 410 Gone), then `$disconnect`
//!   runs with the close code and reason.
//! - Management API: `POST` sends the body as a frame, `DELETE` closes the connection (1000),
//!   `GET` describes it; an unknown connection is `410 GoneException`. Calls need a signature
//!   (any: SigV4 is not checked), so they come from SDK clients like the functions'.
//!
//! Frames of one connection are handled one at a time, in order (API Gateway promises no
//! order); connections run concurrently.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderMap, HeaderValue};
use hyper::upgrade::Upgraded;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value, json};
use shared::socket::MAX_FRAME;
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use crate::gateway::{Mounted, body_bytes, message, percent_decode};
use crate::template::{IdentitySource, SocketApi};
use shared::AppState;
use shared::lambda::{AuthorizerHandler, AuthorizerRequest};
use shared::store::observe::RequestLog;

/// API Gateway's limit on a message (its frames together), and on a Management API push.
pub const MAX_MESSAGE: usize = 128 * 1024;
/// API Gateway closes a connection after 10 minutes without a frame from its client…
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// …and after 2 hours in any case.
pub const MAX_DURATION: Duration = Duration::from_secs(2 * 3600);
/// How long a connection the gateway closes waits for the client's close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// The account in the `methodArn` an authorizer gets (the DynamoDB API server's default).
const LOCAL_ACCOUNT: &str = "123456789012";

/// An authorizer function with its own state and clients, as in its own Lambda containers.
pub(crate) struct AuthorizerMounted {
    pub(crate) binary: String,
    pub(crate) state: AppState,
    pub(crate) requests: RequestLog,
    pub(crate) handler: AuthorizerHandler,
}

impl AuthorizerMounted {
    /// Invokes the authorizer with `event`, as Lambda does: its answer as JSON, or the error
    /// message of a failed invocation (an event it can't read fails it too).
    async fn invoke(&self, event: Value) -> Result<Value, String> {
        let request: AuthorizerRequest = serde_json::from_value(event).map_err(|e| e.to_string())?;
        let answer = (self.handler)(&self.state, request).await.map_err(|e| e.to_string())?;
        serde_json::to_value(answer).map_err(|e| e.to_string())
    }
}

/// A route's authorizer: its function and where the identity is.
struct RouteAuthorizer {
    function: Arc<AuthorizerMounted>,
    identity_source: Vec<IdentitySource>,
}

/// The WebSocket API: its routes' functions and the open connections.
pub(crate) struct Socket {
    stage: String,
    region: String,
    /// `$connect`'s authorizer, if it has one.
    authorizer: Option<RouteAuthorizer>,
    routes: HashMap<String, Route>,
    connections: Mutex<HashMap<String, Arc<Connection>>>,
    pub(crate) idle_timeout: Duration,
}

struct Route {
    key: String,
    function: Arc<Mounted>,
    two_way: bool,
}

/// What API Gateway knows about a connection's client from its upgrade request.
struct Client {
    id: String,
    connected_at: SystemTime,
    source_ip: String,
    user_agent: String,
    domain: String,
    /// What the `$connect` authorizer answered (`principalId` and its `context`): the
    /// `requestContext.authorizer` of every event of the connection. Empty without one.
    authorizer: Map<String, Value>,
}

/// An open connection: frames to send go through `out` to its writer.
struct Connection {
    client: Client,
    opened: Instant,
    out: mpsc::UnboundedSender<Message>,
    last_active: Mutex<Instant>,
    /// Set once the gateway closes the connection: the code, the reason and since when.
    closing: Mutex<Option<(CloseCode, &'static str, Instant)>>,
    /// Wakes the reader when the gateway closes the connection, to wait for the client's close.
    closed: Notify,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Connection {
    fn touch(&self) {
        *lock(&self.last_active) = Instant::now();
    }

    fn closing(&self) -> Option<(CloseCode, &'static str, Instant)> {
        *lock(&self.closing)
    }

    /// Sends a close frame, once; pushes are refused from then on.
    fn close(&self, code: CloseCode, reason: &'static str) {
        let mut closing = lock(&self.closing);
        if closing.is_none() {
            *closing = Some((code, reason, Instant::now()));
            let _ = self.out.send(Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })));
            self.closed.notify_one();
        }
    }

    /// When the gateway closes the connection if no frame comes: idle, or open too long.
    fn deadline(&self, idle: Duration) -> Instant {
        (*lock(&self.last_active) + idle).min(self.opened + MAX_DURATION)
    }

    fn last_active_at(&self) -> SystemTime {
        self.client.connected_at + lock(&self.last_active).duration_since(self.opened)
    }
}

impl Socket {
    pub(crate) fn new(
        api: &SocketApi,
        region: &str,
        function: impl Fn(&str) -> Arc<Mounted>,
        authorizer: impl Fn(&str) -> Option<Arc<AuthorizerMounted>>,
    ) -> Self {
        let authorizer = api
            .route("$connect")
            .and_then(|r| r.authorizer.as_ref())
            .map(|a| RouteAuthorizer {
                function: authorizer(&a.binary).expect("an authorizer's function is mounted"),
                identity_source: a.identity_source.clone(),
            });
        let routes = api
            .routes
            .iter()
            .map(|r| {
                let route = Route {
                    key: r.key.clone(),
                    function: function(&r.binary),
                    two_way: r.two_way,
                };
                (r.key.clone(), route)
            })
            .collect();
        Self {
            stage: api.stage.clone(),
            region: region.to_owned(),
            authorizer,
            routes,
            connections: Mutex::default(),
            idle_timeout: IDLE_TIMEOUT,
        }
    }

    pub(crate) fn stage(&self) -> &str {
        &self.stage
    }

    pub(crate) fn route_count(&self) -> usize {
        self.routes.len()
    }

    /// Whether `path` is the WebSocket API's: the stage itself or its Management API.
    pub(crate) fn serves(&self, path: &str) -> bool {
        let Some(rest) = path.strip_prefix('/').and_then(|p| p.strip_prefix(self.stage.as_str())) else {
            return false;
        };
        rest.is_empty() || rest.starts_with("/@connections/")
    }

    pub(crate) async fn handle(self: Arc<Self>, req: Request<Incoming>, peer: SocketAddr) -> Response<Full<Bytes>> {
        let prefix = format!("/{}/@connections/", self.stage);
        match req.uri().path().strip_prefix(&prefix).map(percent_decode) {
            Some(id) => self.manage(req, &id).await,
            None => self.upgrade(req, peer).await,
        }
    }

    /// A WebSocket handshake: `$connect` decides; on 101 the connection runs in its own task.
    async fn upgrade(self: Arc<Self>, mut req: Request<Incoming>, peer: SocketAddr) -> Response<Full<Bytes>> {
        let started = Instant::now();
        let Some(accept) = accept_key(&req) else {
            let mut resp = message(StatusCode::UPGRADE_REQUIRED, "Upgrade Required");
            resp.headers_mut()
                .insert("sec-websocket-version", HeaderValue::from_static("13"));
            return resp;
        };
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let mut client = Client {
            id: aws_id(),
            connected_at: SystemTime::now(),
            source_ip: peer.ip().to_string(),
            user_agent: header("user-agent"),
            domain: header("host"),
            authorizer: Map::new(),
        };
        if let Some(authorizer) = &self.authorizer {
            match self.authorize(authorizer, &req, &client, peer).await {
                Ok(context) => client.authorizer = context,
                Err(status) => {
                    tracing::info!(connection = %client.id, route = "$connect", status = status.as_u16(), function = %authorizer.function.binary, ms = started.elapsed().as_millis() as u64, "socket connect refused by the authorizer");
                    let text = status.canonical_reason().unwrap_or("Error");
                    return message(status, text);
                }
            }
        }
        let mut protocol = None;
        if let Some(route) = self.routes.get("$connect") {
            let event = self.connect_event(&req, &client, peer);
            let response = invoke(&route.function, event).await.unwrap_or_else(internal_error);
            let status = response.status();
            tracing::info!(connection = %client.id, route = "$connect", status = status.as_u16(), function = %route.function.binary, ms = started.elapsed().as_millis() as u64, "socket connect");
            if !status.is_success() {
                // API Gateway answers the handshake with the function's answer.
                let (parts, body) = response.into_parts();
                return Response::from_parts(parts, Full::new(body_bytes(body)));
            }
            protocol = response.headers().get("sec-websocket-protocol").cloned();
        } else {
            tracing::info!(connection = %client.id, route = "$connect", status = 200, "socket connect");
        }
        let upgrade = hyper::upgrade::on(&mut req);
        tokio::spawn(async move {
            match upgrade.await {
                Ok(upgraded) => {
                    let config = WebSocketConfig::default()
                        .max_frame_size(Some(MAX_FRAME))
                        .max_message_size(Some(MAX_MESSAGE));
                    let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config)).await;
                    self.run(client, ws).await;
                }
                Err(e) => tracing::debug!(connection = %client.id, error = %e, "upgrade failed"),
            }
        });
        let mut resp = Response::new(Full::new(Bytes::new()));
        *resp.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let headers = resp.headers_mut();
        headers.insert("upgrade", HeaderValue::from_static("websocket"));
        headers.insert("connection", HeaderValue::from_static("upgrade"));
        if let Ok(accept) = HeaderValue::from_str(&accept) {
            headers.insert("sec-websocket-accept", accept);
        }
        if let Some(protocol) = protocol {
            headers.insert("sec-websocket-protocol", protocol);
        }
        resp
    }

    /// A connection's life: frames from the client handled in order, frames to it written by
    /// a task of its own (so pushes are not held up by a running function), `$disconnect` last.
    async fn run(self: Arc<Self>, client: Client, ws: WebSocketStream<TokioIo<Upgraded>>) {
        let (mut sink, mut stream) = ws.split();
        let (out, mut queued) = mpsc::unbounded_channel::<Message>();
        let writer = tokio::spawn(async move {
            while let Some(frame) = queued.recv().await {
                let close = frame.is_close();
                if sink.send(frame).await.is_err() || close {
                    break;
                }
            }
        });
        let conn = Arc::new(Connection {
            client,
            opened: Instant::now(),
            out,
            last_active: Mutex::new(Instant::now()),
            closing: Mutex::default(),
            closed: Notify::new(),
        });
        let id = conn.client.id.clone();
        lock(&self.connections).insert(id.clone(), conn.clone());
        let mut closed_by_client = None;
        loop {
            let deadline = match conn.closing() {
                Some((.., since)) => since + CLOSE_GRACE,
                None => conn.deadline(self.idle_timeout),
            };
            let next = tokio::select! {
                next = tokio::time::timeout_at(deadline, stream.next()) => next,
                () = conn.closed.notified() => continue,
            };
            match next {
                Err(_) if conn.closing().is_some() => break,
                Err(_) => conn.close(CloseCode::Away, "Going away"),
                Ok(None) => break,
                Ok(Some(Err(WsError::Capacity(e)))) => {
                    tracing::info!(connection = %id, error = %e, "socket frame too big");
                    conn.close(CloseCode::Size, "Message too big");
                }
                Ok(Some(Err(e))) => {
                    tracing::debug!(connection = %id, error = %e, "socket read failed");
                    break;
                }
                Ok(Some(Ok(frame))) => {
                    conn.touch();
                    match frame {
                        Message::Text(text) if conn.closing().is_none() => self.frame(&conn, text.as_str()).await,
                        Message::Binary(_) => conn.close(CloseCode::Unsupported, "Binary frames are not supported"),
                        Message::Close(frame) => {
                            closed_by_client = Some(frame.map_or((1005, String::new()), |f| {
                                (u16::from(f.code), f.reason.as_str().to_owned())
                            }));
                        }
                        _ => {}
                    }
                }
            }
        }
        lock(&self.connections).remove(&id);
        let (code, reason) = match conn.closing() {
            Some((code, reason, _)) => {
                // Let the writer send the close frame it was given.
                let _ = tokio::time::timeout(CLOSE_GRACE, writer).await;
                (u16::from(code), reason.to_owned())
            }
            None => {
                writer.abort();
                // 1006: the TCP connection ended without a close frame.
                closed_by_client.unwrap_or((1006, String::new()))
            }
        };
        self.disconnect(&conn.client, code, &reason).await;
    }

    /// A text frame from `conn`: to the route its `action` selects, else `$default`.
    async fn frame(&self, conn: &Connection, text: &str) {
        let started = Instant::now();
        let request_id = aws_id();
        let route = selection_key(text)
            .filter(|k| !matches!(k.as_str(), "$connect" | "$disconnect"))
            .and_then(|k| self.routes.get(&k))
            .or_else(|| self.routes.get("$default"));
        let Some(route) = route else {
            tracing::info!(connection = %conn.client.id, route = "$default", status = 403, bytes = text.len(), "socket frame without a route");
            let forbidden = json!({
                "message": "Forbidden",
                "connectionId": conn.client.id,
                "requestId": request_id,
            });
            let _ = conn.out.send(Message::text(forbidden.to_string()));
            return;
        };
        let mut context = self.context(&conn.client, &route.key, "MESSAGE", &request_id);
        context.insert("messageId".into(), Value::String(aws_id()));
        let event = json!({
            "requestContext": context,
            "body": text,
            "isBase64Encoded": false,
        });
        let Some(response) = invoke(&route.function, event).await else {
            // A failed invocation: API Gateway tells the sender, on any route.
            tracing::info!(connection = %conn.client.id, route = %route.key, status = 500, function = %route.function.binary, bytes = text.len(), "socket frame: the function failed");
            let failed = json!({
                "message": "Internal server error",
                "connectionId": conn.client.id,
                "requestId": request_id,
            });
            let _ = conn.out.send(Message::text(failed.to_string()));
            return;
        };
        let status = response.status().as_u16();
        let answer = body_bytes(response.into_body());
        tracing::info!(connection = %conn.client.id, route = %route.key, status, function = %route.function.binary, bytes = text.len(), answer = answer.len(), ms = started.elapsed().as_millis() as u64, "socket frame");
        if route.two_way && !answer.is_empty() {
            let _ = conn.out.send(frame_of(answer));
        }
    }

    async fn disconnect(&self, client: &Client, code: u16, reason: &str) {
        let started = Instant::now();
        let Some(route) = self.routes.get("$disconnect") else {
            tracing::info!(connection = %client.id, route = "$disconnect", code, "socket disconnect");
            return;
        };
        let mut context = self.context(client, &route.key, "DISCONNECT", &aws_id());
        context.insert("disconnectStatusCode".into(), code.into());
        context.insert("disconnectReason".into(), reason.into());
        let event = json!({
            "headers": {
                "Host": client.domain,
                "x-api-key": "",
                "X-Forwarded-For": "",
                "x-restapi": "",
            },
            "multiValueHeaders": {
                "Host": [client.domain],
                "x-api-key": [""],
                "X-Forwarded-For": [""],
                "x-restapi": [""],
            },
            "requestContext": context,
            "isBase64Encoded": false,
        });
        let status = invoke(&route.function, event)
            .await
            .map_or(500, |response| response.status().as_u16());
        tracing::info!(connection = %client.id, route = "$disconnect", code, status, function = %route.function.binary, ms = started.elapsed().as_millis() as u64, "socket disconnect");
    }

    /// Runs `$connect`'s authorizer: the `requestContext.authorizer` of the connection's events,
    /// or the handshake's status.
    async fn authorize(
        &self,
        authorizer: &RouteAuthorizer,
        req: &Request<Incoming>,
        client: &Client,
        peer: SocketAddr,
    ) -> Result<Map<String, Value>, StatusCode> {
        let (query, _) = query_maps(req.uri().query().unwrap_or_default());
        let present = |source: &IdentitySource| match source {
            IdentitySource::Query(name) => query.get(name).and_then(Value::as_str).is_some_and(|v| !v.is_empty()),
            IdentitySource::Header(name) => req.headers().get(name).is_some_and(|v| !v.is_empty()),
        };
        if !authorizer.identity_source.iter().all(present) {
            return Err(StatusCode::UNAUTHORIZED);
        }
        let method_arn = format!(
            "arn:aws:execute-api:{}:{LOCAL_ACCOUNT}:local/{}/$connect",
            self.region, self.stage
        );
        let Value::Object(mut event) = self.connect_event(req, client, peer) else {
            unreachable!("a JSON object")
        };
        event.insert("type".into(), "REQUEST".into());
        event.insert("methodArn".into(), method_arn.clone().into());
        let function = authorizer.function.clone();
        let invocation = tokio::spawn(async move { function.invoke(Value::Object(event)).await });
        let answer = invocation
            .await
            .unwrap_or_else(|e| Err(format!("the authorizer failed: {e}")));
        authorization(answer, &method_arn)
    }

    /// The `$connect` event: the upgrade request's headers and query string, as API Gateway
    /// sends them (the last value of a repeated one in `headers`, every value in
    /// `multiValueHeaders`).
    fn connect_event(&self, req: &Request<Incoming>, client: &Client, peer: SocketAddr) -> Value {
        let mut headers = req.headers().clone();
        for (name, value) in [
            ("x-forwarded-for", peer.ip().to_string()),
            ("x-forwarded-port", peer.port().to_string()),
            ("x-forwarded-proto", "http".to_owned()),
        ] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.append(name, value);
            }
        }
        let (single, multi) = header_maps(&headers);
        let mut event = Map::new();
        event.insert("headers".into(), single.into());
        event.insert("multiValueHeaders".into(), multi.into());
        let (single, multi) = query_maps(req.uri().query().unwrap_or_default());
        if !single.is_empty() {
            event.insert("queryStringParameters".into(), single.into());
            event.insert("multiValueQueryStringParameters".into(), multi.into());
        }
        let context = self.context(client, "$connect", "CONNECT", &aws_id());
        event.insert("requestContext".into(), context.into());
        event.insert("isBase64Encoded".into(), false.into());
        Value::Object(event)
    }

    /// The `requestContext` every event of a connection has.
    fn context(&self, client: &Client, route_key: &str, event_type: &str, request_id: &str) -> Map<String, Value> {
        let now = SystemTime::now();
        let Value::Object(context) = json!({
            "routeKey": route_key,
            "eventType": event_type,
            "extendedRequestId": request_id,
            "requestTime": request_time(now),
            "messageDirection": "IN",
            "stage": self.stage,
            "connectedAt": epoch_millis(client.connected_at),
            "requestTimeEpoch": epoch_millis(now),
            "identity": {
                "sourceIp": client.source_ip,
                "userAgent": client.user_agent,
            },
            "requestId": request_id,
            "domainName": client.domain,
            "connectionId": client.id,
            "apiId": "local",
        }) else {
            unreachable!("a JSON object")
        };
        let mut context = context;
        if !client.authorizer.is_empty() {
            context.insert("authorizer".into(), Value::Object(client.authorizer.clone()));
        }
        context
    }

    /// The Management API: `POST`, `GET` and `DELETE` on `/{stage}/@connections/{id}`.
    async fn manage(&self, req: Request<Incoming>, id: &str) -> Response<Full<Bytes>> {
        let method = req.method().clone();
        if !req.headers().contains_key("authorization") {
            // API Gateway refuses unsigned calls; the signature itself is not checked here.
            let mut resp = message(StatusCode::FORBIDDEN, "Missing Authentication Token");
            resp.headers_mut().insert(
                "x-amzn-errortype",
                HeaderValue::from_static("MissingAuthenticationTokenException"),
            );
            return resp;
        }
        let body = match Limited::new(req.into_body(), MAX_MESSAGE).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => {
                return error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "PayloadTooLargeException",
                    "Request Entity Too Large",
                );
            }
        };
        let conn = lock(&self.connections)
            .get(id)
            .filter(|c| c.closing().is_none())
            .cloned();
        let status = match (&method, conn) {
            (_, None) if [Method::POST, Method::GET, Method::DELETE].contains(&method) => {
                tracing::info!(%method, connection = %id, status = 410, "socket management: no such connection");
                return error(StatusCode::GONE, "GoneException", "Gone");
            }
            (&Method::POST, Some(conn)) => {
                let _ = conn.out.send(frame_of(body.clone()));
                StatusCode::OK
            }
            (&Method::DELETE, Some(conn)) => {
                conn.close(CloseCode::Normal, "Connection Closed Normally");
                StatusCode::NO_CONTENT
            }
            (&Method::GET, Some(conn)) => {
                let answer = json!({
                    "connectedAt": iso(conn.client.connected_at),
                    "identity": {
                        "sourceIp": conn.client.source_ip,
                        "userAgent": conn.client.user_agent,
                    },
                    "lastActiveAt": iso(conn.last_active_at()),
                });
                let mut resp = Response::new(Full::new(Bytes::from(answer.to_string())));
                resp.headers_mut()
                    .insert("content-type", HeaderValue::from_static("application/json"));
                tracing::info!(%method, connection = %id, status = 200, "socket management");
                return resp;
            }
            _ => return message(StatusCode::NOT_FOUND, "Not Found"),
        };
        tracing::info!(%method, connection = %id, status = status.as_u16(), bytes = body.len(), "socket management");
        let mut resp = Response::new(Full::new(Bytes::new()));
        *resp.status_mut() = status;
        resp
    }
}

/// What an authorizer's invocation decides: its error `Unauthorized` is 401 and any other error
/// 500 (API Gateway's rule); an answer that isn't a policy with a `principalId`, or whose
/// `context` holds a non-scalar value, is 500; a policy that denies `execute-api:Invoke` on
/// `method_arn` or doesn't allow it is 403; an allow is `principalId` plus the `context` keys.
fn authorization(answer: Result<Value, String>, method_arn: &str) -> Result<Map<String, Value>, StatusCode> {
    let answer = match answer {
        Ok(answer) => answer,
        Err(message) if message == "Unauthorized" => return Err(StatusCode::UNAUTHORIZED),
        Err(message) => {
            tracing::warn!(%message, "the authorizer failed");
            return Err(StatusCode::INTERNAL_SERVER_ERROR);
        }
    };
    let internal = |why: &str| {
        tracing::warn!(why, "the authorizer's answer is not one API Gateway takes");
        StatusCode::INTERNAL_SERVER_ERROR
    };
    let principal = answer
        .get("principalId")
        .and_then(Value::as_str)
        .ok_or_else(|| internal("no principalId"))?;
    let statements = answer
        .pointer("/policyDocument/Statement")
        .and_then(Value::as_array)
        .ok_or_else(|| internal("no policyDocument.Statement"))?;
    let strings = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect(),
            _ => Vec::new(),
        }
    };
    let covers = |statement: &Value| {
        let action = strings(statement.get("Action"))
            .iter()
            .any(|a| a == "execute-api:Invoke" || a == "execute-api:*" || a == "*");
        let resource = strings(statement.get("Resource"))
            .iter()
            .any(|r| arn_matches(r, method_arn));
        action && resource
    };
    let effect = |statement: &Value| {
        statement
            .get("Effect")
            .and_then(Value::as_str)
            .unwrap_or("Allow")
            .to_owned()
    };
    let matching: Vec<String> = statements.iter().filter(|s| covers(s)).map(effect).collect();
    if matching.iter().any(|e| e == "Deny") || !matching.iter().any(|e| e == "Allow") {
        return Err(StatusCode::FORBIDDEN);
    }
    let mut context = Map::new();
    context.insert("principalId".into(), principal.into());
    if let Some(extra) = answer.get("context").and_then(Value::as_object) {
        for (key, value) in extra {
            if !(value.is_string() || value.is_number() || value.is_boolean()) {
                return Err(internal("a context value is not a string, number or boolean"));
            }
            context.insert(key.clone(), value.clone());
        }
    }
    Ok(context)
}

/// Whether an IAM resource pattern (`*` matches any run of characters, `?` one) names `arn`.
fn arn_matches(pattern: &str, arn: &str) -> bool {
    fn go(p: &[u8], a: &[u8]) -> bool {
        match (p.first(), a.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], a) || (!a.is_empty() && go(p, &a[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &a[1..]),
            (Some(x), Some(y)) if x == y => go(&p[1..], &a[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), arn.as_bytes())
}

/// Invokes `function` with `event` in a task of its own, so that a handler that panics fails
/// its invocation (`None`), as in Lambda, and not the connection.
async fn invoke(function: &Arc<Mounted>, event: Value) -> Option<lambda_http::Response<shared::lambda::Body>> {
    let function = function.clone();
    let invocation = tokio::spawn(async move { function.invoke(&event.to_string()).await });
    match invocation.await {
        Ok(response) => Some(response),
        Err(e) => {
            tracing::error!(error = %e, "the function failed");
            None
        }
    }
}

/// The answer to a handshake whose `$connect` function failed.
fn internal_error() -> lambda_http::Response<shared::lambda::Body> {
    let mut response = lambda_http::Response::new(shared::lambda::Body::from(
        json!({ "message": "Internal server error" }).to_string(),
    ));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}

/// A frame to send: text if it is UTF-8 (API Gateway's frames are), else binary.
fn frame_of(bytes: Bytes) -> Message {
    match String::from_utf8(bytes.to_vec()) {
        Ok(text) => Message::text(text),
        Err(e) => Message::binary(e.into_bytes()),
    }
}

/// A Management API error as the SDK reads it: its type in `x-amzn-ErrorType`.
fn error(status: StatusCode, kind: &'static str, text: &str) -> Response<Full<Bytes>> {
    let mut resp = message(status, text);
    resp.headers_mut()
        .insert("x-amzn-errortype", HeaderValue::from_static(kind));
    resp
}

/// The route key a frame selects by `$request.body.action`: its JSON object's `action`, if a string.
fn selection_key(frame: &str) -> Option<String> {
    match serde_json::from_str::<Value>(frame).ok()?.get("action")? {
        Value::String(action) => Some(action.clone()),
        _ => None,
    }
}

/// `Sec-WebSocket-Accept` for a valid upgrade request (RFC 6455), `None` for anything else.
fn accept_key(req: &Request<Incoming>) -> Option<String> {
    let has = |name: &str, token: &str| {
        req.headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    };
    let upgrade = req.method() == Method::GET
        && has("connection", "upgrade")
        && has("upgrade", "websocket")
        && has("sec-websocket-version", "13");
    let key = req.headers().get("sec-websocket-key")?;
    upgrade.then(|| tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes()))
}

/// An ID in API Gateway's form (connection, request and message IDs): 11 random bytes in
/// URL-safe base64, e.g. `L0SM9cOFvHcCIhw=`.
fn aws_id() -> String {
    base64::engine::general_purpose::URL_SAFE.encode(rand::random::<[u8; 11]>())
}

/// The upgrade request's `headers` and `multiValueHeaders`.
fn header_maps(headers: &HeaderMap) -> (Map<String, Value>, Map<String, Value>) {
    single_and_multi(headers.iter().map(|(name, value)| {
        (
            name.as_str().to_owned(),
            String::from_utf8_lossy(value.as_bytes()).into_owned(),
        )
    }))
}

/// `queryStringParameters` and `multiValueQueryStringParameters`, percent-decoded.
fn query_maps(query: &str) -> (Map<String, Value>, Map<String, Value>) {
    single_and_multi(query.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(name), percent_decode(value))
    }))
}

/// API Gateway's two maps of repeated names: the last value of each, and all of them in order.
fn single_and_multi(pairs: impl Iterator<Item = (String, String)>) -> (Map<String, Value>, Map<String, Value>) {
    let mut single = Map::new();
    let mut multi: Map<String, Value> = Map::new();
    for (name, value) in pairs {
        single.insert(name.clone(), Value::String(value.clone()));
        if let Value::Array(values) = multi.entry(name).or_insert_with(|| Value::Array(Vec::new())) {
            values.push(Value::String(value));
        }
    }
    (single, multi)
}

fn epoch_millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64
}

/// ISO 8601 with milliseconds, as the Management API's `GetConnection` answers.
fn iso(t: SystemTime) -> String {
    aws_smithy_types::DateTime::from(t)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}

/// `requestTime` as API Gateway writes it: `20/Jul/2023:23:29:25 +0000`.
fn request_time(t: SystemTime) -> String {
    let secs = aws_smithy_types::DateTime::from_secs(epoch_millis(t) as i64 / 1000);
    let iso = secs
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default();
    // `2023-07-20T23:29:25Z`
    let (Some(year), Some(month), Some(day), Some(time)) =
        (iso.get(0..4), iso.get(5..7), iso.get(8..10), iso.get(11..19))
    else {
        return String::new();
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = month
        .parse::<usize>()
        .ok()
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
        .unwrap_or(&"Jan");
    format!("{day}/{month}/{year}:{time} +0000")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects_the_route_by_the_frames_action() {
        assert_eq!(
            selection_key(r#"{"action":"login","data":{}}"#).as_deref(),
            Some("login")
        );
        assert_eq!(selection_key(r#"{"data":{}}"#), None);
        assert_eq!(selection_key(r#"{"action":7}"#), None);
        assert_eq!(selection_key("not json"), None);
        assert_eq!(selection_key(r#"["action"]"#), None);
    }

    #[test]
    fn ids_look_like_api_gateways() {
        let id = aws_id();
        assert_eq!(id.len(), 16);
        assert!(id.ends_with('='));
        assert!(!id.contains('/') && !id.contains('+'));
        assert_ne!(aws_id(), id);
    }

    #[test]
    fn writes_times_as_api_gateway_does() {
        let t = UNIX_EPOCH + Duration::from_millis(1_689_895_765_983);
        assert_eq!(request_time(t), "20/Jul/2023:23:29:25 +0000");
        assert_eq!(iso(t), "2023-07-20T23:29:25.983Z");
    }

    const ARN: &str = "arn:aws:execute-api:us-east-1:123456789012:local/ws/$connect";

    fn policy(effect: &str, resource: &str, context: Value) -> Value {
        json!({
            "principalId": "u-1",
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": [resource]}
            ]},
            "context": context,
        })
    }

    #[test]
    fn an_authorizers_allow_is_its_principal_and_context() {
        let allowed = authorization(Ok(policy("Allow", ARN, json!({"userId": "u-1", "n": 2}))), ARN).unwrap();
        assert_eq!(
            Value::Object(allowed),
            json!({"principalId": "u-1", "userId": "u-1", "n": 2})
        );
        let wildcard = policy(
            "Allow",
            "arn:aws:execute-api:us-east-1:123456789012:local/*",
            json!(null),
        );
        assert_eq!(
            Value::Object(authorization(Ok(wildcard), ARN).unwrap()),
            json!({"principalId": "u-1"})
        );
    }

    #[test]
    fn an_authorizers_refusals_are_401_403_or_500() {
        let refused = |answer| authorization(answer, ARN).unwrap_err();
        assert_eq!(refused(Err("Unauthorized".into())), StatusCode::UNAUTHORIZED);
        assert_eq!(refused(Err("unauthorized".into())), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(refused(Err("boom".into())), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(refused(Ok(policy("Deny", ARN, json!({})))), StatusCode::FORBIDDEN);
        let elsewhere = "arn:aws:execute-api:us-east-1:123456789012:local/ws/other";
        assert_eq!(
            refused(Ok(policy("Allow", elsewhere, json!({})))),
            StatusCode::FORBIDDEN
        );
        let mut both = policy("Allow", ARN, json!({}));
        both["policyDocument"]["Statement"]
            .as_array_mut()
            .unwrap()
            .push(json!({"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": "*"}));
        assert_eq!(refused(Ok(both)), StatusCode::FORBIDDEN, "a deny wins");
        assert_eq!(
            refused(Ok(policy("Allow", ARN, json!({"nested": {"a": 1}})))),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            refused(Ok(json!({"principalId": "u"}))),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn iam_resource_patterns_match_arns() {
        assert!(arn_matches(ARN, ARN));
        assert!(arn_matches("*", ARN));
        assert!(arn_matches("arn:aws:execute-api:*:*:local/*/$connect", ARN));
        assert!(arn_matches("arn:aws:execute-api:us-east-?:*", ARN));
        assert!(!arn_matches("arn:aws:execute-api:*:*:other/*", ARN));
    }

    #[test]
    fn reads_repeated_query_parameters() {
        let (single, multi) = query_maps("token=a%20b&x=1&x=2&flag");
        assert_eq!(single["token"], "a b");
        assert_eq!(single["x"], "2");
        assert_eq!(multi["x"], json!(["1", "2"]));
        assert_eq!(single["flag"], "");
    }
}
