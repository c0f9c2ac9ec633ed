//! Infos: create, view (counting the view), change, and delete with everything hanging off them.
//!
//! An info is two items: the info (title, content, medias; written by creates and changes) and
//! its stats (counters and a copy of its state; written by views, likes, favorites, shares and
//! comments). Creates, changes and deletes write, in one transaction, the info, its stats, its
//! listing entries and the counts of its category and of its author in that category; changes
//! and deletes are conditional on the revision they read.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::TransactWriteItem;

use super::{InfoStore, entity_of};
use crate::items::{CommentEntryItem, Counts, EntryItem, FeedItem, InfoItem, RelationItem, StatsItem, UserItem};
use crate::keys::{self as k, Relation, attr, counter, entity};
use crate::model::{INFOS_ADMIN, InfoChange, Media};
use shared::clock;
use shared::error::AppError;
use shared::keys::{self, Key};
use shared::store::query::Query;
use shared::store::write::{Change, Written, put, put_new};
use shared::store::{Item, n};

/// How many times a change that lost a race with another change of the same info is tried.
const ATTEMPTS: u32 = 8;

/// What a change that kept losing races answers.
fn busy() -> AppError {
    AppError::conflict("The info was changed by another request meanwhile; try again.")
}

/// A validated info to create.
#[derive(Debug, Clone)]
pub struct NewInfo {
    pub author_id: u64,
    pub category_id: u64,
    pub title: String,
    pub summary: Option<String>,
    pub content: String,
    pub content_medias: Vec<Media>,
    pub recommend: bool,
    pub topped: bool,
    pub category_topped: bool,
}

impl InfoChange {
    /// Whether the change sets anything only `infos:admin` may set: the featuring flags, the
    /// trashed state, or another author.
    fn needs_admin(&self, info: &InfoItem) -> bool {
        self.recommend.is_some()
            || self.topped.is_some()
            || self.category_topped.is_some()
            || self.deleted.is_some()
            || self.author_id.is_some_and(|a| a != info.author_id)
    }

    fn apply(&self, old: &InfoItem, now: i64) -> InfoItem {
        let flag = |on: Option<bool>, at: Option<i64>| match on {
            Some(true) => Some(at.unwrap_or(now)),
            Some(false) => None,
            None => at,
        };
        let mut new = old.clone();
        new.author_id = self.author_id.unwrap_or(old.author_id);
        new.category_id = self.category_id.unwrap_or(old.category_id);
        if let Some(t) = &self.title {
            new.title = t.clone();
        }
        if let Some(s) = &self.summary {
            new.summary = Some(s.clone());
        }
        if let Some(c) = &self.content {
            new.content = c.clone();
        }
        if let Some(m) = &self.content_medias {
            new.content_medias = m.clone();
        }
        new.recommend_at = flag(self.recommend, old.recommend_at);
        new.topped_at = flag(self.topped, old.topped_at);
        new.category_topped_at = flag(self.category_topped, old.category_topped_at);
        new.deleted_at = flag(self.deleted, old.deleted_at);
        if new.category_id != old.category_id && self.category_topped.is_none() {
            // Topped in the old category says nothing about the new one.
            new.category_topped_at = None;
        }
        new.updated_at = now;
        new.rev = old.rev + 1;
        new
    }
}

/// A viewed info: the info, its counters (this view included), and the viewer's relations.
#[derive(Debug, Clone)]
pub struct Viewed {
    pub info: InfoItem,
    pub stats: StatsItem,
    pub liked: bool,
    pub favorited: bool,
    pub viewer: Option<UserItem>,
}

/// Which counts an info's create, change or delete touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tally {
    Category(u64),
    Author(u64, u64),
}

/// Where, in a transaction built by [`InfoStore::info_writes`], the conditions that mean "bad
/// input" are.
#[derive(Debug, Default)]
struct Guards {
    category: Option<usize>,
    author: Option<usize>,
}

fn not_found() -> AppError {
    AppError::not_found("Info not found.")
}

fn not_yours() -> AppError {
    AppError::forbidden("You may only change or delete your own infos.")
}

