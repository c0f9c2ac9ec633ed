//! The weifChat surface (seed 003): accounts, friends, groups, space moments, notes.
//!
//! | entity | PK | SK | GSI1PK / GSI1SK |
//! |---|---|---|---|
//! | account (login) | `WEIF#PHONE#<phone>` | `ACCOUNT` | |
//! | user | `WEIF#USER#<userId>` | `PROFILE` | `WEIF#NICK#<c>` / `<nick, lowercase>#<userId>` |
//! | WaiFCode (unique) | `WEIF#WAIFCODE#<code>` | `WAIFCODE` | |
//! | friend edge (one per side; a friendship's carries the other's profile) | `WEIF#USER#<userId>` | `FRIEND#<otherId>` | friends: `WEIF#USER#<userId>#FRIENDS`, received requests: `WEIF#USER#<userId>#FRIEND_REQUESTS` / `<time>#<otherId>` |
//! | note | `WEIF#USER#<userId>` | `NOTE#<noteId>` | |
//! | group | `WEIF#GROUP#<groupId>` | `#GROUP` | `WEIF#GROUPNAME#<c>` / `<name, lowercase>#<groupId>` |
//! | group number (unique) | `WEIF#GROUPNO#<number>` | `GROUPNO` | |
//! | join request | `WEIF#GROUP#<groupId>` | `REQUEST#<userId>` | `WEIF#USER#<ownerId>#GROUP_REQUESTS` / `<time>#<groupId>#<userId>` |
//! | member | `WEIF#GROUP#<groupId>` | `MEMBER#<userId>` | `WEIF#USER#<userId>#GROUPS` / `<time>#<groupId>` |
//! | space moment (with its like and comment counters) | `WEIF#SPACE#<spaceId>` | `#SPACE` | |
//! | a user's moment (a listing copy, no counters) | `WEIF#USER#<userId>#SPACES` | `<spaceId>` | |
//! | comment (type 0) | `WEIF#SPACE#<spaceId>` | `COMMENT#<commentId>` | `WEIF#COMMENT#<commentId>` / `COMMENT` |
//! | reply (type 1) | `WEIF#SPACE#<spaceId>` | `COMMENT#<commentId>#REPLY#<replyId>` | `WEIF#COMMENT#<replyId>` / `COMMENT` |
//! | like | `WEIF#SPACE#<spaceId>` | `LIKE#<userId>` | |
//! | feed entry (a moment in a viewer's feed) | `WEIF#USER#<viewerId>#FEED` | `<spaceId>` | |
//! | fan-out job (a big author's moment, for the stream) | `WEIF#FANOUT#<spaceId>` | `ADD` or `REMOVE` | |
//! | private chat head (seq counter) | `WEIF#CHAT#<low>#<high>` (the two user IDs sorted) | `#CHAT` | |
//! | private message | `WEIF#CHAT#<low>#<high>` | `MSG#<seq, 12 digits>` | |
//! | group chat head (seq counter) | `WEIF#GROUPCHAT#<groupId>` | `#CHAT` | |
//! | group message | `WEIF#GROUPCHAT#<groupId>` | `MSG#<seq, 12 digits>` | |
//! | conversation (a user's side of a private chat, right after the friend edge) | `WEIF#USER#<userId>` | `FRIEND#<otherId>#CONV` | `WEIF#USER#<userId>#CONVS` / `<lastTime>#<otherId>` (from the first message on) |
//! | presence (a user's open connections, one attribute each; TTL) | `WEIF#USER#<userId>` | `PRESENCE` | |
//!
//! `<c>` is the first character of the lowercased name: the partition of a bounded prefix search.
use shared::counters::Counter;
use shared::keys::{Key, time_part};

/// Every key and index partition of this surface starts with this prefix (registered in
/// `shared::keys::PREFIXES`, which keeps the surfaces apart).
pub const PREFIX: &str = shared::keys::registered("WEIF#");

