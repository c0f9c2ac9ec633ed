//! Friends. A relation is two edge items, one in each user's partition, written and removed
//! together in one transaction: a request creates both (state 0, the receiver's side listed
//! under its requests), agreeing sets both to 1 and counts the friend on both users, refusing
//! or removing deletes both. Each transaction's conditions say which state it expects, so of
//! two concurrent answers exactly one applies, and a request can't exist twice.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::{MAX_FRIENDS, MAX_PENDING_LISTED, WeifStore, newest_pending};
use crate::items::{Friend, FriendItem, PeerCopy, User, UserItem};
use crate::keys::{self as k, attr, entity};
use shared::error::AppError;
use shared::ids;
use shared::keys::{self, Key};
use shared::store::query::Query;
use shared::store::write::Change;
use shared::store::{n, s};

/// How a user stands with another (`friendState` of `/home/user`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FriendState {
    /// 0: the viewer asked, no answer yet.
    Requested,
    /// 1: friends.
    Friends,
    /// 2: no relation.
    Strangers,
    /// 3: the viewer's own page.
    Myself,
    /// 4: the other asked the viewer, who has not answered.
    Invited,
}

impl FriendState {
    pub fn code(self) -> u8 {
        match self {
            Self::Requested => 0,
            Self::Friends => 1,
            Self::Strangers => 2,
            Self::Myself => 3,
            Self::Invited => 4,
        }
    }

    fn of(edge: Option<&Friend>) -> Self {
        match edge {
            None => Self::Strangers,
            Some(f) if f.state == 1 => Self::Friends,
            Some(f) if f.incoming => Self::Invited,
            Some(_) => Self::Requested,
        }
    }
}

fn no_request() -> AppError {
    AppError::not_found("好友申请不存在或已处理")
}

/// A change to an unanswered request's side (`key`): the receiver's (`incoming`) or the sender's.
fn pending(key: Key, incoming: bool) -> Change {
    Change::new(key)
        .when_eq(attr::STATE, n(0))
        .when_eq(attr::INCOMING, AttributeValue::Bool(incoming))
}

impl WeifStore {
    /// `user_id`'s side of its relation with `other`. Cost: 1 GetItem.
    #[tracing::instrument(skip(self))]
    pub async fn friend(&self, user_id: &str, other: &str, consistent: bool) -> Result<Option<Friend>, AppError> {
        let item: Option<FriendItem> = self.store.get(&k::friend(user_id, other), consistent).await?;
        Ok(item.map(|i| i.friend))
    }

    /// How `viewer` stands with `other`. Cost: 1 GetItem (none for oneself).
    #[tracing::instrument(skip(self))]
    pub async fn friend_state(&self, viewer: &str, other: &str) -> Result<FriendState, AppError> {
        if viewer == other {
            return Ok(FriendState::Myself);
        }
        Ok(FriendState::of(self.friend(viewer, other, false).await?.as_ref()))
    }

    /// Whether `viewer` may see `owner`'s moments: its own, or a friend's. Cost: 0–1 GetItem.
    #[tracing::instrument(skip(self))]
    pub async fn is_self_or_friend(&self, viewer: &str, owner: &str) -> Result<bool, AppError> {
        Ok(matches!(
            self.friend_state(viewer, owner).await?,
            FriendState::Myself | FriendState::Friends
        ))
    }

