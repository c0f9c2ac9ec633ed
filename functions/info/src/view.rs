//! The JSON the info module answers: the seed's field names, Laravel's times
//! (`2019-04-16 09:25:48`, UTC) and `null` for unset times.

use serde_json::{Map, Value, json};

use super::items::{CategoryItem, Counts, FeedItem, InfoItem, StatsItem, UserItem};
use super::model::medias;
use shared::clock::datetime;
use shared::storage::FileInfo;

/// Where the storage API serves a node (a redirect to the file).
pub const STORAGE_PATH: &str = "/api/v2/storage/";

fn time(ms: Option<i64>) -> Value {
    ms.map_or(Value::Null, |t| Value::String(datetime(t)))
}

/// A stored file: `{node, url, mime, size}` and, for images, `width` and `height`.
pub fn file(f: &FileInfo) -> Value {
    let mut v = json!({
        "node": f.node,
        "url": format!("{STORAGE_PATH}{}", f.node),
        "mime": f.mime,
        "size": f.size,
    });
    if let (Some(w), Some(h)) = (f.width, f.height) {
        v["width"] = json!(w);
        v["height"] = json!(h);
    }
    v
}

/// A user as others see them; `verification` (an object or `null`) only when asked for.
pub fn user(u: &UserItem, verification: bool) -> Value {
    let mut v = json!({
        "id": u.id,
        "name": u.name,
        "created_at": datetime(u.created_at),
        "updated_at": datetime(u.updated_at),
    });
    if verification {
        v["verification"] = match &u.verification {
            Some(ver) => json!({
                "type": ver.kind,
                "description": ver.description,
                "created_at": datetime(ver.created_at),
            }),
            None => Value::Null,
        };
    }
    v
}

/// The signed-in user: what others see, with their abilities and points.
pub fn me(u: &UserItem) -> Value {
    let mut v = user(u, true);
    v["abilities"] = json!(u.abilities);
    v["points"] = json!(u.points);
    v
}

/// A category; with `author`, the `author_*` counts of that author and the echoed ID.
pub fn category(c: &CategoryItem, author: Option<(u64, Counts)>) -> Value {
    let mut v = json!({
        "id": c.id,
        "name": c.name,
        "icon": c.icon.as_ref().map_or(Value::Null, file),
        "sort": c.sort,
        "published_count": c.published_count,
        "trashed_count": c.trashed_count,
        "infos_count": c.infos_count,
        "created_at": datetime(c.created_at),
        "updated_at": datetime(c.updated_at),
        "deleted_at": time(c.deleted_at),
    });
    if let Some((author_id, counts)) = author {
        v["author_published_count"] = json!(counts.published_count);
        v["author_trashed_count"] = json!(counts.trashed_count);
        v["author_infos_count"] = json!(counts.infos_count);
        v["count_by_author_id"] = json!(author_id);
    }
    v
}

fn media(m: &super::model::Media) -> Value {
    let mut v = json!({ "image": file(&m.image) });
    if let Some(video) = &m.video {
        v["video"] = file(video);
    }
    v
}

/// An info as the seed prints it, without the appended (`liked`, `favorited`) and relation
/// (`author`, `category`) fields, which callers add.
pub fn info(i: &InfoItem, s: &StatsItem) -> Map<String, Value> {
    fields(i, s, true)
}

/// An info without its content: what a comment's `repostable` carries.
pub fn summary(i: &InfoItem, s: &StatsItem) -> Map<String, Value> {
    fields(i, s, false)
}

/// The seed's fields, in the seed's order.
fn fields(i: &InfoItem, s: &StatsItem, content: bool) -> Map<String, Value> {
    let mut v = Map::new();
    v.insert("id".into(), json!(i.id));
    v.insert("author_id".into(), json!(i.author_id));
    v.insert("category_id".into(), json!(i.category_id));
    v.insert("title".into(), json!(i.title));
    v.insert("summary".into(), json!(i.summary));
    if content {
        v.insert("content".into(), json!(i.content));
        v.insert(
            "content_medias".into(),
            Value::Array(i.content_medias.iter().map(media).collect()),
        );
    }
    if let Some(ms) = medias(&i.content_medias) {
        v.insert("medias".into(), Value::Array(ms.into_iter().map(media).collect()));
    }
    for (name, n) in [
        ("views_count", s.views_count),
        ("likes_count", s.likes_count),
        ("favorites_count", s.favorites_count),
        ("comments_count", s.comments_count),
        ("shares_count", s.shares_count),
    ] {
        v.insert(name.into(), json!(n));
    }
    for (name, t) in [
        ("recommend_at", i.recommend_at),
        ("topped_at", i.topped_at),
        ("category_topped_at", i.category_topped_at),
        ("created_at", Some(i.created_at)),
        ("updated_at", Some(i.updated_at)),
        ("deleted_at", i.deleted_at),
    ] {
        v.insert(name.into(), time(t));
    }
    v
}

/// A comment, as a feed with the info it is about.
pub fn feed(f: &FeedItem, repostable: Value, author: Option<Value>) -> Value {
    let c = &f.comment;
    let video = c.video.as_ref().map_or(Value::Null, |v| {
        json!({
            "video": file(v),
            "cover": c.video_cover.as_ref().map_or(Value::Null, file),
        })
    });
    json!({
        "id": f.id,
        "user_id": f.user_id,
        "feed_content": c.feed_content,
        "feed_from": c.feed_from,
        "feed_mark": c.feed_mark,
        "images": c.images.iter().map(file).collect::<Vec<_>>(),
        "video": video,
        "created_at": datetime(c.created_at),
        "updated_at": datetime(c.created_at),
        "user": author.unwrap_or(Value::Null),
        "repostable_type": "infos",
        "repostable_id": f.info_id,
        "repostable": repostable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys as k;

    #[test]
    fn infos_print_every_seed_field_in_order() {
        let key = k::info(1);
        let i = InfoItem {
            pk: key.pk,
            sk: key.sk,
            entity: "Info".into(),
            id: 1,
            author_id: 7,
            category_id: 2,
            title: "标题".into(),
            summary: Some("文字摘要".into()),
            content: "资讯内容".into(),
            content_medias: Vec::new(),
            recommend_at: Some(1_564_112_629_000),
            topped_at: None,
            category_topped_at: None,
            created_at: 1_564_112_629_000,
            updated_at: 1_564_112_629_000,
            deleted_at: None,
            rev: 0,
            purging: None,
        };
        let mut s = StatsItem::new(&i);
        s.views_count = 3;
        let v = info(&i, &s);
        let keys: Vec<&str> = v.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "id",
                "author_id",
                "category_id",
                "title",
                "summary",
                "content",
                "content_medias",
                "views_count",
                "likes_count",
                "favorites_count",
                "comments_count",
                "shares_count",
                "recommend_at",
                "topped_at",
                "category_topped_at",
                "created_at",
                "updated_at",
                "deleted_at"
            ],
            "no medias field without medias"
        );
        assert_eq!(v["recommend_at"], "2019-07-26 03:43:49");
        assert_eq!(v["topped_at"], Value::Null);
        assert_eq!(v["views_count"], 3);
    }

    #[test]
    fn files_link_to_the_storage_route() {
        let f = FileInfo {
            node: "public:a.png".into(),
            kind: shared::storage::Kind::Image,
            mime: "image/png".into(),
            size: 10,
            width: Some(200),
            height: Some(100),
        };
        assert_eq!(
            file(&f),
            json!({"node": "public:a.png", "url": "/api/v2/storage/public:a.png", "mime": "image/png", "size": 10, "width": 200, "height": 100})
        );
    }
}
