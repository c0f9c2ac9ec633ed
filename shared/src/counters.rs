//! Self-healing counters: a function on the table's stream recounts the counters of the items
//! that changed and repairs any that drifted.
//!
//! Every counter (a post's `likeCount`, an info's `favorites_count` …) changes in the same
//! transaction as the items it counts, so it can't drift through the API. It can through what
//! the API doesn't control: an operator's hand edit, a restore of part of the table, a bug in a
//! future release. A surface says which counters a changed item touches ([`Touched`]: a counter
//! item, its attribute, and the relation items it counts, all in one partition under one sort-key
//! prefix); [`on_stream`] gathers the counters of a batch of stream records, once each, and
//! [`repair`]s them.
//!
//! A repair never races the API into a wrong value: every counted change moves its item's
//! revision ([`COUNT_REV`], `Change::count`) in the same transaction, and a repair counts between
//! two reads of it and writes only if it hasn't moved ([`repair`]). A like landing meanwhile makes
//! the repair stand down ([`Repair::Busy`]); the like's own stream record brings the counter back
//! for another look. Cost per counter: 2 GetItem + 1 Query `Select COUNT` (1 per MB of counted
//! items), + 1 UpdateItem when it drifted.
//!
//! A hot counter can be spread over shard items ([`Shards`]): its value is then the head item's
//! attribute plus every shard's, each counted change moving one shard and that shard's revision.
//! A repair reads the head and its shards (+1 BatchGetItem per read) and brackets the count with
//! all their revisions; it corrects the head alone (`head = items - shards`), on condition that
//! the head's revision is still the one read: a shard moving after the second read adds its like
//! and its delta together, so the sum stays right.

use std::collections::BTreeMap;

use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use futures_util::StreamExt;

use crate::error::AppError;
use crate::keys::{COUNT_REV, Key, PK};
use crate::store::query::Query;
use crate::store::write::{Change, Written};
use crate::store::{Store, n};

/// Counters repaired at once.
const CONCURRENCY: usize = 8;

/// A counter attribute of an item and the relation items it counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    pub item: Key,
    pub attribute: &'static str,
    /// The partition of the counted items.
    pub relations_pk: String,
    /// Their sort-key prefix (`""`: the whole partition).
    pub relations_prefix: String,
    /// The shard items the counter may be spread over, if it can be.
    pub shards: Option<Shards>,
}

/// How a counter is spread over shard items when its item gets hot: the head item names how many
/// shards there are (`count_attr`, absent while unsharded), and shard `k` (1 to that number) is
/// the item `<head PK><pk_infix><k>` / `sk`, holding the same counter attribute and its own
/// [`COUNT_REV`]. Each shard has a partition key of its own, so each takes its own ~1,000 WCU a
/// second. The counter's value is the head's attribute plus the shards'.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shards {
    pub count_attr: &'static str,
    pub pk_infix: &'static str,
    pub sk: &'static str,
}

impl Shards {
    /// The key of shard `k` (1-based) of the counter whose item is `head`.
    pub fn key(&self, head: &Key, k: u32) -> Key {
        Key::new(format!("{}{}{k}", head.pk, self.pk_infix), self.sk)
    }

    /// The keys of shards 1 to `count`.
    pub fn keys(&self, head: &Key, count: u32) -> Vec<Key> {
        (1..=count).map(|k| self.key(head, k)).collect()
    }

    /// The head key of a shard's key (`None` for any other key).
    pub fn head_of(&self, shard: &Key, head_sk: &str) -> Option<Key> {
        if shard.sk != self.sk {
            return None;
        }
        let (head_pk, k) = shard.pk.rsplit_once(self.pk_infix)?;
        k.parse::<u32>().ok()?;
        Some(Key::new(head_pk, head_sk))
    }

    /// A shard chosen at random among `count`.
    pub fn pick(count: u32) -> u32 {
        rand::random_range(1..=count.max(1))
    }
}

