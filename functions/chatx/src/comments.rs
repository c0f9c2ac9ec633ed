//! `POST /chatx/moments/comment/add` (seed 001), the list of a post's comments, and delete.

use crate::limits;
use crate::wire;
use crate::{Comment, CommentText, CommentView, PublicProfile};
use serde::Deserialize;
use serde_json::{Value, json};
use shared::lambda::{Body, Request, Response};
use shared::throttle;
use shared::{AppState, clock, ids};

use crate::ChatxState;
use crate::{PostPage, PostPageBody};

#[derive(Deserialize, Default)]
#[serde(default)]
struct AddBody {
    #[serde(rename = "postID")]
    post_id: String,
    #[serde(rename = "replyToCommentID")]
    reply_to_comment_id: String,
    content: String,
}

/// `{postID, replyToCommentID, content}` → `data.comment` with the commenter's public profile.
/// A reply's target must be a comment of the same post.
#[tracing::instrument(skip(state, req))]
pub async fn add(state: &AppState, req: Request) -> Response<Body> {
    wire::authed_create(state, req, move |caller, body: AddBody| async move {
        let post_id = ids::parse_id(&body.post_id, "postID", "postID and userID are required")?;
        let content = CommentText::parse(&body.content)?.into_inner();
        let reply_to = match body.reply_to_comment_id.trim() {
            "" => String::new(),
            raw => ids::parse_id(raw, "replyToCommentID", "")?,
        };
        state
            .throttle(limits::COMMENT, &throttle::user(caller.user_id()))
            .await?;
        let comment = Comment {
            comment_id: ids::new_id(),
            post_id,
            user_id: caller.user_id().to_owned(),
            reply_to_comment_id: reply_to,
            content,
            create_time: clock::now_ms(),
        };
        let chatx = state.chatx();
        let (added, profile) = tokio::join!(chatx.add_comment(&comment), chatx.profile(caller.user_id()));
        added?;
        shared::metrics::count("Comments", 1);
        let commenter = PublicProfile::of(caller.user_id(), profile?.as_ref());
        Ok(json!({ "comment": CommentView { comment, commenter } }))
    })
    .await
}

/// `{postID, cursor?, count?}` → `data {comments, nextCursor}`, oldest first.
#[tracing::instrument(skip(state, req))]
pub async fn list(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |_caller, body: PostPageBody| async move {
        let PostPage { post_id, cursor, size } = body.parse()?;
        let page = state.chatx().comments(&post_id, &cursor, size).await?;
        let profiles = state
            .chatx()
            .profiles(page.items.iter().map(|c| c.user_id.as_str()))
            .await?;
        let comments: Vec<CommentView> = page
            .items
            .into_iter()
            .map(|comment| {
                let commenter = PublicProfile::of(&comment.user_id, profiles.get(&comment.user_id));
                CommentView { comment, commenter }
            })
            .collect();
        Ok(json!({ "comments": comments, "nextCursor": page.next_cursor }))
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DeleteBody {
    #[serde(rename = "commentID")]
    comment_id: String,
}

/// `{commentID}`: the commenter or the post's author deletes a comment.
#[tracing::instrument(skip(state, req))]
pub async fn delete(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |caller, body: DeleteBody| async move {
        let comment_id = ids::parse_id(&body.comment_id, "commentID", "commentID is required")?;
        state.chatx().delete_comment(&comment_id, caller.user_id()).await?;
        Ok(Value::Null)
    })
    .await
}
