//! The chat socket's wire style (seed 003's socket.io events, over an API Gateway WebSocket API).
//!
//! - **Frames in**: `{"action": "<event>", "data": {…}}`; API Gateway routes on `action`
//!   (`$request.body.action`), each event to its own function. `data` is the object of the
//!   event's socket.io arguments (`private_chat`'s `dataMsg, uId, fId` become
//!   `{"dataMsg": {…}, "uId": …, "fId": …}`); unknown fields are ignored, string fields take
//!   strings only.
//! - **Frames out**: `{"event": "<event>", "data": …}`, the payloads of the seed's `emit`s. A
//!   route answers its sender with at most one frame (API Gateway's two-way route: the
//!   function's body is the frame; an empty body sends none); frames to other connections are
//!   pushed ([`push`]).
//! - **Errors**: `{"event": "error", "data": {"action", "status", "msg"}}` to the sender, with the
//!   statuses and messages of the REST envelope (`crate::wire`): 400 refused, 401 not logged in,
//!   403 not allowed (a field naming another user, not friends, not a member), 404 a fault on
//!   our side (`服务器错误`, details only in the logs), 405 `参数错误` with the field list.
//! - **Identity**: the `$connect` authorizer ([`authorize`], its own function) checks the
//!   weifChat token (query string `?token=`, as browsers can't set headers on a WebSocket) and
//!   answers the user as `principalId` and `context.userId`; API Gateway hands that to every
//!   event of the connection (`requestContext.authorizer`). So `$connect` records the connection
//!   under that user, and every frame's sender is that user ([`Peer`]), never a field of the
//!   frame, with no read. A frame of a connection past its lifetime
//!   ([`crate::CONNECTION_TTL_SECS`] after `connectedAt`) or without the authorizer's answer gets
//!   401 `请先登录`; `logout` closes the connection.

use std::collections::HashSet;
use std::sync::Arc;

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::store::Reach;
use crate::wire::{Failure, Route, failure_envelope};
use crate::{CONNECTION_TTL_SECS, WeifState};
use shared::auth::TokenError;
use shared::clock;
use shared::error::AppError;
use shared::http;
use shared::lambda::{AuthorizerError, AuthorizerRequest, AuthorizerResponse, authorizer_policy};
use shared::socket::{SocketContext, context};
use shared::state::AppState;
use shared::wire::{self, Answer, Wire};

/// The event of an error frame.
pub const ERROR_EVENT: &str = "error";

/// A frame the server sends: `{"event", "data"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Frame {
    pub event: &'static str,
    pub data: Value,
}

impl Frame {
    pub fn new(event: &'static str, data: impl Serialize) -> Result<Self, AppError> {
        Ok(Self {
            event,
            data: serde_json::to_value(data).map_err(AppError::internal)?,
        })
    }

    /// The frame as sent.
    pub fn bytes(&self) -> Arc<[u8]> {
        serde_json::to_vec(self).unwrap_or_default().into()
    }
}

/// The sender of a frame: the user who opened the connection, and the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub user_id: String,
    pub connection_id: String,
}

impl Peer {
    /// A field that names the sender (`uId`, `userId`) must name this user, if sent at all.
    pub fn must_be(&self, field: Option<&str>) -> Result<(), AppError> {
        match field {
            Some(id) if id != self.user_id => Err(AppError::forbidden("身份不符, 无权操作")),
            _ => Ok(()),
        }
    }
}