    /// `from` asks `to` to be friends. Both sides are created in one transaction on the
    /// condition that neither exists and `to` is a user, so concurrent requests can't
    /// duplicate. The receiver's side carries a copy of `from`'s profile (their list of
    /// requests reads no user item), checked unchanged in the same transaction (an edit
    /// meanwhile: read again); `copy_profile` keeps it current while the request waits.
    /// Cost: 1 GetItem + 1 TransactWriteItems per attempt (+1 GetItem to word a refusal).
    #[tracing::instrument(skip(self))]
    pub async fn request_friend(&self, from: &str, to: &str, now: i64) -> Result<(), AppError> {
        if from == to {
            return Err(AppError::bad_request("不能添加自己为好友"));
        }
        let id = ids::new_id();
        let side = |user: &str, other: &str, incoming: bool| Friend {
            id: id.clone(),
            user_id: user.into(),
            friend_id: other.into(),
            state: 0,
            incoming,
            time: now,
            ..Friend::default()
        };
        for attempt in 0..super::COPY_ATTEMPTS {
            let requester = self.user_item(from, attempt > 0).await?;
            let requester = requester.ok_or_else(|| AppError::internal(format!("no user item for {from}")))?;
            let (copy, unchanged) = self.profile_copy(&requester)?;
            let incoming = Friend {
                peer: Some(copy),
                peer_version: requester.profile_version,
                ..side(to, from, true)
            };
            let tx = vec![
                self.put_new(FriendItem::request(&side(from, to, false)))?,
                self.put_new(FriendItem::request(&incoming))?,
                self.store.check_exists(&k::user(to))?,
                unchanged,
            ];
            return match self.store.transact(tx).await? {
                Ok(()) => Ok(()),
                Err(c) if c.condition_failed(2) => Err(AppError::not_found("该用户不存在")),
                Err(c) if c.condition_failed(0) || c.condition_failed(1) => {
                    // Nothing was written; read the existing relation only to word the answer.
                    let existing = self.friend(from, to, true).await?;
                    Err(AppError::conflict(match FriendState::of(existing.as_ref()) {
                        FriendState::Friends => "你们已经是好友了",
                        FriendState::Invited => "对方已向你发送好友申请, 请在新朋友中同意",
                        _ => "已发送过好友申请, 请等待对方同意",
                    }))
                }
                Err(c) if c.condition_failed(3) => continue,
                Err(c) => Err(AppError::internal(format!("friend request cancelled: {c:?}"))),
            };
        }
        Err(super::still_changing())
    }

    /// `me` accepts `requester`'s request: both sides become friends, each with a copy of the
    /// other's profile, and each user counts one more friend (at most [`MAX_FRIENDS`]); then each
    /// gets the other's newest moments in their feed (`backfill_feeds`). The transaction checks
    /// that neither profile changed since it was read (each user's `profileVersion`), so a copy
    /// is never older than the profile once both the agree and a concurrent edit's fan-out
    /// (`copy_profile`) are done; a profile edited meanwhile is read again.
    /// Cost: 1 BatchGetItem (the two users) + 1 TransactWriteItems per attempt + 2 Queries on
    /// GSI1 + ≤ 2 BatchWriteItem.
    #[tracing::instrument(skip(self))]
    pub async fn agree_friend(&self, me: &str, requester: &str, now: i64) -> Result<(), AppError> {
        if me == requester {
            return Err(no_request());
        }
        for attempt in 0..super::COPY_ATTEMPTS {
            let users = self.user_items(&[me, requester], attempt > 0).await?;
            let (Some(mine), Some(theirs)) = (users.get(me), users.get(requester)) else {
                return Err(no_request());
            };
            let befriend = |user: &str, other: &UserItem, incoming: bool| {
                let change = pending(k::friend(user, &other.user.id), incoming)
                    .set(attr::STATE, n(1))
                    .set(keys::GSI1_PK, s(k::friends(user)))
                    .set(keys::GSI1_SK, s(k::by_time(now, &[&other.user.id])))
                    .set(attr::TIME, n(now));
                super::with_copy(change, other)?.into_update(self.table())
            };
            let count = |user: &UserItem| {
                let change = Change::new(k::user(&user.user.id))
                    .add(attr::FRIEND_COUNT, 1)
                    .when_exists()
                    .when_absent_or_lt(attr::FRIEND_COUNT, n(MAX_FRIENDS));
                super::at_profile_version(change, user.profile_version).into_update_returning_old(self.table())
            };
            // Each side's conversation, with the same copy: out of the list until a message.
            let conversation = |user: &str, other: &UserItem| {
                let change = Change::new(k::conversation(user, &other.user.id))
                    .set(keys::ENTITY, s(entity::CONVERSATION))
                    .set(attr::USER_ID, s(user))
                    .set(attr::PEER_ID, s(&other.user.id));
                super::with_copy(change, other)?.into_update(self.table())
            };
            let tx = vec![
                befriend(me, theirs, true)?,
                befriend(requester, mine, false)?,
                count(mine)?,
                count(theirs)?,
                conversation(me, theirs)?,
                conversation(requester, mine)?,
            ];
            let c = match self.store.transact(tx).await? {
                Ok(()) => return self.backfill_feeds(me, requester).await,
                Err(c) => c,
            };
            if c.condition_failed(0) || c.condition_failed(1) {
                return Err(no_request());
            }
            // A user's condition: a full friend list, or a profile edited since the read.
            for (i, read, full) in [(2, mine, "你的好友数量已达上限"), (3, theirs, "对方的好友数量已达上限")]
            {
                if !c.condition_failed(i) {
                    continue;
                }
                let old: Option<UserItem> = c.item(i).cloned().map(serde_dynamo::from_item).transpose()?;
                match old {
                    Some(old) if old.profile_version == read.profile_version => {
                        return Err(AppError::conflict(full));
                    }
                    Some(_) => {}
                    None => return Err(no_request()),
                }
            }
            if !(c.condition_failed(2) || c.condition_failed(3)) {
                return Err(AppError::internal(format!("friend agree cancelled: {c:?}")));
            }
        }
        Err(super::still_changing())
    }

