//! The info (news) module (seed 004): accounts, categories, infos, their likes, favorites,
//! share rewards and comments, and the listing entries that keep every common listing a
//! one-page read. `docs/data-model.md` has the table of these keys and why they are shaped so.
//!
//! IDs are integers (the seed's `"id": 1`), allocated from counters; inside keys they are
//! zero-padded to 12 digits so they sort as numbers.
use shared::counters::Counter;
use shared::keys::{Key, time_part};

/// Every key and index partition of this surface starts with this prefix (registered in
/// `shared::keys::PREFIXES`, which keeps the surfaces apart).
pub const PREFIX: &str = shared::keys::registered("INFO#");

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
    pub const FEED: &str = "InfoFeed";
    pub const FEED_MARK: &str = "InfoFeedMark";
    pub const COMMENT_ENTRY: &str = "InfoCommentEntry";
}

/// Attribute names used in expressions (the items in `crate::items` map them with serde
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

const INFO_PARTITION_PREFIX: &str = "INFO#INFO#";
const STATS_SK: &str = "STATS";
const COMMENTS_OF_INFO_PREFIX: &str = "INFO#COMMENTS#INFO#";

pub fn info_partition(id: u64) -> String {
    format!("{INFO_PARTITION_PREFIX}{}", id_part(id))
}

/// The info itself: title, content, medias, times.
pub fn info(id: u64) -> Key {
    Key::new(info_partition(id), "INFO")
}

/// The info's small, hot item: its counters and a copy of its state (trashed, purging),
/// which likes, favorites, shares, comments and views write instead of the large info item.
pub fn stats(id: u64) -> Key {
    Key::new(info_partition(id), STATS_SK)
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

/// The GSI1 partition of the infos `user` likes (or favorites), by info ID: each reaction item
/// is indexed there (GSI1SK [`relation_sort`]), so no copy of it is written.
pub fn relations(user: u64, relation: Relation) -> String {
    format!("{}#{}", user_partition(user), relation.part())
}

/// A reaction's GSI1 sort key in [`relations`]: the info's ID.
pub fn relation_sort(info: u64) -> String {
    id_part(info)
}

/// `user`'s like or favorite of `info`, in the info's partition.
pub fn reaction(info: u64, user: u64, relation: Relation) -> Key {
    match relation {
        Relation::Like => like(info, user),
        Relation::Favorite => favorite(info, user),
    }
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
        Some(i) => format!("{COMMENTS_OF_INFO_PREFIX}{}#{}", id_part(i), kind.part()),
        None => format!("INFO#COMMENTS#ALL#{}", kind.part()),
    }
}

/// Comment `feed`'s entry in a comment listing partition.
pub fn comment_entry(info: Option<u64>, kind: CommentKind, feed: u64) -> Key {
    Key::new(comments(info, kind), id_part(feed))
}

/// The counters a change to the item at `key` touches (the table stream's upkeep,
/// `shared::counters`): an info's `likes_count` and `favorites_count` (its `LIKE#` and
/// `FAVORITE#` items, in its partition beside its stats) and `comments_count` (the entries of its
/// comment listing of every kind, one per comment).
pub fn counters(key: &Key) -> Vec<Counter> {
    let comments_of = |info: u64| Counter {
        item: stats(info),
        attribute: attr::COMMENTS_COUNT,
        relations_pk: comments(Some(info), CommentKind::All),
        relations_prefix: String::new(),
        shards: None,
    };
    if let Some(info) = key.pk.strip_prefix(INFO_PARTITION_PREFIX) {
        let mut found = Counter::in_collection(
            key,
            STATS_SK,
            &[
                (attr::LIKES_COUNT, LIKE_PREFIX),
                (attr::FAVORITES_COUNT, FAVORITE_PREFIX),
            ],
        );
        if let (true, Ok(info)) = (key.sk == STATS_SK, info.parse::<u64>()) {
            found.push(comments_of(info));
        }
        return found;
    }
    let listing = key.pk.strip_prefix(COMMENTS_OF_INFO_PREFIX);
    match listing.and_then(|rest| rest.strip_suffix(&format!("#{}", CommentKind::All.part()))) {
        Some(info) => info.parse::<u64>().map(comments_of).into_iter().collect(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{self as k};
    use shared::keys::{Key, PREFIXES};

    #[test]
    fn info_keys_have_documented_shapes() {
        assert_eq!(k::counter(k::counter::INFO), Key::new("INFO#COUNTER", "INFO"));
        assert_eq!(k::user(7), Key::new("INFO#USER#000000000007", "USER"));
        assert_eq!(k::account("alice"), Key::new("INFO#ACCOUNT#alice", "ACCOUNT"));
        assert_eq!(
            k::author_counts(7, 2),
            Key::new("INFO#USER#000000000007", "CATCOUNT#000000000002")
        );
        assert_eq!(k::category(2), Key::new("INFO#CATEGORIES", "CATEGORY#000000000002"));
        assert_eq!(k::info(1), Key::new("INFO#INFO#000000000001", "INFO"));
        assert_eq!(k::stats(1), Key::new("INFO#INFO#000000000001", "STATS"));
        assert_eq!(k::like(1, 7), Key::new("INFO#INFO#000000000001", "LIKE#000000000007"));
        assert_eq!(k::reaction(1, 7, k::Relation::Favorite), k::favorite(1, 7));
        assert_eq!(
            (k::relations(7, k::Relation::Favorite), k::relation_sort(1)),
            ("INFO#USER#000000000007#FAVORITES".to_owned(), "000000000001".to_owned())
        );
        assert_eq!(k::listing(k::Shelf::Published, k::Scope::All), "INFO#LIST#PUBLISHED");
        assert_eq!(
            k::listing(k::Shelf::Trashed, k::Scope::Category(3)),
            "INFO#LIST#TRASHED#CATEGORY#000000000003"
        );
        assert_eq!(k::by_time(42, 1), "0000000000042#000000000001");
        assert_eq!(
            k::comments(Some(1), k::CommentKind::ImageOrVideo),
            "INFO#COMMENTS#INFO#000000000001#MEDIA"
        );
    }

    #[test]
    fn info_id_parts_sort_numerically() {
        assert!(k::id_part(9) < k::id_part(10));
        assert!(k::by_id(999_999) < k::by_id(1_000_000));
    }

    #[test]
    fn every_key_and_index_partition_is_under_the_registered_prefix() {
        assert!(PREFIXES.contains(&k::PREFIX));
        let keys: Vec<Key> = vec![
            k::counter(k::counter::INFO),
            k::account("a"),
            k::user(1),
            k::author_counts(1, 2),
            k::share_reward(1, 2),
            k::feed_mark(1, "m"),
            k::category(1),
            k::category_name("n"),
            k::info(1),
            k::stats(1),
            k::like(1, 2),
            k::favorite(1, 2),
            k::feed(1),
        ];
        let partitions: Vec<String> = vec![
            k::listing(k::Shelf::Published, k::Scope::All),
            k::category_topped(1),
            k::comments(None, k::CommentKind::ImageOrVideo),
            k::RECOMMENDED.to_owned(),
            k::TOPPED.to_owned(),
            k::CATEGORIES.to_owned(),
            k::relations(1, k::Relation::Like),
        ];
        for pk in keys.into_iter().map(|key| key.pk).chain(partitions) {
            assert!(pk.starts_with(k::PREFIX), "{pk}");
        }
    }
}
