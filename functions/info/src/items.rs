//! How info-module records are stored: one struct per entity, mapped with `serde_dynamo`.
//! Keys come from [`crate::keys`]; attribute names used in expressions are the constants
//! of [`crate::keys::attr`] (the tests below keep both in step). Times are milliseconds.

use serde::{Deserialize, Serialize};

use super::model::Media;
use crate::keys::entity;
use crate::keys::{self as k, Relation, Scope, Shelf};
use shared::keys::Key;
use shared::storage::FileInfo;

/// An account: the login name's claim, with the password hash and the user it belongs to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub name: String,
    pub user_id: u64,
    pub password_hash: String,
    pub created_at: i64,
}

/// A user's verification (`with=author.verification`), set by an operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    #[serde(rename = "type")]
    pub kind: String,
    pub description: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub id: u64,
    pub name: String,
    /// A string set; absent when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub abilities: Vec<String>,
    #[serde(default)]
    pub points: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl UserItem {
    pub fn new(id: u64, name: &str, now: i64) -> Self {
        let key = k::user(id);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: entity::USER.into(),
            id,
            name: name.into(),
            abilities: Vec::new(),
            points: 0,
            verification: None,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn can(&self, ability: &str) -> bool {
        self.abilities.iter().any(|a| a == ability)
    }
}

/// Info counts of one category, or of one author in one category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub published_count: i64,
    pub trashed_count: i64,
    pub infos_count: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CategoryItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub id: u64,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<FileInfo>,
    pub sort: i64,
    #[serde(default)]
    pub published_count: i64,
    #[serde(default)]
    pub trashed_count: i64,
    #[serde(default)]
    pub infos_count: i64,
    pub created_at: i64,
    pub updated_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CategoryNameItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub category_id: u64,
}

impl CategoryNameItem {
    pub fn new(name_key: &str, category_id: u64) -> Self {
        let key = k::category_name(name_key);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: entity::CATEGORY_NAME.into(),
            category_id,
        }
    }
}

