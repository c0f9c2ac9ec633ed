//! API Gateway WebSocket APIs: what a function is told about a connection or a frame
//! ([`SocketContext`]), and pushes to connections through the Management API ([`Pusher`]).
//!
//! A WebSocket route's function gets a `lambda_http` request like any other: the frame is the
//! body, and the connection ID, route key and event type ride in the request context. Its
//! response is the handshake's status on `$connect`, and on a two-way route the frame sent back
//! to the sender (an empty body sends none). With a `$connect` authorizer, what it answered
//! for the connection (`principalId` and its `context`) rides in every event's request context
//! too ([`SocketContext::authorizer`]), so a frame knows its sender without reading anything.
//!
//! Pushes to other connections are best effort: the table is the truth and a client that missed
//! a push catches up from it. So [`Pusher::post_all`] never fails: each push is delivered, gone
//! (`410`, the connection closed without its `$disconnect` having run, or not yet), or failed
//! (logged); the caller forgets the gone ones.

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_apigatewaymanagement::error::SdkError;
use aws_sdk_apigatewaymanagement::operation::delete_connection::DeleteConnectionError;
use aws_sdk_apigatewaymanagement::operation::post_to_connection::PostToConnectionError;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use futures_util::StreamExt;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use serde_json::Value;

/// The largest frame API Gateway takes or sends: 32 KiB (messages up to 128 KiB are split
/// into frames by clients; we keep each answer and push within one frame).
pub const MAX_FRAME: usize = 32 * 1024;

/// How many pushes run at once from one invocation.
pub const PUSH_CONCURRENCY: usize = 16;

/// The kind of event a WebSocket route's function is invoked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketEvent {
    Connect,
    Message,
    Disconnect,
}

/// What API Gateway says about the connection an event belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketContext {
    pub connection_id: String,
    pub route_key: String,
    pub event: SocketEvent,
    pub request_id: String,
    /// When the connection was opened, in milliseconds since the epoch.
    pub connected_at: i64,
    /// What the `$connect` authorizer answered for this connection, as API Gateway hands it to
    /// every event of the connection (`requestContext.authorizer`): `principalId` and the
    /// authorizer's `context` keys, one flat map. Empty without an authorizer.
    pub authorizer: HashMap<String, Value>,
}

impl SocketContext {
    /// A string value of the authorizer's `context` (a non-empty string; anything else is `None`).
    pub fn authorizer_value(&self, key: &str) -> Option<&str> {
        self.authorizer.get(key)?.as_str().filter(|v| !v.is_empty())
    }
}

/// The WebSocket context of `req`; `None` for a request that didn't come from a WebSocket API.
pub fn context(req: &Request) -> Option<SocketContext> {
    let Some(RequestContext::WebSocket(ctx)) = req.request_context_ref() else {
        return None;
    };
    let event = match ctx.event_type.as_deref()? {
        "CONNECT" => SocketEvent::Connect,
        "MESSAGE" => SocketEvent::Message,
        "DISCONNECT" => SocketEvent::Disconnect,
        _ => return None,
    };
    Some(SocketContext {
        connection_id: ctx.connection_id.clone().filter(|c| !c.is_empty())?,
        route_key: ctx.route_key.clone().unwrap_or_default(),
        event,
        request_id: ctx.request_id.clone().unwrap_or_default(),
        connected_at: ctx.connected_at,
        authorizer: ctx.authorizer.fields.clone(),
    })
}

/// The outcome of one push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    /// The connection no longer exists (410 Gone): forget it.
    Gone,
    /// Anything else (throttled, a network fault): logged; the client catches up from the table.
    Failed,
}

/// Pushes frames to connections of the WebSocket API at the configured endpoint
/// (`SOCKET_ENDPOINT`, `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`).
#[derive(Debug, Clone)]
pub struct Pusher {
    client: aws_sdk_apigatewaymanagement::Client,
}

impl Pusher {
    pub fn new(client: aws_sdk_apigatewaymanagement::Client) -> Self {
        Self { client }
    }

    /// Posts `frame` to one connection.
    #[tracing::instrument(level = "debug", skip(self, frame), fields(bytes = frame.len()))]
    pub async fn post(&self, connection_id: &str, frame: &[u8]) -> Delivery {
        let sent = self
            .client
            .post_to_connection()
            .connection_id(connection_id)
            .data(Blob::new(frame))
            .send()
            .await;
        match sent {
            Ok(_) => Delivery::Delivered,
            Err(SdkError::ServiceError(e)) if matches!(e.err(), PostToConnectionError::GoneException(_)) => {
                tracing::debug!(connection_id, "connection gone");
                Delivery::Gone
            }
            Err(e) => {
                let e = aws_sdk_apigatewaymanagement::error::DisplayErrorContext(e);
                tracing::warn!(connection_id, error = %e, "push failed");
                Delivery::Failed
            }
        }
    }

