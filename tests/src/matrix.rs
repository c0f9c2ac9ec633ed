//! The authorization matrix's requests (`tests/authz.yaml`): a request for every route of
//! `template.yaml` (HTTP and WebSocket) with each surface's world of fixtures, sent as each
//! identity. The authorization test (`tests/e2e/authorization_matrix.rs`) checks every cell's
//! answer; `tools/bench` sends the owner's requests to measure each route's cost and latency.
//! Each surface gets a world of fixtures (an owner with objects, another user, an admin where
//! the surface has admins) built through the API; a row's placeholders (`{post}`, `{owner}`, …)
//! name them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use local_gateway::{Template, template_path};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::nobase::World as NobaseWorld;
use crate::{TestApp, unique};

/// The table, beside `template.yaml`.
pub const TABLE: &str = "tests/authz.yaml";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Identity {
    None,
    Malformed,
    Expired,
    Foreign,
    Other,
    Admin,
    Owner,
}

pub const IDENTITIES: [Identity; 7] = [
    Identity::None,
    Identity::Malformed,
    Identity::Expired,
    Identity::Foreign,
    Identity::Other,
    Identity::Admin,
    Identity::Owner,
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub routes: Vec<Row>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    /// `METHOD /path` as in the template, or `WS $connect`.
    pub route: String,
    #[serde(flatten)]
    pub request: Request,
    /// A new world for the refused cells, and one for each accepted cell.
    #[serde(default)]
    pub fresh: bool,
    /// A read, as the owner, that must answer the same before and after the refused cells.
    pub probe: Option<Probe>,
    pub expect: BTreeMap<Identity, String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Request {
    /// Values of the route's `{parameters}`.
    #[serde(default)]
    pub path: BTreeMap<String, String>,
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    pub json: Option<Value>,
    /// nobase's parameters: the query string of a GET, the form body of a POST.
    pub params: Option<BTreeMap<String, String>>,
    pub multipart: Option<Multipart>,
    /// A WebSocket route's frame, sent on a connection opened with the cell's token.
    pub frame: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    pub route: String,
    #[serde(flatten)]
    pub request: Request,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Multipart {
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// Field name → file content: `png` (a small PNG) or the text itself.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

/// An expected answer: `n/a`, or the HTTP status and, on the enveloped surfaces, the
/// envelope's code (`200 1001`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub code: Option<i64>,
}

impl Answer {
    pub fn parse(cell: &str) -> Option<Self> {
        let mut parts = cell.split_whitespace();
        let status = parts.next()?.parse().ok()?;
        let code = match parts.next() {
            Some(c) => Some(c.parse().ok()?),
            None => None,
        };
        parts.next().is_none().then_some(Self { status, code })
    }
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.code {
            Some(code) => write!(f, "{} {code}", self.status),
            None => write!(f, "{}", self.status),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Surface {
    Chatx,
    Nobase,
    Weif,
    Info,
}

impl Surface {
    pub fn of_binary(binary: &str) -> Self {
        match binary.split('-').next() {
            Some("chatx") => Self::Chatx,
            Some("nobase") => Self::Nobase,
            Some("weif") => Self::Weif,
            Some("info") => Self::Info,
            _ => panic!("no surface for binary {binary}"),
        }
    }

    /// The envelope's code in an answer (`None` for the REST surface).
    pub fn code(self, body: &Value) -> Option<i64> {
        match self {
            Self::Chatx => body["errCode"].as_i64(),
            Self::Nobase => body["code"].as_i64(),
            // The single-file upload rows name their status `res_code`.
            Self::Weif => body.get("res_code").unwrap_or(&body["status"]).as_i64(),
            Self::Info => None,
        }
    }

    /// Whether `answer` lets the request through (the cell is run after the probe).
    pub fn accepts(self, answer: Answer) -> bool {
        match self {
            _ if answer.code.is_none() => answer.status < 400,
            Self::Chatx => answer.code == Some(0),
            Self::Nobase => answer.code == Some(200),
            Self::Weif => matches!(answer.code, Some(0 | 200)),
            Self::Info => answer.status < 400,
        }
    }
}

/// A surface's fixtures: the values of the placeholders and the token of each identity
/// (`None`: no token is sent).
pub struct World {
    pub vars: BTreeMap<&'static str, String>,
    pub tokens: BTreeMap<Identity, Option<String>>,
}

const MALFORMED: &str = "not-a-jwt";

impl World {
    pub fn fill(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (name, value) in &self.vars {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        while out.contains("{unique}") {
            out = out.replacen("{unique}", &unique("m"), 1);
        }
        while out.contains("{phone}") {
            out = out.replacen("{phone}", &crate::weif::phone(), 1);
        }
        assert!(!out.contains('{'), "unknown placeholder in {text:?}");
        out
    }

    pub fn fill_json(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.fill(s)),
            Value::Array(a) => Value::Array(a.iter().map(|v| self.fill_json(v)).collect()),
            Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), self.fill_json(v))).collect()),
            other => other.clone(),
        }
    }

    pub fn token(&self, who: Identity) -> Option<&str> {
        self.tokens
            .get(&who)
            .unwrap_or_else(|| panic!("this surface has no {who:?}"))
            .as_deref()
    }
}

