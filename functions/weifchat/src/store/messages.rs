//! Messages (issue 9): private messages between friends and group messages from members, each
//! numbered in its chat by a gap-free sequence number, with the conversations and unread counts
//! they move, and the reads behind the history, the conversation list and the read marks.
//!
//! **Sequence numbers.** A chat's head item (`#CHAT`) holds `lastSeq`. A send reads the head
//! (consistent), then one `TransactWriteItems` puts `MSG#<lastSeq+1>` (`attribute_not_exists`),
//! advances the head on the condition that `lastSeq` is still the value read, checks the
//! friendship (or membership and a live group), and for a private chat updates both users'
//! conversations (the receiver's `unread` +1). Either all of it is stored or nothing: so seqs are
//! gap-free and unique, and a non-friend or non-member stores nothing. Two concurrent sends in
//! one chat: one wins the head's condition, the other reads again and takes the next number,
//! within [`SEND_ATTEMPTS`] (a send loses at most once per concurrent winner).
//!
//! **Unread.** Private: the receiver's conversation counts (`unread`), and `readSeq` says up to
//! where they have read (a message's `state`). Group: no per-member write per message; each
//! membership carries `readSeq` and a member's unread count is the head's `lastSeq − readSeq`
//! (one item read per group, whatever the history).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};

use super::{MAX_GROUPS_PER_USER, WeifStore};
use crate::items::{
    ChatHeadItem, Conversation, ConversationItem, Friend, FriendItem, GroupCopy, GroupItem, LastMessage,
    MemberMarkItem, MembershipItem, Message, MessageItem, User, is_entity,
};
use crate::keys::{self as k, attr, entity};
use crate::model::Content;
use shared::error::AppError;
use shared::keys::{self, Key};
use shared::store::query::Query;
use shared::store::write::{Change, Written};
use shared::store::{Item, backoff, cursor, n, s};

/// Messages per page of `/message/friend` and `/message/group`, as the seed says.
pub const MESSAGES_PER_PAGE: u64 = 20;
/// Messages per page of [`WeifStore::messages_after`] (a reconnecting client's catch-up).
pub const SYNC_PAGE: usize = 100;
/// How many times a send reads the counter and tries its transaction before answering busy.
/// Each lost attempt means another send in the same chat was stored meanwhile.
pub const SEND_ATTEMPTS: u32 = 12;
/// Attempts of a read mark that a new message keeps overtaking.
const MARK_ATTEMPTS: u32 = 3;

fn busy() -> AppError {
    AppError::conflict("消息发送繁忙, 请稍后再试")
}

/// A chat: its messages share one partition and one sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chat {
    /// Between two users (either order names the same chat).
    Private(String, String),
    Group(String),
}

impl Chat {
    pub fn private(a: &str, b: &str) -> Self {
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        Self::Private(low.into(), high.into())
    }

    pub fn group(group_id: &str) -> Self {
        Self::Group(group_id.into())
    }

    pub fn partition(&self) -> String {
        match self {
            Self::Private(a, b) => k::private_chat(a, b),
            Self::Group(g) => k::group_chat(g),
        }
    }
}

/// One page of a chat's messages after a sequence number, and the cursor of the next.
#[derive(Debug, Clone, Default)]
pub struct SyncPage {
    pub messages: Vec<Message>,
    pub next: Option<String>,
}

/// What the private history needs besides its page, read at once.
#[derive(Debug, Clone, Default)]
pub struct PrivateChat {
    pub me: Option<User>,
    pub friend: Option<User>,
    pub are_friends: bool,
    pub mine: Option<Conversation>,
    pub theirs: Option<Conversation>,
}

impl PrivateChat {
    /// The chat's last sequence number (0: no message yet).
    pub fn last_seq(&self) -> u64 {
        self.mine
            .iter()
            .chain(&self.theirs)
            .map(|c| c.last_seq)
            .max()
            .unwrap_or(0)
    }

    /// Whether `receiver` has read message `m` (`state` 1).
    pub fn is_read(&self, m: &Message) -> bool {
        let receiver_side = if m.to_id.as_deref() == self.me.as_ref().map(|u| u.id.as_str()) {
            &self.mine
        } else {
            &self.theirs
        };
        receiver_side.as_ref().is_some_and(|c| m.seq <= c.read_seq)
    }
}

/// What the group history needs besides its page.
#[derive(Debug, Clone, Default)]
pub struct GroupChat {
    /// The group's name and picture (`None`: no such group, or being dissolved).
    pub group: Option<GroupCopy>,
    pub member: bool,
    pub last_seq: u64,
}

