//! chatx store operations. Every write states what must be true; the outcome of a failed
//! transaction is read from its cancellation reasons, never from a second read.
//! Request costs are listed per operation in `docs/data-model.md`.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};

use super::items::{
    AccountItem, CommentItem, LikeItem, LikeShardItem, LikedPost, PostHead, PostItem, ProfileItem, is_entity,
};
use super::model::{Account, Comment, Like, PageSize, Post, Profile};
use crate::keys::{self as k, attr};
use shared::counters::Shards;
use shared::error::AppError;
use shared::keys::{self, Key};
use shared::store::query::{self, Query};
use shared::store::write::{Change, Written};
use shared::store::{Cancelled, Item, Marked, Store, cursor, n, s};

/// One page of a listing; `next_cursor` is empty on the last page.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: String,
}

pub struct ChatxStore<'a> {
    store: &'a Store,
}

/// Base-table and GSI1 key attributes: what a cursor of each kind of query holds.
const TABLE_KEY: &[&str] = &[keys::PK, keys::SK];
const GSI1_KEY: &[&str] = &[keys::PK, keys::SK, keys::GSI1_PK, keys::GSI1_SK];

impl<'a> ChatxStore<'a> {
    pub fn new(store: &'a Store) -> Self {
        Self { store }
    }

    fn table(&self) -> &str {
        self.store.table()
    }

    /// Adds `delta` to a counter of a live post (one that exists and is not being deleted).
    fn bump_post(&self, post_id: &str, counter: &str, delta: i64) -> Result<TransactWriteItem, AppError> {
        Change::new(k::post(post_id))
            .count(counter, delta)
            .when_exists()
            .when_absent(attr::DELETED_AT)
            .into_update(self.table())
    }

    // ---- accounts and profiles ----

    /// Creates the account and its profile together; a taken account name is a conflict.
    /// Cost: 1 TransactWriteItems.
    #[tracing::instrument(skip_all, fields(user_id = %profile.user_id))]
    pub async fn register(&self, account: &Account, password_hash: String, profile: &Profile) -> Result<(), AppError> {
        let account_item = AccountItem::new(account.as_str(), &profile.user_id, password_hash, profile.create_time);
        let tx = vec![
            self.store.put_new(serde_dynamo::to_item(account_item)?)?,
            self.store.put_new(serde_dynamo::to_item(ProfileItem::new(profile))?)?,
        ];
        match self.store.transact(tx).await? {
            Ok(()) => Ok(()),
            Err(c) if c.condition_failed(0) => Err(AppError::conflict("account already registered")),
            Err(c) => Err(AppError::internal(format!("register cancelled: {c:?}"))),
        }
    }

    /// The user ID and password hash of `account`. Cost: 1 GetItem.
    #[tracing::instrument(skip_all, fields(account = account.as_str()))]
    pub async fn credentials(&self, account: &Account) -> Result<Option<(String, String)>, AppError> {
        let account: Option<AccountItem> = self.store.get(&k::account(account.as_str()), true).await?;
        Ok(account.map(|a| (a.user_id, a.password_hash)))
    }

    /// Cost: 1 GetItem.
    #[tracing::instrument(skip(self))]
    pub async fn profile(&self, user_id: &str) -> Result<Option<Profile>, AppError> {
        let profile: Option<ProfileItem> = self.store.get(&k::user(user_id), false).await?;
        Ok(profile.map(ProfileItem::into_profile))
    }

    /// Changes the given fields of an existing profile and returns it. Cost: 1 UpdateItem.
    #[tracing::instrument(skip(self, nickname, face_url))]
    pub async fn update_profile(
        &self,
        user_id: &str,
        nickname: Option<String>,
        face_url: Option<String>,
    ) -> Result<Profile, AppError> {
        if nickname.is_none() && face_url.is_none() {
            return Err(AppError::bad_request("nickname or faceURL is required"));
        }
        let mut change = Change::new(k::user(user_id)).when_exists();
        if let Some(nick) = nickname {
            change = change.set(attr::NICKNAME, s(nick));
        }
        if let Some(face) = face_url {
            change = change.set(attr::FACE_URL, s(face));
        }
        let item = change
            .update_or(self.store, AppError::not_found("user not found"))
            .await?;
        Ok(serde_dynamo::from_item::<_, ProfileItem>(item)?.into_profile())
    }