fn tokens(
    owner: String,
    other: String,
    expired: String,
    foreign: String,
    admin: Option<String>,
) -> BTreeMap<Identity, Option<String>> {
    let mut t = BTreeMap::from([
        (Identity::None, None),
        (Identity::Malformed, Some(MALFORMED.to_owned())),
        (Identity::Expired, Some(expired)),
        (Identity::Foreign, Some(foreign)),
        (Identity::Other, Some(other)),
        (Identity::Owner, Some(owner)),
    ]);
    if let Some(admin) = admin {
        t.insert(Identity::Admin, Some(admin));
    }
    t
}

const HOUR: i64 = 3600;

/// chatx: the owner's post with the owner's comment; another user.
pub async fn chatx_world(app: &TestApp) -> World {
    let (owner, other) = (app.register().await, app.register().await);
    let post = app.add_post(&owner, "owner's post").await;
    let comment = app
        .chatx_ok(
            "/chatx/moments/comment/add",
            &owner.token,
            json!({"postID": post, "content": "owner's comment"}),
        )
        .await["comment"]["commentID"]
        .as_str()
        .unwrap()
        .to_owned();
    World {
        tokens: tokens(
            owner.token.clone(),
            other.token.clone(),
            app.tokens.issue_expired(&owner.user_id, chatx::AUDIENCE, HOUR).unwrap(),
            app.tokens.issue(&owner.user_id, weifchat::AUDIENCE).unwrap(),
            None,
        ),
        vars: BTreeMap::from([
            ("owner", owner.user_id),
            ("owner_account", owner.account),
            ("owner_password", owner.password),
            ("post", post),
            ("comment", comment),
        ]),
    }
}

/// nobase (an app in token mode): the owner's post on the world's board; another user.
pub async fn nobase_world(app: &TestApp) -> World {
    let world = NobaseWorld::new(app).await;
    let [owner, other]: [_; 2] = world.members_direct(2).await.try_into().unwrap();
    let env = crate::nobase::post_form(
        app,
        crate::nobase::POST_ADD,
        &world.params(&[
            ("uid", world.board.clone()),
            ("title", "owner's post".into()),
            ("content", "by the owner".into()),
            ("token", owner.token.clone().unwrap()),
        ]),
    )
    .await;
    assert_eq!(env["code"], 200, "{env}");
    let post = env["data"]["id"].as_str().unwrap().to_owned();
    let app_config = world.app_config().await;
    let stored = world.user(&owner).await;
    World {
        tokens: tokens(
            owner.token.clone().unwrap(),
            other.token.clone().unwrap(),
            nobase::gate::issue_expired_token(&world.state, &app_config, &stored, HOUR).unwrap(),
            app.tokens.issue(&owner.user_id, chatx::AUDIENCE).unwrap(),
            None,
        ),
        vars: BTreeMap::from([
            ("appid", world.appid.clone()),
            ("signature", world.signature.clone()),
            ("board", world.board.clone()),
            ("post", post),
            ("owner_account", owner.account),
            ("owner_password", owner.pass),
        ]),
    }
}

