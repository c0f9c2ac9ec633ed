//! Validated info-module inputs and the seed's pure rules.
//!
//! Inputs are checked with Laravel's rules through [`Validator`], which collects every failure;
//! each `parse` returns the typed value only when its fields are valid. Limits (see
//! `docs/info.md`): user names 2–24 in GB18030 length; passwords 6–128 characters; category names
//! 1–24 in GB18030 length; titles 1–60 in GB18030 length; summaries at most 160 characters;
//! content at most 65,000 bytes; at most 100 `content_medias`; page size 1–50 (default 15).

use std::collections::HashSet;

use serde_json::Value;

use crate::keys::{CommentKind, Relation};
use crate::wire::{Validator, attribute};
use shared::auth::{Caller, TokenError};
use shared::error::AppError;
use shared::storage::FileInfo;

/// The ability that lets a user manage categories and publish, feature and trash infos.
pub const INFOS_ADMIN: &str = "infos:admin";

pub const MAX_USER_NAME: usize = 24;
pub const MAX_CATEGORY_NAME: usize = 24;
pub const MAX_TITLE: usize = 60;
pub const MAX_SUMMARY_CHARS: usize = 160;
pub const MAX_CONTENT_BYTES: usize = 65_000;
pub const MAX_CONTENT_MEDIAS: usize = 100;
pub const DEFAULT_LIMIT: usize = 15;
pub const MAX_LIMIT: usize = 50;
/// The deepest `offset` a listing serves (each skipped info is one small index entry read).
pub const MAX_OFFSET: usize = 10_000;
/// The most IDs a comma list (`id`, `author_id`, `category_id`) may hold.
pub const MAX_ID_LIST: usize = 100;
/// The most authors or categories one listing merges.
pub const MAX_MERGED_SCOPES: usize = 20;
/// Images smaller than this on both sides are left out of `medias`.
pub const MEDIA_MIN_SIDE: u32 = 125;

/// A text's length in GB18030 bytes: ASCII counts 1, a CJK character 2 (a few rare characters
/// and emoji 4), as ThinkSNS measures names and titles.
pub fn gb18030_len(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    encoding_rs::GB18030.encode(s).0.len()
}

/// The info user ID a verified token names.
pub fn user_id(caller: &Caller) -> Result<u64, AppError> {
    caller
        .user_id()
        .parse()
        .map_err(|_| AppError::Unauthenticated(TokenError::Invalid))
}

/// A required ID in a path (`/infos/{id}`): anything but a positive integer names nothing.
pub fn path_id(raw: &str, what: &'static str) -> Result<u64, AppError> {
    raw.parse::<u64>()
        .ok()
        .filter(|id| (1..=999_999_999_999).contains(id))
        .ok_or_else(|| AppError::not_found(format!("{what} not found.")))
}

/// A name folded for uniqueness: trimmed and lowercased, so `News` and `news` are one name.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// A text that passed its rules: it can only be made by its parser below.
macro_rules! valid_text {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
    };
}

valid_text!(
    /// A user's name as registered ([`user_name`]).
    UserName
);
valid_text!(
    /// A category's name ([`category_name`]).
    CategoryName
);
valid_text!(
    /// A storage node a field names ([`node`]); whether it is uploaded, and of the right kind,
    /// storage tells later.
    Node
);

fn gb18030_max(v: &mut Validator<'_>, field: &str, s: &str, max: usize) -> bool {
    let ok = gb18030_len(s) <= max;
    if !ok {
        v.fail(
            field,
            format!(
                "The {} may not be greater than {max} characters (a CJK character counts 2).",
                attribute(field)
            ),
        );
    }
    ok
}

/// A registering user's name: 2–24 in GB18030 length, of letters, digits, `_` and CJK, not
/// starting with a digit (ThinkSNS's `username` rule).
pub fn user_name(v: &mut Validator<'_>, field: &str) -> Option<UserName> {
    if !v.required(field) {
        return None;
    }
    let name = v.string(field)?;
    let allowed = |c: char| c.is_alphanumeric() || c == '_';
    if !name.chars().all(allowed) || name.starts_with(|c: char| c.is_ascii_digit()) {
        v.fail(
            field,
            format!(
                "The {} may only contain letters, digits, underscores and CJK characters, and may not start with a digit.",
                attribute(field)
            ),
        );
        return None;
    }
    if gb18030_len(name) < 2 {
        v.fail(
            field,
            format!("The {} must be at least 2 characters.", attribute(field)),
        );
        return None;
    }
    gb18030_max(v, field, name, MAX_USER_NAME).then(|| UserName(name.to_owned()))
}