    /// The profiles of `user_ids` that exist. Cost: 1 BatchGetItem per 100 users.
    #[tracing::instrument(skip_all)]
    pub async fn profiles<'i>(
        &self,
        user_ids: impl IntoIterator<Item = &'i str>,
    ) -> Result<HashMap<String, Profile>, AppError> {
        let keys: Vec<Key> = user_ids.into_iter().map(k::user).collect();
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let mut profiles = HashMap::new();
        for item in self.store.batch_get(&keys, false).await? {
            let p = serde_dynamo::from_item::<_, ProfileItem>(item)?.into_profile();
            profiles.insert(p.user_id.clone(), p);
        }
        Ok(profiles)
    }

    // ---- posts ----

    /// Cost: 1 PutItem.
    #[tracing::instrument(skip_all, fields(post_id = %post.post_id))]
    pub async fn add_post(&self, post: &Post) -> Result<(), AppError> {
        let item = serde_dynamo::to_item(PostItem::new(post))?;
        match Change::new(k::post(&post.post_id))
            .when_absent(keys::PK)
            .put(self.store, item)
            .await?
        {
            Written::Applied(_) => Ok(()),
            // A new UUIDv7 can't collide; if it did, that is a fault.
            Written::Refused(_) => Err(AppError::internal("post ID taken")),
        }
    }

    /// A live post and whether `viewer` likes it. Cost: 1 BatchGetItem (consistent), + 1 for a
    /// hot post's like-count shards.
    #[tracing::instrument(skip(self))]
    pub async fn post(&self, post_id: &str, viewer: &str) -> Result<Option<Post>, AppError> {
        let items = self
            .store
            .batch_get(&[k::post(post_id), k::like(post_id, viewer)], true)
            .await?;
        let liked = items.iter().any(|i| is_entity(i, k::entity::LIKE));
        let Some(post) = items.into_iter().find(|i| is_entity(i, k::entity::POST)) else {
            return Ok(None);
        };
        let mut post: PostItem = serde_dynamo::from_item(post)?;
        post.like_count += self.shards_sum(&post.shard_keys(), true).await?;
        Ok(post.into_live_post(liked))
    }

    /// The sum of the like-count shards at `keys` (0 for none, without a request).
    /// Cost: 1 BatchGetItem per 100 shards.
    async fn shards_sum(&self, keys: &[Key], consistent: bool) -> Result<i64, AppError> {
        if keys.is_empty() {
            return Ok(0);
        }
        let mut sum = 0;
        for shard in self.store.batch_get(keys, consistent).await? {
            sum += number(&shard, attr::LIKE_COUNT)?;
        }
        Ok(sum)
    }

    /// A page of `author`'s posts, newest first, each marked with whether `viewer` likes it.
    /// Cost: 1 Query on GSI1, then (none for an empty page) 1 Query on GSI2 for the viewer's likes
    /// among them ([`Self::liked_among`], about 0.5 RRU), with 1 BatchGetItem of the shards of
    /// the page's hot posts beside it when it has any (eventually consistent, docs/chatx.md).
    /// A 20-post page: about 1.5 + 0.5 RRU.
    #[tracing::instrument(skip(self, cursor_in))]
    pub async fn posts_by(
        &self,
        author: &str,
        viewer: &str,
        cursor_in: &str,
        size: PageSize,
    ) -> Result<Page<Post>, AppError> {
        let partition = k::user_posts(author);
        let start = cursor::decode(cursor_in, GSI1_KEY, (keys::GSI1_PK, &partition))?;
        let page = Query::gsi1(partition)
            .newest_first()
            .limit(size.get())
            .start(start)
            .page(self.store)
            .await?;
        let next_cursor = next_cursor(&page)?;
        let mut items: Vec<PostItem> = serde_dynamo::from_items(page.items)?;
        let places: Vec<String> = items
            .iter()
            .map(|p| k::user_posts_sort(p.create_time, &p.post_id))
            .collect();
        let (shards, liked) = tokio::join!(self.add_shards(&mut items), self.liked_among(viewer, author, &places));
        shards?;
        let liked = liked?;
        let posts = items
            .into_iter()
            .zip(&places)
            .filter_map(|(p, place)| p.into_live_post(liked.contains(place)))
            .collect();
        Ok(Page {
            items: posts,
            next_cursor,
        })
    }

    /// Which of `author`'s posts at `places` (their sort keys in the author's list) `viewer`
    /// likes, as a set of those places: one Query of the viewer's GSI2 partition of that author's
    /// posts (`keys::liked_posts`), between the oldest and the newest of them. A page is a run of
    /// the author's list, so the range holds the viewer's likes of the page's posts and nothing
    /// else (but likes of a post being deleted, which the page doesn't show). Cost: 1 Query on
    /// GSI2 (keys only, one small entry per like found: about 0.5 RRU for a page); none for no
    /// places.
    async fn liked_among(&self, viewer: &str, author: &str, places: &[String]) -> Result<HashSet<String>, AppError> {
        let (Some(oldest), Some(newest)) = (places.iter().min(), places.iter().max()) else {
            return Ok(HashSet::new());
        };
        let found = Query::gsi2(k::liked_posts(viewer, author))
            .between(oldest.clone(), newest.clone())
            .project(&[keys::GSI2_SK])
            .all(self.store)
            .await?;
        Ok(found
            .into_iter()
            .filter_map(|i| i.get(keys::GSI2_SK).and_then(|v| v.as_s().ok()).cloned())
            .collect())
    }

    /// Adds the like-count shards of the hot posts among `posts` to their counts, in one batch.
    async fn add_shards(&self, posts: &mut [PostItem]) -> Result<(), AppError> {
        let keys: Vec<Key> = posts.iter().flat_map(PostItem::shard_keys).collect();
        if keys.is_empty() {
            return Ok(());
        }
        let shards = self.store.batch_get(&keys, false).await?;
        for post in posts.iter_mut() {
            for shard in shards
                .iter()
                .filter(|i| i.get(attr::POST_ID).and_then(|v| v.as_s().ok()) == Some(&post.post_id))
            {
                post.like_count += number(shard, attr::LIKE_COUNT)?;
            }
        }
        Ok(())
    }

    /// Deletes a post of `caller` with its likes and comments.
    ///
    /// First the post is marked deleted (only by its author), which hides it and makes every
    /// like or comment on it fail its condition; then its item collection is deleted; the post
    /// item goes last. A hot post's like-count shards are deleted before its collection. A fault
    /// part-way leaves a hidden post that the author's retry finishes.
    /// Cost: 1 UpdateItem (+ 1 BatchWriteItem per 25 shards) + 1 Query per 1 MB of children +
    /// 1 BatchWriteItem per 25 + 1 DeleteItem.
    #[tracing::instrument(skip(self))]
    pub async fn delete_post(&self, post_id: &str, caller: &str) -> Result<(), AppError> {
        let key = k::post(post_id);
        let owner = (attr::USER_ID, caller);
        match self
            .store
            .mark_deleted(&key, attr::DELETED_AT, owner, &[keys::GSI1_PK, keys::GSI1_SK])
            .await?
        {
            Marked::Done(post) => {
                // Its shards go first: a like can't land on a shard that is gone, so none lands
                // after the collection below is listed.
                let post: PostItem = serde_dynamo::from_item(post)?;
                self.store.batch_delete(&post.shard_keys()).await?;
            }
            Marked::NotOwner => return Err(AppError::forbidden("only the author can delete a post")),
            Marked::Missing => return Err(AppError::not_found("post not found")),
        }
        self.store.delete_collection(&key, &[]).await
    }

    // ---- likes ----

    /// Makes `user_id`'s like of the post present (`like`) or absent, and returns the post's
    /// like count afterwards. The like item and one counter change in one transaction, so the
    /// count always equals the number of like items; a like that is already in the wanted state
    /// is a success.
    ///
    /// The counter is the post item's `likeCount` until the post gets hot: when DynamoDB
    /// throttles the post item in the transaction (its cancellation reason), the post is given
    /// `CHATX_LIKE_SHARDS` shard items on partition keys of their own ([`Self::shard_post`]),
    /// and from then on each like moves one shard chosen at random. The post item's counter
    /// refuses likes once the post is sharded (`attribute_not_exists(likeShards)`), so a
    /// container that didn't know learns it from the read before a like, or from the refusal's
    /// old item, and remembers it ([`known::SHARDS`]).
    ///
    /// A like is also indexed in GSI2 under the liker's likes of the post's author
    /// ([`LikedPost`]), so it needs the post's author and creation time first
    /// ([`Self::liked_post`]: read once per post and container); a cancel deletes the like item
    /// and with it that entry, and reads nothing first.
    /// Cost: 1 TransactWriteItems + 1 GetItem (consistent), and before a like of a post this
    /// container hasn't liked before 1 GetItem (consistent); on a hot post 1 TransactWriteItems +
    /// 1 BatchGetItem (consistent) of the post and its shards. The like item's entries in GSI1
    /// and GSI2 are 1 write unit each.
    #[tracing::instrument(skip(self))]
    pub async fn set_like(&self, post_id: &str, user_id: &str, like: bool) -> Result<i64, AppError> {
        let delta = if like { 1 } else { -1 };
        let liked_post = if like {
            Some(self.liked_post(post_id).await?)
        } else {
            None
        };
        let mut shards = known::SHARDS.get(post_id);
        let mut attempt = 0;
        loop {
            let change = match &liked_post {
                Some(post) => {
                    let item = serde_dynamo::to_item(LikeItem::new(post, user_id, shared::clock::now_ms()))?;
                    self.store.put_new(item)?
                }
                None => self.store.delete_existing(&k::like(post_id, user_id))?,
            };
            let counter = match shards {
                None => Change::new(k::post(post_id))
                    .count(attr::LIKE_COUNT, delta)
                    .when_exists()
                    .when_absent(attr::DELETED_AT)
                    .when_absent(attr::LIKE_SHARDS)
                    .into_update_returning_old(self.table())?,
                Some(count) => Change::new(k::like_shard(post_id, Shards::pick(count)))
                    .count(attr::LIKE_COUNT, delta)
                    .when_exists()
                    .into_update(self.table())?,
            };
            let cancelled = match self.store.transact(vec![change, counter]).await? {
                Ok(()) => break,
                Err(c) => c,
            };
            attempt += 1;
            match (shards, &cancelled) {
                // The post item refused: gone, being deleted, or sharded meanwhile.
                (None, c) if c.condition_failed(1) => match c.item(1).and_then(|i| number(i, attr::LIKE_SHARDS).ok()) {
                    Some(count) if count > 0 && !c.item(1).is_some_and(|i| i.contains_key(attr::DELETED_AT)) => {
                        shards = Some(known::remember_shards(post_id, count));
                    }
                    _ => return Err(AppError::not_found("post not found")),
                },
                // A shard is gone only once the post is being deleted.
                (Some(_), c) if c.condition_failed(1) => return Err(AppError::not_found("post not found")),
                (_, c) if c.condition_failed(0) => break, // already liked / already not liked
                (None, c) if is_throttled(c, 1) => {
                    tracing::warn!(post_id, "hot post: its like counter is throttled, sharding it");
                    shards = Some(self.shard_post(post_id).await?);
                }
                // Another shard, after a pause.
                (Some(_), c) if is_throttled(c, 1) || is_throttled(c, 0) => shared::store::backoff(attempt).await,
                (None, c) if is_throttled(c, 0) => shared::store::backoff(attempt).await,
                (_, c) => return Err(AppError::internal(format!("like cancelled: {c:?}"))),
            }
            if attempt >= LIKE_ATTEMPTS {
                return Err(AppError::unavailable("like still throttled after retries"));
            }
        }
        self.like_count(post_id, shards)
            .await?
            .ok_or_else(|| AppError::not_found("post not found"))
    }

    /// What places a like of the post (its author and creation time, immutable): remembered by
    /// this container ([`known::POSTS`]) or read. The read also answers "post not found" for a
    /// post that is gone or being deleted without a transaction, and tells a hot post's shards
    /// (remembered, so the like goes straight to a shard); a post deleted after it was
    /// remembered is refused by the like's transaction, as before. Consistent, so a post liked
    /// the moment it is published is found. Cost: 1 GetItem (consistent) the first time this
    /// container likes the post, none after.
    #[tracing::instrument(skip(self))]
    async fn liked_post(&self, post_id: &str) -> Result<LikedPost, AppError> {
        if let Some(known) = known::POSTS.get(post_id) {
            return Ok(known);
        }
        let head: Option<PostHead> = self
            .store
            .get_attrs(&k::post(post_id), PostHead::ATTRS, true)
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?;
        let Some(head) = head.filter(|h| h.deleted_at.is_none()) else {
            return Err(AppError::not_found("post not found"));
        };
        if let Some(count) = head.like_shards.filter(|n| *n > 0) {
            known::remember_shards(post_id, i64::from(count));
        }
        let liked = head.liked_post();
        known::POSTS.remember(post_id, liked.clone());
        Ok(liked)
    }

    /// Spreads a hot post's like count over `CHATX_LIKE_SHARDS` shards: one transaction creates
    /// them and marks the post with their number, so shards exist exactly when the post says so.
    /// The post item keeps the part counted so far. Returns the number of shards (the one
    /// already set, when another call sharded it first). Cost: 1 TransactWriteItems of
    /// 1 + shards items, once per post (retried while the post item is throttled).
    #[tracing::instrument(skip(self))]
    async fn shard_post(&self, post_id: &str) -> Result<u32, AppError> {
        let count = crate::ChatxSettings::get().like_shards;
        if count < 2 {
            return Err(AppError::unavailable(
                "hot post: like counter throttled, sharding is off",
            ));
        }
        let mut tx = vec![
            Change::new(k::post(post_id))
                .set(attr::LIKE_SHARDS, n(i64::from(count)))
                .when_exists()
                .when_absent(attr::DELETED_AT)
                .when_absent(attr::LIKE_SHARDS)
                .into_update_returning_old(self.table())?,
        ];
        for shard in 1..=count {
            tx.push(
                self.store
                    .put_new(serde_dynamo::to_item(LikeShardItem::new(post_id, shard))?)?,
            );
        }
        for attempt in 0..LIKE_ATTEMPTS {
            match self.store.transact(tx.clone()).await? {
                Ok(()) => return Ok(known::remember_shards(post_id, i64::from(count))),
                Err(c) if c.condition_failed(0) => {
                    let old = c.item(0);
                    return match old.map(|i| number(i, attr::LIKE_SHARDS)).transpose()? {
                        Some(n) if n > 0 && !old.is_some_and(|i| i.contains_key(attr::DELETED_AT)) => {
                            Ok(known::remember_shards(post_id, n))
                        }
                        _ => Err(AppError::not_found("post not found")),
                    };
                }
                Err(c) if (0..tx.len()).any(|i| is_throttled(&c, i)) => shared::store::backoff(attempt).await,
                Err(c) => return Err(AppError::internal(format!("sharding cancelled: {c:?}"))),
            }
        }
        Err(AppError::unavailable("hot post: sharding still throttled"))
    }

    /// The post's like count, or `None` if it is gone or being deleted. Unsharded (or not known
    /// to be): 1 GetItem (consistent), + 1 BatchGetItem if it turns out sharded; sharded:
    /// 1 BatchGetItem (consistent) of the post and its shards.
    #[tracing::instrument(skip(self))]
    async fn like_count(&self, post_id: &str, shards: Option<u32>) -> Result<Option<i64>, AppError> {
        let head = match shards {
            None => self
                .store
                .get_attrs(
                    &k::post(post_id),
                    &[attr::LIKE_COUNT, attr::DELETED_AT, attr::LIKE_SHARDS],
                    true,
                )
                .await?
                .map(|head| (head, Vec::new())),
            Some(count) => {
                let mut keys = vec![k::post(post_id)];
                keys.extend(k::LIKE_SHARDS.keys(&k::post(post_id), count));
                let mut items = self.store.batch_get(&keys, true).await?;
                items
                    .iter()
                    .position(|i| is_entity(i, k::entity::POST))
                    .map(|at| (items.swap_remove(at), items))
            }
        };
        let Some((head, read_shards)) = head else {
            return Ok(None);
        };
        if head.contains_key(attr::DELETED_AT) {
            return Ok(None);
        }
        let mut count = number(&head, attr::LIKE_COUNT)?;
        let sharded = u32::try_from(number(&head, attr::LIKE_SHARDS)?).unwrap_or(0);
        if shards.is_none() && sharded > 0 {
            count += self
                .shards_sum(&k::LIKE_SHARDS.keys(&k::post(post_id), sharded), true)
                .await?;
        }
        for shard in &read_shards {
            count += number(shard, attr::LIKE_COUNT)?;
        }
        Ok(Some(count))
    }

    /// A page of the post's likes, newest first. The first page also checks that the post
    /// exists. Cost: 1 Query on GSI1 (+ 1 GetItem on the first page).
    #[tracing::instrument(skip(self, cursor_in))]
    pub async fn likes(&self, post_id: &str, cursor_in: &str, size: PageSize) -> Result<Page<Like>, AppError> {
        let partition = k::post_likes(post_id);
        let start = cursor::decode(cursor_in, GSI1_KEY, (keys::GSI1_PK, &partition))?;
        let first_page = start.is_none();
        let query = Query::gsi1(partition)
            .newest_first()
            .limit(size.get())
            .start(start)
            .page(self.store);
        let page = if first_page {
            let (live, page) = tokio::join!(self.is_live(post_id), query);
            if !live? {
                return Err(AppError::not_found("post not found"));
            }
            page?
        } else {
            query.await?
        };
        let next_cursor = next_cursor(&page)?;
        let likes = serde_dynamo::from_items::<_, LikeItem>(page.items)?
            .into_iter()
            .map(LikeItem::into_like)
            .collect();
        Ok(Page {
            items: likes,
            next_cursor,
        })
    }

    // ---- comments ----

    /// Adds a comment and counts it on the post in one transaction. A reply's target must be a
    /// comment of the same post. Cost: 1 TransactWriteItems.
    #[tracing::instrument(skip_all, fields(post_id = %comment.post_id, comment_id = %comment.comment_id))]
    pub async fn add_comment(&self, comment: &Comment) -> Result<(), AppError> {
        let mut tx = vec![
            self.store.put_new(serde_dynamo::to_item(CommentItem::new(comment))?)?,
            self.bump_post(&comment.post_id, attr::COMMENT_COUNT, 1)?,
        ];
        if !comment.reply_to_comment_id.is_empty() {
            tx.push(
                self.store
                    .check_exists(&k::comment(&comment.post_id, &comment.reply_to_comment_id))?,
            );
        }
        match self.store.transact(tx).await? {
            Ok(()) => Ok(()),
            Err(c) if c.condition_failed(1) => Err(AppError::not_found("post not found")),
            Err(c) if c.condition_failed(2) => Err(AppError::not_found("replyToCommentID not found in this post")),
            Err(c) => Err(AppError::internal(format!("comment cancelled: {c:?}"))),
        }
    }

    /// A page of the post's comments, oldest first (conversation order).
    ///
    /// The query reads the post item and its comments together (`#POST` sorts just before
    /// `COMMENT#…`), so the first page proves the post exists without a second request.
    /// Cost: 1 Query (consistent).
    #[tracing::instrument(skip(self, cursor_in))]
    pub async fn comments(&self, post_id: &str, cursor_in: &str, size: PageSize) -> Result<Page<Comment>, AppError> {
        let partition = k::post_partition(post_id);
        let start = cursor::decode(cursor_in, TABLE_KEY, (keys::PK, &partition))?;
        let first_page = start.is_none();
        let page = Query::table(partition)
            .between(k::POST_SK, k::COMMENTS_END)
            .consistent()
            .limit(size.get() + usize::from(first_page))
            .start(start)
            .page(self.store)
            .await?;
        let next_cursor = next_cursor(&page)?;
        let mut items = page.items;
        if first_page {
            let live_post = items
                .first()
                .is_some_and(|i| is_entity(i, k::entity::POST) && !i.contains_key(attr::DELETED_AT));
            if !live_post {
                return Err(AppError::not_found("post not found"));
            }
            items.remove(0);
        }
        let comments = serde_dynamo::from_items::<_, CommentItem>(items)?
            .into_iter()
            .map(CommentItem::into_comment)
            .collect();
        Ok(Page {
            items: comments,
            next_cursor,
        })
    }

    /// Deletes a comment; its author or the post's author may. Replies to it stay (they keep
    /// their `replyToCommentID`). Cost: 1 Query on GSI1 (+ 1 GetItem when the caller is not the
    /// commenter) + 1 TransactWriteItems.
    #[tracing::instrument(skip(self))]
    pub async fn delete_comment(&self, comment_id: &str, caller: &str) -> Result<(), AppError> {
        let (gpk, gsk) = k::comment_lookup(comment_id);
        // The lookup entry's sort key is exact: BETWEEN it and itself is equality.
        let found = Query::gsi1(gpk)
            .between(gsk.clone(), gsk)
            .limit(1)
            .page(self.store)
            .await?;
        let Some(item) = found.items.into_iter().next() else {
            return Err(AppError::not_found("comment not found"));
        };
        let comment = serde_dynamo::from_item::<_, CommentItem>(item)?.into_comment();
        if comment.user_id != caller {
            let post_author = self.post_author(&comment.post_id).await?;
            if post_author.as_deref() != Some(caller) {
                return Err(AppError::forbidden(
                    "only the commenter or the post's author can delete a comment",
                ));
            }
        }
        let tx = vec![
            self.store.delete_existing(&k::comment(&comment.post_id, comment_id))?,
            self.bump_post(&comment.post_id, attr::COMMENT_COUNT, -1)?,
        ];
        match self.store.transact(tx).await? {
            Ok(()) => Ok(()),
            Err(c) if c.condition_failed(0) => Err(AppError::not_found("comment not found")),
            Err(c) if c.condition_failed(1) => Err(AppError::not_found("post not found")),
            Err(c) => Err(AppError::internal(format!("comment delete cancelled: {c:?}"))),
        }
    }

    /// Whether the post exists and isn't being deleted. Cost: 1 GetItem (consistent).
    #[tracing::instrument(skip(self))]
    async fn is_live(&self, post_id: &str) -> Result<bool, AppError> {
        let read = self
            .store
            .get_attrs(&k::post(post_id), &[keys::PK, attr::DELETED_AT], true)
            .await?;
        Ok(read.is_some_and(|i| !i.contains_key(attr::DELETED_AT)))
    }

    #[tracing::instrument(skip(self))]
    async fn post_author(&self, post_id: &str) -> Result<Option<String>, AppError> {
        let read = self.store.get_attrs(&k::post(post_id), &[attr::USER_ID], false).await?;
        Ok(read.and_then(|i| i.get(attr::USER_ID).and_then(|v| v.as_s().ok()).cloned()))
    }
}

