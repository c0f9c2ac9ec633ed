//! Comments on infos are feeds: `POST /feeds` with `repostable_type=infos` publishes one;
//! `GET /infos/{id}/comments` lists an info's, `GET /info/comments` every info's.

use crate::items::{FeedItem, InfoItem, StatsItem, UserItem};
use crate::limits;
use crate::wire::{self, Reply};
use crate::{CommentPage, CommentQuery, FeedDraft, NewFeed, view};
use serde_json::Value;
use shared::lambda::{Body, Request, Response};
use shared::storage::Kind;
use shared::throttle;
use shared::{AppError, AppState};

use crate::InfoState;
use crate::{Files, signed_in, viewer};

/// A comment with its author and the info it is about (`null` when that info is not shown to
/// the caller).
fn render(feed: &FeedItem, info: Option<&(InfoItem, StatsItem)>, author: Option<&UserItem>) -> Value {
    let repostable = info.map_or(Value::Null, |(i, s)| Value::Object(view::summary(i, s)));
    view::feed(feed, repostable, author.map(|u| view::user(u, false)))
}

/// `{repostable_type: "infos", repostable_id, feed_content?, feed_from?, feed_mark?, images?,
/// video?}` → 201 with the feed, its `repostable`, `repostable_type` and `repostable_id`.
#[tracing::instrument(skip(state, req))]
pub async fn create(state: &AppState, req: Request) -> Response<Body> {
    wire::authed_create(state, req, move |caller, input| async move {
        let me = signed_in(state, &caller).await?;
        let draft: FeedDraft = input.parse()?;
        state
            .throttle(limits::COMMENT, &throttle::user(&me.id.to_string()))
            .await?;
        let mut files = Files::default();
        for (i, node) in draft.images.iter().enumerate() {
            files.want(format!("images.{i}"), node.clone(), Kind::Image);
        }
        if let Some((video, cover)) = &draft.video {
            files.want("video.video_id", video.clone(), Kind::Video);
            if let Some(cover) = cover {
                files.want("video.cover_id", cover.clone(), Kind::Image);
            }
        }
        let mut described = files.describe(state).await?;
        let (video, video_cover) = match &draft.video {
            Some((_, cover)) => {
                let cover = if cover.is_some() { described.pop() } else { None };
                (described.pop(), cover)
            }
            None => (None, None),
        };
        let feed = state
            .info()
            .add_comment(NewFeed {
                user_id: me.id,
                info_id: draft.info_id,
                content: draft.content,
                from: draft.from,
                mark: draft.mark,
                images: described,
                video,
                video_cover,
            })
            .await?;
        shared::metrics::count("Comments", 1);
        let infos = state.info().infos(&[feed.info_id]).await?;
        Reply::created(render(&feed, infos.get(&feed.info_id), Some(&me)))
    })
    .await
}

fn render_page(page: &CommentPage, info: Option<&(InfoItem, StatsItem)>) -> Vec<Value> {
    page.feeds
        .iter()
        .map(|f| {
            let about = info.or_else(|| page.infos.get(&f.info_id).filter(|(i, _)| i.deleted_at.is_none()));
            render(f, about, page.users.get(&f.user_id))
        })
        .collect()
}

/// An info's comments: `type` (image, video, image_or_video), `after` (an ID), `order` (desc by
/// default), `limit` (15). The info is read in the page's batch (`InfoStore::comments`: 1 Query
/// + 1 BatchGetItem); a trashed one shown to a signed-in caller adds the caller's GetItem.
#[tracing::instrument(skip(state, req))]
pub async fn list(state: &AppState, req: Request) -> Response<Body> {
    wire::optional(state, req, move |caller, input| async move {
        let id = crate::path_id(input.path("id"), "Info")?;
        let q: CommentQuery = input.parse()?;
        let page = state.info().comments(Some(id), &q).await?;
        let about = page
            .infos
            .get(&id)
            .ok_or_else(|| AppError::not_found("Info not found."))?;
        if about.0.deleted_at.is_some() && !about.0.visible_to(viewer(state, caller.as_ref()).await?.as_ref()) {
            return Err(AppError::not_found("Info not found."));
        }
        Reply::ok(render_page(&page, Some(about)))
    })
    .await
}

/// Every info's comments, with the same parameters; a comment on a trashed info has
/// `repostable: null`.
#[tracing::instrument(skip(state, req))]
pub async fn list_all(state: &AppState, req: Request) -> Response<Body> {
    wire::optional(state, req, move |_, input| async move {
        let q: CommentQuery = input.parse()?;
        let page = state.info().comments(None, &q).await?;
        Reply::ok(render_page(&page, None))
    })
    .await
}