impl Counter {
    /// The counters of one item collection: its head item (sort key `head_sk`, in the changed
    /// key's partition) holds one counter per `(attribute, prefix)`, counting the collection's
    /// items under that sort-key prefix. A change to the head touches them all; a change to a
    /// counted item, its own counter; any other item, none.
    pub fn in_collection(changed: &Key, head_sk: &str, counts: &[(&'static str, &str)]) -> Vec<Counter> {
        counts
            .iter()
            .filter(|(_, prefix)| changed.sk == head_sk || changed.sk.starts_with(prefix))
            .map(|(attribute, prefix)| Counter {
                item: Key::new(changed.pk.clone(), head_sk),
                attribute,
                relations_pk: changed.pk.clone(),
                relations_prefix: (*prefix).to_owned(),
                shards: None,
            })
            .collect()
    }

    /// This counter, spread over `shards` when its item says so.
    pub fn sharded(mut self, shards: Shards) -> Self {
        self.shards = Some(shards);
        self
    }
}

/// What a surface's counters are touched by a change to the item at a key: its counters when it
/// is a counting item or a counted one, nothing otherwise (another surface's item included).
pub type Touched = fn(&Key) -> Vec<Counter>;

/// What a repair found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    /// The counter equals its items.
    Correct,
    /// It drifted and now equals its items.
    Repaired { from: i64, to: i64 },
    /// Writes were landing while it looked: their records bring it back.
    Busy,
    /// The counting item is gone (deleted): nothing to repair.
    Gone,
}

/// The counter as read: its value (the head's attribute plus its shards', an absent attribute
/// being 0), the shards' part of it, and the revisions of the head and of each shard ([`COUNT_REV`],
/// `None` before any counted change); `None` altogether when the head is gone.
#[derive(Debug, PartialEq)]
struct Read {
    value: i64,
    shards_value: i64,
    revs: Vec<Option<i64>>,
}

fn number(item: &crate::store::Item, attr: &str) -> Option<i64> {
    item.get(attr)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse::<i64>().ok())
}

async fn read(store: &Store, counter: &Counter) -> Result<Option<Read>, AppError> {
    let mut attrs = vec![PK, counter.attribute, COUNT_REV];
    if let Some(shards) = &counter.shards {
        attrs.push(shards.count_attr);
    }
    let Some(head) = store.get_attrs(&counter.item, &attrs, true).await? else {
        return Ok(None);
    };
    let mut read = Read {
        value: number(&head, counter.attribute).unwrap_or(0),
        shards_value: 0,
        revs: vec![number(&head, COUNT_REV)],
    };
    let count = counter
        .shards
        .as_ref()
        .and_then(|s| number(&head, s.count_attr).map(|n| (s, n)));
    if let Some((shards, n)) = count {
        let keys = shards.keys(&counter.item, u32::try_from(n).unwrap_or(0));
        let mut found: Vec<(Key, crate::store::Item)> = store
            .batch_get(&keys, true)
            .await?
            .into_iter()
            .filter_map(|item| Key::of_item(&item).map(|k| (k, item)))
            .collect();
        // One revision per shard, in shard order, so two reads compare shard by shard.
        for key in keys {
            let item = found
                .iter()
                .position(|(k, _)| *k == key)
                .map(|i| found.swap_remove(i).1);
            let value = item.as_ref().and_then(|i| number(i, counter.attribute)).unwrap_or(0);
            read.shards_value += value;
            read.revs.push(item.as_ref().and_then(|i| number(i, COUNT_REV)));
        }
        read.value += read.shards_value;
    }
    Ok(Some(read))
}