fn admin_only() -> AppError {
    AppError::forbidden(format!(
        "Only {INFOS_ADMIN} users may set recommend, topped, category_topped, deleted or another author."
    ))
}

impl InfoStore<'_> {
    /// The writes that move an info from `old` to `new` (either may be absent: a create, a
    /// delete) besides the info and stats items themselves: its listing entries, the counts of its
    /// category and of its author there, and checks that a new category is live and a new author
    /// exists. `offset` is where these writes start in the transaction.
    fn info_writes(
        &self,
        old: Option<&InfoItem>,
        new: Option<&InfoItem>,
        offset: usize,
    ) -> Result<(Vec<TransactWriteItem>, Guards), AppError> {
        let table = self.table();
        let mut tx = Vec::new();
        let old_entries: Vec<EntryItem> = old.map(InfoItem::entries).unwrap_or_default();
        let new_entries: Vec<EntryItem> = new.map(InfoItem::entries).unwrap_or_default();
        for gone in old_entries
            .iter()
            .filter(|o| !new_entries.iter().any(|e| e.key() == o.key()))
        {
            tx.push(Change::new(gone.key()).into_delete(table)?);
        }
        for entry in &new_entries {
            if !old_entries.contains(entry) {
                tx.push(put(table, serde_dynamo::to_item(entry)?)?);
            }
        }

        let mut tallies: BTreeMap<Tally, Counts> = BTreeMap::new();
        let mut tally = |info: &InfoItem, sign: i64| {
            let c = info.counts();
            for t in [
                Tally::Category(info.category_id),
                Tally::Author(info.author_id, info.category_id),
            ] {
                let e = tallies.entry(t).or_default();
                e.published_count += sign * c.published_count;
                e.trashed_count += sign * c.trashed_count;
                e.infos_count += sign * c.infos_count;
            }
        };
        if let Some(o) = old {
            tally(o, -1);
        }
        if let Some(nw) = new {
            tally(nw, 1);
        }
        let new_category = new
            .filter(|nw| old.is_none_or(|o| o.category_id != nw.category_id))
            .map(|nw| nw.category_id);
        let mut guards = Guards::default();
        for (t, c) in tallies {
            if c == Counts::default() {
                continue;
            }
            let key = match t {
                Tally::Category(id) => k::category(id),
                Tally::Author(a, id) => k::author_counts(a, id),
            };
            let mut change = Change::new(key);
            for (name, delta) in [
                (attr::PUBLISHED_COUNT, c.published_count),
                (attr::TRASHED_COUNT, c.trashed_count),
                (attr::INFOS_COUNT, c.infos_count),
            ] {
                if delta != 0 {
                    change = change.add(name, delta);
                }
            }
            match t {
                Tally::Category(id) => {
                    change = change.when_exists();
                    if new_category == Some(id) {
                        change = change.when_absent(attr::DELETED_AT);
                        guards.category = Some(offset + tx.len());
                    }
                }
                Tally::Author(a, id) => {
                    change = change
                        .set(keys::ENTITY, shared::store::s(entity::AUTHOR_COUNTS))
                        .set(attr::AUTHOR_ID, n(a as i64))
                        .set(attr::CATEGORY_ID, n(id as i64));
                }
            }
            tx.push(change.into_update(table)?);
        }
        if let Some(author) = new
            .filter(|nw| old.is_none_or(|o| o.author_id != nw.author_id))
            .map(|nw| nw.author_id)
        {
            guards.author = Some(offset + tx.len());
            tx.push(Change::new(k::user(author)).when_exists().into_check(table)?);
        }
        Ok((tx, guards))
    }

    /// Publishes an info. Cost: 1 UpdateItem (the ID) + 1 TransactWriteItems (info, stats, 3–6
    /// listing entries, category and author counts, author check).
    #[tracing::instrument(skip_all, fields(author_id = new.author_id, category_id = new.category_id))]
    pub async fn create_info(&self, new: NewInfo) -> Result<(InfoItem, StatsItem), AppError> {
        let id = self.next_id(counter::INFO).await?;
        let now = clock::now_ms();
        let key = k::info(id);
        let at = |on: bool| on.then_some(now);
        let info = InfoItem {
            pk: key.pk,
            sk: key.sk,
            entity: entity::INFO.into(),
            id,
            author_id: new.author_id,
            category_id: new.category_id,
            title: new.title,
            summary: new.summary,
            content: new.content,
            content_medias: new.content_medias,
            recommend_at: at(new.recommend),
            topped_at: at(new.topped),
            category_topped_at: at(new.category_topped),
            created_at: now,
            updated_at: now,
            deleted_at: None,
            rev: 0,
            purging: None,
        };
        let stats = StatsItem::new(&info);
        let mut tx = vec![
            put_new(self.table(), serde_dynamo::to_item(&info)?)?,
            put_new(self.table(), serde_dynamo::to_item(&stats)?)?,
        ];
        let (writes, guards) = self.info_writes(None, Some(&info), tx.len())?;
        tx.extend(writes);
        match self.store.transact(tx).await? {
            Ok(()) => Ok((info, stats)),
            Err(c) => Err(guard_failure(&c, &guards)
                .unwrap_or_else(|| AppError::internal(format!("info create cancelled: {c:?}")))),
        }
    }

    /// An info and its stats (consistent). `None` once a delete has begun.
    /// Cost: 1 BatchGetItem.
    #[tracing::instrument(skip(self))]
    pub async fn info_with_stats(&self, id: u64) -> Result<Option<(InfoItem, StatsItem)>, AppError> {
        let items = self.store.batch_get(&[k::info(id), k::stats(id)], true).await?;
        let (mut info, mut stats) = (None, None);
        for item in items {
            match entity_of(&item) {
                entity::INFO => info = Some(serde_dynamo::from_item::<_, InfoItem>(item)?),
                entity::STATS => stats = Some(serde_dynamo::from_item::<_, StatsItem>(item)?),
                _ => {}
            }
        }
        Ok(info.zip(stats).filter(|(i, _)| i.purging.is_none()))
    }

    /// An info as `viewer` opens it: counts the view (unless the info is trashed), and reads
    /// whether the viewer likes and favorites it. `None` for an info that doesn't exist, or
    /// that is trashed and not the viewer's to see.
    /// Cost: 1 UpdateItem (the view) and 1 BatchGetItem (consistent), in parallel.
    #[tracing::instrument(skip(self))]
    pub async fn view_info(&self, id: u64, viewer: Option<u64>) -> Result<Option<Viewed>, AppError> {
        let count_view = Change::new(k::stats(id))
            .add(attr::VIEWS_COUNT, 1)
            .when_exists()
            .when_absent(attr::DELETED_AT)
            .when_absent(attr::PURGING)
            .update(self.store);
        let relation = |r| viewer.map(|v| k::reaction(id, v, r));
        let (like_key, favorite_key, user_key) = (
            relation(Relation::Like),
            relation(Relation::Favorite),
            viewer.map(k::user),
        );
        let mut keys = vec![k::info(id)];
        keys.extend([&like_key, &favorite_key, &user_key].into_iter().flatten().cloned());
        let read = self.store.batch_get(&keys, true);
        let (counted, items) = tokio::join!(count_view, read);
        // A trashed info is not counted, but its stats are read all the same.
        let stats_item = match counted? {
            Written::Applied(item) => Some(item),
            Written::Refused(old) => old,
        };
        let Some(stats_item) = stats_item else {
            return Ok(None);
        };
        let stats: StatsItem = serde_dynamo::from_item(stats_item)?;
        let (mut info, mut liked, mut favorited, mut user) = (None, false, false, None);
        for item in items? {
            let key = Key::of_item(&item);
            if key == Some(k::info(id)) {
                info = Some(serde_dynamo::from_item::<_, InfoItem>(item)?);
            } else if key.is_some() && key == user_key {
                user = Some(serde_dynamo::from_item::<_, UserItem>(item)?);
            } else if key.is_some() && key == like_key {
                liked = true;
            } else if key.is_some() && key == favorite_key {
                favorited = true;
            }
        }
        Ok(info
            .filter(|i| i.purging.is_none() && i.visible_to(user.as_ref()))
            .map(|info| Viewed {
                info,
                stats,
                liked,
                favorited,
                viewer: user,
            }))
    }

    /// Changes an info as `editor` may: its author or an `infos:admin` user, who alone may set
    /// the featuring flags, the trashed state or another author. The change is conditional on
    /// the revision read; a change that loses a race with another is read and applied again.
    /// Cost: 1 BatchGetItem (consistent) + 1 TransactWriteItems.
    #[tracing::instrument(skip(self, editor, change), fields(editor = editor.id))]
    pub async fn update_info(
        &self,
        id: u64,
        editor: &UserItem,
        change: &InfoChange,
    ) -> Result<(InfoItem, StatsItem), AppError> {
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                shared::store::backoff(attempt - 1).await;
            }
            let (old, stats) = self.info_with_stats(id).await?.ok_or_else(not_found)?;
            if !old.editable_by(editor) {
                return Err(not_yours());
            }
            if change.needs_admin(&old) && !editor.can(INFOS_ADMIN) {
                return Err(admin_only());
            }
            let new = change.apply(&old, clock::now_ms());
            let stats_change = Change::new(k::stats(id))
                .set(attr::UPDATED_AT, n(new.updated_at))
                .set_or_remove(attr::DELETED_AT, new.deleted_at.map(n))
                .when_exists()
                .when_absent(attr::PURGING);
            let mut tx = vec![
                Change::new(k::info(id))
                    .when_eq(attr::REV, n(old.rev as i64))
                    .when_absent(attr::PURGING)
                    .into_put(self.table(), serde_dynamo::to_item(&new)?)?,
                stats_change.into_update(self.table())?,
            ];
            let (writes, guards) = self.info_writes(Some(&old), Some(&new), tx.len())?;
            tx.extend(writes);
            match self.store.transact(tx).await? {
                Ok(()) => {
                    let stats = StatsItem {
                        updated_at: new.updated_at,
                        deleted_at: new.deleted_at,
                        ..stats
                    };
                    return Ok((new, stats));
                }
                Err(c) => {
                    if let Some(err) = guard_failure(&c, &guards) {
                        return Err(err);
                    }
                    if !c.condition_failed(0) && !c.condition_failed(1) {
                        return Err(AppError::internal(format!("info change cancelled: {c:?}")));
                    }
                    // Changed (or being deleted) meanwhile: read again.
                }
            }
        }
        Err(busy())
    }

    /// Deletes an info as `editor` may (its author or an `infos:admin` user), with its likes,
    /// favorites and comments.
    ///
    /// First one transaction marks the info and its stats `purging` (every later like,
    /// favorite, share, comment or view fails its condition), removes its listing entries and
    /// takes it out of its category's and author's counts. Then what hangs off it is deleted in
    /// batches, and the info and stats items last. If the function dies part-way, the info stays
    /// invisible and a retry (by its author or an admin) finishes the job without counting it
    /// out twice.
    /// Cost: 1 GetItem + 1 TransactWriteItems + 2 Queries per 1 MB of likes, favorites and
    /// comments + 1 BatchGetItem per 100 comments + 1 BatchWriteItem per 25 deletes.
    #[tracing::instrument(skip(self, editor), fields(editor = editor.id))]
    pub async fn delete_info(&self, id: u64, editor: &UserItem) -> Result<(), AppError> {
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                shared::store::backoff(attempt - 1).await;
            }
            let info: InfoItem = self.store.get(&k::info(id), true).await?.ok_or_else(not_found)?;
            if !info.editable_by(editor) {
                return Err(not_yours());
            }
            if info.purging.is_some() {
                return self.purge(id).await;
            }
            let now = clock::now_ms();
            let mut tx = vec![
                Change::new(k::info(id))
                    .set(attr::PURGING, n(now))
                    .when_eq(attr::REV, n(info.rev as i64))
                    .when_absent(attr::PURGING)
                    .into_update(self.table())?,
                Change::new(k::stats(id))
                    .set(attr::PURGING, n(now))
                    .when_exists()
                    .into_update(self.table())?,
            ];
            let (writes, _) = self.info_writes(Some(&info), None, tx.len())?;
            tx.extend(writes);
            match self.store.transact(tx).await? {
                Ok(()) => return self.purge(id).await,
                Err(c) if c.condition_failed(0) => continue, // changed or deleted meanwhile
                Err(c) => return Err(AppError::internal(format!("info delete cancelled: {c:?}"))),
            }
        }
        Err(busy())
    }

    /// Deletes everything of an info marked `purging`: likes and favorites (their index
    /// entries under each user's relations go with them), comments with their listing entries
    /// and marks, then the info and its stats.
    async fn purge(&self, id: u64) -> Result<(), AppError> {
        let mut doomed: Vec<Key> = Vec::new();
        for prefix in [k::LIKE_PREFIX, k::FAVORITE_PREFIX] {
            let relations = Query::table(k::info_partition(id))
                .begins_with(prefix)
                .consistent()
                .all(self.store)
                .await?;
            for item in relations {
                let r: RelationItem = serde_dynamo::from_item(item)?;
                doomed.push(Key { pk: r.pk, sk: r.sk });
            }
        }
        let comment_entries = Query::table(k::comments(Some(id), k::CommentKind::All))
            .consistent()
            .all(self.store)
            .await?;
        let feed_keys: Vec<Key> = serde_dynamo::from_items::<_, CommentEntryItem>(comment_entries)?
            .into_iter()
            .map(|e| k::feed(e.feed_id))
            .collect();
        for item in self.store.batch_get(&feed_keys, true).await? {
            let feed: FeedItem = serde_dynamo::from_item(item)?;
            doomed.extend(feed.entries().iter().map(|e| Key {
                pk: e.pk.clone(),
                sk: e.sk.clone(),
            }));
            if let Some(mark) = &feed.comment.feed_mark {
                doomed.push(k::feed_mark(feed.user_id, mark));
            }
            doomed.push(Key {
                pk: feed.pk,
                sk: feed.sk,
            });
        }
        self.store.batch_delete(&doomed).await?;
        self.store.batch_delete(&[k::stats(id), k::info(id)]).await
    }

    /// The infos and stats of `ids` that exist and are not being deleted, by ID.
    /// Cost: 1 BatchGetItem per 50 infos.
    #[tracing::instrument(skip(self))]
    pub async fn infos(&self, ids: &[u64]) -> Result<HashMap<u64, (InfoItem, StatsItem)>, AppError> {
        let keys: Vec<Key> = ids.iter().flat_map(|id| [k::info(*id), k::stats(*id)]).collect();
        let found = self.store.batch_get(&keys, false).await?;
        pair_up(found)
    }
}

