//! Groups. A group's partition holds the group item, its join requests and its members; the
//! group counts its members (at most [`MAX_GROUP_MEMBERS`]) in the same transactions that add
//! or remove them. Dissolving first marks the group (which every later join, agree or edit
//! fails on), then deletes the partition and the group number.
//!
//! A user is in at most [`MAX_GROUPS_PER_USER`] groups: creating a group or being accepted into
//! one first counts the user's memberships (their GSI1 partition), so leaving, being removed and
//! a dissolve free a place with nothing to keep in step; the lists read the newest 500 whatever
//! the data (docs/decisions.md).

use std::collections::HashMap;

use super::{MAX_GROUP_MEMBERS, MAX_GROUPS_PER_USER, WeifStore, newest, newest_pending};
use crate::items::{
    ChatHeadItem, Group, GroupCopy, GroupItem, GroupNumberItem, Membership, MembershipItem, User, is_entity,
};
use crate::keys::{self as k, attr};
use shared::error::AppError;
use shared::ids;
use shared::keys::{self, Key};
use shared::store::query::Query;
use shared::store::write::{Change, Written};
use shared::store::{Marked, n, s};

/// How many consecutive group numbers a create tries (numbers are creation milliseconds, as
/// in the original, made unique by a number item).
const NUMBER_ATTEMPTS: i64 = 10;

/// A user's standing in a group (`state` of `/home/group`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinState {
    /// 0: asked to join, no answer yet.
    Requested,
    /// 1: a member.
    Member,
    /// 2: neither.
    Outside,
}

impl JoinState {
    pub fn code(self) -> u8 {
        match self {
            Self::Requested => 0,
            Self::Member => 1,
            Self::Outside => 2,
        }
    }
}

/// A group with its members (oldest first, so the owner leads) and the viewer's standing.
#[derive(Debug, Clone)]
pub struct GroupHome {
    pub group: Group,
    pub members: Vec<Membership>,
    pub state: JoinState,
}

/// A change to group `id` while it exists and isn't being dissolved.
fn live_group(id: &str) -> Change {
    Change::new(k::group(id)).when_exists().when_absent(attr::DELETED_AT)
}

/// [`live_group`] while the group is at `version` (the one a copy was made from:
/// `WeifStore::copy_group` brings copies of later versions).
fn live_group_at(id: &str, version: u64) -> Change {
    match version {
        0 => live_group(id).when_zero(attr::GROUP_VERSION),
        v => live_group(id).when_eq(attr::GROUP_VERSION, n(v as i64)),
    }
}

fn no_group() -> AppError {
    AppError::not_found("该群不存在")
}

fn no_request() -> AppError {
    AppError::not_found("入群申请不存在或已处理")
}

/// Whether a user with `count` groups (as [`WeifStore::group_count`] counts) may be in one more.
fn has_room(count: usize) -> bool {
    count < MAX_GROUPS_PER_USER
}

impl WeifStore {
    /// Creates a group with its owner as first member and a unique group number (the
    /// creation time in milliseconds, or the next free one), unless the owner is in
    /// [`MAX_GROUPS_PER_USER`] groups already. The owner's membership carries a copy of their
    /// profile, checked unchanged in the same transaction.
    /// Cost: 1 Query on GSI1 (`Select: COUNT`) ∥ 1 GetItem (the owner) + 1 TransactWriteItems
    /// (+1 per taken number).
    #[tracing::instrument(skip_all, fields(group_id = %group.id, owner = %group.owner_id))]
    pub async fn create_group(&self, mut group: Group) -> Result<Group, AppError> {
        let owner_id = group.owner_id.clone();
        let no_user = || AppError::not_found("该用户不存在");
        let (count, owner_item) = tokio::try_join!(self.group_count(&owner_id), self.user_item(&owner_id, false))?;
        if !has_room(count) {
            return Err(AppError::conflict("你加入的群聊数量已达上限"));
        }
        let mut owner_item = owner_item.ok_or_else(no_user)?;
        let id = ids::new_id();
        for attempt in 0..NUMBER_ATTEMPTS {
            group.number = group.created_at + attempt;
            let (copy, unchanged) = self.profile_copy(&owner_item)?;
            let owner = Membership {
                id: id.clone(),
                group_id: group.id.clone(),
                user_id: owner_id.clone(),
                owner_id: owner_id.clone(),
                time: group.created_at,
                peer: Some(copy),
                peer_version: owner_item.profile_version,
                group: Some(GroupCopy::of(&group)),
                group_version: 0,
            };
            let tx = vec![
                self.put_new(GroupItem::new(&group, 1))?,
                self.put_new(GroupNumberItem::new(group.number, &group.id))?,
                self.put_new(MembershipItem::member(&owner, 0))?,
                unchanged,
            ];
            match self.store.transact(tx).await? {
                Ok(()) => return Ok(group),
                Err(c) if c.condition_failed(1) => continue,
                // The owner's profile changed since the read: copy the new one.
                Err(c) if c.condition_failed(3) => {
                    owner_item = self.user_item(&owner_id, true).await?.ok_or_else(no_user)?;
                }
                Err(c) => return Err(AppError::internal(format!("group create cancelled: {c:?}"))),
            }
        }
        Err(AppError::internal("no free group number"))
    }

