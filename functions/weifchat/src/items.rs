//! How weifChat records are stored: one struct per entity, mapped with `serde_dynamo`. Keys
//! come from [`crate::keys`]; attribute names used in expressions are the constants of
//! [`crate::keys::attr`] (the tests below keep both in step). Times are milliseconds
//! since the epoch; the wire formats are made from them on the way out.

use serde::{Deserialize, Serialize};

use shared::keys::Key;

use crate::keys as k;

/// The key attributes and entity every item has.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Head {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
}

impl Head {
    fn new(key: Key, entity: &str) -> Self {
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: entity.to_owned(),
        }
    }
}

/// An optional GSI1 key (sparse index: items leave the index by removing it).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Gsi1 {
    #[serde(rename = "GSI1PK", default, skip_serializing_if = "Option::is_none")]
    pub pk: Option<String>,
    #[serde(rename = "GSI1SK", default, skip_serializing_if = "Option::is_none")]
    pub sk: Option<String>,
}

impl Gsi1 {
    fn of(key: Option<(String, String)>) -> Self {
        match key {
            Some((pk, sk)) => Self {
                pk: Some(pk),
                sk: Some(sk),
            },
            None => Self::default(),
        }
    }
}

/// An optional GSI2 key (sparse, keys only): a join request under its applicant.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Gsi2 {
    #[serde(rename = "GSI2PK", default, skip_serializing_if = "Option::is_none")]
    pub pk: Option<String>,
    #[serde(rename = "GSI2SK", default, skip_serializing_if = "Option::is_none")]
    pub sk: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct AccountItem {
    #[serde(flatten)]
    pub head: Head,
    #[serde(rename = "userId")]
    pub user_id: String,
    #[serde(rename = "passwordHash")]
    pub password_hash: String,
    #[serde(rename = "createdAt")]
    pub created_at: i64,
}

impl AccountItem {
    pub fn new(phone: &str, user_id: &str, password_hash: String, now: i64) -> Self {
        Self {
            head: Head::new(k::account(phone), k::entity::ACCOUNT),
            user_id: user_id.into(),
            password_hash,
            created_at: now,
        }
    }
}

/// A user: what the profile routes show (the password hash lives on the account item).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    #[serde(rename = "userId")]
    pub id: String,
    pub phone: String,
    pub nick: String,
    #[serde(rename = "imgUrl")]
    pub img_url: String,
    pub sex: String,
    pub birthday: String,
    pub sign: String,
    #[serde(rename = "WaiFCode")]
    pub waif_code: String,
    #[serde(rename = "createdAt")]
    pub created_at: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct UserItem {
    #[serde(flatten)]
    pub head: Head,
    #[serde(flatten)]
    pub gsi1: Gsi1,
    #[serde(flatten)]
    pub user: User,
    #[serde(rename = "friendCount", default)]
    pub friend_count: i64,
    /// Bumped by every change of what [`PeerCopy`] keeps (0: never changed).
    #[serde(rename = "profileVersion", default, skip_serializing_if = "is_zero")]
    pub profile_version: u64,
    /// The version the user's relations' copies were last brought to (`weif-profile-copies`).
    #[serde(rename = "copiedVersion", default, skip_serializing_if = "is_zero")]
    pub copied_version: u64,
}

impl UserItem {
    pub fn new(user: &User) -> Self {
        Self {
            head: Head::new(k::user(&user.id), k::entity::USER),
            gsi1: Gsi1::of(k::nick_index(&user.nick, &user.id)),
            user: user.clone(),
            friend_count: 0,
            profile_version: 0,
            copied_version: 0,
        }
    }
}

/// What a friend edge keeps of the other user, so the lists and histories that show friends
/// read no user item (issue 11): the public profile, not the phone. Copied at befriending;
/// `weif-profile-copies` rewrites it when the profile changes (docs/decisions.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerCopy {
    pub nick: String,
    #[serde(rename = "imgUrl")]
    pub img_url: String,
    pub sex: String,
    pub birthday: String,
    pub sign: String,
    #[serde(rename = "WaiFCode")]
    pub waif_code: String,
    #[serde(rename = "createdAt")]
    pub created_at: i64,
}

impl PeerCopy {
    pub fn of(u: &User) -> Self {
        Self {
            nick: u.nick.clone(),
            img_url: u.img_url.clone(),
            sex: u.sex.clone(),
            birthday: u.birthday.clone(),
            sign: u.sign.clone(),
            waif_code: u.waif_code.clone(),
            created_at: u.created_at,
        }
    }

