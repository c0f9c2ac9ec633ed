//! Chat history and unread counts (#36, #37, #43, #44): a private or group history page, the
//! caller's conversation list, marking a conversation read. Messages are sent over the
//! WebSocket API (a later issue) through `WeifStore::send_private` / `send_group`; the model
//! and its costs are in `store/messages.rs` and `docs/weifchat.md`.

use std::collections::HashMap;

use serde::Serialize;

use crate::fields::Fields;
use crate::model::{self, ChatType};
use crate::view::{ChatEntry, GroupMessageView, GroupNick, PrivateMessageView, PushedMessage, UserNick};
use crate::wire::{self, Failure, Reply, Route, id_param, must_be_caller};
use crate::{Chat, WeifState};
use shared::lambda::{Body, Request, Response};
use shared::{AppError, AppState};

/// `data` of a private history page.
#[derive(Serialize)]
struct FriendPage {
    #[serde(rename = "friendNick")]
    friend: Option<UserNick>,
    #[serde(rename = "messageList")]
    messages: Vec<PrivateMessageView>,
}

/// `data` of a group history page.
#[derive(Serialize)]
struct GroupPage {
    #[serde(rename = "groupNick")]
    group: GroupNick,
    #[serde(rename = "messageList")]
    messages: Vec<GroupMessageView>,
}

/// `data` of the not-friends answer.
#[derive(Serialize)]
struct NotFriends {
    #[serde(rename = "friendNick")]
    friend: Option<UserNick>,
}

const NO_MORE: &str = "暂无更多";

const FRIEND: Route = Route::query(Failure::Msg("服务器错误"));

/// `GET ?userId=<caller>&friendId&pageNum?` → `{friendNick, messageList}`: 20 messages a page,
/// the newest page first, oldest first within it; `state` 1 once the receiver read it.
/// Not friends: 202 `您与ta还不是好友哦`; past the end: 201 `暂无更多` (page 1 of an empty chat
/// is an empty list).
#[tracing::instrument(skip(state, req))]
pub async fn friend_history(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, FRIEND, move |caller, p| async move {
        let (me, friend, page) = (
            id_param(&p, "userId"),
            id_param(&p, "friendId"),
            model::history_page(p.text("pageNum")),
        )
            .all()?;
        must_be_caller(&caller, &me)?;
        let store = state.weifchat();
        let history = Chat::private(&me, &friend);
        // Page 1 is the newest messages: read beside the friendship and the conversations.
        let (chat, newest) = if page == 1 {
            let (chat, newest) = tokio::try_join!(store.private_chat(&me, &friend), store.newest_page(&history))?;
            (chat, Some(newest))
        } else {
            (store.private_chat(&me, &friend).await?, None)
        };
        let nick = chat.friend.as_ref().map(UserNick::of);
        if !chat.are_friends {
            return Reply::msg("您与ta还不是好友哦")
                .status(202)
                .with_data(NotFriends { friend: nick });
        }
        let messages = match newest {
            Some(newest) => Some(newest),
            None => store.history(&history, chat.last_seq(), page).await?,
        };
        let Some(messages) = messages else {
            if page > 1 {
                return Reply::msg(NO_MORE).status(201).with_data(nick);
            }
            return Reply::data(FriendPage {
                friend: nick,
                messages: Vec::new(),
            });
        };
        let users: HashMap<_, _> = chat
            .me
            .iter()
            .chain(&chat.friend)
            .map(|u| (u.id.clone(), u.clone()))
            .collect();
        let list = messages
            .iter()
            .map(|m| PrivateMessageView::of(m, &users, chat.is_read(m)))
            .collect();
        Reply::data(FriendPage {
            friend: nick,
            messages: list,
        })
    })
    .await
}

const GROUP: Route = Route::query(Failure::Msg("服务器错误"));

/// `GET ?userId=<caller>&groupId&pageNum?` → `{groupNick, messageList}`, paged as the private
/// history. Not a member: 202 `您还未加入该群哦`; past the end: 201 `暂无更多`; no such
/// group: 400 `该群不存在`.
#[tracing::instrument(skip(state, req))]
pub async fn group_history(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, GROUP, move |caller, p| async move {
        let (me, group_id, page) = (
            id_param(&p, "userId"),
            id_param(&p, "groupId"),
            model::history_page(p.text("pageNum")),
        )
            .all()?;
        must_be_caller(&caller, &me)?;
        let store = state.weifchat();
        let history = Chat::group(&group_id);
        // Page 1 is the newest messages: read beside the group, without the chat's head.
        let (chat, newest) = if page == 1 {
            let (chat, newest) = tokio::try_join!(store.group_access(&group_id, &me), store.newest_page(&history))?;
            (chat, Some(newest))
        } else {
            (store.group_chat(&group_id, &me).await?, None)
        };
        let Some(group) = chat.group else {
            return Err(AppError::not_found("该群不存在"));
        };
        if !chat.member {
            return Reply::msg("您还未加入该群哦")
                .status(202)
                .with_data(GroupNick::copied(&group_id, &group));
        }
        let messages = match newest {
            Some(newest) => Some(newest),
            None => store.history(&history, chat.last_seq, page).await?,
        };
        let Some(messages) = messages else {
            if page > 1 {
                return Reply::msg(NO_MORE)
                    .status(201)
                    .with_data(GroupNick::copied(&group_id, &group));
            }
            return Reply::data(GroupPage {
                group: GroupNick::copied(&group_id, &group),
                messages: Vec::new(),
            });
        };
        let users = store.users(messages.iter().map(|m| m.from_id.as_str())).await?;
        Reply::data(GroupPage {
            group: GroupNick::copied(&group_id, &group),
            messages: messages.iter().map(|m| GroupMessageView::of(m, &users)).collect(),
        })
    })
    .await
}