pub mod entity {
    pub const ACCOUNT: &str = "WeifAccount";
    pub const USER: &str = "WeifUser";
    pub const WAIF_CODE: &str = "WeifCode";
    pub const FRIEND: &str = "WeifFriend";
    pub const NOTE: &str = "WeifNote";
    pub const GROUP: &str = "WeifGroup";
    pub const GROUP_NUMBER: &str = "WeifGroupNumber";
    pub const JOIN: &str = "WeifJoinRequest";
    pub const MEMBER: &str = "WeifMember";
    pub const SPACE: &str = "WeifSpace";
    pub const COMMENT: &str = "WeifComment";
    pub const LIKE: &str = "WeifLike";
    pub const SPACE_LISTING: &str = "WeifSpaceListing";
    pub const FEED_ENTRY: &str = "WeifFeedEntry";
    pub const FAN_OUT: &str = "WeifFanOut";
    // -- messages (issue 9) --
    pub const CHAT_HEAD: &str = "WeifChatHead";
    pub const MESSAGE: &str = "WeifMessage";
    pub const CONVERSATION: &str = "WeifConversation";
    pub const SENT: &str = "WeifSentMessage";
    // -- the chat socket --
    pub const PRESENCE: &str = "WeifPresence";
}

/// Attribute names used in expressions (items map them with serde renames; tests in
/// `weifchat::items` keep the two in step).
pub mod attr {
    pub const USER_ID: &str = "userId";
    pub const NICK: &str = "nick";
    pub const IMG_URL: &str = "imgUrl";
    pub const SEX: &str = "sex";
    pub const BIRTHDAY: &str = "birthday";
    pub const SIGN: &str = "sign";
    pub const STATE: &str = "state";
    pub const INCOMING: &str = "incoming";
    pub const TIME: &str = "time";
    pub const FRIEND_COUNT: &str = "friendCount";
    pub const GROUP_NAME: &str = "groupName";
    pub const MEMBER_COUNT: &str = "memberCount";
    pub const OWNER_ID: &str = "ownerId";
    pub const LIKE_COUNT: &str = "likeCount";
    pub const COMMENT_COUNT: &str = "commentCount";
    pub const DELETED_AT: &str = "deletedAt";
    // -- messages (issue 9) --
    pub const LAST_SEQ: &str = "lastSeq";
    pub const LAST_TIME: &str = "lastTime";
    pub const LAST_MSG: &str = "lastMsg";
    pub const READ_SEQ: &str = "readSeq";
    pub const UNREAD: &str = "unread";
    pub const PEER_ID: &str = "peerId";
    // -- profile copies (issue 11) --
    /// A friend edge's copy of the other user's profile, and the version it was copied at.
    pub const PEER: &str = "peer";
    pub const PEER_VERSION: &str = "peerVersion";
    /// A user's profile version, and the version its copies were last brought to.
    pub const PROFILE_VERSION: &str = "profileVersion";
    pub const COPIED_VERSION: &str = "copiedVersion";
    /// A group's version (bumped by each edit of its name or picture); a membership's or a join
    /// request's copy of the group, and the version it was copied at.
    pub const GROUP_VERSION: &str = "groupVersion";
    pub const GROUP_COPY: &str = "groupCopy";
    /// A sent message's client ID record: the chat and seq it was stored as.
    pub const CHAT: &str = "chat";
    pub const SEQ: &str = "seq";
}

pub const PROFILE_SK: &str = "PROFILE";
pub const FRIEND_PREFIX: &str = "FRIEND#";
pub const NOTE_PREFIX: &str = "NOTE#";
pub const GROUP_SK: &str = "#GROUP";
/// Sorts after [`MEMBER_PREFIX`]: a group's partition up to its join requests is the group and
/// its members, one Query (`WeifStore::group_and_members`).
pub const JOIN_PREFIX: &str = "REQUEST#";
pub const MEMBER_PREFIX: &str = "MEMBER#";
pub const SPACE_SK: &str = "#SPACE";
pub const COMMENT_PREFIX: &str = "COMMENT#";
pub const LIKE_PREFIX: &str = "LIKE#";
const COMMENT_LOOKUP_SK: &str = "COMMENT";

pub fn account(phone: &str) -> Key {
    Key::new(format!("WEIF#PHONE#{phone}"), "ACCOUNT")
}

const USER_PARTITION: &str = "WEIF#USER#";

pub fn user_partition(user_id: &str) -> String {
    format!("{USER_PARTITION}{user_id}")
}

/// The user of a user partition (`None`: not one).
pub fn user_of_partition(pk: &str) -> Option<&str> {
    pk.strip_prefix(USER_PARTITION)
        .filter(|id| !id.is_empty() && !id.contains('#'))
}

