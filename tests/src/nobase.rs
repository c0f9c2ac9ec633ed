//! A nobase world for the end-to-end tests: a developer, an app, a board and a post, set up
//! through the shared store exactly as the operator's command line (`admin nobase …`) does, and
//! users who register (and log in) through the API. Each test builds its own, with its own IDs.

use nobase::NobaseState;
use nobase::{
    AccountRange, App, AppStatus, Board, Date, Developer, DeveloperStatus, NobaseStore, Post, PostStatus, User,
    UserStatus, gate, keys, signature,
};
use serde_json::{Value, json};
use shared::AppState;

use crate::{TestApp, unique};

pub const POST_LIKE: &str = "/api/bbs/post_like";
pub const POST_ADD: &str = "/api/bbs/post_add";
pub const POST_DETAIL: &str = "/api/bbs/post_detail";
pub const REGISTER: &str = "/api/user/register";
pub const LOGIN: &str = "/api/user/login";

/// How the world's app is configured.
#[derive(Clone, Copy)]
pub struct Setup {
    pub token_mode: bool,
    pub post_review: bool,
    pub accounts: AccountRange,
}

impl Setup {
    pub fn token() -> Self {
        Self {
            token_mode: true,
            post_review: false,
            accounts: AccountRange::DEFAULT,
        }
    }

    pub fn user_pass() -> Self {
        Self {
            token_mode: false,
            ..Self::token()
        }
    }
}

pub struct World {
    pub state: AppState,
    pub developer_id: String,
    pub appid: String,
    pub signature: String,
    pub board: String,
    pub post: String,
    pub token_mode: bool,
}

/// A user of the world's app: how it identifies itself in its app's mode.
#[derive(Debug, Clone)]
pub struct Member {
    pub account: String,
    pub pass: String,
    /// The login token in token mode.
    pub token: Option<String>,
    pub user_id: String,
}

impl Member {
    /// The identity parameters of the app's mode.
    pub fn identity(&self) -> Vec<(&'static str, String)> {
        match &self.token {
            Some(t) => vec![("token", t.clone())],
            None => vec![("user", self.account.clone()), ("pass", self.pass.clone())],
        }
    }
}