/// Infos and stats from a batched read, paired by ID (infos being deleted left out).
pub(super) fn pair_up(items: Vec<Item>) -> Result<HashMap<u64, (InfoItem, StatsItem)>, AppError> {
    let mut infos = HashMap::new();
    let mut stats = HashMap::new();
    for item in items {
        match entity_of(&item) {
            entity::INFO => {
                let i: InfoItem = serde_dynamo::from_item(item)?;
                infos.insert(i.id, i);
            }
            entity::STATS => {
                let s: StatsItem = serde_dynamo::from_item(item)?;
                stats.insert(s.id, s);
            }
            _ => {}
        }
    }
    Ok(infos
        .into_iter()
        .filter(|(_, i)| i.purging.is_none())
        .filter_map(|(id, i)| stats.remove(&id).map(|s| (id, (i, s))))
        .collect())
}

/// The client error a failed guard of [`InfoStore::info_writes`] means, if one failed.
fn guard_failure(c: &shared::store::Cancelled, guards: &Guards) -> Option<AppError> {
    if guards.category.is_some_and(|i| c.condition_failed(i)) {
        return Some(AppError::invalid("category_id", "The selected category id is invalid."));
    }
    if guards.author.is_some_and(|i| c.condition_failed(i)) {
        return Some(AppError::invalid("author_id", "The selected author id is invalid."));
    }
    None
}
