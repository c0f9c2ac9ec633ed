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
//! A recount reads every counted item, so recounting on every change would make a like of a post
//! with N likes read N items (and an info's view, which changes its stats, recount its likes,
//! favorites and comments). So a counter this container found correct is not recounted again for
//! [`RECHECK`] while everything that changed since is explained by counted changes: its
//! revisions moved at least as much as its value (`checked`). Such a change costs 1 GetItem. A
//! hand edit of the counter (its value moves, its revision doesn't) is still recounted at once;
//! counted items edited by hand (the counter untouched) are found by the next recount, within
//! [`RECHECK`] of the counter's next change. A table's stream hands the records of one key to one
//! shard, so the same container mostly sees the same counters.
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

/// How long a counter found correct goes without a recount while its changes are counted ones.
pub const RECHECK: std::time::Duration = std::time::Duration::from_secs(600);

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
    /// Found correct here less than [`RECHECK`] ago, and only counted changes since: not recounted.
    Unchanged,
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
/// repair then writes on condition that the revision is still the one read. Not recounted when
/// this container found it correct less than [`RECHECK`] ago and only counted changes came
/// since ([`Repair::Unchanged`]). Cost: 1 GetItem when unchanged; else 2 GetItem + 1 Query
/// `Select COUNT` (1 per MB of counted items), + 1 UpdateItem when it drifted.
pub async fn repair(store: &Store, counter: &Counter) -> Result<Repair, AppError> {
    let Some(before) = read(store, counter).await? else {
        return Ok(Repair::Gone);
    };
    let id = checked::Id::new(store, counter);
    if checked::explains(&id, &before) {
        return Ok(Repair::Unchanged);
    }
    let mut query = Query::table(counter.relations_pk.clone()).consistent();
    if !counter.relations_prefix.is_empty() {
        query = query.begins_with(counter.relations_prefix.clone());
    }
    let items = i64::try_from(query.count(store).await?).unwrap_or(i64::MAX);
    match read(store, counter).await? {
        None => return Ok(Repair::Gone),
        Some(after) if after.revs != before.revs => return Ok(Repair::Busy),
        Some(_) if before.value == items => {
            checked::remember(id, &before);
            return Ok(Repair::Correct);
        }
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
    // Before the write: a sibling read once it landed must not take its step for a counted change.
    checked::repairing(&id);
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
            // The repair moved the head's revision by one: what it wrote is now the checked state.
            checked::repaired(id, before.revs, items);
            Repair::Repaired { from: value, to: items }
        }
        Written::Refused(_) => Repair::Busy,
    })
}

/// What this container last found correct, per counter: when, its value and the sum of its
/// revisions. Bounded: forgotten all at once when full (a forgotten counter costs one recount).
mod checked {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    use std::time::Instant;

    use super::{Counter, RECHECK, Read};
    use crate::store::Store;

    const MAX: usize = 10_000;

