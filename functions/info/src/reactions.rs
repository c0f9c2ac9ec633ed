//! `PUT|PATCH|DELETE /infos/{id}/like`, `PUT|PATCH|DELETE /infos/{id}/favorite` and
//! `PUT /infos/{id}/hit-share`. Likes and favorites are idempotent: 204 every time, counted once.

use crate::InfoState;
use crate::keys::Relation;
use crate::limits;
use crate::wire::{self, Reply};
use serde_json::json;
use shared::AppState;
use shared::lambda::{Body, Request, Response};
use shared::throttle;

async fn set(state: &AppState, req: Request, relation: Relation, on: bool) -> Response<Body> {
    wire::authed(state, req, move |caller, input| async move {
        let id = crate::path_id(input.path("id"), "Info")?;
        let user = crate::user_id(&caller)?;
        state
            .throttle(limits::REACTION, &throttle::user(&user.to_string()))
            .await?;
        state.info().set_relation(id, user, relation, on).await?;
        shared::metrics::count("Likes", u64::from(on && relation == Relation::Like));
        Ok(Reply::no_content())
    })
    .await
}

#[tracing::instrument(skip(state, req))]
pub async fn like(state: &AppState, req: Request) -> Response<Body> {
    set(state, req, Relation::Like, true).await
}

#[tracing::instrument(skip(state, req))]
pub async fn unlike(state: &AppState, req: Request) -> Response<Body> {
    set(state, req, Relation::Like, false).await
}

#[tracing::instrument(skip(state, req))]
pub async fn favorite(state: &AppState, req: Request) -> Response<Body> {
    set(state, req, Relation::Favorite, true).await
}

#[tracing::instrument(skip(state, req))]
pub async fn unfavorite(state: &AppState, req: Request) -> Response<Body> {
    set(state, req, Relation::Favorite, false).await
}

/// Counts a share: 201 `{"amount": N}` when it earns the sharer points (their first share of
/// this info, `INFO_SHARE_POINTS`), else 204. Anonymous shares count, without points.
#[tracing::instrument(skip(state, req))]
pub async fn share(state: &AppState, req: Request) -> Response<Body> {
    wire::optional(state, req, move |caller, input| async move {
        let id = crate::path_id(input.path("id"), "Info")?;
        let sharer = caller.as_ref().map(crate::user_id).transpose()?;
        match state.info().share(id, sharer).await? {
            Some(amount) => Reply::created(json!({ "amount": amount })),
            None => Ok(Reply::no_content()),
        }
    })
    .await
}
