//! Info categories: `GET /info/categories/{id}`, `GET /info/categories`, `POST /infos/categories`
//! (and `POST /info/categories`), `PUT|PATCH /info/categories/{id}`, `DELETE /info/categories/{id}`.
//! Creating, changing and deleting need the `infos:admin` ability.

use std::collections::HashMap;

use crate::items::{CategoryItem, Counts};
use crate::request::{CategoryEdit, CategoryListQuery, CategoryQuery, NewCategory};
use crate::view;
use crate::wire::{self, Input, Reply};
use crate::{InfoStore, Node};
use serde_json::Value;
use shared::lambda::{Body, Request, Response};
use shared::storage::{FileInfo, Kind};
use shared::{AppError, AppState};

use crate::InfoState;
use crate::{Files, admin};

fn category_id(input: &Input) -> Result<u64, AppError> {
    crate::path_id(input.path("id"), "Category")
}

/// The icon named by `icon`, described (an uploaded image).
async fn icon(state: &AppState, node: Option<Node>) -> Result<Option<FileInfo>, AppError> {
    let Some(node) = node else {
        return Ok(None);
    };
    let mut files = Files::default();
    files.want("icon", node, Kind::Image);
    Ok(files.describe(state).await?.pop())
}

/// `author`'s counts per category, if asked for.
async fn counts_of(store: &InfoStore<'_>, author: Option<u64>) -> Result<HashMap<u64, Counts>, AppError> {
    match author {
        Some(a) => store.author_counts(a).await,
        None => Ok(HashMap::new()),
    }
}

fn render(c: &CategoryItem, author: Option<u64>, counts: &HashMap<u64, Counts>) -> Value {
    view::category(c, author.map(|a| (a, counts.get(&c.id).copied().unwrap_or_default())))
}

/// One category, trashed or not; `count_by_author_id` adds that author's counts in it.
#[tracing::instrument(skip(state, req))]
pub async fn get(state: &AppState, req: Request) -> Response<Body> {
    wire::optional(state, req, move |_, input| async move {
        let id = category_id(&input)?;
        let CategoryQuery { count_by_author } = input.parse()?;
        let store = state.info();
        let (category, counts) = tokio::join!(store.category(id, false), counts_of(&store, count_by_author));
        let category = category?.ok_or_else(|| AppError::not_found("Category not found."))?;
        Reply::ok(render(&category, count_by_author, &counts?))
    })
    .await
}

/// The categories by `sort` (largest first); `trashed` = `without` (default), `with` or `only`.
#[tracing::instrument(skip(state, req))]
pub async fn list(state: &AppState, req: Request) -> Response<Body> {
    wire::optional(state, req, move |_, input| async move {
        let CategoryListQuery {
            trashed,
            count_by_author,
        } = input.parse()?;
        let store = state.info();
        let (categories, counts) = tokio::join!(store.categories(), counts_of(&store, count_by_author));
        let counts = counts?;
        let out: Vec<Value> = categories?
            .iter()
            .filter(|c| trashed.includes(c.deleted_at.is_some()))
            .map(|c| render(c, count_by_author, &counts))
            .collect();
        Reply::ok(out)
    })
    .await
}

/// `{name, icon?, sort}` → 201 with the category. `infos:admin` only.
#[tracing::instrument(skip(state, req))]
pub async fn create(state: &AppState, req: Request) -> Response<Body> {
    wire::authed_create(state, req, move |caller, input| async move {
        admin(state, &caller).await?;
        let new: NewCategory = input.parse()?;
        let icon = icon(state, new.icon).await?;
        let category = state.info().create_category(&new.name, icon, new.sort).await?;
        Reply::created(view::category(&category, None))
    })
    .await
}

/// `{name?, icon?, sort?, deleted?}` → 200 with the category. `infos:admin` only.
#[tracing::instrument(skip(state, req))]
pub async fn update(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |caller, input| async move {
        let id = category_id(&input)?;
        admin(state, &caller).await?;
        let edit: CategoryEdit = input.parse()?;
        let icon = icon(state, edit.icon.clone()).await?;
        let category = state.info().update_category(id, edit.with_icon(icon)).await?;
        Reply::ok(view::category(&category, None))
    })
    .await
}

/// Deletes a category that has no infos. `infos:admin` only.
#[tracing::instrument(skip(state, req))]
pub async fn delete(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |caller, input| async move {
        let id = category_id(&input)?;
        admin(state, &caller).await?;
        state.info().delete_category(id).await?;
        Ok(Reply::no_content())
    })
    .await
}
