//! [`Change`]: one conditional write to one item, built without hand-written placeholders: the
//! one write builder of every surface. It becomes a transaction item (update, put, delete,
//! condition check), or is sent on its own ([`Change::update`], [`Change::put`],
//! [`Change::delete`]), where a failed condition is an outcome ([`Written::Refused`], with the
//! item as it was), never an error to match.
//!
//! ```text
//! Change::new(keys::info::stats(9))
//!     .add("likes_count", 1)
//!     .when_exists()
//!     .when_absent("deleted_at")
//!     .into_update(table)?
//! ```
//!
//! Attribute names become `#name` placeholders and values `:v0`, `:v1`, ... so no expression
//! can collide with a reserved word or another value.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
    Update,
};
use aws_smithy_runtime_api::client::result::CreateUnhandledError;

use super::{Item, Store};
use crate::error::AppError;
use crate::keys::{self, Key};

/// `builder` with `change`'s condition, names and values (every SDK builder of a conditional
/// write, transactional or not, has the same three setters).
macro_rules! with_expressions {
    ($builder:expr, $change:expr) => {
        $builder
            .set_condition_expression($change.condition())
            .set_expression_attribute_names($change.names())
            .set_expression_attribute_values($change.values())
    };
}

#[derive(Debug, Clone)]
pub struct Change {
    key: Key,
    sets: Vec<String>,
    adds: Vec<String>,
    deletes: Vec<String>,
    removes: Vec<String>,
    conditions: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
    /// Whether [`Change::count`] already moved the item's [`keys::COUNT_REV`].
    counted: bool,
}

impl Change {
    pub fn new(key: Key) -> Self {
        Self {
            key,
            sets: Vec::new(),
            adds: Vec::new(),
            deletes: Vec::new(),
            removes: Vec::new(),
            conditions: Vec::new(),
            names: HashMap::new(),
            values: HashMap::new(),
            counted: false,
        }
    }

    fn name(&mut self, attr: &str) -> String {
        let placeholder = format!("#{attr}");
        self.names.insert(placeholder.clone(), attr.to_owned());
        placeholder
    }

