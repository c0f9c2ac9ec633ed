//! Space moments. A moment's partition holds the moment, its comments with their replies
//! (each reply sorts right after its comment) and its likes, so one query reads a whole
//! thread. Likes and comments are counted on the moment in the same transactions that write
//! them; only the author and the author's friends may like or comment (a comment checks the
//! friendship inside its transaction, a like reads it just before its own).

use aws_sdk_dynamodb::types::TransactWriteItem;

use super::{MAX_SPACE_COMMENTS, WeifStore};
use crate::items::{Comment, CommentItem, Like, LikeItem, Space, SpaceItem, SpaceListingItem, is_entity};
use crate::keys::{self as k, attr};
use shared::error::AppError;
use shared::ids;
use shared::keys::Key;
use shared::store::query::Query;
use shared::store::write::Change;
use shared::store::{Marked, n};

/// Attempts of a like change that the same viewer's concurrent changes keep overtaking.
pub const LIKE_ATTEMPTS: usize = 5;

/// A moment with its likes (oldest first) and its comments, each with its replies (oldest
/// first).
#[derive(Debug, Clone)]
pub struct SpaceThread {
    pub space: Space,
    pub likes: Vec<Like>,
    pub comments: Vec<(Comment, Vec<Comment>)>,
}

/// Where a like toggle left the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LikeOutcome {
    pub is_like: bool,
    pub like_count: i64,
}

/// A moment's counter changing by `delta`, while the moment exists and isn't being deleted.
fn bump(space_id: &str, counter: &str, delta: i64) -> Change {
    Change::new(k::space(space_id))
        .count(counter, delta)
        .when_exists()
        .when_absent(attr::DELETED_AT)
}

impl WeifStore {
    /// A live moment. Cost: 1 GetItem.
    #[tracing::instrument(skip(self))]
    pub async fn space(&self, id: &str) -> Result<Option<Space>, AppError> {
        let item: Option<SpaceItem> = self.store.get(&k::space(id), false).await?;
        Ok(item.and_then(SpaceItem::live))
    }

    /// A user's newest `limit` moments, newest first (their listing copies: a deleted moment
    /// leaves its listing right after it is marked). Cost: 1 Query.
    #[tracing::instrument(skip(self))]
    pub async fn spaces_of(&self, user_id: &str, limit: usize) -> Result<Vec<Space>, AppError> {
        let items: Vec<SpaceListingItem> = Query::table(k::user_spaces(user_id))
            .newest_first()
            .limit(limit)
            .all_as(&self.store)
            .await?;
        Ok(items.into_iter().map(|i| i.space).collect())
    }

    /// A moment's partition read at once: the moment (first), its comments each followed by
    /// its replies, its likes. `None` if the moment is gone or being deleted.
    #[tracing::instrument(skip(self))]
    pub(super) async fn thread(&self, id: &str) -> Result<Option<SpaceThread>, AppError> {
        let mut items = Query::table(k::space_partition(id)).all(&self.store).await?.into_iter();
        let Some(head) = items.next().filter(|i| is_entity(i, k::entity::SPACE)) else {
            return Ok(None);
        };
        let Some(space) = serde_dynamo::from_item::<_, SpaceItem>(head)?.live() else {
            return Ok(None);
        };
        let mut likes = Vec::new();
        let mut comments: Vec<(Comment, Vec<Comment>)> = Vec::new();
        for item in items {
            if is_entity(&item, k::entity::LIKE) {
                likes.push(serde_dynamo::from_item::<_, LikeItem>(item)?.like);
            } else if is_entity(&item, k::entity::COMMENT) {
                let c = serde_dynamo::from_item::<_, CommentItem>(item)?.comment;
                match &c.space_comment_id {
                    None => comments.push((c, Vec::new())),
                    // Replies sort right after their comment; one whose comment is being
                    // deleted has none before it and is left out.
                    Some(parent) => {
                        if let Some((head, replies)) = comments.last_mut()
                            && &head.id == parent
                        {
                            replies.push(c);
                        }
                    }
                }
            }
        }
        likes.sort_by(|a, b| (a.time, &a.user_id).cmp(&(b.time, &b.user_id)));
        Ok(Some(SpaceThread { space, likes, comments }))
    }

