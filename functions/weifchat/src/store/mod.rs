//! weifChat store operations, by concern: accounts and users ([`accounts`]), friends, groups,
//! space moments and notes. Every write states what must be true; the outcome of a failed
//! transaction is read from its cancellation reasons. Request costs per operation are listed
//! in `docs/data-model.md`.

mod accounts;
mod connections;
mod feed;
mod friends;
mod groups;
mod messages;
mod notes;
mod search;
mod spaces;
mod uploads;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use aws_sdk_dynamodb::types::TransactWriteItem;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use super::items::{PeerCopy, User, UserItem};
use crate::keys::{self as k, attr};
use shared::error::AppError;
use shared::keys::{self, Key};
use shared::store::Store;
use shared::store::write::Change;

pub use accounts::{Registration, UserChanges, new_waif_code};
pub use connections::{CONNECTION_TTL_SECS, MAX_USER_CONNECTIONS, Reach};
pub use feed::{FEED_BACKFILL, FEED_DEPTH, FEED_SYNC_FRIENDS, FeedPage};
pub use friends::{FriendState, RequestCounts};
pub use groups::{GroupHome, JoinState};
pub use messages::{
    Chat, Conversations, GroupChat, GroupConversation, MESSAGES_PER_PAGE, PrivateChat, SEND_ATTEMPTS, SENT_ID_SECS,
    SYNC_PAGE, Sent, SyncPage, page_range,
};
pub use notes::NOTES_PER_PAGE;
pub use search::SEARCH_LIMIT;
pub use search::SearchHits;
pub use spaces::{LIKE_ATTEMPTS, LikeOutcome, SpaceThread, thread_users};
pub use uploads::{Listed, Merged, Uploads};

/// The most friends a user may have: bounds the contacts list and a moment's fan-out.
pub const MAX_FRIENDS: i64 = 500;
/// The most members a group may have: bounds the member lists and the group home.
pub const MAX_GROUP_MEMBERS: i64 = 500;
/// The most comments and replies a moment may have: bounds what a moment's listing reads.
pub const MAX_SPACE_COMMENTS: i64 = 500;
/// The most pending requests (friend requests received, join requests to one's groups) a list
/// shows and a notice counts: the newest. Anyone may ask, so nothing else bounds them, and a list
/// of them is read whole (the seed's routes have no paging): past this, older requests wait
/// unlisted until newer ones are answered (docs/decisions.md).
pub const MAX_PENDING_LISTED: usize = 500;

/// The most groups a user may be in (created or joined). Creating a group or being accepted
/// into one counts the user's memberships first and is refused at the cap (a soft cap: requests
/// racing for the last places may pass it by a few, docs/decisions.md); whatever the data, the
/// caller's group list and the group part of the conversation list read the newest this many.
pub const MAX_GROUPS_PER_USER: usize = 500;

/// The newest [`MAX_PENDING_LISTED`] items of a GSI1 partition of pending requests, oldest first.
/// Cost: 1 Query on GSI1 (≤ 500 small items).
async fn newest_pending<T: serde::de::DeserializeOwned>(
    store: &shared::store::Store,
    partition: String,
) -> Result<Vec<T>, AppError> {
    newest(store, partition, MAX_PENDING_LISTED).await
}

/// The newest `limit` items of a time-ordered GSI1 partition, oldest first.
/// Cost: 1 Query on GSI1 (≤ `limit` items).
async fn newest<T: serde::de::DeserializeOwned>(
    store: &shared::store::Store,
    partition: String,
    limit: usize,
) -> Result<Vec<T>, AppError> {
    let mut items: Vec<T> = shared::store::query::Query::gsi1(partition)
        .newest_first()
        .limit(limit)
        .all_as(store)
        .await?;
    items.reverse();
    Ok(items)
}

/// Attempts of a write copying a profile or a group (an agree, a request, a membership) that
/// keeps changing under it: each attempt after the first reads it again.
const COPY_ATTEMPTS: u32 = 3;