/// A plaintext password (never printed).
pub struct Password(String);

impl Password {
    pub fn parse(v: &mut Validator<'_>, field: &str) -> Option<Self> {
        if !v.required(field) {
            return None;
        }
        let raw = v.string(field)?;
        let len = raw.chars().count();
        if len < 6 {
            v.fail(
                field,
                format!("The {} must be at least 6 characters.", attribute(field)),
            );
            return None;
        }
        if len > 128 {
            v.fail(
                field,
                format!("The {} may not be greater than 128 characters.", attribute(field)),
            );
            return None;
        }
        Some(Self(raw.to_owned()))
    }

    /// A password as given at login: any string (a wrong one is simply wrong).
    pub fn given(v: &mut Validator<'_>, field: &str) -> Option<Self> {
        v.string(field).map(|p| Self(p.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A category name: 1–24 in GB18030 length.
pub fn category_name(v: &mut Validator<'_>, field: &str) -> Option<CategoryName> {
    let name = v.string(field)?;
    gb18030_max(v, field, name, MAX_CATEGORY_NAME).then(|| CategoryName(name.to_owned()))
}

/// A storage node named by a field (its usability is checked against storage later).
pub fn node(v: &mut Validator<'_>, field: &str) -> Option<Node> {
    let node = v.string(field)?;
    if !shared::storage::is_node(node) {
        v.fail(field, format!("The selected {} is invalid.", attribute(field)));
        return None;
    }
    Some(Node(node.to_owned()))
}

/// A `sort` value (an integer that fits in 32 bits, as a MySQL `int` column would).
pub fn sort(v: &mut Validator<'_>, field: &str) -> Option<i64> {
    let n = v.integer(field)?;
    if i32::try_from(n).is_err() {
        v.fail(field, format!("The {} must be a 32-bit integer.", attribute(field)));
        return None;
    }
    Some(n)
}

/// A positive integer ID in a field.
pub fn id(v: &mut Validator<'_>, field: &str) -> Option<u64> {
    let n = v.integer(field)?;
    match u64::try_from(n).ok().filter(|n| *n > 0) {
        Some(id) => Some(id),
        None => {
            v.fail(field, format!("The selected {} is invalid.", attribute(field)));
            None
        }
    }
}

/// One element of `content_medias`: an image node and, optionally, a video node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRef {
    pub image: String,
    pub video: Option<String>,
}

/// The fields of an info a create or change sets; `None` leaves a field as it is. As parsed,
/// `content_medias` names nodes ([`MediaRef`]); once they are described, it holds their files
/// ([`InfoChange`]).
#[derive(Debug, Clone)]
pub struct InfoFields<M = MediaRef> {
    pub author_id: Option<u64>,
    pub category_id: Option<u64>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub content: Option<String>,
    pub content_medias: Option<Vec<M>>,
    pub recommend: Option<bool>,
    pub topped: Option<bool>,
    pub category_topped: Option<bool>,
    pub deleted: Option<bool>,
}

/// A validated change to an info, its files described.
pub type InfoChange = InfoFields<Media>;

impl InfoFields {
    /// The same fields with `content_medias` described.
    pub fn with_medias(self, content_medias: Option<Vec<Media>>) -> InfoChange {
        InfoFields {
            author_id: self.author_id,
            category_id: self.category_id,
            title: self.title,
            summary: self.summary,
            content: self.content,
            content_medias,
            recommend: self.recommend,
            topped: self.topped,
            category_topped: self.category_topped,
            deleted: self.deleted,
        }
    }

    /// The fields of a create (`creating`: category, title and content required) or a change.
    pub fn parse(v: &mut Validator<'_>, creating: bool) -> Self {
        if creating {
            for field in ["category_id", "title", "content"] {
                v.required(field);
            }
        }
        let title = v.string("title");
        let summary = v.string("summary");
        let content = v.string("content");
        let mut fields = Self {
            author_id: id(v, "author_id"),
            category_id: id(v, "category_id"),
            title: title
                .filter(|t| gb18030_max(v, "title", t, MAX_TITLE))
                .map(str::to_owned),
            summary: None,
            content: None,
            content_medias: content_medias(v),
            recommend: v.boolean("recommend"),
            topped: v.boolean("topped"),
            category_topped: v.boolean("category_topped"),
            deleted: if creating { None } else { v.boolean("deleted") },
        };
        if let Some(s) = summary {
            if s.chars().count() > MAX_SUMMARY_CHARS {
                v.fail(
                    "summary",
                    format!("The summary may not be greater than {MAX_SUMMARY_CHARS} characters."),
                );
            } else {
                fields.summary = Some(s.to_owned());
            }
        }
        if let Some(c) = content {
            if c.len() > MAX_CONTENT_BYTES {
                v.fail(
                    "content",
                    format!("The content may not be greater than {MAX_CONTENT_BYTES} bytes."),
                );
            } else {
                fields.content = Some(c.to_owned());
            }
        }
        fields
    }
}

fn content_medias(v: &mut Validator<'_>) -> Option<Vec<MediaRef>> {
    let field = "content_medias";
    let items = v.array(field)?;
    if items.len() > MAX_CONTENT_MEDIAS {
        v.fail(
            field,
            format!("The content medias may not have more than {MAX_CONTENT_MEDIAS} items."),
        );
        return None;
    }
    let mut out = Vec::with_capacity(items.len());
    let mut valid = true;
    for (i, item) in items.iter().enumerate() {
        let Value::Object(entry) = item else {
            v.fail(&format!("{field}.{i}"), format!("The {field}.{i} must be an object."));
            valid = false;
            continue;
        };
        let mut node_at = |key: &str, required: bool| -> Option<String> {
            let name = format!("{field}.{i}.{key}");
            match entry.get(key) {
                None | Some(Value::Null) if required => {
                    v.fail(&name, format!("The {name} field is required."));
                    None
                }
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if shared::storage::is_node(s.trim()) => Some(s.trim().to_owned()),
                Some(_) => {
                    v.fail(&name, format!("The {name} must be a storage node."));
                    None
                }
            }
        };
        let image = node_at("image", true);
        let video = node_at("video", false);
        let video_ok = entry.get("video").is_none_or(Value::is_null) || video.is_some();
        match image {
            Some(image) if video_ok => out.push(MediaRef { image, video }),
            _ => valid = false,
        }
    }
    valid.then_some(out)
}

/// An element of `content_medias` once its nodes are known.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Media {
    pub image: FileInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<FileInfo>,
}

/// The seed's `medias` rules, applied to `content_medias`:
/// 1. images smaller than 125 px on both sides are left out (a video's cover is never);
/// 2. if there is a video, only the first video (with its cover) is returned;
/// 3. more than 3 images: the first 3; exactly 3: all 3 (the seed says neither; see decisions);
/// 4. 1 or 2 images: the first one;
/// 5. otherwise there is no `medias` field (`None`).
pub fn medias(content_medias: &[Media]) -> Option<Vec<&Media>> {
    if let Some(video) = content_medias.iter().find(|m| m.video.is_some()) {
        return Some(vec![video]);
    }
    let large = |m: &&Media| {
        let (w, h) = (m.image.width.unwrap_or(u32::MAX), m.image.height.unwrap_or(u32::MAX));
        w >= MEDIA_MIN_SIDE || h >= MEDIA_MIN_SIDE
    };
    let images: Vec<&Media> = content_medias.iter().filter(large).collect();
    match images.len() {
        0 => None,
        1 | 2 => Some(images[..1].to_vec()),
        _ => Some(images[..3].to_vec()),
    }
}

/// Which infos or categories a listing includes by their trashed state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Trashed {
    #[default]
    Without,
    With,
    Only,
}

impl Trashed {
    pub fn parse(v: &mut Validator<'_>) -> Trashed {
        match v.one_of("trashed", &["without", "with", "only"]) {
            Some("with") => Trashed::With,
            Some("only") => Trashed::Only,
            _ => Trashed::Without,
        }
    }

