//! Accounts, ThinkSNS style: `POST /api/v2/users` (register), `POST /api/v2/auth/login`, and
//! `GET /api/v2/user` (the signed-in user). Register and login answer
//! `{access_token, token_type, expires_in}`.

use crate::wire::{self, Reply};
use crate::{Password, view};
use serde_json::{Value, json};
use shared::auth::password;
use shared::lambda::{Body, Request, Response};
use shared::{AppError, AppState};

use crate::InfoState;
use crate::checked;

fn token(state: &AppState, user_id: u64) -> Result<Value, AppError> {
    Ok(json!({
        "access_token": state.tokens.issue(&user_id.to_string(), crate::AUDIENCE)?,
        "token_type": "bearer",
        "expires_in": state.config.token_ttl_secs,
    }))
}

/// `{name, password}` → 201 with a token. Names are unique, case-insensitively.
pub async fn register(state: &AppState, req: Request) -> Response<Body> {
    wire::public(state, req, move |input| async move {
        let mut v = input.validator();
        let name = crate::user_name(&mut v, "name");
        let password = Password::parse(&mut v, "password");
        v.finish()?;
        let (name, password) = (checked(name)?, checked(password)?);
        let hash = password::hash(password.expose()).await?;
        let user = state.info().register(&name, hash).await?;
        Reply::created(token(state, user.id)?)
    })
    .await
}

/// `{login, password}` → 200 with a token; 422 for a wrong name or password alike.
pub async fn login(state: &AppState, req: Request) -> Response<Body> {
    wire::public(state, req, move |input| async move {
        let mut v = input.validator();
        v.required("login");
        v.required("password");
        let login = v.string("login");
        let given = v.string("password");
        v.finish()?;
        let (login, given) = (checked(login)?, checked(given)?);
        let account = state.info().account(login).await?;
        // An unknown name still spends one verification, so timing doesn't tell names apart.
        let matches = password::verify(given, account.as_ref().map(|a| a.password_hash.as_str())).await?;
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
pub async fn me(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, move |caller, _| async move {
        let user = crate::signed_in(state, &caller).await?;
        Reply::ok(view::me(&user))
    })
    .await
}
