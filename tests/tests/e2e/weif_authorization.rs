//! weifChat authorization, one test per route: every route but register and login needs a
//! token; a parameter naming the caller must be the token's user; others' data can't be
//! acted on. Each refusal is checked to have changed nothing.

use e2e::serde_json::{Value, json};
use e2e::weif::WeifUser;
use e2e::{TestApp, spawn_app};
use local_gateway::{Template, template_path};
use weifchat::keys as k;

const NOT_YOU: &str = "身份不符, 无权操作";

fn refused(msg: &str) -> Value {
    json!({"status": 403, "msg": msg})
}

async fn friend_count(app: &TestApp, user: &WeifUser) -> usize {
    app.weif_edges(&user.id).await
}

#[tokio::test]
async fn every_route_but_register_and_login_needs_a_weifchat_token() {
    let app = spawn_app().await;
    let chatx_token = app.tokens.issue("u1", chatx::AUDIENCE).unwrap();
    let template = Template::load(template_path()).unwrap();
    let weif: Vec<_> = template
        .functions
        .iter()
        .filter(|f| {
            f.binary.starts_with("weif-")
                && !["weif-register", "weif-login", "weif-file-get"].contains(&f.binary.as_str())
        })
        .flat_map(|f| f.routes.iter())
        .collect();
    // 32 REST routes, the 8 upload routes (the files' GET is public: `<img src>`) and the 5
    // message routes (the seed's 4 and the socket's sync).
    assert_eq!(weif.len(), 45, "{weif:?}");
    for route in weif {
        let path = route.path.replace("{type}", "0");
        for headers in [vec![], vec![("authorization", format!("Bearer {chatx_token}"))]] {
            let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, env) = app.raw(&route.method, &path, &headers, "{}").await;
            assert_eq!(status, 200, "{route:?}");
            // The single-file upload rows name their status `res_code`.
            let status = if env.get("res_code").is_some() {
                &env["res_code"]
            } else {
                &env["status"]
            };
            assert_eq!(*status, 401, "{route:?}: {env}");
        }
    }
}

#[tokio::test]
async fn home_user_refuses_another_users_id() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let env = app
        .weif_get("/home/user", &a.token, &[("_id", &b.id), ("urlId", &b.id)])
        .await;
    assert_eq!(env, refused(NOT_YOU));
}

#[tokio::test]
async fn tabbar_userinfo_refuses_another_users_id() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let env = app
        .weif_get("/tabbar/message/userinfo", &a.token, &[("_id", &b.id)])
        .await;
    assert_eq!(env, refused(NOT_YOU));
}

#[tokio::test]
async fn update_user_refuses_another_users_profile() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let env = app
        .weif_post(
            "/update/user",
            &a.token,
            json!({"_id": b.id, "nick": "hacked", "sex": "男"}),
        )
        .await;
    assert_eq!(env, refused(NOT_YOU));
    let me = app
        .weif_get_ok("/tabbar/message/userinfo", &b.token, &[("_id", &b.id)])
        .await;
    assert_eq!(me["data"]["nick"], b.nick.as_str());
}

#[tokio::test]
async fn search_needs_a_token_and_answers_result_false_without() {
    let app = spawn_app().await;
    let env = app.weif_get("/search", "", &[("keyword", "x")]).await;
    assert_eq!(env, json!({"status": 401, "msg": "请先登录", "result": false}));
}

#[tokio::test]
async fn friend_add_refuses_asking_in_someone_elses_name() {
    let app = spawn_app().await;
    let (a, _, c) = app.weif_people().await;
    let d = app.weif_register().await;
    let env = app
        .weif_post("/friend/add", &c.token, json!({"userId": a.id, "friendId": d.id}))
        .await;
    assert_eq!(env, refused(NOT_YOU));
    assert_eq!(friend_count(&app, &d).await, 0);
}

#[tokio::test]
async fn contacts_friend_refuses_another_users_list() {
    let app = spawn_app().await;
    let (a, _, c) = app.weif_people().await;
    let env = app.weif_get("/contacts/friend", &c.token, &[("userId", &a.id)]).await;
    assert_eq!(env, refused(NOT_YOU));
}