    /// A counter in a table (tests run many tables in one process).
    #[derive(Hash, PartialEq, Eq)]
    pub struct Id(String, String, String, &'static str);

    impl Id {
        pub fn new(store: &Store, counter: &Counter) -> Self {
            Self(
                store.table().to_owned(),
                counter.item.pk.clone(),
                counter.item.sk.clone(),
                counter.attribute,
            )
        }
    }

    struct Checked {
        at: Instant,
        value: i64,
        revs: i64,
    }

    static CHECKED: LazyLock<Mutex<HashMap<Id, Checked>>> = LazyLock::new(Default::default);

    fn revs(read: &Read) -> i64 {
        read.revs.iter().map(|r| r.unwrap_or(0)).sum()
    }

    /// Whether `read` follows from the state last seen through counted changes alone: each moves
    /// one revision by one and the value by at most one, so the value can't have moved more than
    /// the revisions did. Within [`RECHECK`] of the last recount. When it does, `read` becomes the
    /// state last seen (the recount's time kept), so the slack of one step never adds up to hide
    /// a later hand edit.
    pub fn explains(id: &Id, read: &Read) -> bool {
        let mut map = CHECKED.lock().unwrap_or_else(|p| p.into_inner());
        let Some(c) = map.get_mut(id) else {
            return false;
        };
        let moved = revs(read) - c.revs;
        let explained = c.at.elapsed() < RECHECK && moved >= 0 && (read.value - c.value).abs() <= moved;
        if explained {
            (c.value, c.revs) = (read.value, revs(read));
        }
        explained
    }

    /// A repair of the counter at `id` is about to move its item's revision by one, which is no
    /// counted change for the item's other counters: their last seen states move with it first,
    /// so the step leaves them no slack to hide a hand edit in. Before the write, not after: a
    /// sibling counter read (concurrently, in the same batch) once the write landed but before
    /// this note would take the step for a counted change and let a hand edit of ±1 through;
    /// read before the write landed, it is only recounted. A repair
    /// refused leaves them one step ahead, which also only costs a recount.
    pub fn repairing(id: &Id) {
        let mut map = CHECKED.lock().unwrap_or_else(|p| p.into_inner());
        for (other, c) in map.iter_mut() {
            if (&other.0, &other.1, &other.2) == (&id.0, &id.1, &id.2) && other.3 != id.3 {
                c.revs += 1;
            }
        }
    }

    /// A repair set the counter to `value` and moved its item's revision by one: that is now
    /// its checked state.
    pub fn repaired(id: Id, revs: Vec<Option<i64>>, value: i64) {
        let mut read = Read {
            value,
            shards_value: 0,
            revs,
        };
        read.revs[0] = Some(read.revs[0].unwrap_or(0) + 1);
        remember(id, &read);
    }

    /// Remembers `read` as correct.
    pub fn remember(id: Id, read: &Read) {
        let mut map = CHECKED.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX {
            map.clear();
        }
        map.insert(
            id,
            Checked {
                at: Instant::now(),
                value: read.value,
                revs: revs(read),
            },
        );
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn read(value: i64, revs: &[Option<i64>]) -> Read {
            Read {
                value,
                shards_value: 0,
                revs: revs.to_vec(),
            }
        }

        fn id(pk: &str) -> Id {
            Id("t".into(), pk.into(), "S".into(), "likeCount")
        }

        #[test]
        fn counted_changes_are_explained_and_a_hand_edit_is_not() {
            remember(id("a"), &read(5, &[Some(10)]));
            assert!(explains(&id("a"), &read(5, &[Some(10)])), "nothing changed");
            assert!(explains(&id("a"), &read(7, &[Some(12)])), "two likes");
            assert!(explains(&id("a"), &read(7, &[Some(14)])), "a like and its cancel");
            assert!(
                explains(&id("a"), &read(8, &[Some(14), Some(1)])),
                "a like on a new shard"
            );
            assert!(
                !explains(&id("a"), &read(11, &[Some(14), Some(1)])),
                "the value moved, no revision did"
            );
            assert!(
                !explains(&id("a"), &read(10, &[Some(15), Some(1)])),
                "more than the revisions explain"
            );
            assert!(!explains(&id("b"), &read(5, &[Some(10)])), "never checked");
        }

        #[test]
        fn the_slack_of_changes_seen_does_not_add_up() {
            // Another counter of the same item moves the shared revision: 4 of its changes, then
            // a hand edit of this one by -3 is still seen, since each step became the last seen.
            remember(id("c"), &read(1, &[Some(0)]));
            for rev in 1..=4 {
                assert!(explains(&id("c"), &read(1, &[Some(rev)])));
            }
            assert!(!explains(&id("c"), &read(-2, &[Some(5)])));
        }

        #[test]
        fn a_repair_of_another_counter_of_the_item_leaves_no_slack() {
            let other = Id("t".into(), "d".into(), "S".into(), "commentCount");
            remember(id("d"), &read(1, &[Some(3)]));
            repairing(&other);
            // Read once the repair's write landed: its revision moved by the repair, its value by
            // a hand edit: not a counted change.
            assert!(!explains(&id("d"), &read(0, &[Some(4)])));
            repaired(other, vec![Some(3)], 0);
            assert!(!explains(&id("d"), &read(0, &[Some(4)])), "still not");
        }

        #[test]
        fn a_sibling_read_before_the_repairs_write_is_recounted() {
            let other = Id("t".into(), "e".into(), "S".into(), "commentCount");
            remember(id("e"), &read(1, &[Some(3)]));
            repairing(&other);
            assert!(
                !explains(&id("e"), &read(1, &[Some(3)])),
                "the revision is behind: recount"
            );
        }
    }
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
        let (repaired, busy, unchanged) = (
            tally(|r| matches!(r, Repair::Repaired { .. })),
            tally(|r| *r == Repair::Busy),
            tally(|r| *r == Repair::Unchanged),
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
            unchanged,
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
