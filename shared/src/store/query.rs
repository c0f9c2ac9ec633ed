//! [`Query`]: one partition of the table or of an index, built without hand-written
//! placeholders, read a page at a time ([`Query::page`]) or to the end ([`Query::all`]).
//!
//! ```text
//! Query::gsi1(k::user_posts(author)).newest_first().limit(20).start(cursor).page(store)
//! Query::table(k::space_partition(id)).after(k::SPACE_SK).consistent().keys_only().all(store)
//! ```

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;

use super::{Item, Store, s};
use crate::error::AppError;
use crate::keys::{GSI1, GSI1_PK, GSI1_SK, GSI2, GSI2_PK, GSI2_SK, PK, SK};

/// A condition on the sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sort {
    Any,
    BeginsWith(String),
    After(String),
    From(String),
    Before(String),
    Between(String, String),
}

#[derive(Debug, Clone)]
pub struct Query {
    index: Option<&'static str>,
    pk_attr: &'static str,
    sk_attr: &'static str,
    partition: String,
    sort: Sort,
    forward: bool,
    consistent: bool,
    projection: Vec<String>,
    limit: Option<usize>,
    start: Option<Item>,
}

/// One page of a query, and where the next one starts (`None` after the last).
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub items: Vec<Item>,
    pub next: Option<Item>,
}

impl Query {
    fn on(index: Option<&'static str>, pk_attr: &'static str, sk_attr: &'static str, partition: String) -> Self {
        Self {
            index,
            pk_attr,
            sk_attr,
            partition,
            sort: Sort::Any,
            forward: true,
            consistent: false,
            projection: Vec::new(),
            limit: None,
            start: None,
        }
    }

    /// The table partition `pk`, in sort-key order.
    pub fn table(pk: impl Into<String>) -> Self {
        Self::on(None, PK, SK, pk.into())
    }

    /// The GSI1 partition `pk`, in GSI1 sort-key order.
    pub fn gsi1(pk: impl Into<String>) -> Self {
        Self::on(Some(GSI1), GSI1_PK, GSI1_SK, pk.into())
    }

    /// The GSI2 partition `pk`, in GSI2 sort-key order.
    pub fn gsi2(pk: impl Into<String>) -> Self {
        Self::on(Some(GSI2), GSI2_PK, GSI2_SK, pk.into())
    }

    /// Only sort keys that start with `prefix`.
    pub fn begins_with(self, prefix: impl Into<String>) -> Self {
        self.sort(Sort::BeginsWith(prefix.into()))
    }

    /// Only sort keys after `sk`.
    pub fn after(self, sk: impl Into<String>) -> Self {
        self.sort(Sort::After(sk.into()))
    }

    /// Only sort keys from `sk` on.
    pub fn at_or_after(self, sk: impl Into<String>) -> Self {
        self.sort(Sort::From(sk.into()))
    }

    /// Only sort keys before `sk`.
    pub fn before(self, sk: impl Into<String>) -> Self {
        self.sort(Sort::Before(sk.into()))
    }

    /// Only sort keys from `low` to `high`, both included.
    pub fn between(self, low: impl Into<String>, high: impl Into<String>) -> Self {
        self.sort(Sort::Between(low.into(), high.into()))
    }

    fn sort(self, sort: Sort) -> Self {
        Self { sort, ..self }
    }

    /// Highest sort key first.
    pub fn newest_first(self) -> Self {
        Self { forward: false, ..self }
    }

    /// A strongly consistent read (the table only).
    pub fn consistent(self) -> Self {
        Self {
            consistent: true,
            ..self
        }
    }

    /// Reads only these attributes.
    pub fn project(mut self, attrs: &[&str]) -> Self {
        self.projection = attrs.iter().map(|a| (*a).to_owned()).collect();
        self
    }

    /// Reads only the table's key attributes.
    pub fn keys_only(self) -> Self {
        self.project(&[PK, SK])
    }

    /// At most `n` items in all.
    pub fn limit(self, n: usize) -> Self {
        Self { limit: Some(n), ..self }
    }

    /// Starts after the item whose key is `start` (a page's [`Page::next`]).
    pub fn start(self, start: Option<Item>) -> Self {
        Self { start, ..self }
    }

    fn key_condition(&self) -> String {
        match &self.sort {
            Sort::Any => "#pk = :pk".to_owned(),
            Sort::BeginsWith(_) => "#pk = :pk AND begins_with(#sk, :sk)".to_owned(),
            Sort::After(_) => "#pk = :pk AND #sk > :sk".to_owned(),
            Sort::From(_) => "#pk = :pk AND #sk >= :sk".to_owned(),
            Sort::Before(_) => "#pk = :pk AND #sk < :sk".to_owned(),
            Sort::Between(_, _) => "#pk = :pk AND #sk BETWEEN :sk AND :sk2".to_owned(),
        }
    }

