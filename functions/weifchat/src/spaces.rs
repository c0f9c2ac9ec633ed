//! Space moments (#28–#35): publish, the feed, delete, a user's space, like, comment and
//! reply, delete a comment. Moments are for the author and the author's friends: only they
//! see, like or comment on them.

use crate::fields::{self, Fields};
use crate::limits;
use crate::model::{self, CommentType};
use crate::wire::{self, Failure, Reply, Route, id_param, must_be_caller};
use crate::{Comment, Space};
use serde_json::json;
use shared::lambda::{Body, Request, Response};
use shared::throttle;
use shared::{AppError, AppState, clock, ids};

use crate::WeifState;
use crate::view::{SpaceDoc, SpaceEntry, UserCode};

/// Moments per page of the feed and of a user's space.
pub const SPACES_PER_PAGE: usize = 20;

const ADD: Route = Route::body(Failure::Msg("发布失败")).lists(&["photos"]).creates();

/// `POST {userId, textDesc?, photos?}` → `发布成功`; `photos` is a JSON array of image
/// addresses (sent `JSON.stringify`-ed, or as an array), one of the two is required.
#[tracing::instrument(skip(state, req))]
pub async fn add(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, ADD, move |caller, p| async move {
        let (me, (text_desc, photos)) = (
            id_param(&p, "userId"),
            model::space_content(p.text("textDesc"), p.text("photos")),
        )
            .all()?;
        must_be_caller(&caller, &me)?;
        state.throttle(limits::POST, &throttle::user(&me)).await?;
        let space = Space {
            id: ids::new_id(),
            user_id: me,
            text_desc,
            photos,
            time: clock::now_ms(),
        };
        state.weifchat().add_space(&space).await?;
        Ok(Reply::msg("发布成功"))
    })
    .await
}

const FEED: Route = Route::query(Failure::Msg("服务器错误"));

/// `GET ?userId=<caller>&pageNum?` → the caller's and their friends' moments, newest first,
/// 20 a page, each with `isLike`, `likeList`, `commentList` and `replyList` (one list of
/// replies per comment).
#[tracing::instrument(skip(state, req))]
pub async fn feed(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, FEED, move |caller, p| async move {
        let (me, page) = (id_param(&p, "userId"), model::page_num(p.text("pageNum"))).all()?;
        must_be_caller(&caller, &me)?;
        let feed = state.weifchat().feed(&me, page as usize, SPACES_PER_PAGE).await?;
        let entries: Vec<SpaceEntry> = feed
            .threads
            .iter()
            .map(|t| SpaceEntry::of(t, &me, &feed.users))
            .collect();
        Reply::data(entries)
    })
    .await
}

const DELETE: Route = Route::query(Failure::Msg("删除失败"));

/// `GET ?_id=<spaceId>` → `删除成功`: the caller's own moment, with its likes, comments and
/// replies (#30 and #35 are this one route).
#[tracing::instrument(skip(state, req))]
pub async fn delete(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, DELETE, move |caller, p| async move {
        let (space_id,) = (id_param(&p, "_id"),).all()?;
        state.weifchat().delete_space(caller.user_id(), &space_id).await?;
        Ok(Reply::msg("删除成功"))
    })
    .await
}

const DETAILS: Route = Route::query(Failure::Msg("error"));

/// `GET ?userId=<whose space>&pageNum?` → `data {spaces, user}`: that user's moments, newest
/// first, 20 a page, and `{_id, WaiFCode, nick, imgUrl}`. Only the user and their friends.
#[tracing::instrument(skip(state, req))]
pub async fn details(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, DETAILS, move |caller, p| async move {
        let (owner, page) = (id_param(&p, "userId"), model::page_num(p.text("pageNum"))).all()?;
        let store = state.weifchat();
        let (user, visible) = tokio::join!(store.user(&owner), store.is_self_or_friend(caller.user_id(), &owner));
        let user = user?.ok_or_else(|| AppError::not_found("该用户不存在"))?;
        if !visible? {
            return Err(AppError::forbidden("仅好友可以查看空间动态"));
        }
        let page = page as usize;
        let spaces = store.spaces_of(&owner, page * SPACES_PER_PAGE).await?;
        let users = std::collections::HashMap::from([(user.id.clone(), user.clone())]);
        let spaces: Vec<SpaceDoc> = spaces
            .iter()
            .skip((page - 1) * SPACES_PER_PAGE)
            .map(|s| SpaceDoc::of(s, &users))
            .collect();
        Reply::data(json!({ "spaces": spaces, "user": UserCode::of(&user) }))
    })
    .await
}

