//! Groups (#14, #16–#26): create, home, members, join request, refuse, the caller's groups,
//! the owner's edit page, edit, remove a member or leave, dissolve, the owner's pending
//! requests, agree. Acting on a group (answering requests, editing, removing others,
//! dissolving) is its owner's alone.

use crate::fields::Fields;
use crate::wire::{self, Failure, Reply, Route, id_param, must_be_caller};
use crate::{Group, Membership, model};
use serde_json::json;
use shared::lambda::{Body, Request, Response};
use shared::{AppError, AppState, clock, ids};

use crate::view::{GroupDoc, GroupInfo, JoinRequest, MemberView, MyGroup, UserBrief, UserMember};
use crate::{WeifState, chat};

/// A new group's picture, as the seed's samples show it.
pub const DEFAULT_GROUP_PICTURE: &str = "/group_pic.png";

fn no_group() -> AppError {
    AppError::not_found("该群不存在")
}

const CREATE: Route = Route::body(Failure::Msg("创建失败")).creates();

/// `POST {userId, groupName, sign, imgUrl?}` → `创建成功`: the caller owns the new group and is
/// its first member.
#[tracing::instrument(skip(state, req))]
pub async fn create(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, CREATE, move |caller, p| async move {
        let (me, name, sign, img_url) = (
            id_param(&p, "userId"),
            model::group_name(p.text("groupName")),
            model::group_sign(p.text("sign")),
            model::image_url(p.text("imgUrl"), "imgUrl"),
        )
            .all()?;
        must_be_caller(&caller, &me)?;
        let group = Group {
            id: ids::new_id(),
            owner_id: me,
            name,
            number: 0,
            sign,
            img_url: img_url.unwrap_or_else(|| DEFAULT_GROUP_PICTURE.into()),
            created_at: clock::now_ms(),
        };
        state.weifchat().create_group(group).await?;
        Ok(Reply::msg("创建成功"))
    })
    .await
}

const HOME: Route = Route::query(Failure::Data("服务器错误"));

/// `GET ?groupId=&userId=<caller>` → `data {group, groupUser, statis}` and, beside `data`,
/// the caller's `state` (0 requested, 1 member, 2 neither). `statis` counts the members who
/// are male, female and born 2000–2009.
#[tracing::instrument(skip(state, req))]
pub async fn home(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, HOME, move |caller, p| async move {
        let (group_id, me) = (id_param(&p, "groupId"), id_param(&p, "userId")).all()?;
        must_be_caller(&caller, &me)?;
        let store = state.weifchat();
        let home = store.group_home(&group_id, &me).await?.ok_or_else(no_group)?;
        let users = store.members_users(&home.members).await?;
        let member_users = home.members.iter().filter_map(|m| users.get(&m.user_id));
        let (mut male, mut female, mut born_00s) = (0, 0, 0);
        for u in member_users {
            male += usize::from(u.sex == model::Sex::Male.as_str());
            female += usize::from(u.sex == model::Sex::Female.as_str());
            born_00s += usize::from(model::born_in_00s(&u.birthday));
        }
        let members: Vec<_> = home
            .members
            .iter()
            .map(|m| MemberView::of(m, &users, UserMember::of))
            .collect();
        Reply::data(json!({
            "group": GroupDoc::of(&home.group),
            "groupUser": members,
            "statis": {"maleNum": male, "femaleNum": female, "is00sBornNum": born_00s},
        }))?
        .with("state", home.state.code())
    })
    .await
}

/// A group and its members with `{_id, nick, imgUrl}`, read at once.
async fn group_with_members(
    state: &AppState,
    group_id: &str,
) -> Result<(Group, Vec<Membership>, crate::view::Users), AppError> {
    let store = state.weifchat();
    let (group, members) = store.group_and_members(group_id).await?.ok_or_else(no_group)?;
    let users = store.members_users(&members).await?;
    Ok((group, members, users))
}

const MEMBERS: Route = Route::query(Failure::Msg("服务器错误"));

/// `GET ?groupId=` → `data {groupUser, groupCreateUserId}`, members oldest first.
#[tracing::instrument(skip(state, req))]
pub async fn members(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, MEMBERS, move |_caller, p| async move {
        let (group_id,) = (id_param(&p, "groupId"),).all()?;
        let (group, members, users) = group_with_members(state, &group_id).await?;
        let list: Vec<_> = members
            .iter()
            .map(|m| MemberView::of(m, &users, UserBrief::of))
            .collect();
        Reply::data(json!({ "groupUser": list, "groupCreateUserId": group.owner_id }))
    })
    .await
}

const JOIN: Route = Route::body(Failure::Msg("申请失败"));

/// `POST /group/add {groupId, userId}` → `已发送` (the seed lists this route as `/login`,
/// which is login's; see docs/decisions.md).
#[tracing::instrument(skip(state, req))]
pub async fn join(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, JOIN, move |caller, p| async move {
        let (group_id, me) = (id_param(&p, "groupId"), id_param(&p, "userId")).all()?;
        must_be_caller(&caller, &me)?;
        let owner = state.weifchat().request_join(&group_id, &me, clock::now_ms()).await?;
        chat::notify_requests(state, &owner).await;
        Ok(Reply::msg("已发送"))
    })
    .await
}

/// `userId` (the applicant or member acted on) and `groupId`.
fn member_and_group(p: &wire::Params) -> Result<(String, String), AppError> {
    (id_param(p, "userId"), id_param(p, "groupId")).all()
}

const REFUSE: Route = Route::body(Failure::Msg("服务器错误"));