    fn names(&self) -> (HashMap<String, String>, Option<String>) {
        let mut names = HashMap::from([("#pk".to_owned(), self.pk_attr.to_owned())]);
        if self.sort != Sort::Any {
            names.insert("#sk".to_owned(), self.sk_attr.to_owned());
        }
        if self.projection.is_empty() {
            return (names, None);
        }
        let mut projected = Vec::with_capacity(self.projection.len());
        for (i, attr) in self.projection.iter().enumerate() {
            let placeholder = format!("#p{i}");
            names.insert(placeholder.clone(), attr.clone());
            projected.push(placeholder);
        }
        (names, Some(projected.join(", ")))
    }

    fn values(&self) -> HashMap<String, AttributeValue> {
        let mut values = HashMap::from([(":pk".to_owned(), s(self.partition.clone()))]);
        match &self.sort {
            Sort::Any => {}
            Sort::BeginsWith(v) | Sort::After(v) | Sort::From(v) | Sort::Before(v) => {
                values.insert(":sk".to_owned(), s(v.clone()));
            }
            Sort::Between(low, high) => {
                values.insert(":sk".to_owned(), s(low.clone()));
                values.insert(":sk2".to_owned(), s(high.clone()));
            }
        }
        values
    }

    /// The Query request, without its start.
    fn request(&self, store: &Store) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        let (names, projection) = self.names();
        store
            .client()
            .query()
            .table_name(store.table())
            .set_index_name(self.index.map(str::to_owned))
            .key_condition_expression(self.key_condition())
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(self.values()))
            .set_projection_expression(projection)
            .scan_index_forward(self.forward)
            .consistent_read(self.consistent)
            .set_limit(self.limit.map(|l| i32::try_from(l.max(1)).unwrap_or(i32::MAX)))
    }

    /// One page: up to the limit of items (DynamoDB also ends a page at 1 MB), and where the next
    /// page starts.
    /// Cost: 1 Query.
    pub async fn page(self, store: &Store) -> Result<Page, AppError> {
        let out = self.request(store).set_exclusive_start_key(self.start).send().await?;
        Ok(Page {
            items: out.items.unwrap_or_default(),
            next: out.last_evaluated_key,
        })
    }

    /// How many items match, without sending them back (`Select: COUNT`); with a [`Self::limit`],
    /// counted up to it. Cost: 1 Query per 1 MB of matching items, or per `limit` items (they are
    /// read all the same).
    pub async fn count(self, store: &Store) -> Result<usize, AppError> {
        let mut total = 0;
        let mut start = self.start.clone();
        loop {
            let out = self
                .request(store)
                .select(aws_sdk_dynamodb::types::Select::Count)
                .set_projection_expression(None)
                .set_exclusive_start_key(start)
                .send()
                .await?;
            total += usize::try_from(out.count).unwrap_or_default();
            match (out.last_evaluated_key, self.limit) {
                // Each request evaluates at most `limit` items: the first page reaching it ends the count.
                (Some(_), Some(limit)) if total >= limit => return Ok(limit),
                (Some(next), _) => start = Some(next),
                (None, _) => return Ok(total),
            }
        }
    }

    /// Every item (up to the limit), page after page. Cost: 1 Query per page (1 MB).
    pub async fn all(mut self, store: &Store) -> Result<Vec<Item>, AppError> {
        let limit = self.limit;
        let mut found = Vec::new();
        loop {
            let page = self
                .clone()
                .set_limit(limit.map(|l| l - found.len()))
                .page(store)
                .await?;
            found.extend(page.items);
            match page.next {
                Some(next) if limit.is_none_or(|l| found.len() < l) => self.start = Some(next),
                _ => return Ok(found),
            }
        }
    }

    /// Every item (up to the limit), as `T`.
    pub async fn all_as<T: DeserializeOwned>(self, store: &Store) -> Result<Vec<T>, AppError> {
        Ok(serde_dynamo::from_items(self.all(store).await?)?)
    }

    fn set_limit(self, limit: Option<usize>) -> Self {
        Self { limit, ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_each_key_condition_with_its_values() {
        let q = Query::table("P").after("#POST");
        assert_eq!(q.key_condition(), "#pk = :pk AND #sk > :sk");
        assert_eq!(q.values()[":sk"], s("#POST"));
        assert_eq!(q.names().0["#sk"], SK);
        let q = Query::gsi1("G").between("a", "b");
        assert_eq!(q.key_condition(), "#pk = :pk AND #sk BETWEEN :sk AND :sk2");
        assert_eq!(q.names().0["#pk"], GSI1_PK);
        assert_eq!(q.names().0["#sk"], GSI1_SK);
        let q = Query::gsi2("G");
        assert_eq!(q.key_condition(), "#pk = :pk");
        assert!(!q.names().0.contains_key("#sk"));
        assert_eq!(q.index, Some(GSI2));
    }

    #[test]
    fn projections_name_every_attribute() {
        let (names, projection) = Query::table("P").keys_only().names();
        assert_eq!(projection.as_deref(), Some("#p0, #p1"));
        assert_eq!((names["#p0"].as_str(), names["#p1"].as_str()), (PK, SK));
        assert_eq!(Query::table("P").names().1, None);
    }
}