/// Attempts of a like whose counter keeps being throttled (each after a backoff, on another
/// shard once the post is sharded) before it answers busy.
const LIKE_ATTEMPTS: u32 = 6;

/// Whether DynamoDB cancelled the transaction because item `index` was over its throughput
/// (`ThrottlingError`, or `ProvisionedThroughputExceeded` on a provisioned table).
fn is_throttled(c: &Cancelled, index: usize) -> bool {
    matches!(c.code(index), Some("ThrottlingError" | "ProvisionedThroughputExceeded"))
}

/// What this container remembers about posts, keyed by post ID, each map bounded: forgotten all
/// at once when full (a forgotten post costs one read or one refused transaction to learn
/// again). Only what can't go stale in a way that matters: a post's shard count never changes
/// once set, and its author and creation time never change; a post deleted since is refused by
/// the like's transaction.
mod known {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex, MutexGuard};

    use crate::items::LikedPost;

    const MAX: usize = 10_000;

    pub struct PerPost<V>(LazyLock<Mutex<HashMap<String, V>>>);

    impl<V: Clone> PerPost<V> {
        const fn new() -> Self {
            Self(LazyLock::new(Default::default))
        }

        fn map(&self) -> MutexGuard<'_, HashMap<String, V>> {
            self.0.lock().unwrap_or_else(|p| p.into_inner())
        }

        pub fn get(&self, post_id: &str) -> Option<V> {
            self.map().get(post_id).cloned()
        }

        pub fn remember(&self, post_id: &str, value: V) {
            let mut known = self.map();
            if known.len() >= MAX {
                known.clear();
            }
            known.insert(post_id.to_owned(), value);
        }
    }

    /// The posts known to be sharded, and into how many shards: a like goes straight to a shard
    /// without first being refused by the post item.
    pub static SHARDS: PerPost<u32> = PerPost::new();

    /// What places a like of the posts liked here: a like of one of them reads nothing first.
    pub static POSTS: PerPost<LikedPost> = PerPost::new();

    /// Remembers that the post has `count` shards (at least 1) and returns that number.
    pub fn remember_shards(post_id: &str, count: i64) -> u32 {
        let count = u32::try_from(count).unwrap_or(1).max(1);
        SHARDS.remember(post_id, count);
        count
    }
}

/// The cursor of the page after `page`: empty after the last.
fn next_cursor(page: &query::Page) -> Result<String, AppError> {
    Ok(page.next.as_ref().map(cursor::encode).transpose()?.unwrap_or_default())
}

fn number(item: &Item, name: &str) -> Result<i64, AppError> {
    match item.get(name) {
        None => Ok(0),
        Some(AttributeValue::N(v)) => v.parse().map_err(AppError::internal),
        Some(other) => Err(AppError::internal(format!("{name} is not a number: {other:?}"))),
    }
}
