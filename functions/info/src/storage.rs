//! The storage API: `POST /storage` issues a node and a presigned upload for a file;
//! `GET /storage/{node}` redirects to a short-lived download.

use crate::wire::{self, Reply, Validator};
use serde_json::Value;
use shared::lambda::{Body, Request, Response};
use shared::storage::{self, MAX_FILE_SIZE, UploadRequest};
use shared::{AppError, AppState};

use crate::checked;

/// The MD5 `hash` as 32 hex digits.
fn md5(v: &mut Validator<'_>) -> Option<[u8; 16]> {
    let hex = v.string("hash")?;
    let bytes: Option<Vec<u8>> = (hex.len() == 32)
        .then(|| {
            (0..16)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
                .collect()
        })
        .flatten();
    match bytes.and_then(|b| <[u8; 16]>::try_from(b).ok()) {
        Some(md5) => Some(md5),
        None => {
            v.fail("hash", "The hash must be the file's MD5, as 32 hexadecimal digits.");
            None
        }
    }
}

/// `{filename, hash, size, mime_type, storage: {channel: "public"}}` → 201
/// `{node, method, url, headers, form, file_key, expires_in}`: upload the file with
/// `method` to `url`, sending exactly `headers`, then use `node`.
pub async fn create(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |caller, input| async move {
        let mut v = input.validator();
        for field in ["filename", "hash", "size", "mime_type"] {
            v.required(field);
        }
        let filename = v.string("filename").filter(|f| {
            let ok = f.chars().count() <= 255;
            if !ok {
                v.fail("filename", "The filename may not be greater than 255 characters.");
            }
            ok
        });
        let md5 = md5(&mut v);
        let size = v.integer("size").and_then(|n| match u64::try_from(n).ok().filter(|n| (1..=MAX_FILE_SIZE).contains(n)) {
            Some(n) => Some(n),
            None => {
                v.fail("size", format!("The size must be between 1 and {MAX_FILE_SIZE} bytes."));
                None
            }
        });
        let mime = v.string("mime_type").and_then(|m| match storage::accepted_type(m) {
            Some((mime, _, _)) => Some(mime),
            None => {
                v.fail("mime_type", "The mime type must be one of image/png, image/jpeg, image/gif, image/webp, video/mp4, video/quicktime, video/webm.");
                None
            }
        });
        match input.get("storage") {
            None => {}
            Some(Value::Object(o)) if o.get("channel").is_none_or(|c| c == storage::CHANNEL) => {}
            Some(_) => v.fail("storage.channel", "The selected storage.channel is invalid."),
        }
        v.finish()?;
        let upload = state
            .storage()?
            .issue(&UploadRequest {
                filename: checked(filename)?.to_owned(),
                mime: checked(mime)?,
                size: checked(size)?,
                md5: checked(md5)?,
                owner: format!("info:{}", caller.user_id()),
            })
            .await?;
        let mut out = serde_json::to_value(&upload).map_err(AppError::internal)?;
        out["form"] = Value::Null;
        out["file_key"] = Value::Null;
        Reply::created(out)
    })
    .await
}

/// 302 to a short-lived URL of the node's file; 404 for a node never issued.
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
