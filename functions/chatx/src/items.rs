//! How chatx records are stored: one struct per entity, mapped with `serde_dynamo`.
//! Keys come from [`crate::keys`]; attribute names used in expressions are the
//! constants of [`crate::keys::attr`] (the tests below keep both in step).

use serde::{Deserialize, Serialize};

use super::model::{Comment, Like, Post, Profile};
use crate::keys::{self as k, attr};
use shared::keys;

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct AccountItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub account: String,
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "passwordHash")]
    pub password_hash: String,
    #[serde(rename = "createTime")]
    pub create_time: i64,
}

impl AccountItem {
    pub fn new(account: &str, user_id: &str, password_hash: String, now: i64) -> Self {
        let key = k::account(account);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: k::entity::ACCOUNT.into(),
            account: account.into(),
            user_id: user_id.into(),
            password_hash,
            create_time: now,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct ProfileItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    #[serde(rename = "userID")]
    pub user_id: String,
    pub nickname: String,
    #[serde(rename = "faceURL")]
    pub face_url: String,
    #[serde(rename = "createTime")]
    pub create_time: i64,
}

impl ProfileItem {
    pub fn new(p: &Profile) -> Self {
        let key = k::user(&p.user_id);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: k::entity::USER.into(),
            user_id: p.user_id.clone(),
            nickname: p.nickname.clone(),
            face_url: p.face_url.clone(),
            create_time: p.create_time,
        }
    }

    pub fn into_profile(self) -> Profile {
        Profile {
            user_id: self.user_id,
            nickname: self.nickname,
            face_url: self.face_url,
            create_time: self.create_time,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct PostItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    #[serde(rename = "GSI1PK", default, skip_serializing_if = "Option::is_none")]
    pub gsi1pk: Option<String>,
    #[serde(rename = "GSI1SK", default, skip_serializing_if = "Option::is_none")]
    pub gsi1sk: Option<String>,
    #[serde(rename = "postID")]
    pub post_id: String,
    #[serde(rename = "userID")]
    pub user_id: String,
    pub content: String,
    #[serde(default)]
    pub images: Vec<String>,
    #[serde(rename = "createTime")]
    pub create_time: i64,
    #[serde(rename = "likeCount", default)]
    pub like_count: i64,
    #[serde(rename = "commentCount", default)]
    pub comment_count: i64,
    #[serde(rename = "deletedAt", default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
    /// How many like-count shards a hot post has (`keys::LIKE_SHARDS`); `likeCount` then holds
    /// only the part counted before.
    #[serde(rename = "likeShards", default, skip_serializing_if = "Option::is_none")]
    pub like_shards: Option<u32>,
}

impl PostItem {
    pub fn new(p: &Post) -> Self {
        let key = k::post(&p.post_id);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: k::entity::POST.into(),
            gsi1pk: Some(k::user_posts(&p.user_id)),
            gsi1sk: Some(k::user_posts_sort(p.create_time, &p.post_id)),
            post_id: p.post_id.clone(),
            user_id: p.user_id.clone(),
            content: p.content.clone(),
            images: p.images.clone(),
            create_time: p.create_time,
            like_count: p.like_count,
            comment_count: p.comment_count,
            deleted_at: None,
            like_shards: None,
        }
    }

    /// The keys of this post's like-count shards (none while it isn't hot).
    pub fn shard_keys(&self) -> Vec<shared::keys::Key> {
        k::LIKE_SHARDS.keys(&k::post(&self.post_id), self.like_shards.unwrap_or(0))
    }

    /// The post as the API shows it, unless it is being deleted.
    pub fn into_live_post(self, liked: bool) -> Option<Post> {
        if self.deleted_at.is_some() {
            return None;
        }
        Some(Post {
            post_id: self.post_id,
            user_id: self.user_id,
            content: self.content,
            images: self.images,
            create_time: self.create_time,
            like_count: self.like_count,
            comment_count: self.comment_count,
            liked,
        })
    }
}

/// What places a like of a post: the post, its author and its creation time (all immutable).
/// The like is indexed in GSI2 under the liker's likes of that author's posts
/// (`keys::liked_posts`), at the post's place in the author's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LikedPost {
    pub post_id: String,
    pub author: String,
    pub create_time: i64,
}

impl LikedPost {
    /// The post's sort key in its author's list (its GSI1SK).
    pub fn list_sort(&self) -> String {
        k::user_posts_sort(self.create_time, &self.post_id)
    }
}