/// The answer when [`COPY_ATTEMPTS`] all found what they copied edited meanwhile.
fn still_changing() -> AppError {
    AppError::conflict("资料正在更新, 请稍后再试")
}

/// How many reads run at once when a listing fans out (one query per moment of a feed page).
const FAN_OUT: usize = 16;

/// The weifChat surface's store. Cheap to clone (it shares the SDK client), so listings can
/// fan out over tasks.
#[derive(Clone)]
pub struct WeifStore {
    store: Store,
}

/// `change` on the condition that the user item's profile is at `version` (the one a copy was
/// made from: `WeifStore::copy_profile` brings copies of later versions).
fn at_profile_version(change: Change, version: u64) -> Change {
    match version {
        0 => change.when_zero(attr::PROFILE_VERSION),
        v => change.when_eq(attr::PROFILE_VERSION, shared::store::n(v as i64)),
    }
}

/// `change` also setting the copy of `user`'s profile (`peer`, `peerVersion`).
fn with_copy(change: Change, user: &UserItem) -> Result<Change, AppError> {
    let copy: aws_sdk_dynamodb::types::AttributeValue = serde_dynamo::to_attribute_value(PeerCopy::of(&user.user))?;
    Ok(change
        .set(attr::PEER, copy)
        .set(attr::PEER_VERSION, shared::store::n(user.profile_version as i64)))
}

impl WeifStore {
    pub fn new(store: &Store) -> Self {
        Self { store: store.clone() }
    }

    fn table(&self) -> &str {
        self.store.table()
    }

    /// A transaction item that creates `item`, failing its condition if its key is taken.
    fn put_new(&self, item: impl serde::Serialize) -> Result<TransactWriteItem, AppError> {
        self.store.put_new(serde_dynamo::to_item(item)?)
    }

    // ---- reads ----

