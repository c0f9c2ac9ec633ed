//! Every key format, index name and shared attribute name of the single table lives here;
//! nothing else builds a key string. `docs/data-model.md` is the prose version of this module.
//!
//! Table: `PK` (S, hash), `SK` (S, range). Overloaded indexes, both projecting all attributes:
//! `GSI1` (`GSI1PK`, `GSI1SK`) and `GSI2` (`GSI2PK`, `GSI2SK`). Every item carries `entity`;
//! items that expire carry `expiresAt` (epoch seconds, the table's TTL attribute).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const GSI1: &str = "GSI1";
pub const GSI1_PK: &str = "GSI1PK";
pub const GSI1_SK: &str = "GSI1SK";
pub const GSI2: &str = "GSI2";
pub const GSI2_PK: &str = "GSI2PK";
pub const GSI2_SK: &str = "GSI2SK";
pub const ENTITY: &str = "entity";
pub const TTL: &str = "expiresAt";

/// A primary key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }

    /// The key as DynamoDB attributes.
    pub fn to_item(&self) -> HashMap<String, AttributeValue> {
        HashMap::from([
            (PK.to_owned(), AttributeValue::S(self.pk.clone())),
            (SK.to_owned(), AttributeValue::S(self.sk.clone())),
        ])
    }

    /// The primary key of a raw item, if it has one.
    pub fn of_item(item: &HashMap<String, AttributeValue>) -> Option<Self> {
        let s = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
        Some(Self { pk: s(PK)?, sk: s(SK)? })
    }
}

/// A time as a sort-key fragment: zero-padded milliseconds, so strings sort like numbers.
pub fn time_part(ms: i64) -> String {
    format!("{:013}", ms.max(0))
}

/// The chatx surface (seeds 000/001): accounts, profiles, moments posts, likes, comments.
///
/// | entity | PK | SK | GSI1PK / GSI1SK |
/// |---|---|---|---|
/// | account | `CHATX#ACCOUNT#<account>` | `ACCOUNT` | |
/// | user profile | `CHATX#USER#<userID>` | `PROFILE` | |
/// | post | `CHATX#POST#<postID>` | `#POST` | `CHATX#USER#<userID>#POSTS` / `<createTime>#<postID>` |
/// | like | `CHATX#POST#<postID>` | `LIKE#<userID>` | `CHATX#POST#<postID>#LIKES` / `<createTime>#<userID>` |
/// | comment | `CHATX#POST#<postID>` | `COMMENT#<commentID>` | `CHATX#COMMENT#<commentID>` / `COMMENT` |
pub mod chatx {
    use super::{Key, time_part};

    pub mod entity {
        pub const ACCOUNT: &str = "ChatxAccount";
        pub const USER: &str = "ChatxUser";
        pub const POST: &str = "ChatxPost";
        pub const LIKE: &str = "ChatxLike";
        pub const COMMENT: &str = "ChatxComment";
    }

    /// Attribute names used in expressions (items map them with serde renames; a unit test
    /// in `chatx::items` keeps the two in step).
    pub mod attr {
        pub const USER_ID: &str = "userID";
        pub const NICKNAME: &str = "nickname";
        pub const FACE_URL: &str = "faceURL";
        pub const LIKE_COUNT: &str = "likeCount";
        pub const COMMENT_COUNT: &str = "commentCount";
        pub const DELETED_AT: &str = "deletedAt";
    }

    pub const POST_SK: &str = "#POST";
    pub const LIKE_PREFIX: &str = "LIKE#";
    pub const COMMENT_PREFIX: &str = "COMMENT#";
    /// Sorts after every `COMMENT#<uuid>` and before `LIKE#`: the upper bound of a query that
    /// reads a post and its comments together.
    pub const COMMENTS_END: &str = "COMMENT$";

    pub fn account(account: &str) -> Key {
        Key::new(format!("CHATX#ACCOUNT#{account}"), "ACCOUNT")
    }

    pub fn user(user_id: &str) -> Key {
        Key::new(format!("CHATX#USER#{user_id}"), "PROFILE")
    }

    pub fn post_partition(post_id: &str) -> String {
        format!("CHATX#POST#{post_id}")
    }

    pub fn post(post_id: &str) -> Key {
        Key::new(post_partition(post_id), POST_SK)
    }

    pub fn like(post_id: &str, user_id: &str) -> Key {
        Key::new(post_partition(post_id), format!("{LIKE_PREFIX}{user_id}"))
    }

