//! `POST /api/user/register` and `POST /api/user/login`.

use crate::NobaseState;
use crate::limits;
use crate::{Account, Endpoint, Identity, Password, User, UserStatus, gate, wire};
use serde_json::{Value, json};
use shared::auth::password;
use shared::lambda::{Body, Request, Response};
use shared::throttle;
use shared::{AppState, clock, ids};

pub const REGISTER: Endpoint = Endpoint {
    required: &["appid", "user", "pass", "signature"],
    identity: Identity::App,
    creates: true,
};

/// Creates a user of the app: the account within the app's length range and of
/// `[A-Za-z0-9_.@-]`, a password of 6–128 characters (stored as an argon2id hash only).
/// `data` is `注册成功`.
#[tracing::instrument(skip(state, req))]
pub async fn register(state: &AppState, req: Request) -> Response<Body> {
    let source = throttle::source(&req);
    wire::serve(
        state,
        req,
        &REGISTER,
        |p| {
            Ok((
                p.required("user").to_owned(),
                p.raw("pass").unwrap_or_default().to_owned(),
            ))
        },
        |session, (user, pass)| async move {
            let account = Account::parse(&user, session.app.accounts)?;
            let pass = Password::parse(&pass)?;
            state.throttle(limits::REGISTER_SOURCE, &source).await?;
            let hash = password::hash(pass.expose()).await?;
            let user = User {
                appid: session.app.appid.clone(),
                user_id: ids::new_id(),
                account: account.as_str().to_owned(),
                status: UserStatus::Normal,
                create_time: clock::now_ms(),
            };
            state.nobase().register(&user, hash).await?;
            Ok("注册成功")
        },
    )
    .await
}

pub const LOGIN: Endpoint = Endpoint {
    required: &["appid", "user", "pass", "signature"],
    identity: Identity::Credentials,
    creates: false,
};

/// Checks `user` + `pass`. `data` is `{userId, account}`, and in token mode also `token` and
/// `expires` (epoch seconds): the token the app's other endpoints then want.
#[tracing::instrument(skip(state, req))]
pub async fn login(state: &AppState, req: Request) -> Response<Body> {
    wire::serve(
        state,
        req,
        &LOGIN,
        |_| Ok(()),
        |session, ()| async move {
            let user = session.user();
            let mut data = json!({ "userId": user.user_id, "account": user.account });
            if session.app.token_mode {
                let issued = gate::issue_token(state, &session.app, user)?;
                data["token"] = Value::String(issued.token);
                data["expires"] = json!(issued.expires_at);
            }
            Ok::<_, crate::NobaseError>(data)
        },
    )
    .await
}
