//! Categories: unique names (claimed in the same transaction as the category), soft delete,
//! and deletes refused while the category has infos, race-free.

use std::collections::HashMap;

use super::InfoStore;
use crate::items::{AuthorCountsItem, CategoryItem, CategoryNameItem, Counts};
use crate::keys::{self as k, attr, counter};
use crate::model::{CategoryName, name_key};
use shared::clock;
use shared::error::AppError;
use shared::storage::FileInfo;
use shared::store::query::Query;
use shared::store::write::{Change, put_new};
use shared::store::{n, s};

/// How many times a change that lost a race (a concurrent rename, a concurrent info) is tried.
const ATTEMPTS: u32 = 8;

/// The most categories there may be, trashed ones included: the list route reads them all (the
/// seed pages nothing) and a news app has tens. Creating one more is refused.
pub const MAX_CATEGORIES: usize = 200;

/// The most categories the list reads whatever the data: two admins creating at once may each
/// pass the cap at 199, so the list keeps room above it rather than hide a category.
const LISTED_CATEGORIES: usize = 2 * MAX_CATEGORIES;

/// What a change that kept losing races answers.
fn busy() -> AppError {
    AppError::conflict("The category was changed by another request meanwhile; try again.")
}

/// What a category change sets; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct CategoryChange {
    pub name: Option<CategoryName>,
    pub icon: Option<FileInfo>,
    pub sort: Option<i64>,
    pub deleted: Option<bool>,
}

fn name_taken() -> AppError {
    AppError::invalid("name", "The name has already been taken.")
}

fn not_found() -> AppError {
    AppError::not_found("Category not found.")
}