    pub fn comment(post_id: &str, comment_id: &str) -> Key {
        Key::new(post_partition(post_id), format!("{COMMENT_PREFIX}{comment_id}"))
    }

    /// GSI1 partition of a user's posts, newest last by sort key.
    pub fn user_posts(user_id: &str) -> String {
        format!("CHATX#USER#{user_id}#POSTS")
    }

    pub fn user_posts_sort(create_time: i64, post_id: &str) -> String {
        format!("{}#{post_id}", time_part(create_time))
    }

    /// GSI1 partition of a post's likes, ordered by like time.
    pub fn post_likes(post_id: &str) -> String {
        format!("CHATX#POST#{post_id}#LIKES")
    }

    pub fn post_likes_sort(create_time: i64, user_id: &str) -> String {
        format!("{}#{user_id}", time_part(create_time))
    }

    /// GSI1 key that finds a comment by its ID alone.
    pub fn comment_lookup(comment_id: &str) -> (String, String) {
        (format!("CHATX#COMMENT#{comment_id}"), "COMMENT".to_owned())
    }
}

/// The nobase BBS surface (seed 002): developers, their apps, an app's boards, users and posts,
/// and likes.
///
/// | entity | PK | SK |
/// |---|---|---|
/// | developer | `NOBASE#DEV#<developerId>` | `DEVELOPER` |
/// | app | `NOBASE#APP#<appid>` | `APP` |
/// | board | `NOBASE#APP#<appid>` | `BOARD#<uid>` |
/// | user | `NOBASE#APP#<appid>#USER#<account>` | `USER` |
/// | post | `NOBASE#APP#<appid>#POST#<id>` | `#POST` |
/// | like | `NOBASE#APP#<appid>#POST#<id>` | `LIKE#<userId>` |
pub mod nobase {
    use super::Key;

    pub mod entity {
        pub const DEVELOPER: &str = "NobaseDeveloper";
        pub const APP: &str = "NobaseApp";
        pub const BOARD: &str = "NobaseBoard";
        pub const USER: &str = "NobaseUser";
        pub const POST: &str = "NobasePost";
        pub const LIKE: &str = "NobaseLike";
    }

    /// Attribute names used in expressions (items map them with serde renames; a unit test in
    /// `nobase::items` keeps the two in step).
    pub mod attr {
        pub const STATUS: &str = "status";
        pub const NAME: &str = "name";
        pub const VIP_UNTIL: &str = "vipUntil";
        pub const DEVELOPER_ID: &str = "developerId";
        pub const SIGNATURE_HASH: &str = "signatureHash";
        pub const TOKEN_MODE: &str = "tokenMode";
        pub const ACCOUNT_MIN: &str = "accountMin";
        pub const ACCOUNT_MAX: &str = "accountMax";
        pub const POST_REVIEW: &str = "postReview";
        /// The board a post belongs to (the seed's `uid`).
        pub const BOARD: &str = "uid";
        pub const LIKE_COUNT: &str = "likeCount";
    }

    pub const POST_SK: &str = "#POST";
    pub const BOARD_PREFIX: &str = "BOARD#";
    pub const LIKE_PREFIX: &str = "LIKE#";

    pub fn developer(developer_id: &str) -> Key {
        Key::new(format!("NOBASE#DEV#{developer_id}"), "DEVELOPER")
    }

    /// The partition of an app: the app item and its boards.
    pub fn app_partition(appid: &str) -> String {
        format!("NOBASE#APP#{appid}")
    }

    pub fn app(appid: &str) -> Key {
        Key::new(app_partition(appid), "APP")
    }

    pub fn board(appid: &str, uid: &str) -> Key {
        Key::new(app_partition(appid), format!("{BOARD_PREFIX}{uid}"))
    }

    /// A user of an app, by account (unique per app).
    pub fn user(appid: &str, account: &str) -> Key {
        Key::new(format!("NOBASE#APP#{appid}#USER#{account}"), "USER")
    }

    /// The partition of a post: the post item and its likes.
    pub fn post_partition(appid: &str, post_id: &str) -> String {
        format!("NOBASE#APP#{appid}#POST#{post_id}")
    }

    pub fn post(appid: &str, post_id: &str) -> Key {
        Key::new(post_partition(appid, post_id), POST_SK)
    }