/// A frame route's wire style: its answer frame, or an error frame naming its action.
struct Action(&'static str);

/// The REST envelope's statuses and messages, for error frames.
const ERRORS: Route = Route::body(Failure::Msg("服务器错误"));

impl Wire for Action {
    const SERVICE: &'static str = "weifchat-socket";
    type Reply = Option<Frame>;
    type Error = AppError;

    fn success(&self, reply: Option<Frame>) -> Answer {
        let response = match reply {
            Some(frame) => http::json_response(StatusCode::OK, &frame),
            None => empty(StatusCode::OK),
        };
        Answer { code: 200, response }
    }

    fn failure(&self, err: &AppError) -> Answer {
        let (status, envelope) = failure_envelope(&ERRORS, err);
        let mut data = Map::new();
        data.insert("action".into(), self.0.into());
        data.extend(envelope);
        let frame = json!({"event": ERROR_EVENT, "data": data});
        Answer {
            code: status.into(),
            response: http::json_response(StatusCode::OK, &frame),
        }
    }
}

/// `$connect` and `$disconnect`: the HTTP status is the answer (a refused handshake).
struct Handshake;

impl Wire for Handshake {
    const SERVICE: &'static str = "weifchat-socket";
    type Reply = ();
    type Error = AppError;

    fn success(&self, (): ()) -> Answer {
        Answer {
            code: 200,
            response: empty(StatusCode::OK),
        }
    }

    fn failure(&self, err: &AppError) -> Answer {
        let status = match err {
            AppError::Unauthenticated(_) | AppError::BadCredentials(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        Answer {
            code: status.as_u16().into(),
            response: empty(status),
        }
    }
}

fn empty(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = status;
    response
}

fn socket_context(req: &Request) -> Result<SocketContext, AppError> {
    context(req).ok_or_else(|| AppError::internal("not a WebSocket event"))
}

/// The key of the authorizer's `context` that names the connection's user.
pub const USER_ID: &str = "userId";

/// The `$connect` authorizer (`weif-socket-authorize`): the weifChat token of `?token=`, checked
/// without reading anything; its user is allowed on the event's `methodArn` as `principalId`,
/// with `context` `{"userId": …}` for every later event of the connection. A missing, bad or
/// expired token fails with `Unauthorized`, which API Gateway answers 401 (the reason is logged,
/// never the token).
#[tracing::instrument(skip_all)]
pub async fn authorize(state: &AppState, event: AuthorizerRequest) -> Result<AuthorizerResponse, AuthorizerError> {
    let token = event.query_string_parameters.first("token").unwrap_or_default();
    let caller = state.tokens.verify(token, crate::AUDIENCE).map_err(|reason| {
        tracing::info!(%reason, "socket connect refused");
        AuthorizerError::Unauthorized
    })?;
    let Some(method_arn) = event.method_arn.as_deref().filter(|a| !a.is_empty()) else {
        tracing::error!("the authorizer's event has no methodArn");
        return Err(AuthorizerError::Internal);
    };
    let user_id = caller.user_id();
    tracing::info!(user_id, "socket connect allowed");
    let context = std::collections::HashMap::from([(USER_ID.to_owned(), Value::from(user_id))]);
    Ok(authorizer_policy(user_id, true, method_arn, context))
}

/// The user the authorizer answered for the connection of `ctx`; 401 `请先登录` without one.
fn authorized_user(ctx: &SocketContext) -> Result<&str, AppError> {
    ctx.authorizer_value(USER_ID)
        .ok_or(AppError::Unauthenticated(TokenError::Missing))
}

/// The user the authorizer answered for the connection of `ctx`, if the connection is still
/// within its lifetime at `now_secs`: [`CONNECTION_TTL_SECS`] after `connectedAt`, when its
/// presence entry expires too. No answer or past it: 401 `请先登录`.
fn connection_user(ctx: &SocketContext, now_secs: i64) -> Result<String, AppError> {
    let user_id = authorized_user(ctx)?;
    if ctx.connected_at / 1000 + CONNECTION_TTL_SECS <= now_secs {
        return Err(AppError::Unauthenticated(TokenError::Missing));
    }
    Ok(user_id.to_owned())
}

/// Serves `$connect`: `run` with the user the authorizer answered and the connection. An event
/// without the authorizer's answer (a hand-made one: in AWS the route always has the
/// authorizer) is refused with 401 rather than checking the token a second way here.
pub async fn connect<F, Fut>(req: Request, run: F) -> Response<Body>
where
    F: FnOnce(Peer, SocketContext) -> Fut,
    Fut: Future<Output = Result<(), AppError>>,
{
    wire::serve(&Handshake, &req, async {
        let ctx = socket_context(&req)?;
        let user_id = authorized_user(&ctx)?;
        wire::record_user(user_id);
        let peer = Peer {
            user_id: user_id.to_owned(),
            connection_id: ctx.connection_id.clone(),
        };
        Box::pin(run(peer, ctx)).await
    })
    .await
}

/// Serves `$disconnect`: `run` with the connection.
pub async fn disconnect<F, Fut>(req: Request, run: F) -> Response<Body>
where
    F: FnOnce(SocketContext) -> Fut,
    Fut: Future<Output = Result<(), AppError>>,
{
    wire::serve(&Handshake, &req, async {
        let ctx = socket_context(&req)?;
        Box::pin(run(ctx)).await
    })
    .await
}

/// Serves a frame of `action`: its sender (the user the authorizer answered for the
/// connection, read from the event: no store read; 401 without it or past the connection's
/// lifetime), its `data` as `T`, then `run`, whose frame (if any) answers the sender.
pub async fn frame<T, F, Fut>(req: Request, action: &'static str, run: F) -> Response<Body>
where
    T: DeserializeOwned,
    F: FnOnce(Peer, T) -> Fut,
    Fut: Future<Output = Result<Option<Frame>, AppError>>,
{
    wire::serve(&Action(action), &req, async {
        let ctx = socket_context(&req)?;
        let user_id = connection_user(&ctx, clock::now_secs())?;
        wire::record_user(&user_id);
        let peer = Peer {
            user_id,
            connection_id: ctx.connection_id,
        };
        let data = frame_data(http::body_bytes(&req))?;
        Box::pin(run(peer, data)).await
    })
    .await
}

/// The `data` of a frame as `T` (absent or `null`: `{}`).
fn frame_data<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let invalid = |e: serde_json::Error| AppError::bad_request(format!("帧格式错误: {e}"));
    let frame: Map<String, Value> = serde_json::from_slice(body).map_err(invalid)?;
    let data = match frame.get("data") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(data) => data.clone(),
    };
    T::deserialize(data).map_err(invalid)
}

/// Pushes `frames` to every open connection of each of `users` except `skip` (the sender's own
/// connection), and forgets the connections found gone or expired. Best effort: a failure is
/// logged and never fails the sender's action (the table is the truth; clients catch up with the
/// sync route). Cost: 1 BatchGetItem per 100 users (their presence items, the batches at once),
/// 1 PostToConnection per connection and frame, and what [`post`] forgets.
pub async fn push(state: &AppState, users: Vec<String>, frames: &[Frame], skip: Option<&str>) {
    push_each(state, users, |_| frames.to_vec(), skip).await
}

/// Like [`push`], with each user's frames chosen by `frames_for(user)`.
#[tracing::instrument(skip_all, fields(users = users.len()))]
pub async fn push_each(
    state: &AppState,
    users: Vec<String>,
    frames_for: impl Fn(&str) -> Vec<Frame>,
    skip: Option<&str>,
) {
    if users.is_empty() {
        return;
    }
    match state.weifchat().connections_of_all(users, clock::now_secs()).await {
        Ok(reach) => post(state, reach, frames_for, skip).await,
        Err(e) => e.log(),
    }
}

/// Posts each live `(user, connection)` of `reach` its user's frames (but none to `skip`), then
/// forgets the connections found gone and the expired ones `reach` read. Cost: 1
/// PostToConnection per connection and frame; if any were gone or expired, 1 UpdateItem per
/// such user (its presence item) + 1 DeleteItem per gone connection.
pub async fn post(state: &AppState, reach: Reach, frames_for: impl Fn(&str) -> Vec<Frame>, skip: Option<&str>) {
    let Some(pusher) = &state.push else {
        tracing::warn!("pushes are off: SOCKET_ENDPOINT is not configured for this function");
        return;
    };
    let mut pushes = Vec::new();
    for (user, connection) in &reach.live {
        if Some(connection.as_str()) == skip {
            continue;
        }
        for frame in frames_for(user) {
            pushes.push((connection.clone(), frame.bytes()));
        }
    }
    let gone: HashSet<String> = pusher.post_all(pushes).await.into_iter().collect();
    let Reach { live, stale } = reach;
    let gone: Vec<(String, String)> = live.into_iter().filter(|(_, c)| gone.contains(c)).collect();
    if gone.is_empty() && stale.is_empty() {
        return;
    }
    if let Err(e) = state.weifchat().forget(gone, stale).await {
        e.log();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Data {
        #[serde(rename = "gId")]
        group: String,
    }

    #[test]
    fn frame_data_reads_the_data_object() {
        let d: Data = frame_data(br#"{"action":"join_group","data":{"gId":"g1","extra":1}}"#).unwrap();
        assert_eq!(d, Data { group: "g1".into() });
        let e = frame_data::<Data>(br#"{"action":"join_group","data":{"gId":5}}"#).unwrap_err();
        assert!(matches!(e, AppError::BadRequest(_)), "{e:?}");
        let e = frame_data::<Data>(b"not json").unwrap_err();
        assert!(matches!(e, AppError::BadRequest(_)), "{e:?}");
        #[derive(serde::Deserialize)]
        struct Nothing {}
        assert!(frame_data::<Nothing>(br#"{"action":"login"}"#).is_ok());
    }

    fn body(resp: &Response<Body>) -> Value {
        match resp.body() {
            Body::Text(t) => serde_json::from_str(t).unwrap(),
            other => panic!("unexpected body {other:?}"),
        }
    }

    #[test]
    fn errors_are_error_frames_with_the_rest_statuses() {
        let a = Action("private_chat");
        let frame = a.failure(&AppError::forbidden("您与ta还不是好友哦")).response;
        assert_eq!(
            body(&frame),
            json!({"event": "error", "data": {"action": "private_chat", "status": 403, "msg": "您与ta还不是好友哦"}})
        );
        let frame = a.failure(&AppError::internal("ResourceNotFoundException")).response;
        assert_eq!(
            body(&frame),
            json!({"event": "error", "data": {"action": "private_chat", "status": 404, "msg": "服务器错误"}})
        );
        let frame = a.failure(&TokenError::Missing.into()).response;
        assert_eq!(body(&frame)["data"]["status"], 401);
    }

    #[test]
    fn a_route_answers_its_frame_or_nothing() {
        let a = Action("login");
        let answer = a.success(Some(Frame::new("login", "c-1").unwrap())).response;
        assert_eq!(body(&answer), json!({"event": "login", "data": "c-1"}));
        assert_eq!(a.success(None).response.body(), &Body::Empty);
    }

    #[test]
    fn refused_handshakes_carry_their_status() {
        assert_eq!(Handshake.failure(&TokenError::Expired.into()).response.status(), 401);
        assert_eq!(Handshake.failure(&AppError::internal("x")).response.status(), 500);
        assert_eq!(Handshake.success(()).response.status(), 200);
    }

    fn ctx(authorizer: &[(&str, &str)], connected_at: i64) -> SocketContext {
        SocketContext {
            connection_id: "c-1".into(),
            route_key: "login".into(),
            event: shared::socket::SocketEvent::Message,
            request_id: "r".into(),
            connected_at,
            authorizer: authorizer
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
                .collect(),
        }
    }

    #[test]
    fn a_frames_sender_is_the_authorizers_user_until_the_connection_expires() {
        let opened_secs = 1_700_000_000;
        let c = ctx(&[("principalId", "u1"), ("userId", "u1")], opened_secs * 1000);
        assert_eq!(connection_user(&c, opened_secs).unwrap(), "u1");
        let last = opened_secs + CONNECTION_TTL_SECS - 1;
        assert_eq!(connection_user(&c, last).unwrap(), "u1");
        // The presence entry written at $connect expires at this second too.
        let expired = connection_user(&c, opened_secs + CONNECTION_TTL_SECS).unwrap_err();
        assert!(
            matches!(expired, AppError::Unauthenticated(TokenError::Missing)),
            "{expired:?}"
        );
        let none = connection_user(&ctx(&[], opened_secs * 1000), opened_secs).unwrap_err();
        assert!(
            matches!(none, AppError::Unauthenticated(TokenError::Missing)),
            "{none:?}"
        );
        let principal_only = ctx(&[("principalId", "u1")], opened_secs * 1000);
        assert!(
            connection_user(&principal_only, opened_secs).is_err(),
            "userId is the key read"
        );
    }

    fn authorizer_event(query: &str) -> AuthorizerRequest {
        serde_json::from_value(json!({
            "type": "REQUEST",
            "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc/ws/$connect",
            "headers": {"Host": "abc.execute-api.us-east-1.amazonaws.com"},
            "queryStringParameters": {"token": query},
            "requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": "c-1", "apiId": "abc", "stage": "ws"},
        }))
        .unwrap()
    }

    #[tokio::test]
    async fn the_authorizer_allows_a_valid_token_on_the_method_arn_and_refuses_others() {
        let state = shared::testing::offline_state();
        let token = state.tokens.issue("u-7", crate::AUDIENCE).unwrap();
        let answer = authorize(&state, authorizer_event(&token)).await.unwrap();
        assert_eq!(
            serde_json::to_value(&answer).unwrap(),
            json!({
                "principalId": "u-7",
                "policyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Action": ["execute-api:Invoke"], "Effect": "Allow",
                    "Resource": ["arn:aws:execute-api:us-east-1:123456789012:abc/ws/$connect"],
                }]},
                "context": {"userId": "u-7"},
                "usageIdentifierKey": null,
            })
        );
        for bad in ["", "not-a-token", &format!("{token}x")] {
            let refused = authorize(&state, authorizer_event(bad)).await.unwrap_err();
            assert_eq!(refused, AuthorizerError::Unauthorized);
            assert_eq!(
                refused.to_string(),
                "Unauthorized",
                "API Gateway's 401 needs this exact message"
            );
        }
        let expired = state.tokens.issue_expired("u-7", crate::AUDIENCE, 5).unwrap();
        assert_eq!(
            authorize(&state, authorizer_event(&expired)).await.unwrap_err(),
            AuthorizerError::Unauthorized
        );
        let other_surface = state.tokens.issue("u-7", shared::auth::Audience::new("chatx")).unwrap();
        assert_eq!(
            authorize(&state, authorizer_event(&other_surface)).await.unwrap_err(),
            AuthorizerError::Unauthorized
        );
    }

    #[test]
    fn a_field_naming_another_user_is_refused() {
        let peer = Peer {
            user_id: "u1".into(),
            connection_id: "c".into(),
        };
        assert!(peer.must_be(None).is_ok());
        assert!(peer.must_be(Some("u1")).is_ok());
        assert!(matches!(peer.must_be(Some("u2")), Err(AppError::Forbidden(_))));
    }
}