    /// The friendship condition for writing on `owner`'s moment (none for the owner).
    fn friend_check(&self, viewer: &str, owner: &str) -> Result<Option<TransactWriteItem>, AppError> {
        if viewer == owner {
            return Ok(None);
        }
        Change::new(k::friend(viewer, owner))
            .when_eq(attr::STATE, n(1))
            .into_check(self.table())
            .map(Some)
    }

    /// Sets `viewer`'s like of a moment to `want`, or toggles it (`want` `None`). Each attempt
    /// reads the like and the moment (consistent), then writes the change in one transaction
    /// that checks the like is still as read: the like item absent → present with the counter
    /// +1, or present → absent with −1. So the counter always equals the likes, and a like set
    /// to what it already is writes nothing. Only the author and the author's friends may like:
    /// the friendship is read (consistent) once the moment names its author, before a like is
    /// written; an unlike needs none (docs/decisions.md, "A like reads the friendship").
    ///
    /// A toggle that finds the like changed by the same viewer's concurrent toggle reads again
    /// and flips what it finds, so n toggles in flight at once leave it liked iff n is odd, up to
    /// [`LIKE_ATTEMPTS`] in flight; past that (a client hammering the button) a toggle that keeps
    /// losing is absorbed by the ones that won: it answers the state they left, never an error.
    /// The answer is one consistent read of the like and the counter after the change (a like
    /// already as asked: the first read), in one request: half a `TransactGetItems` snapshot's
    /// units. It isolates each item, not the pair, so a transaction committing during that one
    /// read could be seen half; a read of the count alone, with `isLike` taken from this call's
    /// transaction, would pair them wrongly whenever the same viewer's next toggle landed in
    /// between (the toggle storms saw `{isLike: true, likeCount: 0}`).
    /// Cost: per attempt 1 BatchGetItem (2 items) + 1 TransactWriteItems, + 1 GetItem (the
    /// friendship) before a friend's like; then 1 BatchGetItem (2 items). Nothing to do: the
    /// first BatchGetItem alone.
    #[tracing::instrument(skip(self))]
    pub async fn set_like(
        &self,
        viewer: &str,
        space_id: &str,
        want: Option<bool>,
        now: i64,
    ) -> Result<LikeOutcome, AppError> {
        let gone = || AppError::not_found("该动态不存在");
        let (space_key, like_key) = (k::space(space_id), k::like(space_id, viewer));
        // Whether the viewer may like: known once read, for the whole call.
        let mut may_like = false;
        for attempt in 0..LIKE_ATTEMPTS {
            let (space, liked) = self.like_state(&space_key, &like_key).await?;
            let space = space.filter(|s| s.deleted_at.is_none()).ok_or_else(gone)?;
            let like = want.unwrap_or(!liked);
            if like == liked {
                // Nothing to do: the read is the answer.
                return Ok(LikeOutcome {
                    is_like: liked,
                    like_count: space.like_count,
                });
            }
            let author = &space.space.user_id;
            if like && !may_like {
                may_like = author == viewer || self.friend(viewer, author, true).await?.is_some_and(|f| f.state == 1);
                if !may_like {
                    return Err(AppError::forbidden("只有好友可以点赞"));
                }
            }
            let tx = if like {
                let like = Like {
                    id: ids::new_id(),
                    space_id: space_id.into(),
                    user_id: viewer.into(),
                    time: now,
                };
                vec![
                    self.put_new(LikeItem::new(&like))?,
                    bump(space_id, attr::LIKE_COUNT, 1).into_update(self.table())?,
                ]
            } else {
                vec![
                    self.store.delete_existing(&like_key)?,
                    bump(space_id, attr::LIKE_COUNT, -1).into_update(self.table())?,
                ]
            };
            match self.store.transact(tx).await? {
                Ok(()) => break,
                Err(c) if c.condition_failed(1) => return Err(gone()),
                Err(c) if c.condition_failed(0) => {
                    // The same viewer's concurrent change won: read again.
                    if attempt + 1 == LIKE_ATTEMPTS {
                        tracing::info!(attempts = LIKE_ATTEMPTS, "like change absorbed by concurrent changes");
                    }
                }
                Err(c) => return Err(AppError::internal(format!("like change cancelled: {c:?}"))),
            }
        }
        // The answer: the like and the count read together after the change (the same viewer's
        // next toggle may already have landed: both then show it).
        let (space, is_like) = self.like_state(&space_key, &like_key).await?;
        Ok(LikeOutcome {
            is_like,
            like_count: space.map_or(0, |s| s.like_count),
        })
    }

