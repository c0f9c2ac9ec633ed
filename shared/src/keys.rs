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
}
