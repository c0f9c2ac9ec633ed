//! The chatx surface (seeds 000/001): accounts, profiles, moments posts, likes, comments.
//!
//! | entity | PK | SK | GSI1PK / GSI1SK | GSI2PK / GSI2SK (keys only) |
//! |---|---|---|---|---|
//! | account | `CHATX#ACCOUNT#<account>` | `ACCOUNT` | | |
//! | user profile | `CHATX#USER#<userID>` | `PROFILE` | | |
//! | post | `CHATX#POST#<postID>` | `#POST` | `CHATX#USER#<userID>#POSTS` / `<createTime>#<postID>` | |
//! | like | `CHATX#POST#<postID>` | `LIKE#<userID>` | `CHATX#POST#<postID>#LIKES` / `<createTime>#<userID>` | `CHATX#USER#<userID>#LIKED#<author>` / the post's GSI1SK |
//! | comment | `CHATX#POST#<postID>` | `COMMENT#<commentID>` | `CHATX#COMMENT#<commentID>` / `COMMENT` | |
//! | like-count shard `k` of a hot post | `CHATX#POST#<postID>#SHARD#<k>` | `LIKES` | | |
use shared::counters::{Counter, Shards};
use shared::keys::{Key, time_part};

/// Every key and index partition of this surface starts with this prefix (registered in
/// `shared::keys::PREFIXES`, which keeps the surfaces apart).
pub const PREFIX: &str = shared::keys::registered("CHATX#");

pub mod entity {
    pub const ACCOUNT: &str = "ChatxAccount";
    pub const USER: &str = "ChatxUser";
    pub const POST: &str = "ChatxPost";
    pub const LIKE: &str = "ChatxLike";
    pub const COMMENT: &str = "ChatxComment";
    pub const LIKE_SHARD: &str = "ChatxLikeShard";
}

