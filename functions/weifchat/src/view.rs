//! The records as the seed's samples print them: MongoDB documents with `_id` and `__v`, other
//! documents "populated" into small objects (`null` when the referenced document is gone, as
//! Mongoose populates), and times in each sample's format (`crate::time`).

use std::collections::HashMap;

use crate::{
    Comment, Friend, Group, GroupCopy, LastMessage, Like, Membership, Message, Note, Space, User, model, time,
};
use serde::Serialize;

/// MongoDB's version key, always 0 here (documents are never re-versioned).
const V: u8 = 0;

pub type Users = HashMap<String, User>;

/// `{_id, nick, imgUrl}`.
#[derive(Serialize)]
pub struct UserBrief {
    #[serde(rename = "_id")]
    id: String,
    nick: String,
    #[serde(rename = "imgUrl")]
    img_url: String,
}

impl UserBrief {
    pub fn of(u: &User) -> Self {
        Self {
            id: u.id.clone(),
            nick: u.nick.clone(),
            img_url: u.img_url.clone(),
        }
    }

    pub fn lookup(users: &Users, id: &str) -> Option<Self> {
        users.get(id).map(Self::of)
    }
}

/// `{_id, nick, imgUrl, sign}` (contacts, search).
#[derive(Serialize)]
pub struct UserSigned {
    #[serde(flatten)]
    brief: UserBrief,
    sign: String,
}

impl UserSigned {
    pub fn of(u: &User) -> Self {
        Self {
            brief: UserBrief::of(u),
            sign: u.sign.clone(),
        }
    }
}

/// `{_id, nick, imgUrl, sex, birthday}` (a group's home).
#[derive(Serialize)]
pub struct UserMember {
    #[serde(flatten)]
    brief: UserBrief,
    sex: String,
    birthday: String,
}

impl UserMember {
    pub fn of(u: &User) -> Self {
        Self {
            brief: UserBrief::of(u),
            sex: u.sex.clone(),
            birthday: u.birthday.clone(),
        }
    }
}

/// `{_id, WaiFCode, nick, imgUrl}` (a user's space).
#[derive(Serialize)]
pub struct UserCode {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "WaiFCode")]
    waif_code: String,
    nick: String,
    #[serde(rename = "imgUrl")]
    img_url: String,
}

impl UserCode {
    pub fn of(u: &User) -> Self {
        Self {
            id: u.id.clone(),
            waif_code: u.waif_code.clone(),
            nick: u.nick.clone(),
            img_url: u.img_url.clone(),
        }
    }
}

/// A whole profile with its star sign (`start`); the phone only for its owner.
#[derive(Serialize)]
pub struct Profile {
    #[serde(rename = "_id")]
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
    #[serde(rename = "WaiFCode")]
    waif_code: String,
    nick: String,
    #[serde(rename = "imgUrl")]
    img_url: String,
    sex: String,
    birthday: String,
    start: &'static str,
    sign: String,
}

impl Profile {
    pub fn of(u: &User, with_phone: bool) -> Self {
        Self {
            id: u.id.clone(),
            phone: with_phone.then(|| u.phone.clone()),
            waif_code: u.waif_code.clone(),
            nick: u.nick.clone(),
            img_url: u.img_url.clone(),
            sex: u.sex.clone(),
            birthday: u.birthday.clone(),
            start: model::star_sign(&u.birthday),
            sign: u.sign.clone(),
        }
    }
}

/// Register and login: `{token, _id, phone, nick, imgUrl, sex, birthday, start, sign}`.
#[derive(Serialize)]
pub struct SignedIn {
    token: String,
    #[serde(rename = "_id")]
    id: String,
    phone: String,
    nick: String,
    #[serde(rename = "imgUrl")]
    img_url: String,
    sex: String,
    birthday: String,
    start: &'static str,
    sign: String,
}

impl SignedIn {
    pub fn of(u: &User, token: String) -> Self {
        Self {
            token,
            id: u.id.clone(),
            phone: u.phone.clone(),
            nick: u.nick.clone(),
            img_url: u.img_url.clone(),
            sex: u.sex.clone(),
            birthday: u.birthday.clone(),
            start: model::star_sign(&u.birthday),
            sign: u.sign.clone(),
        }
    }
}

