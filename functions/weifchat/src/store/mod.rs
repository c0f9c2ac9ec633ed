//! weifChat store operations, by concern: accounts and users ([`accounts`]), friends, groups,
//! space moments and notes. Every write states what must be true; the outcome of a failed
//! transaction is read from its cancellation reasons. Request costs per operation are listed
//! in `docs/data-model.md`.

mod accounts;
mod friends;
mod groups;
mod notes;
mod search;
mod spaces;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
    Update,
};
use serde::de::DeserializeOwned;

use super::items::User;
use crate::keys::{self as k, attr};
use shared::error::AppError;
use shared::keys::{self, Key};
use shared::store::{Item, Store};

pub use accounts::{Registration, UserChanges, new_waif_code};
pub use friends::FriendState;
pub use groups::{GroupHome, JoinState};
pub use notes::NOTES_PER_PAGE;
pub use search::SEARCH_LIMIT;
pub use search::SearchHits;
pub use spaces::{LikeOutcome, SpaceThread, thread_users};

/// The most friends a user may have: bounds the contacts list and the moments feed (one query
/// per friend).
pub const MAX_FRIENDS: i64 = 500;
/// The most members a group may have: bounds the member lists and the group home.
pub const MAX_GROUP_MEMBERS: i64 = 500;
/// The most comments and replies a moment may have: bounds what a moment's listing reads.
pub const MAX_SPACE_COMMENTS: i64 = 500;
/// How many reads run at once when a listing fans out (one query per friend or moment).
const FAN_OUT: usize = 16;

pub const EXISTS: &str = "attribute_exists(#pk)";
pub const NOT_EXISTS: &str = "attribute_not_exists(#pk)";

/// The weifChat surface's store. Cheap to clone (it shares the SDK client), so listings can
/// fan out over tasks.
#[derive(Clone)]
pub struct WeifStore {
    store: Store,
}

