//! `POST /chatx/user/get` and `POST /chatx/user/update`: public profiles.

use crate::ChatxState;
use crate::wire;
use crate::{Nickname, Url};
use serde::Deserialize;
use serde_json::json;
use shared::lambda::{Body, Request, Response};
use shared::{AppError, AppState, ids};

#[derive(Deserialize, Default)]
#[serde(default)]
struct GetBody {
    #[serde(rename = "userID")]
    user_id: String,
}

/// `{userID}` → `data.user`. An empty `userID` means the caller.
#[tracing::instrument(skip(state, req))]
pub async fn get(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |caller, body: GetBody| async move {
        let user_id = if body.user_id.trim().is_empty() {
            caller.user_id().to_owned()
        } else {
            ids::parse_id(&body.user_id, "userID", "userID is required")?
        };
        let user = state
            .chatx()
            .profile(&user_id)
            .await?
            .ok_or_else(|| AppError::not_found("user not found"))?;
        Ok(json!({ "user": user }))
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UpdateBody {
    nickname: Option<String>,
    #[serde(rename = "faceURL")]
    face_url: Option<String>,
}

/// `{nickname?, faceURL?}` (at least one) → `data.user`, the caller's updated profile.
#[tracing::instrument(skip(state, req))]
pub async fn update(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |caller, body: UpdateBody| async move {
        let nickname = body
            .nickname
            .as_deref()
            .map(Nickname::parse)
            .transpose()?
            .map(Nickname::into_inner);
        let face_url = body
            .face_url
            .as_deref()
            .map(|f| Url::parse_optional(f, "faceURL"))
            .transpose()?;
        let user = state
            .chatx()
            .update_profile(caller.user_id(), nickname, face_url)
            .await?;
        Ok(json!({ "user": user }))
    })
    .await
}
