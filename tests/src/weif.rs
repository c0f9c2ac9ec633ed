//! weifChat helpers: calls with `Authorization: Bearer`, users, friends, groups, moments.

use serde_json::{Value, json};

use crate::TestApp;

/// A registered weifChat user.
#[derive(Debug, Clone)]
pub struct WeifUser {
    pub id: String,
    pub token: String,
    pub phone: String,
    pub password: String,
    pub nick: String,
}

impl WeifUser {
    /// The user's profile as registration leaves it, for bulk loads that copy it onto items (its
    /// WaiFCode and creation time left empty: the lists that show copies don't show them).
    pub fn profile(&self) -> weifchat::User {
        weifchat::User {
            id: self.id.clone(),
            phone: self.phone.clone(),
            nick: self.nick.clone(),
            img_url: weifchat::accounts::DEFAULT_AVATAR.into(),
            sex: weifchat::model::Sex::Unknown.as_str().into(),
            birthday: String::new(),
            sign: weifchat::accounts::DEFAULT_SIGN.into(),
            waif_code: String::new(),
            created_at: 0,
        }
    }
}

/// A phone number no other test uses (a mainland mobile number, `13` and nine random digits).
pub fn phone() -> String {
    format!("13{:09}", rand::random_range(0..1_000_000_000u32))
}

/// One entry of a 405 list.
pub fn field(msg: &str, path: &str, location: &str) -> Value {
    json!({"type": "field", "msg": msg, "path": path, "location": location})
}

/// The keys of a JSON object, in order.
pub fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

/// `application/x-www-form-urlencoded` encoding of one value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `?k=v&…`, encoded.
pub fn query_string(query: &[(&str, &str)]) -> String {
    if query.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("?{}", pairs.join("&"))
}

impl TestApp {
    /// How many friend edges (requests and friendships; not the conversations beside them)
    /// `user_id`'s partition holds.
    pub async fn weif_edges(&self, user_id: &str) -> usize {
        let out = self
            .dynamo
            .query()
            .table_name(&self.table)
            .consistent_read(true)
            .key_condition_expression("PK = :pk AND begins_with(SK, :sk)")
            .expression_attribute_values(
                ":pk",
                aws_sdk_dynamodb::types::AttributeValue::S(weifchat::keys::user_partition(user_id)),
            )
            .expression_attribute_values(
                ":sk",
                aws_sdk_dynamodb::types::AttributeValue::S(weifchat::keys::FRIEND_PREFIX.into()),
            )
            .send()
            .await
            .expect("query");
        let sk = |item: &std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>| {
            item.get("SK").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default()
        };
        out.items()
            .iter()
            .filter(|i| weifchat::keys::friend_of_edge(&sk(i)).is_some())
            .count()
    }

    /// `GET path?query` with the token (none when empty); asserts HTTP 200; the envelope.
    pub async fn weif_get(&self, path: &str, token: &str, query: &[(&str, &str)]) -> Value {
        self.weif_send("GET", &format!("{path}{}", query_string(query)), token, String::new())
            .await
    }

    /// `POST path` with a JSON body and the token (none when empty); asserts HTTP 200.
    pub async fn weif_post(&self, path: &str, token: &str, body: Value) -> Value {
        self.weif_send("POST", path, token, body.to_string()).await
    }

    async fn weif_send(&self, method: &str, path_and_query: &str, token: &str, body: String) -> Value {
        let bearer = format!("Bearer {token}");
        let headers: Vec<(&str, &str)> = if token.is_empty() {
            vec![]
        } else {
            vec![("authorization", bearer.as_str())]
        };
        let (status, env) = self.raw(method, path_and_query, &headers, body).await;
        assert_eq!(status, 200, "{method} {path_and_query}: {env}");
        env
    }

    /// Like [`TestApp::weif_post`], asserting `status` 200.
    pub async fn weif_post_ok(&self, path: &str, token: &str, body: Value) -> Value {
        let env = self.weif_post(path, token, body).await;
        assert_eq!(env["status"], 200, "{path}: {env}");
        env
    }