/// A post item as a like reads it before writing: what places the like, and whether the post is
/// being deleted or is hot.
#[derive(Debug, Deserialize)]
pub(super) struct PostHead {
    #[serde(rename = "postID")]
    pub post_id: String,
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "createTime")]
    pub create_time: i64,
    #[serde(rename = "deletedAt", default)]
    pub deleted_at: Option<i64>,
    #[serde(rename = "likeShards", default)]
    pub like_shards: Option<u32>,
}

impl PostHead {
    /// The attributes of a post item a head is read from.
    pub const ATTRS: &[&str] = &[
        attr::POST_ID,
        attr::USER_ID,
        attr::CREATE_TIME,
        attr::DELETED_AT,
        attr::LIKE_SHARDS,
    ];

    pub fn liked_post(&self) -> LikedPost {
        LikedPost {
            post_id: self.post_id.clone(),
            author: self.user_id.clone(),
            create_time: self.create_time,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct LikeItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    /// The liker's likes of this author's posts (`keys::liked_posts`), in GSI2: what a page of
    /// the author's posts reads to mark the ones the viewer likes.
    #[serde(rename = "GSI2PK")]
    pub gsi2pk: String,
    /// The liked post's place in its author's list (`keys::user_posts_sort`).
    #[serde(rename = "GSI2SK")]
    pub gsi2sk: String,
    #[serde(rename = "postID")]
    pub post_id: String,
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "createTime")]
    pub create_time: i64,
}

impl LikeItem {
    pub fn new(post: &LikedPost, user_id: &str, now: i64) -> Self {
        let post_id = post.post_id.as_str();
        let key = k::like(post_id, user_id);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: k::entity::LIKE.into(),
            gsi1pk: k::post_likes(post_id),
            gsi1sk: k::post_likes_sort(now, user_id),
            gsi2pk: k::liked_posts(user_id, &post.author),
            gsi2sk: post.list_sort(),
            post_id: post_id.into(),
            user_id: user_id.into(),
            create_time: now,
        }
    }

    pub fn into_like(self) -> Like {
        Like {
            user_id: self.user_id,
            create_time: self.create_time,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct CommentItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    #[serde(rename = "commentID")]
    pub comment_id: String,
    #[serde(rename = "postID")]
    pub post_id: String,
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "replyToCommentID", default)]
    pub reply_to_comment_id: String,
    pub content: String,
    #[serde(rename = "createTime")]
    pub create_time: i64,
}

impl CommentItem {
    pub fn new(c: &Comment) -> Self {
        let key = k::comment(&c.post_id, &c.comment_id);
        let (gsi1pk, gsi1sk) = k::comment_lookup(&c.comment_id);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: k::entity::COMMENT.into(),
            gsi1pk,
            gsi1sk,
            comment_id: c.comment_id.clone(),
            post_id: c.post_id.clone(),
            user_id: c.user_id.clone(),
            reply_to_comment_id: c.reply_to_comment_id.clone(),
            content: c.content.clone(),
            create_time: c.create_time,
        }
    }

    pub fn into_comment(self) -> Comment {
        Comment {
            comment_id: self.comment_id,
            post_id: self.post_id,
            user_id: self.user_id,
            reply_to_comment_id: self.reply_to_comment_id,
            content: self.content,
            create_time: self.create_time,
        }
    }
}

/// One like-count shard of a hot post, created with its siblings when the post gets hot and
/// deleted with the post (its existence is what lets a like land on it).
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct LikeShardItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    #[serde(rename = "postID")]
    pub post_id: String,
    #[serde(rename = "likeCount", default)]
    pub like_count: i64,
}

impl LikeShardItem {
    pub fn new(post_id: &str, k: u32) -> Self {
        let key = k::like_shard(post_id, k);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: k::entity::LIKE_SHARD.into(),
            post_id: post_id.into(),
            like_count: 0,
        }
    }
}

/// Whether a raw item is of `entity`.
pub(super) fn is_entity(item: &shared::store::Item, entity: &str) -> bool {
    item.get(keys::ENTITY)
        .and_then(|v| v.as_s().ok())
        .is_some_and(|e| e == entity)
}

/// Items as the store's writes leave them, for bulk loads that can't go through the API in
/// reasonable time (tools/bench fills lists of 10,000 rows with batch writes).
pub mod bulk {
    use super::*;
    use shared::store::Item;