impl CategoryItem {
    /// A new category: no infos yet, created and updated `now`.
    pub fn new(id: u64, name: &str, icon: Option<FileInfo>, sort: i64, now: i64) -> Self {
        let key = k::category(id);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: entity::CATEGORY.into(),
            id,
            name: name.into(),
            icon,
            sort,
            published_count: 0,
            trashed_count: 0,
            infos_count: 0,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        }
    }

    pub fn counts(&self) -> Counts {
        Counts {
            published_count: self.published_count,
            trashed_count: self.trashed_count,
            infos_count: self.infos_count,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthorCountsItem {
    pub category_id: u64,
    #[serde(default)]
    pub published_count: i64,
    #[serde(default)]
    pub trashed_count: i64,
    #[serde(default)]
    pub infos_count: i64,
}

impl AuthorCountsItem {
    pub fn counts(&self) -> Counts {
        Counts {
            published_count: self.published_count,
            trashed_count: self.trashed_count,
            infos_count: self.infos_count,
        }
    }
}

/// The info: everything but its counters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InfoItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub id: u64,
    pub author_id: u64,
    pub category_id: u64,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub content: String,
    #[serde(default)]
    pub content_medias: Vec<Media>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommend_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topped_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_topped_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
    /// Bumped by every change, which is conditional on the revision it read.
    pub rev: u64,
    /// Set when a delete has begun: the info is gone for every reader and writer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purging: Option<i64>,
}

impl InfoItem {
    /// Whether `viewer` may see this info: anyone while it is published; once trashed, its
    /// author and `infos:admin` users.
    pub fn visible_to(&self, viewer: Option<&UserItem>) -> bool {
        self.deleted_at.is_none() || viewer.is_some_and(|u| self.editable_by(u))
    }

    /// Whether `user` may change or delete this info: its author and `infos:admin` users.
    pub fn editable_by(&self, user: &UserItem) -> bool {
        user.id == self.author_id || user.can(super::model::INFOS_ADMIN)
    }

    /// What listings filter and order this info by, as a listing entry has it.
    pub fn listing_attrs(&self) -> EntryItem {
        let key = Key {
            pk: k::listing(self.shelf(), Scope::All),
            sk: k::by_id(self.id),
        };
        EntryItem::new(key, self)
    }

    /// What this info adds to its category's (and its author's) counts.
    pub fn counts(&self) -> Counts {
        let trashed = self.deleted_at.is_some();
        Counts {
            published_count: i64::from(!trashed),
            trashed_count: i64::from(trashed),
            infos_count: 1,
        }
    }

    pub fn shelf(&self) -> Shelf {
        if self.deleted_at.is_some() {
            Shelf::Trashed
        } else {
            Shelf::Published
        }
    }

    /// The listing entries this info has: one per partition it is listed in.
    pub fn entries(&self) -> Vec<EntryItem> {
        let shelf = self.shelf();
        let mut keys: Vec<Key> = [
            Scope::All,
            Scope::Category(self.category_id),
            Scope::Author(self.author_id),
        ]
        .into_iter()
        .map(|scope| Key {
            pk: k::listing(shelf, scope),
            sk: k::by_id(self.id),
        })
        .collect();
        if shelf == Shelf::Published {
            if self.recommend_at.is_some() {
                keys.push(Key {
                    pk: k::RECOMMENDED.into(),
                    sk: k::by_id(self.id),
                });
            }
            if let Some(t) = self.topped_at {
                keys.push(Key {
                    pk: k::TOPPED.into(),
                    sk: k::by_time(t, self.id),
                });
            }
            if let Some(t) = self.category_topped_at {
                keys.push(Key {
                    pk: k::category_topped(self.category_id),
                    sk: k::by_time(t, self.id),
                });
            }
        }
        keys.into_iter().map(|key| EntryItem::new(key, self)).collect()
    }
}

/// An info's counters, and a copy of its state for the conditions of the writes that count.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub id: u64,
    #[serde(default)]
    pub views_count: i64,
    #[serde(default)]
    pub likes_count: i64,
    #[serde(default)]
    pub favorites_count: i64,
    #[serde(default)]
    pub comments_count: i64,
    #[serde(default)]
    pub shares_count: i64,
    pub updated_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purging: Option<i64>,
}

impl StatsItem {
    pub fn new(info: &InfoItem) -> Self {
        let key = k::stats(info.id);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: entity::STATS.into(),
            id: info.id,
            updated_at: info.updated_at,
            deleted_at: info.deleted_at,
            ..Self::default()
        }
    }
}

/// A listing entry: small, with what listings filter and order by, and never written by the
/// counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub id: u64,
    pub author_id: u64,
    pub category_id: u64,
    /// The title, lowercased, for `keyword`.
    pub title_lc: String,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommend_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topped_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_topped_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
}

impl EntryItem {
    fn new(key: Key, info: &InfoItem) -> Self {
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: entity::ENTRY.into(),
            id: info.id,
            author_id: info.author_id,
            category_id: info.category_id,
            title_lc: info.title.to_lowercase(),
            created_at: info.created_at,
            recommend_at: info.recommend_at,
            topped_at: info.topped_at,
            category_topped_at: info.category_topped_at,
            deleted_at: info.deleted_at,
        }
    }

    pub fn key(&self) -> Key {
        Key {
            pk: self.pk.clone(),
            sk: self.sk.clone(),
        }
    }
}

/// A like or a favorite, stored twice: in the info's partition (entity `InfoLike` or
/// `InfoFavorite`, so deleting the info finds it) and in the user's (entity `InfoRelation`, so
/// "infos I like" is one query and `liked=check` one batched read).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RelationItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    /// The user's likes (or favorites) by info: [`k::relations`] and [`k::relation_sort`].
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    pub info_id: u64,
    pub user_id: u64,
    pub created_at: i64,
}

impl RelationItem {
    /// `user_id`'s like or favorite of `info_id`, indexed under the user's relations.
    pub fn new(relation: Relation, info_id: u64, user_id: u64, created_at: i64) -> Self {
        let key = k::reaction(info_id, user_id, relation);
        let entity = match relation {
            Relation::Like => entity::LIKE,
            Relation::Favorite => entity::FAVORITE,
        };
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: entity.into(),
            gsi1pk: k::relations(user_id, relation),
            gsi1sk: k::relation_sort(info_id),
            info_id,
            user_id,
            created_at,
        }
    }
}