/// Attribute names used in expressions (items map them with serde renames; a unit test
/// in `chatx::items` keeps the two in step).
pub mod attr {
    pub const POST_ID: &str = "postID";
    pub const USER_ID: &str = "userID";
    pub const CREATE_TIME: &str = "createTime";
    pub const NICKNAME: &str = "nickname";
    pub const FACE_URL: &str = "faceURL";
    pub const LIKE_COUNT: &str = "likeCount";
    pub const COMMENT_COUNT: &str = "commentCount";
    pub const DELETED_AT: &str = "deletedAt";
    /// On a hot post: how many like-count shards it has (absent while it has none).
    pub const LIKE_SHARDS: &str = "likeShards";
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

/// A hot post's like count is spread over shard items on partition keys of their own
/// (`shared::counters::Shards`); the post item keeps the part counted before it got hot.
pub const LIKE_SHARDS: Shards = Shards {
    count_attr: attr::LIKE_SHARDS,
    pk_infix: "#SHARD#",
    sk: "LIKES",
};

/// Like-count shard `k` (1-based) of a post.
pub fn like_shard(post_id: &str, k: u32) -> Key {
    LIKE_SHARDS.key(&post(post_id), k)
}

/// GSI1 partition of a user's posts, newest last by sort key.
pub fn user_posts(user_id: &str) -> String {
    format!("CHATX#USER#{user_id}#POSTS")
}

pub fn user_posts_sort(create_time: i64, post_id: &str) -> String {
    format!("{}#{post_id}", time_part(create_time))
}

/// GSI2 partition (sparse, keys only) of the likes `viewer` gave to `author`'s posts. Its sort
/// key is the liked post's [`user_posts_sort`], so it is in the order of the author's post list:
/// one `BETWEEN` over a page's oldest and newest post finds exactly the viewer's likes among them.
pub fn liked_posts(viewer: &str, author: &str) -> String {
    format!("CHATX#USER#{viewer}#LIKED#{author}")
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

/// The counters a change to the item at `key` touches (the table stream's upkeep,
/// `shared::counters`): a post's `likeCount` (its `LIKE#` items, the count spread over the post
/// and its shards once it is hot) and `commentCount` (its `COMMENT#` items). A shard touches its
/// post's like count.
pub fn counters(key: &Key) -> Vec<Counter> {
    if !key.pk.starts_with(&post_partition("")) {
        return Vec::new();
    }
    let shard_head = LIKE_SHARDS.head_of(key, POST_SK);
    let changed = shard_head.clone().unwrap_or_else(|| key.clone());
    Counter::in_collection(
        &changed,
        POST_SK,
        &[(attr::LIKE_COUNT, LIKE_PREFIX), (attr::COMMENT_COUNT, COMMENT_PREFIX)],
    )
    .into_iter()
    .filter(|c| shard_head.is_none() || c.attribute == attr::LIKE_COUNT)
    .map(|c| match c.attribute {
        attr::LIKE_COUNT => c.sharded(LIKE_SHARDS),
        _ => c,
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::{self as k};
    use shared::keys::{Key, PREFIXES};

    #[test]
    fn chatx_keys_have_documented_shapes() {
        assert_eq!(k::account("alice"), Key::new("CHATX#ACCOUNT#alice", "ACCOUNT"));
        assert_eq!(k::user("u1"), Key::new("CHATX#USER#u1", "PROFILE"));
        assert_eq!(k::post("p1"), Key::new("CHATX#POST#p1", "#POST"));
        assert_eq!(k::like("p1", "u1"), Key::new("CHATX#POST#p1", "LIKE#u1"));
        assert_eq!(k::comment("p1", "c1"), Key::new("CHATX#POST#p1", "COMMENT#c1"));
        assert_eq!(k::user_posts_sort(42, "p1"), "0000000000042#p1");
        assert_eq!(k::liked_posts("v1", "a1"), "CHATX#USER#v1#LIKED#a1");
        assert_eq!(k::comment_lookup("c1"), ("CHATX#COMMENT#c1".into(), "COMMENT".into()));
        assert_eq!(k::like_shard("p1", 2), Key::new("CHATX#POST#p1#SHARD#2", "LIKES"));
    }

    #[test]
    fn a_shard_touches_its_posts_like_count_and_nothing_else() {
        let touched = k::counters(&k::like_shard("p1", 3));
        assert_eq!(touched.len(), 1);
        assert_eq!(touched[0].item, k::post("p1"));
        assert_eq!(touched[0].attribute, k::attr::LIKE_COUNT);
        assert_eq!(touched[0].relations_pk, k::post_partition("p1"));
        assert_eq!(touched[0].shards, Some(k::LIKE_SHARDS));
        let by_comment = k::counters(&k::comment("p1", "c1"));
        assert_eq!((by_comment.len(), by_comment[0].shards), (1, None));
    }

    #[test]
    fn a_post_sorts_before_its_comments_and_comments_before_likes() {
        let post = k::post("p").sk;
        let comment = k::comment("p", "0190a0a0-0000-7000-8000-000000000000").sk;
        let like = k::like("p", "0").sk;
        assert!(post.as_str() < comment.as_str());
        assert!(comment.as_str() < k::COMMENTS_END);
        assert!(k::COMMENTS_END < like.as_str());
    }

    #[test]
    fn every_key_and_index_partition_is_under_the_registered_prefix() {
        assert!(PREFIXES.contains(&k::PREFIX));
        let keys: Vec<Key> = vec![
            k::account("a"),
            k::user("u"),
            k::post("p"),
            k::like("p", "u"),
            k::comment("p", "c"),
            k::like_shard("p", 1),
        ];
        let partitions: Vec<String> = vec![
            k::user_posts("u"),
            k::post_likes("p"),
            k::comment_lookup("c").0,
            k::liked_posts("v", "a"),
        ];
        for pk in keys.into_iter().map(|key| key.pk).chain(partitions) {
            assert!(pk.starts_with(k::PREFIX), "{pk}");
        }
    }
}
