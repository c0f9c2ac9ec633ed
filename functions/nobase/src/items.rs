//! How nobase records are stored: one struct per entity, mapped with `serde_dynamo`. Keys come
//! from [`crate::keys`]; attribute names used in expressions are the constants of
//! [`crate::keys::attr`] (the tests below keep both in step).

use serde::{Deserialize, Serialize};

use super::model::{
    AccountRange, App, AppStatus, Board, Date, Developer, DeveloperStatus, Post, PostStatus, User, UserStatus,
    signature,
};
use crate::keys as k;
use shared::ids;

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct DeveloperItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    #[serde(rename = "developerId")]
    pub developer_id: String,
    pub name: String,
    pub status: DeveloperStatus,
    #[serde(rename = "vipUntil")]
    pub vip_until: Date,
    #[serde(rename = "createTime")]
    pub create_time: i64,
}

impl DeveloperItem {
    pub fn new(d: &Developer) -> Self {
        let key = k::developer(&d.developer_id);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: k::entity::DEVELOPER.into(),
            developer_id: d.developer_id.clone(),
            name: d.name.clone(),
            status: d.status,
            vip_until: d.vip_until,
            create_time: d.create_time,
        }
    }

    pub fn into_developer(self) -> Developer {
        Developer {
            developer_id: self.developer_id,
            name: self.name,
            status: self.status,
            vip_until: self.vip_until,
            create_time: self.create_time,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct AppItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub appid: String,
    #[serde(rename = "developerId")]
    pub developer_id: String,
    pub name: String,
    pub status: AppStatus,
    #[serde(rename = "tokenMode")]
    pub token_mode: bool,
    #[serde(rename = "accountMin")]
    pub account_min: u32,
    #[serde(rename = "accountMax")]
    pub account_max: u32,
    #[serde(rename = "postReview")]
    pub post_review: bool,
    #[serde(rename = "signatureHash")]
    pub signature_hash: String,
    #[serde(rename = "createTime")]
    pub create_time: i64,
}

impl AppItem {
    pub fn new(a: &App) -> Self {
        let key = k::app(&a.appid);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: k::entity::APP.into(),
            appid: a.appid.clone(),
            developer_id: a.developer_id.clone(),
            name: a.name.clone(),
            status: a.status,
            token_mode: a.token_mode,
            account_min: a.accounts.min(),
            account_max: a.accounts.max(),
            post_review: a.post_review,
            signature_hash: a.signature_digest.clone(),
            create_time: a.create_time,
        }
    }

    /// The app's configuration, or why it can't be used.
    pub fn into_app(self) -> Result<App, String> {
        let accounts = AccountRange::new(self.account_min, self.account_max)?;
        if !signature::is_digest(&self.signature_hash) {
            return Err("signatureHash is not a SHA-256 digest".into());
        }
        if !ids::is_valid_id(&self.developer_id) {
            return Err("developerId is not an ID".into());
        }
        Ok(App {
            appid: self.appid,
            developer_id: self.developer_id,
            name: self.name,
            status: self.status,
            token_mode: self.token_mode,
            accounts,
            post_review: self.post_review,
            signature_digest: self.signature_hash,
            create_time: self.create_time,
        })
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct BoardItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub appid: String,
    pub uid: String,
    pub name: String,
    #[serde(rename = "createTime")]
    pub create_time: i64,
}

impl BoardItem {
    pub fn new(b: &Board) -> Self {
        let key = k::board(&b.appid, &b.uid);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: k::entity::BOARD.into(),
            appid: b.appid.clone(),
            uid: b.uid.clone(),
            name: b.name.clone(),
            create_time: b.create_time,
        }
    }

    pub fn into_board(self) -> Board {
        Board {
            appid: self.appid,
            uid: self.uid,
            name: self.name,
            create_time: self.create_time,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct UserItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub appid: String,
    #[serde(rename = "userId")]
    pub user_id: String,
    pub account: String,
    #[serde(rename = "passwordHash")]
    pub password_hash: String,
    pub status: UserStatus,
    #[serde(rename = "createTime")]
    pub create_time: i64,
}

impl UserItem {
    pub fn new(u: &User, password_hash: String) -> Self {
        let key = k::user(&u.appid, &u.account);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: k::entity::USER.into(),
            appid: u.appid.clone(),
            user_id: u.user_id.clone(),
            account: u.account.clone(),
            password_hash,
            status: u.status,
            create_time: u.create_time,
        }
    }

    /// The user and their password hash.
    pub fn into_user(self) -> (User, String) {
        let user = User {
            appid: self.appid,
            user_id: self.user_id,
            account: self.account,
            status: self.status,
            create_time: self.create_time,
        };
        (user, self.password_hash)
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct PostItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub appid: String,
    pub id: String,
    pub uid: String,
    pub title: String,
    pub content: String,
    #[serde(rename = "authorId")]
    pub author_id: String,
    pub author: String,
    pub status: PostStatus,
    #[serde(rename = "likeCount", default)]
    pub like_count: i64,
    #[serde(rename = "createTime")]
    pub create_time: i64,
}

impl PostItem {
    pub fn new(p: &Post) -> Self {
        let key = k::post(&p.appid, &p.id);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: k::entity::POST.into(),
            appid: p.appid.clone(),
            id: p.id.clone(),
            uid: p.uid.clone(),
            title: p.title.clone(),
            content: p.content.clone(),
            author_id: p.author_id.clone(),
            author: p.author.clone(),
            status: p.status,
            like_count: p.like_count,
            create_time: p.create_time,
        }
    }

    pub fn into_post(self) -> Post {
        Post {
            appid: self.appid,
            id: self.id,
            uid: self.uid,
            title: self.title,
            content: self.content,
            author_id: self.author_id,
            author: self.author,
            status: self.status,
            like_count: self.like_count,
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
    pub appid: String,
    /// The post's ID.
    pub id: String,
    #[serde(rename = "userId")]
    pub user_id: String,
    #[serde(rename = "createTime")]
    pub create_time: i64,
}

impl LikeItem {
    pub fn new(appid: &str, post_id: &str, user_id: &str, now: i64) -> Self {
        let key = k::like(appid, post_id, user_id);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: k::entity::LIKE.into(),
            appid: appid.into(),
            id: post_id.into(),
            user_id: user_id.into(),
            create_time: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::attr;
    use shared::keys;
    use shared::store::Item;

    fn app() -> App {
        App {
            appid: "a1".into(),
            developer_id: "d1".into(),
            name: "demo".into(),
            status: AppStatus::Normal,
            token_mode: true,
            accounts: AccountRange::DEFAULT,
            post_review: false,
            signature_digest: signature::digest("a-signature-of-16+"),
            create_time: 1,
        }
    }

    #[test]
    fn app_items_use_the_expression_attribute_names_and_round_trip() {
        let item: Item = serde_dynamo::to_item(AppItem::new(&app())).unwrap();
        for name in [
            attr::STATUS,
            attr::NAME,
            attr::DEVELOPER_ID,
            attr::SIGNATURE_HASH,
            attr::TOKEN_MODE,
            attr::ACCOUNT_MIN,
            attr::ACCOUNT_MAX,
            attr::POST_REVIEW,
            keys::PK,
            keys::SK,
            keys::ENTITY,
        ] {
            assert!(item.contains_key(name), "missing {name}");
        }
        let back: AppItem = serde_dynamo::from_item(item).unwrap();
        assert_eq!(back.into_app().unwrap(), app());
    }

    #[test]
    fn an_app_item_that_cannot_be_used_says_why() {
        let mut item = AppItem::new(&app());
        item.account_min = 10;
        item.account_max = 2;
        assert!(item.into_app().is_err());
        let mut item = AppItem::new(&app());
        item.signature_hash = "plaintext-signature".into();
        assert!(item.into_app().is_err());
    }

    #[test]
    fn developer_post_and_user_items_use_the_expression_attribute_names() {
        let d = Developer {
            developer_id: "d1".into(),
            name: "n".into(),
            status: DeveloperStatus::Normal,
            vip_until: Date::parse("2030-01-01").unwrap(),
            create_time: 1,
        };
        let item: Item = serde_dynamo::to_item(DeveloperItem::new(&d)).unwrap();
        assert!(item.contains_key(attr::VIP_UNTIL) && item.contains_key(attr::STATUS));
        assert_eq!(item[attr::VIP_UNTIL].as_s().unwrap(), "2030-01-01");
        let p = Post {
            appid: "a1".into(),
            id: "p1".into(),
            uid: "b1".into(),
            title: "t".into(),
            content: "c".into(),
            author_id: "u1".into(),
            author: "alice".into(),
            status: PostStatus::Review,
            like_count: 0,
            create_time: 1,
        };
        let item: Item = serde_dynamo::to_item(PostItem::new(&p)).unwrap();
        assert!(item.contains_key(attr::BOARD) && item.contains_key(attr::LIKE_COUNT));
        assert_eq!(item[attr::STATUS].as_s().unwrap(), "review");
        let back: PostItem = serde_dynamo::from_item(item).unwrap();
        assert_eq!(back.into_post(), p);
        let u = User {
            appid: "a1".into(),
            user_id: "u1".into(),
            account: "alice".into(),
            status: UserStatus::Normal,
            create_time: 1,
        };
        let item: Item = serde_dynamo::to_item(UserItem::new(&u, "$argon2id$x".into())).unwrap();
        assert!(item.contains_key(attr::STATUS));
    }
}
