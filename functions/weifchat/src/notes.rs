//! Notes (#45–#47): add, the caller's notes 12 a page, delete. A note is its owner's alone.

use crate::fields::Fields;
use crate::limits;
use crate::wire::{self, Failure, Reply, Route, id_param, must_be_caller};
use crate::{Note, model};
use shared::lambda::{Body, Request, Response};
use shared::throttle;
use shared::{AppError, AppState, clock, ids};

use crate::WeifState;
use crate::view::NoteView;

/// A note's colour when none is given.
pub const DEFAULT_COLOR: &str = "#fff5a8";

const ADD: Route = Route::body(Failure::Msg("服务器错误")).creates();

/// `POST {userId, text, color?}` → `已发布` with the note's `_id`. The note's `time` is the
/// server's (the seed lets the client send one; it is ignored).
#[tracing::instrument(skip(state, req))]
pub async fn add(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, ADD, move |caller, p| async move {
        let (me, text, color) = (
            id_param(&p, "userId"),
            model::note_text(p.text("text")),
            model::color(p.text("color")),
        )
            .all()?;
        must_be_caller(&caller, &me)?;
        state.throttle(limits::POST, &throttle::user(&me)).await?;
        let note = Note {
            id: ids::new_id(),
            user_id: me,
            text,
            color: color.unwrap_or_else(|| DEFAULT_COLOR.into()),
            time: clock::now_ms(),
        };
        state.weifchat().add_note(&note).await?;
        Reply::msg("已发布").with("_id", &note.id)
    })
    .await
}

const LIST: Route = Route::query(Failure::Data("服务器错误"));

/// `GET ?pageNum=` → the caller's notes, newest first, 12 a page.
#[tracing::instrument(skip(state, req))]
pub async fn list(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, LIST, move |caller, p| async move {
        let (page,) = (model::page_num(p.text("pageNum")),).all()?;
        let store = state.weifchat();
        let notes = store.notes(caller.user_id(), page as usize).await?;
        let users = if notes.is_empty() {
            Default::default()
        } else {
            store.users([caller.user_id()]).await?
        };
        let list: Vec<NoteView> = notes.iter().map(|n| NoteView::of(n, &users)).collect();
        Reply::data(list)
    })
    .await
}

const DELETE: Route = Route::query(Failure::Msg("删除失败, 请稍后再试"));

/// `GET ?_id=<noteId>` → `删除成功`: one of the caller's notes.
#[tracing::instrument(skip(state, req))]
pub async fn delete(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, DELETE, move |caller, p| async move {
        let (note_id,) = (id_param(&p, "_id"),).all()?;
        state.weifchat().delete_note(caller.user_id(), &note_id).await?;
        Ok::<_, AppError>(Reply::msg("删除成功"))
    })
    .await
}