pub fn user(user_id: &str) -> Key {
    Key::new(user_partition(user_id), PROFILE_SK)
}

pub fn waif_code(code: &str) -> Key {
    Key::new(format!("WEIF#WAIFCODE#{code}"), "WAIFCODE")
}

/// The lowercased name and the partition of the name index it belongs to (`None` for an
/// empty name).
fn name_index(kind: &str, name: &str) -> Option<(String, String)> {
    let lower = name.trim().to_lowercase();
    let first = lower.chars().next()?;
    Some((format!("WEIF#{kind}#{first}"), lower))
}

/// GSI1 key of a user in the nickname index.
pub fn nick_index(nick: &str, user_id: &str) -> Option<(String, String)> {
    name_index("NICK", nick).map(|(pk, lower)| (pk, format!("{lower}#{user_id}")))
}

/// GSI1 partition and sort-key prefix that find nicknames starting with `keyword`.
pub fn nick_search(keyword: &str) -> Option<(String, String)> {
    name_index("NICK", keyword)
}

pub fn friend(user_id: &str, other_id: &str) -> Key {
    Key::new(user_partition(user_id), format!("{FRIEND_PREFIX}{other_id}"))
}

/// The other user of a friend edge's sort key (`None`: not an edge's).
pub fn friend_of_edge(sk: &str) -> Option<&str> {
    sk.strip_prefix(FRIEND_PREFIX).filter(|id| !id.contains('#'))
}

/// GSI1 partition of a user's friends (edges in state 1).
pub fn friends(user_id: &str) -> String {
    format!("WEIF#USER#{user_id}#FRIENDS")
}

/// GSI1 partition of the friend requests a user has received and not answered.
pub fn friend_requests(user_id: &str) -> String {
    format!("WEIF#USER#{user_id}#FRIEND_REQUESTS")
}

/// A GSI1 sort key that lists by time: `<time>#<id…>`.
pub fn by_time(time_ms: i64, ids: &[&str]) -> String {
    let mut sk = time_part(time_ms);
    for id in ids {
        sk.push('#');
        sk.push_str(id);
    }
    sk
}

pub fn note(user_id: &str, note_id: &str) -> Key {
    Key::new(user_partition(user_id), format!("{NOTE_PREFIX}{note_id}"))
}

const GROUP_PARTITION: &str = "WEIF#GROUP#";

pub fn group_partition(group_id: &str) -> String {
    format!("{GROUP_PARTITION}{group_id}")
}

/// The group of a group item's key (`None`: not one).
pub fn group_of(key: &Key) -> Option<&str> {
    (key.sk == GROUP_SK)
        .then(|| key.pk.strip_prefix(GROUP_PARTITION))
        .flatten()
        .filter(|id| !id.is_empty() && !id.contains('#'))
}

/// The user of a user item's key (`None`: not one).
pub fn user_of(key: &Key) -> Option<&str> {
    (key.sk == PROFILE_SK).then(|| user_of_partition(&key.pk)).flatten()
}

pub fn group(group_id: &str) -> Key {
    Key::new(group_partition(group_id), GROUP_SK)
}

pub fn group_number(number: i64) -> Key {
    Key::new(format!("WEIF#GROUPNO#{number}"), "GROUPNO")
}

pub fn group_name_index(name: &str, group_id: &str) -> Option<(String, String)> {
    name_index("GROUPNAME", name).map(|(pk, lower)| (pk, format!("{lower}#{group_id}")))
}

pub fn group_name_search(keyword: &str) -> Option<(String, String)> {
    name_index("GROUPNAME", keyword)
}

pub fn member(group_id: &str, user_id: &str) -> Key {
    Key::new(group_partition(group_id), format!("{MEMBER_PREFIX}{user_id}"))
}

pub fn join(group_id: &str, user_id: &str) -> Key {
    Key::new(group_partition(group_id), format!("{JOIN_PREFIX}{user_id}"))
}

/// GSI1 partition of the groups a user belongs to.
pub fn user_groups(user_id: &str) -> String {
    format!("WEIF#USER#{user_id}#GROUPS")
}

/// GSI2 partition of the join requests a user has sent and that wait for an answer.
pub fn user_joins(user_id: &str) -> String {
    format!("WEIF#USER#{user_id}#JOINS")
}

