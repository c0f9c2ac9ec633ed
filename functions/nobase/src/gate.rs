//! The checks every nobase endpoint runs after its own parameter checks, in this order (the
//! first failing one answers; none of them writes anything):
//!
//! 1. the app: `appid` names an app (407 `应用配置不存在!`) whose stored configuration is usable
//!    (400 `应用配置错误!`);
//! 2. the `signature` is the app's (402 `签名校验失败!`), compared digest to digest in constant
//!    time;
//! 3. the app is in service: not disabled (404 `应用已停用!`), not under review (404 `应用审核中!`);
//! 4. its developer exists (404 `开发者账号不存在!`), is normal (404 `开发者账号状态异常!`) and
//!    has paid (404 `开发者账号已逾期(N天),请缴费后重试!`);
//! 5. the user, for endpoints that act as one:
//!    - token mode: a `token` (204 `接口参数错误:令牌启用需传token!`) that verifies and was issued
//!      for this app, its developer and an existing user (401 `token无效或已过期(非当前应用/开发者)!`);
//!    - user+pass mode (and login): `user` (204 `…缺少user`), `pass` (204 `…缺少pass`), an account
//!      length within the app's range (204 `用户账号长度需为m-n个字符!`), an existing account with
//!      that password (404 `用户账号密码错误!`);
//!    - then the user's status is normal (404 `用户账号状态异常!`).
//!
//! Cost: 1 BatchGetItem (the app, its developer and the user together) with a token that verifies
//! for a token-mode app; otherwise 1 GetItem (the app) + 1 BatchGetItem (the developer and the
//! user together).

use serde::{Deserialize, Serialize};

use super::model::{
    Account, AccountRange, App, AppStatus, Date, Developer, DeveloperStatus, User, UserStatus, signature,
};
use super::refusal::{NobaseError, Refusal};
use crate::AppState;
use crate::NobaseState;
use crate::Params;
use crate::limits;
use shared::auth::password;
use shared::auth::token::Issued;
use shared::error::AppError;
use shared::throttle;

/// Who an endpoint acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// Nobody: the app alone (register).
    App,
    /// A user, by `user` + `pass` whatever the app's mode (login).
    Credentials,
    /// A user, the app's way: `token` in token mode, else `user` + `pass`.
    User,
}

/// What the checks established: the app, its developer, and the user when the endpoint acts as one.
#[derive(Debug)]
pub struct Session {
    pub app: App,
    pub developer: Developer,
    user: Option<User>,
}

impl Session {
    /// The user the request acts as (endpoints with [`Identity::Credentials`] or [`Identity::User`]).
    pub fn user(&self) -> &User {
        self.user.as_ref().expect("an endpoint with an identity has a user")
    }
}

/// What a nobase token binds beside its user (`sub`): the app, the app's developer, and the
/// account (which locates the user without another lookup).
#[derive(Debug, Serialize, Deserialize)]
struct Bound {
    app: String,
    dev: String,
    acct: String,
}

impl Bound {
    fn of(app: &App, user: &User) -> Self {
        Self {
            app: app.appid.clone(),
            dev: app.developer_id.clone(),
            acct: user.account.clone(),
        }
    }
}

/// A token for `user` of `app` (token mode's login).
pub fn issue_token(state: &AppState, app: &App, user: &User) -> Result<Issued, AppError> {
    state
        .tokens
        .issue_with(&user.user_id, crate::AUDIENCE, &Bound::of(app, user))
}

/// A token for `user` of `app` that expired `ago_secs` seconds ago: for tests of expiry.
#[doc(hidden)]
pub fn issue_expired_token(state: &AppState, app: &App, user: &User, ago_secs: i64) -> Result<String, AppError> {
    state
        .tokens
        .issue_expired_with(&user.user_id, crate::AUDIENCE, &Bound::of(app, user), ago_secs)
}

/// Who the request claims to be, as far as can be told without reading.
enum Claim {
    Nobody,
    /// Token mode: the token's user ID and account, or why the token is refused.
    Token(Result<(String, String), Refusal>),
    /// user+pass: the account (`None` when it can't exist), or why the parameters are refused.
    Credentials(Result<Option<String>, Refusal>),
}

impl Claim {
    fn account(&self) -> Option<&str> {
        match self {
            Claim::Token(Ok((_, account))) | Claim::Credentials(Ok(Some(account))) => Some(account),
            _ => None,
        }
    }
}

fn claim(state: &AppState, params: &Params, identity: Identity, app: &App) -> Claim {
    match identity {
        Identity::App => Claim::Nobody,
        Identity::User if app.token_mode => Claim::Token(token_claim(state, params, app)),
        Identity::User | Identity::Credentials => Claim::Credentials(credentials_claim(params, app)),
    }
}

