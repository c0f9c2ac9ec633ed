//! The chat socket's routes (seed 003's socket events), one Lambda function each: `$connect`,
//! `$disconnect`, `$default` and the eight events. The frames, the mapping from each socket.io
//! call and the costs are in `docs/weifchat-socket.md`; the wire style in `crate::socket`.
//!
//! What socket.io's rooms and `users[id]` map did is done by the table here: a presence item per
//! user (its open connections; each event names its user through the `$connect` authorizer's
//! answer), the friendship or membership checked in the
//! message's storing transaction, and pushes to the receivers' connections through API
//! Gateway's Management API (best effort: the table is the truth, see `/message/sync`).

use serde::Deserialize;
use serde_json::{Value, json};

use crate::WeifState;
use crate::limits;
use crate::model::Content;
use crate::socket::{self, Frame, Peer};
use crate::view::PushedMessage;
use shared::AppState;
use shared::clock;
use shared::error::AppError;
use shared::idempotency::IdempotencyKey;
use shared::ids::is_valid_id;
use shared::lambda::{Body, Request, Response};
use shared::throttle;

/// `data` of the frames that may name their sender (`login`, `init_apply_notice`,
/// `apply_notice`, `logout`): `userId`, if sent, must be the connection's user.
#[derive(Debug, Deserialize)]
struct Sender {
    #[serde(rename = "userId")]
    user_id: Option<String>,
}

/// The message a client sends (its `MessageType`; `userId`, `loading`, `uid`… are ignored: the
/// sender is the connection's user).
#[derive(Debug, Deserialize)]
struct DataMsg {
    #[serde(rename = "msgType")]
    msg_type: i64,
    message: String,
}

/// `private_chat`'s `(dataMsg, uId, fId)`.
#[derive(Debug, Deserialize)]
struct PrivateChatIn {
    #[serde(rename = "dataMsg")]
    data_msg: DataMsg,
    #[serde(rename = "uId")]
    sender: Option<String>,
    #[serde(rename = "fId", default)]
    to: String,
    /// The client's ID of this message (ours): a resend under it stores and pushes nothing.
    #[serde(rename = "clientMsgId")]
    client_msg_id: Option<String>,
}

/// `group_chat`'s `(dataMsg, uId, gId)`.
#[derive(Debug, Deserialize)]
struct GroupChatIn {
    #[serde(rename = "dataMsg")]
    data_msg: DataMsg,
    #[serde(rename = "uId")]
    sender: Option<String>,
    #[serde(rename = "gId", default)]
    group: String,
    /// As [`PrivateChatIn`]'s.
    #[serde(rename = "clientMsgId")]
    client_msg_id: Option<String>,
}

/// A message's client ID, if the frame has one: 1–255 visible ASCII characters, the rule of an
/// `Idempotency-Key` (`shared::idempotency`).
fn client_msg_id(raw: Option<&str>) -> Result<Option<IdempotencyKey>, AppError> {
    raw.map(IdempotencyKey::parse).transpose()
}

/// `join_group`'s `gId` (and `uId`, if sent).
#[derive(Debug, Deserialize)]
struct JoinGroupIn {
    #[serde(rename = "gId", default)]
    group: String,
    #[serde(rename = "uId")]
    sender: Option<String>,
}

/// `agree_apply`'s `toId`: the user whose request the sender agreed to.
#[derive(Debug, Deserialize)]
struct AgreeApplyIn {
    #[serde(rename = "toId", default)]
    to: String,
}

/// An ID field of a frame: present and well-formed.
fn id_field(value: &str, field: &'static str) -> Result<String, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::invalid(field, format!("{field}参数不能为空")));
    }
    if !is_valid_id(value) {
        return Err(AppError::invalid(field, format!("{field}参数不合法")));
    }
    Ok(value.to_owned())
}

/// `$connect` (`?token=<weifChat token>`, checked by the authorizer before this runs,
/// `crate::socket::authorize`): records the connection under the user the authorizer answered
/// (its attribute in the user's presence item; if the write fails, the handshake fails and the
/// client reconnects). No valid token: API Gateway refuses the handshake (401) without calling
/// this. Cost: 1 UpdateItem (+ 1 UpdateItem past 20 connections of the user).
#[tracing::instrument(skip(state, req))]
pub async fn connect(state: &AppState, req: Request) -> Response<Body> {
    socket::connect(req, |peer, ctx| async move {
        let opened = if ctx.connected_at > 0 {
            ctx.connected_at
        } else {
            clock::now_ms()
        };
        state
            .weifchat()
            .open_connection(&peer.connection_id, &peer.user_id, opened)
            .await
    })
    .await
}