/// A group in the caller's conversation list.
#[derive(Debug, Clone)]
pub struct GroupConversation {
    pub group_id: String,
    pub group: GroupCopy,
    pub last_msg: LastMessage,
    pub unread: u64,
}

/// The caller's conversations: private ones (with their peers) and groups with messages.
#[derive(Debug, Clone, Default)]
pub struct Conversations {
    pub private: Vec<Conversation>,
    pub groups: Vec<GroupConversation>,
    pub users: HashMap<String, User>,
}

/// The sequence numbers of page `page` (from 1, newest first) of a chat whose last message is
/// `last`: `None` past the end.
pub fn page_range(last: u64, page: u32) -> Option<(u64, u64)> {
    let skip = u64::from(page.max(1) - 1) * MESSAGES_PER_PAGE;
    if skip >= last {
        return None;
    }
    let high = last - skip;
    Some((high.saturating_sub(MESSAGES_PER_PAGE - 1).max(1), high))
}

/// Takes the item at `key` out of a batch read.
fn take(items: &mut Vec<Item>, key: &Key) -> Option<Item> {
    let at = items.iter().position(|i| {
        i.get(keys::PK).and_then(|v| v.as_s().ok()) == Some(&key.pk)
            && i.get(keys::SK).and_then(|v| v.as_s().ok()) == Some(&key.sk)
    })?;
    Some(items.swap_remove(at))
}

fn from_item<T: serde::de::DeserializeOwned>(item: Option<Item>) -> Result<Option<T>, AppError> {
    Ok(item.map(serde_dynamo::from_item).transpose()?)
}

/// A user's friend edge and conversation with one other user, out of one Query.
fn edge_and_conversation(items: Vec<Item>) -> Result<(Option<Friend>, Option<Conversation>), AppError> {
    let (mut edge, mut conversation) = (None, None);
    for item in items {
        if is_entity(&item, entity::FRIEND) {
            edge = from_item::<FriendItem>(Some(item))?.map(|i| i.friend);
        } else if is_entity(&item, entity::CONVERSATION) {
            conversation = from_item::<ConversationItem>(Some(item))?.map(|i| i.conversation);
        }
    }
    Ok((edge, conversation))
}

/// How long a sent message's client ID makes a resend a repeat.
pub const SENT_ID_SECS: i64 = 24 * 3600;

/// What a send did.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    /// Stored a new message.
    New(Message),
    /// A resend of a message the same sender already stored under the same client ID (within
    /// [`SENT_ID_SECS`]): nothing stored, nothing to push again.
    Repeat,
}

impl Sent {
    /// The new message; `None` for a repeat.
    pub fn message(self) -> Option<Message> {
        match self {
            Sent::New(m) => Some(m),
            Sent::Repeat => None,
        }
    }
}

impl WeifStore {
    /// `from` sends `content` to their friend `to`. Stores the message with the chat's next
    /// sequence number and both conversations (the receiver's unread +1) in one transaction
    /// that also checks the friendship: a non-friend stores nothing (403 `您与ta还不是好友哦`).
    /// With a client ID (`clientMsgId`), a resend of a message already stored is a
    /// [`Sent::Repeat`] (see [`WeifStore::append`]).
    /// Cost: per attempt 1 GetItem (consistent) + 1 TransactWriteItems of 5 items (6 with a
    /// client ID).
    #[tracing::instrument(skip(self, content))]
    pub async fn send_private(
        &self,
        from: &str,
        to: &str,
        content: &Content,
        client_id: Option<&str>,
        now: i64,
    ) -> Result<Sent, AppError> {
        let not_friends = || AppError::forbidden("您与ta还不是好友哦");
        if from == to {
            return Err(not_friends());
        }
        let chat = k::private_chat(from, to);
        let draft = |seq: u64| Message {
            id: shared::ids::new_id(),
            seq,
            from_id: from.into(),
            to_id: Some(to.into()),
            group_id: None,
            msg_type: content.msg_type.number(),
            message: content.message.as_str().into(),
            time: now,
        };
        let others = |m: &Message| -> Result<Vec<TransactWriteItem>, AppError> {
            let last: AttributeValue = serde_dynamo::to_attribute_value(LastMessage::of(m))?;
            let side = |user: &str, peer: &str, receiver: bool| {
                let change = Change::new(k::conversation(user, peer))
                    .set(keys::ENTITY, s(entity::CONVERSATION))
                    .set(attr::USER_ID, s(user))
                    .set(attr::PEER_ID, s(peer))
                    .set(attr::LAST_SEQ, n(m.seq as i64))
                    .set(attr::LAST_TIME, n(m.time))
                    .set(attr::LAST_MSG, last.clone())
                    .set(keys::GSI1_PK, s(k::conversations(user)))
                    .set(keys::GSI1_SK, s(k::by_time(m.time, &[peer])))
                    .set_if_absent(attr::READ_SEQ, n(0));
                let change = if receiver {
                    change.add(attr::UNREAD, 1)
                } else {
                    change.set_if_absent(attr::UNREAD, n(0))
                };
                change.into_update(self.table())
            };
            Ok(vec![
                Change::new(k::friend(from, to))
                    .when_eq(attr::STATE, n(1))
                    .into_check(self.table())?,
                side(from, to, false)?,
                side(to, from, true)?,
            ])
        };
        self.append(&chat, draft, others, |i| (i == 0).then(not_friends), (from, client_id))
            .await
    }

