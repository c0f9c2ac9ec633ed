//! `POST /chatx/account/register` and `POST /chatx/account/login`: the two routes that need
//! only `operationID`. Both answer `data {userID, token}`.

use crate::ChatxState;
use crate::limits;
use crate::wire;
use crate::{Account, Nickname, Password, Profile, Url};
use serde::Deserialize;
use serde_json::{Value, json};
use shared::auth::password;
use shared::lambda::{Body, Request, Response};
use shared::throttle;
use shared::{AppError, AppState, clock, ids};

#[derive(Deserialize, Default)]
#[serde(default)]
struct RegisterBody {
    account: String,
    password: String,
    nickname: String,
    #[serde(rename = "faceURL")]
    face_url: String,
}

#[tracing::instrument(skip(state, req))]
pub async fn register(state: &AppState, req: Request) -> Response<Body> {
    let source = throttle::source(&req);
    wire::public_create(state, req, move |body: RegisterBody| async move {
        state.throttle(limits::REGISTER_SOURCE, &source).await?;
        let account = Account::parse(&body.account)?;
        let password = Password::parse(body.password)?;
        let nickname = Nickname::parse(&body.nickname)?.into_inner();
        let face_url = Url::parse_optional(&body.face_url, "faceURL")?;
        let hash = password::hash(password.expose()).await?;
        let profile = Profile {
            user_id: ids::new_id(),
            nickname,
            face_url,
            create_time: clock::now_ms(),
        };
        state.chatx().register(&account, hash, &profile).await?;
        signed_in(state, &profile.user_id)
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginBody {
    account: String,
    password: String,
}

#[tracing::instrument(skip(state, req))]
pub async fn login(state: &AppState, req: Request) -> Response<Body> {
    let source = throttle::source(&req);
    wire::public(state, req, move |body: LoginBody| async move {
        let account = Account::parse(&body.account)?;
        if body.password.is_empty() {
            return Err(AppError::bad_request("password is required"));
        }
        state.throttle(limits::LOGIN_SOURCE, &source).await?;
        state
            .throttle(limits::LOGIN_ACCOUNT, &throttle::account(&body.account))
            .await?;
        let credentials = state.chatx().credentials(&account).await?;
        let matches = password::verify(&body.password, credentials.as_ref().map(|(_, hash)| hash.as_str())).await?;
        match credentials {
            Some((user_id, _)) if matches => signed_in(state, &user_id),
            _ => Err(AppError::BadCredentials("account or password is incorrect".into())),
        }
    })
    .await
}

fn signed_in(state: &AppState, user_id: &str) -> Result<Value, AppError> {
    let token = state.tokens.issue(user_id, crate::AUDIENCE)?;
    Ok(json!({ "userID": user_id, "token": token }))
}