#[tokio::test]
async fn del_friend_refuses_ending_someone_elses_friendship() {
    let app = spawn_app().await;
    let (a, b, c) = app.weif_people().await;
    let env = app
        .weif_get("/del/friend", &c.token, &[("userId", &a.id), ("friendId", &b.id)])
        .await;
    assert_eq!(env, refused(NOT_YOU));
    assert_eq!((friend_count(&app, &a).await, friend_count(&app, &b).await), (1, 1));
}

#[tokio::test]
async fn get_friend_noagree_refuses_another_users_requests() {
    let app = spawn_app().await;
    let (a, _, c) = app.weif_people().await;
    let env = app
        .weif_get("/get/friend/noagree", &c.token, &[("userId", &a.id)])
        .await;
    assert_eq!(env, refused(NOT_YOU));
}

#[tokio::test]
async fn friend_agree_refuses_answering_a_request_addressed_to_someone_else() {
    let app = spawn_app().await;
    let (a, _, c) = app.weif_people().await;
    let d = app.weif_register().await;
    app.weif_post_ok("/friend/add", &d.token, json!({"userId": d.id, "friendId": a.id}))
        .await;
    let env = app
        .weif_post("/friend/agree", &c.token, json!({"userId": a.id, "friendId": d.id}))
        .await;
    assert_eq!(env, refused(NOT_YOU));
    let pending = app
        .weif_get_ok("/get/friend/noagree", &a.token, &[("userId", &a.id)])
        .await;
    assert_eq!(pending["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn friend_refuse_refuses_answering_a_request_addressed_to_someone_else() {
    let app = spawn_app().await;
    let (a, _, c) = app.weif_people().await;
    let d = app.weif_register().await;
    app.weif_post_ok("/friend/add", &d.token, json!({"userId": d.id, "friendId": a.id}))
        .await;
    let env = app
        .weif_post("/friend/refuse", &c.token, json!({"userId": a.id, "friendId": d.id}))
        .await;
    assert_eq!(env, refused(NOT_YOU));
    assert_eq!(friend_count(&app, &d).await, 1);
}

#[tokio::test]
async fn create_group_refuses_creating_in_someone_elses_name() {
    let app = spawn_app().await;
    let (a, _, c) = app.weif_people().await;
    let env = app
        .weif_post(
            "/create/group",
            &c.token,
            json!({"userId": a.id, "groupName": "g", "sign": "s"}),
        )
        .await;
    assert_eq!(env, refused(NOT_YOU));
    let groups = app.weif_get_ok("/contacts/group", &a.token, &[("userId", &a.id)]).await;
    assert_eq!(groups["data"], json!([]));
}

/// `a` owns a group `b` is a member of; `c` is outside.
async fn group(app: &TestApp) -> (WeifUser, WeifUser, WeifUser, String) {
    let (a, b, c) = app.weif_people().await;
    let group = app.weif_group(&a, "authz").await;
    app.weif_join(&b, &a, &group).await;
    (a, b, c, group)
}

async fn member_count(app: &TestApp, group: &str) -> usize {
    app.count_items(&k::group_partition(group), k::MEMBER_PREFIX).await
}

#[tokio::test]
async fn home_group_refuses_another_users_id() {
    let app = spawn_app().await;
    let (a, _, c, group) = group(&app).await;
    let env = app
        .weif_get("/home/group", &c.token, &[("groupId", &group), ("userId", &a.id)])
        .await;
    assert_eq!(env, refused(NOT_YOU));
}

#[tokio::test]
async fn get_group_user_needs_a_token() {
    let app = spawn_app().await;
    let (_, _, c, group) = group(&app).await;
    let env = app.weif_get("/get/groupUser", "", &[("groupId", &group)]).await;
    assert_eq!(env, json!({"status": 401, "msg": "请先登录"}));
    // Any signed-in user may see who is in a group (its home shows them too).
    app.weif_get_ok("/get/groupUser", &c.token, &[("groupId", &group)])
        .await;
}

#[tokio::test]
async fn group_add_refuses_asking_in_someone_elses_name() {
    let app = spawn_app().await;
    let (_, _, c, group) = group(&app).await;
    let d = app.weif_register().await;
    let env = app
        .weif_post("/group/add", &c.token, json!({"groupId": group, "userId": d.id}))
        .await;
    assert_eq!(env, refused(NOT_YOU));
    assert_eq!(app.count_items(&k::group_partition(&group), k::JOIN_PREFIX).await, 0);
}

#[tokio::test]
async fn group_refuse_is_the_owners_alone() {
    let app = spawn_app().await;
    let (_, b, c, group) = group(&app).await;
    app.weif_post_ok("/group/add", &c.token, json!({"groupId": group, "userId": c.id}))
        .await;
    let env = app
        .weif_post("/group/refuse", &b.token, json!({"userId": c.id, "groupId": group}))
        .await;
    assert_eq!(env, refused("只有群主可以操作"));
    assert_eq!(app.count_items(&k::group_partition(&group), k::JOIN_PREFIX).await, 1);
}

#[tokio::test]
async fn contacts_group_refuses_another_users_list() {
    let app = spawn_app().await;
    let (a, _, c, _) = group(&app).await;
    let env = app.weif_get("/contacts/group", &c.token, &[("userId", &a.id)]).await;
    assert_eq!(env, refused(NOT_YOU));
}

#[tokio::test]
async fn get_update_group_refuses_anyone_but_the_owner() {
    let app = spawn_app().await;
    let (a, b, _, group) = group(&app).await;
    let env = app
        .weif_get(
            "/get/update/group",
            &b.token,
            &[("groupId", &group), ("groupLeaderId", &a.id)],
        )
        .await;
    assert_eq!(env, refused(NOT_YOU));
}

#[tokio::test]
async fn update_group_info_is_the_owners_alone() {
    let app = spawn_app().await;
    let (a, b, _, group) = group(&app).await;
    let env = app
        .weif_post(
            "/update/groupInfo",
            &b.token,
            json!({"_id": group, "groupName": "mine now", "sign": "s"}),
        )
        .await;
    assert_eq!(env, refused("只有群主可以修改群信息"));
    let home = app
        .weif_get_ok("/home/group", &a.token, &[("groupId", &group), ("userId", &a.id)])
        .await;
    assert_eq!(home["data"]["group"]["groupName"], "authz");
}

#[tokio::test]
async fn del_group_user_refuses_members_removing_others() {
    let app = spawn_app().await;
    let (a, b, c, group) = group(&app).await;
    app.weif_join(&c, &a, &group).await;
    let env = app
        .weif_get("/del/groupUser", &b.token, &[("userId", &c.id), ("groupId", &group)])
        .await;
    assert_eq!(env, refused("只有群主可以移除群成员"));
    assert_eq!(member_count(&app, &group).await, 3);
}

#[tokio::test]
async fn del_group_is_the_owners_alone() {
    let app = spawn_app().await;
    let (_, b, _, group) = group(&app).await;
    let env = app.weif_get("/del/group", &b.token, &[("groupId", &group)]).await;
    assert_eq!(env, refused("只有群主可以解散群聊"));
    assert_eq!(member_count(&app, &group).await, 2);
}

#[tokio::test]
async fn get_group_noagree_refuses_another_users_requests() {
    let app = spawn_app().await;
    let (a, _, c, _) = group(&app).await;
    let env = app.weif_get("/get/group/noagree", &c.token, &[("userId", &a.id)]).await;
    assert_eq!(env, refused(NOT_YOU));
}

#[tokio::test]
async fn group_agree_is_the_owners_alone() {
    let app = spawn_app().await;
    let (_, b, c, group) = group(&app).await;
    app.weif_post_ok("/group/add", &c.token, json!({"groupId": group, "userId": c.id}))
        .await;
    let env = app
        .weif_post("/group/agree", &c.token, json!({"userId": c.id, "groupId": group}))
        .await;
    assert_eq!(env, refused("只有群主可以操作"));
    let env = app
        .weif_post("/group/agree", &b.token, json!({"userId": c.id, "groupId": group}))
        .await;
    assert_eq!(env, refused("只有群主可以操作"));
    assert_eq!(member_count(&app, &group).await, 2);
}

#[tokio::test]
async fn space_add_refuses_publishing_in_someone_elses_name() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let env = app
        .weif_post("/space/add", &b.token, json!({"userId": a.id, "textDesc": "as a"}))
        .await;
    assert_eq!(env, refused(NOT_YOU));
    let details = app.weif_get_ok("/space/details", &a.token, &[("userId", &a.id)]).await;
    assert_eq!(details["data"]["spaces"], json!([]));
}

#[tokio::test]
async fn space_get_refuses_another_users_feed() {
    let app = spawn_app().await;
    let (a, _, c) = app.weif_people().await;
    let env = app.weif_get("/space/get", &c.token, &[("userId", &a.id)]).await;
    assert_eq!(env, refused(NOT_YOU));
}

#[tokio::test]
async fn space_del_refuses_deleting_someone_elses_moment() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let space = app.weif_space(&a, "a's").await;
    let env = app.weif_get("/space/del", &b.token, &[("_id", &space)]).await;
    assert_eq!(env, refused("只能删除自己的动态"));
    assert_eq!(app.count_items(&k::space_partition(&space), k::SPACE_SK).await, 1);
}