    pub fn includes(self, trashed: bool) -> bool {
        match self {
            Trashed::Without => !trashed,
            Trashed::With => true,
            Trashed::Only => trashed,
        }
    }
}

/// The fields an info listing may be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortField {
    Id,
    ViewsCount,
    LikesCount,
    FavoritesCount,
    CommentsCount,
    SharesCount,
    RecommendAt,
    ToppedAt,
    CategoryToppedAt,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

impl SortField {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "id" => Self::Id,
            "views_count" => Self::ViewsCount,
            "likes_count" => Self::LikesCount,
            "favorites_count" => Self::FavoritesCount,
            "comments_count" => Self::CommentsCount,
            "shares_count" => Self::SharesCount,
            "recommend_at" => Self::RecommendAt,
            "topped_at" => Self::ToppedAt,
            "category_topped_at" => Self::CategoryToppedAt,
            // The seed's own example says `created desc`: read as `created_at`.
            "created_at" | "created" => Self::CreatedAt,
            "updated_at" => Self::UpdatedAt,
            "deleted_at" => Self::DeletedAt,
            _ => return None,
        })
    }
}

/// A listing's order: `(field, descending)` pairs, most significant first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order(pub Vec<(SortField, bool)>);

impl Order {
    /// `order=topped_at desc,created_at desc` (direction defaults to `asc`, as SQL's); absent:
    /// newest first (`id desc`).
    pub fn parse(v: &mut Validator<'_>) -> Order {
        let Some(raw) = v.string("order") else {
            return Order(Vec::new());
        };
        let mut keys = Vec::new();
        let mut seen = HashSet::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let mut words = part.split_whitespace();
            let field = words.next().and_then(SortField::parse);
            let desc = match words.next().map(str::to_ascii_lowercase).as_deref() {
                None | Some("asc") => Some(false),
                Some("desc") => Some(true),
                Some(_) => None,
            };
            match (field, desc, words.next()) {
                (Some(f), Some(d), None) => {
                    if seen.insert(f) {
                        keys.push((f, d));
                    }
                }
                _ => {
                    v.fail("order", "The selected order is invalid.");
                    return Order(Vec::new());
                }
            }
        }
        Order(keys)
    }

    /// The order with `created_at` read as `id` (IDs are allocated in creation order) and
    /// everything after an `id` key dropped (IDs are unique); empty means `id desc`.
    pub fn normalized(&self) -> Vec<(SortField, bool)> {
        let mut out = Vec::new();
        for &(f, d) in &self.0 {
            let f = if f == SortField::CreatedAt { SortField::Id } else { f };
            out.push((f, d));
            if f == SortField::Id {
                return out;
            }
        }
        out.push((SortField::Id, out.last().is_none_or(|(_, d)| *d)));
        out
    }
}