    fn item(value: impl Serialize) -> Item {
        serde_dynamo::to_item(value).expect("a chatx item serializes")
    }

    /// A user's public profile, as `register` leaves it (the account item left out).
    pub fn profile(profile: &Profile) -> Item {
        item(ProfileItem::new(profile))
    }

    /// A post, as `add_post` leaves it.
    pub fn post(post: &Post) -> Item {
        item(PostItem::new(post))
    }

    /// `user_id`'s like at `now` of `post_id`, by `author` at `post_time`, as `set_like` leaves
    /// it (the post's counter is the caller's to set).
    pub fn like(post_id: &str, author: &str, post_time: i64, user_id: &str, now: i64) -> Item {
        let post = LikedPost {
            post_id: post_id.into(),
            author: author.into(),
            create_time: post_time,
        };
        item(LikeItem::new(&post, user_id, now))
    }

    /// A comment, as `add_comment` leaves it (the post's counter is the caller's to set).
    pub fn comment(comment: &Comment) -> Item {
        item(CommentItem::new(comment))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::attr;
    use shared::store::Item;

    fn post() -> Post {
        Post {
            post_id: "p1".into(),
            user_id: "u1".into(),
            content: "hi".into(),
            images: vec![],
            create_time: 5,
            like_count: 0,
            comment_count: 0,
            liked: false,
        }
    }

    #[test]
    fn post_items_use_the_expression_attribute_names() {
        let mut p = PostItem::new(&post());
        p.deleted_at = Some(1);
        p.like_shards = Some(4);
        let item: Item = serde_dynamo::to_item(p).unwrap();
        for name in [
            attr::POST_ID,
            attr::USER_ID,
            attr::CREATE_TIME,
            attr::LIKE_COUNT,
            attr::COMMENT_COUNT,
            attr::DELETED_AT,
            attr::LIKE_SHARDS,
            keys::PK,
            keys::SK,
            keys::GSI1_PK,
            keys::GSI1_SK,
            keys::ENTITY,
        ] {
            assert!(item.contains_key(name), "missing {name}");
        }
    }

    #[test]
    fn a_like_is_in_gsi2_under_its_liker_and_author_at_its_posts_list_place() {
        let mut p = PostItem::new(&post());
        p.like_shards = Some(3);
        let stored: Item = serde_dynamo::to_item(&p).unwrap();
        let projected: Item = stored
            .into_iter()
            .filter(|(name, _)| PostHead::ATTRS.contains(&name.as_str()))
            .collect();
        let head: PostHead = serde_dynamo::from_item(projected).unwrap();
        assert_eq!((head.like_shards, head.deleted_at), (Some(3), None));
        let liked = head.liked_post();
        assert_eq!(Some(liked.list_sort()), p.gsi1sk);
        let like: Item = serde_dynamo::to_item(LikeItem::new(&liked, "v1", 9)).unwrap();
        assert_eq!(like[keys::GSI2_PK].as_s().unwrap(), &k::liked_posts("v1", "u1"));
        assert_eq!(like[keys::GSI2_SK].as_s().unwrap(), p.gsi1sk.as_ref().unwrap());
        assert_eq!(shared::keys::Key::of_item(&like), Some(k::like("p1", "v1")));
    }

    #[test]
    fn shard_items_use_the_expression_attribute_names() {
        let item: Item = serde_dynamo::to_item(LikeShardItem::new("p1", 2)).unwrap();
        assert!(item.contains_key(attr::LIKE_COUNT));
        assert_eq!(shared::keys::Key::of_item(&item), Some(k::like_shard("p1", 2)));
    }

    #[test]
    fn profile_items_use_the_expression_attribute_names() {
        let p = Profile {
            user_id: "u".into(),
            nickname: "n".into(),
            face_url: "".into(),
            create_time: 1,
        };
        let item: Item = serde_dynamo::to_item(ProfileItem::new(&p)).unwrap();
        assert!(item.contains_key(attr::NICKNAME) && item.contains_key(attr::FACE_URL));
    }

    #[test]
    fn items_round_trip() {
        let item: Item = serde_dynamo::to_item(PostItem::new(&post())).unwrap();
        let back: PostItem = serde_dynamo::from_item(item.clone()).unwrap();
        assert_eq!(back.into_live_post(false), Some(post()));
        assert!(is_entity(&item, k::entity::POST));
    }
}