/// A friend relation from its owner's side, the other user populated as `P`.
#[derive(Serialize)]
pub struct FriendView<P> {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "userId")]
    user_id: String,
    #[serde(rename = "friendId")]
    friend: Option<P>,
    time: String,
    state: u8,
    #[serde(rename = "__v")]
    v: u8,
}

impl<P> FriendView<P> {
    pub fn of(f: &Friend, users: &Users, populate: impl Fn(&User) -> P) -> Self {
        Self {
            id: f.id.clone(),
            user_id: f.user_id.clone(),
            friend: users.get(&f.friend_id).map(populate),
            time: time::iso(f.time),
            state: f.state,
            v: V,
        }
    }
}

/// `{_id, groupName, imgUrl}`.
#[derive(Serialize)]
pub struct GroupBrief {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "groupName")]
    name: String,
    #[serde(rename = "imgUrl")]
    img_url: String,
}

impl GroupBrief {
    pub fn of(g: &Group) -> Self {
        Self::copied(&g.id, &GroupCopy::of(g))
    }

    /// Group `id` as a copy of it shows it.
    pub fn copied(id: &str, g: &GroupCopy) -> Self {
        Self {
            id: id.into(),
            name: g.name.clone(),
            img_url: g.img_url.clone(),
        }
    }
}

/// `{_id, groupName, sign, imgUrl}` (the group being edited).
#[derive(Serialize)]
pub struct GroupInfo {
    #[serde(flatten)]
    brief: GroupBrief,
    sign: String,
}

impl GroupInfo {
    pub fn of(g: &Group) -> Self {
        Self {
            brief: GroupBrief::of(g),
            sign: g.sign.clone(),
        }
    }
}

/// The whole group document.
#[derive(Serialize)]
pub struct GroupDoc {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "userId")]
    owner_id: String,
    #[serde(rename = "groupName")]
    name: String,
    #[serde(rename = "groupNumber")]
    number: i64,
    sign: String,
    #[serde(rename = "imgUrl")]
    img_url: String,
    #[serde(rename = "creatTime")]
    creat_time: String,
    #[serde(rename = "__v")]
    v: u8,
}

impl GroupDoc {
    pub fn of(g: &Group) -> Self {
        Self {
            id: g.id.clone(),
            owner_id: g.owner_id.clone(),
            name: g.name.clone(),
            number: g.number,
            sign: g.sign.clone(),
            img_url: g.img_url.clone(),
            creat_time: time::date_cn(g.created_at),
            v: V,
        }
    }
}

/// A membership with its user populated as `P`.
#[derive(Serialize)]
pub struct MemberView<P> {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "groupId")]
    group_id: String,
    #[serde(rename = "userId")]
    user: Option<P>,
    time: String,
    state: u8,
    #[serde(rename = "__v")]
    v: u8,
}

impl<P> MemberView<P> {
    pub fn of(m: &Membership, users: &Users, populate: impl Fn(&User) -> P) -> Self {
        Self {
            id: m.id.clone(),
            group_id: m.group_id.clone(),
            user: users.get(&m.user_id).map(populate),
            time: time::iso(m.time),
            state: 1,
            v: V,
        }
    }
}

/// A membership from the member's side, its group populated (contacts).
#[derive(Serialize)]
pub struct MyGroup {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "groupId")]
    group: GroupBrief,
    #[serde(rename = "userId")]
    user_id: String,
    state: u8,
    #[serde(rename = "__v")]
    v: u8,
}

impl MyGroup {
    pub fn of(m: &Membership, g: &GroupCopy) -> Self {
        Self {
            id: m.id.clone(),
            group: GroupBrief::copied(&m.group_id, g),
            user_id: m.user_id.clone(),
            state: 1,
            v: V,
        }
    }
}

/// A join request with its group and applicant populated.
#[derive(Serialize)]
pub struct JoinRequest {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "groupId")]
    group: GroupBrief,
    #[serde(rename = "userId")]
    user: Option<UserBrief>,
    time: String,
    #[serde(rename = "__v")]
    v: u8,
}