/// The related records a response includes (`with=author,author.verification,category`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct With {
    pub author: bool,
    pub verification: bool,
    pub category: bool,
}

impl With {
    pub fn parse(v: &mut Validator<'_>) -> With {
        let names: Vec<String> = match v.input().get("with") {
            None => return With::default(),
            Some(Value::String(s)) => s.split(',').map(|p| p.trim().to_owned()).collect(),
            Some(Value::Array(items)) => items
                .iter()
                .flat_map(|i| i.as_str().unwrap_or("?").split(',').map(|p| p.trim().to_owned()))
                .collect(),
            Some(_) => vec!["?".into()],
        };
        let mut with = With::default();
        for name in names.iter().filter(|n| !n.is_empty()) {
            match name.as_str() {
                "author" => with.author = true,
                "author.verification" => {
                    with.author = true;
                    with.verification = true;
                }
                "category" => with.category = true,
                _ => {
                    v.fail("with", "The selected with is invalid.");
                    return With::default();
                }
            }
        }
        with
    }
}

/// `offset` and `limit` (or `page` and `limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub offset: usize,
    pub limit: usize,
    /// Set when the client asked for `page`: the answer is a paginated object.
    pub page: Option<usize>,
}

impl Window {
    pub fn parse(v: &mut Validator<'_>) -> Window {
        let limit = match v.integer("limit") {
            None => DEFAULT_LIMIT,
            Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => n as usize,
            Some(_) => {
                v.fail("limit", format!("The limit must be between 1 and {MAX_LIMIT}."));
                DEFAULT_LIMIT
            }
        };
        let page = match v.integer("page") {
            None => None,
            Some(n) if n >= 1 && (n as usize - 1).saturating_mul(limit) <= MAX_OFFSET => Some(n as usize),
            Some(_) => {
                v.fail(
                    "page",
                    format!("The page must be at least 1, and skip at most {MAX_OFFSET} infos."),
                );
                None
            }
        };
        let offset = match (page, v.integer("offset")) {
            (Some(p), _) => (p - 1) * limit,
            (None, None) => 0,
            (None, Some(n)) if (0..=MAX_OFFSET as i64).contains(&n) => n as usize,
            (None, Some(_)) => {
                v.fail("offset", format!("The offset must be between 0 and {MAX_OFFSET}."));
                0
            }
        };
        Window { offset, limit, page }
    }
}