/// `POST {userId, groupId}` → `已拒绝`: the owner refuses `userId`'s request (the seed lists
/// `phone`/`password` here; it takes what agree takes).
#[tracing::instrument(skip(state, req))]
pub async fn refuse(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, REFUSE, move |caller, p| async move {
        let (user_id, group_id) = member_and_group(&p)?;
        state
            .weifchat()
            .refuse_join(caller.user_id(), &group_id, &user_id)
            .await?;
        Ok(Reply::msg("已拒绝"))
    })
    .await
}

const AGREE: Route = Route::body(Failure::Msg("添加失败"));

/// `POST {userId, groupId}` → `添加成功`: the owner accepts `userId`'s request.
#[tracing::instrument(skip(state, req))]
pub async fn agree(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, AGREE, move |caller, p| async move {
        let (user_id, group_id) = member_and_group(&p)?;
        state
            .weifchat()
            .agree_join(caller.user_id(), &group_id, &user_id, clock::now_ms())
            .await?;
        chat::notify_agreed(state, &user_id).await;
        Ok(Reply::msg("添加成功"))
    })
    .await
}

const CONTACTS: Route = Route::query(Failure::Msg("请求失败"));

/// `GET ?userId=` → the caller's groups (memberships with `groupId` populated from their copies
/// of the group), oldest first.
#[tracing::instrument(skip(state, req))]
pub async fn contacts(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, CONTACTS, move |caller, p| async move {
        let (me,) = (id_param(&p, "userId"),).all()?;
        must_be_caller(&caller, &me)?;
        let store = state.weifchat();
        let memberships = store.user_groups(&me).await?;
        let groups = store.groups_of(&memberships).await?;
        let list: Vec<MyGroup> = memberships
            .iter()
            .filter_map(|m| groups.get(&m.group_id).map(|g| MyGroup::of(m, g)))
            .collect();
        Reply::data(list)
    })
    .await
}

const EDIT_INFO: Route = Route::query(Failure::Msg("服务器错误"));

/// `GET ?groupId=&groupLeaderId=<caller>` → `data {groupInfo, groupUserList}`: the owner's
/// view for editing, the members without the owner.
#[tracing::instrument(skip(state, req))]
pub async fn edit_info(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, EDIT_INFO, move |caller, p| async move {
        let (group_id, leader) = (id_param(&p, "groupId"), id_param(&p, "groupLeaderId")).all()?;
        must_be_caller(&caller, &leader)?;
        let (group, members, users) = group_with_members(state, &group_id).await?;
        if group.owner_id != leader {
            return Err(AppError::forbidden("只有群主可以修改群信息"));
        }
        let list: Vec<_> = members
            .iter()
            .filter(|m| m.user_id != group.owner_id)
            .map(|m| MemberView::of(m, &users, UserBrief::of))
            .collect();
        Reply::data(json!({ "groupInfo": GroupInfo::of(&group), "groupUserList": list }))
    })
    .await
}

const UPDATE: Route = Route::body(Failure::Msg("修改失败"));

/// `POST {_id: groupId, groupName, sign, imgUrl?}` → `修改成功` (owner only).
#[tracing::instrument(skip(state, req))]
pub async fn update(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, UPDATE, move |caller, p| async move {
        let (group_id, name, sign, img_url) = (
            id_param(&p, "_id"),
            model::group_name(p.text("groupName")),
            model::group_sign(p.text("sign")),
            model::image_url(p.text("imgUrl"), "imgUrl"),
        )
            .all()?;
        state
            .weifchat()
            .update_group(caller.user_id(), &group_id, name, sign, img_url)
            .await?;
        Ok(Reply::msg("修改成功"))
    })
    .await
}

const REMOVE_MEMBER: Route = Route::query(Failure::Msg("移除失败"));

/// `GET ?userId=&groupId=` → `已退出`: the caller leaves, or the owner removes `userId`.
#[tracing::instrument(skip(state, req))]
pub async fn remove_member(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, REMOVE_MEMBER, move |caller, p| async move {
        let (user_id, group_id) = member_and_group(&p)?;
        state
            .weifchat()
            .remove_member(caller.user_id(), &group_id, &user_id)
            .await?;
        Ok(Reply::msg("已退出"))
    })
    .await
}

const DISSOLVE: Route = Route::query(Failure::Msg("error"));

/// `GET ?groupId=` → `已解散`: the owner dissolves the group; memberships and requests go too.
#[tracing::instrument(skip(state, req))]
pub async fn dissolve(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, DISSOLVE, move |caller, p| async move {
        let (group_id,) = (id_param(&p, "groupId"),).all()?;
        state.weifchat().dissolve_group(caller.user_id(), &group_id).await?;
        Ok(Reply::msg("已解散"))
    })
    .await
}

const REQUESTS: Route = Route::query(Failure::Data("服务器错误"));

/// `GET ?userId=<caller>` → the unanswered requests to join the caller's groups, oldest
/// first, with `groupId` and `userId` populated.
#[tracing::instrument(skip(state, req))]
pub async fn requests(state: &AppState, req: Request) -> Response<Body> {
    wire::authed(state, req, REQUESTS, move |caller, p| async move {
        let (me,) = (id_param(&p, "userId"),).all()?;
        must_be_caller(&caller, &me)?;
        let store = state.weifchat();
        let requests = store.join_requests(&me).await?;
        let (groups, users) = tokio::join!(store.groups_of(&requests), store.members_users(&requests));
        let (groups, users) = (groups?, users?);
        let list: Vec<JoinRequest> = requests
            .iter()
            .filter_map(|r| groups.get(&r.group_id).map(|g| JoinRequest::of(r, g, &users)))
            .collect();
        Reply::data(list)
    })
    .await
}