fn token_claim(state: &AppState, params: &Params, app: &App) -> Result<(String, String), Refusal> {
    let token = params.get("token").ok_or(Refusal::TokenRequired)?;
    let (caller, bound) = state
        .tokens
        .verify_with::<Bound>(token, crate::AUDIENCE)
        .map_err(|_| Refusal::TokenInvalid)?;
    let account_ok = Account::parse(&bound.acct, AccountRange::WIDEST).is_ok_and(|a| a.as_str() == bound.acct);
    if bound.app != app.appid || bound.dev != app.developer_id || !account_ok {
        return Err(Refusal::TokenInvalid);
    }
    Ok((caller.user_id().to_owned(), bound.acct))
}

fn credentials_claim(params: &Params, app: &App) -> Result<Option<String>, Refusal> {
    let user = params.get("user").ok_or(Refusal::Missing("user"))?;
    params.raw("pass").ok_or(Refusal::Missing("pass"))?;
    match Account::parse(user, app.accounts) {
        Ok(account) => Ok(Some(account.as_str().to_owned())),
        Err(Refusal::AccountChars) => Ok(None), // no account has these characters
        Err(other) => Err(other),
    }
}

/// Runs the checks (see the module's documentation) for `identity`. A password check counts
/// against the login rate limits of the request's `source` and of the account.
pub(super) async fn open(
    state: &AppState,
    params: &Params,
    identity: Identity,
    source: &str,
) -> Result<Session, NobaseError> {
    let store = state.nobase();
    let appid = params.get("appid").unwrap_or_default();
    // A token that verifies for this app names the app's developer and the user's account: the
    // three are read in one request. Whether the app is in token mode, and is still the token's
    // developer's, is only known once read; if not, the developer and user are read afterwards.
    let bound = match identity {
        Identity::User => params
            .get("token")
            .and_then(|token| state.tokens.verify_with::<Bound>(token, crate::AUDIENCE).ok())
            .map(|(_, bound)| bound)
            .filter(|bound| bound.app == appid),
        Identity::App | Identity::Credentials => None,
    };
    let (app, early) = match &bound {
        Some(bound) => {
            let read = store
                .gate_items(Some(appid), &bound.dev, Some((appid, &bound.acct)))
                .await?;
            (read.app, Some((read.developer, read.user)))
        }
        None => (store.app(appid).await?, None),
    };
    let app = app.ok_or(Refusal::AppMissing)?;
    if !signature::matches(params.get("signature").unwrap_or_default(), &app.signature_digest) {
        return Err(Refusal::SignatureMismatch.into());
    }
    match app.status {
        AppStatus::Normal => {}
        AppStatus::Disabled => return Err(Refusal::AppDisabled.into()),
        AppStatus::Review => return Err(Refusal::AppUnderReview.into()),
    }

    let claim = claim(state, params, identity, &app);
    let account = claim.account().map(|account| (appid, account));
    let (developer, stored) = match (early, &bound) {
        (Some(read), Some(bound)) if bound.dev == app.developer_id && account == Some((appid, &bound.acct)) => read,
        _ => store.developer_and_user(&app.developer_id, account).await?,
    };
    let developer = developer.ok_or(Refusal::DeveloperMissing)?;
    if developer.status != DeveloperStatus::Normal {
        return Err(Refusal::DeveloperAbnormal.into());
    }
    if let Some(days) = developer.vip_until.days_overdue(Date::today()) {
        return Err(Refusal::DeveloperOverdue { days }.into());
    }

    let user = match claim {
        Claim::Nobody => None,
        Claim::Token(claimed) => {
            let (user_id, _) = claimed?;
            let (user, _) = stored
                .filter(|(user, _)| user.user_id == user_id)
                .ok_or(Refusal::TokenInvalid)?;
            Some(user)
        }
        Claim::Credentials(claimed) => {
            let account = claimed?;
            state.throttle(limits::LOGIN_SOURCE, source).await?;
            if let Some(account) = account {
                let subject = throttle::account(&format!("{}:{account}", app.appid));
                state.throttle(limits::LOGIN_ACCOUNT, &subject).await?;
            }
            let pass = params.raw("pass").unwrap_or_default();
            let hash = stored.as_ref().map(|(_, hash)| hash.as_str());
            // Unknown accounts cost the same argon2 verification as known ones.
            if !password::verify(pass, hash).await? {
                return Err(Refusal::BadCredentials.into());
            }
            stored.map(|(user, _)| user)
        }
    };
    if let Some(user) = &user {
        if user.status != UserStatus::Normal {
            return Err(Refusal::UserAbnormal.into());
        }
        shared::wire::record_user(&user.user_id);
    }
    Ok(Session { app, developer, user })
}