    /// The user `id` as the copy shows them (no phone).
    pub fn user(&self, id: &str) -> User {
        User {
            id: id.into(),
            phone: String::new(),
            nick: self.nick.clone(),
            img_url: self.img_url.clone(),
            sex: self.sex.clone(),
            birthday: self.birthday.clone(),
            sign: self.sign.clone(),
            waif_code: self.waif_code.clone(),
            created_at: self.created_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct WaifCodeItem {
    #[serde(flatten)]
    pub head: Head,
    #[serde(rename = "userId")]
    pub user_id: String,
}

impl WaifCodeItem {
    pub fn new(code: &str, user_id: &str) -> Self {
        Self {
            head: Head::new(k::waif_code(code), k::entity::WAIF_CODE),
            user_id: user_id.into(),
        }
    }
}

/// One side of a friendship or friend request: `user_id`'s view of `friend_id`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Friend {
    /// The relation's ID (the same on both sides).
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "userId")]
    pub user_id: String,
    #[serde(rename = "friendId")]
    pub friend_id: String,
    /// 0 requested, 1 friends.
    pub state: u8,
    /// A request `friend_id` sent to `user_id` (false: one `user_id` sent).
    pub incoming: bool,
    /// When the request was sent, or the friendship began.
    pub time: i64,
    /// `friend_id`'s profile, on a friendship's edges and on the receiver's side of a request
    /// (`None` on the sender's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<PeerCopy>,
    /// The profile version `peer` was copied at.
    #[serde(rename = "peerVersion", default, skip_serializing_if = "is_zero")]
    pub peer_version: u64,
}

impl Friend {
    /// The other user as this edge's copy shows them.
    pub fn peer_user(&self) -> Option<User> {
        self.peer.as_ref().map(|p| p.user(&self.friend_id))
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct FriendItem {
    #[serde(flatten)]
    pub head: Head,
    #[serde(flatten)]
    pub gsi1: Gsi1,
    #[serde(flatten)]
    pub friend: Friend,
}

impl FriendItem {
    /// A pending request's side: only the receiver's side is listed (its requests to answer).
    pub fn request(f: &Friend) -> Self {
        let gsi1 = f
            .incoming
            .then(|| (k::friend_requests(&f.user_id), k::by_time(f.time, &[&f.friend_id])));
        Self {
            head: Head::new(k::friend(&f.user_id, &f.friend_id), k::entity::FRIEND),
            gsi1: Gsi1::of(gsi1),
            friend: f.clone(),
        }
    }
}

/// A group as stored (`userId` is its owner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "userId")]
    pub owner_id: String,
    #[serde(rename = "groupName")]
    pub name: String,
    #[serde(rename = "groupNumber")]
    pub number: i64,
    pub sign: String,
    #[serde(rename = "imgUrl")]
    pub img_url: String,
    #[serde(rename = "createdAt")]
    pub created_at: i64,
}

/// What a membership and a join request keep of their group, so the caller's groups and the
/// owner's join requests read no group item (issue 11): its name and picture. Copied when the
/// membership or the request is written; `weif-profile-copies` rewrites it when the group is
/// edited (docs/decisions.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCopy {
    #[serde(rename = "groupName")]
    pub name: String,
    #[serde(rename = "imgUrl")]
    pub img_url: String,
}