/// `$disconnect`: forgets the connection, its presence attribute (the authorizer's answer names
/// the user). Cost: 1 UpdateItem. An event without that answer (a hand-made one) names no user:
/// nothing is written, and the attribute expires with the connection's lifetime.
#[tracing::instrument(skip(state, req))]
pub async fn disconnect(state: &AppState, req: Request) -> Response<Body> {
    socket::disconnect(req, |ctx| async move {
        match ctx.authorizer_value(socket::USER_ID) {
            Some(user_id) => state.weifchat().forget_connection(user_id, &ctx.connection_id).await,
            None => {
                tracing::warn!("a $disconnect without the authorizer's answer: its presence entry expires on its own");
                Ok(())
            }
        }
    })
    .await
}

/// `$default`: a frame whose `action` is no event answers an error frame (400 `未知的事件`).
/// Cost: no store request.
#[tracing::instrument(skip(_state, req))]
pub async fn unknown(_state: &AppState, req: Request) -> Response<Body> {
    let action = serde_json::from_slice::<Value>(shared::http::body_bytes(&req))
        .ok()
        .and_then(|frame| frame.get("action").cloned())
        .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_owned))
        .unwrap_or_default();
    let action: String = action.chars().take(64).collect();
    socket::frame(req, "$default", |_, _: Value| async move {
        Err(AppError::bad_request(format!("未知的事件: {action}")))
    })
    .await
}

/// `login` (`{userId?}`): answers `{"event": "login", "data": <connection ID>}`, as socket.io
/// answered `socket.id`. Cost: no store request.
#[tracing::instrument(skip(_state, req))]
pub async fn login(_state: &AppState, req: Request) -> Response<Body> {
    socket::frame(req, "login", |peer, d: Sender| async move {
        peer.must_be(d.user_id.as_deref())?;
        Ok(Some(Frame::new("login", &peer.connection_id)?))
    })
    .await
}

/// `logout` (`{userId?}`): forgets the connection (it gets no more pushes), then closes it
/// through the Management API (`DeleteConnection`; `$disconnect` then finds it forgotten).
/// Answers nothing, as socket.io did; the client reconnects with its token to chat again.
/// Closing is what keeps a logged-out connection from sending frames: a frame's sender comes
/// from the authorizer's answer, which stays with the connection until it closes. A failed
/// close is logged (the connection is forgotten anyway and expires with its lifetime).
/// Cost: 1 UpdateItem + 1 DeleteConnection.
#[tracing::instrument(skip(state, req))]
pub async fn logout(state: &AppState, req: Request) -> Response<Body> {
    socket::frame(req, "logout", |peer, d: Sender| async move {
        peer.must_be(d.user_id.as_deref())?;
        state
            .weifchat()
            .forget_connection(&peer.user_id, &peer.connection_id)
            .await?;
        match &state.push {
            Some(pusher) => {
                pusher.close(&peer.connection_id).await;
            }
            None => tracing::warn!("logout can't close the connection: SOCKET_ENDPOINT is not configured"),
        }
        Ok(None)
    })
    .await
}

/// `private_chat` (`{dataMsg: {msgType, message}, uId?, fId}`): stores the message between
/// friends (403 `您与ta还不是好友哦` otherwise, nothing stored), then pushes `private_chat` and
/// `unread_message` (the sender's ID) to the receiver's connections and `private_chat` to the
/// sender's other connections. Answers nothing on success.
/// Cost: the send (1 GetItem + 1 TransactWriteItems of 5) + 1 GetItem
/// (sender) + the push (1 BatchGetItem of both users' presence items, 1 PostToConnection per
/// connection and frame).
#[tracing::instrument(skip(state, req))]
pub async fn private_chat(state: &AppState, req: Request) -> Response<Body> {
    socket::frame(req, "private_chat", |peer, d: PrivateChatIn| async move {
        let to = id_field(&d.to, "fId")?;
        let content = Content::new(d.data_msg.msg_type, d.data_msg.message)?;
        peer.must_be(d.sender.as_deref())?;
        state.throttle(limits::MESSAGE, &throttle::user(&peer.user_id)).await?;
        let client_id = client_msg_id(d.client_msg_id.as_deref())?;
        let store = state.weifchat();
        let client_id = client_id.as_ref().map(IdempotencyKey::as_str);
        let (sent, sender) = tokio::try_join!(
            store.send_private(&peer.user_id, &to, &content, client_id, clock::now_ms()),
            store.user(&peer.user_id),
        )?;
        let Some(message) = sent.message() else {
            return Ok(None);
        };
        shared::metrics::count("MessagesSent", 1);
        let pushed = Frame::new("private_chat", PushedMessage::of(&message, sender.as_ref(), None))?;
        let unread = Frame::new("unread_message", &peer.user_id)?;
        deliver(state, &peer, vec![to, peer.user_id.clone()], pushed, unread).await;
        Ok(None)
    })
    .await
}

