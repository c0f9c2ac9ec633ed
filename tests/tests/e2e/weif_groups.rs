//! weifChat groups (#14, #16–#26): create, home with statistics, members, join requests and
//! their answers, the caller's groups, editing, leaving and removing, dissolving.

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::serde_json::{Value, json};
use e2e::weif::{WeifUser, field, keys};
use e2e::{TestApp, spawn_app, spawn_app_with_upkeep, unique};
use weifchat::keys as k;

async fn home(app: &TestApp, user: &WeifUser, group: &str) -> Value {
    app.weif_get("/home/group", &user.token, &[("groupId", group), ("userId", &user.id)])
        .await
}

async fn my_groups(app: &TestApp, user: &WeifUser) -> Vec<String> {
    let env = app
        .weif_get_ok("/contacts/group", &user.token, &[("userId", &user.id)])
        .await;
    env["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["groupId"]["_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn join_requests(app: &TestApp, owner: &WeifUser) -> Vec<Value> {
    let env = app
        .weif_get_ok("/get/group/noagree", &owner.token, &[("userId", &owner.id)])
        .await;
    env["data"].as_array().unwrap().clone()
}

async fn ask(app: &TestApp, user: &WeifUser, group: &str) -> Value {
    app.weif_post("/group/add", &user.token, json!({"groupId": group, "userId": user.id}))
        .await
}

async fn answer(app: &TestApp, path: &str, by: &WeifUser, user: &WeifUser, group: &str) -> Value {
    app.weif_post(path, &by.token, json!({"userId": user.id, "groupId": group}))
        .await
}

async fn member_count(app: &TestApp, group: &str) -> i64 {
    let item = app.item(&k::group(group)).await.unwrap();
    item["memberCount"].as_n().unwrap().parse().unwrap()
}

async fn set_profile(app: &TestApp, user: &WeifUser, sex: &str, birthday: &str) {
    app.weif_post_ok(
        "/update/user",
        &user.token,
        json!({"_id": user.id, "nick": user.nick, "sex": sex, "birthday": birthday}),
    )
    .await;
}

#[tokio::test]
async fn create_group_200_makes_the_caller_its_owner_and_first_member() {
    let app = spawn_app().await;
    let owner = app.weif_register().await;
    let env = app
        .weif_post(
            "/create/group",
            &owner.token,
            json!({"userId": owner.id, "groupName": "wifi群", "sign": "test"}),
        )
        .await;
    assert_eq!(env, json!({"status": 200, "msg": "创建成功"}));
    // The owner's groups counted and the owner read (the profile copied onto the membership), at
    // once; then the group, its number and the membership.
    let mut ops = app.requests("weif-create-group");
    ops[..2].sort();
    assert_eq!(ops, ["GetItem", "Query", "TransactWriteItems"]);
    let env = app
        .weif_get_ok("/contacts/group", &owner.token, &[("userId", &owner.id)])
        .await;
    let mine = &env["data"][0];
    assert_eq!(keys(mine), ["_id", "groupId", "userId", "state", "__v"]);
    assert_eq!(mine["groupId"]["groupName"], "wifi群");
    assert_eq!(mine["groupId"]["imgUrl"], "/group_pic.png");
    assert_eq!((&mine["userId"], &mine["state"]), (&json!(owner.id), &json!(1)));
    let group = mine["groupId"]["_id"].as_str().unwrap();
    let env = home(&app, &owner, group).await;
    assert_eq!(env["state"], 1);
    let doc = &env["data"]["group"];
    assert_eq!(
        keys(doc),
        [
            "_id",
            "userId",
            "groupName",
            "groupNumber",
            "sign",
            "imgUrl",
            "creatTime",
            "__v"
        ]
    );
    assert_eq!(doc["userId"], owner.id.as_str());
    let number = doc["groupNumber"].as_i64().expect("a number");
    assert!(app.item(&k::group_number(number)).await.is_some());
    let created = doc["creatTime"].as_str().unwrap();
    assert!(created.contains('年') && created.ends_with('日'), "{created}");
    assert_eq!(member_count(&app, group).await, 1);
}

#[tokio::test]
async fn create_group_405_lists_the_seeds_messages() {
    let app = spawn_app().await;
    let owner = app.weif_register().await;
    let env = app.weif_post("/create/group", &owner.token, json!({})).await;
    assert_eq!(
        env,
        json!({"status": 405, "msg": "参数错误", "data": [
            field("userId参数不能为空", "userId", "body"),
            field("群名不能为空", "groupName", "body"),
            field("群简介不能为空", "sign", "body"),
        ]})
    );
}

#[tokio::test]
async fn home_group_200_has_members_statis_and_the_callers_state() {
    let app = spawn_app().await;
    let [owner, member, other, outsider, applicant] = app.weif_users().await;
    set_profile(&app, &owner, "男", "2003-06-26").await;
    set_profile(&app, &member, "男", "1999-01-01").await;
    set_profile(&app, &other, "女", "2009-12-31").await;
    let group = app.weif_group(&owner, "statis").await;
    app.weif_join(&member, &owner, &group).await;
    app.weif_join(&other, &owner, &group).await;
    ask(&app, &applicant, &group).await;
    let env = home(&app, &owner, &group).await;
    assert_eq!(env["status"], 200);
    assert_eq!(keys(&env), ["status", "data", "state"], "state is beside data");
    assert_eq!(
        env["data"]["statis"],
        json!({"maleNum": 2, "femaleNum": 1, "is00sBornNum": 2})
    );
    let members = env["data"]["groupUser"].as_array().unwrap();
    let ids: Vec<&str> = members.iter().map(|m| m["userId"]["_id"].as_str().unwrap()).collect();
    assert_eq!(ids, [owner.id.as_str(), member.id.as_str(), other.id.as_str()]);
    assert_eq!(keys(&members[1]), ["_id", "groupId", "userId", "time", "state", "__v"]);
    assert_eq!(
        members[0]["userId"],
        json!({"_id": owner.id, "nick": owner.nick, "imgUrl": "/user_pic1.jpeg", "sex": "男", "birthday": "2003-06-26"})
    );
    assert_eq!(home(&app, &outsider, &group).await["state"], 2);
    assert_eq!(home(&app, &applicant, &group).await["state"], 0);
    assert_eq!(home(&app, &member, &group).await["state"], 1);
    assert_eq!(
        app.requests("weif-home-group").len(),
        4 * 2,
        "2 requests a call: the members' profiles are on their memberships"
    );
}

#[tokio::test]
async fn home_group_400_for_an_unknown_group_and_405_without_parameters() {
    let app = spawn_app().await;
    let user = app.weif_register().await;
    assert_eq!(
        home(&app, &user, "nope").await,
        json!({"status": 400, "msg": "该群不存在"})
    );
    let env = app.weif_get("/home/group", &user.token, &[]).await;
    assert_eq!(
        env["data"],
        json!([
            field("groupId参数不能为空", "groupId", "query"),
            field("userId参数不能为空", "userId", "query"),
        ])
    );
}

#[tokio::test]
async fn get_group_user_200_lists_the_members_and_the_creator() {
    let app = spawn_app().await;
    let [owner, member, applicant] = app.weif_users().await;
    let group = app.weif_group(&owner, "members").await;
    app.weif_join(&member, &owner, &group).await;
    ask(&app, &applicant, &group).await;
    app.calls("weif-get-group-user");
    let env = app
        .weif_get("/get/groupUser", &member.token, &[("groupId", &group)])
        .await;
    let calls = app.calls("weif-get-group-user");
    let ops: Vec<&str> = calls.iter().map(|c| c.operation.as_str()).collect();
    assert_eq!(
        ops,
        ["Query"],
        "the group with its members, each membership with its member's profile: no user read"
    );
    assert_eq!(
        calls[0].items_read, 3,
        "the group and its 2 members: not the join request behind them"
    );
    assert_eq!(env["status"], 200);
    assert_eq!(env["data"]["groupCreateUserId"], owner.id.as_str());
    let list = env["data"]["groupUser"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        list[1]["userId"],
        json!({"_id": member.id, "nick": member.nick, "imgUrl": "/user_pic1.jpeg"})
    );
    assert_eq!(list[1]["groupId"], group.as_str());
}

#[tokio::test]
async fn group_add_200_sends_a_request_the_owner_sees() {
    let app = spawn_app().await;
    let [owner, user] = app.weif_users().await;
    let group = app.weif_group(&owner, "ask").await;
    assert_eq!(ask(&app, &user, &group).await, json!({"status": 200, "msg": "已发送"}));
    let listed = join_requests(&app, &owner).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(keys(&listed[0]), ["_id", "groupId", "userId", "time", "__v"]);
    assert_eq!(
        listed[0]["groupId"],
        json!({"_id": group, "groupName": "ask", "imgUrl": "/group_pic.png"})
    );
    assert_eq!(
        listed[0]["userId"],
        json!({"_id": user.id, "nick": user.nick, "imgUrl": "/user_pic1.jpeg"})
    );
    assert!(join_requests(&app, &user).await.is_empty());
}

#[tokio::test]
async fn group_add_405_400_twice_as_member_and_for_an_unknown_group() {
    let app = spawn_app().await;
    let [owner, user] = app.weif_users().await;
    let env = app.weif_post("/group/add", &user.token, json!({})).await;
    assert_eq!(
        env["data"],
        json!([
            field("groupId参数不能为空", "groupId", "body"),
            field("userId参数不能为空", "userId", "body"),
        ])
    );
    let group = app.weif_group(&owner, "twice").await;
    ask(&app, &user, &group).await;
    assert_eq!(
        ask(&app, &user, &group).await,
        json!({"status": 400, "msg": "已发送过入群申请, 请等待群主同意"})
    );
    assert_eq!(
        ask(&app, &owner, &group).await,
        json!({"status": 400, "msg": "你已经是群成员了"})
    );
    assert_eq!(
        ask(&app, &user, "nope").await,
        json!({"status": 400, "msg": "该群不存在"})
    );
}

#[tokio::test]
async fn group_agree_200_makes_a_counted_member() {
    let app = spawn_app().await;
    let [owner, user] = app.weif_users().await;
    let group = app.weif_group(&owner, "agree").await;
    ask(&app, &user, &group).await;
    assert_eq!(
        answer(&app, "/group/agree", &owner, &user, &group).await,
        json!({"status": 200, "msg": "添加成功"})
    );
    assert!(join_requests(&app, &owner).await.is_empty());
    assert_eq!(my_groups(&app, &user).await, [group.as_str()]);
    assert_eq!(member_count(&app, &group).await, 2);
    assert_eq!(
        answer(&app, "/group/agree", &owner, &user, &group).await,
        json!({"status": 400, "msg": "入群申请不存在或已处理"})
    );
}

#[tokio::test]
async fn group_refuse_takes_user_id_and_group_id_and_removes_the_request() {
    let app = spawn_app().await;
    let [owner, user] = app.weif_users().await;
    let group = app.weif_group(&owner, "refuse").await;
    // The seed lists phone/password here; the route takes what agree takes.
    let env = app
        .weif_post(
            "/group/refuse",
            &owner.token,
            json!({"phone": owner.phone, "password": owner.password}),
        )
        .await;
    assert_eq!(
        env["data"],
        json!([
            field("userId参数不能为空", "userId", "body"),
            field("groupId参数不能为空", "groupId", "body"),
        ])
    );
    ask(&app, &user, &group).await;
    assert_eq!(
        answer(&app, "/group/refuse", &owner, &user, &group).await,
        json!({"status": 200, "msg": "已拒绝"})
    );
    assert!(join_requests(&app, &owner).await.is_empty());
    assert_eq!(home(&app, &user, &group).await["state"], 2);
    assert_eq!(
        answer(&app, "/group/refuse", &owner, &user, &group).await,
        json!({"status": 400, "msg": "入群申请不存在或已处理"})
    );
}

#[tokio::test]
async fn only_the_owner_answers_join_requests() {
    let app = spawn_app().await;
    let [owner, member, user] = app.weif_users().await;
    let group = app.weif_group(&owner, "owner only").await;
    app.weif_join(&member, &owner, &group).await;
    ask(&app, &user, &group).await;
    for path in ["/group/agree", "/group/refuse"] {
        for by in [&member, &user] {
            assert_eq!(
                answer(&app, path, by, &user, &group).await,
                json!({"status": 403, "msg": "只有群主可以操作"}),
                "{path}"
            );
        }
    }
    assert_eq!(join_requests(&app, &owner).await.len(), 1, "the request is untouched");
    assert_eq!(member_count(&app, &group).await, 2);
}

#[tokio::test]
async fn get_update_group_200_is_the_owners_view_without_the_owner() {
    let app = spawn_app().await;
    let [owner, member] = app.weif_users().await;
    let group = app.weif_group(&owner, "edit me").await;
    app.weif_join(&member, &owner, &group).await;
    let env = app
        .weif_get(
            "/get/update/group",
            &owner.token,
            &[("groupId", &group), ("groupLeaderId", &owner.id)],
        )
        .await;
    assert_eq!(env["status"], 200);
    assert_eq!(
        env["data"]["groupInfo"],
        json!({"_id": group, "groupName": "edit me", "sign": "introduction", "imgUrl": "/group_pic.png"})
    );
    let list = env["data"]["groupUserList"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["userId"]["_id"], member.id.as_str());
    let env = app
        .weif_get(
            "/get/update/group",
            &member.token,
            &[("groupId", &group), ("groupLeaderId", &member.id)],
        )
        .await;
    assert_eq!(env, json!({"status": 403, "msg": "只有群主可以修改群信息"}));
}

#[tokio::test]
async fn update_group_info_200_renames_and_the_search_follows() {
    let app = spawn_app().await;
    let [owner, member] = app.weif_users().await;
    let (old, new) = (unique("OldGroup"), unique("NewGroup"));
    let group = app.weif_group(&owner, &old).await;
    app.weif_join(&member, &owner, &group).await;
    let body = json!({"_id": group, "groupName": new, "sign": "新简介", "imgUrl": "/g2.png"});
    assert_eq!(
        app.weif_post("/update/groupInfo", &member.token, body.clone()).await,
        json!({"status": 403, "msg": "只有群主可以修改群信息"})
    );
    assert_eq!(
        app.weif_post("/update/groupInfo", &owner.token, body).await,
        json!({"status": 200, "msg": "修改成功"})
    );
    let doc = &home(&app, &owner, &group).await["data"]["group"];
    assert_eq!(
        (&doc["groupName"], &doc["sign"], &doc["imgUrl"]),
        (&json!(new), &json!("新简介"), &json!("/g2.png"))
    );
    let env = app.weif_get("/search", &member.token, &[("keyword", &new)]).await;
    assert_eq!(env["data"]["groupList"][0]["_id"], group.as_str());
    let env = app.weif_get("/search", &member.token, &[("keyword", &old)]).await;
    assert_eq!(env["msg"], "暂无数据");
    let env = app
        .weif_post(
            "/update/groupInfo",
            &owner.token,
            json!({"_id": "nope", "groupName": "x", "sign": "y"}),
        )
        .await;
    assert_eq!(env, json!({"status": 400, "msg": "该群不存在"}));
    let env = app.weif_post("/update/groupInfo", &owner.token, json!({})).await;
    assert_eq!(
        env["data"],
        json!([
            field("_id参数不能为空", "_id", "body"),
            field("群名不能为空", "groupName", "body"),
            field("群简介不能为空", "sign", "body"),
        ])
    );
}

async fn remove(app: &TestApp, by: &WeifUser, user: &WeifUser, group: &str) -> Value {
    app.weif_get("/del/groupUser", &by.token, &[("userId", &user.id), ("groupId", group)])
        .await
}

#[tokio::test]
async fn del_group_user_200_a_member_leaves_or_the_owner_removes_one() {
    let app = spawn_app().await;
    let [owner, a, b] = app.weif_users().await;
    let group = app.weif_group(&owner, "leave").await;
    app.weif_join(&a, &owner, &group).await;
    app.weif_join(&b, &owner, &group).await;
    assert_eq!(member_count(&app, &group).await, 3);
    assert_eq!(
        remove(&app, &a, &b, &group).await,
        json!({"status": 403, "msg": "只有群主可以移除群成员"})
    );
    assert_eq!(
        remove(&app, &a, &a, &group).await,
        json!({"status": 200, "msg": "已退出"})
    );
    assert_eq!(remove(&app, &owner, &b, &group).await["status"], 200);
    assert_eq!(member_count(&app, &group).await, 1);
    assert!(my_groups(&app, &a).await.is_empty() && my_groups(&app, &b).await.is_empty());
    assert_eq!(
        remove(&app, &owner, &owner, &group).await,
        json!({"status": 400, "msg": "群主不能退出群聊, 请解散该群"})
    );
    assert_eq!(
        remove(&app, &a, &a, &group).await,
        json!({"status": 400, "msg": "该用户不是群成员"})
    );
}

#[tokio::test]
async fn del_group_200_dissolves_it_with_memberships_requests_and_number() {
    let app = spawn_app().await;
    let [owner, member, applicant] = app.weif_users().await;
    let name = unique("Dissolve");
    let group = app.weif_group(&owner, &name).await;
    app.weif_join(&member, &owner, &group).await;
    ask(&app, &applicant, &group).await;
    let number = home(&app, &owner, &group).await["data"]["group"]["groupNumber"]
        .as_i64()
        .unwrap();
    let env = app.weif_get("/del/group", &member.token, &[("groupId", &group)]).await;
    assert_eq!(env, json!({"status": 403, "msg": "只有群主可以解散群聊"}));
    let env = app.weif_get("/del/group", &owner.token, &[("groupId", &group)]).await;
    assert_eq!(env, json!({"status": 200, "msg": "已解散"}));
    assert_eq!(app.count_items(&k::group_partition(&group), "").await, 0);
    assert!(app.item(&k::group_number(number)).await.is_none());
    assert!(my_groups(&app, &member).await.is_empty() && my_groups(&app, &owner).await.is_empty());
    assert!(join_requests(&app, &owner).await.is_empty());
    assert_eq!(
        home(&app, &member, &group).await,
        json!({"status": 400, "msg": "该群不存在"})
    );
    let env = app.weif_get("/search", &member.token, &[("keyword", &name)]).await;
    assert_eq!(env["msg"], "暂无数据");
    let env = app.weif_get("/del/group", &owner.token, &[("groupId", &group)]).await;
    assert_eq!(env, json!({"status": 400, "msg": "该群不存在"}));
}

/// A dissolve stopped right after its first write (the mark; a crash, a timeout) is finished
/// by the table's stream: the members' lists, which show their memberships' copies of the
/// group, don't keep a dissolved group until the owner tries again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dissolve_stopped_after_its_mark_is_finished_through_the_tables_stream() {
    let app = spawn_app_with_upkeep().await;
    let [owner, member, applicant] = app.weif_users().await;
    let group = app.weif_group(&owner, &unique("Stopped")).await;
    app.weif_join(&member, &owner, &group).await;
    ask(&app, &applicant, &group).await;
    let number = home(&app, &owner, &group).await["data"]["group"]["groupNumber"]
        .as_i64()
        .unwrap();
    // What `/del/group` writes first, and nothing after it.
    let marked = app
        .operator()
        .await
        .store
        .mark_deleted(
            &k::group(&group),
            k::attr::DELETED_AT,
            (k::attr::USER_ID, &owner.id),
            &[shared::keys::GSI1_PK, shared::keys::GSI1_SK],
        )
        .await
        .unwrap();
    assert!(matches!(marked, shared::store::Marked::Done(_)));

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while app.count_items(&k::group_partition(&group), "").await > 0 {
        assert!(std::time::Instant::now() < deadline, "the dissolve was not finished");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(app.item(&k::group_number(number)).await.is_none());
    assert!(my_groups(&app, &member).await.is_empty() && my_groups(&app, &owner).await.is_empty());
    assert!(join_requests(&app, &owner).await.is_empty());
    let env = app.weif_get("/del/group", &owner.token, &[("groupId", &group)]).await;
    assert_eq!(env, json!({"status": 400, "msg": "该群不存在"}));
}

#[tokio::test]
async fn search_200_finds_groups_by_number_and_name_prefix() {
    let app = spawn_app().await;
    let owner = app.weif_register().await;
    let prefix = unique("Grp");
    let group = app.weif_group(&owner, &format!("{prefix} 歪f群")).await;
    let number = home(&app, &owner, &group).await["data"]["group"]["groupNumber"]
        .as_i64()
        .unwrap()
        .to_string();
    for keyword in [number.as_str(), prefix.as_str()] {
        let env = app.weif_get("/search", &owner.token, &[("keyword", keyword)]).await;
        assert_eq!(env["status"], 200, "{keyword}: {env}");
        assert_eq!(
            env["data"]["groupList"],
            json!([{"_id": group, "groupName": format!("{prefix} 歪f群"), "imgUrl": "/group_pic.png"}]),
            "{keyword}"
        );
    }
}

#[tokio::test]
async fn a_full_group_takes_no_more_members() {
    let app = spawn_app().await;
    let [owner, user] = app.weif_users().await;
    let group = app.weif_group(&owner, "full").await;
    ask(&app, &user, &group).await;
    app.dynamo
        .update_item()
        .table_name(&app.table)
        .set_key(Some(k::group(&group).to_item()))
        .update_expression("SET memberCount = :max")
        .expression_attribute_values(":max", AttributeValue::N("500".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer(&app, "/group/agree", &owner, &user, &group).await,
        json!({"status": 400, "msg": "群成员已满"})
    );
    assert_eq!(join_requests(&app, &owner).await.len(), 1, "the request waits");
}

async fn at_once(app: &TestApp, n: usize, path: &str, token: &str, body: Value) -> Vec<Value> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (http, url, token, body) = (
            app.http.clone(),
            format!("{}{path}", app.base_url),
            token.to_owned(),
            body.clone(),
        );
        tasks.spawn(async move {
            let resp = http.post(url).bearer_auth(token).json(&body).send().await.unwrap();
            resp.json::<Value>().await.unwrap()
        });
    }
    let mut out = Vec::new();
    while let Some(env) = tasks.join_next().await {
        out.push(env.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_join_requests_and_agrees_count_the_member_once() {
    let app = spawn_app().await;
    let [owner, user] = app.weif_users().await;
    let group = app.weif_group(&owner, "concurrent").await;
    let asks = at_once(
        &app,
        15,
        "/group/add",
        &user.token,
        json!({"groupId": group, "userId": user.id}),
    )
    .await;
    assert_eq!(asks.iter().filter(|e| e["status"] == 200).count(), 1, "{asks:?}");
    assert_eq!(app.count_items(&k::group_partition(&group), k::JOIN_PREFIX).await, 1);
    let agrees = at_once(
        &app,
        15,
        "/group/agree",
        &owner.token,
        json!({"userId": user.id, "groupId": group}),
    )
    .await;
    assert_eq!(agrees.iter().filter(|e| e["status"] == 200).count(), 1, "{agrees:?}");
    assert_eq!(member_count(&app, &group).await, 2);
    assert_eq!(app.count_items(&k::group_partition(&group), k::MEMBER_PREFIX).await, 2);
    assert_eq!(app.count_items(&k::group_partition(&group), k::JOIN_PREFIX).await, 0);
}

/// `user_id`'s membership of group `group_id` (owned by `owner_id`) from `time`, as create and
/// agree leave it.
fn membership(group_id: &str, user_id: &str, owner_id: &str, time: i64) -> weifchat::Membership {
    weifchat::Membership {
        id: shared::ids::new_id(),
        group_id: group_id.into(),
        user_id: user_id.into(),
        owner_id: owner_id.into(),
        time,
        ..Default::default()
    }
}

async fn create(app: &TestApp, user: &WeifUser, name: &str) -> Value {
    app.weif_post(
        "/create/group",
        &user.token,
        json!({"userId": user.id, "groupName": name, "sign": "introduction"}),
    )
    .await
}

/// `MAX_GROUPS_PER_USER` (500): a user in 500 groups creates none (`你加入的群聊数量已达上限`) and
/// is accepted into none (`对方加入的群聊数量已达上限`, the request left waiting), either refusal
/// writing nothing; dissolving one of the 500 frees a place, and the place taken, both refuse again.
#[tokio::test]
async fn a_user_in_500_groups_creates_and_is_accepted_into_no_more() {
    let app = spawn_app().await;
    let [me, owner] = app.weif_users().await;
    let mine = app.weif_group(&me, &unique("mine")).await;
    let theirs = app.weif_group(&owner, &unique("theirs")).await;
    // 499 more memberships, as the cap counts them (the groups' own items don't matter to it).
    let start = shared::clock::now_ms();
    let others: Vec<_> = (0..499)
        .map(|i| weifchat::bulk::member(&membership(&shared::ids::new_id(), &me.id, &owner.id, start + i)))
        .collect();
    app.put_all(others).await;
    let store = app.weif_store().await;
    assert_eq!(store.group_count(&me.id).await.unwrap(), weifchat::MAX_GROUPS_PER_USER);

    app.requests("weif-create-group");
    let full_create = json!({"status": 400, "msg": "你加入的群聊数量已达上限"});
    let name = unique("one too many");
    assert_eq!(create(&app, &me, &name).await, full_create);
    let mut ops = app.requests("weif-create-group");
    ops.sort();
    assert_eq!(
        ops,
        ["GetItem", "Query"],
        "counted (the owner read beside), nothing written"
    );
    let env = app.weif_get("/search", &me.token, &[("keyword", &name)]).await;
    assert_eq!(env["msg"], "暂无数据");

    assert_eq!(ask(&app, &me, &theirs).await, json!({"status": 200, "msg": "已发送"}));
    let full_agree = json!({"status": 400, "msg": "对方加入的群聊数量已达上限"});
    assert_eq!(answer(&app, "/group/agree", &owner, &me, &theirs).await, full_agree);
    assert!(
        !app.requests("weif-group-agree")
            .contains(&"TransactWriteItems".to_owned())
    );
    assert_eq!(join_requests(&app, &owner).await.len(), 1, "the request waits");
    assert_eq!(member_count(&app, &theirs).await, 1);
    assert_eq!(store.group_count(&me.id).await.unwrap(), 500);

    let env = app.weif_get("/del/group", &me.token, &[("groupId", &mine)]).await;
    assert_eq!(env, json!({"status": 200, "msg": "已解散"}));
    assert_eq!(store.group_count(&me.id).await.unwrap(), 499);
    assert_eq!(
        answer(&app, "/group/agree", &owner, &me, &theirs).await,
        json!({"status": 200, "msg": "添加成功"})
    );
    assert_eq!(member_count(&app, &theirs).await, 2);
    assert_eq!(create(&app, &me, &unique("again")).await, full_create);
    assert_eq!(
        remove(&app, &me, &me, &theirs).await,
        json!({"status": 200, "msg": "已退出"})
    );
    assert_eq!(create(&app, &me, &unique("in the freed place")).await["status"], 200);
    assert_eq!(store.group_count(&me.id).await.unwrap(), 500);
}

/// Past the cap (memberships from before it, or concurrent accepts), the lists stay bounded:
/// `/contacts/group` shows the newest 500 memberships, oldest first, from one Query of 500
/// items (each with its copy of the group: no group item read), and `/message/list` reads the
/// same 500 (a group chat among the older memberships is not listed).
#[tokio::test]
async fn past_500_groups_the_lists_read_the_newest_500() {
    let app = spawn_app().await;
    let me = app.weif_register().await;
    let start = shared::clock::now_ms();
    let mut ids = Vec::new();
    let mut items = Vec::new();
    for i in 0..505_i64 {
        let group = weifchat::Group {
            id: shared::ids::new_id(),
            owner_id: me.id.clone(),
            name: format!("group {i:03}"),
            // Far from the creation-time numbers other tests' groups take.
            number: start * 1000 + i,
            sign: "introduction".into(),
            img_url: weifchat::groups::DEFAULT_GROUP_PICTURE.into(),
            created_at: start + i,
        };
        items.extend(weifchat::bulk::group(&group, 1));
        // As `create_group` leaves it: with its copy of the group.
        items.push(weifchat::bulk::member(&weifchat::Membership {
            group: Some(weifchat::GroupCopy::of(&group)),
            ..membership(&group.id, &me.id, &me.id, start + i)
        }));
        ids.push(group.id);
    }
    // A message in the oldest group (past the newest 500), the oldest listed and the newest.
    for i in [0, 5, 504] {
        let chat = k::group_chat(&ids[i]);
        let said = weifchat::Message {
            id: shared::ids::new_id(),
            seq: 1,
            from_id: me.id.clone(),
            to_id: None,
            group_id: Some(ids[i].clone()),
            msg_type: 0,
            message: format!("hello {i}"),
            time: start + i as i64,
        };
        items.push(weifchat::bulk::message(&chat, &said));
        items.push(weifchat::bulk::chat_head(&chat, &said));
    }
    app.put_all(items).await;

    let listed = my_groups(&app, &me).await;
    assert_eq!(listed.len(), weifchat::MAX_GROUPS_PER_USER);
    assert_eq!(listed[0], ids[5], "the oldest of the newest 500 first");
    assert_eq!(listed[499], ids[504]);
    let calls = app.calls("weif-contacts-group");
    assert_eq!((calls[0].operation.as_str(), calls[0].items_read), ("Query", 500));
    assert_eq!(calls.len(), 1, "{calls:?}");

    let env = app.weif_get_ok("/message/list", &me.token, &[("userId", &me.id)]).await;
    let chats: Vec<&str> = env["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["_id"].as_str().unwrap())
        .collect();
    assert_eq!(chats, [ids[504].as_str(), ids[5].as_str()], "the newest message first");
    let calls = app.calls("weif-message-list");
    let queried: Vec<usize> = calls
        .iter()
        .filter(|c| c.operation == "Query")
        .map(|c| c.items_read)
        .collect();
    assert_eq!(queried.iter().max(), Some(&500), "{calls:?}");
    let read: usize = calls.iter().map(|c| c.items_read).sum();
    assert_eq!(
        read,
        500 + 2,
        "memberships (each with its group's copy) and 2 chat heads: {calls:?}"
    );
}