/// An expression with its attribute names and values: a condition and/or an update. `#pk`
/// always names the partition key.
#[derive(Debug, Default, Clone)]
pub(super) struct Ex {
    cond: Option<String>,
    update: Option<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Ex {
    pub fn cond(expr: impl Into<String>) -> Self {
        Self {
            cond: Some(expr.into()),
            ..Self::default()
        }
    }

    pub fn update(expr: impl Into<String>) -> Self {
        Self {
            update: Some(expr.into()),
            ..Self::default()
        }
    }

    pub fn with_update(self, expr: impl Into<String>) -> Self {
        Self {
            update: Some(expr.into()),
            ..self
        }
    }

    pub fn when(self, expr: impl Into<String>) -> Self {
        Self {
            cond: Some(expr.into()),
            ..self
        }
    }

    pub fn name(mut self, placeholder: &str, attr: &str) -> Self {
        self.names.insert(placeholder.to_owned(), attr.to_owned());
        self
    }

    pub fn value(mut self, placeholder: &str, value: AttributeValue) -> Self {
        self.values.insert(placeholder.to_owned(), value);
        self
    }

    fn names(&self) -> Option<HashMap<String, String>> {
        let mut names = self.names.clone();
        let uses_pk = [&self.cond, &self.update]
            .into_iter()
            .flatten()
            .any(|e| e.contains("#pk"));
        if uses_pk {
            names.insert("#pk".into(), keys::PK.into());
        }
        (!names.is_empty()).then_some(names)
    }

    fn values(&self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

impl WeifStore {
    pub fn new(store: &Store) -> Self {
        Self { store: store.clone() }
    }

    fn table(&self) -> &str {
        self.store.table()
    }

    fn client(&self) -> &aws_sdk_dynamodb::Client {
        self.store.client()
    }

    // ---- transaction items ----

    fn put(&self, item: Item, ex: Ex) -> Result<TransactWriteItem, AppError> {
        let put = Put::builder()
            .table_name(self.table())
            .set_item(Some(item))
            .set_condition_expression(ex.cond.clone())
            .set_expression_attribute_names(ex.names())
            .set_expression_attribute_values(ex.values())
            .build()
            .map_err(AppError::internal)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn put_new(&self, item: impl serde::Serialize) -> Result<TransactWriteItem, AppError> {
        self.put(serde_dynamo::to_item(item)?, Ex::cond(NOT_EXISTS))
    }

    fn update(&self, key: &Key, ex: Ex) -> Result<TransactWriteItem, AppError> {
        let update = Update::builder()
            .table_name(self.table())
            .set_key(Some(key.to_item()))
            .set_update_expression(ex.update.clone())
            .set_condition_expression(ex.cond.clone())
            .set_expression_attribute_names(ex.names())
            .set_expression_attribute_values(ex.values())
            .build()
            .map_err(AppError::internal)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    fn delete(&self, key: &Key, ex: Ex) -> Result<TransactWriteItem, AppError> {
        let delete = Delete::builder()
            .table_name(self.table())
            .set_key(Some(key.to_item()))
            .set_condition_expression(ex.cond.clone())
            .set_expression_attribute_names(ex.names())
            .set_expression_attribute_values(ex.values())
            .build()
            .map_err(AppError::internal)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    fn check(&self, key: &Key, ex: Ex) -> Result<TransactWriteItem, AppError> {
        let check = ConditionCheck::builder()
            .table_name(self.table())
            .set_key(Some(key.to_item()))
            .set_condition_expression(ex.cond.clone())
            .set_expression_attribute_names(ex.names())
            .set_expression_attribute_values(ex.values())
            .build()
            .map_err(AppError::internal)?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    // ---- reads ----

    /// The items at `keys` that exist, as `T` (any order).
    async fn get_many<T: DeserializeOwned>(&self, keys: &[Key]) -> Result<Vec<T>, AppError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        Ok(serde_dynamo::from_items(self.store.batch_get(keys, false).await?)?)
    }

    /// The users named, by ID. Cost: 1 BatchGetItem per 100 users.
    pub async fn users<'i>(&self, ids: impl IntoIterator<Item = &'i str>) -> Result<HashMap<String, User>, AppError> {
        let mut keys: Vec<Key> = Vec::new();
        for id in ids {
            let key = k::user(id);
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        let items: Vec<super::items::UserItem> = self.get_many(&keys).await?;
        Ok(items.into_iter().map(|i| (i.user.id.clone(), i.user)).collect())
    }

    /// Items of a query, page after page, up to `limit` items (all without one).
    async fn query(&self, q: Query) -> Result<Vec<Item>, AppError> {
        let mut found = Vec::new();
        let mut start = None;
        loop {
            let page_limit = q.limit.map(|l| (l - found.len()).min(1000) as i32);
            let out = self
                .client()
                .query()
                .table_name(self.table())
                .set_index_name(q.index.map(str::to_owned))
                .key_condition_expression(q.key)
                .set_expression_attribute_names(q.ex.names())
                .set_expression_attribute_values(q.ex.values())
                .scan_index_forward(q.forward)
                .consistent_read(q.consistent)
                .set_projection_expression(q.projection.map(str::to_owned))
                .set_limit(page_limit)
                .set_exclusive_start_key(start)
                .send()
                .await?;
            found.extend(out.items.unwrap_or_default());
            start = out.last_evaluated_key;
            if start.is_none() || q.limit.is_some_and(|l| found.len() >= l) {
                return Ok(found);
            }
        }
    }

    /// The items of a query, as `T`.
    async fn query_as<T: DeserializeOwned>(&self, q: Query) -> Result<Vec<T>, AppError> {
        Ok(serde_dynamo::from_items(self.query(q).await?)?)
    }

    /// Deletes the item at `key` if it exists; whether it did. Cost: 1 DeleteItem.
    async fn delete_if_exists(&self, key: &Key) -> Result<bool, AppError> {
        let deleted = self
            .client()
            .delete_item()
            .table_name(self.table())
            .set_key(Some(key.to_item()))
            .condition_expression(EXISTS)
            .expression_attribute_names("#pk", keys::PK)
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Marks the item at `key` as being deleted (`deletedAt`, and out of GSI1) if its
    /// `userId` is `caller`; an already marked item of theirs passes again, so their retry
    /// finishes an interrupted delete. Cost: 1 UpdateItem.
    async fn mark_deleted(&self, key: &Key, caller: &str) -> Result<Mark, AppError> {
        let marked = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(key.to_item()))
            .update_expression("SET #deleted = if_not_exists(#deleted, :now) REMOVE #gpk, #gsk")
            .condition_expression("attribute_exists(#pk) AND #owner = :caller")
            .expression_attribute_names("#deleted", attr::DELETED_AT)
            .expression_attribute_names("#gpk", keys::GSI1_PK)
            .expression_attribute_names("#gsk", keys::GSI1_SK)
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#owner", attr::USER_ID)
            .expression_attribute_values(":now", shared::store::n(shared::clock::now_ms()))
            .expression_attribute_values(":caller", shared::store::s(caller))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match marked {
            Ok(out) => Ok(Mark::Done(out.attributes.unwrap_or_default())),
            Err(e) => match failed_update(&e) {
                Some(Some(_)) => Ok(Mark::NotOwner),
                Some(None) => Ok(Mark::Missing),
                None => Err(e.into()),
            },
        }
    }

    /// Runs `f` for each input, [`FAN_OUT`] at a time; results in input order.
    async fn fan_out<I, T, F, Fut>(&self, inputs: Vec<I>, f: F) -> Result<Vec<T>, AppError>
    where
        I: Send + 'static,
        T: Send + 'static,
        F: Fn(WeifStore, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    {
        let limit = Arc::new(tokio::sync::Semaphore::new(FAN_OUT));
        let f = Arc::new(f);
        let mut tasks = tokio::task::JoinSet::new();
        for (i, input) in inputs.into_iter().enumerate() {
            let (store, limit, f) = (self.clone(), limit.clone(), f.clone());
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await.map_err(AppError::internal)?;
                f(store, input).await.map(|t| (i, t))
            });
        }
        let mut out = Vec::with_capacity(tasks.len());
        while let Some(done) = tasks.join_next().await {
            out.push(done.map_err(AppError::internal)??);
        }
        out.sort_by_key(|(i, _)| *i);
        Ok(out.into_iter().map(|(_, t)| t).collect())
    }

    /// Deletes an item collection's children (`SK > head_sk`), then the head item; the
    /// caller has already marked the head so nothing new joins it meanwhile.
    /// Cost: 1 Query per 1 MB of keys + 1 BatchWriteItem per 25 items + 1 DeleteItem.
    async fn delete_collection(&self, head: &Key, extra: &[Key]) -> Result<(), AppError> {
        let children = self
            .query(Query {
                key: "#pk = :pk AND #sk > :head",
                ex: Ex::default()
                    .name("#pk", keys::PK)
                    .name("#sk", keys::SK)
                    .value(":pk", shared::store::s(head.pk.clone()))
                    .value(":head", shared::store::s(head.sk.clone())),
                consistent: true,
                projection: Some("#pk, #sk"),
                ..Query::default()
            })
            .await?;
        let mut keys: Vec<Key> = children.iter().filter_map(Key::of_item).collect();
        keys.extend_from_slice(extra);
        self.store.batch_delete(&keys).await?;
        self.client()
            .delete_item()
            .table_name(self.table())
            .set_key(Some(head.to_item()))
            .send()
            .await?;
        Ok(())
    }
}

/// What [`WeifStore::mark_deleted`] did.
pub(super) enum Mark {
    /// Marked; the item as it is now.
    Done(Item),
    /// The item exists but isn't the caller's.
    NotOwner,
    Missing,
}

/// `Some(old item, if any)` when an UpdateItem failed its condition.
fn failed_update<R>(err: &SdkError<UpdateItemError, R>) -> Option<Option<&Item>> {
    match err.as_service_error() {
        Some(UpdateItemError::ConditionalCheckFailedException(e)) => Some(e.item()),
        _ => None,
    }
}

/// A query: key condition, names and values, direction, and an optional item limit.
pub(super) struct Query {
    index: Option<&'static str>,
    key: &'static str,
    ex: Ex,
    forward: bool,
    consistent: bool,
    projection: Option<&'static str>,
    limit: Option<usize>,
}

impl Default for Query {
    fn default() -> Self {
        Self {
            index: None,
            key: "",
            ex: Ex::default(),
            forward: true,
            consistent: false,
            projection: None,
            limit: None,
        }
    }
}

impl Query {
    /// All items of a GSI1 partition, oldest sort key first.
    fn gsi1(partition: String) -> Self {
        Self {
            index: Some(keys::GSI1),
            key: "#gpk = :gpk",
            ex: Ex::default()
                .name("#gpk", keys::GSI1_PK)
                .value(":gpk", shared::store::s(partition)),
            ..Self::default()
        }
    }

    /// The same query with one more attribute name (for a projection or a filter).
    fn with_name(mut self, placeholder: &str, attr: &str) -> Self {
        self.ex = self.ex.name(placeholder, attr);
        self
    }

    /// The items of a table partition whose sort key starts with `prefix`.
    fn prefix(partition: String, prefix: &str) -> Self {
        Self {
            key: "#pk = :pk AND begins_with(#sk, :prefix)",
            ex: Ex::default()
                .name("#pk", keys::PK)
                .name("#sk", keys::SK)
                .value(":pk", shared::store::s(partition))
                .value(":prefix", shared::store::s(prefix)),
            ..Self::default()
        }
    }
}

/// `ADD #n :d` to a counter, if `cond` holds.
fn add(attr: &str, delta: i64, cond: &str) -> Ex {
    Ex::update("ADD #n :d")
        .when(cond)
        .name("#n", attr)
        .value(":d", shared::store::n(delta))
}

/// Whether an SDK error is a failed condition of a single-item write.
fn condition_failed<E, R>(err: &aws_sdk_dynamodb::error::SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    err.as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|c| c == "ConditionalCheckFailedException")
}