    /// `me` refuses `requester`'s request: both sides go. Cost: 1 TransactWriteItems.
    #[tracing::instrument(skip(self))]
    pub async fn refuse_friend(&self, me: &str, requester: &str) -> Result<(), AppError> {
        if me == requester {
            return Err(no_request());
        }
        let tx = vec![
            pending(k::friend(me, requester), true).into_delete(self.table())?,
            pending(k::friend(requester, me), false).into_delete(self.table())?,
        ];
        match self.store.transact(tx).await? {
            Ok(()) => Ok(()),
            Err(c) if c.condition_failed(0) || c.condition_failed(1) => Err(no_request()),
            Err(c) => Err(AppError::internal(format!("friend refuse cancelled: {c:?}"))),
        }
    }

    /// Ends the relation between `me` and `other`, whatever its state (a friendship, or a
    /// request either sent), on both sides. Each attempt's transaction expects the state it
    /// read; if an answer changed it meanwhile, the next attempt sees the new state.
    /// Ex-friends then lose each other's moments from their feeds (`unlink_feeds`).
    /// Cost: 1 GetItem (consistent) + 1 TransactWriteItems per attempt; for friends, + 2
    /// Queries on GSI1 + 1 BatchWriteItem per 25 of their moments.
    #[tracing::instrument(skip(self))]
    pub async fn remove_friend(&self, me: &str, other: &str) -> Result<(), AppError> {
        let not_friends = || AppError::not_found("你们还不是好友");
        if me == other {
            return Err(not_friends());
        }
        for _ in 0..3 {
            let Some(edge) = self.friend(me, other, true).await? else {
                return Err(not_friends());
            };
            let in_state = |key: Key| {
                Change::new(key)
                    .when_eq(attr::STATE, n(i64::from(edge.state)))
                    .into_delete(self.table())
            };
            let mut tx = vec![in_state(k::friend(me, other))?, in_state(k::friend(other, me))?];
            if edge.state == 1 {
                for user in [me, other] {
                    tx.push(
                        Change::new(k::user(user))
                            .add(attr::FRIEND_COUNT, -1)
                            .when_exists()
                            .into_update(self.table())?,
                    );
                }
            }
            match self.store.transact(tx).await? {
                Ok(()) if edge.state == 1 => return self.unlink_feeds(me, other).await,
                Ok(()) => return Ok(()),
                Err(c) if c.condition_failed(0) || c.condition_failed(1) => continue,
                Err(c) => return Err(AppError::internal(format!("friend remove cancelled: {c:?}"))),
            }
        }
        Err(AppError::internal("friend relation kept changing during removal"))
    }