/// A points ledger entry: a user's first share of an info.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShareRewardItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub user_id: u64,
    pub info_id: u64,
    pub amount: i64,
    pub created_at: i64,
}

/// The claim on a feed mark: a user's mark names one feed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FeedMarkItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub feed_id: u64,
}

/// What a comment says: the feed's fields its answer shows. Never changed once written (no
/// route edits a comment; deleting its info deletes it), so its listing entries can carry a
/// copy ([`CommentEntryItem::comment`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub feed_content: String,
    pub feed_from: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed_mark: Option<String>,
    #[serde(default)]
    pub images: Vec<FileInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<FileInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_cover: Option<FileInfo>,
    pub created_at: i64,
}

/// A comment: a feed whose `repostable` is an info.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub id: u64,
    pub user_id: u64,
    pub info_id: u64,
    /// Stored as the feed's own attributes, as before the entries carried a copy.
    #[serde(flatten)]
    pub comment: Comment,
}

/// The most a comment listing entry may weigh and still carry its comment: one write unit, so
/// the copy costs no more write units than the entry without it (docs/data-model.md,
/// *Comments*).
pub const COMMENT_ENTRY_MAX: usize = shared::store::size::WRITE_UNIT;

impl FeedItem {
    /// The feed `id` of `user_id` on `info_id`, saying `comment`.
    pub fn new(id: u64, user_id: u64, info_id: u64, comment: Comment) -> Self {
        let key = k::feed(id);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: entity::FEED.into(),
            id,
            user_id,
            info_id,
            comment,
        }
    }

    /// The comment listings the feed appears in, for its info and for every info. Each entry
    /// carries the comment when every entry of it stays within [`COMMENT_ENTRY_MAX`] (any text
    /// with a few files); a bigger comment's entries carry only the IDs and a page reads its
    /// feed item by key.
    pub fn entries(&self) -> Vec<CommentEntryItem> {
        use k::CommentKind::*;
        let has_image = !self.comment.images.is_empty();
        let has_video = self.comment.video.is_some();
        let kinds = [
            (All, true),
            (Image, has_image),
            (Video, has_video),
            (ImageOrVideo, has_image || has_video),
        ];
        let mut entries: Vec<CommentEntryItem> = kinds
            .into_iter()
            .filter(|(_, on)| *on)
            .flat_map(|(kind, _)| [Some(self.info_id), None].map(|info| k::comment_entry(info, kind, self.id)))
            .map(|key| CommentEntryItem {
                pk: key.pk,
                sk: key.sk,
                entity: entity::COMMENT_ENTRY.into(),
                feed_id: self.id,
                info_id: self.info_id,
                user_id: self.user_id,
                comment: Some(self.comment.clone()),
            })
            .collect();
        let fits = |e: &CommentEntryItem| {
            serde_dynamo::to_item(e).is_ok_and(|item| shared::store::size::item_size(&item) <= COMMENT_ENTRY_MAX)
        };
        if !entries.iter().all(fits) {
            for e in &mut entries {
                e.comment = None;
            }
        }
        entries
    }
}

/// A comment in one listing of comments (an info's or every info's, of one `type`), under its
/// feed ID.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentEntryItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub feed_id: u64,
    pub info_id: u64,
    /// The commenter, so a page of comments reads its users in one batch.
    pub user_id: u64,
    /// The comment itself, so a page's one Query returns its comments; absent when it would
    /// make the entry weigh more than [`COMMENT_ENTRY_MAX`] (and in entries written before
    /// entries carried it): the page then reads the feed item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<Comment>,
}

