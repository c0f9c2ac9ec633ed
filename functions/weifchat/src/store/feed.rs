//! The moments feed (#29), fanned out on write. Publishing a moment writes a small entry
//! (which moment, whose) into its author's feed partition and each friend's; a feed page is
//! then one Query of the viewer's partition plus one batched read of the page's moments, their
//! authors and the viewer's side of each friendship, whatever the number of friends.
//!
//! - **Publish**: the moment and the author's own entry in one transaction (the author sees it
//!   at once); then, for an author with at most [`FEED_SYNC_FRIENDS`] friends, the friends'
//!   entries in batch writes of 25, before the answer. A bigger author's transaction also
//!   writes a fan-out job, which `weif-feed-fanout` (on the table's stream) carries out: the
//!   friends see the moment once it has run (seconds).
//! - **Delete**: the entries go the same way (a REMOVE job for a big author).
//! - **Befriend**: each side gets the other's newest [`FEED_BACKFILL`] moments.
//! - **Unfriend**: each side loses the other's newest [`FEED_DEPTH`] moments (all a feed can
//!   show).
//! - **Read**: an entry is shown only if its moment is live and its author is the viewer or
//!   still a friend (read in the page's batched read), so an entry a race left behind (a
//!   fan-out finishing after an unfriend or a delete) is never shown.
//!
//! Trade-offs and costs: docs/weifchat.md (*The moments feed*) and docs/decisions.md.

use std::collections::{HashMap, HashSet};

use super::WeifStore;
use super::spaces::SpaceThread;
use crate::items::{
    FanOutJobItem, FeedEntryItem, FriendItem, Space, SpaceItem, SpaceListingItem, User, UserItem, is_entity,
};
use crate::keys::{self as k, attr};
use shared::error::AppError;
use shared::keys::{self, Key};
use shared::store::Item;
use shared::store::query::Query;

/// The most friends whose feeds a publish (or delete) writes before it answers: 4 batch
/// writes. A bigger author's fan-out runs on the table's stream (`weif-feed-fanout`).
pub const FEED_SYNC_FRIENDS: usize = 100;
/// How many of each other's newest moments two new friends get in their feeds.
pub const FEED_BACKFILL: usize = 20;
/// How deep a feed can be read: 50 pages of 20 (`pageNum` 1–50). An unfriend removes this many
/// of the ex-friend's newest moments from the other's feed.
pub const FEED_DEPTH: usize = 1_000;

/// A page of a feed: its moments with their threads, and every user they mention.
#[derive(Debug, Default)]
pub struct FeedPage {
    pub threads: Vec<SpaceThread>,
    pub users: HashMap<String, User>,
}

impl WeifStore {
    /// The IDs of at most `limit` of `user_id`'s friends. Cost: 1 Query on GSI1.
    async fn friend_ids(&self, user_id: &str, limit: usize) -> Result<Vec<String>, AppError> {
        let friends: Vec<FriendItem> = Query::gsi1(k::friends(user_id))
            .limit(limit)
            .all_as(&self.store)
            .await?;
        Ok(friends.into_iter().map(|f| f.friend.friend_id).collect())
    }

    /// The IDs of `user_id`'s friends as the table has them now: a consistent read of their
    /// edges in their partition (the index lags), for a fan-out that must not miss a friendship
    /// agreed a moment ago. Conversations sort among the edges and are read too.
    /// Cost: 1 consistent Query per MB of edges and conversations.
    async fn friend_ids_now(&self, user_id: &str) -> Result<Vec<String>, AppError> {
        let items = Query::table(k::user_partition(user_id))
            .begins_with(k::FRIEND_PREFIX)
            .consistent()
            .project(&[keys::PK, keys::SK, attr::STATE])
            .all(&self.store)
            .await?;
        let friend = |item: &Item| {
            let accepted = item.get(attr::STATE).and_then(|v| v.as_n().ok()).map(String::as_str) == Some("1");
            let key = Key::of_item(item)?;
            k::friend_of_edge(&key.sk).filter(|_| accepted).map(str::to_owned)
        };
        Ok(items.iter().filter_map(friend).collect())
    }

    /// Publishes `space`: the moment, its listing copy and its author's feed entry in one
    /// transaction (with a fan-out job if the author has more than [`FEED_SYNC_FRIENDS`]
    /// friends), then each friend's entry. The friends are read again once the moment is
    /// stored, consistently: a befriending that committed after the first read and backfilled
    /// before the moment was stored is seen there (docs/weifchat.md, *The moments feed*).
    /// Cost: 1 Query on GSI1 + 1 TransactWriteItems + 1 consistent Query + 1 BatchWriteItem per
    /// 25 friends (neither of the last two for a big author: the stream's function does them).
    #[tracing::instrument(skip_all, fields(space_id = %space.id, user_id = %space.user_id))]
    pub async fn add_space(&self, space: &Space) -> Result<(), AppError> {
        let author = space.user_id.as_str();
        let friends = self.friend_ids(author, FEED_SYNC_FRIENDS + 1).await?;
        let now = friends.len() <= FEED_SYNC_FRIENDS;
        let mut tx = vec![
            self.put_new(SpaceItem::new(space))?,
            self.put_new(SpaceListingItem::new(space))?,
            self.put_new(FeedEntryItem::new(author, space))?,
        ];
        if !now {
            tx.push(self.put_new(FanOutJobItem::new(space, true))?);
        }
        if let Err(c) = self.store.transact(tx).await? {
            return Err(AppError::internal(format!("space {} not published: {c:?}", space.id)));
        }
        tracing::info!(
            friends = friends.len(),
            fan_out = if now { "now" } else { "stream" },
            "published"
        );
        if now {
            self.write_entries(&self.friend_ids_now(author).await?, space).await?;
        }
        Ok(())
    }