impl InfoStore<'_> {
    /// Creates a category; its name is claimed in the same transaction, so of two concurrent
    /// creates with one name exactly one succeeds. Refused (422) once there are
    /// [`MAX_CATEGORIES`]. Cost: 1 Query (`Select: COUNT`, ≤ 200 small items) + 1 UpdateItem
    /// (the ID) + 1 TransactWriteItems.
    #[tracing::instrument(skip(self, name, icon))]
    pub async fn create_category(
        &self,
        name: &str,
        icon: Option<FileInfo>,
        sort: i64,
    ) -> Result<CategoryItem, AppError> {
        let existing = Query::table(k::CATEGORIES)
            .begins_with(k::CATEGORY_PREFIX)
            .limit(MAX_CATEGORIES)
            .count(self.store)
            .await?;
        if existing >= MAX_CATEGORIES {
            return Err(AppError::conflict(format!(
                "There may be at most {MAX_CATEGORIES} categories: delete one first."
            )));
        }
        let id = self.next_id(counter::CATEGORY).await?;
        let category = CategoryItem::new(id, name, icon, sort, clock::now_ms());
        let tx = vec![
            put_new(
                self.table(),
                serde_dynamo::to_item(CategoryNameItem::new(&name_key(name), id))?,
            )?,
            put_new(self.table(), serde_dynamo::to_item(&category)?)?,
        ];
        match self.store.transact(tx).await? {
            Ok(()) => Ok(category),
            Err(c) if c.condition_failed(0) => Err(name_taken()),
            Err(c) => Err(AppError::internal(format!("category create cancelled: {c:?}"))),
        }
    }

    /// Cost: 1 GetItem.
    #[tracing::instrument(skip(self))]
    pub async fn category(&self, id: u64, consistent: bool) -> Result<Option<CategoryItem>, AppError> {
        self.store.get(&k::category(id), consistent).await
    }

    /// Every category (trashed ones too), by `sort` descending then ID. Categories share one
    /// partition; there are at most [`MAX_CATEGORIES`] (the read stops at twice that whatever
    /// the data). Cost: 1 Query (≤ 400 small items).
    #[tracing::instrument(skip(self))]
    pub async fn categories(&self) -> Result<Vec<CategoryItem>, AppError> {
        let items = Query::table(k::CATEGORIES)
            .begins_with(k::CATEGORY_PREFIX)
            .limit(LISTED_CATEGORIES)
            .all(self.store)
            .await?;
        let mut categories: Vec<CategoryItem> = serde_dynamo::from_items(items)?;
        categories.sort_by(|a, b| b.sort.cmp(&a.sort).then(a.id.cmp(&b.id)));
        Ok(categories)
    }

    /// An author's info counts per category. Cost: 1 Query (one item per category the author
    /// has written in).
    #[tracing::instrument(skip(self))]
    pub async fn author_counts(&self, author: u64) -> Result<HashMap<u64, Counts>, AppError> {
        let items = Query::table(k::user_partition(author))
            .begins_with(k::AUTHOR_COUNTS_PREFIX)
            .all(self.store)
            .await?;
        Ok(serde_dynamo::from_items::<_, AuthorCountsItem>(items)?
            .into_iter()
            .map(|c| (c.category_id, c.counts()))
            .collect())
    }

    /// Changes a category. A rename moves the name's claim in the same transaction (and is
    /// refused if the name is taken); `deleted` soft-deletes or restores.
    /// Cost: 1 GetItem (consistent) + 1 TransactWriteItems for a rename, else 1 UpdateItem.
    #[tracing::instrument(skip(self, change))]
    pub async fn update_category(&self, id: u64, change: CategoryChange) -> Result<CategoryItem, AppError> {
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                shared::store::backoff(attempt - 1).await;
            }
            let current = self.category(id, true).await?.ok_or_else(not_found)?;
            let now = clock::now_ms();
            let mut update = Change::new(k::category(id)).when_exists().set(attr::UPDATED_AT, n(now));
            if let Some(sort) = change.sort {
                update = update.set(attr::SORT, n(sort));
            }
            if let Some(icon) = &change.icon {
                update = update.set(attr::ICON, serde_dynamo::to_attribute_value(icon)?);
            }
            match change.deleted {
                Some(true) => update = update.set(attr::DELETED_AT, n(current.deleted_at.unwrap_or(now))),
                Some(false) => update = update.remove(attr::DELETED_AT),
                None => {}
            }
            let renamed = change.name.as_deref().filter(|new| *new != current.name);
            let Some(new_name) = renamed else {
                return self.update_returning(update, not_found()).await;
            };
            let (old_key, new_key) = (name_key(&current.name), name_key(new_name));
            let mut tx = vec![
                update
                    .set(attr::NAME, s(new_name))
                    .when_eq(attr::NAME, s(current.name.clone()))
                    .into_update(self.table())?,
            ];
            if old_key != new_key {
                tx.push(put_new(
                    self.table(),
                    serde_dynamo::to_item(CategoryNameItem::new(&new_key, id))?,
                )?);
                tx.push(
                    Change::new(k::category_name(&old_key))
                        .when_eq(attr::CATEGORY_ID, n(id as i64))
                        .into_delete(self.table())?,
                );
            }
            match self.store.transact(tx).await? {
                Ok(()) => return self.category(id, true).await?.ok_or_else(not_found),
                Err(c) if c.condition_failed(1) => return Err(name_taken()),
                Err(c) if c.condition_failed(0) => continue, // renamed or deleted meanwhile: read again
                Err(c) => return Err(AppError::internal(format!("category rename cancelled: {c:?}"))),
            }
        }
        Err(busy())
    }

    /// Deletes a category without infos, with its name's claim. The delete's condition says the
    /// category has no infos; creating an info adds to that count under the condition that the
    /// category exists, so an info created concurrently either counts (and the delete is
    /// refused) or finds no category. Cost: 1 GetItem (consistent) + 1 TransactWriteItems.
    #[tracing::instrument(skip(self))]
    pub async fn delete_category(&self, id: u64) -> Result<(), AppError> {
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                shared::store::backoff(attempt - 1).await;
            }
            let current = self.category(id, true).await?.ok_or_else(not_found)?;
            if current.infos_count > 0 {
                return Err(has_infos());
            }
            let tx = vec![
                Change::new(k::category(id))
                    .when_eq(attr::NAME, s(current.name.clone()))
                    .when_zero(attr::INFOS_COUNT)
                    .into_delete(self.table())?,
                Change::new(k::category_name(&name_key(&current.name)))
                    .when_eq(attr::CATEGORY_ID, n(id as i64))
                    .into_delete(self.table())?,
            ];
            match self.store.transact(tx).await? {
                Ok(()) => return Ok(()),
                Err(c) if c.condition_failed(0) => continue, // an info or a rename came first
                Err(c) => return Err(AppError::internal(format!("category delete cancelled: {c:?}"))),
            }
        }
        Err(busy())
    }
}

fn has_infos() -> AppError {
    AppError::conflict("The category has infos (infos_count > 0) and cannot be deleted.")
}