/// `group_chat` (`{dataMsg: {msgType, message}, uId?, gId}`): stores the message once in the
/// group's chat (members only: 403 `您还未加入该群哦`, nothing stored), then pushes `group_chat`
/// and `unread_message` (the group's ID) to the other members' connections and `group_chat` to
/// the sender's other connections. Answers nothing on success.
/// Cost: at once: the send (1 GetItem + 1 TransactWriteItems of 4), 1
/// GetItem (sender) and 1 Query (the group and its members; read beside the send rather than
/// after it, a round trip less before the first push, and wasted on a refused send) + the push
/// (1 BatchGetItem per 100 members, the batches at once; 1 PostToConnection per connection and
/// frame).
#[tracing::instrument(skip(state, req))]
pub async fn group_chat(state: &AppState, req: Request) -> Response<Body> {
    socket::frame(req, "group_chat", |peer, d: GroupChatIn| async move {
        let group_id = id_field(&d.group, "gId")?;
        let content = Content::new(d.data_msg.msg_type, d.data_msg.message)?;
        peer.must_be(d.sender.as_deref())?;
        state.throttle(limits::MESSAGE, &throttle::user(&peer.user_id)).await?;
        let client_id = client_msg_id(d.client_msg_id.as_deref())?;
        let store = state.weifchat();
        let client_id = client_id.as_ref().map(IdempotencyKey::as_str);
        let (sent, sender, group) = tokio::try_join!(
            store.send_group(&peer.user_id, &group_id, &content, client_id, clock::now_ms()),
            store.user(&peer.user_id),
            store.group_and_members(&group_id),
        )?;
        let Some(message) = sent.message() else {
            return Ok(None);
        };
        shared::metrics::count("MessagesSent", 1);
        let (group, members) = group.unzip();
        let pushed = Frame::new(
            "group_chat",
            PushedMessage::of(&message, sender.as_ref(), group.as_ref()),
        )?;
        let unread = Frame::new("unread_message", &group_id)?;
        let members = members.into_iter().flatten().map(|m| m.user_id).collect();
        deliver(state, &peer, members, pushed, unread).await;
        Ok(None)
    })
    .await
}

/// `join_group` (`{gId, uId?}`): socket.io joined the connection to the group's room; here every
/// member's connections get the group's messages without joining, so this checks the caller
/// is a member (403 `您还未加入该群哦`; 400 `该群不存在`) and answers
/// `{"event": "join_group", "data": {"gId", "lastSeq"}}` (the group's last sequence number, to
/// sync from). Cost: 1 BatchGetItem (3 items).
#[tracing::instrument(skip(state, req))]
pub async fn join_group(state: &AppState, req: Request) -> Response<Body> {
    socket::frame(req, "join_group", |peer, d: JoinGroupIn| async move {
        let group_id = id_field(&d.group, "gId")?;
        peer.must_be(d.sender.as_deref())?;
        let chat = state.weifchat().group_chat(&group_id, &peer.user_id).await?;
        if chat.group.is_none() {
            return Err(AppError::not_found("该群不存在"));
        }
        if !chat.member {
            return Err(AppError::forbidden("您还未加入该群哦"));
        }
        Ok(Some(Frame::new(
            "join_group",
            json!({"gId": group_id, "lastSeq": chat.last_seq}),
        )?))
    })
    .await
}