    /// Closes a connection (`DeleteConnection`): API Gateway closes it, then runs `$disconnect`.
    /// A connection already gone is closed too; any other failure is logged and answered
    /// [`Delivery::Failed`].
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn close(&self, connection_id: &str) -> Delivery {
        let closed = self
            .client
            .delete_connection()
            .connection_id(connection_id)
            .send()
            .await;
        match closed {
            Ok(_) => Delivery::Delivered,
            Err(SdkError::ServiceError(e)) if matches!(e.err(), DeleteConnectionError::GoneException(_)) => {
                Delivery::Gone
            }
            Err(e) => {
                let e = aws_sdk_apigatewaymanagement::error::DisplayErrorContext(e);
                tracing::warn!(connection_id, error = %e, "close failed");
                Delivery::Failed
            }
        }
    }

    /// Posts each frame to its connection, at most [`PUSH_CONCURRENCY`] at once, and answers the
    /// connections found gone.
    pub async fn post_all(&self, pushes: impl IntoIterator<Item = (String, Arc<[u8]>)>) -> Vec<String> {
        futures_util::stream::iter(pushes)
            .map(|(connection_id, frame)| async move {
                let delivery = self.post(&connection_id, &frame).await;
                (connection_id, delivery)
            })
            .buffer_unordered(PUSH_CONCURRENCY)
            .filter_map(
                |(connection_id, delivery)| async move { (delivery == Delivery::Gone).then_some(connection_id) },
            )
            .collect()
            .await
    }
}

/// The Management API client configuration for the WebSocket API at `endpoint`.
pub fn push_config(sdk: &aws_config::SdkConfig, endpoint: &str) -> aws_sdk_apigatewaymanagement::config::Builder {
    aws_sdk_apigatewaymanagement::config::Builder::from(sdk).endpoint_url(endpoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(event_type: &str, connection_id: &str) -> Request {
        let json = serde_json::json!({
            "requestContext": {
                "routeKey": "$connect",
                "eventType": event_type,
                "connectionId": connection_id,
                "requestId": "r-1",
                "connectedAt": 1_700_000_000_000_i64,
                "requestTimeEpoch": 1_700_000_000_000_i64,
                "stage": "ws",
                "apiId": "local",
                "authorizer": {"principalId": "u-1", "userId": "u-1", "n": 7},
            },
            "isBase64Encoded": false,
        });
        lambda_http::request::from_str(&json.to_string()).unwrap()
    }

    #[test]
    fn reads_the_websocket_context() {
        let ctx = context(&event("CONNECT", "c-1")).unwrap();
        assert_eq!(
            ctx,
            SocketContext {
                connection_id: "c-1".into(),
                route_key: "$connect".into(),
                event: SocketEvent::Connect,
                request_id: "r-1".into(),
                connected_at: 1_700_000_000_000,
                authorizer: HashMap::from([
                    ("principalId".to_owned(), Value::from("u-1")),
                    ("userId".to_owned(), Value::from("u-1")),
                    ("n".to_owned(), Value::from(7)),
                ]),
            }
        );
        assert_eq!(context(&event("MESSAGE", "c-1")).unwrap().event, SocketEvent::Message);
        assert_eq!(
            context(&event("DISCONNECT", "c-1")).unwrap().event,
            SocketEvent::Disconnect
        );
    }

    #[test]
    fn reads_the_authorizers_principal_and_context() {
        let ctx = context(&event("MESSAGE", "c-1")).unwrap();
        assert_eq!(ctx.authorizer_value("principalId"), Some("u-1"));
        assert_eq!(ctx.authorizer_value("userId"), Some("u-1"));
        assert_eq!(ctx.authorizer_value("n"), None, "not a string");
        assert_eq!(ctx.authorizer_value("missing"), None);
        let json = serde_json::json!({
            "requestContext": {
                "routeKey": "login", "eventType": "MESSAGE", "connectionId": "c-1", "requestId": "r-1",
                "connectedAt": 1, "requestTimeEpoch": 1, "stage": "ws", "apiId": "local",
            },
            "isBase64Encoded": false,
        });
        let bare = context(&lambda_http::request::from_str(&json.to_string()).unwrap()).unwrap();
        assert!(bare.authorizer.is_empty());
        assert_eq!(bare.authorizer_value("principalId"), None);
    }

    #[test]
    fn a_request_without_a_connection_has_no_context() {
        assert_eq!(context(&event("MESSAGE", "")), None);
        assert_eq!(context(&event("OTHER", "c-1")), None);
        let http = lambda_http::http::Request::builder()
            .body(lambda_http::Body::Empty)
            .unwrap();
        assert_eq!(context(&http), None);
    }
}
