//! The single DynamoDB table. Handlers never call the SDK; they call their surface's store,
//! which uses the helpers here: the one write builder ([`write::Change`]), queries
//! ([`query::Query`]), conditional transactions whose outcome is read from the cancellation
//! reasons, batched reads and deletes, soft deletes and item collections, and opaque page cursors.

pub mod cursor;
pub mod observe;
pub mod query;
pub mod size;
mod tx;
pub mod write;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, KeysAndAttributes, PutRequest, TransactWriteItem, WriteRequest,
};
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::keys::Key;

pub use tx::Cancelled;

use query::Query;
use write::{Change, Written};

/// What [`Store::mark_deleted`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Marked {
    /// Marked; the item as it is now.
    Done(Item),
    /// The item exists but isn't the owner's.
    NotOwner,
    Missing,
}

/// A raw DynamoDB item.
pub type Item = HashMap<String, AttributeValue>;

/// BatchGetItem takes at most 100 keys, BatchWriteItem at most 25 requests.
const BATCH_GET_MAX: usize = 100;
const BATCH_WRITE_MAX: usize = 25;
/// How many times unprocessed batch items are retried before the call fails.
const BATCH_ATTEMPTS: u32 = 8;

#[derive(Clone, Debug)]
pub struct Store {
    client: Client,
    table: Arc<str>,
}

