//! A user's home (#3), the message tab's header (#4), profile update (#6) and search (#7).

use crate::UserChanges;
use crate::fields::Fields;
use crate::model::{self, Sex};
use crate::wire::{self, Failure, Reply, Route, id_param, must_be_caller};
use serde_json::json;
use shared::lambda::{Body, Request, Response};
use shared::{AppError, AppState, clock};

use crate::WeifState;
use crate::view::{GroupBrief, Profile, UserBrief, UserSigned};

fn not_found() -> AppError {
    AppError::not_found("该用户不存在")
}

const HOME: Route = Route::query(Failure::Msg("加载失败"));

/// `GET ?_id=<caller>&urlId=<user>` → `data {user, friendState}` (0 requested, 1 friends,
/// 2 strangers, 3 oneself, 4 invited by them). The phone shows on one's own home only.
#[tracing::instrument(skip(state, req))]
pub async fn home(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, HOME, move |caller, p| async move {
        let (me, url_id) = (id_param(&p, "_id"), id_param(&p, "urlId")).all()?;
        must_be_caller(&caller, &me)?;
        let store = state.weifchat();
        let (user, friend_state) = tokio::join!(store.user(&url_id), store.friend_state(&me, &url_id));
        let user = user?.ok_or_else(not_found)?;
        Reply::data(json!({
            "user": Profile::of(&user, user.id == me),
            "friendState": friend_state?.code(),
        }))
    })
    .await
}

const TAB_INFO: Route = Route::query(Failure::Data("服务器错误"));

/// `GET ?_id=<caller>` → `data {_id, nick, imgUrl}`.
#[tracing::instrument(skip(state, req))]
pub async fn tabbar_info(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, TAB_INFO, move |caller, p| async move {
        let (me,) = (id_param(&p, "_id"),).all()?;
        must_be_caller(&caller, &me)?;
        let user = state.weifchat().user(&me).await?.ok_or_else(not_found)?;
        Reply::data(UserBrief::of(&user))
    })
    .await
}

const UPDATE: Route = Route::body(Failure::Msg("保存失败"));

/// `POST {_id, nick, sex, birthday?, sign?, imgUrl?}` → `保存成功` with `start`, the star sign
/// of the birthday now saved. Absent optional fields stay as they are; an empty `birthday` or
/// `sign` clears it.
#[tracing::instrument(skip(state, req))]
pub async fn update(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, UPDATE, move |caller, p| async move {
        let (me, nick, sex, birthday, sign, img_url) = (
            id_param(&p, "_id"),
            model::nick(p.text("nick")),
            Sex::parse(p.text("sex")),
            p.get("birthday")
                .map(|b| model::birthday(b, clock::now_ms()))
                .transpose(),
            p.get("sign").map(model::sign).transpose(),
            model::image_url(p.text("imgUrl"), "imgUrl"),
        )
            .all()?;
        must_be_caller(&caller, &me)?;
        let changes = UserChanges {
            nick,
            sex: sex.as_str().into(),
            birthday,
            sign,
            img_url,
        };
        let user = state.weifchat().update_user(&me, changes).await?;
        Reply::msg("保存成功").with("start", model::star_sign(&user.birthday))
    })
    .await
}

const SEARCH: Route = Route::query(Failure::Msg("服务器错误")).result_flag();

/// The longest keyword worth looking up.
const MAX_KEYWORD_CHARS: usize = 64;

/// `GET ?keyword=` → `data {friendList, groupList}`: users by exact phone or WaiFCode or
/// nickname prefix, groups by exact group number or name prefix (at most 20 prefix matches
/// each). An empty keyword and no match are the seed's two 400 rows.
#[tracing::instrument(skip(state, req))]
pub async fn search(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, SEARCH, move |_caller, p| async move {
        let keyword = p.text("keyword").trim();
        if keyword.is_empty() {
            return Reply::msg("关键字为空, 暂无数据")
                .with_data(json!([]))?
                .with("result", false)
                .map(|r| r.status(wire::status::REFUSED));
        }
        // Nothing searchable is longer (names ≤ 32 characters, WaiFCodes 19, phones 15).
        if keyword.chars().count() > MAX_KEYWORD_CHARS {
            return Err(AppError::not_found("暂无数据"));
        }
        let hits = state.weifchat().search(keyword).await?;
        if hits.users.is_empty() && hits.groups.is_empty() {
            return Err(AppError::not_found("暂无数据"));
        }
        let friends: Vec<UserSigned> = hits.users.iter().map(UserSigned::of).collect();
        let groups: Vec<GroupBrief> = hits.groups.iter().map(GroupBrief::of).collect();
        Reply::data(json!({ "friendList": friends, "groupList": groups }))
    })
    .await
}
