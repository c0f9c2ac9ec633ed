//! Helpers for the info module's end-to-end tests: REST calls, users, admins, categories,
//! infos and uploads, all through the public API (an admin's ability is granted by the same
//! store call the admin CLI makes).

use info::INFOS_ADMIN;
use md5::{Digest, Md5};
use serde_json::{Value, json};

use crate::{TestApp, unique};
use info::InfoState;

/// A registered info-module user.
#[derive(Debug, Clone)]
pub struct InfoUser {
    pub id: u64,
    pub name: String,
    pub token: String,
}

/// A PNG header of `w`×`h`: enough for the storage API to read its size.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    b.extend(w.to_be_bytes());
    b.extend(h.to_be_bytes());
    b.extend([8, 6, 0, 0, 0]);
    b.extend(vec![0u8; 64]);
    b
}

pub fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl TestApp {
    /// A REST call: `method path` with an optional bearer token and JSON body; the status and
    /// the JSON answer (`null` for an empty body).
    pub async fn rest(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method.parse().expect("method"), format!("{}{path}", self.base_url));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        if text.is_empty() {
            return (status, Value::Null);
        }
        let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
        (status, json)
    }

    /// A call that must answer `status`; its JSON.
    pub async fn rest_ok(
        &self,
        status: u16,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Value {
        let (got, json) = self.rest(method, path, token, body).await;
        assert_eq!(got, status, "{method} {path}: {json}");
        json
    }

    /// Registers a new info user.
    pub async fn info_user(&self) -> InfoUser {
        let name = unique("u");
        let created = self
            .rest_ok(
                201,
                "POST",
                "/api/v2/users",
                None,
                Some(json!({"name": name, "password": "secret-pass"})),
            )
            .await;
        let token = created["access_token"].as_str().unwrap().to_owned();
        let me = self.rest_ok(200, "GET", "/api/v2/user", Some(&token), None).await;
        InfoUser {
            id: me["id"].as_u64().unwrap(),
            name,
            token,
        }
    }

    /// Grants `infos:admin` to `user`, as `admin info grant` does.
    pub async fn grant_admin(&self, user: &InfoUser) {
        self.operator()
            .await
            .info()
            .set_ability(user.id, INFOS_ADMIN, true)
            .await
            .expect("grant");
    }

    /// A new user with `infos:admin`.
    pub async fn info_admin(&self) -> InfoUser {
        let user = self.info_user().await;
        self.grant_admin(&user).await;
        user
    }

    /// A new category; its ID.
    pub async fn category(&self, admin: &InfoUser) -> u64 {
        let c = self
            .rest_ok(
                201,
                "POST",
                "/api/v2/infos/categories",
                Some(&admin.token),
                Some(json!({"name": unique("c"), "sort": 0})),
            )
            .await;
        c["id"].as_u64().unwrap()
    }

    /// Publishes an info with `fields` merged over a title and content; the info's JSON.
    pub async fn publish(&self, admin: &InfoUser, category: u64, fields: Value) -> Value {
        let mut body = json!({"category_id": category, "title": unique("t"), "content": "content"});
        if let (Value::Object(b), Value::Object(f)) = (&mut body, fields) {
            b.extend(f);
        }
        self.rest_ok(201, "POST", "/api/v2/infos", Some(&admin.token), Some(body))
            .await
    }

    /// `PATCH /api/v2/infos/{id}` as `user`, which must answer 200; the info.
    pub async fn patch_info(&self, user: &InfoUser, id: impl std::fmt::Display, body: Value) -> Value {
        self.rest_ok(
            200,
            "PATCH",
            &format!("/api/v2/infos/{id}"),
            Some(&user.token),
            Some(body),
        )
        .await
    }

    /// Asks the storage API for an upload of `bytes` as `mime`; the answer (node, url, headers).
    pub async fn issue_upload(&self, user: &InfoUser, mime: &str, bytes: &[u8]) -> Value {
        self.rest_ok(
            201,
            "POST",
            "/api/v2/storage",
            Some(&user.token),
            Some(json!({
                "filename": "file",
                "hash": md5_hex(bytes),
                "size": bytes.len(),
                "mime_type": mime,
                "storage": {"channel": "public"},
            })),
        )
        .await
    }

    /// Uploads `bytes` to an issued upload, as a client does: straight to S3, with the headers
    /// the signature covers.
    pub async fn put_upload(&self, upload: &Value, bytes: Vec<u8>) -> u16 {
        let mut req = self.http.put(upload["url"].as_str().unwrap()).body(bytes);
        for (k, v) in upload["headers"].as_object().unwrap() {
            req = req.header(k.as_str(), v.as_str().unwrap());
        }
        req.send().await.expect("upload").status().as_u16()
    }

    /// A node holding `bytes` as `mime`, uploaded.
    pub async fn upload(&self, user: &InfoUser, mime: &str, bytes: Vec<u8>) -> String {
        let upload = self.issue_upload(user, mime, &bytes).await;
        assert_eq!(
            self.put_upload(&upload, bytes).await,
            200,
            "upload to {}",
            upload["url"]
        );
        upload["node"].as_str().unwrap().to_owned()
    }

    /// An uploaded PNG of `w`×`h`.
    pub async fn image(&self, user: &InfoUser, w: u32, h: u32) -> String {
        self.upload(user, "image/png", png(w, h)).await
    }
}

/// A category written straight into the table (the bench's and the tests' fills), with its
/// name's claim.
pub fn filler_category(id: u64, name: &str, now: i64) -> Vec<shared::store::Item> {
    use info::items::{CategoryItem, CategoryNameItem};
    vec![
        serde_dynamo::to_item(CategoryNameItem::new(&info::name_key(name), id)).expect("an item"),
        serde_dynamo::to_item(CategoryItem::new(id, name, None, 0, now)).expect("an item"),
    ]
}

/// What creating info `id` by `author` in `category` at `now` writes, filled in directly: the
/// info (500 bytes of content; one in 10 recommended, one in 50 topped, one in 100 topped in its
/// category), its stats and its listing entries. For listing-cost tests and `make bench`'s (d).
pub fn filler_info(id: u64, author: u64, category: u64, now: i64) -> Vec<shared::store::Item> {
    use info::items::{InfoItem, StatsItem};
    let key = info::keys::info(id);
    let flag = |every: u64| id.is_multiple_of(every).then_some(now);
    let info = InfoItem {
        pk: key.pk,
        sk: key.sk,
        entity: info::keys::entity::INFO.into(),
        id,
        author_id: author,
        category_id: category,
        title: format!("filler {id}"),
        summary: None,
        content: "x".repeat(500),
        content_medias: Vec::new(),
        recommend_at: flag(10),
        topped_at: flag(50),
        category_topped_at: flag(100),
        created_at: now,
        updated_at: now,
        deleted_at: None,
        rev: 0,
        purging: None,
    };
    let mut items = vec![
        serde_dynamo::to_item(&info).expect("an info item"),
        serde_dynamo::to_item(StatsItem::new(&info)).expect("a stats item"),
    ];
    items.extend(
        info.entries()
            .iter()
            .map(|e| serde_dynamo::to_item(e).expect("an entry item")),
    );
    items
}