    fn value(&mut self, v: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), v);
        placeholder
    }

    /// `SET attr = v`.
    pub fn set(mut self, attr: &str, v: AttributeValue) -> Self {
        let (n, v) = (self.name(attr), self.value(v));
        self.sets.push(format!("{n} = {v}"));
        self
    }

    /// `SET attr = if_not_exists(attr, v)`: sets `attr` only where it is absent.
    pub fn set_if_absent(mut self, attr: &str, v: AttributeValue) -> Self {
        let (n, v) = (self.name(attr), self.value(v));
        self.sets.push(format!("{n} = if_not_exists({n}, {v})"));
        self
    }

    /// `SET attr = v`, or `REMOVE attr` for `None`.
    pub fn set_or_remove(self, attr: &str, v: Option<AttributeValue>) -> Self {
        match v {
            Some(v) => self.set(attr, v),
            None => self.remove(attr),
        }
    }

    /// `ADD attr delta` (a missing counter counts from 0).
    pub fn add(mut self, attr: &str, delta: i64) -> Self {
        let (n, v) = (self.name(attr), self.value(super::n(delta)));
        self.adds.push(format!("{n} {v}"));
        self
    }

    /// Moves a counter of counted items (likes, comments …) by `delta`, in the transaction that
    /// adds or removes those items: `ADD attr delta`, and `ADD countRev 1` once per change
    /// ([`keys::COUNT_REV`]), the revision by which the counters' upkeep knows the counter and its
    /// items didn't move while it counted them (`crate::counters`).
    pub fn count(self, attr: &str, delta: i64) -> Self {
        let mut change = self.add(attr, delta);
        if !change.counted {
            change.counted = true;
            change = change.add(keys::COUNT_REV, 1);
        }
        change
    }

    /// `ADD attr {v}` on a string set.
    pub fn add_to_set(mut self, attr: &str, v: &str) -> Self {
        let (n, v) = (self.name(attr), self.value(AttributeValue::Ss(vec![v.to_owned()])));
        self.adds.push(format!("{n} {v}"));
        self
    }

    /// `DELETE attr {v}` on a string set.
    pub fn delete_from_set(mut self, attr: &str, v: &str) -> Self {
        let (n, v) = (self.name(attr), self.value(AttributeValue::Ss(vec![v.to_owned()])));
        self.deletes.push(format!("{n} {v}"));
        self
    }

    pub fn remove(mut self, attr: &str) -> Self {
        let n = self.name(attr);
        self.removes.push(n);
        self
    }

    /// The item must exist.
    pub fn when_exists(mut self) -> Self {
        let n = self.name(keys::PK);
        self.conditions.push(format!("attribute_exists({n})"));
        self
    }

    /// `attr` must be absent.
    pub fn when_absent(mut self, attr: &str) -> Self {
        let n = self.name(attr);
        self.conditions.push(format!("attribute_not_exists({n})"));
        self
    }

    /// `attr` must equal `v`.
    pub fn when_eq(mut self, attr: &str, v: AttributeValue) -> Self {
        let (n, v) = (self.name(attr), self.value(v));
        self.conditions.push(format!("{n} = {v}"));
        self
    }

    /// `attr` must be present.
    pub fn when_present(mut self, attr: &str) -> Self {
        let n = self.name(attr);
        self.conditions.push(format!("attribute_exists({n})"));
        self
    }

    /// `attr` must differ from `v` (an absent `attr` differs from everything).
    pub fn when_ne(self, attr: &str, v: AttributeValue) -> Self {
        self.compare(attr, "<>", v)
    }

    /// `attr` must be less than `v`.
    pub fn when_lt(self, attr: &str, v: AttributeValue) -> Self {
        self.compare(attr, "<", v)
    }

    /// `attr` must be at most `v`.
    pub fn when_le(self, attr: &str, v: AttributeValue) -> Self {
        self.compare(attr, "<=", v)
    }

    /// `attr` must be greater than `v`.
    pub fn when_gt(self, attr: &str, v: AttributeValue) -> Self {
        self.compare(attr, ">", v)
    }

    /// `attr` must be at least `v`.
    pub fn when_ge(self, attr: &str, v: AttributeValue) -> Self {
        self.compare(attr, ">=", v)
    }

    /// `attr` must be absent or less than `v` (a counter under its limit).
    pub fn when_absent_or_lt(mut self, attr: &str, v: AttributeValue) -> Self {
        let (n, v) = (self.name(attr), self.value(v));
        self.conditions
            .push(format!("(attribute_not_exists({n}) OR {n} < {v})"));
        self
    }

    fn compare(mut self, attr: &str, op: &str, v: AttributeValue) -> Self {
        let (n, v) = (self.name(attr), self.value(v));
        self.conditions.push(format!("{n} {op} {v}"));
        self
    }

    /// At least one of `attrs` must be absent or differ from its value: a write that would
    /// leave them all as they are is refused (and leaves no stream record).
    pub fn when_any_differs(mut self, attrs: &[(&str, AttributeValue)]) -> Self {
        let differs: Vec<String> = attrs
            .iter()
            .map(|(attr, v)| {
                let (n, v) = (self.name(attr), self.value(v.clone()));
                format!("attribute_not_exists({n}) OR {n} <> {v}")
            })
            .collect();
        if !differs.is_empty() {
            self.conditions.push(format!("({})", differs.join(" OR ")));
        }
        self
    }

    /// The counter `attr` must be absent or zero.
    pub fn when_zero(mut self, attr: &str) -> Self {
        let (n, v) = (self.name(attr), self.value(super::n(0)));
        self.conditions
            .push(format!("(attribute_not_exists({n}) OR {n} = {v})"));
        self
    }

    fn update_expression(&self) -> String {
        let mut parts = Vec::new();
        if !self.sets.is_empty() {
            parts.push(format!("SET {}", self.sets.join(", ")));
        }
        if !self.adds.is_empty() {
            parts.push(format!("ADD {}", self.adds.join(", ")));
        }
        if !self.deletes.is_empty() {
            parts.push(format!("DELETE {}", self.deletes.join(", ")));
        }
        if !self.removes.is_empty() {
            parts.push(format!("REMOVE {}", self.removes.join(", ")));
        }
        parts.join(" ")
    }

    fn condition(&self) -> Option<String> {
        (!self.conditions.is_empty()).then(|| self.conditions.join(" AND "))
    }

    fn values(&self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }

    fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    /// The change as a transaction's update.
    pub fn into_update(self, table: &str) -> Result<TransactWriteItem, AppError> {
        let update = with_expressions!(
            Update::builder()
                .table_name(table)
                .set_key(Some(self.key.to_item()))
                .update_expression(self.update_expression()),
            self
        )
        .build()
        .map_err(AppError::internal)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The change's conditions as a transaction's delete of the item.
    pub fn into_delete(self, table: &str) -> Result<TransactWriteItem, AppError> {
        let delete = with_expressions!(
            Delete::builder().table_name(table).set_key(Some(self.key.to_item())),
            self
        )
        .build()
        .map_err(AppError::internal)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// The change's conditions on a transaction's put of `item` (which replaces the whole item).
    pub fn into_put(self, table: &str, item: Item) -> Result<TransactWriteItem, AppError> {
        let put = with_expressions!(Put::builder().table_name(table).set_item(Some(item)), self)
            .build()
            .map_err(AppError::internal)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// The change's conditions as a transaction's condition check.
    pub fn into_check(self, table: &str) -> Result<TransactWriteItem, AppError> {
        let check = with_expressions!(
            ConditionCheck::builder()
                .table_name(table)
                .set_key(Some(self.key.to_item())),
            self
        )
        .build()
        .map_err(AppError::internal)?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    /// Sends the change as one `UpdateItem`: [`Written::Applied`] with the item as it is now, or
    /// [`Written::Refused`] with the item as it was when a condition failed. Cost: 1 UpdateItem.
    pub async fn update(self, store: &Store) -> Result<Written, AppError> {
        let sent = with_expressions!(
            store
                .client()
                .update_item()
                .table_name(store.table())
                .set_key(Some(self.key.to_item()))
                .update_expression(self.update_expression()),
            self
        )
        .return_values(ReturnValue::AllNew)
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await;
        match sent {
            Ok(out) => Ok(Written::Applied(out.attributes.unwrap_or_default())),
            Err(err) => refused(err, |e| match e {
                UpdateItemError::ConditionalCheckFailedException(e) => Some(e.item),
                _ => None,
            }),
        }
    }

    /// [`Change::update`], where a failed condition means `refused` (typically "not found"):
    /// the item as it is now. Cost: 1 UpdateItem.
    pub async fn update_or(self, store: &Store, refused: AppError) -> Result<Item, AppError> {
        match self.update(store).await? {
            Written::Applied(item) => Ok(item),
            Written::Refused(_) => Err(refused),
        }
    }

    /// Sends the change's conditions with a `PutItem` of `item` (which replaces the whole item):
    /// [`Written::Applied`] with an empty item, or [`Written::Refused`] with the item as it was.
    /// Cost: 1 PutItem.
    pub async fn put(self, store: &Store, item: Item) -> Result<Written, AppError> {
        let sent = with_expressions!(
            store.client().put_item().table_name(store.table()).set_item(Some(item)),
            self
        )
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await;
        match sent {
            Ok(_) => Ok(Written::Applied(Item::new())),
            Err(err) => refused(err, |e| match e {
                PutItemError::ConditionalCheckFailedException(e) => Some(e.item),
                _ => None,
            }),
        }
    }

    /// Sends the change's conditions with a `DeleteItem` of its key: [`Written::Applied`] with the
    /// deleted item (empty if there was none), or [`Written::Refused`] with the item as it was.
    /// Cost: 1 DeleteItem.
    pub async fn delete(self, store: &Store) -> Result<Written, AppError> {
        let sent = with_expressions!(
            store
                .client()
                .delete_item()
                .table_name(store.table())
                .set_key(Some(self.key.to_item())),
            self
        )
        .return_values(ReturnValue::AllOld)
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await;
        match sent {
            Ok(out) => Ok(Written::Applied(out.attributes.unwrap_or_default())),
            Err(err) => refused(err, |e| match e {
                DeleteItemError::ConditionalCheckFailedException(e) => Some(e.item),
                _ => None,
            }),
        }
    }

    /// [`Change::into_update`] whose failed condition carries the item as it was in the
    /// transaction's cancellation reasons ([`super::Cancelled::item`]), so the outcome can be
    /// decided from it rather than from a second read.
    pub fn into_update_returning_old(self, table: &str) -> Result<TransactWriteItem, AppError> {
        let mut item = self.into_update(table)?;
        if let Some(update) = item.update.as_mut() {
            update.return_values_on_condition_check_failure = Some(ReturnValuesOnConditionCheckFailure::AllOld);
        }
        Ok(item)
    }
}

/// What a single conditional write did.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    /// Written; the item the operation returned (see each operation).
    Applied(Item),
    /// A condition failed, nothing was written; the item as it was (`None`: there was none).
    Refused(Option<Item>),
}

impl Written {
    pub fn applied(&self) -> bool {
        matches!(self, Written::Applied(_))
    }
}

/// A failed single-item write: [`Written::Refused`] for a failed condition (`failed` picks the
/// exception's old item out of the operation's error), else an internal error.
fn refused<E, R>(err: SdkError<E, R>, failed: impl FnOnce(E) -> Option<Option<Item>>) -> Result<Written, AppError>
where
    E: std::error::Error + ProvideErrorMetadata + CreateUnhandledError + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if !super::is_condition_failed(&err) {
        return Err(err.into());
    }
    match failed(err.into_service_error()) {
        Some(old) => Ok(Written::Refused(old)),
        None => Err(AppError::internal("a failed condition without its exception")),
    }
}

/// A transaction's put of `item`, only if no item has its key.
pub fn put_new(table: &str, item: Item) -> Result<TransactWriteItem, AppError> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(#PK)")
        .expression_attribute_names("#PK", keys::PK)
        .build()
        .map_err(AppError::internal)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// A transaction's unconditional put of `item`.
pub fn put(table: &str, item: Item) -> Result<TransactWriteItem, AppError> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .build()
        .map_err(AppError::internal)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key {
            pk: "P".into(),
            sk: "S".into(),
        }
    }

    #[test]
    fn builds_one_expression_of_each_kind() {
        let c = Change::new(key())
            .set("name", AttributeValue::S("n".into()))
            .add("likes_count", 1)
            .remove("deleted_at")
            .when_exists()
            .when_eq("rev", AttributeValue::N("3".into()))
            .when_zero("infos_count");
        assert_eq!(
            c.update_expression(),
            "SET #name = :v0 ADD #likes_count :v1 REMOVE #deleted_at"
        );
        assert_eq!(
            c.condition().unwrap(),
            "attribute_exists(#PK) AND #rev = :v2 AND (attribute_not_exists(#infos_count) OR #infos_count = :v3)"
        );
        assert_eq!(c.names().unwrap()["#PK"], "PK");
        assert_eq!(c.values().unwrap().len(), 4);
    }

    #[test]
    fn a_change_can_require_that_it_changes_something() {
        let c = Change::new(key()).when_exists().when_any_differs(&[
            ("nick", AttributeValue::S("a".into())),
            ("sex", AttributeValue::S("b".into())),
        ]);
        assert_eq!(
            c.condition().unwrap(),
            "attribute_exists(#PK) AND (attribute_not_exists(#nick) OR #nick <> :v0 OR attribute_not_exists(#sex) OR #sex <> :v1)"
        );
        assert_eq!(Change::new(key()).when_any_differs(&[]).condition(), None);
    }

    #[test]
    fn a_counted_change_moves_the_items_count_revision_once() {
        let c = Change::new(key()).count("likeCount", 1).count("commentCount", -1);
        assert_eq!(
            c.update_expression(),
            "ADD #likeCount :v0, #countRev :v1, #commentCount :v2"
        );
        assert_eq!(c.values().unwrap()[":v1"], AttributeValue::N("1".into()));
    }

    #[test]
    fn becomes_each_kind_of_transaction_item() {
        let c = Change::new(key()).add("n", 1).when_exists();
        assert!(c.clone().into_update("t").unwrap().update().is_some());
        assert!(c.clone().into_delete("t").unwrap().delete().is_some());
        let check = c.into_check("t").unwrap();
        assert_eq!(
            check.condition_check().unwrap().condition_expression(),
            "attribute_exists(#PK)"
        );
        let item = Item::from([("PK".to_owned(), AttributeValue::S("P".into()))]);
        assert!(
            put_new("t", item)
                .unwrap()
                .put()
                .unwrap()
                .condition_expression()
                .is_some()
        );
    }

    #[test]
    fn an_update_can_return_the_old_item_on_a_failed_condition() {
        let change = Change::new(key()).add("n", 1).when_exists();
        let plain = change.clone().into_update("t").unwrap();
        assert_eq!(plain.update().unwrap().return_values_on_condition_check_failure(), None);
        let keeping = change.into_update_returning_old("t").unwrap();
        let update = keeping.update().unwrap();
        assert_eq!(
            update.return_values_on_condition_check_failure(),
            Some(&ReturnValuesOnConditionCheckFailure::AllOld)
        );
        assert_eq!(update.update_expression(), "ADD #n :v0");
        assert_eq!(update.condition_expression(), Some("attribute_exists(#PK)"));
    }
}