    pub fn like(appid: &str, post_id: &str, user_id: &str) -> Key {
        Key::new(post_partition(appid, post_id), format!("{LIKE_PREFIX}{user_id}"))
    }
}

// ---- weifChat (issue 5) ------------------------------------------------------------------

/// The weifChat surface (seed 003): accounts, friends, groups, space moments, notes.
///
/// | entity | PK | SK | GSI1PK / GSI1SK |
/// |---|---|---|---|
/// | account (login) | `WEIF#PHONE#<phone>` | `ACCOUNT` | |
/// | user | `WEIF#USER#<userId>` | `PROFILE` | `WEIF#NICK#<c>` / `<nick, lowercase>#<userId>` |
/// | WaiFCode (unique) | `WEIF#WAIFCODE#<code>` | `WAIFCODE` | |
/// | friend edge (one per side) | `WEIF#USER#<userId>` | `FRIEND#<otherId>` | friends: `WEIF#USER#<userId>#FRIENDS`, received requests: `WEIF#USER#<userId>#FRIEND_REQUESTS` / `<time>#<otherId>` |
/// | note | `WEIF#USER#<userId>` | `NOTE#<noteId>` | |
/// | group | `WEIF#GROUP#<groupId>` | `#GROUP` | `WEIF#GROUPNAME#<c>` / `<name, lowercase>#<groupId>` |
/// | group number (unique) | `WEIF#GROUPNO#<number>` | `GROUPNO` | |
/// | join request | `WEIF#GROUP#<groupId>` | `JOIN#<userId>` | `WEIF#USER#<ownerId>#GROUP_REQUESTS` / `<time>#<groupId>#<userId>` |
/// | member | `WEIF#GROUP#<groupId>` | `MEMBER#<userId>` | `WEIF#USER#<userId>#GROUPS` / `<time>#<groupId>` |
/// | space moment | `WEIF#SPACE#<spaceId>` | `#SPACE` | `WEIF#USER#<userId>#SPACES` / `<spaceId>` |
/// | comment (type 0) | `WEIF#SPACE#<spaceId>` | `COMMENT#<commentId>` | `WEIF#COMMENT#<commentId>` / `COMMENT` |
/// | reply (type 1) | `WEIF#SPACE#<spaceId>` | `COMMENT#<commentId>#REPLY#<replyId>` | `WEIF#COMMENT#<replyId>` / `COMMENT` |
/// | like | `WEIF#SPACE#<spaceId>` | `LIKE#<userId>` | |
///
/// `<c>` is the first character of the lowercased name: the partition of a bounded prefix search.
pub mod weif {
    use super::{Key, time_part};

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
    }

    pub const PROFILE_SK: &str = "PROFILE";
    pub const FRIEND_PREFIX: &str = "FRIEND#";
    pub const NOTE_PREFIX: &str = "NOTE#";
    pub const GROUP_SK: &str = "#GROUP";
    pub const JOIN_PREFIX: &str = "JOIN#";
    pub const MEMBER_PREFIX: &str = "MEMBER#";
    pub const SPACE_SK: &str = "#SPACE";
    pub const COMMENT_PREFIX: &str = "COMMENT#";
    pub const LIKE_PREFIX: &str = "LIKE#";
    const COMMENT_LOOKUP_SK: &str = "COMMENT";

    pub fn account(phone: &str) -> Key {
        Key::new(format!("WEIF#PHONE#{phone}"), "ACCOUNT")
    }

    pub fn user_partition(user_id: &str) -> String {
        format!("WEIF#USER#{user_id}")
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

    pub fn group_partition(group_id: &str) -> String {
        format!("WEIF#GROUP#{group_id}")
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

    /// GSI1 partition of a user's moments; the sort key is the (time-ordered) space ID.
    pub fn user_spaces(user_id: &str) -> String {
        format!("WEIF#USER#{user_id}#SPACES")
    }

    pub fn like(space_id: &str, user_id: &str) -> Key {
        Key::new(space_partition(space_id), format!("{LIKE_PREFIX}{user_id}"))
    }

    /// A comment's sort key: its replies sort right after it (`COMMENT#<id>#REPLY#…`), so
    /// `begins_with(SK, COMMENT#<id>)` reads a comment with its replies.
    pub fn comment(space_id: &str, comment_id: &str) -> Key {
        Key::new(space_partition(space_id), format!("{COMMENT_PREFIX}{comment_id}"))
    }

    pub fn reply(space_id: &str, comment_id: &str, reply_id: &str) -> Key {
        Key::new(
            space_partition(space_id),
            format!("{COMMENT_PREFIX}{comment_id}#REPLY#{reply_id}"),
        )
    }

    /// GSI1 key that finds a comment or reply by its ID alone.
    pub fn comment_lookup(id: &str) -> (String, String) {
        (format!("WEIF#COMMENT#{id}"), COMMENT_LOOKUP_SK.to_owned())
    }
}

// ---- info module (seed 004) ----------------------------------------------------------------

/// The info (news) module (seed 004): accounts, categories, infos, their likes, favorites,
/// share rewards and comments, and the listing entries that keep every common listing a
/// one-page read. `docs/data-model.md` has the table of these keys and why they are shaped so.
///
/// IDs are integers (the seed's `"id": 1`), allocated from counters; inside keys they are
/// zero-padded to 12 digits so they sort as numbers.
pub mod info {
    use super::{Key, time_part};

    pub mod entity {
        pub const COUNTER: &str = "InfoCounter";
        pub const ACCOUNT: &str = "InfoAccount";
        pub const USER: &str = "InfoUser";
        pub const AUTHOR_COUNTS: &str = "InfoAuthorCounts";
        pub const SHARE_REWARD: &str = "InfoShareReward";
        pub const CATEGORY: &str = "InfoCategory";
        pub const CATEGORY_NAME: &str = "InfoCategoryName";
        pub const INFO: &str = "Info";
        pub const STATS: &str = "InfoStats";
        pub const ENTRY: &str = "InfoEntry";
        pub const LIKE: &str = "InfoLike";
        pub const FAVORITE: &str = "InfoFavorite";
        pub const RELATION: &str = "InfoRelation";
        pub const FEED: &str = "InfoFeed";
        pub const FEED_MARK: &str = "InfoFeedMark";
        pub const COMMENT_ENTRY: &str = "InfoCommentEntry";
    }

    /// Attribute names used in expressions (the items in `info::items` map them with serde
    /// renames; a unit test there keeps both in step).
    pub mod attr {
        pub const VALUE: &str = "value";
        pub const ABILITIES: &str = "abilities";
        pub const POINTS: &str = "points";
        pub const VERIFICATION: &str = "verification";
        pub const NAME: &str = "name";
        pub const ICON: &str = "icon";
        pub const SORT: &str = "sort";
        pub const CATEGORY_ID: &str = "category_id";
        pub const AUTHOR_ID: &str = "author_id";
        pub const INFO_ID: &str = "info_id";
        pub const PUBLISHED_COUNT: &str = "published_count";
        pub const TRASHED_COUNT: &str = "trashed_count";
        pub const INFOS_COUNT: &str = "infos_count";
        pub const UPDATED_AT: &str = "updated_at";
        pub const DELETED_AT: &str = "deleted_at";
        pub const PURGING: &str = "purging";
        pub const REV: &str = "rev";
        pub const VIEWS_COUNT: &str = "views_count";
        pub const LIKES_COUNT: &str = "likes_count";
        pub const FAVORITES_COUNT: &str = "favorites_count";
        pub const COMMENTS_COUNT: &str = "comments_count";
        pub const SHARES_COUNT: &str = "shares_count";
    }

    /// Counters that allocate IDs.
    pub mod counter {
        pub const USER: &str = "USER";
        pub const CATEGORY: &str = "CATEGORY";
        pub const INFO: &str = "INFO";
        pub const FEED: &str = "FEED";
    }

    /// An ID as a key part: 12 digits, so it sorts as a number.
    pub fn id_part(id: u64) -> String {
        format!("{id:012}")
    }

    pub fn counter(kind: &str) -> Key {
        Key::new("INFO#COUNTER", kind)
    }

    /// A login name's account (password hash and user ID); `name_key` is the folded name.
    pub fn account(name_key: &str) -> Key {
        Key::new(format!("INFO#ACCOUNT#{name_key}"), "ACCOUNT")
    }

    pub fn user_partition(user: u64) -> String {
        format!("INFO#USER#{}", id_part(user))
    }

    pub fn user(user: u64) -> Key {
        Key::new(user_partition(user), "USER")
    }

    pub const AUTHOR_COUNTS_PREFIX: &str = "CATCOUNT#";

    /// An author's info counts in one category.
    pub fn author_counts(author: u64, category: u64) -> Key {
        Key::new(
            user_partition(author),
            format!("{AUTHOR_COUNTS_PREFIX}{}", id_part(category)),
        )
    }

    pub const POINTS_PREFIX: &str = "POINTS#";

    /// The points ledger entry of `user`'s first share of `info`.
    pub fn share_reward(user: u64, info: u64) -> Key {
        Key::new(user_partition(user), format!("{POINTS_PREFIX}SHARE#{}", id_part(info)))
    }

    /// A feed mark `user` has used (`feed_mark` makes publishing idempotent per user).
    pub fn feed_mark(user: u64, mark: &str) -> Key {
        Key::new(user_partition(user), format!("FEEDMARK#{mark}"))
    }

    pub const CATEGORIES: &str = "INFO#CATEGORIES";
    pub const CATEGORY_PREFIX: &str = "CATEGORY#";

    /// Every category lives in one partition: there are few, and they are listed together.
    pub fn category(id: u64) -> Key {
        Key::new(CATEGORIES, format!("{CATEGORY_PREFIX}{}", id_part(id)))
    }

    /// The claim on a category name; `name_key` is the folded name.
    pub fn category_name(name_key: &str) -> Key {
        Key::new(format!("INFO#CATEGORYNAME#{name_key}"), "NAME")
    }

    pub fn info_partition(id: u64) -> String {
        format!("INFO#INFO#{}", id_part(id))
    }

    /// The info itself: title, content, medias, times.
    pub fn info(id: u64) -> Key {
        Key::new(info_partition(id), "INFO")
    }

    /// The info's small, hot item: its counters and a copy of its state (trashed, purging),
    /// which likes, favorites, shares, comments and views write instead of the large info item.
    pub fn stats(id: u64) -> Key {
        Key::new(info_partition(id), "STATS")
    }

    pub const LIKE_PREFIX: &str = "LIKE#";
    pub const FAVORITE_PREFIX: &str = "FAVORITE#";

    pub fn like(info: u64, user: u64) -> Key {
        Key::new(info_partition(info), format!("{LIKE_PREFIX}{}", id_part(user)))
    }

    pub fn favorite(info: u64, user: u64) -> Key {
        Key::new(info_partition(info), format!("{FAVORITE_PREFIX}{}", id_part(user)))
    }

    /// What a user can do to an info once: like or favorite.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Relation {
        Like,
        Favorite,
    }

    impl Relation {
        fn part(self) -> &'static str {
            match self {
                Relation::Like => "LIKES",
                Relation::Favorite => "FAVORITES",
            }
        }
    }

    /// The partition of the infos `user` likes (or favorites), by info ID.
    pub fn relations(user: u64, relation: Relation) -> String {
        format!("{}#{}", user_partition(user), relation.part())
    }

    pub fn relation(user: u64, relation: Relation, info: u64) -> Key {
        Key::new(relations(user, relation), id_part(info))
    }

    /// Whether a listing partition holds published or trashed infos.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Shelf {
        Published,
        Trashed,
    }

    /// Which infos a listing partition holds.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Scope {
        All,
        Category(u64),
        Author(u64),
    }

    /// A listing partition of infos by ID: every info has one entry in the `All`, `Category` and
    /// `Author` partitions of its shelf.
    pub fn listing(shelf: Shelf, scope: Scope) -> String {
        let shelf = match shelf {
            Shelf::Published => "PUBLISHED",
            Shelf::Trashed => "TRASHED",
        };
        match scope {
            Scope::All => format!("INFO#LIST#{shelf}"),
            Scope::Category(c) => format!("INFO#LIST#{shelf}#CATEGORY#{}", id_part(c)),
            Scope::Author(a) => format!("INFO#LIST#{shelf}#AUTHOR#{}", id_part(a)),
        }
    }

    /// Published, recommended infos, by ID.
    pub const RECOMMENDED: &str = "INFO#LIST#RECOMMENDED";
    /// Published, globally topped infos, by `topped_at`.
    pub const TOPPED: &str = "INFO#LIST#TOPPED";

    /// Published infos topped in category `c`, by `category_topped_at`.
    pub fn category_topped(c: u64) -> String {
        format!("INFO#LIST#CATEGORY#{}#TOPPED", id_part(c))
    }

    /// The sort key of an entry in a partition by ID.
    pub fn by_id(info: u64) -> String {
        id_part(info)
    }

    /// The sort key of an entry in a partition by a time (then ID).
    pub fn by_time(ms: i64, info: u64) -> String {
        format!("{}#{}", time_part(ms), id_part(info))
    }

    pub fn feed(id: u64) -> Key {
        Key::new(format!("INFO#FEED#{}", id_part(id)), "FEED")
    }

    /// Which comments a comment listing partition holds (the seed's `type`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum CommentKind {
        All,
        Image,
        Video,
        ImageOrVideo,
    }

    impl CommentKind {
        fn part(self) -> &'static str {
            match self {
                CommentKind::All => "ALL",
                CommentKind::Image => "IMAGE",
                CommentKind::Video => "VIDEO",
                CommentKind::ImageOrVideo => "MEDIA",
            }
        }
    }

    /// A comment listing partition, by feed ID: of one info, or of every info (`None`).
    pub fn comments(info: Option<u64>, kind: CommentKind) -> String {
        match info {
            Some(i) => format!("INFO#COMMENTS#INFO#{}#{}", id_part(i), kind.part()),
            None => format!("INFO#COMMENTS#ALL#{}", kind.part()),
        }
    }
}