/// Recounts `counter` and repairs it if it drifted.
///
/// The count is bracketed by two reads of the counter's revision: every change to a counted
/// item moves the revision in the same transaction (`Change::count`), so an unchanged revision
/// means the items counted are the ones the value counts — a consistent snapshot, however many
/// likes and cancels land around it (a value alone could come back to what it was: ABA). The
/// repair then writes on condition that the revision is still the one read. Cost: 2 GetItem +
/// 1 Query `Select COUNT` (1 per MB of counted items), + 1 UpdateItem when it drifted.
pub async fn repair(store: &Store, counter: &Counter) -> Result<Repair, AppError> {
    let Some(before) = read(store, counter).await? else {
        return Ok(Repair::Gone);
    };
    let mut query = Query::table(counter.relations_pk.clone()).consistent();
    if !counter.relations_prefix.is_empty() {
        query = query.begins_with(counter.relations_prefix.clone());
    }
    let items = i64::try_from(query.count(store).await?).unwrap_or(i64::MAX);
    match read(store, counter).await? {
        None => return Ok(Repair::Gone),
        Some(after) if after.revs != before.revs => return Ok(Repair::Busy),
        Some(_) if before.value == items => return Ok(Repair::Correct),
        Some(_) => {}
    }
    // The head carries what the shards don't.
    let change = Change::new(counter.item.clone())
        .set(counter.attribute, n(items - before.shards_value))
        .add(COUNT_REV, 1)
        .when_exists();
    let change = match before.revs[0] {
        Some(rev) => change.when_eq(COUNT_REV, n(rev)),
        None => change.when_absent(COUNT_REV),
    };
    let value = before.value;
    Ok(match change.update(store).await? {
        Written::Applied(_) => {
            tracing::warn!(
                pk = ?counter.item.pk,
                sk = ?counter.item.sk,
                attribute = counter.attribute,
                from = value,
                to = items,
                "counter repaired"
            );
            crate::metrics::count("CountersRepaired", 1);
            Repair::Repaired { from: value, to: items }
        }
        Written::Refused(_) => Repair::Busy,
    })
}