    /// `from` sends `content` to group `group_id`. Stored once in the group's chat with its
    /// next sequence number; the same transaction moves `from`'s read mark to it, which also
    /// checks that `from` is a member (403 `您还未加入该群哦`), and checks the group is live
    /// (`该群不存在`). A sender has read the chat up to their own message, as in the chat apps
    /// people know: their messages, and what came before them, are not unread for them. The
    /// mark only moves forward: the chat's transactions commit in sequence order.
    /// Cost: per attempt 1 GetItem (consistent) + 1 TransactWriteItems of 4 items (5 with a
    /// client ID, as [`WeifStore::send_private`]'s); the membership's GSI1 entry is rewritten.
    #[tracing::instrument(skip(self, content))]
    pub async fn send_group(
        &self,
        from: &str,
        group_id: &str,
        content: &Content,
        client_id: Option<&str>,
        now: i64,
    ) -> Result<Sent, AppError> {
        let chat = k::group_chat(group_id);
        let draft = |seq: u64| Message {
            id: shared::ids::new_id(),
            seq,
            from_id: from.into(),
            to_id: None,
            group_id: Some(group_id.into()),
            msg_type: content.msg_type.number(),
            message: content.message.as_str().into(),
            time: now,
        };
        let others = |message: &Message| -> Result<Vec<TransactWriteItem>, AppError> {
            Ok(vec![
                Change::new(k::member(group_id, from))
                    .when_exists()
                    .set(attr::READ_SEQ, n(message.seq as i64))
                    .into_update(self.table())?,
                Change::new(k::group(group_id))
                    .when_exists()
                    .when_absent(attr::DELETED_AT)
                    .into_check(self.table())?,
            ])
        };
        let refusal = |i| match i {
            0 => Some(AppError::forbidden("您还未加入该群哦")),
            1 => Some(AppError::not_found("该群不存在")),
            _ => None,
        };
        self.append(&chat, draft, others, refusal, (from, client_id)).await
    }