#[tokio::test]
async fn space_details_refuses_strangers() {
    let app = spawn_app().await;
    let (a, _, c) = app.weif_people().await;
    app.weif_space(&a, "friends only").await;
    let env = app.weif_get("/space/details", &c.token, &[("userId", &a.id)]).await;
    assert_eq!(env, refused("仅好友可以查看空间动态"));
}

#[tokio::test]
async fn space_like_refuses_liking_in_someone_elses_name() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let space = app.weif_space(&a, "like").await;
    let env = app
        .weif_post("/space/like", &a.token, json!({"spaceId": space, "userId": b.id}))
        .await;
    assert_eq!(env, refused(NOT_YOU));
    assert_eq!(app.count_items(&k::space_partition(&space), k::LIKE_PREFIX).await, 0);
}

#[tokio::test]
async fn space_comment_add_refuses_commenting_in_someone_elses_name() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let space = app.weif_space(&a, "comment").await;
    let env = app
        .weif_post(
            "/space/comment/add/0",
            &b.token,
            json!({"userId": a.id, "spaceId": space, "textarea": "as a"}),
        )
        .await;
    assert_eq!(env, refused(NOT_YOU));
    assert_eq!(app.count_items(&k::space_partition(&space), k::COMMENT_PREFIX).await, 0);
}