/// A parsed `GET /infos` query.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub ids: Option<Vec<u64>>,
    pub authors: Vec<u64>,
    pub categories: Vec<u64>,
    pub trashed: Trashed,
    pub recommend: Option<bool>,
    /// Lowercased; matched against lowercased titles.
    pub keyword: Option<String>,
    pub liked: bool,
    pub favorited: bool,
    pub only: Option<Relation>,
    pub order: Order,
    pub window: Window,
    pub with: With,
}

impl ListQuery {
    pub fn parse(v: &mut Validator<'_>) -> ListQuery {
        let check = |v: &mut Validator<'_>, field: &str| v.one_of(field, &["check"]).is_some();
        let ids = v.id_list("id", MAX_ID_LIST);
        let authors = v.id_list("author_id", MAX_MERGED_SCOPES).unwrap_or_default();
        let categories = v.id_list("category_id", MAX_MERGED_SCOPES).unwrap_or_default();
        ListQuery {
            ids,
            authors,
            categories,
            trashed: Trashed::parse(v),
            recommend: v.boolean("recommend"),
            keyword: v.string("keyword").map(str::to_lowercase),
            liked: check(v, "liked"),
            favorited: check(v, "favorited"),
            only: match v.one_of("list_type", &["only_liked", "only_favorited"]) {
                Some("only_liked") => Some(Relation::Like),
                Some("only_favorited") => Some(Relation::Favorite),
                _ => None,
            },
            order: Order::parse(v),
            window: Window::parse(v),
            with: With::parse(v),
        }
    }
}

/// The comment listings' `type`.
pub fn comment_kind(v: &mut Validator<'_>) -> CommentKind {
    match v.one_of("type", &["image", "video", "image_or_video"]) {
        Some("image") => CommentKind::Image,
        Some("video") => CommentKind::Video,
        Some("image_or_video") => CommentKind::ImageOrVideo,
        _ => CommentKind::All,
    }
}

/// A parsed comment listing query: `type`, `after`, `order` (`desc` by default), `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentQuery {
    pub kind: CommentKind,
    pub after: Option<u64>,
    pub desc: bool,
    pub limit: usize,
}

impl CommentQuery {
    pub fn parse(v: &mut Validator<'_>) -> CommentQuery {
        let kind = comment_kind(v);
        let after = id(v, "after");
        let desc = v.one_of("order", &["asc", "desc"]) != Some("asc");
        let Window { limit, .. } = Window::parse(v);
        CommentQuery {
            kind,
            after,
            desc,
            limit,
        }
    }
}

/// The longest feed content (GB18030 length), and how many images a feed may carry.
pub const MAX_FEED_CONTENT: usize = 255;
pub const MAX_FEED_IMAGES: usize = 9;

/// A validated `POST /feeds` (a comment on an info).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedDraft {
    pub info_id: u64,
    pub content: String,
    pub from: i64,
    pub mark: Option<String>,
    pub images: Vec<String>,
    pub video: Option<(String, Option<String>)>,
}

