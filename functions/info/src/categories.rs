//! Info categories: `GET /info/categories/{id}`, `GET /info/categories`, `POST /infos/categories`
//! (and `POST /info/categories`), `PUT|PATCH /info/categories/{id}`, `DELETE /info/categories/{id}`.
//! Creating, changing and deleting need the `infos:admin` ability.

use crate::items::{CategoryItem, Counts};
use crate::wire::{self, Input, Reply, Validator};
use crate::{CategoryChange, Trashed, view};
use serde_json::Value;
use shared::lambda::{Body, Request, Response};
use shared::storage::Kind;
use shared::{AppError, AppState};

use crate::InfoState;
use crate::{Files, admin, checked};

fn category_id(input: &Input) -> Result<u64, AppError> {
    crate::path_id(input.path("id"), "Category")
}

/// `count_by_author_id`: the author whose counts each category carries.
fn count_by_author(v: &mut Validator<'_>) -> Option<u64> {
    crate::id(v, "count_by_author_id")
}

/// The icon named by `icon`, described (an uploaded image).
async fn icon(state: &AppState, node: Option<String>) -> Result<Option<shared::storage::FileInfo>, AppError> {
    let Some(node) = node else {
        return Ok(None);
    };
    let mut files = Files::default();
    files.want("icon", node, Kind::Image);
    Ok(files.describe(state).await?.pop())
}

fn render(c: &CategoryItem, author: Option<u64>, counts: &std::collections::HashMap<u64, Counts>) -> Value {
    view::category(c, author.map(|a| (a, counts.get(&c.id).copied().unwrap_or_default())))
}

/// One category, trashed or not; `count_by_author_id` adds that author's counts in it.
pub async fn get(state: &AppState, req: Request) -> Response<Body> {
    wire::optional(state, req, move |_, input| async move {
        let id = category_id(&input)?;
        let mut v = input.validator();
        let author = count_by_author(&mut v);
        v.finish()?;
        let store = state.info();
        let (category, counts) = tokio::join!(store.category(id, false), async {
            match author {
                Some(a) => store.author_counts(a).await,
                None => Ok(Default::default()),
            }
        });
        let category = category?.ok_or_else(|| AppError::not_found("Category not found."))?;
        Reply::ok(render(&category, author, &counts?))
    })
    .await
}

/// The categories by `sort` (largest first); `trashed` = `without` (default), `with` or `only`.
pub async fn list(state: &AppState, req: Request) -> Response<Body> {
    wire::optional(state, req, move |_, input| async move {
        let mut v = input.validator();
        let trashed = Trashed::parse(&mut v);
        let author = count_by_author(&mut v);
        v.finish()?;
        let store = state.info();
        let (categories, counts) = tokio::join!(store.categories(), async {
            match author {
                Some(a) => store.author_counts(a).await,
                None => Ok(Default::default()),
            }
        });
        let counts = counts?;
        let out: Vec<Value> = categories?
            .iter()
            .filter(|c| trashed.includes(c.deleted_at.is_some()))
            .map(|c| render(c, author, &counts))
            .collect();
        Reply::ok(out)
    })
    .await
}

/// `{name, icon?, sort}` → 201 with the category. `infos:admin` only.
pub async fn create(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |caller, input| async move {
        admin(state, &caller).await?;
        let mut v = input.validator();
        v.required("name");
        let name = crate::category_name(&mut v, "name");
        let icon_node = crate::node(&mut v, "icon");
        v.required("sort");
        let sort = crate::sort(&mut v, "sort");
        v.finish()?;
        let icon = icon(state, icon_node).await?;
        let category = state
            .info()
            .create_category(&checked(name)?, icon, checked(sort)?)
            .await?;
        Reply::created(view::category(&category, None))
    })
    .await
}

/// `{name?, icon?, sort?, deleted?}` → 200 with the category. `infos:admin` only.
pub async fn update(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |caller, input| async move {
        let id = category_id(&input)?;
        admin(state, &caller).await?;
        let mut v = input.validator();
        let name = crate::category_name(&mut v, "name");
        let icon_node = crate::node(&mut v, "icon");
        let sort = crate::sort(&mut v, "sort");
        let deleted = v.boolean("deleted");
        v.finish()?;
        let change = CategoryChange {
            name,
            icon: icon(state, icon_node).await?,
            sort,
            deleted,
        };
        let category = state.info().update_category(id, change).await?;
        Reply::ok(view::category(&category, None))
    })
    .await
}

/// Deletes a category that has no infos. `infos:admin` only.
pub async fn delete(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |caller, input| async move {
        let id = category_id(&input)?;
        admin(state, &caller).await?;
        state.info().delete_category(id).await?;
        Ok(Reply::no_content())
    })
    .await
}