    /// Stores the next message of `chat`: reads the head, then puts the message and advances
    /// the head (on its old `lastSeq`) with `others` in one transaction. A failed condition of
    /// `others[i]` is `refusal(i)`; a lost race on the head reads again, [`SEND_ATTEMPTS`] times.
    /// With the sender's client ID, the same transaction claims it ([`k::sent_message`], must be
    /// absent): a resend that finds it claimed is a [`Sent::Repeat`], stored nowhere, whichever
    /// connection or retry it comes from; a send that failed claimed nothing, so its resend goes
    /// through.
    async fn append(
        &self,
        chat: &str,
        draft: impl Fn(u64) -> Message,
        others: impl Fn(&Message) -> Result<Vec<TransactWriteItem>, AppError>,
        refusal: impl Fn(usize) -> Option<AppError>,
        (sender, client_id): (&str, Option<&str>),
    ) -> Result<Sent, AppError> {
        for attempt in 0..SEND_ATTEMPTS {
            let head: Option<ChatHeadItem> = self.store.get(&k::chat_head(chat), true).await?;
            let last = head.map_or(0, |h| h.last_seq);
            let message = draft(last + 1);
            let advance = Change::new(k::chat_head(chat))
                .set(keys::ENTITY, s(entity::CHAT_HEAD))
                .set(attr::LAST_SEQ, n(message.seq as i64))
                .set(
                    attr::LAST_MSG,
                    serde_dynamo::to_attribute_value::<_, AttributeValue>(LastMessage::of(&message))?,
                );
            let advance = if last == 0 {
                advance.when_absent(keys::PK)
            } else {
                advance.when_eq(attr::LAST_SEQ, n(last as i64))
            };
            let mut tx = vec![
                self.put_new(MessageItem::new(chat, &message))?,
                advance.into_update(self.table())?,
            ];
            let extra = others(&message)?;
            let checks = extra.len();
            tx.extend(extra);
            let claim = tx.len();
            if let Some(id) = client_id {
                let key = k::sent_message(sender, id);
                let mut item = key.to_item();
                item.insert(keys::ENTITY.into(), s(entity::SENT));
                item.insert(attr::CHAT.into(), s(chat));
                item.insert(attr::SEQ.into(), n(message.seq as i64));
                item.insert(keys::TTL.into(), n(message.time / 1000 + SENT_ID_SECS));
                tx.push(self.store.put_new(item)?);
            }
            match self.store.transact(tx).await? {
                Ok(()) => return Ok(Sent::New(message)),
                Err(c) => {
                    if client_id.is_some() && c.condition_failed(claim) {
                        return Ok(Sent::Repeat);
                    }
                    if let Some(err) = (0..checks).filter(|i| c.condition_failed(i + 2)).find_map(&refusal) {
                        return Err(err);
                    }
                    if c.condition_failed(0) || c.condition_failed(1) {
                        backoff(attempt.min(3)).await;
                        continue;
                    }
                    return Err(AppError::internal(format!("message send cancelled: {c:?}")));
                }
            }
        }
        Err(busy())
    }

    /// Page `page` (from 1) of a chat whose last message is `last_seq`: 20 messages, oldest
    /// first, the newest page first; `None` past the end. One Query of the page's seq range,
    /// whatever the page's number. Cost: 1 Query (≤ 20 items).
    #[tracing::instrument(skip(self))]
    pub async fn history(&self, chat: &Chat, last_seq: u64, page: u32) -> Result<Option<Vec<Message>>, AppError> {
        let Some((low, high)) = page_range(last_seq, page) else {
            return Ok(None);
        };
        let p = chat.partition();
        let items: Vec<MessageItem> = Query::table(&p)
            .between(k::message(&p, low).sk, k::message(&p, high).sk)
            .all_as(&self.store)
            .await?;
        Ok(Some(items.into_iter().map(|i| i.message).collect()))
    }

    /// The newest page of a chat ([`MESSAGES_PER_PAGE`] messages, oldest first): page 1 without
    /// first reading the chat's head for its last sequence number. Cost: 1 Query (≤ 20 items).
    #[tracing::instrument(skip(self))]
    pub async fn newest_page(&self, chat: &Chat) -> Result<Vec<Message>, AppError> {
        let p = chat.partition();
        let mut items: Vec<MessageItem> = Query::table(&p)
            .begins_with(k::MESSAGE_PREFIX)
            .newest_first()
            .limit(MESSAGES_PER_PAGE as usize)
            .all_as(&self.store)
            .await?;
        items.reverse();
        Ok(items.into_iter().map(|i| i.message).collect())
    }

    /// A chat's messages after `after_seq`, oldest first, [`SYNC_PAGE`] a call; `cursor` (from
    /// the previous page's `next`) continues. For a reconnecting client: the caller checks it
    /// may read the chat. Cost: 1 Query (≤ 100 items).
    #[tracing::instrument(skip(self))]
    pub async fn messages_after(
        &self,
        chat: &Chat,
        after_seq: u64,
        cursor: Option<&str>,
    ) -> Result<SyncPage, AppError> {
        let p = chat.partition();
        let start = match cursor {
            Some(c) => cursor::decode(c, &[keys::PK, keys::SK], (keys::PK, &p))?,
            None => None,
        };
        let page = Query::table(&p)
            .after(k::message(&p, after_seq).sk)
            .limit(SYNC_PAGE)
            .start(start)
            .page(&self.store)
            .await?;
        let items: Vec<MessageItem> = serde_dynamo::from_items(page.items)?;
        Ok(SyncPage {
            messages: items.into_iter().map(|i| i.message).collect(),
            next: page.next.as_ref().map(cursor::encode).transpose()?,
        })
    }

