//! The nobase BBS surface (seed 002): developers, their apps, an app's boards, users and posts,
//! and likes.
//!
//! | entity | PK | SK |
//! |---|---|---|
//! | developer | `NOBASE#DEV#<developerId>` | `DEVELOPER` |
//! | app | `NOBASE#APP#<appid>` | `APP` |
//! | board | `NOBASE#APP#<appid>` | `BOARD#<uid>` |
//! | user | `NOBASE#APP#<appid>#USER#<account>` | `USER` |
//! | post | `NOBASE#APP#<appid>#POST#<id>` | `#POST` |
//! | like | `NOBASE#APP#<appid>#POST#<id>` | `LIKE#<userId>` |
use shared::counters::Counter;
use shared::keys::Key;

/// Every key and index partition of this surface starts with this prefix (registered in
/// `shared::keys::PREFIXES`, which keeps the surfaces apart).
pub const PREFIX: &str = shared::keys::registered("NOBASE#");

pub mod entity {
    pub const DEVELOPER: &str = "NobaseDeveloper";
    pub const APP: &str = "NobaseApp";
    pub const BOARD: &str = "NobaseBoard";
    pub const USER: &str = "NobaseUser";
    pub const POST: &str = "NobasePost";
    pub const LIKE: &str = "NobaseLike";
}

/// Attribute names used in expressions (items map them with serde renames; a unit test in
/// `wire::items` keeps the two in step).
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

/// The counters a change to the item at `key` touches (the table stream's upkeep,
/// `shared::counters`): a post's `likeCount` (its `LIKE#` items). App IDs and post IDs can't
/// hold `#`, so `…#POST#` only ever ends an app's prefix in a post's partition.
pub fn counters(key: &Key) -> Vec<Counter> {
    match key.pk.starts_with(&app_partition("")) && key.pk.contains("#POST#") {
        true => Counter::in_collection(key, POST_SK, &[(attr::LIKE_COUNT, LIKE_PREFIX)]),
        false => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{self as k};
    use shared::keys::{Key, PREFIXES};

    #[test]
    fn nobase_keys_have_documented_shapes() {
        assert_eq!(k::developer("d1"), Key::new("NOBASE#DEV#d1", "DEVELOPER"));
        assert_eq!(k::app("a1"), Key::new("NOBASE#APP#a1", "APP"));
        assert_eq!(k::board("a1", "b1"), Key::new("NOBASE#APP#a1", "BOARD#b1"));
        assert_eq!(k::user("a1", "alice"), Key::new("NOBASE#APP#a1#USER#alice", "USER"));
        assert_eq!(k::post("a1", "p1"), Key::new("NOBASE#APP#a1#POST#p1", "#POST"));
        assert_eq!(k::like("a1", "p1", "u1"), Key::new("NOBASE#APP#a1#POST#p1", "LIKE#u1"));
        // A post's item sorts before its likes.
        assert!(k::POST_SK < k::like("a1", "p1", "0").sk.as_str());
    }

    #[test]
    fn every_key_and_index_partition_is_under_the_registered_prefix() {
        assert!(PREFIXES.contains(&k::PREFIX));
        let keys: Vec<Key> = vec![
            k::developer("d"),
            k::app("a"),
            k::board("a", "b"),
            k::user("a", "u"),
            k::post("a", "p"),
            k::like("a", "p", "u"),
        ];
        let partitions: Vec<String> = vec![k::app_partition("a"), k::post_partition("a", "p")];
        for pk in keys.into_iter().map(|key| key.pk).chain(partitions) {
            assert!(pk.starts_with(k::PREFIX), "{pk}");
        }
    }
}