/// `init_apply_notice` (`{userId?}`): answers the caller's pending request counts
/// `{friendNoticeNum, groupNoticeNum}`. Cost: 2 Queries (COUNT).
#[tracing::instrument(skip(state, req))]
pub async fn init_apply_notice(state: &AppState, req: Request) -> Response<Body> {
    apply_counts(state, req, "init_apply_notice").await
}

/// `apply_notice` (`{userId?}`): the caller's counts again, as `apply_notice`. socket.io let a
/// client ping another user's counts after a request; here the friend and group request routes
/// push `apply_notice` to the receiver themselves, so a `userId` naming someone else is refused
/// (403) like every field naming another user. Cost: as `init_apply_notice`.
#[tracing::instrument(skip(state, req))]
pub async fn apply_notice(state: &AppState, req: Request) -> Response<Body> {
    apply_counts(state, req, APPLY_NOTICE).await
}

const APPLY_NOTICE: &str = "apply_notice";
const AGREE_APPLY: &str = "agree_apply";

/// Boxed as a trait object: laid out inline in its callers, this future nests deeper than rustc's
/// query depth limit allows (the `*-apply-notice` binaries didn't build).
fn apply_counts<'a>(state: &'a AppState, req: Request, event: &'static str) -> shared::lambda::HandlerFuture<'a> {
    Box::pin(socket::frame(req, event, move |peer, d: Sender| async move {
        peer.must_be(d.user_id.as_deref())?;
        let counts = state.weifchat().request_counts(&peer.user_id).await?;
        Ok(Some(Frame::new(event, counts)?))
    }))
}

/// `agree_apply` (`{toId}`): tells `toId` (whose friend request the caller agreed to, through
/// the REST route, which already pushed it) `agree_apply`, if they are now friends (403
/// otherwise). Answers nothing. Cost: 1 GetItem + the push (1 BatchGetItem, 1 PostToConnection
/// per connection).
#[tracing::instrument(skip(state, req))]
pub async fn agree_apply(state: &AppState, req: Request) -> Response<Body> {
    socket::frame(req, AGREE_APPLY, |peer, d: AgreeApplyIn| async move {
        let to = id_field(&d.to, "toId")?;
        let friends = state
            .weifchat()
            .friend(&peer.user_id, &to, false)
            .await?
            .is_some_and(|f| f.state == 1);
        if !friends {
            return Err(AppError::forbidden("您与ta还不是好友哦"));
        }
        notify_agreed(state, &to).await;
        Ok(None)
    })
    .await
}

/// Pushes a stored message: `pushed` and `unread` to each of `users` but the sender, `pushed`
/// alone to the sender's other connections (multi-device sync), nothing to the sending one.
async fn deliver(state: &AppState, peer: &Peer, users: Vec<String>, pushed: Frame, unread: Frame) {
    let frames_for = |user: &str| {
        if user == peer.user_id {
            vec![pushed.clone()]
        } else {
            vec![pushed.clone(), unread.clone()]
        }
    };
    socket::push_each(state, users, frames_for, Some(&peer.connection_id)).await
}

// ---- pushes from the REST routes ----

/// Pushes `apply_notice` with `user_id`'s pending request counts to their connections (after a
/// friend or join request reached them). Best effort. Cost: 1 GetItem (their presence item),
/// and if they are connected 2 Queries (COUNT) + 1 PostToConnection per connection.
pub async fn notify_requests(state: &AppState, user_id: &str) {
    let store = state.weifchat();
    let found = async {
        let reach = store.connections_of(user_id, clock::now_secs()).await?;
        if reach.live.is_empty() {
            return Ok((reach, None));
        }
        let frame = Frame::new(APPLY_NOTICE, store.request_counts(user_id).await?)?;
        Ok::<_, AppError>((reach, Some(frame)))
    };
    match found.await {
        // With no frame, this only forgets the expired connections read.
        Ok((reach, frame)) => socket::post(state, reach, |_| frame.iter().cloned().collect(), None).await,
        Err(e) => e.log(),
    }
}

/// Pushes `agree_apply` (no data, as socket.io's `emit('agree_apply')`) to `user_id`'s
/// connections (their friend or join request was agreed). Best effort.
pub async fn notify_agreed(state: &AppState, user_id: &str) {
    let frame = Frame {
        event: AGREE_APPLY,
        data: Value::Null,
    };
    socket::push(state, vec![user_id.to_owned()], &[frame], None).await
}