    /// A private chat from both sides: each user's friend edge and conversation, one Query in
    /// each user's partition (the conversation sorts right after the edge), and each user as
    /// the other side's copies show them (read from the user items only where a copy is
    /// missing: strangers). Cost: 2 Queries at once (≤ 2 items each); + 1 BatchGetItem without
    /// copies.
    #[tracing::instrument(skip(self))]
    pub async fn private_chat(&self, me: &str, friend: &str) -> Result<PrivateChat, AppError> {
        let side = |user: &str, other: &str| {
            let (edge, conversation) = (k::friend(user, other), k::conversation(user, other));
            Query::table(edge.pk).between(edge.sk, conversation.sk).all(&self.store)
        };
        let (mine, theirs) = tokio::try_join!(side(me, friend), side(friend, me))?;
        let (my_edge, my_conv) = edge_and_conversation(mine)?;
        let (their_edge, their_conv) = edge_and_conversation(theirs)?;
        // The other side's copies show each user.
        let copy = |edge: &Option<Friend>, conv: &Option<Conversation>| {
            conv.as_ref()
                .and_then(Conversation::peer_user)
                .or_else(|| edge.as_ref().and_then(Friend::peer_user))
        };
        let mut users = self
            .copied_users([(me, copy(&their_edge, &their_conv)), (friend, copy(&my_edge, &my_conv))])
            .await?;
        Ok(PrivateChat {
            me: users.remove(me),
            friend: users.remove(friend),
            are_friends: me != friend && my_edge.is_some_and(|e| e.state == 1),
            mine: my_conv,
            theirs: their_conv,
        })
    }

    /// The group, whether `me` is a member, and its chat's last sequence number.
    /// Cost: 1 BatchGetItem (2 items; + 1 GetItem of the group for a non-member).
    #[tracing::instrument(skip(self))]
    pub async fn group_chat(&self, group_id: &str, me: &str) -> Result<GroupChat, AppError> {
        self.read_group_chat(group_id, me, true).await
    }

    /// The group and whether `me` is a member, without the chat's head (`last_seq` 0): for the
    /// reads that don't number pages. Cost: 1 GetItem (the membership; + 1 GetItem of the group
    /// for a non-member).
    #[tracing::instrument(skip(self))]
    pub async fn group_access(&self, group_id: &str, me: &str) -> Result<GroupChat, AppError> {
        self.read_group_chat(group_id, me, false).await
    }

    /// A member's membership carries the group's copy, so the group item is read only for
    /// someone who isn't one (to tell a missing group from a closed door).
    async fn read_group_chat(&self, group_id: &str, me: &str, with_head: bool) -> Result<GroupChat, AppError> {
        let (member_key, head_key) = (k::member(group_id, me), k::chat_head(&k::group_chat(group_id)));
        let mut keys = vec![member_key.clone()];
        if with_head {
            keys.push(head_key.clone());
        }
        let mut items = self.store.batch_get(&keys, false).await?;
        let member: Option<MembershipItem> = from_item(take(&mut items, &member_key))?;
        let head: Option<ChatHeadItem> = from_item(take(&mut items, &head_key))?;
        let (member, copy) = match member {
            Some(m) => (true, m.membership.group),
            None => (false, None),
        };
        let group = match copy {
            Some(copy) => Some(copy),
            None => self.group(group_id).await?.as_ref().map(GroupCopy::of),
        };
        Ok(GroupChat {
            group,
            member,
            last_seq: head.map_or(0, |h| h.last_seq),
        })
    }

