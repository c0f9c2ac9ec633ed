//! Moments posts: add, get, delete, list.

use crate::ChatxState;
use crate::limits;
use crate::wire;
use crate::{PageSize, Post, PostBody};
use serde::Deserialize;
use serde_json::{Value, json};
use shared::lambda::{Body, Request, Response};
use shared::throttle;
use shared::{AppError, AppState, clock, ids};

#[derive(Deserialize, Default)]
#[serde(default)]
struct AddBody {
    content: String,
    images: Vec<String>,
}

/// `{content, images}` (one of them non-empty) → `data.post`.
#[tracing::instrument(skip(state, req))]
pub async fn add(state: &AppState, req: Request) -> Response<Body> {
    wire::authed_create(state, req, move |caller, body: AddBody| async move {
        let PostBody { content, images } = PostBody::parse(&body.content, &body.images)?;
        state.throttle(limits::POST, &throttle::user(caller.user_id())).await?;
        let post = Post {
            post_id: ids::new_id(),
            user_id: caller.user_id().to_owned(),
            content,
            images,
            create_time: clock::now_ms(),
            like_count: 0,
            comment_count: 0,
            liked: false,
        };
        state.chatx().add_post(&post).await?;
        Ok(json!({ "post": post }))
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PostIdBody {
    #[serde(rename = "postID")]
    post_id: String,
}

fn post_id(raw: &str) -> Result<String, AppError> {
    ids::parse_id(raw, "postID", "postID is required")
}

/// `{postID}` → `data.post` with `likeCount`, `commentCount` and `liked` (by the caller).
#[tracing::instrument(skip(state, req))]
pub async fn get(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |caller, body: PostIdBody| async move {
        let post_id = post_id(&body.post_id)?;
        let post = state
            .chatx()
            .post(&post_id, caller.user_id())
            .await?
            .ok_or_else(|| AppError::not_found("post not found"))?;
        Ok(json!({ "post": post }))
    })
    .await
}

/// `{postID}`: deletes the caller's own post with its likes and comments.
#[tracing::instrument(skip(state, req))]
pub async fn delete(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |caller, body: PostIdBody| async move {
        let post_id = post_id(&body.post_id)?;
        state.chatx().delete_post(&post_id, caller.user_id()).await?;
        Ok(Value::Null)
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListBody {
    #[serde(rename = "userID")]
    user_id: String,
    cursor: String,
    count: Option<i64>,
}

/// `{userID?, cursor?, count?}` → `data {posts, nextCursor}`: a user's posts (the caller's
/// when `userID` is empty), newest first.
#[tracing::instrument(skip(state, req))]
pub async fn list(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |caller, body: ListBody| async move {
        let author = if body.user_id.trim().is_empty() {
            caller.user_id().to_owned()
        } else {
            ids::parse_id(&body.user_id, "userID", "userID is required")?
        };
        let size = PageSize::parse(body.count)?;
        let page = state
            .chatx()
            .posts_by(&author, caller.user_id(), &body.cursor, size)
            .await?;
        Ok(json!({ "posts": page.items, "nextCursor": page.next_cursor }))
    })
    .await
}