    /// Writes `space`'s entry into each of `viewers`' feeds. Cost: 1 BatchWriteItem per 25.
    async fn write_entries(&self, viewers: &[String], space: &Space) -> Result<(), AppError> {
        let items = viewers
            .iter()
            .map(|v| serde_dynamo::to_item(FeedEntryItem::new(v, space)))
            .collect::<Result<Vec<Item>, _>>()?;
        self.store.batch_put(items).await
    }

    /// Takes a deleted moment out of its author's listing and feed and their friends' feeds
    /// (through a REMOVE job for a big author). Cost: 1 Query on GSI1 + 1 BatchWriteItem per 25
    /// feeds (+ 1 BatchWriteItem for a big author's job).
    pub(super) async fn retract_space(&self, space: &Space) -> Result<(), AppError> {
        let author = space.user_id.as_str();
        let friends = self.friend_ids(author, FEED_SYNC_FRIENDS + 1).await?;
        let own = [k::user_space(author, &space.id), k::feed_entry(author, &space.id)];
        if friends.len() <= FEED_SYNC_FRIENDS {
            let mut entries: Vec<Key> = friends.iter().map(|f| k::feed_entry(f, &space.id)).collect();
            entries.extend(own);
            return self.store.batch_delete(&entries).await;
        }
        self.store
            .batch_put(vec![serde_dynamo::to_item(FanOutJobItem::new(space, false))?])
            .await?;
        self.store.batch_delete(&own).await
    }

    /// Carries out the fan-out job at `job` (from the table's stream): writes or removes its
    /// moment's entries in the author's friends' feeds, then deletes the job. A job already
    /// done (gone) does nothing, so a record handed twice is harmless; an ADD job whose moment
    /// was deleted meanwhile writes nothing. Cost: 1 GetItem + 1 consistent Query per MB of the
    /// author's edges (+ 1 GetItem) + 1 BatchWriteItem per 25 friends + 1 DeleteItem.
    #[tracing::instrument(skip(self))]
    pub async fn run_fan_out_job(&self, job: &Key) -> Result<(), AppError> {
        let Some(item) = self.store.get::<FanOutJobItem>(job, true).await? else {
            return Ok(());
        };
        let space = item.space;
        let friends = self.friend_ids_now(&space.user_id).await?;
        if *job == k::fan_out_job(&space.id, true) {
            if self.space(&space.id).await?.is_some() {
                self.write_entries(&friends, &space).await?;
            }
        } else {
            let entries: Vec<Key> = friends.iter().map(|f| k::feed_entry(f, &space.id)).collect();
            self.store.batch_delete(&entries).await?;
        }
        tracing::info!(space_id = %space.id, friends = friends.len(), "fan-out job done");
        self.store.delete_if_exists(job).await?;
        Ok(())
    }

    /// The IDs of `author`'s newest `limit` moments; `consistent`: including one stored a
    /// moment ago. Cost: 1 Query (keys only).
    async fn space_ids_of(&self, author: &str, limit: usize, consistent: bool) -> Result<Vec<String>, AppError> {
        let mut query = Query::table(k::user_spaces(author))
            .newest_first()
            .limit(limit)
            .keys_only();
        if consistent {
            query = query.consistent();
        }
        let items = query.all(&self.store).await?;
        Ok(items.iter().filter_map(Key::of_item).map(|key| key.sk).collect())
    }

    /// Two new friends: each gets the other's newest [`FEED_BACKFILL`] moments in their feed.
    /// The moments are read consistently, after the friendship is stored: with the publish's
    /// own second read of the friends ([`Self::add_space`]), a moment published meanwhile
    /// reaches the newcomer either way. Cost: 2 consistent Queries (at once) + 1 BatchWriteItem
    /// per 25 entries (≤ 2).
    pub(super) async fn backfill_feeds(&self, a: &str, b: &str) -> Result<(), AppError> {
        let (of_a, of_b) = tokio::try_join!(
            self.space_ids_of(a, FEED_BACKFILL, true),
            self.space_ids_of(b, FEED_BACKFILL, true)
        )?;
        let mut items = Vec::with_capacity(of_a.len() + of_b.len());
        for (viewer, author, ids) in [(b, a, of_a), (a, b, of_b)] {
            for id in ids {
                items.push(serde_dynamo::to_item(FeedEntryItem::of(viewer, &id, author))?);
            }
        }
        self.store.batch_put(items).await
    }