impl CommentEntryItem {
    /// The feed this entry lists, when the entry carries its comment.
    pub fn feed(&self) -> Option<FeedItem> {
        let comment = self.comment.clone()?;
        Some(FeedItem::new(self.feed_id, self.user_id, self.info_id, comment))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::attr;
    use shared::keys;
    use shared::store::Item;

    pub(crate) fn info() -> InfoItem {
        let key = k::info(9);
        InfoItem {
            pk: key.pk,
            sk: key.sk,
            entity: entity::INFO.into(),
            id: 9,
            author_id: 7,
            category_id: 2,
            title: "Rust 新闻".into(),
            summary: None,
            content: "c".into(),
            content_medias: Vec::new(),
            recommend_at: None,
            topped_at: None,
            category_topped_at: None,
            created_at: 1,
            updated_at: 1,
            deleted_at: None,
            rev: 0,
            purging: None,
        }
    }

    #[test]
    fn an_info_is_listed_by_shelf_scope_and_flags() {
        let mut i = info();
        let pks = |i: &InfoItem| i.entries().into_iter().map(|e| e.pk).collect::<Vec<_>>();
        assert_eq!(
            pks(&i),
            [
                "INFO#LIST#PUBLISHED",
                "INFO#LIST#PUBLISHED#CATEGORY#000000000002",
                "INFO#LIST#PUBLISHED#AUTHOR#000000000007"
            ]
        );
        i.recommend_at = Some(5);
        i.topped_at = Some(6);
        i.category_topped_at = Some(7);
        assert_eq!(pks(&i).len(), 6);
        assert_eq!(i.entries()[4].sk, k::by_time(6, 9));
        assert_eq!(i.entries()[0].title_lc, "rust 新闻");
        i.deleted_at = Some(8);
        assert_eq!(
            pks(&i),
            [
                "INFO#LIST#TRASHED",
                "INFO#LIST#TRASHED#CATEGORY#000000000002",
                "INFO#LIST#TRASHED#AUTHOR#000000000007"
            ],
            "trashed infos leave the featured listings"
        );
    }

    #[test]
    fn items_use_the_expression_attribute_names() {
        let mut i = info();
        i.deleted_at = Some(1);
        i.purging = Some(1);
        let item: Item = serde_dynamo::to_item(&i).unwrap();
        for name in [
            attr::CATEGORY_ID,
            attr::UPDATED_AT,
            attr::DELETED_AT,
            attr::PURGING,
            attr::REV,
        ] {
            assert!(item.contains_key(name), "info lacks {name}");
        }
        let mut s = StatsItem::new(&i);
        s.purging = Some(1);
        let item: Item = serde_dynamo::to_item(&s).unwrap();
        for name in [
            attr::VIEWS_COUNT,
            attr::LIKES_COUNT,
            attr::FAVORITES_COUNT,
            attr::COMMENTS_COUNT,
            attr::SHARES_COUNT,
            attr::DELETED_AT,
            attr::PURGING,
            keys::ENTITY,
        ] {
            assert!(item.contains_key(name), "stats lack {name}");
        }
        let mut u = UserItem::new(1, "n", 0);
        u.abilities.push("x".into());
        u.verification = Some(Verification {
            kind: "user".into(),
            description: "d".into(),
            created_at: 0,
        });
        let item: Item = serde_dynamo::to_item(&u).unwrap();
        for name in [attr::ABILITIES, attr::POINTS, attr::VERIFICATION, attr::NAME] {
            assert!(item.contains_key(name), "user lacks {name}");
        }
        let c = CategoryItem {
            deleted_at: Some(1),
            ..CategoryItem::new(1, "n", None, 0, 0)
        };
        let item: Item = serde_dynamo::to_item(&c).unwrap();
        for name in [
            attr::NAME,
            attr::SORT,
            attr::PUBLISHED_COUNT,
            attr::TRASHED_COUNT,
            attr::INFOS_COUNT,
            attr::DELETED_AT,
        ] {
            assert!(item.contains_key(name), "category lacks {name}");
        }
        let back: CategoryItem = serde_dynamo::from_item(item).unwrap();
        assert_eq!(back.deleted_at, Some(1));
    }

    fn image(node: &str) -> FileInfo {
        FileInfo {
            node: node.into(),
            kind: shared::storage::Kind::Image,
            mime: "image/jpeg".into(),
            size: 4_194_304,
            width: Some(1080),
            height: Some(1920),
        }
    }

    /// A feed as `add_comment` writes it (IDs and times of a busy table).
    fn feed(comment: Comment) -> FeedItem {
        FeedItem::new(123_456, 98_765, 54_321, comment)
    }

    fn text(content: &str) -> Comment {
        Comment {
            feed_content: content.into(),
            feed_from: 5,
            feed_mark: None,
            images: Vec::new(),
            video: None,
            video_cover: None,
            created_at: 1_758_000_123_456,
        }
    }

    fn size(entry: &CommentEntryItem) -> usize {
        shared::store::size::item_size(&serde_dynamo::to_item(entry).unwrap())
    }

    #[test]
    fn a_feed_is_listed_by_kind_for_its_info_and_for_all() {
        let f = FeedItem::new(
            4,
            7,
            9,
            Comment {
                images: vec![image("public:a.png")],
                ..text("c")
            },
        );
        let pks: Vec<String> = f.entries().into_iter().map(|e| e.pk).collect();
        assert_eq!(
            pks,
            [
                "INFO#COMMENTS#INFO#000000000009#ALL",
                "INFO#COMMENTS#ALL#ALL",
                "INFO#COMMENTS#INFO#000000000009#IMAGE",
                "INFO#COMMENTS#ALL#IMAGE",
                "INFO#COMMENTS#INFO#000000000009#MEDIA",
                "INFO#COMMENTS#ALL#MEDIA"
            ]
        );
    }

    #[test]
    fn a_feed_is_stored_as_before_and_its_entries_give_it_back() {
        let f = feed(Comment {
            feed_mark: Some("m-1".into()),
            images: vec![image("public:2026/01/02/0190a0a0-0000-7000-8000-000000000000.jpg")],
            ..text("写得好")
        });
        let item: Item = serde_dynamo::to_item(&f).unwrap();
        for name in [
            "feed_content",
            "feed_from",
            "feed_mark",
            "images",
            "created_at",
            "user_id",
        ] {
            assert!(item.contains_key(name), "the feed keeps {name} at the top");
        }
        assert!(!item.contains_key("comment"));
        assert_eq!(serde_dynamo::from_item::<_, FeedItem>(item).unwrap(), f);
        for entry in f.entries() {
            let item: Item = serde_dynamo::to_item(&entry).unwrap();
            let stored: CommentEntryItem = serde_dynamo::from_item(item).unwrap();
            assert_eq!(stored.feed(), Some(f.clone()), "{}", entry.pk);
        }
    }

    #[test]
    fn the_longest_text_comment_fits_its_entries_in_one_write_unit() {
        // 255 is the most `feed_content` holds counted in GB18030 (a CJK character 2 of them,
        // 3 bytes in UTF-8), `feed_mark` 64 characters.
        for content in ["x".repeat(255), "字".repeat(127)] {
            let f = feed(Comment {
                feed_mark: Some("m".repeat(64)),
                ..text(&content)
            });
            for entry in f.entries() {
                assert!(entry.comment.is_some());
                assert!(size(&entry) <= COMMENT_ENTRY_MAX, "{}: {}", entry.pk, size(&entry));
            }
        }
    }

    #[test]
    fn a_comment_too_big_for_one_write_unit_leaves_its_entries_small() {
        let node = |i: usize| format!("public:2026/01/02/0190a0a0-0000-7000-8000-00000000000{i}.jpg");
        let few = feed(Comment {
            images: (0..3).map(|i| image(&node(i))).collect(),
            ..text(&"字".repeat(60))
        });
        assert!(
            few.entries().iter().all(|e| e.comment.is_some()),
            "text and 3 images fit"
        );
        let many = feed(Comment {
            images: (0..9).map(|i| image(&node(i))).collect(),
            video: Some(image(&node(9))),
            video_cover: Some(image(&node(0))),
            ..text(&"字".repeat(127))
        });
        let entries = many.entries();
        assert_eq!(entries.len(), 8);
        for entry in &entries {
            assert_eq!(entry.comment, None, "all or none carry it");
            assert!(size(entry) <= 200, "{}", size(entry));
        }
        assert_eq!(entries[0].feed(), None);
    }
}