    /// The moment (deleted or not) and whether `like_key` holds a like, read together
    /// (consistent). Cost: 1 BatchGetItem (2 items).
    async fn like_state(&self, space_key: &Key, like_key: &Key) -> Result<(Option<SpaceItem>, bool), AppError> {
        let mut items = self
            .store
            .batch_get(&[space_key.clone(), like_key.clone()], true)
            .await?;
        let liked = items.iter().any(|i| is_entity(i, k::entity::LIKE));
        items.retain(|i| is_entity(i, k::entity::SPACE));
        let space = items.pop().map(serde_dynamo::from_item).transpose()?;
        Ok((space, liked))
    }

    /// Adds a comment or a reply, counted on the moment (at most [`MAX_SPACE_COMMENTS`]), on
    /// the conditions that the moment is live, the commenter is its author or a friend of
    /// theirs, and a reply's comment and addressee exist. Cost: 1 TransactWriteItems.
    #[tracing::instrument(skip_all, fields(comment_id = %comment.id, space_id = %comment.space_id, owner = %owner))]
    pub async fn add_comment(&self, comment: &Comment, owner: &str) -> Result<(), AppError> {
        let mut tx = vec![
            self.put_new(CommentItem::new(comment))?,
            bump(&comment.space_id, attr::COMMENT_COUNT, 1)
                .when_lt(attr::COMMENT_COUNT, n(MAX_SPACE_COMMENTS))
                .into_update(self.table())?,
        ];
        let friend = self.friend_check(&comment.user_id, owner)?;
        let friend_index = friend.as_ref().map(|_| tx.len());
        tx.extend(friend);
        let parent_index = tx.len();
        if let Some(parent) = &comment.space_comment_id {
            tx.push(self.store.check_exists(&k::comment(&comment.space_id, parent))?);
            tx.push(self.store.check_exists(&k::user(&comment.to_id))?);
        }
        match self.store.transact(tx).await? {
            Ok(()) => Ok(()),
            Err(c) if c.condition_failed(1) => match self.space(&comment.space_id).await? {
                Some(_) => Err(AppError::conflict("该动态评论数已达上限")),
                None => Err(AppError::not_found("该动态不存在")),
            },
            Err(c) if friend_index.is_some_and(|i| c.condition_failed(i)) => {
                Err(AppError::forbidden("只有好友可以评论"))
            }
            Err(c) if c.condition_failed(parent_index) => Err(AppError::not_found("要回复的评论不存在")),
            Err(c) if c.condition_failed(parent_index + 1) => Err(AppError::not_found("被回复的用户不存在")),
            Err(c) => Err(AppError::internal(format!("comment cancelled: {c:?}"))),
        }
    }

    /// A comment or reply by its ID. Cost: 1 Query on GSI1.
    #[tracing::instrument(skip(self))]
    pub async fn comment(&self, id: &str) -> Result<Option<Comment>, AppError> {
        let (gpk, gsk) = k::comment_lookup(id);
        // The one item whose GSI1 sort key is `gsk`.
        let items = Query::gsi1(gpk)
            .between(gsk.clone(), gsk)
            .limit(1)
            .all(&self.store)
            .await?;
        Ok(items
            .into_iter()
            .next()
            .map(serde_dynamo::from_item::<_, CommentItem>)
            .transpose()?
            .map(|i| i.comment))
    }

