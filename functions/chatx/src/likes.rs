//! `POST /chatx/moments/like` (seed 000) and the list of a post's likes.

use crate::limits;
use crate::wire;
use crate::{LikeView, PublicProfile};
use serde::Deserialize;
use serde_json::json;
use shared::lambda::{Body, Request, Response};
use shared::throttle;
use shared::{AppState, ids};

use crate::ChatxState;
use crate::{PostPage, PostPageBody};

#[derive(Deserialize, Default)]
#[serde(default)]
struct LikeBody {
    #[serde(rename = "postID")]
    post_id: String,
    cancel: bool,
}

/// `{postID, cancel}` → `data.likeCount`, the post's like count after the operation.
/// Like and cancel are idempotent; the liker is the token's user.
#[tracing::instrument(skip(state, req))]
pub async fn like(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |caller, body: LikeBody| async move {
        let post_id = ids::parse_id(&body.post_id, "postID", "postID and userID are required")?;
        state.throttle(limits::LIKE, &throttle::user(caller.user_id())).await?;
        let like_count = state.chatx().set_like(&post_id, caller.user_id(), !body.cancel).await?;
        shared::metrics::count("Likes", u64::from(!body.cancel));
        Ok(json!({ "likeCount": like_count }))
    })
    .await
}

/// `{postID, cursor?, count?}` → `data {likes, nextCursor}`, newest first, each like with
/// the liker's public profile.
#[tracing::instrument(skip(state, req))]
pub async fn list(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |_caller, body: PostPageBody| async move {
        let PostPage { post_id, cursor, size } = body.parse()?;
        let page = state.chatx().likes(&post_id, &cursor, size).await?;
        let profiles = state
            .chatx()
            .profiles(page.items.iter().map(|l| l.user_id.as_str()))
            .await?;
        let likes: Vec<LikeView> = page
            .items
            .into_iter()
            .map(|l| LikeView {
                user: PublicProfile::of(&l.user_id, profiles.get(&l.user_id)),
                create_time: l.create_time,
            })
            .collect();
        Ok(json!({ "likes": likes, "nextCursor": page.next_cursor }))
    })
    .await
}