    /// Brings the copies of `user_id`'s profile on the other sides of their relations (the
    /// friend edges and conversations in the others' partitions, and their memberships and join
    /// requests in their groups' partitions) up to the profile's version:
    /// `weif-profile-copies` runs it on each change of the user item; most (friend counts, the
    /// copied mark itself) leave the profile as it was and end after the read. A copy is
    /// rewritten only while its item exists and holds an older one, so runs in any order,
    /// twice, or beside an agree (which copies a version it checks) leave the newest copy. Then
    /// the user records the version copied. How many copies it looked at.
    /// Cost: 1 GetItem (consistent); when the profile changed, + 3 Queries at once (the user's
    /// edges and conversations, their memberships on GSI1, their join requests on GSI2; keys
    /// only) + 1 UpdateItem per copy ([`super::FAN_OUT`] at a time) + 1 UpdateItem.
    #[tracing::instrument(skip(self))]
    pub async fn copy_profile(&self, user_id: &str) -> Result<usize, AppError> {
        let Some(item) = self.store.get::<UserItem>(&k::user(user_id), true).await? else {
            return Ok(0);
        };
        let version = item.profile_version;
        if version <= item.copied_version {
            return Ok(0);
        }
        let copy: AttributeValue = serde_dynamo::to_attribute_value(PeerCopy::of(&item.user))?;
        // Each of the user's edges and conversations has its mirror in the other's partition;
        // each of their memberships and join requests is in its group's.
        let (relations, memberships, joins) = tokio::try_join!(
            Query::table(k::user_partition(user_id))
                .begins_with(k::FRIEND_PREFIX)
                .keys_only()
                .all(&self.store),
            Query::gsi1(k::user_groups(user_id)).keys_only().all(&self.store),
            Query::gsi2(k::user_joins(user_id)).keys_only().all(&self.store),
        )?;
        let mut mirrors: Vec<Key> = relations
            .iter()
            .filter_map(Key::of_item)
            .filter_map(
                |key| match (k::friend_of_edge(&key.sk), k::friend_of_conversation(&key.sk)) {
                    (Some(other), _) => Some(k::friend(other, user_id)),
                    (_, Some(other)) => Some(k::conversation(other, user_id)),
                    _ => None,
                },
            )
            .collect();
        mirrors.extend(memberships.iter().chain(&joins).filter_map(Key::of_item));
        let source = Change::new(k::user(user_id)).when_exists();
        let copies = self
            .spread_copy(mirrors, (attr::PEER, attr::PEER_VERSION), copy, version, source)
            .await?;
        tracing::info!(version, copies, "profile copied");
        Ok(copies)
    }

    /// The other users of `edges`: each from its edge's copy, reading only those without one
    /// (a request's). Cost: 1 BatchGetItem per 100 edges without a copy (none for friends).
    #[tracing::instrument(skip_all)]
    pub async fn peers_of(&self, edges: &[Friend]) -> Result<HashMap<String, User>, AppError> {
        self.copied_users(edges.iter().map(|f| (f.friend_id.as_str(), f.peer_user())))
            .await
    }

    /// `me`'s friends, oldest friendship first, each edge with its friend's profile copy.
    /// Cost: 1 Query on GSI1 (≤ 500 edges of ~450 bytes).
    #[tracing::instrument(skip(self))]
    pub async fn friends(&self, me: &str) -> Result<Vec<Friend>, AppError> {
        let items: Vec<FriendItem> = Query::gsi1(k::friends(me)).all_as(&self.store).await?;
        Ok(items.into_iter().map(|i| i.friend).collect())
    }

    /// The requests `me` has received and not answered, oldest first: the newest
    /// [`MAX_PENDING_LISTED`]. Cost: 1 Query on GSI1 (≤ 500 small items).
    #[tracing::instrument(skip(self))]
    pub async fn friend_requests(&self, me: &str) -> Result<Vec<Friend>, AppError> {
        let items: Vec<FriendItem> = newest_pending(&self.store, k::friend_requests(me)).await?;
        Ok(items.into_iter().map(|i| i.friend).collect())
    }
}

/// The requests waiting for a user's answer, for the apply notices of the chat socket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RequestCounts {
    /// Friend requests received.
    #[serde(rename = "friendNoticeNum")]
    pub friends: usize,
    /// Requests to join the groups the user owns.
    #[serde(rename = "groupNoticeNum")]
    pub groups: usize,
}

impl WeifStore {
    /// How many friend and group-join requests wait for `user_id`'s answer, each counted up to
    /// [`MAX_PENDING_LISTED`] (what the lists show).
    /// Cost: 2 Queries on GSI1 (`Select: COUNT`, run at once, ≤ 500 small items each).
    #[tracing::instrument(skip(self))]
    pub async fn request_counts(&self, user_id: &str) -> Result<RequestCounts, AppError> {
        let (friends, groups) = tokio::try_join!(
            Query::gsi1(k::friend_requests(user_id))
                .limit(MAX_PENDING_LISTED)
                .count(&self.store),
            Query::gsi1(k::group_requests(user_id))
                .limit(MAX_PENDING_LISTED)
                .count(&self.store),
        )?;
        Ok(RequestCounts { friends, groups })
    }
}