const LIST: Route = Route::query(Failure::Msg("服务器错误"));

/// `GET ?userId=<caller>` → the caller's conversations with messages, the latest first: friends
/// (`type: friendChat`) and groups (`groupChat`), each with `lastMsg` and `unreadMsgCount`.
#[tracing::instrument(skip(state, req))]
pub async fn list(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, LIST, move |caller, p| async move {
        let (me,) = (id_param(&p, "userId"),).all()?;
        must_be_caller(&caller, &me)?;
        let conversations = state.weifchat().conversations(&me).await?;
        Reply::data(ChatEntry::list(&conversations))
    })
    .await
}

const READ: Route = Route::query(Failure::Msg("服务器错误")).path_params(&["type"]);

/// `GET /message/read/:type?userId=<caller>&id` → `已读`: the caller's chat with friend `id`
/// (`friend`) or in group `id` (`group`) is read up to its last message. Idempotent; a chat the
/// caller has no part in writes nothing.
#[tracing::instrument(skip(state, req))]
pub async fn read(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, READ, move |caller, p| async move {
        let (kind, me, id) = (
            ChatType::parse(p.path("type")),
            id_param(&p, "userId"),
            id_param(&p, "id"),
        )
            .all()?;
        must_be_caller(&caller, &me)?;
        let store = state.weifchat();
        match kind {
            ChatType::Friend => store.mark_private_read(&me, &id).await?,
            ChatType::Group => store.mark_group_read(&me, &id).await?,
        }
        Ok::<_, AppError>(Reply::msg("已读"))
    })
    .await
}

/// `data` of a sync page.
#[derive(Serialize)]
struct SyncPageView {
    #[serde(rename = "messageList")]
    messages: Vec<PushedMessage>,
    /// The cursor of the next page (`null`: nothing more).
    next: Option<String>,
}

const SYNC: Route = Route::query(Failure::Msg("服务器错误")).path_params(&["type"]);

/// `GET /message/sync/:type?userId=<caller>&id&seq?&cursor?` → `{messageList, next}`: the
/// messages of the caller's chat with friend `id` (`friend`) or in group `id` (`group`) after
/// sequence number `seq`, oldest first, as the socket pushes them, 100 a page; `next` continues
/// (pass it as `cursor`). A client that sees a gap in the pushed `seq`s, or reconnects, asks for
/// everything after the last one it has. Not friends or not a member: 202, as the histories.
/// Cost: 1 GetItem (friend) or 1 BatchGetItem (group, membership) + 1 Query (≤ 100 items)
/// + 1 BatchGetItem (senders).
#[tracing::instrument(skip(state, req))]
pub async fn sync(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, SYNC, move |caller, p| async move {
        let (kind, me, id, seq) = (
            ChatType::parse(p.path("type")),
            id_param(&p, "userId"),
            id_param(&p, "id"),
            model::seen_seq(p.text("seq")),
        )
            .all()?;
        must_be_caller(&caller, &me)?;
        let cursor = p.get("cursor").filter(|c| !c.is_empty());
        let store = state.weifchat();
        let chat = match kind {
            ChatType::Friend => {
                let friends = store.friend(&me, &id, false).await?.is_some_and(|f| f.state == 1);
                if !friends {
                    return Ok(Reply::msg("您与ta还不是好友哦").status(202));
                }
                Chat::private(&me, &id)
            }
            ChatType::Group => {
                let group = store.group_access(&id, &me).await?;
                if group.group.is_none() {
                    return Err(AppError::not_found("该群不存在"));
                }
                if !group.member {
                    return Ok(Reply::msg("您还未加入该群哦").status(202));
                }
                Chat::group(&id)
            }
        };
        let page = store.messages_after(&chat, seq, cursor).await?;
        let users = store.users(page.messages.iter().map(|m| m.from_id.as_str())).await?;
        Reply::data(SyncPageView {
            messages: page
                .messages
                .iter()
                .map(|m| PushedMessage::of(m, users.get(&m.from_id), None))
                .collect(),
            next: page.next,
        })
    })
    .await
}
