//! Comments on infos: feeds whose `repostable` is an info. Each comment is listed by ID in the
//! listings of its kinds (all; with images; with a video; with either), for its info and for
//! every info, so each `type` of listing reads one page; the entries carry the comment itself
//! (immutable once written), so that page is the Query's answer and only the mutable parts (the
//! users, the infos and their counts) are read by key.

use std::collections::{HashMap, HashSet};

use super::InfoStore;
use super::infos::pair_up;
use crate::items::{Comment, CommentEntryItem, FeedItem, FeedMarkItem, InfoItem, StatsItem, UserItem};
use crate::keys::{self as k, attr, counter, entity};
use crate::model::CommentQuery;
use shared::clock;
use shared::error::AppError;
use shared::keys::Key;
use shared::storage::FileInfo;
use shared::store::Item;
use shared::store::query::Query;
use shared::store::write::{Change, put_new};

/// A validated comment, its files described.
#[derive(Debug, Clone)]
pub struct NewFeed {
    pub user_id: u64,
    pub info_id: u64,
    pub content: String,
    pub from: i64,
    pub mark: Option<String>,
    pub images: Vec<FileInfo>,
    pub video: Option<FileInfo>,
    pub video_cover: Option<FileInfo>,
}

/// A page of comments with the users who wrote them and the infos they are about: the one info
/// whose comments they are (found or not), or for the listing of every info's comments, theirs.
#[derive(Debug, Default)]
pub struct CommentPage {
    pub feeds: Vec<FeedItem>,
    pub users: HashMap<u64, UserItem>,
    pub infos: HashMap<u64, (InfoItem, StatsItem)>,
}

impl InfoStore<'_> {
    /// Publishes a comment on a published info and counts it, in one transaction; a repeated
    /// `feed_mark` of the same user is refused. Cost: 1 UpdateItem (the ID) + 1
    /// TransactWriteItems (stats, feed, 2–8 listing entries, the mark), 2 WRU per item and KB
    /// started; every entry stays within 1 KB (it carries the comment only then): 1 + 8 WRU for
    /// a text comment, up to 1 + 26 for the biggest (8 entries, a feed near 3 KB, a mark).
    #[tracing::instrument(skip_all, fields(info_id = new.info_id, user_id = new.user_id))]
    pub async fn add_comment(&self, new: NewFeed) -> Result<FeedItem, AppError> {
        let table = self.table();
        let id = self.next_id(counter::FEED).await?;
        let feed = FeedItem::new(
            id,
            new.user_id,
            new.info_id,
            Comment {
                feed_content: new.content,
                feed_from: new.from,
                feed_mark: new.mark,
                images: new.images,
                video: new.video,
                video_cover: new.video_cover,
                created_at: clock::now_ms(),
            },
        );
        let mut tx = vec![
            Change::new(k::stats(feed.info_id))
                .count(attr::COMMENTS_COUNT, 1)
                .when_exists()
                .when_absent(attr::DELETED_AT)
                .when_absent(attr::PURGING)
                .into_update(table)?,
            put_new(table, serde_dynamo::to_item(&feed)?)?,
        ];
        for entry in feed.entries() {
            tx.push(put_new(table, serde_dynamo::to_item(entry)?)?);
        }
        let mark_at = tx.len();
        if let Some(mark) = &feed.comment.feed_mark {
            let key = k::feed_mark(feed.user_id, mark);
            let claim = FeedMarkItem {
                pk: key.pk,
                sk: key.sk,
                entity: entity::FEED_MARK.into(),
                feed_id: id,
            };
            tx.push(put_new(table, serde_dynamo::to_item(claim)?)?);
        }
        match self.store.transact(tx).await? {
            Ok(()) => Ok(feed),
            Err(c) if c.condition_failed(0) => Err(AppError::invalid(
                "repostable_id",
                "The selected repostable id is invalid.",
            )),
            Err(c) if c.condition_failed(mark_at) => {
                Err(AppError::invalid("feed_mark", "The feed mark has already been taken."))
            }
            Err(c) => Err(AppError::internal(format!("comment cancelled: {c:?}"))),
        }
    }

    /// A page of comments of one info (`Some`) or of every info, of the query's kind, after the
    /// query's `after` in its order; the page's entries carry the comments. Cost: 1 Query (the
    /// entries: 0.5 RRU per 4 KB, about 1 for 20 text comments) + 1 BatchGetItem, eventually
    /// consistent, of distinct keys at 0.5 RRU each: the users, the info and its stats (one
    /// info's comments, even when the page is empty) or each info and its stats (every info's),
    /// and the feed of any entry without its comment (a comment over 1 KB). Every info's
    /// comments with an empty page: the Query only.
    #[tracing::instrument(skip(self))]
    pub async fn comments(&self, info: Option<u64>, q: &CommentQuery) -> Result<CommentPage, AppError> {
        let mut query = Query::table(k::comments(info, q.kind)).limit(q.limit);
        if q.desc {
            query = query.newest_first();
        }
        query = match q.after.map(k::id_part) {
            Some(after) if q.desc => query.before(after),
            Some(after) => query.after(after),
            None => query,
        };
        let entries: Vec<CommentEntryItem> = serde_dynamo::from_items(query.page(self.store).await?.items)?;
        let infos: HashSet<u64> = match info {
            Some(id) => HashSet::from([id]),
            None => entries.iter().map(|e| e.info_id).collect(),
        };
        let users: HashSet<u64> = entries.iter().map(|e| e.user_id).collect();
        let mut keys: Vec<Key> = entries
            .iter()
            .filter(|e| e.comment.is_none())
            .map(|e| k::feed(e.feed_id))
            .collect();
        keys.extend(users.into_iter().map(k::user));
        keys.extend(infos.into_iter().flat_map(|i| [k::info(i), k::stats(i)]));
        if keys.is_empty() {
            return Ok(CommentPage::default());
        }
        let items = self.store.batch_get(&keys, false).await?;
        let (mut read, mut users, mut rest): (HashMap<u64, FeedItem>, HashMap<u64, UserItem>, Vec<Item>) =
            Default::default();
        for item in items {
            match super::entity_of(&item) {
                entity::FEED => {
                    let f: FeedItem = serde_dynamo::from_item(item)?;
                    read.insert(f.id, f);
                }
                entity::USER => {
                    let u: UserItem = serde_dynamo::from_item(item)?;
                    users.insert(u.id, u);
                }
                _ => rest.push(item),
            }
        }
        Ok(CommentPage {
            feeds: entries
                .iter()
                .filter_map(|e| e.feed().or_else(|| read.remove(&e.feed_id)))
                .collect(),
            users,
            infos: pair_up(rest)?,
        })
    }
}
