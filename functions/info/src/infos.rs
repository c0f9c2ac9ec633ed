//! Infos: `GET /infos/{id}`, `GET /infos`, `POST /infos`, `PATCH /infos/{id}`, `DELETE /infos/{id}`.

use crate::items::{InfoItem, StatsItem};
use crate::limits;
use crate::request::{InfoDraft, InfoQuery};
use crate::wire::{self, Input, Reply};
use crate::{INFOS_ADMIN, InfoFields, ListQuery, Media, MediaRef, PageEntry, Trashed, With, view};
use serde_json::{Map, Value, json};
use shared::auth::TokenError;
use shared::lambda::{Body, Request, Response};
use shared::storage::Kind;
use shared::throttle;
use shared::{AppError, AppState};

use crate::InfoState;
use crate::{Files, admin, signed_in, viewer};

fn info_id(input: &Input) -> Result<u64, AppError> {
    crate::path_id(input.path("id"), "Info")
}

/// `content_medias` with their images and videos described (each must be uploaded, of its kind).
async fn medias(state: &AppState, refs: Option<&[MediaRef]>) -> Result<Option<Vec<Media>>, AppError> {
    let Some(refs) = refs else {
        return Ok(None);
    };
    let mut files = Files::default();
    for (i, m) in refs.iter().enumerate() {
        files.want(format!("content_medias.{i}.image"), m.image.clone(), Kind::Image);
        if let Some(video) = &m.video {
            files.want(format!("content_medias.{i}.video"), video.clone(), Kind::Video);
        }
    }
    // One file per node wanted, in the order wanted.
    let mut described = files.describe(state).await?.into_iter();
    let mut next = || {
        described
            .next()
            .ok_or_else(|| AppError::internal("storage described fewer files than wanted"))
    };
    let mut out = Vec::with_capacity(refs.len());
    for m in refs {
        let image = next()?;
        let video = m.video.as_ref().map(|_| next()).transpose()?;
        out.push(Media { image, video });
    }
    Ok(Some(out))
}

/// An info with the relations `with` asks for (`author`, `author.verification`, `category`),
/// `null` where the related record is gone.
fn with_relations(
    mut out: Map<String, Value>,
    with: With,
    author: Option<&crate::items::UserItem>,
    category: Option<&crate::items::CategoryItem>,
) -> Value {
    if with.author {
        out.insert(
            "author".into(),
            author.map_or(Value::Null, |a| view::user(a, with.verification)),
        );
    }
    if with.category {
        out.insert(
            "category".into(),
            category.map_or(Value::Null, |c| view::category(c, None)),
        );
    }
    Value::Object(out)
}

fn render_entry(e: &PageEntry, with: With) -> Value {
    let mut out = view::info(&e.info, &e.stats);
    if let Some(liked) = e.liked {
        out.insert("liked".into(), json!(liked));
    }
    if let Some(favorited) = e.favorited {
        out.insert("favorited".into(), json!(favorited));
    }
    with_relations(out, with, e.author.as_ref(), e.category.as_ref())
}

fn created(info: &InfoItem, stats: &StatsItem) -> Value {
    Value::Object(view::info(info, stats))
}

/// One info; counts a view. Adds `liked` and `favorited` (the caller's; `false` when
/// anonymous) and the relations of `with`. A trashed info is shown to its author and admins only.
#[tracing::instrument(skip(state, req))]
pub async fn get(state: &AppState, req: Request) -> Response<Body> {
    wire::optional(state, req, move |caller, input| async move {
        let id = info_id(&input)?;
        let InfoQuery { with } = input.parse()?;
        let viewer = caller.as_ref().map(crate::user_id).transpose()?;
        let viewed = state
            .info()
            .view_info(id, viewer)
            .await?
            .ok_or_else(|| AppError::not_found("Info not found."))?;
        let mut out = view::info(&viewed.info, &viewed.stats);
        out.insert("liked".into(), json!(viewed.liked));
        out.insert("favorited".into(), json!(viewed.favorited));
        let store = state.info();
        let (authors, category) = tokio::join!(
            async {
                match with.author {
                    true => store.users([viewed.info.author_id]).await,
                    false => Ok(Default::default()),
                }
            },
            async {
                match with.category {
                    true => store.category(viewed.info.category_id, false).await,
                    false => Ok(None),
                }
            }
        );
        let authors = authors?;
        Reply::ok(with_relations(
            out,
            with,
            authors.get(&viewed.info.author_id),
            category?.as_ref(),
        ))
    })
    .await
}

/// A page of infos: every filter and order of the seed (see `docs/info.md`). With `page`, a
/// Laravel `simplePaginate` object; else a bare array.
#[tracing::instrument(skip(state, req))]
pub async fn list(state: &AppState, req: Request) -> Response<Body> {
    wire::optional(state, req, move |caller, input| async move {
        let q: ListQuery = input.parse()?;
        let viewer_id = caller.as_ref().map(crate::user_id).transpose()?;
        if q.only.is_some() && viewer_id.is_none() {
            return Err(AppError::Unauthenticated(TokenError::Missing));
        }
        if q.trashed != Trashed::Without {
            let me = viewer(state, caller.as_ref())
                .await?
                .ok_or(AppError::Unauthenticated(TokenError::Missing))?;
            if !me.can(INFOS_ADMIN) && q.authors != [me.id] {
                return Err(AppError::forbidden(format!(
                    "Only {INFOS_ADMIN} users, or authors listing their own infos (author_id), may list trashed infos."
                )));
            }
        }
        let page = state.info().list_infos(&q, viewer_id).await?;
        let data: Vec<Value> = page.entries.iter().map(|e| render_entry(e, q.with)).collect();
        match q.window.page {
            None => Reply::ok(data),
            Some(p) => Reply::ok(wire::simple_paginate(&input, p, q.window.limit, data, page.has_more)),
        }
    })
    .await
}

/// Publishes an info (`infos:admin` only) → 201 with it (without appended and relation fields).
#[tracing::instrument(skip(state, req))]
pub async fn create(state: &AppState, req: Request) -> Response<Body> {
    wire::authed_create(state, req, move |caller, input| async move {
        let me = admin(state, &caller).await?;
        let draft: InfoDraft = input.parse()?;
        state
            .throttle(limits::POST, &throttle::user(&me.id.to_string()))
            .await?;
        let content_medias = medias(state, Some(&draft.content_medias)).await?.unwrap_or_default();
        let new = draft.publish(me.id, content_medias);
        let (info, stats) = state.info().create_info(new).await?;
        Reply::created(created(&info, &stats))
    })
    .await
}

/// Changes an info: its author, or an `infos:admin` user (who alone may set `recommend`,
/// `topped`, `category_topped`, `deleted` or another `author_id`) → 200 with it.
#[tracing::instrument(skip(state, req))]
pub async fn update(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |caller, input| async move {
        let id = info_id(&input)?;
        let me = signed_in(state, &caller).await?;
        let f: InfoFields = input.parse()?;
        let content_medias = medias(state, f.content_medias.as_deref()).await?;
        let change = f.with_medias(content_medias);
        let (info, stats) = state.info().update_info(id, &me, &change).await?;
        Reply::ok(created(&info, &stats))
    })
    .await
}

/// Deletes an info (its author, or an `infos:admin` user) with its likes, favorites and
/// comments → 204.
#[tracing::instrument(skip(state, req))]
pub async fn delete(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |caller, input| async move {
        let id = info_id(&input)?;
        let me = signed_in(state, &caller).await?;
        state.info().delete_info(id, &me).await?;
        Ok(Reply::no_content())
    })
    .await
}