    /// Deletes a comment with its replies, or a reply; its author or the moment's author may.
    /// The comment goes first (with its count), so no new reply can join it; then its replies,
    /// up to 99 per transaction, each with its count. Cost: 1 Query on GSI1 (+1 GetItem when
    /// the caller isn't the commenter) + 1 TransactWriteItems (+ 1 Query and 1
    /// TransactWriteItems per 99 replies).
    #[tracing::instrument(skip(self))]
    pub async fn delete_comment(&self, caller: &str, kind: u8, id: &str) -> Result<(), AppError> {
        let comment = self
            .comment(id)
            .await?
            .filter(|c| c.kind == kind)
            .ok_or_else(|| AppError::not_found("评论不存在"))?;
        if comment.user_id != caller {
            let owner = self.space(&comment.space_id).await?.map(|s| s.user_id);
            if owner.as_deref() != Some(caller) {
                return Err(AppError::forbidden("只能删除自己的评论或自己动态下的评论"));
            }
        }
        self.delete_counted(&comment.space_id, &[comment.key()]).await?;
        if comment.space_comment_id.is_none() {
            let replies = Query::table(k::space_partition(&comment.space_id))
                .begins_with(k::replies_prefix(&comment.id))
                .consistent()
                .keys_only()
                .all(&self.store)
                .await?;
            let keys: Vec<Key> = replies.iter().filter_map(Key::of_item).collect();
            for chunk in keys.chunks(99) {
                self.delete_counted(&comment.space_id, chunk).await?;
            }
        }
        Ok(())
    }

    /// Deletes comment items of a moment and takes them off its count, in one transaction.
    async fn delete_counted(&self, space_id: &str, keys: &[Key]) -> Result<(), AppError> {
        let mut tx = keys
            .iter()
            .map(|key| self.store.delete_existing(key))
            .collect::<Result<Vec<_>, _>>()?;
        tx.push(
            Change::new(k::space(space_id))
                .count(attr::COMMENT_COUNT, -(keys.len() as i64))
                .when_exists()
                .into_update(self.table())?,
        );
        match self.store.transact(tx).await? {
            Ok(()) => Ok(()),
            Err(c) if (0..keys.len()).any(|i| c.condition_failed(i)) => Err(AppError::not_found("评论不存在")),
            Err(c) => Err(AppError::internal(format!("comment delete cancelled: {c:?}"))),
        }
    }

    /// Deletes the caller's moment with its likes, comments and replies: marked first (so no
    /// like or comment joins it, and it leaves its author's listing), then the partition goes.
    /// Its feed entries go next (`retract_space`, store/feed.rs).
    /// Cost: 1 UpdateItem + the entries' removal (1 Query on GSI1 + 1 BatchWriteItem per 25
    /// feeds) + 1 Query + 1 BatchWriteItem per 25 items + 1 DeleteItem.
    #[tracing::instrument(skip(self))]
    pub async fn delete_space(&self, caller: &str, space_id: &str) -> Result<(), AppError> {
        let key = k::space(space_id);
        let space: SpaceItem = match self.mark_deleted(&key, caller).await? {
            Marked::Done(item) => serde_dynamo::from_item(item)?,
            Marked::NotOwner => return Err(AppError::forbidden("只能删除自己的动态")),
            Marked::Missing => return Err(AppError::not_found("该动态不存在")),
        };
        self.retract_space(&space.space).await?;
        self.store.delete_collection(&key, &[]).await
    }
}

/// Users the threads mention (authors, likers, commenters, addressees), for one profile read.
pub fn thread_users(threads: &[SpaceThread]) -> Vec<&str> {
    let mut ids = Vec::new();
    for t in threads {
        ids.push(t.space.user_id.as_str());
        ids.extend(t.likes.iter().map(|l| l.user_id.as_str()));
        for c in t
            .comments
            .iter()
            .flat_map(|(c, replies)| std::iter::once(c).chain(replies))
        {
            ids.extend([c.user_id.as_str(), c.from_id.as_str(), c.to_id.as_str()]);
        }
    }
    ids
}