/// GSI1 partition of the join requests to the groups a user owns.
pub fn group_requests(owner_id: &str) -> String {
    format!("WEIF#USER#{owner_id}#GROUP_REQUESTS")
}

pub fn space_partition(space_id: &str) -> String {
    format!("WEIF#SPACE#{space_id}")
}

pub fn space(space_id: &str) -> Key {
    Key::new(space_partition(space_id), SPACE_SK)
}

/// The partition of a user's moments (listing copies, without the counters, so a like or a
/// comment never rewrites an index entry); the sort key is the (time-ordered) space ID.
pub fn user_spaces(user_id: &str) -> String {
    format!("WEIF#USER#{user_id}#SPACES")
}

/// `user_id`'s moment `space_id` in their listing.
pub fn user_space(user_id: &str, space_id: &str) -> Key {
    Key::new(user_spaces(user_id), space_id)
}

pub fn like(space_id: &str, user_id: &str) -> Key {
    Key::new(space_partition(space_id), format!("{LIKE_PREFIX}{user_id}"))
}

/// A viewer's feed (fan-out on write): one entry per moment of the viewer's and their friends',
/// its sort key the (time-ordered) moment ID, so the newest first is one Query.
pub fn feed(viewer_id: &str) -> String {
    format!("WEIF#USER#{viewer_id}#FEED")
}

/// Moment `space_id` in `viewer_id`'s feed.
pub fn feed_entry(viewer_id: &str, space_id: &str) -> Key {
    Key::new(feed(viewer_id), space_id)
}

/// The partition of a moment's fan-out jobs (its table-stream function's work).
pub const FAN_OUT_PREFIX: &str = "WEIF#FANOUT#";

/// The job that writes (`add`) or removes moment `space_id`'s entries in its author's friends'
/// feeds, done by the `weif-feed-fanout` function on the table's stream.
pub fn fan_out_job(space_id: &str, add: bool) -> Key {
    Key::new(
        format!("{FAN_OUT_PREFIX}{space_id}"),
        if add { "ADD" } else { "REMOVE" },
    )
}

/// A comment's sort key: its replies sort right after it (`COMMENT#<id>#REPLY#…`), so
/// `begins_with(SK, COMMENT#<id>)` reads a comment with its replies.
pub fn comment(space_id: &str, comment_id: &str) -> Key {
    Key::new(space_partition(space_id), format!("{COMMENT_PREFIX}{comment_id}"))
}

pub fn reply(space_id: &str, comment_id: &str, reply_id: &str) -> Key {
    Key::new(
        space_partition(space_id),
        format!("{}{reply_id}", replies_prefix(comment_id)),
    )
}

/// The sort-key prefix of a comment's replies (they follow the comment in its moment's
/// partition).
pub fn replies_prefix(comment_id: &str) -> String {
    format!("{COMMENT_PREFIX}{comment_id}#REPLY#")
}

/// GSI1 key that finds a comment or reply by its ID alone.
pub fn comment_lookup(id: &str) -> (String, String) {
    (format!("WEIF#COMMENT#{id}"), COMMENT_LOOKUP_SK.to_owned())
}

// ---- messages (issue 9): chat partitions, messages by sequence number, conversations ----

pub const CHAT_HEAD_SK: &str = "#CHAT";
pub const MESSAGE_PREFIX: &str = "MSG#";
/// After a friend edge's sort key: the conversation sorts right after its edge.
pub const CONVERSATION_SUFFIX: &str = "#CONV";

/// The partition of the private chat between `a` and `b`: the same for both (IDs sorted).
pub fn private_chat(a: &str, b: &str) -> String {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    format!("WEIF#CHAT#{low}#{high}")
}

/// The partition of a group's messages: apart from the group's, so the group's own queries
/// and its dissolving never walk its history.
pub fn group_chat(group_id: &str) -> String {
    format!("WEIF#GROUPCHAT#{group_id}")
}

/// A chat's head: its sequence counter and last message. Sorts before its messages.
pub fn chat_head(chat: &str) -> Key {
    Key::new(chat, CHAT_HEAD_SK)
}

/// The message numbered `seq` (from 1) of a chat: zero-padded, so sort order is seq order.
pub fn message(chat: &str, seq: u64) -> Key {
    Key::new(chat, format!("{MESSAGE_PREFIX}{seq:012}"))
}

