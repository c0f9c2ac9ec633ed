//! Friends (#8–#13): request, contacts, remove, received requests, agree, refuse. `userId` is
//! always the caller; `friendId` the other user (for agree and refuse, the one who asked).

use crate::Friend;
use crate::fields::Fields;
use crate::wire::{self, Failure, Params, Reply, Route, id_param, must_be_caller};
use shared::lambda::{Body, Request, Response};
use shared::{AppError, AppState, auth::Caller, clock};

use crate::view::{FriendView, UserBrief, UserSigned};
use crate::{WeifState, chat};

/// `userId` (the caller) and `friendId`, checked together.
fn pair(caller: &Caller, p: &Params) -> Result<String, AppError> {
    let (me, friend) = (id_param(p, "userId"), id_param(p, "friendId")).all()?;
    must_be_caller(caller, &me)?;
    Ok(friend)
}

/// `userId` alone (the caller).
fn me(caller: &Caller, p: &Params) -> Result<String, AppError> {
    let (me,) = (id_param(p, "userId"),).all()?;
    must_be_caller(caller, &me)?;
    Ok(me)
}

const ADD: Route = Route::body(Failure::Msg("申请失败,请重试"));

/// `POST {userId, friendId}` → `申请中`. Not to oneself, not twice, not to a friend.
#[tracing::instrument(skip(state, req))]
pub async fn add(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, ADD, move |caller, p| async move {
        let friend = pair(&caller, &p)?;
        state
            .weifchat()
            .request_friend(caller.user_id(), &friend, clock::now_ms())
            .await?;
        chat::notify_requests(state, &friend).await;
        Ok(Reply::msg("申请中"))
    })
    .await
}

/// The relations with the other users populated (a friend from the edge's copy).
async fn populated<P>(
    state: &AppState,
    edges: Vec<Friend>,
    populate: impl Fn(&crate::User) -> P,
) -> Result<Vec<FriendView<P>>, AppError> {
    let users = state.weifchat().peers_of(&edges).await?;
    Ok(edges.iter().map(|f| FriendView::of(f, &users, &populate)).collect())
}

const CONTACTS: Route = Route::query(Failure::Msg("请求失败"));

/// `GET ?userId=` → the caller's friends (state 1), oldest friendship first, each with
/// `friendId` populated as `{_id, nick, imgUrl, sign}`.
#[tracing::instrument(skip(state, req))]
pub async fn contacts(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, CONTACTS, move |caller, p| async move {
        let me = me(&caller, &p)?;
        let friends = state.weifchat().friends(&me).await?;
        Reply::data(populated(state, friends, UserSigned::of).await?)
    })
    .await
}

const DELETE: Route = Route::query(Failure::Msg("删除失败"));

/// `GET ?userId=&friendId=` → `删除成功`: the relation goes on both sides.
#[tracing::instrument(skip(state, req))]
pub async fn delete(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, DELETE, move |caller, p| async move {
        let friend = pair(&caller, &p)?;
        state.weifchat().remove_friend(caller.user_id(), &friend).await?;
        Ok(Reply::msg("删除成功"))
    })
    .await
}

const REQUESTS: Route = Route::query(Failure::Msg("服务器错误"));

/// `GET ?userId=` → the requests the caller has received and not answered (state 0), each
/// with the requester as `friendId {_id, nick, imgUrl}`.
#[tracing::instrument(skip(state, req))]
pub async fn requests(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, REQUESTS, move |caller, p| async move {
        let me = me(&caller, &p)?;
        let requests = state.weifchat().friend_requests(&me).await?;
        Reply::data(populated(state, requests, UserBrief::of).await?)
    })
    .await
}

const AGREE: Route = Route::body(Failure::Msg("添加失败"));

/// `POST {userId, friendId}` → `添加成功`: the caller accepts `friendId`'s request.
#[tracing::instrument(skip(state, req))]
pub async fn agree(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, AGREE, move |caller, p| async move {
        let friend = pair(&caller, &p)?;
        state
            .weifchat()
            .agree_friend(caller.user_id(), &friend, clock::now_ms())
            .await?;
        chat::notify_agreed(state, &friend).await;
        Ok(Reply::msg("添加成功"))
    })
    .await
}

const REFUSE: Route = Route::body(Failure::Msg("服务器错误"));

/// `POST {userId, friendId}` → `已拒绝`: the caller refuses `friendId`'s request.
#[tracing::instrument(skip(state, req))]
pub async fn refuse(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, REFUSE, move |caller, p| async move {
        let friend = pair(&caller, &p)?;
        state.weifchat().refuse_friend(caller.user_id(), &friend).await?;
        Ok(Reply::msg("已拒绝"))
    })
    .await
}
