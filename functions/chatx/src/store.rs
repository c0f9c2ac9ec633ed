//! chatx store operations. Every write states what must be true; the outcome of a failed
//! transaction is read from its cancellation reasons, never from a second read.
//! Request costs are listed per operation in `docs/data-model.md`.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};

use super::items::{AccountItem, CommentItem, LikeItem, PostItem, ProfileItem, is_entity};
use super::model::{Account, Comment, Like, PageSize, Post, Profile};
use crate::keys::{self as k, attr};
use shared::error::AppError;
use shared::keys::{self, Key};
use shared::store::query::{self, Query};
use shared::store::write::{Change, Written};
use shared::store::{Item, Marked, Store, cursor, s};

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

    /// A live post and whether `viewer` likes it. Cost: 1 BatchGetItem (consistent).
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
        Ok(serde_dynamo::from_item::<_, PostItem>(post)?.into_live_post(liked))
    }

    /// A page of `author`'s posts, newest first, each marked with whether `viewer` likes it.
    /// Cost: 1 Query on GSI1 + 1 BatchGetItem.
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
        let items: Vec<PostItem> = serde_dynamo::from_items(page.items)?;
        let like_keys: Vec<Key> = items.iter().map(|p| k::like(&p.post_id, viewer)).collect();
        let liked: Vec<String> = if like_keys.is_empty() {
            Vec::new()
        } else {
            let found = self.store.batch_get(&like_keys, false).await?;
            serde_dynamo::from_items::<_, LikeItem>(found)?
                .into_iter()
                .map(|l| l.post_id)
                .collect()
        };
        let posts = items
            .into_iter()
            .filter_map(|p| {
                let is_liked = liked.contains(&p.post_id);
                p.into_live_post(is_liked)
            })
            .collect();
        Ok(Page {
            items: posts,
            next_cursor,
        })
    }

    /// Deletes a post of `caller` with its likes and comments.
    ///
    /// First the post is marked deleted (only by its author), which hides it and makes every
    /// like or comment on it fail its condition; then its item collection is deleted; the post
    /// item goes last. A fault part-way leaves a hidden post that the author's retry finishes.
    /// Cost: 1 UpdateItem + 1 Query per 1 MB of children + 1 BatchWriteItem per 25 + 1 DeleteItem.
    #[tracing::instrument(skip(self))]
    pub async fn delete_post(&self, post_id: &str, caller: &str) -> Result<(), AppError> {
        let key = k::post(post_id);
        let owner = (attr::USER_ID, caller);
        match self
            .store
            .mark_deleted(&key, attr::DELETED_AT, owner, &[keys::GSI1_PK, keys::GSI1_SK])
            .await?
        {
            Marked::Done(_) => {}
            Marked::NotOwner => return Err(AppError::forbidden("only the author can delete a post")),
            Marked::Missing => return Err(AppError::not_found("post not found")),
        }
        self.store.delete_collection(&key, &[]).await
    }

    // ---- likes ----

    /// Makes `user_id`'s like of the post present (`like`) or absent, and returns the post's
    /// like count afterwards. The like item and the counter change in one transaction, so the
    /// counter always equals the number of like items; a like that is already in the wanted
    /// state is a success. Cost: 1 TransactWriteItems + 1 GetItem (consistent).
    #[tracing::instrument(skip(self))]
    pub async fn set_like(&self, post_id: &str, user_id: &str, like: bool) -> Result<i64, AppError> {
        let (change, delta) = if like {
            let item = serde_dynamo::to_item(LikeItem::new(post_id, user_id, shared::clock::now_ms()))?;
            (self.store.put_new(item)?, 1)
        } else {
            (self.store.delete_existing(&k::like(post_id, user_id))?, -1)
        };
        let tx = vec![change, self.bump_post(post_id, attr::LIKE_COUNT, delta)?];
        match self.store.transact(tx).await? {
            Ok(()) => {}
            Err(c) if c.condition_failed(1) => return Err(AppError::not_found("post not found")),
            Err(c) if c.condition_failed(0) => {} // already liked / already not liked
            Err(c) => return Err(AppError::internal(format!("like cancelled: {c:?}"))),
        }
        self.like_count(post_id)
            .await?
            .ok_or_else(|| AppError::not_found("post not found"))
    }

    #[tracing::instrument(skip(self))]
    async fn like_count(&self, post_id: &str) -> Result<Option<i64>, AppError> {
        let read = self
            .store
            .get_attrs(&k::post(post_id), &[attr::LIKE_COUNT, attr::DELETED_AT], true)
            .await?;
        let Some(item) = read else {
            return Ok(None);
        };
        if item.contains_key(attr::DELETED_AT) {
            return Ok(None);
        }
        Ok(Some(number(&item, attr::LIKE_COUNT)?))
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
            let (exists, page) = tokio::join!(self.like_count(post_id), query);
            if exists?.is_none() {
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

    #[tracing::instrument(skip(self))]
    async fn post_author(&self, post_id: &str) -> Result<Option<String>, AppError> {
        let read = self.store.get_attrs(&k::post(post_id), &[attr::USER_ID], false).await?;
        Ok(read.and_then(|i| i.get(attr::USER_ID).and_then(|v| v.as_s().ok()).cloned()))
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
