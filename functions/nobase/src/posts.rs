//! `POST /api/bbs/post_add` and `GET|POST /api/bbs/post_detail`.

use crate::NobaseState;
use crate::limits;
use crate::{Content, Endpoint, Identity, Post, PostStatus, PostView, Title, wire};
use shared::lambda::{Body, Request, Response};
use shared::throttle;
use shared::{AppState, clock, ids};

pub const POST_ADD: Endpoint = Endpoint {
    required: &["appid", "uid", "title", "content", "signature"],
    identity: Identity::User,
    creates: true,
};

/// Adds a post by the user to board `uid`; it starts under review when the app reviews new
/// posts. `data` is the post as the detail shows it.
#[tracing::instrument(skip(state, req))]
pub async fn add(state: &AppState, req: Request) -> Response<Body> {
    wire::serve(
        state,
        req,
        &POST_ADD,
        |p| {
            let title = Title::parse(p.required("title"))?;
            let content = Content::parse(p.required("content"))?;
            Ok((p.required("uid").to_owned(), title, content))
        },
        |session, (uid, title, content)| async move {
            let user = session.user();
            state.throttle(limits::POST, &throttle::user(&user.user_id)).await?;
            let post = Post {
                appid: session.app.appid.clone(),
                id: ids::new_id(),
                uid,
                title: title.into_inner(),
                content: content.into_inner(),
                author_id: user.user_id.clone(),
                author: user.account.clone(),
                status: if session.app.post_review {
                    PostStatus::Review
                } else {
                    PostStatus::Normal
                },
                like_count: 0,
                create_time: clock::now_ms(),
            };
            state.nobase().add_post(&post).await?;
            Ok(PostView { post, liked: false })
        },
    )
    .await
}

pub const POST_DETAIL: Endpoint = Endpoint {
    required: &["appid", "uid", "id", "signature"],
    identity: Identity::User,
    creates: false,
};

/// Post `id` of board `uid` with its like count and whether the user likes it. A post under
/// review is shown to its author only.
#[tracing::instrument(skip(state, req))]
pub async fn detail(state: &AppState, req: Request) -> Response<Body> {
    wire::serve(
        state,
        req,
        &POST_DETAIL,
        |p| Ok((p.required("uid").to_owned(), p.required("id").to_owned())),
        |session, (uid, id)| async move {
            let view: PostView = state
                .nobase()
                .post_view(&session.app.appid, &uid, &id, session.user())
                .await?;
            Ok(view)
        },
    )
    .await
}