/// `k=v&…`, form-encoded.
pub fn encode(params: &[(&str, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        s.append_pair(k, v);
    }
    s.finish()
}

/// `GET path?params`; asserts HTTP 200 and returns the envelope.
pub async fn get(app: &TestApp, path: &str, params: &[(&str, String)]) -> Value {
    let (status, env) = app.raw("GET", &format!("{path}?{}", encode(params)), &[], "").await;
    assert_eq!(status, 200, "{path}: {env}");
    env
}

/// `POST path` with a form body; asserts HTTP 200 and returns the envelope.
pub async fn post_form(app: &TestApp, path: &str, params: &[(&str, String)]) -> Value {
    let (status, env) = app
        .raw(
            "POST",
            path,
            &[("content-type", "application/x-www-form-urlencoded")],
            encode(params),
        )
        .await;
    assert_eq!(status, 200, "{path}: {env}");
    env
}

/// The envelope of a refusal.
pub fn fail(code: i64, data: &str) -> Value {
    json!({"code": code, "msg": "fail", "data": data})
}

/// The envelope of a success with `data`.
pub fn ok(data: Value) -> Value {
    json!({"code": 200, "msg": "success", "data": data})
}

pub fn owned(params: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    params.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

impl World {
    pub async fn new(app: &TestApp) -> Self {
        Self::with(app, Setup::token()).await
    }

    pub async fn with(app: &TestApp, setup: Setup) -> Self {
        let state = AppState::new(app.config.clone(), app.dynamo.clone());
        let developer = Developer {
            developer_id: unique("dev_"),
            name: "Demo developer".into(),
            status: DeveloperStatus::Normal,
            vip_until: Date::today().plus_days(30),
            create_time: shared::clock::now_ms(),
        };
        state.nobase().create_developer(&developer).await.unwrap();
        let sig = signature::generate();
        let appid = unique("app_");
        let app_config = App {
            appid: appid.clone(),
            developer_id: developer.developer_id.clone(),
            name: "Demo BBS".into(),
            status: AppStatus::Normal,
            token_mode: setup.token_mode,
            accounts: setup.accounts,
            post_review: setup.post_review,
            signature_digest: signature::digest(&sig),
            create_time: shared::clock::now_ms(),
        };
        state.nobase().create_app(&app_config).await.unwrap();
        let mut world = Self {
            state,
            developer_id: developer.developer_id,
            appid,
            signature: sig,
            board: String::new(),
            post: String::new(),
            token_mode: setup.token_mode,
        };
        world.board = world.add_board().await;
        world.post = world.add_operator_post(&world.board.clone(), PostStatus::Normal).await;
        world
    }

    pub fn store(&self) -> NobaseStore<'_> {
        self.state.nobase()
    }

    pub async fn add_board(&self) -> String {
        let uid = unique("b_");
        let board = Board {
            appid: self.appid.clone(),
            uid: uid.clone(),
            name: "General".into(),
            create_time: shared::clock::now_ms(),
        };
        self.store().create_board(&board).await.unwrap();
        uid
    }

    /// A post made by the operator (no author), as `admin nobase post add` makes it.
    pub async fn add_operator_post(&self, board: &str, status: PostStatus) -> String {
        let id = shared::ids::new_id();
        let post = Post {
            appid: self.appid.clone(),
            id: id.clone(),
            uid: board.to_owned(),
            title: "Welcome".into(),
            content: "First post".into(),
            author_id: String::new(),
            author: String::new(),
            status,
            like_count: 0,
            create_time: shared::clock::now_ms(),
        };
        self.store().add_post(&post).await.unwrap();
        id
    }

    /// `appid` and `signature`, plus `rest`.
    pub fn params(&self, rest: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
        let mut p = vec![("appid", self.appid.clone())];
        p.extend(rest.iter().cloned());
        p.push(("signature", self.signature.clone()));
        p
    }

    /// The seed's parameters for liking (1) or cancelling (2) the world's post as `member`.
    pub fn like_params(&self, member: &Member, like: &str) -> Vec<(&'static str, String)> {
        self.like_params_for(&self.post, member, like)
    }

    pub fn like_params_for(&self, post: &str, member: &Member, like: &str) -> Vec<(&'static str, String)> {
        let mut p = self.params(&[
            ("uid", self.board.clone()),
            ("id", post.to_owned()),
            ("like", like.to_owned()),
        ]);
        p.extend(member.identity());
        p
    }

    /// Registers `account` (through the API) and, in token mode, logs in.
    pub async fn member_named(&self, app: &TestApp, account: &str) -> Member {
        let pass = format!("pw-{account}");
        let env = post_form(
            app,
            REGISTER,
            &self.params(&[("user", account.to_owned()), ("pass", pass.clone())]),
        )
        .await;
        assert_eq!(env, ok(json!("注册成功")), "register {account}");
        self.login(app, account, &pass).await
    }

    /// `account` signed in (again): a new token in token mode.
    pub async fn login(&self, app: &TestApp, account: &str, pass: &str) -> Member {
        let env = post_form(
            app,
            LOGIN,
            &self.params(&[("user", account.to_owned()), ("pass", pass.to_owned())]),
        )
        .await;
        assert_eq!(env["code"], 200, "login {account}: {env}");
        Member {
            account: account.to_owned(),
            pass: pass.to_owned(),
            token: env["data"]["token"].as_str().map(str::to_owned),
            user_id: env["data"]["userId"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn member(&self, app: &TestApp) -> Member {
        self.member_named(app, &unique("u")).await
    }

    /// `n` users created through the store (sharing one password hash, to spare argon2 time),
    /// with their tokens in token mode.
    pub async fn members_direct(&self, n: usize) -> Vec<Member> {
        let pass = "shared-pass".to_owned();
        let hash = shared::auth::password::hash(&pass).await.unwrap();
        let app_config = self.app_config().await;
        let mut members = Vec::new();
        for _ in 0..n {
            let user = User {
                appid: self.appid.clone(),
                user_id: shared::ids::new_id(),
                account: unique("u"),
                status: UserStatus::Normal,
                create_time: shared::clock::now_ms(),
            };
            self.store().register(&user, hash.clone()).await.unwrap();
            let token = self
                .token_mode
                .then(|| gate::issue_token(&self.state, &app_config, &user).unwrap().token);
            members.push(Member {
                account: user.account,
                pass: pass.clone(),
                token,
                user_id: user.user_id,
            });
        }
        members
    }

    pub async fn app_config(&self) -> App {
        self.store().app(&self.appid).await.unwrap().unwrap()
    }

    /// The stored user behind `member`.
    pub async fn user(&self, member: &Member) -> User {
        self.store()
            .user(&self.appid, &member.account)
            .await
            .unwrap()
            .unwrap()
            .0
    }

    /// The post's stored `likeCount` and the number of like items actually stored under it.
    pub async fn likes(&self, app: &TestApp, post: &str) -> (i64, usize) {
        let item = app.item(&keys::post(&self.appid, post)).await.expect("post item");
        let count = item
            .get(keys::attr::LIKE_COUNT)
            .and_then(|v| v.as_n().ok())
            .map_or(0, |n| n.parse().unwrap());
        let partition = keys::post_partition(&self.appid, post);
        (count, app.count_items(&partition, keys::LIKE_PREFIX).await)
    }
}
