//! Uploads: pictures (#5 the caller's, #15 a group's), moment photos (#27), chat photos (#38,
//! #39), chunked files (#40 a chunk, #41 merge, #42 verify), and `GET /weifchat/{path+}`, where
//! every returned `url` answers (a redirect to a short-lived presigned S3 download).
//!
//! Forms are `multipart/form-data` (at most [`wire::MAX_FORM_BODY`] bytes, files at most
//! [`wire::MAX_FILE_BYTES`]); images are checked by content. Files live under the uploader's
//! prefix (`keys::objects`).

use serde_json::json;
use shared::lambda::http::StatusCode;
use shared::lambda::{Body, Request, RequestExt, Response};
use shared::{AppError, AppState};

use crate::WeifState;
use crate::fields::Fields;
use crate::keys::objects;
use crate::model::{self, Image};
use crate::store::{Merged, Uploads};
use crate::wire::{self, Failure, Reply, Route, id_param, must_be_caller};

/// #5 and #15 answer `{res_code: 0, name, url}`, a fault `{res_code: 404, msg: '服务器错误'}`.
const PICTURE: Route = Route::form(Failure::Msg("服务器错误")).res_code(404);
/// #27, #38 and #39 answer `{res_code: 200, …}`, a fault `{res_code: 500, msg: 'error'}`.
const PHOTO: Route = Route::form(Failure::Msg("error")).res_code(500);

fn uploaded(code: u16, name: &str, key: &str) -> Result<Reply, AppError> {
    Reply::code(code).with("name", name)?.with("url", objects::url(key))
}

/// `POST /upload/user` (form: `file`, `_id` the caller) → `{res_code: 0, name, url}`; the
/// caller's `imgUrl` becomes `url`.
#[tracing::instrument(skip(state, req))]
pub async fn user_picture(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, PICTURE, move |caller, mut p| async move {
        let file = p.take_files("file");
        let (me, image) = (id_param(&p, "_id"), Image::one(file, "file")).all()?;
        must_be_caller(&caller, &me)?;
        let key = Uploads::of(state)?.put_image(&me, &image).await?;
        state.weifchat().set_user_picture(&me, &objects::url(&key)).await?;
        uploaded(0, &image.name, &key)
    })
    .await
}

/// `POST /upload/group` (form: `file`, `groupId`) → `{res_code: 0, name, url}`; the group's
/// `imgUrl` becomes `url`. Only the group's owner may (403 `只有群主可以修改群信息`).
#[tracing::instrument(skip(state, req))]
pub async fn group_picture(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, PICTURE, move |caller, mut p| async move {
        let file = p.take_files("file");
        let (group_id, image) = (id_param(&p, "groupId"), Image::one(file, "file")).all()?;
        let store = state.weifchat();
        let group = store
            .group(&group_id)
            .await?
            .ok_or_else(|| AppError::not_found("该群不存在"))?;
        if group.owner_id != caller.user_id() {
            return Err(AppError::forbidden("只有群主可以修改群信息"));
        }
        let key = Uploads::of(state)?.put_image(caller.user_id(), &image).await?;
        store
            .set_group_picture(caller.user_id(), &group_id, &objects::url(&key))
            .await?;
        uploaded(0, &image.name, &key)
    })
    .await
}

/// `POST /space/upload/photos` (form: one to nine `photos`) → `{res_code: 200, url: [url, …]}`,
/// in the order sent; all are images or none is stored.
#[tracing::instrument(skip(state, req))]
pub async fn space_photos(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, PHOTO, move |caller, mut p| async move {
        let (photos,) = (model::photo_files(p.take_files("photos"), "photos"),).all()?;
        let uploads = Uploads::of(state)?;
        let mut urls = Vec::with_capacity(photos.len());
        for photo in &photos {
            urls.push(objects::url(&uploads.put_image(caller.user_id(), photo).await?));
        }
        Reply::code(200).with("url", urls)
    })
    .await
}

/// `POST /chat/private/photo` and `/chat/group/photo` (form: `photo`) → `{res_code: 200, name,
/// url}`.
#[tracing::instrument(skip(state, req))]
pub async fn chat_photo(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, PHOTO, move |caller, mut p| async move {
        let (image,) = (Image::one(p.take_files("photo"), "photo"),).all()?;
        let key = Uploads::of(state)?.put_image(caller.user_id(), &image).await?;
        uploaded(200, &image.name, &key)
    })
    .await
}

const CHUNK: Route = Route::form(Failure::Msg("上传失败")).path_params(&["type"]);