impl FeedDraft {
    pub fn parse(v: &mut Validator<'_>) -> Option<FeedDraft> {
        v.required("repostable_type");
        let typed = v.one_of("repostable_type", &["infos"]).is_some();
        v.required("repostable_id");
        let info_id = id(v, "repostable_id");
        let content = v.string("feed_content").unwrap_or_default().to_owned();
        if gb18030_len(&content) > MAX_FEED_CONTENT {
            v.fail(
                "feed_content",
                format!(
                    "The feed content may not be greater than {MAX_FEED_CONTENT} characters (a CJK character counts 2)."
                ),
            );
        }
        let from = match v.integer("feed_from") {
            None => 5,
            Some(n @ 1..=5) => n,
            Some(_) => {
                v.fail("feed_from", "The selected feed from is invalid.");
                5
            }
        };
        let mark = v.string("feed_mark").map(str::to_owned);
        if mark
            .as_deref()
            .is_some_and(|m| m.len() > 64 || !m.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)))
        {
            v.fail(
                "feed_mark",
                "The feed mark may only contain letters, digits, '-', '_' and '.', at most 64.",
            );
        }
        let images = feed_images(v);
        let video = feed_video(v);
        if content.is_empty() && images.is_empty() && video.is_none() && !v.failed("images") && !v.failed("video") {
            v.fail(
                "feed_content",
                "The feed content field is required when images / video is not present.",
            );
        }
        Some(FeedDraft {
            info_id: info_id.filter(|_| typed)?,
            content,
            from,
            mark,
            images,
            video,
        })
    }
}

fn feed_images(v: &mut Validator<'_>) -> Vec<String> {
    let Some(items) = v.array("images") else {
        return Vec::new();
    };
    if items.len() > MAX_FEED_IMAGES {
        v.fail(
            "images",
            format!("The images may not have more than {MAX_FEED_IMAGES} items."),
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let node = match item {
            Value::String(s) => Some(s.trim()),
            Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::trim),
            _ => None,
        };
        match node.filter(|n| shared::storage::is_node(n)) {
            Some(n) => out.push(n.to_owned()),
            None => v.fail(
                &format!("images.{i}"),
                format!("The images.{i} must be a storage node."),
            ),
        }
    }
    out
}

