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
    fn time_parts_sort_numerically() {
        assert!(time_part(999) < time_part(1000));
        assert_eq!(time_part(1_774_920_400_000).len(), 13);
    }
}