/// `user_id`'s side of its private chat with `other`: right after their friend edge, so one
/// Query (`friend(..)`..`conversation(..)`) reads both.
pub fn conversation(user_id: &str, other: &str) -> Key {
    Key::new(
        user_partition(user_id),
        format!("{FRIEND_PREFIX}{other}{CONVERSATION_SUFFIX}"),
    )
}

/// The other user of a conversation's sort key (`None`: not a conversation's).
pub fn friend_of_conversation(sk: &str) -> Option<&str> {
    sk.strip_prefix(FRIEND_PREFIX)?
        .strip_suffix(CONVERSATION_SUFFIX)
        .filter(|id| !id.contains('#'))
}

/// A message `user_id` sent under its client's ID (`clientMsgId`): what makes a resend of it a
/// repeat, for a day (`expiresAt`). In a partition of its own, out of every chat's queries.
pub fn sent_message(user_id: &str, client_msg_id: &str) -> Key {
    Key::new(format!("WEIF#USER#{user_id}#SENT"), client_msg_id)
}

/// GSI1 partition of a user's private conversations, by `<lastTime>#<otherId>`.
pub fn conversations(user_id: &str) -> String {
    format!("WEIF#USER#{user_id}#CONVS")
}

// ---- the chat socket: connections of the WebSocket API ----

pub const PRESENCE_SK: &str = "PRESENCE";
/// The start of a presence item's connection attributes ([`presence_attr`]).
pub const PRESENCE_ATTR_PREFIX: &str = "c_";

/// `user_id`'s presence: one item holding each of the user's open connections as an attribute
/// ([`presence_attr`]), so a push to many users reads one item each, 100 to a `BatchGetItem`.
pub fn presence(user_id: &str) -> Key {
    Key::new(user_partition(user_id), PRESENCE_SK)
}

/// The presence item's attribute of `connection_id` (its value: the connection's expiry, in
/// seconds): `c_`, then the ID with every byte that isn't an ASCII letter or digit written as `_`
/// and two hex digits (`AbC-1=` is `c_AbC_2D1_3D`). Letters, digits and `_` only, so the name is
/// its own expression placeholder (`#c_…`, which DynamoDB allows), and it reads back as the ID
/// ([`presence_connection`]).
pub fn presence_attr(connection_id: &str) -> String {
    let mut attr = String::with_capacity(PRESENCE_ATTR_PREFIX.len() + connection_id.len() + 8);
    attr.push_str(PRESENCE_ATTR_PREFIX);
    for b in connection_id.bytes() {
        if b.is_ascii_alphanumeric() {
            attr.push(char::from(b));
        } else {
            attr.push_str(&format!("_{b:02X}"));
        }
    }
    attr
}