/// weifChat: the owner with a friend, a group the friend is in, a moment with the friend's
/// comment, a note, a friend request and a group join request from an applicant, uploaded
/// chunks and a photo; `other` is a stranger to all of it.
pub async fn weif_world(app: &TestApp) -> World {
    let [owner, friend, other, applicant] = app.weif_users_direct().await;
    app.weif_befriend(&owner, &friend).await;
    let group = app.weif_group(&owner, "matrix").await;
    app.weif_join(&friend, &owner, &group).await;
    let other_group = app.weif_group(&other, "other's").await;
    let store = app.weif_store().await;
    let now = shared::clock::now_ms();
    store
        .send_private(&friend.id, &owner.id, &crate::weif::text("hello owner"), None, now)
        .await
        .unwrap();
    store
        .send_group(&friend.id, &group, &crate::weif::text("hello group"), None, now)
        .await
        .unwrap();
    let space = app.weif_space(&owner, "owner's moment").await;
    app.weif_post_ok(
        "/space/comment/add/0",
        &friend.token,
        json!({"userId": friend.id, "spaceId": space, "textarea": "friend's comment"}),
    )
    .await;
    let feed = app
        .weif_get_ok("/space/get", &owner.token, &[("userId", &owner.id)])
        .await;
    let comment = feed["data"][0]["commentList"][0]["_id"].as_str().unwrap().to_owned();
    let note = app
        .weif_post_ok(
            "/notes/add",
            &owner.token,
            json!({"userId": owner.id, "text": "owner's note"}),
        )
        .await["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.weif_post_ok(
        "/friend/add",
        &applicant.token,
        json!({"userId": applicant.id, "friendId": owner.id}),
    )
    .await;
    app.weif_post_ok(
        "/group/add",
        &applicant.token,
        json!({"groupId": group, "userId": applicant.id}),
    )
    .await;
    let chunk = b"owner's chunk".to_vec();
    let hash = {
        use md5::Digest;
        md5::Md5::digest(&chunk)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let env = app
        .weif_form(
            "/chat/file/private",
            &owner.token,
            &[("fileHash", &hash), ("index", "0")],
            &[("blob", "blob", chunk.clone())],
        )
        .await;
    assert_eq!(env["status"], 200, "{env}");
    let photo = app
        .weif_form(
            "/chat/private/photo",
            &owner.token,
            &[],
            &[("photo", "p.png", crate::weif::png())],
        )
        .await["url"]
        .as_str()
        .unwrap()
        .trim_start_matches("/weifchat/")
        .to_owned();
    World {
        tokens: tokens(
            owner.token.clone(),
            other.token.clone(),
            app.tokens.issue_expired(&owner.id, weifchat::AUDIENCE, HOUR).unwrap(),
            app.tokens.issue(&owner.id, chatx::AUDIENCE).unwrap(),
            None,
        ),
        vars: BTreeMap::from([
            ("owner", owner.id),
            ("owner_phone", owner.phone),
            ("owner_password", owner.password),
            ("friend", friend.id),
            ("other", other.id),
            ("applicant", applicant.id),
            ("group", group),
            ("other_group", other_group),
            ("space", space),
            ("comment", comment),
            ("note", note),
            ("hash", hash),
            ("chunk_size", chunk.len().to_string()),
            ("photo", photo),
        ]),
    }
}

/// info: an info in a category, authored by the owner (published by an admin), the owner's
/// comment on it, an uploaded image, an empty category; another user; an admin.
pub async fn info_world(app: &TestApp) -> World {
    let (owner, other, admin) = (app.info_user().await, app.info_user().await, app.info_admin().await);
    let category = app.category(&admin).await;
    let empty_category = app.category(&admin).await;
    let info = app.publish(&admin, category, json!({"author_id": owner.id})).await["id"]
        .as_u64()
        .unwrap();
    let comment = app
        .rest_ok(
            201,
            "POST",
            "/api/v2/feeds",
            Some(&owner.token),
            Some(json!({"repostable_type": "infos", "repostable_id": info, "feed_content": "owner's comment"})),
        )
        .await["id"]
        .as_u64()
        .unwrap();
    let node = app.image(&owner, 200, 200).await;
    World {
        tokens: tokens(
            owner.token.clone(),
            other.token.clone(),
            app.tokens
                .issue_expired(&owner.id.to_string(), info::AUDIENCE, HOUR)
                .unwrap(),
            app.tokens.issue(&owner.id.to_string(), chatx::AUDIENCE).unwrap(),
            Some(admin.token.clone()),
        ),
        vars: BTreeMap::from([
            ("owner", owner.id.to_string()),
            ("owner_name", owner.name),
            ("category", category.to_string()),
            ("empty_category", empty_category.to_string()),
            ("info", info.to_string()),
            ("comment", comment.to_string()),
            ("node", node),
        ]),
    }
}

pub async fn world(app: &TestApp, surface: Surface) -> World {
    match surface {
        Surface::Chatx => chatx_world(app).await,
        Surface::Nobase => nobase_world(app).await,
        Surface::Weif => weif_world(app).await,
        Surface::Info => info_world(app).await,
    }
}

/// The client and the request counter of a run.
pub struct Runner {
    pub app: TestApp,
    /// Redirects are answers here (a file's GET answers 302).
    pub http: reqwest::Client,
    pub requests: AtomicUsize,
}

/// What a cell got: the HTTP status and the body (JSON, or `null` when empty or not JSON).
pub type Got = (u16, Value);

impl Runner {
    /// A runner on `app`, whose client takes a redirect as an answer.
    pub fn new(app: TestApp) -> Self {
        Self {
            app,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
            requests: AtomicUsize::new(0),
        }
    }
}

impl Runner {
    pub async fn send(&self, surface: Surface, route: &str, request: &Request, world: &World, who: Identity) -> Got {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let token = world.token(who);
        let (method, pattern) = route.split_once(' ').expect("METHOD /path");
        if method == "WS" {
            return self.socket(pattern, request, world, token).await;
        }
        let mut path = pattern.replace('+', "");
        for (name, value) in &request.path {
            path = path.replace(&format!("{{{name}}}"), &world.fill(value));
        }
        assert!(!path.contains('{'), "{route}: a path parameter has no value");
        let mut query: Vec<(String, String)> = request.query.iter().map(|(k, v)| (k.clone(), world.fill(v))).collect();
        // nobase: the identity is a parameter, in the query string of a GET, else the form.
        let mut form = None;
        if surface == Surface::Nobase {
            let mut params: Vec<(String, String)> = request
                .params
                .iter()
                .flatten()
                .map(|(k, v)| (k.clone(), world.fill(v)))
                .collect();
            if let Some(t) = token {
                params.push(("token".into(), t.to_owned()));
            }
            if method == "GET" {
                query.extend(params);
            } else {
                form = Some(params);
            }
        }
        let mut url = reqwest::Url::parse(&format!("{}{path}", self.app.base_url)).expect("URL");
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(&query);
        }
        let mut req = self.http.request(method.parse().unwrap(), url);
        match (surface, token) {
            (Surface::Chatx, token) => {
                req = req.header("operationID", unique("op-"));
                if let Some(t) = token {
                    req = req.header("token", t);
                }
            }
            (Surface::Weif | Surface::Info, Some(t)) => req = req.header("authorization", format!("Bearer {t}")),
            _ => {}
        }
        if let Some(params) = form {
            let mut s = form_urlencoded::Serializer::new(String::new());
            s.extend_pairs(&params);
            req = req
                .header("content-type", "application/x-www-form-urlencoded")
                .body(s.finish());
        }
        if let Some(body) = &request.json {
            req = req.json(&world.fill_json(body));
        }
        if let Some(form) = &request.multipart {
            let fields: Vec<(String, String)> = form.fields.iter().map(|(k, v)| (k.clone(), world.fill(v))).collect();
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let files: Vec<(&str, &str, Vec<u8>)> = form
                .files
                .iter()
                .map(|(field, content)| {
                    let bytes = match content.as_str() {
                        "png" => crate::weif::png(),
                        text => world.fill(text).into_bytes(),
                    };
                    (field.as_str(), "file.png", bytes)
                })
                .collect();
            let (ct, body) = crate::weif::multipart(&fields, &files);
            req = req.header("content-type", ct).body(body);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A WebSocket cell: the handshake with `token` (its refusal's status, or 101); then, for a
    /// frame route, the frame and a sentinel (an unknown action, which `$default` refuses): the
    /// first frame back before the sentinel's answer is the route's (`status` 200
    /// for its own event, an error's status), none is `status` 0 (routes that answer nothing to
    /// the sender). `$disconnect` runs when the connection closes.
    pub async fn socket(&self, key: &str, request: &Request, world: &World, token: Option<&str>) -> Got {
        let query = token.map(|t| format!("token={t}")).unwrap_or_default();
        let mut socket = match self.app.socket(&query).await {
            Ok(socket) => socket,
            Err(status) => return (status, Value::Null),
        };
        let Some(frame) = &request.frame else {
            socket.close().await;
            return (101, Value::Null);
        };
        assert_ne!(key, "$connect", "$connect takes no frame");
        socket.send_json(&world.fill_json(frame)).await;
        socket.send_json(&json!({"action": SENTINEL, "data": {}})).await;
        let mut answer = json!({"status": 0});
        // The sentinel's answer is `$default`'s (an error); on `$default`'s own row the first one
        // is the route's. A route may close the connection instead (`logout`): no answer then.
        let mut defaults = if key == "$default" { 2 } else { 1 };
        loop {
            let Some(got) = socket.recv_json_or_close().await else {
                return (101, answer);
            };
            if got["data"]["action"] == "$default" {
                defaults -= 1;
                if defaults == 0 {
                    break;
                }
            }
            if answer["status"] == 0 {
                let status = if got["event"] == "error" {
                    got["data"]["status"].clone()
                } else {
                    json!(200)
                };
                answer = json!({"status": status, "frame": got});
            }
        }
        socket.close().await;
        (101, answer)
    }
}

/// The action that marks the end of a WebSocket cell's answers.
pub const SENTINEL: &str = "matrix_sentinel";

/// The template's routes and the surface serving each: `METHOD /path`, and `WS <route key>`
/// for the WebSocket API's.
pub fn template_routes() -> BTreeMap<String, Surface> {
    let template = Template::load(template_path()).expect("template.yaml");
    let mut routes = BTreeMap::new();
    for f in &template.functions {
        for r in &f.routes {
            routes.insert(format!("{} {}", r.method, r.path), Surface::of_binary(&f.binary));
        }
    }
    for r in &template.socket.as_ref().expect("the WebSocket API").routes {
        routes.insert(format!("WS {}", r.key), Surface::of_binary(&r.binary));
    }
    routes
}

pub fn load_table() -> Table {
    let path = template_path().parent().expect("the workspace").join(TABLE);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{TABLE}: {e}"))
}