/// The counters a batch of stream records touches, each once, with the sequence number of the
/// first record that touched it.
fn touched_by(event: &Event, surfaces: &[Touched]) -> Vec<(Counter, String)> {
    let mut found: BTreeMap<(String, String, &'static str), (Counter, String)> = BTreeMap::new();
    for (key, sequence) in event.records.iter().filter_map(crate::lambda::record_key) {
        for counter in surfaces.iter().flat_map(|touched| touched(&key)) {
            let id = (counter.item.pk.clone(), counter.item.sk.clone(), counter.attribute);
            found.entry(id).or_insert((counter, sequence.clone()));
        }
    }
    found.into_values().collect()
}

/// Handles a batch of the table's stream records: repairs every counter they touch. A counter
/// that can't be recounted (a store fault) fails the batch from its first record on
/// (`ReportBatchItemFailures`), so Lambda hands those records again. One `done` line a batch.
pub async fn on_stream(store: &Store, event: Event, surfaces: &[Touched]) -> DynamoDbEventResponse {
    crate::metrics::scoped("counters", async {
        let records = event.records.len();
        let counters = touched_by(&event, surfaces);
        let touched = counters.len();
        let results: Vec<(String, Result<Repair, AppError>)> = futures_util::stream::iter(counters)
            .map(|(counter, sequence)| async move { (sequence, repair(store, &counter).await) })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let tally = |wanted: fn(&Repair) -> bool| results.iter().filter(|(_, r)| r.as_ref().is_ok_and(wanted)).count();
        let (repaired, busy) = (
            tally(|r| matches!(r, Repair::Repaired { .. })),
            tally(|r| *r == Repair::Busy),
        );
        let mut failed = Vec::new();
        for (sequence, result) in &results {
            if let Err(err) = result {
                err.log();
                failed.push(sequence.clone());
            }
        }
        tracing::info!(
            records,
            counters = touched,
            repaired,
            busy,
            failed = failed.len(),
            dynamodb_requests = crate::metrics::dynamodb_requests(),
            "done"
        );
        let mut response = DynamoDbEventResponse::default();
        if let Some(first) = failed
            .into_iter()
            .min_by_key(|sequence| sequence.parse::<u128>().unwrap_or(u128::MAX))
        {
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = Some(first);
            response.batch_item_failures.push(failure);
        }
        response
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn likes(key: &Key) -> Vec<Counter> {
        match key.pk.starts_with("T#POST#") {
            true => Counter::in_collection(key, "#POST", &[("likeCount", "LIKE#")]),
            false => Vec::new(),
        }
    }

    #[test]
    fn a_collection_head_touches_all_its_counters_an_item_its_own() {
        let counts = [("likeCount", "LIKE#"), ("commentCount", "COMMENT#")];
        let attrs = |sk: &str| -> Vec<&str> {
            Counter::in_collection(&Key::new("P#1", sk), "#HEAD", &counts)
                .iter()
                .map(|c| c.attribute)
                .collect()
        };
        assert_eq!(attrs("#HEAD"), ["likeCount", "commentCount"]);
        assert_eq!(attrs("LIKE#u1"), ["likeCount"]);
        assert_eq!(attrs("COMMENT#c1#REPLY#r1"), ["commentCount"]);
        assert!(attrs("OTHER").is_empty());
        let like = &Counter::in_collection(&Key::new("P#1", "LIKE#u1"), "#HEAD", &counts)[0];
        assert_eq!(
            (&like.item, like.relations_pk.as_str(), like.relations_prefix.as_str()),
            (&Key::new("P#1", "#HEAD"), "P#1", "LIKE#")
        );
    }

    #[test]
    fn shard_keys_have_their_own_partitions_and_lead_back_to_their_head() {
        let shards = Shards {
            count_attr: "likeShards",
            pk_infix: "#SHARD#",
            sk: "LIKES",
        };
        let head = Key::new("T#POST#1", "#POST");
        assert_eq!(shards.key(&head, 3), Key::new("T#POST#1#SHARD#3", "LIKES"));
        let keys = shards.keys(&head, 4);
        assert_eq!(keys.len(), 4);
        let mut pks: Vec<&str> = keys.iter().map(|k| k.pk.as_str()).collect();
        pks.dedup();
        assert_eq!(pks.len(), 4, "one partition key per shard");
        assert_eq!(shards.head_of(&keys[3], "#POST"), Some(head));
        assert_eq!(shards.head_of(&Key::new("T#POST#1#SHARD#x", "LIKES"), "#POST"), None);
        assert_eq!(shards.head_of(&Key::new("T#POST#1", "LIKE#u"), "#POST"), None);
        assert!((0..100).map(|_| Shards::pick(4)).all(|k| (1..=4).contains(&k)));
    }

    fn event(keys: &[(&str, &str, &str)]) -> Event {
        let records: Vec<serde_json::Value> = keys
            .iter()
            .map(|(pk, sk, seq)| {
                serde_json::json!({
                    "eventID": seq, "eventName": "INSERT", "eventSource": "aws:dynamodb",
                    "eventVersion": "1.1", "awsRegion": "us-east-1",
                    "dynamodb": {"Keys": {"PK": {"S": pk}, "SK": {"S": sk}}, "SequenceNumber": seq,
                                 "SizeBytes": 10, "StreamViewType": "KEYS_ONLY"}
                })
            })
            .collect();
        serde_json::from_value(serde_json::json!({ "Records": records })).expect("a stream event")
    }

    #[test]
    fn a_batch_touches_each_counter_once_from_its_first_record() {
        let batch = event(&[
            ("T#POST#1", "LIKE#a", "100"),
            ("T#POST#1", "#POST", "101"),
            ("T#POST#2", "LIKE#b", "102"),
            ("T#USER#1", "PROFILE", "103"),
            ("T#POST#1", "LIKE#c", "104"),
        ]);
        let touched = touched_by(&batch, &[likes]);
        let found: Vec<(&str, &str)> = touched
            .iter()
            .map(|(c, seq)| (c.item.pk.as_str(), seq.as_str()))
            .collect();
        assert_eq!(found, [("T#POST#1", "100"), ("T#POST#2", "102")]);
    }
}