impl Store {
    pub fn new(client: Client, table: impl Into<Arc<str>>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Opens the connection to the store: one eventually consistent GetItem of
    /// [`warm_up`](crate::keys::warm_up), a key that never holds an item. Cost: 1 GetItem
    /// (0.5 RRU), once per container, during init.
    pub async fn warm_up(&self) -> Result<(), AppError> {
        self.get_item(&crate::keys::warm_up(), false).await.map(drop)
    }

    /// The item at `key`, as stored. Cost: 1 GetItem.
    pub async fn get_item(&self, key: &Key, consistent: bool) -> Result<Option<Item>, AppError> {
        let out = self
            .client
            .get_item()
            .table_name(self.table.as_ref())
            .set_key(Some(key.to_item()))
            .consistent_read(consistent)
            .send()
            .await?;
        Ok(out.item)
    }

    /// Only the attributes `attrs` of the item at `key` (an item without any of them reads as an
    /// empty item). Cost: 1 GetItem.
    pub async fn get_attrs(&self, key: &Key, attrs: &[&str], consistent: bool) -> Result<Option<Item>, AppError> {
        let names: HashMap<String, String> = attrs
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("#a{i}"), (*a).to_owned()))
            .collect();
        let projection = (0..attrs.len())
            .map(|i| format!("#a{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let out = self
            .client
            .get_item()
            .table_name(self.table.as_ref())
            .set_key(Some(key.to_item()))
            .consistent_read(consistent)
            .projection_expression(projection)
            .set_expression_attribute_names(Some(names))
            .send()
            .await?;
        Ok(out.item)
    }

    /// The item at `key`, as `T`. Cost: 1 GetItem.
    pub async fn get<T: DeserializeOwned>(&self, key: &Key, consistent: bool) -> Result<Option<T>, AppError> {
        Ok(self
            .get_item(key, consistent)
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?)
    }

    /// A transaction item that creates `item`, failing its condition if the key is taken.
    pub fn put_new(&self, item: Item) -> Result<TransactWriteItem, AppError> {
        write::put_new(self.table(), item)
    }

    /// A transaction item that only requires the item at `key` to exist.
    pub fn check_exists(&self, key: &Key) -> Result<TransactWriteItem, AppError> {
        Change::new(key.clone()).when_exists().into_check(self.table())
    }

    /// A transaction item that deletes the item at `key`, failing its condition if it is gone.
    pub fn delete_existing(&self, key: &Key) -> Result<TransactWriteItem, AppError> {
        Change::new(key.clone()).when_exists().into_delete(self.table())
    }

    /// Deletes the item at `key` if it exists; whether it did. Cost: 1 DeleteItem.
    pub async fn delete_if_exists(&self, key: &Key) -> Result<bool, AppError> {
        Ok(Change::new(key.clone()).when_exists().delete(self).await?.applied())
    }

    /// Marks the item at `key` as being deleted, if its `owner.0` attribute is `owner.1`: sets
    /// `deleted_attr` to now (a retry keeps the first time, so the owner's retry finishes an
    /// interrupted delete) and removes `unindex` (taking the item out of an index).
    /// Cost: 1 UpdateItem.
    pub async fn mark_deleted(
        &self,
        key: &Key,
        deleted_attr: &str,
        owner: (&str, &str),
        unindex: &[&str],
    ) -> Result<Marked, AppError> {
        let mut change = Change::new(key.clone())
            .set_if_absent(deleted_attr, n(crate::clock::now_ms()))
            .when_exists()
            .when_eq(owner.0, s(owner.1));
        for attr in unindex {
            change = change.remove(attr);
        }
        Ok(match change.update(self).await? {
            Written::Applied(item) => Marked::Done(item),
            Written::Refused(Some(_)) => Marked::NotOwner,
            Written::Refused(None) => Marked::Missing,
        })
    }

    /// Deletes an item collection: the items of `head`'s partition after it (its children), the
    /// `extra` items, then `head` itself, last, so an interrupted delete can be run again.
    /// Cost: 1 Query per 1 MB of keys + 1 BatchWriteItem per 25 items + 1 DeleteItem.
    pub async fn delete_collection(&self, head: &Key, extra: &[Key]) -> Result<(), AppError> {
        let children = Query::table(head.pk.clone())
            .after(head.sk.clone())
            .consistent()
            .keys_only()
            .all(self)
            .await?;
        let mut keys: Vec<Key> = children.iter().filter_map(Key::of_item).collect();
        keys.extend_from_slice(extra);
        self.batch_delete(&keys).await?;
        Change::new(head.clone()).delete(self).await?;
        Ok(())
    }

    /// Runs a write transaction. `Ok(Err(cancelled))` means a condition failed: the caller
    /// decides what that means from [`Cancelled::condition_failed`]. Transaction conflicts with
    /// concurrent writers are retried with backoff.
    ///
    /// Every attempt carries the same `ClientRequestToken`, one per logical transaction: an
    /// attempt DynamoDB applied but whose answer was lost (a dropped connection, a timeout) and
    /// that is sent again, by the SDK's retries or by ours, answers the first result within 10
    /// minutes instead of applying twice (docs/reliability.md).
    pub async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<Result<(), Cancelled>, AppError> {
        let token = uuid::Uuid::new_v4().to_string();
        tx::with_conflict_retry(|| async {
            let sent = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .client_request_token(&token)
                .send()
                .await;
            tx::outcome(sent)
        })
        .await
    }

    /// Reads the items at `keys` (duplicates allowed, missing keys skipped), in batches of 100.
    pub async fn batch_get(&self, keys: &[Key], consistent: bool) -> Result<Vec<Item>, AppError> {
        let mut unique: Vec<&Key> = Vec::with_capacity(keys.len());
        for k in keys {
            if !unique.contains(&k) {
                unique.push(k);
            }
        }
        let mut found = Vec::with_capacity(unique.len());
        for chunk in unique.chunks(BATCH_GET_MAX) {
            let mut request = KeysAndAttributes::builder()
                .set_keys(Some(chunk.iter().map(|k| k.to_item()).collect()))
                .consistent_read(consistent)
                .build()
                .map_err(AppError::internal)?;
            for attempt in 0..BATCH_ATTEMPTS {
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(self.table.as_ref(), request)
                    .send()
                    .await?;
                if let Some(mut responses) = out.responses {
                    found.extend(responses.remove(self.table.as_ref()).unwrap_or_default());
                }
                match out.unprocessed_keys.and_then(|mut u| u.remove(self.table.as_ref())) {
                    Some(rest) if !rest.keys().is_empty() => {
                        request = rest;
                        backoff(attempt).await;
                    }
                    _ => break,
                }
                if attempt + 1 == BATCH_ATTEMPTS {
                    return Err(AppError::internal("batch get left keys unprocessed"));
                }
            }
        }
        Ok(found)
    }

    /// Deletes the items at `keys`, in batches of 25, retrying unprocessed deletes.
    /// Cost: 1 BatchWriteItem per 25 keys (+ retries of unprocessed ones).
    pub async fn batch_delete(&self, keys: &[Key]) -> Result<(), AppError> {
        let requests = keys
            .iter()
            .map(|k| {
                let delete = DeleteRequest::builder().set_key(Some(k.to_item())).build()?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Result<Vec<_>, aws_sdk_dynamodb::error::BuildError>>()
            .map_err(AppError::internal)?;
        self.batch_write(requests).await
    }

    /// Writes `items` unconditionally (a batch write has no conditions), in batches of 25,
    /// retrying unprocessed puts. Cost: 1 BatchWriteItem per 25 items (+ retries).
    pub async fn batch_put(&self, items: Vec<Item>) -> Result<(), AppError> {
        let requests = items
            .into_iter()
            .map(|item| {
                let put = PutRequest::builder().set_item(Some(item)).build()?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<Result<Vec<_>, aws_sdk_dynamodb::error::BuildError>>()
            .map_err(AppError::internal)?;
        self.batch_write(requests).await
    }

    /// Sends `requests` in batches of 25, each retried with backoff while DynamoDB leaves some
    /// unprocessed, [`BATCH_ATTEMPTS`] times at most.
    async fn batch_write(&self, requests: Vec<WriteRequest>) -> Result<(), AppError> {
        for chunk in requests.chunks(BATCH_WRITE_MAX) {
            let mut requests = chunk.to_vec();
            for attempt in 0..BATCH_ATTEMPTS {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(self.table.as_ref(), requests)
                    .send()
                    .await?;
                match out.unprocessed_items.and_then(|mut u| u.remove(self.table.as_ref())) {
                    Some(rest) if !rest.is_empty() => {
                        requests = rest;
                        backoff(attempt).await;
                    }
                    _ => break,
                }
                if attempt + 1 == BATCH_ATTEMPTS {
                    return Err(AppError::internal("batch write left items unprocessed"));
                }
            }
        }
        Ok(())
    }
}

/// Whether an SDK error is a failed condition of a single-item write (transactions report theirs
/// in [`Cancelled`]).
pub fn is_condition_failed<E: aws_sdk_dynamodb::error::ProvideErrorMetadata, R>(
    err: &aws_sdk_dynamodb::error::SdkError<E, R>,
) -> bool {
    err.as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|c| c == "ConditionalCheckFailedException")
}

/// Exponential backoff with full jitter: up to 25 ms, 50 ms, 100 ms, ...
pub async fn backoff(attempt: u32) {
    let cap_ms = 25u64 << attempt.min(6);
    let ms = rand::random_range(cap_ms / 2..=cap_ms);
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

/// A string attribute value.
pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

/// A number attribute value.
pub fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}