const LIKE: Route = Route::body(Failure::Msg("服务器错误"));

/// `POST {spaceId, userId, isLike?}` → `success`, and `data {isLike, likeCount}`: a toggle (the
/// seed has no cancel flag; the lists carry `isLike`), or, with `isLike` (beyond the seed), the
/// state the client wants, so a retry changes nothing. Race-free and bounded under contention,
/// see `WeifStore::set_like`.
#[tracing::instrument(skip(state, req))]
pub async fn like(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, LIKE, move |caller, p| async move {
        let (space_id, me, want) = (
            id_param(&p, "spaceId"),
            id_param(&p, "userId"),
            model::desired_like(p.get("isLike")),
        )
            .all()?;
        must_be_caller(&caller, &me)?;
        state.throttle(limits::LIKE, &throttle::user(&me)).await?;
        let outcome = state.weifchat().set_like(&me, &space_id, want, clock::now_ms()).await?;
        shared::metrics::count("Likes", u64::from(outcome.is_like));
        Reply::msg("success").with_data(json!({ "isLike": outcome.is_like, "likeCount": outcome.like_count }))
    })
    .await
}

const COMMENT_ADD: Route = Route::body(Failure::Msg("error")).path_params(&["type"]).creates();

/// `POST /space/comment/add/{type}` with `{userId, spaceId, textarea, fromId?, toId,
/// spaceCommentId}` → `success`. Type 0 comments on the moment (`fromId` = `toId` = the
/// caller); type 1 replies to comment `spaceCommentId`, addressed to `toId`.
#[tracing::instrument(skip(state, req))]
pub async fn comment_add(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, COMMENT_ADD, move |caller, p| async move {
        let kind = CommentType::parse(p.path("type"));
        let reply_to = match kind {
            Ok(CommentType::Reply) => fields::join(id_param(&p, "spaceCommentId"), id_param(&p, "toId")).map(Some),
            _ => Ok(None),
        };
        let from = p
            .get("fromId")
            .filter(|f| !f.trim().is_empty())
            .map(|_| id_param(&p, "fromId"))
            .transpose();
        let (kind, me, space_id, textarea, reply_to, from) = (
            kind,
            id_param(&p, "userId"),
            id_param(&p, "spaceId"),
            model::comment_text(p.text("textarea")),
            reply_to,
            from,
        )
            .all()?;
        must_be_caller(&caller, &me)?;
        if let Some(from) = &from {
            must_be_caller(&caller, from)?;
        }
        state.throttle(limits::COMMENT, &throttle::user(&me)).await?;
        let store = state.weifchat();
        let space = store
            .space(&space_id)
            .await?
            .ok_or_else(|| AppError::not_found("该动态不存在"))?;
        let (space_comment_id, to_id) = match reply_to {
            Some((comment, to)) => (Some(comment), to),
            None => (None, me.clone()),
        };
        let comment = Comment {
            id: ids::new_id(),
            space_id,
            space_comment_id,
            kind: kind.number(),
            textarea,
            user_id: me.clone(),
            from_id: me,
            to_id,
            time: clock::now_ms(),
        };
        store.add_comment(&comment, &space.user_id).await?;
        shared::metrics::count("Comments", 1);
        Ok(Reply::msg("success"))
    })
    .await
}

const COMMENT_DELETE: Route = Route::query(Failure::Msg("服务器错误")).path_params(&["type"]);

/// `GET /space/comment/del/{type}?_id=<comment or reply>` → `删除成功`: by its author or the
/// moment's author; a comment's replies go with it.
#[tracing::instrument(skip(state, req))]
pub async fn comment_delete(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, COMMENT_DELETE, move |caller, p| async move {
        let (kind, id) = (CommentType::parse(p.path("type")), id_param(&p, "_id")).all()?;
        state
            .weifchat()
            .delete_comment(caller.user_id(), kind.number(), &id)
            .await?;
        Ok(Reply::msg("删除成功"))
    })
    .await
}