    /// The members as their memberships' copies show them (a user item read only for a
    /// membership without a copy). Cost: none, or 1 BatchGetItem per 100 members without one.
    #[tracing::instrument(skip_all)]
    pub async fn members_users(&self, members: &[Membership]) -> Result<HashMap<String, User>, AppError> {
        self.copied_users(members.iter().map(|m| (m.user_id.as_str(), m.member_user())))
            .await
    }

    /// A group, unless it doesn't exist or is being dissolved. Cost: 1 GetItem.
    #[tracing::instrument(skip(self))]
    pub async fn group(&self, id: &str) -> Result<Option<Group>, AppError> {
        Ok(self.group_item(id, false).await?.map(|i| i.group))
    }

    /// A group item (with its version), unless it doesn't exist or is being dissolved.
    /// Cost: 1 GetItem.
    async fn group_item(&self, id: &str, consistent: bool) -> Result<Option<GroupItem>, AppError> {
        let item: Option<GroupItem> = self.store.get(&k::group(id), consistent).await?;
        Ok(item.and_then(GroupItem::if_live))
    }

    /// The group of each of `memberships` (or join requests) as its copy shows it, reading only
    /// the groups of those without one, and leaving out those groups if dissolved.
    /// Cost: none, or 1 BatchGetItem per 100 groups without a copy.
    #[tracing::instrument(skip_all)]
    pub async fn groups_of(&self, memberships: &[Membership]) -> Result<HashMap<String, GroupCopy>, AppError> {
        let mut copies = HashMap::new();
        let mut uncopied = Vec::new();
        for m in memberships {
            match &m.group {
                Some(copy) => {
                    copies.insert(m.group_id.clone(), copy.clone());
                }
                None => uncopied.push(m.group_id.as_str()),
            }
        }
        for (id, group) in self.groups(uncopied).await? {
            copies.insert(id, GroupCopy::of(&group));
        }
        Ok(copies)
    }