/// The connection ID a presence attribute names; `None` for any other attribute.
pub fn presence_connection(attr: &str) -> Option<String> {
    let escaped = attr.strip_prefix(PRESENCE_ATTR_PREFIX)?.as_bytes();
    let mut id = Vec::with_capacity(escaped.len());
    let mut i = 0;
    while i < escaped.len() {
        match escaped[i] {
            b'_' => {
                let hex = std::str::from_utf8(escaped.get(i + 1..i + 3)?).ok()?;
                id.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b if b.is_ascii_alphanumeric() => {
                id.push(b);
                i += 1;
            }
            _ => return None,
        }
    }
    String::from_utf8(id).ok()
}

/// The counters a change to the item at `key` touches (the table stream's upkeep,
/// `shared::counters`): a moment's `likeCount` (its `LIKE#` items) and `commentCount` (its
/// comments and replies, `COMMENT#` items).
pub fn counters(key: &Key) -> Vec<Counter> {
    match key.pk.starts_with(&space_partition("")) {
        true => Counter::in_collection(
            key,
            SPACE_SK,
            &[(attr::LIKE_COUNT, LIKE_PREFIX), (attr::COMMENT_COUNT, COMMENT_PREFIX)],
        ),
        false => Vec::new(),
    }
}

/// Where uploads (#5, #15, #27, #38–42) keep their bytes: S3 object keys of the storage
/// bucket, namespaced by the uploader (the token's user), so what one user uploads can't be
/// found, overwritten or merged by another. A file's address (`url`) is `/` and its key, served
/// by `GET /weifchat/{path+}` (a redirect to a presigned download).
///
/// | object | key |
/// |---|---|
/// | an image (#5, #15, #27, #38, #39) | `weifchat/images/<userId>/<id>.<ext>` |
/// | a chunk (#40) | `weifchat/chunks/<userId>/<fileHash>/<index>` |
/// | a merged file (#41) | `weifchat/files/<userId>/<fileHash>/<fileName>` |
pub mod objects {
    /// Every weifChat object key starts with this (the template grants on these prefixes).
    pub const PREFIX: &str = "weifchat/";
    pub const IMAGES: &str = "weifchat/images/";
    pub const CHUNKS: &str = "weifchat/chunks/";
    pub const FILES: &str = "weifchat/files/";

    /// An image `user_id` uploaded (`id` a fresh ID, `ext` from the image's content).
    pub fn image(user_id: &str, id: &str, ext: &str) -> String {
        format!("{IMAGES}{user_id}/{id}.{ext}")
    }

    /// The folder of `user_id`'s chunks of the file `file_hash`.
    pub fn chunks(user_id: &str, file_hash: &str) -> String {
        format!("{CHUNKS}{user_id}/{file_hash}/")
    }

    /// Chunk `index` of the file `file_hash`.
    pub fn chunk(user_id: &str, file_hash: &str, index: u32) -> String {
        format!("{}{index}", chunks(user_id, file_hash))
    }

    /// The folder holding `user_id`'s merged file `file_hash` (one object, named as uploaded).
    pub fn merged(user_id: &str, file_hash: &str) -> String {
        format!("{FILES}{user_id}/{file_hash}/")
    }

    /// The merged file `file_hash`, named `file_name` (already made safe).
    pub fn merged_file(user_id: &str, file_hash: &str, file_name: &str) -> String {
        format!("{}{file_name}", merged(user_id, file_hash))
    }

    /// The address a client GETs for `key`.
    pub fn url(key: &str) -> String {
        format!("/{key}")
    }

    /// The object a download path (`GET /weifchat/{path+}`, `path` without the `weifchat/`)
    /// names, if it is an image or a merged file of the expected shape (never a chunk).
    pub fn downloadable(path: &str) -> Option<String> {
        let key = format!("{PREFIX}{path}");
        let (rest, segments) = if let Some(rest) = key.strip_prefix(IMAGES) {
            (rest, 2)
        } else if let Some(rest) = key.strip_prefix(FILES) {
            (rest, 3)
        } else {
            return None;
        };
        let parts: Vec<&str> = rest.split('/').collect();
        let safe = |p: &&str| {
            !p.is_empty()
                && !p.starts_with('.')
                && p.len() <= 128
                && p.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        };
        (parts.len() == segments && parts.iter().all(safe)).then_some(key)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn objects_are_namespaced_by_their_uploader() {
            assert_eq!(image("u1", "i1", "png"), "weifchat/images/u1/i1.png");
            assert_eq!(chunk("u1", "ab", 2), "weifchat/chunks/u1/ab/2");
            assert!(chunk("u1", "ab", 2).starts_with(&chunks("u1", "ab")));
            assert_eq!(merged_file("u1", "ab", "a.zip"), "weifchat/files/u1/ab/a.zip");
            assert!(merged_file("u1", "ab", "a.zip").starts_with(&merged("u1", "ab")));
            for key in [image("u", "i", "png"), chunk("u", "h", 0), merged_file("u", "h", "n")] {
                assert!(key.starts_with(PREFIX), "{key}");
            }
            assert_eq!(url("weifchat/images/u1/i1.png"), "/weifchat/images/u1/i1.png");
        }

        #[test]
        fn only_images_and_merged_files_download() {
            assert_eq!(
                downloadable("images/u1/i1.png").as_deref(),
                Some("weifchat/images/u1/i1.png")
            );
            assert!(downloadable("files/u1/ab/a.zip").is_some());
            for bad in [
                "chunks/u1/ab/0",
                "images/u1",
                "images/u1/../x.png",
                "images/u1/.x",
                "images/u1/a/b.png",
                "files/u1/ab",
                "storage/public/a.png",
                "images/u1/a b.png",
            ] {
                assert_eq!(downloadable(bad), None, "{bad}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{self as k};
    use shared::keys::{Key, PREFIXES};

    #[test]
    fn weif_keys_have_documented_shapes() {
        assert_eq!(k::account("13800000000"), Key::new("WEIF#PHONE#13800000000", "ACCOUNT"));
        assert_eq!(k::user("u1"), Key::new("WEIF#USER#u1", "PROFILE"));
        assert_eq!(k::friend("u1", "u2"), Key::new("WEIF#USER#u1", "FRIEND#u2"));
        assert_eq!(k::note("u1", "n1"), Key::new("WEIF#USER#u1", "NOTE#n1"));
        assert_eq!(k::group("g1"), Key::new("WEIF#GROUP#g1", "#GROUP"));
        assert_eq!(k::member("g1", "u1"), Key::new("WEIF#GROUP#g1", "MEMBER#u1"));
        assert_eq!(k::join("g1", "u1"), Key::new("WEIF#GROUP#g1", "REQUEST#u1"));
        assert_eq!(k::group_number(17), Key::new("WEIF#GROUPNO#17", "GROUPNO"));
        assert_eq!(
            k::reply("s1", "c1", "r1"),
            Key::new("WEIF#SPACE#s1", "COMMENT#c1#REPLY#r1")
        );
        assert_eq!(k::by_time(42, &["g1", "u1"]), "0000000000042#g1#u1");
        assert_eq!(k::private_chat("u2", "u1"), "WEIF#CHAT#u1#u2");
        assert_eq!(k::private_chat("u1", "u2"), k::private_chat("u2", "u1"));
        assert_eq!(
            k::chat_head(&k::group_chat("g1")),
            Key::new("WEIF#GROUPCHAT#g1", "#CHAT")
        );
        assert_eq!(
            k::message(&k::private_chat("a", "b"), 7),
            Key::new("WEIF#CHAT#a#b", "MSG#000000000007")
        );
        assert_eq!(k::conversation("u1", "u2"), Key::new("WEIF#USER#u1", "FRIEND#u2#CONV"));
        assert_eq!(k::conversations("u1"), "WEIF#USER#u1#CONVS");
        assert_eq!(
            k::nick_index("  Wifi歪f ", "u1"),
            Some(("WEIF#NICK#w".into(), "wifi歪f#u1".into()))
        );
        assert_eq!(k::nick_search("WI"), Some(("WEIF#NICK#w".into(), "wi".into())));
        assert_eq!(k::nick_search("  "), None);
        assert_eq!(
            k::group_name_index("歪f群", "g1"),
            Some(("WEIF#GROUPNAME#歪".into(), "歪f群#g1".into()))
        );
    }

    #[test]
    fn the_copies_stream_function_tells_user_and_group_items_by_their_keys() {
        assert_eq!(k::user_of(&k::user("u1")), Some("u1"));
        assert_eq!(k::group_of(&k::group("g1")), Some("g1"));
        for other in [
            k::member("g1", "u1"),
            k::join("g1", "u1"),
            k::friend("u1", "u2"),
            k::note("u1", "n"),
        ] {
            assert_eq!((k::user_of(&other), k::group_of(&other)), (None, None), "{other:?}");
        }
        assert_eq!(k::group_of(&Key::new("WEIF#GROUP#g1#X", "#GROUP")), None);
    }

    #[test]
    fn a_reply_is_under_its_comments_replies_prefix() {
        let reply = k::reply("s", "c1", "r1").sk;
        assert!(reply.starts_with(&k::replies_prefix("c1")));
        assert!(reply.starts_with(&k::comment("s", "c1").sk));
        assert!(!k::comment("s", "c1").sk.starts_with(&k::replies_prefix("c1")));
    }

    #[test]
    fn weif_partitions_sort_their_head_item_first() {
        let space = k::space("s").sk;
        let comment = k::comment("s", "0190a0a0-0000-7000-8000-000000000000").sk;
        let reply = k::reply(
            "s",
            "0190a0a0-0000-7000-8000-000000000000",
            "0190a0a0-0000-7000-8000-000000000001",
        )
        .sk;
        let next_comment = k::comment("s", "0190a0a0-0000-7000-8000-000000000002").sk;
        let like = k::like("s", "u").sk;
        assert!(space < comment && comment < reply && reply < next_comment && next_comment < like);
        let group = k::group("g").sk;
        // The group, its members, then its join requests: the first two are one Query.
        let (member, last_member) = (k::member("g", "u").sk, k::member("g", "~").sk);
        assert!(
            group < member && last_member.as_str() < k::JOIN_PREFIX && k::JOIN_PREFIX < k::join("g", "u").sk.as_str()
        );
    }

    #[test]
    fn messages_sort_by_seq_after_their_chat_head() {
        let chat = k::private_chat("a", "b");
        let head = k::chat_head(&chat).sk;
        let (m9, m10, m1000) = (
            k::message(&chat, 9).sk,
            k::message(&chat, 10).sk,
            k::message(&chat, 1000).sk,
        );
        assert!(head < m9 && m9 < m10 && m10 < m1000);
        assert!(m1000.starts_with(k::MESSAGE_PREFIX));
        // A conversation sorts right after its friend edge, before any other friend's.
        let (edge, conv) = (k::friend("u", "v").sk, k::conversation("u", "v").sk);
        for next in ["v0", "vv", "w", "v~"] {
            let after = k::friend("u", next).sk;
            assert!(edge < conv && conv < after, "{conv} < {after}");
        }
        assert_eq!(k::friend_of_conversation(&conv), Some("v"));
        assert_eq!((k::friend_of_edge(&edge), k::friend_of_edge(&conv)), (Some("v"), None));
        assert_eq!(k::friend_of_conversation(&edge), None);
    }

    #[test]
    fn a_feed_sorts_newest_first_and_stays_out_of_the_user_and_the_counters() {
        // Moment IDs are time-ordered (UUIDv7), so the sort key is the moment's age.
        assert_eq!(k::feed_entry("u", "s1").sk, "s1");
        assert_ne!(k::feed("u"), k::user_partition("u"));
        assert!(!k::feed("u").starts_with(&k::space_partition("")));
        assert!(k::counters(&k::feed_entry("u", "s")).is_empty());
        assert!(k::counters(&k::fan_out_job("s", true)).is_empty());
        assert_ne!(k::fan_out_job("s", true), k::fan_out_job("s", false));
    }

    #[test]
    fn a_presence_attribute_is_its_own_placeholder_and_reads_back_as_its_connection() {
        assert_eq!(k::presence_attr("AbC-1="), "c_AbC_2D1_3D");
        for id in ["L0SM9cOFvHcCIhw=", "a_b-c/d+e", "stale-connection=", "x", "長"] {
            let attr = k::presence_attr(id);
            assert!(attr.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'), "{attr}");
            assert_eq!(k::presence_connection(&attr).as_deref(), Some(id), "{attr}");
        }
        for other in ["PK", "SK", "entity", "expiresAt", "c_bad_Z1", "c_trail_4", "c_a-b"] {
            assert_eq!(k::presence_connection(other), None, "{other}");
        }
        // In the user's partition, beside the profile and away from every SK prefix listed there.
        assert_eq!(k::presence("u").pk, k::user("u").pk);
        for prefix in [k::FRIEND_PREFIX, k::NOTE_PREFIX, k::PROFILE_SK] {
            assert!(!k::PRESENCE_SK.starts_with(prefix), "{prefix}");
        }
    }

    #[test]
    fn every_key_and_index_partition_is_under_the_registered_prefix() {
        assert!(PREFIXES.contains(&k::PREFIX));
        let keys: Vec<Key> = vec![
            k::account("1"),
            k::user("u"),
            k::waif_code("c"),
            k::friend("u", "v"),
            k::note("u", "n"),
            k::group("g"),
            k::group_number(1),
            k::member("g", "u"),
            k::join("g", "u"),
            k::space("s"),
            k::like("s", "u"),
            k::comment("s", "c"),
            k::reply("s", "c", "r"),
            k::chat_head(&k::private_chat("u", "v")),
            k::message(&k::group_chat("g"), 1),
            k::conversation("u", "v"),
            k::presence("u"),
            k::feed_entry("u", "s"),
            k::user_space("u", "s"),
            k::fan_out_job("s", true),
        ];
        let partitions: Vec<String> = vec![
            k::friends("u"),
            k::friend_requests("u"),
            k::user_groups("u"),
            k::group_requests("u"),
            k::user_spaces("u"),
            k::comment_lookup("c").0,
            k::nick_index("n", "u").unwrap().0,
            k::group_name_index("g", "g").unwrap().0,
            k::conversations("u"),
        ];
        for pk in keys.into_iter().map(|key| key.pk).chain(partitions) {
            assert!(pk.starts_with(k::PREFIX), "{pk}");
        }
    }
}
