//! The storage API: `POST /storage` issues a node and a presigned upload for a file;
//! `GET /storage/{node}` redirects to a short-lived download.

use crate::request::NewUpload;
use crate::wire::{self, Reply};
use serde_json::Value;
use shared::lambda::{Body, Request, Response};
use shared::{AppError, AppState};

/// `{filename, hash, size, mime_type, storage: {channel: "public"}}` → 201
/// `{node, method, url, headers, form, file_key, expires_in}`: upload the file with
/// `method` to `url`, sending exactly `headers`, then use `node`.
#[tracing::instrument(skip(state, req))]
pub async fn create(state: &AppState, req: Request) -> Response<Body> {
    wire::authed_create(state, req, move |caller, input| async move {
        let new: NewUpload = input.parse()?;
        let owner = format!("info:{}", caller.user_id());
        let upload = state.storage()?.issue(&new.by(owner)).await?;
        let mut out = serde_json::to_value(&upload).map_err(AppError::internal)?;
        out["form"] = Value::Null;
        out["file_key"] = Value::Null;
        Reply::created(out)
    })
    .await
}

/// 302 to a short-lived URL of the node's file; 404 for a node never issued.
#[tracing::instrument(skip(state, req))]
pub async fn get(state: &AppState, req: Request) -> Response<Body> {
    wire::public(state, req, move |input| async move {
        let node = input.path("node").to_owned();
        match state.storage()?.download_url(&node).await? {
            Some(url) => Ok(Reply::redirect(url)),
            None => Err(AppError::not_found("File not found.")),
        }
    })
    .await
}