impl GroupCopy {
    pub fn of(g: &Group) -> Self {
        Self {
            name: g.name.clone(),
            img_url: g.img_url.clone(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct GroupItem {
    #[serde(flatten)]
    pub head: Head,
    #[serde(flatten)]
    pub gsi1: Gsi1,
    #[serde(flatten)]
    pub group: Group,
    #[serde(rename = "memberCount", default)]
    pub member_count: i64,
    #[serde(rename = "deletedAt", default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
    /// Bumped by each edit of the group ([`GroupCopy`]'s fields among them).
    #[serde(rename = "groupVersion", default, skip_serializing_if = "is_zero")]
    pub group_version: u64,
    /// The version the copies of the group were last brought to.
    #[serde(rename = "copiedVersion", default, skip_serializing_if = "is_zero")]
    pub copied_version: u64,
}

impl GroupItem {
    pub fn new(group: &Group, member_count: i64) -> Self {
        Self {
            head: Head::new(k::group(&group.id), k::entity::GROUP),
            gsi1: Gsi1::of(k::group_name_index(&group.name, &group.id)),
            group: group.clone(),
            member_count,
            deleted_at: None,
            group_version: 0,
            copied_version: 0,
        }
    }

    /// The group unless it is being dissolved.
    pub fn live(self) -> Option<Group> {
        self.deleted_at.is_none().then_some(self.group)
    }

    /// The item unless its group is being dissolved.
    pub fn if_live(self) -> Option<Self> {
        self.deleted_at.is_none().then_some(self)
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct GroupNumberItem {
    #[serde(flatten)]
    pub head: Head,
    #[serde(rename = "groupId")]
    pub group_id: String,
}

impl GroupNumberItem {
    pub fn new(number: i64, group_id: &str) -> Self {
        Self {
            head: Head::new(k::group_number(number), k::entity::GROUP_NUMBER),
            group_id: group_id.into(),
        }
    }
}

/// A membership, or a join request (then `owner_id` is the group's owner, who answers it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "groupId")]
    pub group_id: String,
    #[serde(rename = "userId")]
    pub user_id: String,
    #[serde(rename = "ownerId")]
    pub owner_id: String,
    pub time: i64,
    /// A member's copy of their own profile ([`PeerCopy`]), so member lists read no user item
    /// (`None` on a join request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<PeerCopy>,
    #[serde(rename = "peerVersion", default, skip_serializing_if = "is_zero")]
    pub peer_version: u64,
    /// The group's name and picture ([`GroupCopy`]), so the member's group list and the owner's
    /// join requests read no group item, and the group version they were copied at.
    #[serde(rename = "groupCopy", default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupCopy>,
    #[serde(rename = "groupVersion", default, skip_serializing_if = "is_zero")]
    pub group_version: u64,
}

impl Membership {
    /// The member as the membership's copy shows them.
    pub fn member_user(&self) -> Option<User> {
        self.peer.as_ref().map(|p| p.user(&self.user_id))
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct MembershipItem {
    #[serde(flatten)]
    pub head: Head,
    #[serde(flatten)]
    pub gsi1: Gsi1,
    #[serde(flatten)]
    pub membership: Membership,
    /// A member's read mark: the group chat's last seq they have read (members only).
    #[serde(rename = "readSeq", default, skip_serializing_if = "is_zero")]
    pub read_seq: u64,
    /// A join request's entry under its applicant (`keys::user_joins`), by which a profile
    /// edit finds the request's copy of the applicant (requests only).
    #[serde(flatten)]
    pub gsi2: Gsi2,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl MembershipItem {
    /// A member who has read the group's chat up to `read_seq` (a new member: what was said
    /// before they joined is not unread for them).
    pub fn member(m: &Membership, read_seq: u64) -> Self {
        Self {
            head: Head::new(k::member(&m.group_id, &m.user_id), k::entity::MEMBER),
            gsi1: Gsi1::of(Some((k::user_groups(&m.user_id), k::by_time(m.time, &[&m.group_id])))),
            membership: m.clone(),
            read_seq,
            gsi2: Gsi2::default(),
        }
    }

    pub fn join_request(m: &Membership) -> Self {
        Self {
            head: Head::new(k::join(&m.group_id, &m.user_id), k::entity::JOIN),
            gsi1: Gsi1::of(Some((
                k::group_requests(&m.owner_id),
                k::by_time(m.time, &[&m.group_id, &m.user_id]),
            ))),
            membership: m.clone(),
            read_seq: 0,
            gsi2: Gsi2 {
                pk: Some(k::user_joins(&m.user_id)),
                sk: Some(m.group_id.clone()),
            },
        }
    }
}

/// A space moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Space {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "userId")]
    pub user_id: String,
    #[serde(rename = "textDesc")]
    pub text_desc: String,
    #[serde(default)]
    pub photos: Vec<String>,
    pub time: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct SpaceItem {
    #[serde(flatten)]
    pub head: Head,
    #[serde(flatten)]
    pub gsi1: Gsi1,
    #[serde(flatten)]
    pub space: Space,
    #[serde(rename = "likeCount", default)]
    pub like_count: i64,
    #[serde(rename = "commentCount", default)]
    pub comment_count: i64,
    #[serde(rename = "deletedAt", default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
}

impl SpaceItem {
    pub fn new(space: &Space) -> Self {
        Self {
            head: Head::new(k::space(&space.id), k::entity::SPACE),
            // Out of every index: its counters change with each like and comment.
            gsi1: Gsi1::default(),
            space: space.clone(),
            like_count: 0,
            comment_count: 0,
            deleted_at: None,
        }
    }

    pub fn live(self) -> Option<Space> {
        self.deleted_at.is_none().then_some(self.space)
    }
}

/// A moment in its author's listing (#31 and the feed's backfill): its content without the
/// counters, written and deleted with the moment.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct SpaceListingItem {
    #[serde(flatten)]
    pub head: Head,
    #[serde(flatten)]
    pub space: Space,
}

impl SpaceListingItem {
    pub fn new(space: &Space) -> Self {
        Self {
            head: Head::new(k::user_space(&space.user_id, &space.id), k::entity::SPACE_LISTING),
            space: space.clone(),
        }
    }
}

/// A like of a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Like {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "spaceId")]
    pub space_id: String,
    #[serde(rename = "userId")]
    pub user_id: String,
    pub time: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct LikeItem {
    #[serde(flatten)]
    pub head: Head,
    #[serde(flatten)]
    pub like: Like,
}

impl LikeItem {
    pub fn new(like: &Like) -> Self {
        Self {
            head: Head::new(k::like(&like.space_id, &like.user_id), k::entity::LIKE),
            like: like.clone(),
        }
    }
}

/// A comment (type 0) or a reply to one (type 1, with `space_comment_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "spaceId")]
    pub space_id: String,
    #[serde(rename = "spaceCommentId", default, skip_serializing_if = "Option::is_none")]
    pub space_comment_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: u8,
    pub textarea: String,
    #[serde(rename = "userId")]
    pub user_id: String,
    #[serde(rename = "fromId")]
    pub from_id: String,
    #[serde(rename = "toId")]
    pub to_id: String,
    pub time: i64,
}

impl Comment {
    pub fn key(&self) -> Key {
        match &self.space_comment_id {
            Some(parent) => k::reply(&self.space_id, parent, &self.id),
            None => k::comment(&self.space_id, &self.id),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct CommentItem {
    #[serde(flatten)]
    pub head: Head,
    #[serde(flatten)]
    pub gsi1: Gsi1,
    #[serde(flatten)]
    pub comment: Comment,
}

impl CommentItem {
    pub fn new(c: &Comment) -> Self {
        Self {
            head: Head::new(c.key(), k::entity::COMMENT),
            gsi1: Gsi1::of(Some(k::comment_lookup(&c.id))),
            comment: c.clone(),
        }
    }
}

/// A note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "userId")]
    pub user_id: String,
    pub text: String,
    pub color: String,
    pub time: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct NoteItem {
    #[serde(flatten)]
    pub head: Head,
    #[serde(flatten)]
    pub note: Note,
}

impl NoteItem {
    pub fn new(note: &Note) -> Self {
        Self {
            head: Head::new(k::note(&note.user_id, &note.id), k::entity::NOTE),
            note: note.clone(),
        }
    }
}

// ---- messages (issue 9) ----

/// A stored chat message, private (`to_id` the receiver) or in a group (`group_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    #[serde(rename = "_id")]
    pub id: String,
    /// The sequence number in its chat, from 1, gap-free.
    pub seq: u64,
    #[serde(rename = "fromId")]
    pub from_id: String,
    #[serde(rename = "toId", default, skip_serializing_if = "Option::is_none")]
    pub to_id: Option<String>,
    #[serde(rename = "groupId", default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(rename = "msgType")]
    pub msg_type: u8,
    pub message: String,
    pub time: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct MessageItem {
    #[serde(flatten)]
    pub head: Head,
    #[serde(flatten)]
    pub message: Message,
}

impl MessageItem {
    pub fn new(chat: &str, m: &Message) -> Self {
        Self {
            head: Head::new(k::message(chat, m.seq), k::entity::MESSAGE),
            message: m.clone(),
        }
    }
}

/// A chat's last message, as the conversation list shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastMessage {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "fromId")]
    pub from_id: String,
    #[serde(rename = "msgType")]
    pub msg_type: u8,
    pub message: String,
    pub time: i64,
}

impl LastMessage {
    pub fn of(m: &Message) -> Self {
        Self {
            id: m.id.clone(),
            from_id: m.from_id.clone(),
            msg_type: m.msg_type,
            message: m.message.clone(),
            time: m.time,
        }
    }
}

/// A chat's head: the sequence counter (`lastSeq`, the last message's number) and the last
/// message. Absent until the first message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct ChatHeadItem {
    #[serde(flatten)]
    pub head: Head,
    #[serde(rename = "lastSeq")]
    pub last_seq: u64,
    #[serde(rename = "lastMsg")]
    pub last_msg: LastMessage,
}

/// A user's side of a private chat: the last message, how far the user has read (`readSeq`)
/// and how many messages to them are unread, and a copy of the peer's profile. Written when
/// the two become friends (no message yet: out of the list), moved by each message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    #[serde(rename = "userId")]
    pub user_id: String,
    #[serde(rename = "peerId")]
    pub peer_id: String,
    #[serde(rename = "lastSeq", default)]
    pub last_seq: u64,
    #[serde(rename = "lastTime", default)]
    pub last_time: i64,
    #[serde(rename = "lastMsg", default)]
    pub last_msg: LastMessage,
    #[serde(rename = "readSeq", default)]
    pub read_seq: u64,
    #[serde(default)]
    pub unread: u64,
    /// The peer's profile, as on the friend edge ([`PeerCopy`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<PeerCopy>,
    #[serde(rename = "peerVersion", default, skip_serializing_if = "is_zero")]
    pub peer_version: u64,
}

impl Conversation {
    /// The peer as this side's copy shows them.
    pub fn peer_user(&self) -> Option<User> {
        self.peer.as_ref().map(|p| p.user(&self.peer_id))
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct ConversationItem {
    #[serde(flatten)]
    pub head: Head,
    #[serde(flatten)]
    pub conversation: Conversation,
}

/// A membership's read mark (`readSeq` on the `MEMBER#` item), as the member index lists it.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct MemberMarkItem {
    #[serde(rename = "groupId")]
    pub group_id: String,
    #[serde(rename = "readSeq", default)]
    pub read_seq: u64,
    #[serde(rename = "groupCopy", default)]
    pub group: Option<GroupCopy>,
}

/// Whether a raw item is of `entity`.
pub(super) fn is_entity(item: &shared::store::Item, entity: &str) -> bool {
    item.get(shared::keys::ENTITY)
        .and_then(|v| v.as_s().ok())
        .is_some_and(|e| e == entity)
}

/// A moment in a viewer's feed (fan-out on write): which moment (the sort key) and whose, so a
/// page's authors are known before the moments are read. About 130 bytes: 1 write unit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct FeedEntryItem {
    #[serde(flatten)]
    pub head: Head,
    /// The moment's author.
    #[serde(rename = "userId")]
    pub author_id: String,
}

impl FeedEntryItem {
    pub fn new(viewer_id: &str, space: &Space) -> Self {
        Self::of(viewer_id, &space.id, &space.user_id)
    }

    /// Moment `space_id` of `author_id`'s in `viewer_id`'s feed.
    pub fn of(viewer_id: &str, space_id: &str, author_id: &str) -> Self {
        Self {
            head: Head::new(k::feed_entry(viewer_id, space_id), k::entity::FEED_ENTRY),
            author_id: author_id.to_owned(),
        }
    }

    pub fn space_id(&self) -> &str {
        &self.head.sk
    }
}

/// Work for the `weif-feed-fanout` function on the table's stream: write (or remove) a big
/// author's moment in their friends' feeds. Deleted when done.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct FanOutJobItem {
    #[serde(flatten)]
    pub head: Head,
    #[serde(flatten)]
    pub space: Space,
}

impl FanOutJobItem {
    pub fn new(space: &Space, add: bool) -> Self {
        Self {
            head: Head::new(k::fan_out_job(&space.id, add), k::entity::FAN_OUT),
            space: space.clone(),
        }
    }
}

/// Items as the store's writes leave them, for bulk loads that can't go through the API in
/// reasonable time (the feed's cost test fills 200 friends with batch writes).
pub mod bulk {
    use super::*;
    use shared::store::Item;

    fn item(value: impl Serialize) -> Item {
        serde_dynamo::to_item(value).expect("a weifChat item serializes")
    }

    /// A registered user's profile (its account and WaiFCode items left out).
    pub fn user(user: &User, friend_count: i64) -> Item {
        item(UserItem {
            friend_count,
            ..UserItem::new(user)
        })
    }

    /// Both sides of a friendship between `a` (who asked) and `b`, as `agree_friend` leaves
    /// them: each edge and each (empty) conversation with a copy of the other's profile.
    pub fn friendship(id: &str, a: &User, b: &User, time: i64) -> [Item; 4] {
        let side = |user: &str, other: &User, incoming: bool| {
            item(FriendItem {
                head: Head::new(k::friend(user, &other.id), k::entity::FRIEND),
                gsi1: Gsi1::of(Some((k::friends(user), k::by_time(time, &[&other.id])))),
                friend: Friend {
                    id: id.into(),
                    user_id: user.into(),
                    friend_id: other.id.clone(),
                    state: 1,
                    incoming,
                    time,
                    peer: Some(PeerCopy::of(other)),
                    peer_version: 0,
                },
            })
        };
        let conversation = |user: &str, other: &User| {
            item(ConversationItem {
                head: Head::new(k::conversation(user, &other.id), k::entity::CONVERSATION),
                conversation: Conversation {
                    user_id: user.into(),
                    peer_id: other.id.clone(),
                    peer: Some(PeerCopy::of(other)),
                    ..Conversation::default()
                },
            })
        };
        [
            side(&a.id, b, false),
            side(&b.id, a, true),
            conversation(&a.id, b),
            conversation(&b.id, a),
        ]
    }

    /// Whether a bulk item is a conversation (to put another in its place).
    pub fn is_conversation(item: &Item) -> bool {
        is_entity(item, k::entity::CONVERSATION)
    }

    /// A moment and its listing copy, as published (no likes or comments yet).
    pub fn space(space: &Space) -> [Item; 2] {
        [item(SpaceItem::new(space)), item(SpaceListingItem::new(space))]
    }

    /// Moment `space` in `viewer_id`'s feed.
    pub fn feed_entry(viewer_id: &str, space: &Space) -> Item {
        item(FeedEntryItem::new(viewer_id, space))
    }

    /// A friend request of `f.friend_id`'s to `f.user_id` (`f.incoming`: the receiver's side,
    /// the one listed), as `request_friend` leaves it.
    pub fn friend_request(f: &Friend) -> Item {
        item(FriendItem::request(f))
    }

    /// A group with `member_count` members and its number, as `create_group` leaves them
    /// (the owner's membership is a [`member`]).
    pub fn group(group: &Group, member_count: i64) -> [Item; 2] {
        [
            item(GroupItem::new(group, member_count)),
            item(GroupNumberItem::new(group.number, &group.id)),
        ]
    }

    /// A member of a group, as `create_group` or `agree_join` leaves it (the group's
    /// `memberCount` is not moved: the fan-out test and the bench fill members this way).
    pub fn member(m: &Membership) -> Item {
        item(MembershipItem::member(m, 0))
    }

    /// A request to join a group, as `request_join` leaves it.
    pub fn join_request(m: &Membership) -> Item {
        item(MembershipItem::join_request(m))
    }

    /// A note, as `add_note` leaves it.
    pub fn note(note: &Note) -> Item {
        item(NoteItem::new(note))
    }

    /// A message of `chat` ([`k::private_chat`] or [`k::group_chat`]), as a send leaves it.
    pub fn message(chat: &str, m: &Message) -> Item {
        item(MessageItem::new(chat, m))
    }

    /// The head of `chat` after its last message `last`, as a send leaves it.
    pub fn chat_head(chat: &str, last: &Message) -> Item {
        item(ChatHeadItem {
            head: Head::new(k::chat_head(chat), k::entity::CHAT_HEAD),
            last_seq: last.seq,
            last_msg: LastMessage::of(last),
        })
    }

    /// One side of a private conversation, listed in its user's conversations, as a send
    /// leaves it.
    pub fn conversation(c: &Conversation) -> Item {
        #[derive(Serialize)]
        struct Listed<'a> {
            #[serde(flatten)]
            head: Head,
            #[serde(flatten)]
            gsi1: Gsi1,
            #[serde(flatten)]
            conversation: &'a Conversation,
        }
        item(Listed {
            head: Head::new(k::conversation(&c.user_id, &c.peer_id), k::entity::CONVERSATION),
            gsi1: Gsi1::of(Some((
                k::conversations(&c.user_id),
                k::by_time(c.last_time, &[&c.peer_id]),
            ))),
            conversation: c,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::attr;
    use shared::keys;
    use shared::store::Item;

    fn has(item: &Item, names: &[&str]) {
        for name in names {
            assert!(item.contains_key(*name), "missing {name} in {item:?}");
        }
    }

    fn user() -> User {
        User {
            id: "u1".into(),
            phone: "13800000000".into(),
            nick: "Wifi歪f".into(),
            img_url: "/user_pic1.jpeg".into(),
            sex: "男".into(),
            birthday: "2003-06-26".into(),
            sign: "s".into(),
            waif_code: "WaiFCode_1".into(),
            created_at: 1,
        }
    }

    #[test]
    fn user_items_use_the_expression_attribute_names() {
        let item: Item = serde_dynamo::to_item(UserItem::new(&user())).unwrap();
        has(
            &item,
            &[
                keys::PK,
                keys::SK,
                keys::ENTITY,
                keys::GSI1_PK,
                keys::GSI1_SK,
                attr::USER_ID,
                attr::NICK,
                attr::IMG_URL,
                attr::SEX,
                attr::BIRTHDAY,
                attr::SIGN,
                attr::FRIEND_COUNT,
            ],
        );
        let back: UserItem = serde_dynamo::from_item(item).unwrap();
        assert_eq!(back.user, user());
    }

    #[test]
    fn a_bulk_conversation_is_listed_in_its_users_conversations_as_a_send_lists_it() {
        let m = Message {
            id: "m".into(),
            seq: 3,
            from_id: "b".into(),
            to_id: Some("a".into()),
            group_id: None,
            msg_type: 0,
            message: "hi".into(),
            time: 7,
        };
        let c = Conversation {
            user_id: "a".into(),
            peer_id: "b".into(),
            last_seq: 3,
            last_time: 7,
            last_msg: LastMessage::of(&m),
            read_seq: 0,
            unread: 1,
            ..Conversation::default()
        };
        let item = bulk::conversation(&c);
        let s = |name: &str| item[name].as_s().unwrap().clone();
        assert_eq!(s(keys::GSI1_PK), k::conversations("a"));
        assert_eq!(s(keys::GSI1_SK), k::by_time(7, &["b"]));
        assert_eq!(s(keys::PK), k::conversation("a", "b").pk);
        let back: ConversationItem = serde_dynamo::from_item(item).unwrap();
        assert_eq!(back.conversation, c);
    }

    #[test]
    fn only_the_receivers_side_of_a_request_is_listed() {
        let f = Friend {
            id: "r".into(),
            user_id: "b".into(),
            friend_id: "a".into(),
            state: 0,
            incoming: true,
            time: 5,
            ..Friend::default()
        };
        let item: Item = serde_dynamo::to_item(FriendItem::request(&f)).unwrap();
        has(&item, &[keys::GSI1_PK, attr::STATE, attr::INCOMING, attr::TIME]);
        let sent = Friend { incoming: false, ..f };
        let item: Item = serde_dynamo::to_item(FriendItem::request(&sent)).unwrap();
        assert!(!item.contains_key(keys::GSI1_PK));
    }

    #[test]
    fn group_and_space_items_have_their_counters() {
        let g = Group {
            id: "g".into(),
            owner_id: "u".into(),
            name: "n".into(),
            number: 1,
            sign: "s".into(),
            img_url: "/group_pic.png".into(),
            created_at: 1,
        };
        let mut gi = GroupItem::new(&g, 1);
        gi.deleted_at = Some(2);
        let item: Item = serde_dynamo::to_item(gi).unwrap();
        has(
            &item,
            &[
                attr::MEMBER_COUNT,
                attr::DELETED_AT,
                attr::GROUP_NAME,
                attr::USER_ID,
                attr::SIGN,
            ],
        );
        let s = Space {
            id: "s".into(),
            user_id: "u".into(),
            text_desc: "t".into(),
            photos: vec![],
            time: 1,
        };
        let item: Item = serde_dynamo::to_item(SpaceItem::new(&s)).unwrap();
        has(&item, &[attr::LIKE_COUNT, attr::COMMENT_COUNT]);
        // The counters change with every like: the moment stays out of every index, and its
        // listing copy carries no counter.
        assert!(!item.contains_key(keys::GSI1_PK));
        let listing: Item = serde_dynamo::to_item(SpaceListingItem::new(&s)).unwrap();
        assert!(!listing.contains_key(attr::LIKE_COUNT) && !listing.contains_key(keys::GSI1_PK));
        has(&listing, &[attr::USER_ID]);
        let m = Membership {
            id: "m".into(),
            group_id: "g".into(),
            user_id: "u".into(),
            owner_id: "o".into(),
            time: 1,
            ..Membership::default()
        };
        let item: Item = serde_dynamo::to_item(MembershipItem::join_request(&m)).unwrap();
        has(&item, &[attr::OWNER_ID]);
    }

    #[test]
    fn copies_and_versions_use_the_attribute_names_of_the_expressions() {
        let u = User {
            id: "u".into(),
            phone: "13800000000".into(),
            nick: "n".into(),
            img_url: "/p.png".into(),
            sex: "男".into(),
            birthday: String::new(),
            sign: "s".into(),
            waif_code: "WaiFCode_0000000001".into(),
            created_at: 1,
        };
        let f = Friend {
            friend_id: u.id.clone(),
            peer: Some(PeerCopy::of(&u)),
            peer_version: 2,
            ..Friend::default()
        };
        let item: Item = serde_dynamo::to_item(FriendItem::request(&f)).unwrap();
        has(&item, &[attr::PEER, attr::PEER_VERSION]);
        let copy = item[attr::PEER].as_m().unwrap();
        assert!(
            copy.contains_key(attr::NICK) && !copy.contains_key("phone"),
            "no phone in a copy"
        );
        let back: FriendItem = serde_dynamo::from_item(item).unwrap();
        assert_eq!(
            back.friend.peer_user(),
            Some(User {
                phone: String::new(),
                ..u.clone()
            })
        );
        let user: Item = serde_dynamo::to_item(UserItem {
            profile_version: 3,
            copied_version: 2,
            ..UserItem::new(&u)
        })
        .unwrap();
        has(&user, &[attr::PROFILE_VERSION, attr::COPIED_VERSION]);
        // A group's copy on a membership (and a join request), and the group's versions.
        let g = Group {
            id: "g".into(),
            owner_id: "o".into(),
            name: "n".into(),
            number: 1,
            sign: "s".into(),
            img_url: "/g.png".into(),
            created_at: 1,
        };
        let m = Membership {
            group_id: g.id.clone(),
            group: Some(GroupCopy::of(&g)),
            group_version: 4,
            ..Membership::default()
        };
        let member: Item = serde_dynamo::to_item(MembershipItem::member(&m, 0)).unwrap();
        has(&member, &[attr::GROUP_COPY, attr::GROUP_VERSION]);
        let copy = member[attr::GROUP_COPY].as_m().unwrap();
        assert_eq!(copy.len(), 2);
        has(copy, &[attr::GROUP_NAME, attr::IMG_URL]);
        let group: Item = serde_dynamo::to_item(GroupItem {
            group_version: 4,
            copied_version: 3,
            ..GroupItem::new(&g, 1)
        })
        .unwrap();
        has(&group, &[attr::GROUP_VERSION, attr::COPIED_VERSION]);
    }

    #[test]
    fn replies_live_under_their_comment() {
        let c = Comment {
            id: "r".into(),
            space_id: "s".into(),
            space_comment_id: Some("c".into()),
            kind: 1,
            textarea: "x".into(),
            user_id: "u".into(),
            from_id: "u".into(),
            to_id: "v".into(),
            time: 1,
        };
        assert_eq!(c.key(), k::reply("s", "c", "r"));
        let item: Item = serde_dynamo::to_item(CommentItem::new(&c)).unwrap();
        assert!(is_entity(&item, k::entity::COMMENT));
    }

    #[test]
    fn message_items_use_the_expression_attribute_names() {
        let m = Message {
            id: "m".into(),
            seq: 3,
            from_id: "a".into(),
            to_id: Some("b".into()),
            group_id: None,
            msg_type: 0,
            message: "hi".into(),
            time: 1,
        };
        let item: Item = serde_dynamo::to_item(MessageItem::new(&k::private_chat("a", "b"), &m)).unwrap();
        assert_eq!(item["SK"].as_s().unwrap(), "MSG#000000000003");
        let conv = Conversation {
            user_id: "a".into(),
            peer_id: "b".into(),
            last_seq: 3,
            last_time: 1,
            last_msg: LastMessage::of(&m),
            read_seq: 2,
            unread: 1,
            ..Conversation::default()
        };
        let item: Item = serde_dynamo::to_item(ConversationItem {
            head: Head::new(k::conversation("a", "b"), k::entity::CONVERSATION),
            conversation: conv,
        })
        .unwrap();
        has(
            &item,
            &[
                attr::LAST_SEQ,
                attr::LAST_TIME,
                attr::LAST_MSG,
                attr::READ_SEQ,
                attr::UNREAD,
                attr::PEER_ID,
            ],
        );
    }
}
