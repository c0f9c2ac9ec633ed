//! Info-module store operations. Every write states what must be true; a failed transaction's
//! outcome is read from its cancellation reasons. Request costs are listed per operation here
//! and in `docs/data-model.md`.

mod accounts;
mod categories;
mod comments;
mod infos;
mod listing;
mod reactions;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use serde::de::DeserializeOwned;

use crate::keys as k;
use shared::error::AppError;
use shared::keys;
use shared::store::write::Change;
use shared::store::{Item, Store};

pub use categories::CategoryChange;
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
        let out = Change::new(k::counter(counter))
            .add(k::attr::VALUE, 1)
            .update_item(self.store)
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await?;
        let attrs = out.attributes.unwrap_or_default();
        match attrs.get(k::attr::VALUE) {
            Some(AttributeValue::N(v)) => v.parse().map_err(AppError::internal),
            other => Err(AppError::internal(format!("counter {counter} answered {other:?}"))),
        }
    }

    /// Sends `change` as an UpdateItem and answers the item after it; `missing()` when its
    /// condition fails. Cost: 1 UpdateItem.
    async fn update_returning<T: DeserializeOwned>(
        &self,
        change: Change,
        missing: fn() -> AppError,
    ) -> Result<T, AppError> {
        let out = change
            .update_item(self.store)
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| {
                if e.as_service_error()
                    .is_some_and(|se| se.is_conditional_check_failed_exception())
                {
                    missing()
                } else {
                    AppError::from(e)
                }
            })?;
        let item = out
            .attributes
            .ok_or_else(|| AppError::internal("update returned nothing"))?;
        Ok(serde_dynamo::from_item(item)?)
    }

    /// Every item of partition `pk` (whose sort key starts with `prefix`), page after page: for
    /// partitions bounded by design (the categories, one author's category counts) and for
    /// deletes. Cost: 1 Query per 1 MB.
    async fn query_all(&self, pk: &str, prefix: Option<&str>, consistent: bool) -> Result<Vec<Item>, AppError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let query = self
                .store
                .client()
                .query()
                .table_name(self.table())
                .expression_attribute_names("#pk", keys::PK)
                .expression_attribute_values(":pk", shared::store::s(pk));
            let query = match prefix {
                Some(prefix) => query
                    .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                    .expression_attribute_names("#sk", keys::SK)
                    .expression_attribute_values(":prefix", shared::store::s(prefix)),
                None => query.key_condition_expression("#pk = :pk"),
            };
            let out = query
                .consistent_read(consistent)
                .set_exclusive_start_key(start)
                .send()
                .await?;
            items.extend(out.items.unwrap_or_default());
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(items);
            }
        }
    }
}

/// A raw item's `entity` and primary key, to sort a batched read's answer.
fn entity_of(item: &Item) -> &str {
    item.get(keys::ENTITY)
        .and_then(|v| v.as_s().ok())
        .map_or("", String::as_str)
}