    /// The items at `keys` that exist, as `T` (any order).
    async fn get_many<T: DeserializeOwned>(&self, keys: &[Key]) -> Result<Vec<T>, AppError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        Ok(serde_dynamo::from_items(self.store.batch_get(keys, false).await?)?)
    }

    /// The users named, by ID. Cost: 1 BatchGetItem per 100 users.
    #[tracing::instrument(skip_all)]
    pub async fn users<'i>(&self, ids: impl IntoIterator<Item = &'i str>) -> Result<HashMap<String, User>, AppError> {
        let mut keys: Vec<Key> = Vec::new();
        for id in ids {
            let key = k::user(id);
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        let items: Vec<super::items::UserItem> = self.get_many(&keys).await?;
        Ok(items.into_iter().map(|i| (i.user.id.clone(), i.user)).collect())
    }

    /// Users shown from copies of their profiles (friend edges, conversations, memberships):
    /// each `(id, copy)` with a copy is taken as it is; the user items are read only for those
    /// without one. Cost: 1 BatchGetItem per 100 users without a copy (none if all have one).
    pub async fn copied_users<'i>(
        &self,
        copies: impl IntoIterator<Item = (&'i str, Option<User>)>,
    ) -> Result<HashMap<String, User>, AppError> {
        let mut users = HashMap::new();
        let mut uncopied = Vec::new();
        for (id, copy) in copies {
            match copy {
                Some(user) => {
                    users.insert(id.to_owned(), user);
                }
                None => uncopied.push(id),
            }
        }
        users.extend(self.users(uncopied).await?);
        Ok(users)
    }

    /// A user item (with its versions). Cost: 1 GetItem.
    pub(crate) async fn user_item(&self, id: &str, consistent: bool) -> Result<Option<UserItem>, AppError> {
        self.store.get(&k::user(id), consistent).await
    }

    /// The user items named, by ID (with their versions). Cost: 1 BatchGetItem.
    pub(crate) async fn user_items(
        &self,
        ids: &[&str],
        consistent: bool,
    ) -> Result<HashMap<String, UserItem>, AppError> {
        let keys: Vec<Key> = ids.iter().map(|id| k::user(id)).collect();
        let items: Vec<UserItem> = serde_dynamo::from_items(self.store.batch_get(&keys, consistent).await?)?;
        Ok(items.into_iter().map(|i| (i.user.id.clone(), i)).collect())
    }

    /// A copy of `user`'s profile (for a membership or a request), and a check for the same
    /// transaction that the profile is still the one copied (else `copy_profile` may already have
    /// passed the item by, and the copy would stay behind). Cost: none (a ConditionCheck of the
    /// transaction).
    fn profile_copy(&self, user: &UserItem) -> Result<(PeerCopy, TransactWriteItem), AppError> {
        let check = at_profile_version(Change::new(k::user(&user.user.id)), user.profile_version);
        Ok((PeerCopy::of(&user.user), check.into_check(self.table())?))
    }

    /// Marks `caller`'s item at `key` (a moment, a group) as being deleted: `deletedAt` set and
    /// out of GSI1, so it leaves its listings while its collection is deleted. Cost: 1 UpdateItem.
    async fn mark_deleted(&self, key: &Key, caller: &str) -> Result<shared::store::Marked, AppError> {
        self.store
            .mark_deleted(
                key,
                attr::DELETED_AT,
                (attr::USER_ID, caller),
                &[keys::GSI1_PK, keys::GSI1_SK],
            )
            .await
    }

    /// Writes `copy`, taken at `version`, into each of `holders` (`attrs`: the copy's attribute
    /// and its version's) that exists and holds an older one, [`FAN_OUT`] at a time; then marks
    /// `version` copied on the source (`source`: its key and conditions), unless a later run got
    /// there first. So runs in any order, twice, or beside a write that copies a version it
    /// checked, leave the newest copy. How many holders it looked at.
    /// Cost: 1 UpdateItem per holder + 1 UpdateItem.
    async fn spread_copy(
        &self,
        holders: Vec<Key>,
        (copy_attr, version_attr): (&'static str, &'static str),
        copy: aws_sdk_dynamodb::types::AttributeValue,
        version: u64,
        source: Change,
    ) -> Result<usize, AppError> {
        let v = shared::store::n(version as i64);
        let copies = holders.len();
        let written = v.clone();
        self.fan_out(holders, move |store, holder| {
            let change = Change::new(holder)
                .when_exists()
                .when_absent_or_lt(version_attr, written.clone())
                .set(copy_attr, copy.clone())
                .set(version_attr, written.clone());
            async move { change.update(&store.store).await.map(|_| ()) }
        })
        .await?;
        source
            .when_absent_or_lt(attr::COPIED_VERSION, v.clone())
            .set(attr::COPIED_VERSION, v)
            .update(&self.store)
            .await?;
        Ok(copies)
    }

    /// Runs `f` for each input, [`FAN_OUT`] at a time; results in input order.
    async fn fan_out<I, T, F, Fut>(&self, inputs: Vec<I>, f: F) -> Result<Vec<T>, AppError>
    where
        I: Send + 'static,
        T: Send + 'static,
        F: Fn(WeifStore, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    {
        let limit = Arc::new(tokio::sync::Semaphore::new(FAN_OUT));
        let f = Arc::new(f);
        let mut tasks = tokio::task::JoinSet::new();
        for (i, input) in inputs.into_iter().enumerate() {
            let (store, limit, f) = (self.clone(), limit.clone(), f.clone());
            let task = async move {
                let _permit = limit.acquire_owned().await.map_err(AppError::internal)?;
                f(store, input).await.map(|t| (i, t))
            };
            // In the caller's span, so each task's DynamoDB calls show under its request.
            tasks.spawn(task.in_current_span());
        }
        let mut out = Vec::with_capacity(tasks.len());
        while let Some(done) = tasks.join_next().await {
            out.push(done.map_err(AppError::internal)??);
        }
        out.sort_by_key(|(i, _)| *i);
        Ok(out.into_iter().map(|(_, t)| t).collect())
    }
}