fn feed_video(v: &mut Validator<'_>) -> Option<(String, Option<String>)> {
    let value = v.input().get("video")?;
    let Value::Object(o) = value else {
        v.fail("video", "The video must be an object.");
        return None;
    };
    let node = |key: &str| o.get(key).and_then(Value::as_str).map(str::trim).map(str::to_owned);
    let video = node("video_id").filter(|n| shared::storage::is_node(n));
    let cover = node("cover_id");
    if video.is_none() {
        v.fail("video.video_id", "The video.video_id must be a storage node.");
        return None;
    }
    if cover.as_deref().is_some_and(|c| !shared::storage::is_node(c)) {
        v.fail("video.cover_id", "The video.cover_id must be a storage node.");
        return None;
    }
    Some((video?, cover))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Input;
    use serde_json::json;
    use shared::storage::Kind;

    fn input(body: Value) -> Input {
        let Value::Object(b) = body else { panic!() };
        Input::from_parts(&[], b)
    }

    fn query(pairs: &[(&str, &str)]) -> Input {
        let q: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Input::from_parts(&q, Default::default())
    }

    fn messages(v: Validator<'_>) -> Vec<(String, String)> {
        match v.finish() {
            Ok(()) => Vec::new(),
            Err(AppError::Invalid(e)) => e
                .fields()
                .into_iter()
                .map(|(f, m)| (f.to_owned(), m[0].to_string()))
                .collect(),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn gb18030_length_counts_cjk_as_two() {
        assert_eq!(gb18030_len("abc"), 3);
        assert_eq!(gb18030_len("分类一"), 6);
        assert_eq!(gb18030_len("a分"), 3);
        assert_eq!(gb18030_len("😀"), 4);
    }

    #[test]
    fn category_names_are_limited_by_gb18030_length() {
        let i = input(json!({"a": "分".repeat(12), "b": "分".repeat(12) + "x", "c": "x".repeat(24)}));
        let mut v = i.validator();
        assert!(category_name(&mut v, "a").is_some());
        assert!(category_name(&mut v, "b").is_none());
        assert!(category_name(&mut v, "c").is_some());
        assert_eq!(
            messages(v),
            [(
                "b".to_owned(),
                "The b may not be greater than 24 characters (a CJK character counts 2).".to_owned()
            )]
        );
    }

    #[test]
    fn user_names_follow_the_username_rule() {
        let i = input(json!({"ok": "小明_7", "digit": "7up", "space": "a b", "short": "a"}));
        let mut v = i.validator();
        assert_eq!(user_name(&mut v, "ok").as_deref(), Some("小明_7"));
        for f in ["digit", "space", "short"] {
            assert!(user_name(&mut v, f).is_none(), "{f}");
        }
        assert!(user_name(&mut v, "missing").is_none());
        assert_eq!(messages(v).len(), 4);
    }

    #[test]
    fn info_fields_check_every_limit() {
        let i = input(json!({
            "title": "标".repeat(31),
            "summary": "s".repeat(161),
            "content": "x".repeat(65_001),
            "content_medias": [{"image": "public:a.png"}, {"video": "public:v.mp4"}, "x", {"image": "public:b.png", "video": 5}],
            "category_id": "abc",
            "author_id": 0,
            "recommend": "yes",
        }));
        let mut v = i.validator();
        let f = InfoFields::parse(&mut v, true);
        assert!(f.title.is_none() && f.summary.is_none() && f.content.is_none() && f.content_medias.is_none());
        let fields: Vec<String> = messages(v).into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "author_id",
                "category_id",
                "title",
                "content_medias.1.image",
                "content_medias.2",
                "content_medias.3.video",
                "recommend",
                "summary",
                "content"
            ]
        );
    }

    #[test]
    fn info_fields_accept_the_seeds_shapes() {
        let i = input(json!({
            "category_id": 2, "title": "标题", "content": "资讯内容", "summary": "文字摘要",
            "content_medias": [{"image": "public:a.png", "video": "public:v.mp4"}],
            "topped": true,
        }));
        let mut v = i.validator();
        let f = InfoFields::parse(&mut v, true);
        assert!(messages(v).is_empty());
        assert_eq!(f.category_id, Some(2));
        assert_eq!(
            f.content_medias,
            Some(vec![MediaRef {
                image: "public:a.png".into(),
                video: Some("public:v.mp4".into())
            }])
        );
        assert_eq!(f.topped, Some(true));
        let mut many = Vec::new();
        many.resize(101, json!({"image": "public:a.png"}));
        let i = input(json!({ "content_medias": many }));
        let mut v = i.validator();
        InfoFields::parse(&mut v, false);
        assert_eq!(messages(v)[0].0, "content_medias");
    }

    fn image(w: u32, h: u32) -> Media {
        Media {
            image: FileInfo {
                node: format!("public:{w}x{h}.png"),
                kind: Kind::Image,
                mime: "image/png".into(),
                size: 1,
                width: Some(w),
                height: Some(h),
            },
            video: None,
        }
    }

    fn with_video(mut m: Media) -> Media {
        m.video = Some(FileInfo {
            node: "public:v.mp4".into(),
            kind: Kind::Video,
            mime: "video/mp4".into(),
            size: 1,
            width: None,
            height: None,
        });
        m
    }

    #[test]
    fn medias_rule_1_drops_images_small_on_both_sides() {
        let m = [image(124, 124), image(100, 500)];
        assert_eq!(medias(&m), Some(vec![&m[1]]));
        assert_eq!(medias(&[image(124, 124), image(10, 10)]), None);
    }

    #[test]
    fn medias_rule_2_a_video_wins_and_only_the_first() {
        let m = [image(500, 500), with_video(image(10, 10)), with_video(image(600, 600))];
        assert_eq!(medias(&m), Some(vec![&m[1]]));
    }

    #[test]
    fn medias_rule_3_more_than_three_images_give_three() {
        let m: Vec<Media> = (0..5).map(|i| image(200 + i, 200)).collect();
        assert_eq!(medias(&m).unwrap(), m[..3].iter().collect::<Vec<_>>());
        let three: Vec<Media> = (0..3).map(|i| image(200 + i, 200)).collect();
        assert_eq!(medias(&three).unwrap().len(), 3);
    }

    #[test]
    fn medias_rule_4_one_or_two_images_give_one() {
        let m = [image(200, 200), image(300, 300)];
        assert_eq!(medias(&m), Some(vec![&m[0]]));
    }

    #[test]
    fn medias_rule_5_nothing_gives_no_field() {
        assert_eq!(medias(&[]), None);
    }

    #[test]
    fn orders_are_whitelisted_and_normalized() {
        let i = query(&[("order", "topped_at desc,created desc")]);
        let mut v = i.validator();
        let o = Order::parse(&mut v);
        assert!(messages(v).is_empty());
        assert_eq!(o.0, [(SortField::ToppedAt, true), (SortField::CreatedAt, true)]);
        assert_eq!(o.normalized(), [(SortField::ToppedAt, true), (SortField::Id, true)]);
        assert_eq!(Order(vec![]).normalized(), [(SortField::Id, true)]);
        assert_eq!(
            Order(vec![(SortField::LikesCount, false)]).normalized(),
            [(SortField::LikesCount, false), (SortField::Id, false)]
        );
        for bad in ["title desc", "id sideways", "id desc extra"] {
            let i = query(&[("order", bad)]);
            let mut v = i.validator();
            Order::parse(&mut v);
            assert_eq!(
                messages(v),
                [("order".to_owned(), "The selected order is invalid.".to_owned())]
            );
        }
    }

    #[test]
    fn windows_default_to_fifteen_and_pages_become_offsets() {
        let i = query(&[]);
        let mut v = i.validator();
        assert_eq!(
            Window::parse(&mut v),
            Window {
                offset: 0,
                limit: 15,
                page: None
            }
        );
        let i = query(&[("page", "3"), ("limit", "10"), ("offset", "99")]);
        let mut v = i.validator();
        assert_eq!(
            Window::parse(&mut v),
            Window {
                offset: 20,
                limit: 10,
                page: Some(3)
            }
        );
        let i = query(&[("limit", "51"), ("offset", "10001")]);
        let mut v = i.validator();
        Window::parse(&mut v);
        assert_eq!(messages(v).len(), 2);
    }

    #[test]
    fn with_reads_lists_and_arrays() {
        let i = query(&[("with", "author.verification,category")]);
        let mut v = i.validator();
        assert_eq!(
            With::parse(&mut v),
            With {
                author: true,
                verification: true,
                category: true
            }
        );
        let i = query(&[("with[]", "author"), ("with[]", "nope")]);
        let mut v = i.validator();
        With::parse(&mut v);
        assert_eq!(messages(v)[0].0, "with");
    }

    #[test]
    fn list_queries_read_every_filter() {
        let i = query(&[
            ("id", "1,2"),
            ("author_id", "7"),
            ("category_id", "2,3"),
            ("trashed", "with"),
            ("recommend", "0"),
            ("keyword", "Rust"),
            ("liked", "check"),
            ("list_type", "only_favorited"),
        ]);
        let mut v = i.validator();
        let q = ListQuery::parse(&mut v);
        assert!(messages(v).is_empty());
        assert_eq!(q.ids, Some(vec![1, 2]));
        assert_eq!((q.authors, q.categories), (vec![7], vec![2, 3]));
        assert_eq!((q.trashed, q.recommend), (Trashed::With, Some(false)));
        assert_eq!(q.keyword.as_deref(), Some("rust"));
        assert!(q.liked && !q.favorited);
        assert_eq!(q.only, Some(Relation::Favorite));
    }

    #[test]
    fn feeds_must_comment_on_an_info() {
        let i = input(json!({"repostable_type": "feeds", "repostable_id": 1, "feed_content": "hi"}));
        let mut v = i.validator();
        assert!(FeedDraft::parse(&mut v).is_none());
        assert_eq!(messages(v)[0].0, "repostable_type");
        let i = input(
            json!({"repostable_type": "infos", "repostable_id": "3", "images": ["public:a.png"], "video": {"video_id": "public:v.mp4"}}),
        );
        let mut v = i.validator();
        let d = FeedDraft::parse(&mut v).unwrap();
        assert!(messages(v).is_empty());
        assert_eq!((d.info_id, d.from), (3, 5));
        assert_eq!(d.images, ["public:a.png"]);
        assert_eq!(d.video, Some(("public:v.mp4".to_owned(), None)));
        let i = input(json!({"repostable_type": "infos", "repostable_id": 3}));
        let mut v = i.validator();
        FeedDraft::parse(&mut v);
        assert_eq!(messages(v)[0].0, "feed_content");
    }
}
