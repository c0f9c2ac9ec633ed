//! Info-module store operations. Every write states what must be true; a failed transaction's
//! outcome is read from its cancellation reasons. Request costs are listed per operation here
//! and in `docs/data-model.md`.

mod accounts;
mod categories;
mod comments;
mod infos;
mod listing;
mod reactions;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;

use crate::keys as k;
use shared::error::AppError;
use shared::keys;
use shared::store::write::Change;
use shared::store::{Item, Store};

pub use categories::{CategoryChange, MAX_CATEGORIES};
pub use comments::{CommentPage, NewFeed};
pub use infos::{NewInfo, Viewed};
pub use listing::{InfoPage, PageEntry};

pub struct InfoStore<'a> {
    store: &'a Store,
    /// Points for a user's first share of an info (0: no rewards).
    share_points: i64,
}

impl<'a> InfoStore<'a> {
    pub fn new(store: &'a Store, share_points: i64) -> Self {
        Self { store, share_points }
    }

    fn table(&self) -> &str {
        self.store.table()
    }

    /// The next ID of `counter` (1, 2, 3, ...). An ID whose create then fails is not reused, as
    /// with an SQL auto-increment. Cost: 1 UpdateItem.
    async fn next_id(&self, counter: &str) -> Result<u64, AppError> {
        let counted = Change::new(k::counter(counter))
            .add(k::attr::VALUE, 1)
            .update_or(self.store, AppError::internal(format!("counter {counter} refused")))
            .await?;
        match counted.get(k::attr::VALUE) {
            Some(AttributeValue::N(v)) => v.parse().map_err(AppError::internal),
            other => Err(AppError::internal(format!("counter {counter} answered {other:?}"))),
        }
    }

    /// Sends `change` as an UpdateItem and answers the item after it, as `T`; `missing` when its
    /// condition fails. Cost: 1 UpdateItem.
    async fn update_returning<T: DeserializeOwned>(&self, change: Change, missing: AppError) -> Result<T, AppError> {
        let item = change.update_or(self.store, missing).await?;
        Ok(serde_dynamo::from_item(item)?)
    }
}

/// A raw item's `entity` and primary key, to sort a batched read's answer.
fn entity_of(item: &Item) -> &str {
    item.get(keys::ENTITY)
        .and_then(|v| v.as_s().ok())
        .map_or("", String::as_str)
}