    /// The live groups among `ids`. Cost: 1 BatchGetItem per 100.
    #[tracing::instrument(skip_all)]
    pub async fn groups<'i>(&self, ids: impl IntoIterator<Item = &'i str>) -> Result<HashMap<String, Group>, AppError> {
        let mut keys: Vec<Key> = Vec::new();
        for id in ids {
            let key = k::group(id);
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        let items: Vec<GroupItem> = self.get_many(&keys).await?;
        Ok(items
            .into_iter()
            .filter_map(GroupItem::live)
            .map(|g| (g.id.clone(), g))
            .collect())
    }

    /// The group `caller` owns, else `该群不存在` / 403. Cost: 1 GetItem.
    async fn owned_group(&self, caller: &str, group_id: &str, consistent: bool) -> Result<GroupItem, AppError> {
        let item = self.group_item(group_id, consistent).await?.ok_or_else(no_group)?;
        if item.group.owner_id != caller {
            return Err(AppError::forbidden("只有群主可以操作"));
        }
        Ok(item)
    }

    /// A live group and its members (oldest first): the group's partition up to its join
    /// requests (`#GROUP` < `MEMBER#` < `REQUEST#`), one Query charged by the bytes read rather
    /// than per item. Cost: 1 Query (1 + members ≤ 501 items).
    #[tracing::instrument(skip(self))]
    pub async fn group_and_members(&self, group_id: &str) -> Result<Option<(Group, Vec<Membership>)>, AppError> {
        let items = Query::table(k::group_partition(group_id))
            .before(k::JOIN_PREFIX)
            .all(&self.store)
            .await?;
        let mut group = None;
        let mut members = Vec::with_capacity(items.len());
        for item in items {
            if is_entity(&item, k::entity::GROUP) {
                group = serde_dynamo::from_item::<_, GroupItem>(item)?.live();
            } else {
                members.push(serde_dynamo::from_item::<_, MembershipItem>(item)?.membership);
            }
        }
        members.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
        Ok(group.map(|g| (g, members)))
    }

    /// A group, its members and `viewer`'s standing. Cost: 1 Query (the group and its members)
    /// ∥ 1 GetItem (the viewer's join request).
    #[tracing::instrument(skip(self))]
    pub async fn group_home(&self, group_id: &str, viewer: &str) -> Result<Option<GroupHome>, AppError> {
        let request_key = k::join(group_id, viewer);
        let (found, request) = tokio::try_join!(
            self.group_and_members(group_id),
            self.store.get_item(&request_key, false),
        )?;
        let Some((group, members)) = found else {
            return Ok(None);
        };
        let state = if members.iter().any(|m| m.user_id == viewer) {
            JoinState::Member
        } else if request.is_some() {
            JoinState::Requested
        } else {
            JoinState::Outside
        };
        Ok(Some(GroupHome { group, members, state }))
    }

    /// `user_id` asks to join: the request is written on the condition that none is pending,
    /// the user isn't a member and the group is live. It carries a copy of the group's name and
    /// picture and one of the applicant's profile (the owner's list of requests reads no group
    /// and no user item), each checked unchanged in the same transaction (an edit meanwhile:
    /// read again); it is indexed under the applicant (GSI2), where `copy_profile` finds it.
    /// Answers the group's owner (who answers the request). Cost: 2 GetItems (at once) + 1
    /// TransactWriteItems per attempt.
    #[tracing::instrument(skip(self))]
    pub async fn request_join(&self, group_id: &str, user_id: &str, now: i64) -> Result<String, AppError> {
        let id = ids::new_id();
        let (mut group, mut applicant) =
            tokio::try_join!(self.group_item(group_id, false), self.user_item(user_id, false))?;
        for _ in 0..super::COPY_ATTEMPTS {
            let item = group.as_ref().ok_or_else(no_group)?;
            let applicant_item = applicant
                .as_ref()
                .ok_or_else(|| AppError::internal(format!("no user item for {user_id}")))?;
            let (copy, unchanged) = self.profile_copy(applicant_item)?;
            let request = Membership {
                id: id.clone(),
                group_id: group_id.into(),
                user_id: user_id.into(),
                owner_id: item.group.owner_id.clone(),
                time: now,
                peer: Some(copy),
                peer_version: applicant_item.profile_version,
                group: Some(GroupCopy::of(&item.group)),
                group_version: item.group_version,
            };
            let tx = vec![
                self.put_new(MembershipItem::join_request(&request))?,
                Change::new(k::member(group_id, user_id))
                    .when_absent(keys::PK)
                    .into_check(self.table())?,
                live_group_at(group_id, item.group_version).into_check(self.table())?,
                unchanged,
            ];
            match self.store.transact(tx).await? {
                Ok(()) => return Ok(request.owner_id),
                // The group dissolved or edited, or the profile edited, since the read: read
                // again what moved (the next read tells a dissolve).
                Err(c) if c.condition_failed(2) || c.condition_failed(3) => {
                    if c.condition_failed(2) {
                        group = self.group_item(group_id, true).await?;
                    }
                    if c.condition_failed(3) {
                        applicant = self.user_item(user_id, true).await?;
                    }
                }
                Err(c) if c.condition_failed(1) => return Err(AppError::conflict("你已经是群成员了")),
                Err(c) if c.condition_failed(0) => {
                    return Err(AppError::conflict("已发送过入群申请, 请等待群主同意"));
                }
                Err(c) => return Err(AppError::internal(format!("join request cancelled: {c:?}"))),
            }
        }
        match group {
            Some(_) => Err(super::still_changing()),
            None => Err(no_group()),
        }
    }

    /// The owner refuses a join request. Cost: 1 GetItem + 1 DeleteItem.
    #[tracing::instrument(skip(self))]
    pub async fn refuse_join(&self, caller: &str, group_id: &str, user_id: &str) -> Result<(), AppError> {
        self.owned_group(caller, group_id, false).await?;
        if self.store.delete_if_exists(&k::join(group_id, user_id)).await? {
            Ok(())
        } else {
            Err(no_request())
        }
    }

    /// The owner accepts a join request: the request becomes a membership and the group counts
    /// it, in one transaction (a full or dissolving group refuses, and so does an applicant in
    /// [`MAX_GROUPS_PER_USER`] groups already, the request left waiting). The new member's read
    /// mark starts at the group chat's last message: what was said before is not unread for them.
    /// The membership carries a copy of the member's profile and of the group's name and
    /// picture, each checked unchanged in the same transaction (an edit meanwhile: read again).
    /// Cost: 3 GetItems (group, chat head, applicant) and 1 Query on GSI1 (`Select: COUNT`), at
    /// once, + 1 TransactWriteItems per attempt.
    #[tracing::instrument(skip(self))]
    pub async fn agree_join(&self, caller: &str, group_id: &str, user_id: &str, now: i64) -> Result<(), AppError> {
        let head_key = k::chat_head(&k::group_chat(group_id));
        let (mut group, head, groups, mut applicant) = tokio::try_join!(
            self.owned_group(caller, group_id, false),
            self.store.get::<ChatHeadItem>(&head_key, false),
            self.group_count(user_id),
            self.user_item(user_id, false),
        )?;
        if !has_room(groups) {
            return Err(AppError::conflict("对方加入的群聊数量已达上限"));
        }
        let id = ids::new_id();
        for _ in 0..super::COPY_ATTEMPTS {
            let applicant_item = applicant.as_ref().ok_or_else(no_request)?;
            let (copy, unchanged) = self.profile_copy(applicant_item)?;
            let member = Membership {
                id: id.clone(),
                group_id: group_id.into(),
                user_id: user_id.into(),
                owner_id: caller.into(),
                time: now,
                peer: Some(copy),
                peer_version: applicant_item.profile_version,
                group: Some(GroupCopy::of(&group.group)),
                group_version: group.group_version,
            };
            let tx = vec![
                self.store.delete_existing(&k::join(group_id, user_id))?,
                self.put_new(MembershipItem::member(&member, head.as_ref().map_or(0, |h| h.last_seq)))?,
                live_group_at(group_id, group.group_version)
                    .add(attr::MEMBER_COUNT, 1)
                    .when_lt(attr::MEMBER_COUNT, n(MAX_GROUP_MEMBERS))
                    .into_update_returning_old(self.table())?,
                unchanged,
            ];
            let c = match self.store.transact(tx).await? {
                Ok(()) => return Ok(()),
                Err(c) => c,
            };
            if c.condition_failed(0) {
                return Err(no_request());
            }
            if c.condition_failed(1) {
                return Err(AppError::conflict("该用户已是群成员"));
            }
            if c.condition_failed(2) {
                // Dissolved, full, or edited since the read (then: read again).
                let old: Option<GroupItem> = c.item(2).cloned().map(serde_dynamo::from_item).transpose()?;
                match old.and_then(GroupItem::if_live) {
                    None => return Err(no_group()),
                    Some(old) if old.group_version == group.group_version => {
                        return Err(AppError::conflict("群成员已满"));
                    }
                    Some(_) => group = self.owned_group(caller, group_id, true).await?,
                }
            } else if c.condition_failed(3) {
                applicant = self.user_item(user_id, true).await?;
            } else {
                return Err(AppError::internal(format!("join agree cancelled: {c:?}")));
            }
        }
        Err(super::still_changing())
    }

    /// Removes `user_id` from a group: the user leaving, or the owner removing a member (the
    /// owner can't leave; dissolving is their way out). Cost: 1 GetItem + 1 TransactWriteItems.
    #[tracing::instrument(skip(self))]
    pub async fn remove_member(&self, caller: &str, group_id: &str, user_id: &str) -> Result<(), AppError> {
        let group = self.group(group_id).await?.ok_or_else(no_group)?;
        if user_id == group.owner_id {
            return Err(AppError::bad_request("群主不能退出群聊, 请解散该群"));
        }
        if caller != user_id && caller != group.owner_id {
            return Err(AppError::forbidden("只有群主可以移除群成员"));
        }
        let tx = vec![
            self.store.delete_existing(&k::member(group_id, user_id))?,
            Change::new(k::group(group_id))
                .add(attr::MEMBER_COUNT, -1)
                .when_exists()
                .into_update(self.table())?,
        ];
        match self.store.transact(tx).await? {
            Ok(()) => Ok(()),
            Err(c) if c.condition_failed(0) => Err(AppError::not_found("该用户不是群成员")),
            Err(c) if c.condition_failed(1) => Err(no_group()),
            Err(c) => Err(AppError::internal(format!("member remove cancelled: {c:?}"))),
        }
    }

    /// The owner dissolves a group: it is marked first (so no join, agree or edit succeeds
    /// any more, and it leaves the name index), then its requests, members, number and the
    /// group item are deleted. The mark also reaches `weif-profile-copies` on the table's
    /// stream, which deletes the same ([`Self::copy_group`]): a dissolve a fault interrupted is
    /// finished within seconds, not left in the members' lists (which show the memberships'
    /// copies) until the owner tries again. Cost: 1 UpdateItem + 1 Query + 1 BatchWriteItem per
    /// 25 items + 1 DeleteItem (and the same again on the stream, for what is left then).
    #[tracing::instrument(skip(self))]
    pub async fn dissolve_group(&self, caller: &str, group_id: &str) -> Result<(), AppError> {
        let group = match self.mark_deleted(&k::group(group_id), caller).await? {
            Marked::Done(item) => serde_dynamo::from_item::<_, GroupItem>(item)?.group,
            Marked::NotOwner => return Err(AppError::forbidden("只有群主可以解散群聊")),
            Marked::Missing => return Err(no_group()),
        };
        self.delete_group(&group).await
    }

    /// Deletes a marked group's collection: its requests and members, its number, then the group
    /// item (last, so a delete interrupted can run again). Cost: 1 Query + 1 BatchWriteItem per
    /// 25 items + 1 DeleteItem.
    async fn delete_group(&self, group: &Group) -> Result<(), AppError> {
        self.store
            .delete_collection(&k::group(&group.id), &[k::group_number(group.number)])
            .await
    }

    /// The owner changes a group's name, introduction and (when given) picture: a new group
    /// version (`copy_group` carries it to the memberships' and requests' copies).
    /// Cost: 1 UpdateItem.
    #[tracing::instrument(skip(self, name, sign, img_url))]
    pub async fn update_group(
        &self,
        caller: &str,
        group_id: &str,
        name: String,
        sign: String,
        img_url: Option<String>,
    ) -> Result<(), AppError> {
        let (gpk, gsk) = k::group_name_index(&name, group_id).ok_or_else(|| AppError::internal("empty group name"))?;
        let change = live_group(group_id)
            .when_eq(attr::USER_ID, s(caller))
            .set(attr::GROUP_NAME, s(name))
            .set(attr::SIGN, s(sign))
            .set(keys::GSI1_PK, s(gpk))
            .set(keys::GSI1_SK, s(gsk))
            .add(attr::GROUP_VERSION, 1);
        let change = match img_url {
            Some(img) => change.set(attr::IMG_URL, s(img)),
            None => change,
        };
        match change.update(&self.store).await? {
            Written::Applied(_) => Ok(()),
            Written::Refused(Some(old)) if !old.contains_key(attr::DELETED_AT) => {
                Err(AppError::forbidden("只有群主可以修改群信息"))
            }
            Written::Refused(_) => Err(no_group()),
        }
    }

    /// Brings the copies of group `group_id`'s name and picture on its memberships and join
    /// requests up to the group's version: `weif-profile-copies` runs it on each change of the
    /// group item; most (member counts, the copied mark itself) leave the group as it was and
    /// end after the read. As with `copy_profile`, a copy is rewritten only while its item exists
    /// and holds an older one, then the group records the version copied. How many copies it
    /// looked at. A group being dissolved has its collection deleted instead, which finishes a
    /// dissolve a fault interrupted ([`Self::dissolve_group`]). Cost: 1 GetItem (consistent);
    /// when the group changed, + 1 Query of the group's partition (keys only) + 1 UpdateItem per
    /// member and request ([`super::FAN_OUT`] at a time) + 1 UpdateItem.
    #[tracing::instrument(skip(self))]
    pub async fn copy_group(&self, group_id: &str) -> Result<usize, AppError> {
        let Some(item) = self.store.get::<GroupItem>(&k::group(group_id), true).await? else {
            return Ok(0); // dissolved
        };
        if item.deleted_at.is_some() {
            // Being dissolved: the owner's request deletes the collection; this finishes it if
            // a fault stopped the request part-way.
            self.delete_group(&item.group).await?;
            tracing::info!("dissolve finished");
            return Ok(0);
        }
        let version = item.group_version;
        if version <= item.copied_version {
            return Ok(0);
        }
        let copy: aws_sdk_dynamodb::types::AttributeValue =
            serde_dynamo::to_attribute_value(GroupCopy::of(&item.group))?;
        let holders: Vec<Key> = Query::table(k::group_partition(group_id))
            .after(k::GROUP_SK)
            .keys_only()
            .all(&self.store)
            .await?
            .iter()
            .filter_map(Key::of_item)
            .collect();
        let copies = self
            .spread_copy(
                holders,
                (attr::GROUP_COPY, attr::GROUP_VERSION),
                copy,
                version,
                live_group(group_id),
            )
            .await?;
        tracing::info!(version, copies, "group copied");
        Ok(copies)
    }

    /// The groups `user_id` belongs to (memberships, oldest first): the newest
    /// [`MAX_GROUPS_PER_USER`], whatever the data (memberships written before the cap, or past
    /// it by a race). Cost: 1 Query on GSI1 (≤ 500 small items).
    #[tracing::instrument(skip(self))]
    pub async fn user_groups(&self, user_id: &str) -> Result<Vec<Membership>, AppError> {
        let items: Vec<MembershipItem> = newest(&self.store, k::user_groups(user_id), MAX_GROUPS_PER_USER).await?;
        Ok(items.into_iter().map(|i| i.membership).collect())
    }

    /// How many groups `user_id` is in, counted up to [`MAX_GROUPS_PER_USER`] (GSI1 is eventually
    /// consistent: a membership written a moment ago may not be counted yet).
    /// Cost: 1 Query on GSI1 (`Select: COUNT`, ≤ 500 small items).
    #[tracing::instrument(skip(self))]
    pub async fn group_count(&self, user_id: &str) -> Result<usize, AppError> {
        Query::gsi1(k::user_groups(user_id))
            .limit(MAX_GROUPS_PER_USER)
            .count(&self.store)
            .await
    }

    /// The unanswered join requests to the groups `owner` owns, oldest first: the newest
    /// [`MAX_PENDING_LISTED`]. Cost: 1 Query on GSI1 (≤ 500 small items).
    #[tracing::instrument(skip(self))]
    pub async fn join_requests(&self, owner: &str) -> Result<Vec<Membership>, AppError> {
        let items: Vec<MembershipItem> = newest_pending(&self.store, k::group_requests(owner)).await?;
        Ok(items.into_iter().map(|i| i.membership).collect())
    }
}
