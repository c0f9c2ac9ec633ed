//! `GET|POST /api/bbs/post_like` (seed 002): like (`like=1`) or cancel a like (`like=2`).

use crate::NobaseState;
use crate::limits;
use crate::{Endpoint, Identity, Refusal, wire};
use shared::AppState;
use shared::lambda::{Body, Request, Response};
use shared::throttle;

/// Parameters in the seed's order; then `token` or `user` + `pass`, as the app's mode wants.
pub const POST_LIKE: Endpoint = Endpoint {
    required: &["appid", "uid", "id", "like", "signature"],
    identity: Identity::User,
    creates: false,
};

struct LikeInput {
    uid: String,
    id: String,
    like: bool,
}

/// `data` is `操作成功`. Refusals, in the order they are checked: docs/nobase.md.
#[tracing::instrument(skip(state, req))]
pub async fn post_like(state: &AppState, req: Request) -> Response<Body> {
    wire::serve(
        state,
        req,
        &POST_LIKE,
        |p| {
            let like = match p.required("like") {
                "1" => true,
                "2" => false,
                _ => return Err(Refusal::LikeInvalid),
            };
            Ok(LikeInput {
                uid: p.required("uid").to_owned(),
                id: p.required("id").to_owned(),
                like,
            })
        },
        |session, input| async move {
            state
                .throttle(limits::LIKE, &throttle::user(&session.user().user_id))
                .await?;
            state
                .nobase()
                .set_like(
                    &session.app.appid,
                    &input.uid,
                    &input.id,
                    &session.user().user_id,
                    input.like,
                )
                .await?;
            shared::metrics::count("Likes", u64::from(input.like));
            Ok("操作成功")
        },
    )
    .await
}
