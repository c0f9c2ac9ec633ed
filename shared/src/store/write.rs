//! [`Change`]: one conditional write to one item, built without hand-written placeholders.
//! It becomes a transaction item (update, delete, condition check) or a single `UpdateItem`.
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

use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Delete, Put, TransactWriteItem, Update};

use super::{Item, Store};
use crate::error::AppError;
use crate::keys::{self, Key};

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
        let update = Update::builder()
            .table_name(table)
            .set_key(Some(self.key.to_item()))
            .update_expression(self.update_expression())
            .set_condition_expression(self.condition())
            .set_expression_attribute_names(self.names())
            .set_expression_attribute_values(self.values())
            .build()
            .map_err(AppError::internal)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The change's conditions as a transaction's delete of the item.
    pub fn into_delete(self, table: &str) -> Result<TransactWriteItem, AppError> {
        let delete = Delete::builder()
            .table_name(table)
            .set_key(Some(self.key.to_item()))
            .set_condition_expression(self.condition())
            .set_expression_attribute_names(self.names())
            .set_expression_attribute_values(self.values())
            .build()
            .map_err(AppError::internal)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// The change's conditions on a transaction's put of `item` (which replaces the whole item).
    pub fn into_put(self, table: &str, item: Item) -> Result<TransactWriteItem, AppError> {
        let put = Put::builder()
            .table_name(table)
            .set_item(Some(item))
            .set_condition_expression(self.condition())
            .set_expression_attribute_names(self.names())
            .set_expression_attribute_values(self.values())
            .build()
            .map_err(AppError::internal)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// The change's conditions as a transaction's condition check.
    pub fn into_check(self, table: &str) -> Result<TransactWriteItem, AppError> {
        let check = ConditionCheck::builder()
            .table_name(table)
            .set_key(Some(self.key.to_item()))
            .set_condition_expression(self.condition())
            .set_expression_attribute_names(self.names())
            .set_expression_attribute_values(self.values())
            .build()
            .map_err(AppError::internal)?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    /// The change as a single `UpdateItem`, to send with the return values the caller wants.
    pub fn update_item(self, store: &Store) -> UpdateItemFluentBuilder {
        store
            .client()
            .update_item()
            .table_name(store.table())
            .set_key(Some(self.key.to_item()))
            .update_expression(self.update_expression())
            .set_condition_expression(self.condition())
            .set_expression_attribute_names(self.names())
            .set_expression_attribute_values(self.values())
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
}