    /// Like [`TestApp::weif_get`], asserting `status` 200.
    pub async fn weif_get_ok(&self, path: &str, token: &str, query: &[(&str, &str)]) -> Value {
        let env = self.weif_get(path, token, query).await;
        assert_eq!(env["status"], 200, "{path}: {env}");
        env
    }

    pub async fn weif_register_as(&self, nick: &str) -> WeifUser {
        let (phone, password) = (phone(), "secret-pass".to_owned());
        let env = self
            .weif_post_ok(
                "/register",
                "",
                json!({"phone": phone, "password": password, "nick": nick}),
            )
            .await;
        WeifUser {
            id: env["data"]["_id"].as_str().unwrap().to_owned(),
            token: env["data"]["token"].as_str().unwrap().to_owned(),
            phone,
            password,
            nick: nick.to_owned(),
        }
    }

    pub async fn weif_register(&self) -> WeifUser {
        self.weif_register_as(&crate::unique("nick")).await
    }

    /// `N` new users.
    pub async fn weif_users<const N: usize>(&self) -> [WeifUser; N] {
        let mut users = Vec::with_capacity(N);
        for _ in 0..N {
            users.push(self.weif_register().await);
        }
        users.try_into().unwrap_or_else(|_| unreachable!("N users"))
    }

    /// `N` new users created through the store, as register stores them, sharing one password
    /// hash (to spare argon2 time), with their tokens.
    pub async fn weif_users_direct<const N: usize>(&self) -> [WeifUser; N] {
        let password = "secret-pass".to_owned();
        let hash = shared::auth::password::hash(&password).await.unwrap();
        let store = self.weif_store().await;
        let mut users = Vec::with_capacity(N);
        for _ in 0..N {
            let user = weifchat::User {
                id: shared::ids::new_id(),
                phone: phone(),
                nick: crate::unique("nick"),
                img_url: weifchat::accounts::DEFAULT_AVATAR.into(),
                sex: weifchat::model::Sex::Unknown.as_str().into(),
                birthday: String::new(),
                sign: weifchat::accounts::DEFAULT_SIGN.into(),
                waif_code: String::new(),
                created_at: shared::clock::now_ms(),
            };
            let user = store
                .register(weifchat::Registration {
                    user,
                    password_hash: hash.clone(),
                })
                .await
                .unwrap();
            users.push(WeifUser {
                token: self.tokens.issue(&user.id, weifchat::AUDIENCE).unwrap(),
                id: user.id,
                phone: user.phone,
                password: password.clone(),
                nick: user.nick,
            });
        }
        users.try_into().unwrap_or_else(|_| unreachable!("N users"))
    }

    /// Two friends and a stranger.
    pub async fn weif_people(&self) -> (WeifUser, WeifUser, WeifUser) {
        let [a, b, c] = self.weif_users().await;
        self.weif_befriend(&a, &b).await;
        (a, b, c)
    }

    /// `a` asks `b`, `b` agrees.
    pub async fn weif_befriend(&self, a: &WeifUser, b: &WeifUser) {
        self.weif_post_ok("/friend/add", &a.token, json!({"userId": a.id, "friendId": b.id}))
            .await;
        self.weif_post_ok("/friend/agree", &b.token, json!({"userId": b.id, "friendId": a.id}))
            .await;
    }

    /// A new group of `owner`'s; its ID.
    pub async fn weif_group(&self, owner: &WeifUser, name: &str) -> String {
        self.weif_post_ok(
            "/create/group",
            &owner.token,
            json!({"userId": owner.id, "groupName": name, "sign": "introduction"}),
        )
        .await;
        let env = self
            .weif_get_ok("/contacts/group", &owner.token, &[("userId", &owner.id)])
            .await;
        let groups = env["data"].as_array().unwrap();
        let group = groups
            .iter()
            .rev()
            .find(|g| g["groupId"]["groupName"] == name)
            .unwrap_or_else(|| panic!("group {name} in {env}"));
        group["groupId"]["_id"].as_str().unwrap().to_owned()
    }