#[tokio::test]
async fn space_comment_del_refuses_someone_elses_comment_on_someone_elses_moment() {
    let app = spawn_app().await;
    let (a, b, c) = app.weif_people().await;
    app.weif_befriend(&c, &a).await;
    let space = app.weif_space(&a, "thread").await;
    app.weif_post_ok(
        "/space/comment/add/0",
        &b.token,
        json!({"userId": b.id, "spaceId": space, "textarea": "b's"}),
    )
    .await;
    let feed = app.weif_get_ok("/space/get", &a.token, &[("userId", &a.id)]).await;
    let comment = feed["data"][0]["commentList"][0]["_id"].as_str().unwrap().to_owned();
    let env = app
        .weif_get("/space/comment/del/0", &c.token, &[("_id", &comment)])
        .await;
    assert_eq!(env, refused("只能删除自己的评论或自己动态下的评论"));
    assert_eq!(app.count_items(&k::space_partition(&space), k::COMMENT_PREFIX).await, 1);
}

#[tokio::test]
async fn notes_add_refuses_writing_in_someone_elses_name() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let env = app
        .weif_post("/notes/add", &b.token, json!({"userId": a.id, "text": "as a"}))
        .await;
    assert_eq!(env, refused(NOT_YOU));
    assert_eq!(app.count_items(&k::user_partition(&a.id), k::NOTE_PREFIX).await, 0);
}

#[tokio::test]
async fn notes_get_lists_the_callers_notes_only() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    app.weif_post_ok("/notes/add", &a.token, json!({"userId": a.id, "text": "a's"}))
        .await;
    let env = app.weif_get_ok("/notes/get", &b.token, &[("userId", &a.id)]).await;
    assert_eq!(env["data"], json!([]), "a userId parameter is not whose notes");
}

#[tokio::test]
async fn notes_del_cannot_reach_someone_elses_note() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let env = app
        .weif_post_ok("/notes/add", &a.token, json!({"userId": a.id, "text": "a's"}))
        .await;
    let id = env["_id"].as_str().unwrap();
    let env = app.weif_get("/notes/del", &b.token, &[("_id", id)]).await;
    assert_eq!(env, json!({"status": 400, "msg": "便签不存在"}));
    assert_eq!(app.count_items(&k::user_partition(&a.id), k::NOTE_PREFIX).await, 1);
}