    /// `me`'s conversations: private ones (newest first) with their peers, and the groups
    /// `me` is in that have messages (of the newest [`MAX_GROUPS_PER_USER`] memberships, as
    /// `/contacts/group` lists them), with `me`'s unread count.
    /// Each peer comes from the copy on the conversation.
    /// Cost: 2 Queries (conversations, ≤ 500 memberships) + 1 BatchGetItem per 50 groups; the
    /// number of conversations and groups, not of messages.
    #[tracing::instrument(skip(self))]
    pub async fn conversations(&self, me: &str) -> Result<Conversations, AppError> {
        let (convs, marks) = tokio::try_join!(
            Query::gsi1(k::conversations(me))
                .newest_first()
                .all_as::<ConversationItem>(&self.store),
            Query::gsi1(k::user_groups(me))
                .newest_first()
                .limit(MAX_GROUPS_PER_USER)
                .all_as::<MemberMarkItem>(&self.store),
        )?;
        let private: Vec<Conversation> = convs.into_iter().map(|i| i.conversation).collect();
        let mut keys: Vec<Key> = Vec::with_capacity(marks.len());
        let mut groups_by_id: HashMap<String, GroupCopy> = HashMap::new();
        for m in &marks {
            // A membership without the group's copy (written before there were copies).
            match &m.group {
                Some(copy) => {
                    groups_by_id.insert(m.group_id.clone(), copy.clone());
                }
                None => keys.push(k::group(&m.group_id)),
            }
            keys.push(k::chat_head(&k::group_chat(&m.group_id)));
        }
        let group_items = if keys.is_empty() {
            Vec::new()
        } else {
            self.store.batch_get(&keys, false).await?
        };
        let users = self
            .copied_users(private.iter().map(|c| (c.peer_id.as_str(), c.peer_user())))
            .await?;
        let mut heads: HashMap<String, ChatHeadItem> = HashMap::new();
        for item in group_items {
            if is_entity(&item, entity::GROUP) {
                if let Some(g) = serde_dynamo::from_item::<_, GroupItem>(item)?.live() {
                    groups_by_id.insert(g.id.clone(), GroupCopy::of(&g));
                }
            } else if is_entity(&item, entity::CHAT_HEAD) {
                let head: ChatHeadItem = serde_dynamo::from_item(item)?;
                heads.insert(head.head.pk.clone(), head);
            }
        }
        let mut groups = Vec::new();
        for m in marks {
            let (Some(group), Some(head)) = (
                groups_by_id.remove(&m.group_id),
                heads.remove(&k::group_chat(&m.group_id)),
            ) else {
                continue;
            };
            groups.push(GroupConversation {
                group_id: m.group_id,
                group,
                unread: head.last_seq.saturating_sub(m.read_seq),
                last_msg: head.last_msg,
            });
        }
        Ok(Conversations { private, groups, users })
    }

    /// `me` has read their private chat with `friend`: `unread` 0 and `readSeq` the last
    /// message's, on the condition that no message arrived since the read (else again).
    /// Nothing to do without a conversation. Cost: 1 GetItem (consistent) + ≤ 1 UpdateItem.
    #[tracing::instrument(skip(self))]
    pub async fn mark_private_read(&self, me: &str, friend: &str) -> Result<(), AppError> {
        let key = k::conversation(me, friend);
        for _ in 0..MARK_ATTEMPTS {
            let Some(conv) = self.store.get::<ConversationItem>(&key, true).await? else {
                return Ok(());
            };
            let c = conv.conversation;
            if c.unread == 0 && c.read_seq >= c.last_seq {
                return Ok(());
            }
            let written = Change::new(key.clone())
                .when_eq(attr::LAST_SEQ, n(c.last_seq as i64))
                .set(attr::UNREAD, n(0))
                .set(attr::READ_SEQ, n(c.last_seq as i64))
                .update(&self.store)
                .await?;
            if let Written::Applied(_) = written {
                return Ok(());
            }
        }
        Err(busy())
    }

    /// `me` has read group `group_id` up to its last message: the membership's `readSeq`
    /// moves forward (never back). A non-member writes nothing.
    /// Cost: 1 GetItem (consistent) + ≤ 1 UpdateItem.
    #[tracing::instrument(skip(self))]
    pub async fn mark_group_read(&self, me: &str, group_id: &str) -> Result<(), AppError> {
        let head: Option<ChatHeadItem> = self.store.get(&k::chat_head(&k::group_chat(group_id)), true).await?;
        let Some(last) = head.map(|h| h.last_seq as i64) else {
            return Ok(());
        };
        // Refused: not a member, or already read this far; either way nothing to do.
        Change::new(k::member(group_id, me))
            .when_exists()
            .when_absent_or_lt(attr::READ_SEQ, n(last))
            .set(attr::READ_SEQ, n(last))
            .update(&self.store)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_a_seq_range_from_the_newest() {
        assert_eq!(page_range(0, 1), None);
        assert_eq!(page_range(5, 1), Some((1, 5)));
        assert_eq!(page_range(5, 2), None);
        assert_eq!(page_range(1000, 1), Some((981, 1000)));
        assert_eq!(page_range(1000, 2), Some((961, 980)));
        assert_eq!(page_range(1000, 50), Some((1, 20)));
        assert_eq!(page_range(1000, 51), None);
        assert_eq!(page_range(45, 3), Some((1, 5)));
    }

    #[test]
    fn a_private_chat_is_the_same_from_both_sides() {
        assert_eq!(Chat::private("a", "b"), Chat::private("b", "a"));
        assert_eq!(Chat::private("b", "a").partition(), k::private_chat("a", "b"));
        assert_eq!(Chat::group("g").partition(), k::group_chat("g"));
    }
}