impl JoinRequest {
    pub fn of(m: &Membership, g: &GroupCopy, users: &Users) -> Self {
        Self {
            id: m.id.clone(),
            group: GroupBrief::copied(&m.group_id, g),
            user: UserBrief::lookup(users, &m.user_id),
            time: time::iso(m.time),
            v: V,
        }
    }
}

/// A moment document.
#[derive(Serialize)]
pub struct SpaceDoc {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "userId")]
    user: Option<UserBrief>,
    #[serde(rename = "textDesc")]
    text_desc: String,
    photos: Vec<String>,
    time: String,
    #[serde(rename = "__v")]
    v: u8,
}

impl SpaceDoc {
    pub fn of(s: &Space, users: &Users) -> Self {
        Self {
            id: s.id.clone(),
            user: UserBrief::lookup(users, &s.user_id),
            text_desc: s.text_desc.clone(),
            photos: s.photos.clone(),
            time: time::minute(s.time),
            v: V,
        }
    }
}

/// A moment as the feed lists it.
#[derive(Serialize)]
pub struct SpaceEntry {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "userId")]
    user: Option<UserBrief>,
    #[serde(rename = "textDesc")]
    text_desc: String,
    photos: Vec<String>,
    time: String,
    #[serde(rename = "isLike")]
    is_like: bool,
    #[serde(rename = "likeList")]
    likes: Vec<LikeView>,
    #[serde(rename = "commentList")]
    comments: Vec<CommentView>,
    /// One list per comment, in `commentList`'s order.
    #[serde(rename = "replyList")]
    replies: Vec<Vec<ReplyView>>,
}

impl SpaceEntry {
    pub fn of(t: &crate::SpaceThread, viewer: &str, users: &Users) -> Self {
        Self {
            id: t.space.id.clone(),
            user: UserBrief::lookup(users, &t.space.user_id),
            text_desc: t.space.text_desc.clone(),
            photos: t.space.photos.clone(),
            time: time::minute(t.space.time),
            is_like: t.likes.iter().any(|l| l.user_id == viewer),
            likes: t.likes.iter().map(|l| LikeView::of(l, users)).collect(),
            comments: t.comments.iter().map(|(c, _)| CommentView::of(c, users)).collect(),
            replies: t
                .comments
                .iter()
                .map(|(_, rs)| rs.iter().map(|r| ReplyView::of(r, users)).collect())
                .collect(),
        }
    }
}

#[derive(Serialize)]
pub struct LikeView {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "spaceId")]
    space_id: String,
    #[serde(rename = "userId")]
    user: Option<UserBrief>,
    time: String,
    #[serde(rename = "__v")]
    v: u8,
}

impl LikeView {
    fn of(l: &Like, users: &Users) -> Self {
        Self {
            id: l.id.clone(),
            space_id: l.space_id.clone(),
            user: UserBrief::lookup(users, &l.user_id),
            time: time::minute(l.time),
            v: V,
        }
    }
}

/// A comment (type 0): `fromId` and `toId` as plain IDs, as the sample prints them.
#[derive(Serialize)]
pub struct CommentView {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "userId")]
    user: Option<UserBrief>,
    #[serde(rename = "spaceId")]
    space_id: String,
    #[serde(rename = "type")]
    kind: u8,
    textarea: String,
    #[serde(rename = "fromId")]
    from_id: String,
    #[serde(rename = "toId")]
    to_id: String,
    time: String,
    #[serde(rename = "__v")]
    v: u8,
}

impl CommentView {
    fn of(c: &Comment, users: &Users) -> Self {
        Self {
            id: c.id.clone(),
            user: UserBrief::lookup(users, &c.user_id),
            space_id: c.space_id.clone(),
            kind: c.kind,
            textarea: c.textarea.clone(),
            from_id: c.from_id.clone(),
            to_id: c.to_id.clone(),
            time: time::minute(c.time),
            v: V,
        }
    }
}