/// Uploaded files, for every surface: one item per storage node.
pub mod storage {
    use super::Key;

    pub mod entity {
        pub const NODE: &str = "StorageNode";
    }

    pub mod attr {
        pub const WIDTH: &str = "width";
        pub const HEIGHT: &str = "height";
        pub const UPLOADED_SIZE: &str = "uploaded_size";
    }

    /// A node as the storage API issued it (`public:2026/01/02/<uuid>.png`).
    pub fn node(node: &str) -> Key {
        Key::new(format!("STORAGE#NODE#{node}"), "NODE")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chatx_keys_have_documented_shapes() {
        assert_eq!(chatx::account("alice"), Key::new("CHATX#ACCOUNT#alice", "ACCOUNT"));
        assert_eq!(chatx::user("u1"), Key::new("CHATX#USER#u1", "PROFILE"));
        assert_eq!(chatx::post("p1"), Key::new("CHATX#POST#p1", "#POST"));
        assert_eq!(chatx::like("p1", "u1"), Key::new("CHATX#POST#p1", "LIKE#u1"));
        assert_eq!(chatx::comment("p1", "c1"), Key::new("CHATX#POST#p1", "COMMENT#c1"));
        assert_eq!(chatx::user_posts_sort(42, "p1"), "0000000000042#p1");
        assert_eq!(
            chatx::comment_lookup("c1"),
            ("CHATX#COMMENT#c1".into(), "COMMENT".into())
        );
    }

    #[test]
    fn a_post_sorts_before_its_comments_and_comments_before_likes() {
        let post = chatx::post("p").sk;
        let comment = chatx::comment("p", "0190a0a0-0000-7000-8000-000000000000").sk;
        let like = chatx::like("p", "0").sk;
        assert!(post.as_str() < comment.as_str());
        assert!(comment.as_str() < chatx::COMMENTS_END);
        assert!(chatx::COMMENTS_END < like.as_str());
    }

    #[test]
    fn nobase_keys_have_documented_shapes() {
        assert_eq!(nobase::developer("d1"), Key::new("NOBASE#DEV#d1", "DEVELOPER"));
        assert_eq!(nobase::app("a1"), Key::new("NOBASE#APP#a1", "APP"));
        assert_eq!(nobase::board("a1", "b1"), Key::new("NOBASE#APP#a1", "BOARD#b1"));
        assert_eq!(
            nobase::user("a1", "alice"),
            Key::new("NOBASE#APP#a1#USER#alice", "USER")
        );
        assert_eq!(nobase::post("a1", "p1"), Key::new("NOBASE#APP#a1#POST#p1", "#POST"));
        assert_eq!(
            nobase::like("a1", "p1", "u1"),
            Key::new("NOBASE#APP#a1#POST#p1", "LIKE#u1")
        );
        // A post's item sorts before its likes.
        assert!(nobase::POST_SK < nobase::like("a1", "p1", "0").sk.as_str());
    }

    #[test]
    fn info_keys_have_documented_shapes() {
        use info::*;
        assert_eq!(counter(counter::INFO), Key::new("INFO#COUNTER", "INFO"));
        assert_eq!(user(7), Key::new("INFO#USER#000000000007", "USER"));
        assert_eq!(account("alice"), Key::new("INFO#ACCOUNT#alice", "ACCOUNT"));
        assert_eq!(
            author_counts(7, 2),
            Key::new("INFO#USER#000000000007", "CATCOUNT#000000000002")
        );
        assert_eq!(category(2), Key::new("INFO#CATEGORIES", "CATEGORY#000000000002"));
        assert_eq!(info(1), Key::new("INFO#INFO#000000000001", "INFO"));
        assert_eq!(stats(1), Key::new("INFO#INFO#000000000001", "STATS"));
        assert_eq!(like(1, 7), Key::new("INFO#INFO#000000000001", "LIKE#000000000007"));
        assert_eq!(
            relation(7, Relation::Favorite, 1),
            Key::new("INFO#USER#000000000007#FAVORITES", "000000000001")
        );
        assert_eq!(listing(Shelf::Published, Scope::All), "INFO#LIST#PUBLISHED");
        assert_eq!(
            listing(Shelf::Trashed, Scope::Category(3)),
            "INFO#LIST#TRASHED#CATEGORY#000000000003"
        );
        assert_eq!(by_time(42, 1), "0000000000042#000000000001");
        assert_eq!(
            comments(Some(1), CommentKind::ImageOrVideo),
            "INFO#COMMENTS#INFO#000000000001#MEDIA"
        );
        assert_eq!(storage::node("public:a/b.png").pk, "STORAGE#NODE#public:a/b.png");
    }

    #[test]
    fn info_id_parts_sort_numerically() {
        assert!(info::id_part(9) < info::id_part(10));
        assert!(info::by_id(999_999) < info::by_id(1_000_000));
    }

    #[test]
    fn time_parts_sort_numerically() {
        assert!(time_part(999) < time_part(1000));
        assert_eq!(time_part(1_774_920_400_000).len(), 13);
    }

    #[test]
    fn weif_keys_have_documented_shapes() {
        assert_eq!(
            weif::account("13800000000"),
            Key::new("WEIF#PHONE#13800000000", "ACCOUNT")
        );
        assert_eq!(weif::user("u1"), Key::new("WEIF#USER#u1", "PROFILE"));
        assert_eq!(weif::friend("u1", "u2"), Key::new("WEIF#USER#u1", "FRIEND#u2"));
        assert_eq!(weif::note("u1", "n1"), Key::new("WEIF#USER#u1", "NOTE#n1"));
        assert_eq!(weif::group("g1"), Key::new("WEIF#GROUP#g1", "#GROUP"));
        assert_eq!(weif::member("g1", "u1"), Key::new("WEIF#GROUP#g1", "MEMBER#u1"));
        assert_eq!(weif::join("g1", "u1"), Key::new("WEIF#GROUP#g1", "JOIN#u1"));
        assert_eq!(weif::group_number(17), Key::new("WEIF#GROUPNO#17", "GROUPNO"));
        assert_eq!(
            weif::reply("s1", "c1", "r1"),
            Key::new("WEIF#SPACE#s1", "COMMENT#c1#REPLY#r1")
        );
        assert_eq!(weif::by_time(42, &["g1", "u1"]), "0000000000042#g1#u1");
        assert_eq!(
            weif::nick_index("  Wifi歪f ", "u1"),
            Some(("WEIF#NICK#w".into(), "wifi歪f#u1".into()))
        );
        assert_eq!(weif::nick_search("WI"), Some(("WEIF#NICK#w".into(), "wi".into())));
        assert_eq!(weif::nick_search("  "), None);
        assert_eq!(
            weif::group_name_index("歪f群", "g1"),
            Some(("WEIF#GROUPNAME#歪".into(), "歪f群#g1".into()))
        );
    }

    #[test]
    fn weif_partitions_sort_their_head_item_first() {
        let space = weif::space("s").sk;
        let comment = weif::comment("s", "0190a0a0-0000-7000-8000-000000000000").sk;
        let reply = weif::reply(
            "s",
            "0190a0a0-0000-7000-8000-000000000000",
            "0190a0a0-0000-7000-8000-000000000001",
        )
        .sk;
        let next_comment = weif::comment("s", "0190a0a0-0000-7000-8000-000000000002").sk;
        let like = weif::like("s", "u").sk;
        assert!(space < comment && comment < reply && reply < next_comment && next_comment < like);
        let group = weif::group("g").sk;
        assert!(group < weif::join("g", "u").sk && weif::join("g", "u").sk < weif::member("g", "u").sk);
    }
}