    /// Two ex-friends: each loses the other's newest [`FEED_DEPTH`] moments from their feed.
    /// Cost: 2 Queries (at once) + 1 BatchWriteItem per 25 of the two's moments.
    pub(super) async fn unlink_feeds(&self, a: &str, b: &str) -> Result<(), AppError> {
        let (of_a, of_b) = tokio::try_join!(
            self.space_ids_of(a, FEED_DEPTH, false),
            self.space_ids_of(b, FEED_DEPTH, false)
        )?;
        let mut entries: Vec<Key> = of_a.iter().map(|id| k::feed_entry(b, id)).collect();
        entries.extend(of_b.iter().map(|id| k::feed_entry(a, id)));
        self.store.batch_delete(&entries).await
    }

    /// Page `page` (from 1) of `viewer`'s feed, `per_page` a page, newest first: one Query of
    /// the feed's entries, one batched read of the page's moments and the viewer's friendships
    /// with their authors (each edge carries its author's profile); then each moment that has
    /// likes or comments has its partition read (≤ `per_page` Queries, at once), and one batched
    /// read of the users those mention.
    /// Cost: 1 Query (`page × per_page` entries of ~130 bytes) + 1 BatchGetItem (≤ 2 ×
    /// `per_page` keys) + 1 Query per moment with likes or comments + 1 BatchGetItem if any.
    #[tracing::instrument(skip(self))]
    pub async fn feed(&self, viewer: &str, page: usize, per_page: usize) -> Result<FeedPage, AppError> {
        let entries: Vec<FeedEntryItem> = Query::table(k::feed(viewer))
            .newest_first()
            .limit(page * per_page)
            .all_as(&self.store)
            .await?;
        let entries: Vec<FeedEntryItem> = entries.into_iter().skip((page - 1) * per_page).collect();
        if entries.is_empty() {
            return Ok(FeedPage::default());
        }
        let mut keys: Vec<Key> = entries.iter().map(|e| k::space(e.space_id())).collect();
        let mut authors: Vec<&str> = Vec::new();
        for e in &entries {
            if !authors.contains(&e.author_id.as_str()) {
                authors.push(&e.author_id);
                // A friend's edge says they are still friends and carries their profile.
                keys.push(if e.author_id == viewer {
                    k::user(viewer)
                } else {
                    k::friend(viewer, &e.author_id)
                });
            }
        }
        let mut spaces: HashMap<String, SpaceItem> = HashMap::new();
        let mut users: HashMap<String, User> = HashMap::new();
        let mut friends: HashSet<String> = HashSet::from([viewer.to_owned()]);
        for item in self.store.batch_get(&keys, false).await? {
            if is_entity(&item, k::entity::SPACE) {
                let s: SpaceItem = serde_dynamo::from_item(item)?;
                spaces.insert(s.space.id.clone(), s);
            } else if is_entity(&item, k::entity::USER) {
                let u: UserItem = serde_dynamo::from_item(item)?;
                users.insert(u.user.id.clone(), u.user);
            } else if is_entity(&item, k::entity::FRIEND) {
                let f: FriendItem = serde_dynamo::from_item(item)?;
                if f.friend.state == 1 {
                    if let Some(author) = f.friend.peer_user() {
                        users.insert(author.id.clone(), author);
                    }
                    friends.insert(f.friend.friend_id);
                }
            }
        }
        // In the feed's order; a moment gone, or whose author is no longer a friend, is left out.
        let shown: Vec<SpaceItem> = entries
            .iter()
            .filter_map(|e| spaces.remove(e.space_id()))
            .filter(|s| s.deleted_at.is_none() && friends.contains(&s.space.user_id))
            .collect();
        let busy: Vec<String> = shown
            .iter()
            .filter(|s| s.like_count > 0 || s.comment_count > 0)
            .map(|s| s.space.id.clone())
            .collect();
        let mut read: HashMap<String, SpaceThread> = self
            .fan_out(busy, |store, id| async move { store.thread(&id).await })
            .await?
            .into_iter()
            .flatten()
            .map(|t| (t.space.id.clone(), t))
            .collect();
        let threads: Vec<SpaceThread> = shown
            .into_iter()
            .filter_map(|s| match read.remove(&s.space.id) {
                Some(thread) => Some(thread),
                // Read as empty, or deleted since the batched read (then it is left out).
                None if s.like_count == 0 && s.comment_count == 0 => Some(SpaceThread {
                    space: s.space,
                    likes: Vec::new(),
                    comments: Vec::new(),
                }),
                None => None,
            })
            .collect();
        let missing: Vec<&str> = super::thread_users(&threads)
            .into_iter()
            .filter(|id| !users.contains_key(*id))
            .collect();
        if !missing.is_empty() {
            users.extend(self.users(missing).await?);
        }
        Ok(FeedPage { threads, users })
    }
}