/// A reply (type 1): `fromId` and `toId` populated, as the sample prints them.
#[derive(Serialize)]
pub struct ReplyView {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "userId")]
    user: Option<UserBrief>,
    #[serde(rename = "spaceId")]
    space_id: String,
    #[serde(rename = "spaceCommentId")]
    space_comment_id: String,
    #[serde(rename = "type")]
    kind: u8,
    textarea: String,
    #[serde(rename = "fromId")]
    from: Option<UserBrief>,
    #[serde(rename = "toId")]
    to: Option<UserBrief>,
    time: String,
    #[serde(rename = "__v")]
    v: u8,
}

impl ReplyView {
    fn of(r: &Comment, users: &Users) -> Self {
        Self {
            id: r.id.clone(),
            user: UserBrief::lookup(users, &r.user_id),
            space_id: r.space_id.clone(),
            space_comment_id: r.space_comment_id.clone().unwrap_or_default(),
            kind: r.kind,
            textarea: r.textarea.clone(),
            from: UserBrief::lookup(users, &r.from_id),
            to: UserBrief::lookup(users, &r.to_id),
            time: time::minute(r.time),
            v: V,
        }
    }
}

#[derive(Serialize)]
pub struct NoteView {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "userId")]
    user: Option<UserBrief>,
    text: String,
    color: String,
    time: String,
    #[serde(rename = "__v")]
    v: u8,
}

impl NoteView {
    pub fn of(n: &Note, users: &Users) -> Self {
        Self {
            id: n.id.clone(),
            user: UserBrief::lookup(users, &n.user_id),
            text: n.text.clone(),
            color: n.color.clone(),
            time: time::js_date(n.time),
            v: V,
        }
    }
}

// ---- messages (issue 9) ----

/// `{_id, nick}` (`friendNick` of the private history).
#[derive(Serialize)]
pub struct UserNick {
    #[serde(rename = "_id")]
    id: String,
    nick: String,
}

impl UserNick {
    pub fn of(u: &User) -> Self {
        Self {
            id: u.id.clone(),
            nick: u.nick.clone(),
        }
    }
}

/// `{_id, groupName}` (`groupNick` of the group history).
#[derive(Serialize)]
pub struct GroupNick {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "groupName")]
    name: String,
}

impl GroupNick {
    /// Group `id` as a copy of it shows it.
    pub fn copied(id: &str, g: &GroupCopy) -> Self {
        Self {
            id: id.into(),
            name: g.name.clone(),
        }
    }
}

/// A private message of the history: sender (`userId`) and receiver (`friendId`) populated,
/// `state` 1 once the receiver has read it; beyond the seed, its `seq` in the chat (what the
/// sync route takes, as pushed messages carry it).
#[derive(Serialize)]
pub struct PrivateMessageView {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "userId")]
    from: Option<UserBrief>,
    #[serde(rename = "friendId")]
    to: Option<UserBrief>,
    message: String,
    #[serde(rename = "msgType")]
    msg_type: u8,
    time: String,
    state: u8,
    __v: u8,
    seq: u64,
}

impl PrivateMessageView {
    pub fn of(m: &Message, users: &Users, read: bool) -> Self {
        Self {
            id: m.id.clone(),
            from: UserBrief::lookup(users, &m.from_id),
            to: m.to_id.as_deref().and_then(|id| UserBrief::lookup(users, id)),
            message: m.message.clone(),
            msg_type: m.msg_type,
            time: time::js_date(m.time),
            state: u8::from(read),
            __v: V,
            seq: m.seq,
        }
    }
}

/// A group message of the history, its sender populated; beyond the seed, its `seq`.
#[derive(Serialize)]
pub struct GroupMessageView {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "groupId")]
    group_id: String,
    #[serde(rename = "userId")]
    from: Option<UserBrief>,
    message: String,
    #[serde(rename = "msgType")]
    msg_type: u8,
    time: String,
    __v: u8,
    seq: u64,
}

impl GroupMessageView {
    pub fn of(m: &Message, users: &Users) -> Self {
        Self {
            id: m.id.clone(),
            group_id: m.group_id.clone().unwrap_or_default(),
            from: UserBrief::lookup(users, &m.from_id),
            message: m.message.clone(),
            msg_type: m.msg_type,
            time: time::js_date(m.time),
            __v: V,
            seq: m.seq,
        }
    }
}

