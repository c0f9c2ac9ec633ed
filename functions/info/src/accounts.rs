//! Accounts, ThinkSNS style: `POST /api/v2/users` (register), `POST /api/v2/auth/login`, and
//! `GET /api/v2/user` (the signed-in user). Register and login answer
//! `{access_token, token_type, expires_in}`.

use crate::limits;
use crate::request::{Login, Registration};
use crate::view;
use crate::wire::{self, Reply};
use serde_json::{Value, json};
use shared::auth::password;
use shared::lambda::{Body, Request, Response};
use shared::throttle;
use shared::{AppError, AppState};

use crate::InfoState;

fn token(state: &AppState, user_id: u64) -> Result<Value, AppError> {
    Ok(json!({
        "access_token": state.tokens.issue(&user_id.to_string(), crate::AUDIENCE)?,
        "token_type": "bearer",
        "expires_in": state.config.token_ttl_secs,
    }))
}

/// `{name, password}` → 201 with a token. Names are unique, case-insensitively.
#[tracing::instrument(skip(state, req))]
pub async fn register(state: &AppState, req: Request) -> Response<Body> {
    let source = throttle::source(&req);
    wire::public_create(state, req, move |input| async move {
        let Registration { name, password } = input.parse()?;
        state.throttle(limits::REGISTER_SOURCE, &source).await?;
        let hash = password::hash(password.expose()).await?;
        let user = state.info().register(&name, hash).await?;
        Reply::created(token(state, user.id)?)
    })
    .await
}

/// `{login, password}` → 200 with a token; 422 for a wrong name or password alike.
#[tracing::instrument(skip(state, req))]
pub async fn login(state: &AppState, req: Request) -> Response<Body> {
    let source = throttle::source(&req);
    wire::public(state, req, move |input| async move {
        let Login { login, password } = input.parse()?;
        state.throttle(limits::LOGIN_SOURCE, &source).await?;
        state
            .throttle(limits::LOGIN_ACCOUNT, &throttle::account(&login))
            .await?;
        let account = state.info().account(&login).await?;
        // An unknown name still spends one verification, so timing doesn't tell names apart.
        let matches = password::verify(password.expose(), account.as_ref().map(|a| a.password_hash.as_str())).await?;
        match account {
            Some(a) if matches => Reply::ok(token(state, a.user_id)?),
            _ => Err(AppError::BadCredentials(
                "These credentials do not match our records.".into(),
            )),
        }
    })
    .await
}

/// The signed-in user, with their abilities and points.
#[tracing::instrument(skip(state, req))]
pub async fn me(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |caller, _| async move {
        let user = crate::signed_in(state, &caller).await?;
        Reply::ok(view::me(&user))
    })
    .await
}