    /// `user` joins `group` of `owner` (request, agree).
    pub async fn weif_join(&self, user: &WeifUser, owner: &WeifUser, group: &str) {
        self.weif_post_ok("/group/add", &user.token, json!({"groupId": group, "userId": user.id}))
            .await;
        self.weif_post_ok(
            "/group/agree",
            &owner.token,
            json!({"userId": user.id, "groupId": group}),
        )
        .await;
    }

    /// A new moment of `user`'s; its ID.
    pub async fn weif_space(&self, user: &WeifUser, text: &str) -> String {
        self.weif_post_ok("/space/add", &user.token, json!({"userId": user.id, "textDesc": text}))
            .await;
        let env = self
            .weif_get_ok("/space/details", &user.token, &[("userId", &user.id)])
            .await;
        let spaces = env["data"]["spaces"].as_array().unwrap();
        let space = spaces
            .iter()
            .find(|s| s["textDesc"] == text)
            .unwrap_or_else(|| panic!("moment {text} in {env}"));
        space["_id"].as_str().unwrap().to_owned()
    }
}

// ---- messages (issue 9) ----

impl TestApp {
    /// The weifChat store on the test table. Messages are sent over the WebSocket API, which
    /// comes in a later issue: until then tests send them by calling the store directly, as the
    /// socket functions will.
    pub async fn weif_store(&self) -> weifchat::WeifStore {
        use weifchat::WeifState;
        self.operator().await.weifchat()
    }
}

/// A text message's content.
pub fn text(message: &str) -> weifchat::model::Content {
    weifchat::model::Content::new(0, message).expect("valid message")
}

// ---- uploads (#5, #15, #27, #38–42) ----

/// A file part of a test form: (field, file name, bytes).
pub type Part<'a> = (&'a str, &'a str, Vec<u8>);

/// A minimal PNG header (enough for the server's content check).
pub fn png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    b.extend(3u32.to_be_bytes());
    b.extend(4u32.to_be_bytes());
    b.extend([8, 6, 0, 0, 0]);
    b
}

/// A `multipart/form-data` body (the test client builds it; the server parses with multer).
pub fn multipart(fields: &[(&str, &str)], files: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = "----weifTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").bytes());
    }
    for (field, name, bytes) in files {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").bytes(),
        );
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    /// `POST path` with a multipart form and the token; asserts HTTP 200; the envelope.
    pub async fn weif_form(&self, path: &str, token: &str, fields: &[(&str, &str)], files: &[Part<'_>]) -> Value {
        let (ct, body) = multipart(fields, files);
        let bearer = format!("Bearer {token}");
        let (status, env) = self
            .raw(
                "POST",
                path,
                &[("content-type", ct.as_str()), ("authorization", bearer.as_str())],
                body,
            )
            .await;
        assert_eq!(status, 200, "POST {path}: {env}");
        env
    }

    /// The bytes at a returned `url` (through the gateway's redirect to S3).
    pub async fn weif_download(&self, url: &str) -> Vec<u8> {
        let resp = self
            .http
            .get(format!("{}{url}", self.base_url))
            .send()
            .await
            .expect("download");
        assert_eq!(resp.status(), 200, "GET {url}");
        resp.bytes().await.expect("bytes").to_vec()
    }
}

impl TestApp {
    /// A WebSocket connection of `user`'s, logged in (`login`), and its connection ID.
    pub async fn weif_connect(&self, user: &WeifUser) -> (crate::Socket, String) {
        let mut socket = self
            .socket(&format!("token={}", user.token))
            .await
            .unwrap_or_else(|status| panic!("handshake refused with {status}"));
        socket
            .send_json(&json!({"action": "login", "data": {"userId": user.id}}))
            .await;
        let login = socket.recv_json().await;
        assert_eq!(login["event"], "login", "{login}");
        let id = login["data"].as_str().expect("connection ID").to_owned();
        (socket, id)
    }
}