/// `lastMsg` of a conversation: `{_id, message, msgType, time}` for a friend, without `_id`
/// for a group (as the seed prints them).
#[derive(Serialize)]
pub struct LastMsgView {
    #[serde(rename = "_id", skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    message: String,
    #[serde(rename = "msgType")]
    msg_type: u8,
    time: String,
}

impl LastMsgView {
    fn of(m: &LastMessage, with_id: bool) -> Self {
        Self {
            id: with_id.then(|| m.id.clone()),
            message: m.message.clone(),
            msg_type: m.msg_type,
            time: time::js_date(m.time),
        }
    }
}

/// An entry of `/message/list`: a friend's or a group's conversation.
#[derive(Serialize)]
#[serde(untagged)]
pub enum ChatEntry {
    Friend {
        #[serde(rename = "_id")]
        id: String,
        nick: String,
        #[serde(rename = "imgUrl")]
        img_url: String,
        #[serde(rename = "lastMsg")]
        last_msg: LastMsgView,
        #[serde(rename = "type")]
        kind: &'static str,
        #[serde(rename = "unreadMsgCount")]
        unread: u64,
    },
    Group {
        #[serde(rename = "_id")]
        id: String,
        #[serde(rename = "groupName")]
        name: String,
        #[serde(rename = "imgUrl")]
        img_url: String,
        #[serde(rename = "lastMsg")]
        last_msg: LastMsgView,
        #[serde(rename = "type")]
        kind: &'static str,
        #[serde(rename = "unreadMsgCount")]
        unread: u64,
    },
}

impl ChatEntry {
    /// The caller's conversations, the most recent message first; a conversation whose peer
    /// is gone is left out.
    pub fn list(c: &crate::Conversations) -> Vec<Self> {
        let mut timed: Vec<(i64, Self)> = Vec::new();
        for conv in &c.private {
            let Some(peer) = c.users.get(&conv.peer_id) else {
                continue;
            };
            timed.push((
                conv.last_time,
                Self::Friend {
                    id: peer.id.clone(),
                    nick: peer.nick.clone(),
                    img_url: peer.img_url.clone(),
                    last_msg: LastMsgView::of(&conv.last_msg, true),
                    kind: "friendChat",
                    unread: conv.unread,
                },
            ));
        }
        for g in &c.groups {
            timed.push((
                g.last_msg.time,
                Self::Group {
                    id: g.group_id.clone(),
                    name: g.group.name.clone(),
                    img_url: g.group.img_url.clone(),
                    last_msg: LastMsgView::of(&g.last_msg, false),
                    kind: "groupChat",
                    unread: g.unread,
                },
            ));
        }
        // Stable: equal times keep the store's order.
        timed.sort_by_key(|e| std::cmp::Reverse(e.0));
        timed.into_iter().map(|(_, e)| e).collect()
    }
}

/// A message pushed over the chat socket (`private_chat`, `group_chat` frames): the seed's
/// `data` (`userId` the sender populated, `groupInfo` for a group, `time` an ISO date as
/// socket.io serializes `new Date()`), plus its `_id` and its `seq` in the chat (a client that
/// sees a gap asks the sync route for what it missed).
#[derive(Serialize)]
pub struct PushedMessage {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "userId")]
    from: Option<UserBrief>,
    #[serde(rename = "groupInfo", skip_serializing_if = "Option::is_none")]
    group: Option<GroupBrief>,
    #[serde(rename = "msgType")]
    msg_type: u8,
    message: String,
    time: String,
    #[serde(rename = "fromId")]
    from_id: String,
    #[serde(rename = "toId")]
    to_id: String,
    seq: u64,
}

impl PushedMessage {
    pub fn of(m: &Message, sender: Option<&User>, group: Option<&Group>) -> Self {
        Self {
            id: m.id.clone(),
            from: sender.map(UserBrief::of),
            group: group.map(GroupBrief::of),
            msg_type: m.msg_type,
            message: m.message.clone(),
            time: time::iso(m.time),
            from_id: m.from_id.clone(),
            to_id: m.group_id.clone().or_else(|| m.to_id.clone()).unwrap_or_default(),
            seq: m.seq,
        }
    }
}