/// `POST /chat/file/:type` (form: `fileHash`, `index`, `blob` ≤ 4 MiB) → `上传成功`. Sending a
/// chunk again replaces it.
#[tracing::instrument(skip(state, req))]
pub async fn chunk(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, CHUNK, move |caller, mut p| async move {
        let blob = p.take_files("blob");
        let blob = match <[_; 1]>::try_from(blob) {
            Ok([blob]) => Ok(blob.bytes),
            Err(_) => crate::fields::invalid("blob", "blob必须是一个文件"),
        };
        let (_, hash, index, blob) = (
            model::chat_type(p.path("type")),
            model::file_hash(p.text("fileHash")),
            model::chunk_index(p.text("index")),
            blob,
        )
            .all()?;
        Uploads::of(state)?
            .put_chunk(caller.user_id(), &hash, index, blob)
            .await?;
        Ok(Reply::msg("上传成功"))
    })
    .await
}

const MERGE: Route = Route::body(Failure::Msg("合并失败,请重新上传")).path_params(&["type"]);

/// `POST /merge/:type` (`fileHash`, `fileName`, `size`) → `{status: 200, msg: '合并成功', url}`;
/// a missing chunk or a hash that doesn't match → `{status: 401, msg: '合并失败,请重新上传'}`.
#[tracing::instrument(skip(state, req))]
pub async fn merge(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, MERGE, move |caller, p| async move {
        let (_, hash) = (model::chat_type(p.path("type")), model::file_hash(p.text("fileHash"))).all()?;
        let name = model::file_name(p.text("fileName"));
        match Uploads::of(state)?.merge(caller.user_id(), &hash, &name).await? {
            Merged::Done(key) => Reply::msg("合并成功").with("url", objects::url(&key)),
            Merged::Failed => Ok(Reply::msg("合并失败,请重新上传").status(401)),
        }
    })
    .await
}

const VERIFY: Route = Route::body(Failure::Data("上传失败")).path_params(&["type"]);

/// `POST /verify/:type` (`fileHash`, `fileName`) → `data {shouldUpload: false, url}` when the
/// caller's merged file exists, else `data {shouldUpload: true, existChunks}` (the chunks
/// already uploaded, named `<fileHash>-<index>`).
#[tracing::instrument(skip(state, req))]
pub async fn verify(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, VERIFY, move |caller, p| async move {
        let (_, hash) = (model::chat_type(p.path("type")), model::file_hash(p.text("fileHash"))).all()?;
        let uploads = Uploads::of(state)?;
        if let Some(key) = uploads.merged(caller.user_id(), &hash).await? {
            return Reply::data(json!({"shouldUpload": false, "url": objects::url(&key)}));
        }
        let chunks: Vec<String> = uploads
            .chunks(caller.user_id(), &hash)
            .await?
            .into_iter()
            .map(|(i, _)| format!("{hash}-{i}"))
            .collect();
        Reply::data(json!({"shouldUpload": true, "existChunks": chunks}))
    })
    .await
}

/// The files' route speaks HTTP, not the envelope: 302 to the file, or a status with
/// `{message}` (API Gateway's own shape).
struct Download;

impl shared::wire::Wire for Download {
    const SERVICE: &'static str = "weifchat";
    type Reply = String;
    type Error = AppError;

    fn success(&self, location: String) -> shared::wire::Answer {
        let response = Response::builder()
            .status(StatusCode::FOUND)
            .header("location", location)
            .body(Body::Empty)
            .expect("a redirect response");
        shared::wire::Answer { code: 302, response }
    }

    fn failure(&self, err: &AppError) -> shared::wire::Answer {
        let (status, message) = match err {
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "Not Found"),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
        };
        shared::wire::Answer {
            code: status.as_u16().into(),
            response: shared::http::json_response(status, &json!({ "message": message })),
        }
    }
}

/// `GET /weifchat/{path+}` (no token: the address goes in `<img src>`) → 302 to a presigned
/// download valid 10 minutes; 404 for a path that is not an image or a merged file (whether the
/// object exists is S3's to say, at the presigned URL). Object keys hold unguessable IDs.
#[tracing::instrument(skip(state, req))]
pub async fn download(state: &AppState, req: Request) -> Response<Body> {
    let path = req
        .path_parameters()
        .first("path")
        .map(str::to_owned)
        .unwrap_or_default();
    shared::wire::serve(&Download, &req, async {
        let key = objects::downloadable(&path).ok_or_else(|| AppError::not_found("no such file"))?;
        Uploads::of(state)?.download_url(&key).await
    })
    .await
}
