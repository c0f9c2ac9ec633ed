//! `POST /register` (#1) and `POST /login` (#2): the two routes without a token. Both answer
//! the profile with a token and its star sign (`start`).

use crate::fields::Fields;
use crate::limits;
use crate::model::{self, Password};
use crate::wire::{self, Failure, Reply, Route};
use crate::{Registration, User};
use shared::auth::password;
use shared::lambda::{Body, Request, Response};
use shared::throttle;
use shared::{AppError, AppState, clock, ids};

use crate::WeifState;
use crate::view::SignedIn;

/// A new user's avatar and signature, as the seed's samples show them.
pub const DEFAULT_AVATAR: &str = "/user_pic1.jpeg";
pub const DEFAULT_SIGN: &str = "这个人很高冷, 暂时没有留下什么";

const REGISTER: Route = Route::body(Failure::Msg("注册失败")).creates();

/// `{phone, password, nick}` → `注册成功` with the profile and a token.
#[tracing::instrument(skip(state, req))]
pub async fn register(state: &AppState, req: Request) -> Response<Body> {
    let source = throttle::source(&req);
    wire::public(state, req, REGISTER, move |p| async move {
        let (phone, password, nick) = (
            model::phone(p.text("phone")),
            Password::new(p.text("password")),
            model::nick(p.text("nick")),
        )
            .all()?;
        state.throttle(limits::REGISTER_SOURCE, &source).await?;
        let password_hash = password::hash(password.expose()).await?;
        let user = User {
            id: ids::new_id(),
            phone,
            nick,
            img_url: DEFAULT_AVATAR.into(),
            sex: model::Sex::Unknown.as_str().into(),
            birthday: String::new(),
            sign: DEFAULT_SIGN.into(),
            waif_code: String::new(),
            created_at: clock::now_ms(),
        };
        let user = state.weifchat().register(Registration { user, password_hash }).await?;
        signed_in(state, &user, "注册成功")
    })
    .await
}

const LOGIN: Route = Route::body(Failure::Msg("登录失败"));

/// `{phone, password}` → `登录成功` with the profile and a token; an unknown phone is
/// `400 该用户不存在`, a wrong password `401 密码错误` (the seed's rows).
#[tracing::instrument(skip(state, req))]
pub async fn login(state: &AppState, req: Request) -> Response<Body> {
    let source = throttle::source(&req);
    wire::public(state, req, LOGIN, move |p| async move {
        let (phone, password) = (model::phone(p.text("phone")), Password::given(p.text("password"))).all()?;
        state.throttle(limits::LOGIN_SOURCE, &source).await?;
        state
            .throttle(limits::LOGIN_ACCOUNT, &throttle::account(&phone))
            .await?;
        let store = state.weifchat();
        let Some((user_id, hash)) = store.credentials(&phone).await? else {
            return Err(AppError::not_found("该用户不存在"));
        };
        if !password::verify(password.expose(), Some(&hash)).await? {
            return Err(AppError::BadCredentials("密码错误".into()));
        }
        let user = store
            .user(&user_id)
            .await?
            .ok_or_else(|| AppError::internal(format!("account {phone} has no user {user_id}")))?;
        signed_in(state, &user, "登录成功")
    })
    .await
}

fn signed_in(state: &AppState, user: &User, msg: &'static str) -> Result<Reply, AppError> {
    let token = state.tokens.issue(&user.id, crate::AUDIENCE)?;
    Reply::msg(msg).with_data(SignedIn::of(user, token))
}
