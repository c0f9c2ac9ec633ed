//! weifChat friends (#8–#13): request, received requests, agree, refuse, contacts, remove;
//! `friendState` of a user's home; requests that can't duplicate and answers that can't both
//! apply, whatever the concurrency.

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::serde_json::{Value, json};
use e2e::weif::{WeifUser, field, keys};
use e2e::{TestApp, spawn_app};
use weifchat::keys as k;

async fn request(app: &TestApp, from: &WeifUser, to: &WeifUser) -> Value {
    app.weif_post(
        "/friend/add",
        &from.token,
        json!({"userId": from.id, "friendId": to.id}),
    )
    .await
}

async fn answer(app: &TestApp, path: &str, me: &WeifUser, requester: &WeifUser) -> Value {
    app.weif_post(path, &me.token, json!({"userId": me.id, "friendId": requester.id}))
        .await
}

async fn friend_state(app: &TestApp, viewer: &WeifUser, other: &WeifUser) -> Value {
    let env = app
        .weif_get_ok(
            "/home/user",
            &viewer.token,
            &[("_id", &viewer.id), ("urlId", &other.id)],
        )
        .await;
    env["data"]["friendState"].clone()
}

async fn contacts(app: &TestApp, user: &WeifUser) -> Vec<Value> {
    let env = app
        .weif_get_ok("/contacts/friend", &user.token, &[("userId", &user.id)])
        .await;
    env["data"].as_array().unwrap().clone()
}

async fn requests(app: &TestApp, user: &WeifUser) -> Vec<Value> {
    let env = app
        .weif_get_ok("/get/friend/noagree", &user.token, &[("userId", &user.id)])
        .await;
    env["data"].as_array().unwrap().clone()
}

/// Friend edge items stored in a user's partition, and their friend count.
async fn stored(app: &TestApp, user: &WeifUser) -> (usize, i64) {
    let edges = app.weif_edges(&user.id).await;
    let profile = app.item(&k::user(&user.id)).await.unwrap();
    let count = profile["friendCount"].as_n().unwrap().parse().unwrap();
    (edges, count)
}

#[tokio::test]
async fn friend_add_200_is_pending_on_both_sides_and_listed_for_the_receiver() {
    let app = spawn_app().await;
    let [a, b] = app.weif_users().await;
    assert_eq!(request(&app, &a, &b).await, json!({"status": 200, "msg": "申请中"}));
    // The requester's profile (copied onto the request), the request, then the receiver's
    // presence (none: no apply_notice to push).
    assert_eq!(
        app.requests("weif-friend-add"),
        ["GetItem", "TransactWriteItems", "GetItem"]
    );
    assert_eq!(friend_state(&app, &a, &b).await, 0, "the sender waits");
    assert_eq!(friend_state(&app, &b, &a).await, 4, "the receiver is asked");
    app.requests("weif-get-friend-noagree");
    let listed = requests(&app, &b).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        app.requests("weif-get-friend-noagree"),
        ["Query"],
        "the request carries the requester's profile: no user item read"
    );
    let r = &listed[0];
    assert_eq!(keys(r), ["_id", "userId", "friendId", "time", "state", "__v"]);
    assert_eq!(r["userId"], b.id.as_str());
    assert_eq!(
        r["friendId"],
        json!({"_id": a.id, "nick": a.nick, "imgUrl": "/user_pic1.jpeg"})
    );
    assert_eq!((&r["state"], &r["__v"]), (&json!(0), &json!(0)));
    let time = r["time"].as_str().unwrap();
    assert!(time.len() == 24 && time.ends_with('Z') && time.contains('T'), "{time}");
    assert!(requests(&app, &a).await.is_empty(), "the sender has nothing to answer");
    assert!(contacts(&app, &a).await.is_empty());
}

#[tokio::test]
async fn friend_add_405_lists_user_id_and_friend_id() {
    let app = spawn_app().await;
    let a = app.weif_register().await;
    let env = app.weif_post("/friend/add", &a.token, json!({})).await;
    assert_eq!(
        env,
        json!({"status": 405, "msg": "参数错误", "data": [
            field("userId参数不能为空", "userId", "body"),
            field("friendId参数不能为空", "friendId", "body"),
        ]})
    );
}

#[tokio::test]
async fn friend_add_400_to_oneself_to_nobody_and_twice() {
    let app = spawn_app().await;
    let [a, b] = app.weif_users().await;
    assert_eq!(
        request(&app, &a, &a).await,
        json!({"status": 400, "msg": "不能添加自己为好友"})
    );
    let env = app
        .weif_post("/friend/add", &a.token, json!({"userId": a.id, "friendId": "nobody"}))
        .await;
    assert_eq!(env, json!({"status": 400, "msg": "该用户不存在"}));
    request(&app, &a, &b).await;
    assert_eq!(
        request(&app, &a, &b).await,
        json!({"status": 400, "msg": "已发送过好友申请, 请等待对方同意"})
    );
    assert_eq!(
        request(&app, &b, &a).await,
        json!({"status": 400, "msg": "对方已向你发送好友申请, 请在新朋友中同意"})
    );
    answer(&app, "/friend/agree", &b, &a).await;
    assert_eq!(
        request(&app, &a, &b).await,
        json!({"status": 400, "msg": "你们已经是好友了"})
    );
    assert_eq!(stored(&app, &a).await.0, 1);
}

#[tokio::test]
async fn friend_agree_200_makes_friends_on_both_sides() {
    let app = spawn_app().await;
    let [a, b] = app.weif_users().await;
    request(&app, &a, &b).await;
    assert_eq!(
        answer(&app, "/friend/agree", &b, &a).await,
        json!({"status": 200, "msg": "添加成功"})
    );
    // The two users (their profiles to copy), the agree, each one's newest moments for the
    // other's feed (none: no batch write), then the requester's presence (none: no agree_apply
    // to push).
    assert_eq!(
        app.requests("weif-friend-agree"),
        ["BatchGetItem", "TransactWriteItems", "Query", "Query", "BatchGetItem"]
    );
    assert_eq!(
        (friend_state(&app, &a, &b).await, friend_state(&app, &b, &a).await),
        (json!(1), json!(1))
    );
    assert!(requests(&app, &b).await.is_empty());
    let of_b = contacts(&app, &b).await;
    assert_eq!(of_b.len(), 1);
    assert_eq!(keys(&of_b[0]), ["_id", "userId", "friendId", "time", "state", "__v"]);
    assert_eq!(of_b[0]["userId"], b.id.as_str());
    assert_eq!(
        of_b[0]["friendId"],
        json!({"_id": a.id, "nick": a.nick, "imgUrl": "/user_pic1.jpeg", "sign": "这个人很高冷, 暂时没有留下什么"})
    );
    assert_eq!(of_b[0]["state"], 1);
    let of_a = contacts(&app, &a).await;
    assert_eq!(of_a[0]["friendId"]["_id"], b.id.as_str());
    assert_eq!(of_a[0]["_id"], of_b[0]["_id"], "one relation, one _id");
    assert_eq!(stored(&app, &a).await, (1, 1));
    assert_eq!(stored(&app, &b).await, (1, 1));
}

#[tokio::test]
async fn contacts_friend_lists_the_oldest_friendship_first() {
    let app = spawn_app().await;
    let me = app.weif_register().await;
    let mut friends = Vec::new();
    for _ in 0..3 {
        let f = app.weif_register().await;
        app.weif_befriend(&f, &me).await;
        friends.push(f.id);
    }
    let listed: Vec<String> = contacts(&app, &me)
        .await
        .iter()
        .map(|c| c["friendId"]["_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, friends);
    assert_eq!(
        app.requests("weif-contacts-friend"),
        ["Query"],
        "each friend from the copy on its edge: no user read"
    );
}

#[tokio::test]
async fn friend_agree_and_refuse_405_list_their_parameters() {
    let app = spawn_app().await;
    let a = app.weif_register().await;
    for path in ["/friend/agree", "/friend/refuse"] {
        let env = app.weif_post(path, &a.token, json!({"userId": a.id})).await;
        assert_eq!(
            env,
            json!({"status": 405, "msg": "参数错误", "data": [field("friendId参数不能为空", "friendId", "body")]}),
            "{path}"
        );
    }
}

#[tokio::test]
async fn only_the_receiver_answers_a_request() {
    let app = spawn_app().await;
    let [a, b] = app.weif_users().await;
    request(&app, &a, &b).await;
    // The sender can't accept or refuse its own request.
    for path in ["/friend/agree", "/friend/refuse"] {
        assert_eq!(
            answer(&app, path, &a, &b).await,
            json!({"status": 400, "msg": "好友申请不存在或已处理"}),
            "{path}"
        );
    }
    assert_eq!(friend_state(&app, &a, &b).await, 0, "still pending");
    assert_eq!(
        answer(&app, "/friend/agree", &b, &b).await,
        json!({"status": 400, "msg": "好友申请不存在或已处理"})
    );
}

#[tokio::test]
async fn friend_refuse_200_removes_the_request_on_both_sides() {
    let app = spawn_app().await;
    let [a, b] = app.weif_users().await;
    request(&app, &a, &b).await;
    assert_eq!(
        answer(&app, "/friend/refuse", &b, &a).await,
        json!({"status": 200, "msg": "已拒绝"})
    );
    assert_eq!((stored(&app, &a).await, stored(&app, &b).await), ((0, 0), (0, 0)));
    assert_eq!(friend_state(&app, &a, &b).await, 2);
    assert_eq!(
        answer(&app, "/friend/refuse", &b, &a).await,
        json!({"status": 400, "msg": "好友申请不存在或已处理"})
    );
    // And A may ask again.
    assert_eq!(request(&app, &a, &b).await["status"], 200);
}

#[tokio::test]
async fn del_friend_200_removes_the_friendship_on_both_sides() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let env = app
        .weif_get("/del/friend", &a.token, &[("userId", &a.id), ("friendId", &b.id)])
        .await;
    assert_eq!(env, json!({"status": 200, "msg": "删除成功"}));
    assert_eq!((stored(&app, &a).await, stored(&app, &b).await), ((0, 0), (0, 0)));
    assert!(contacts(&app, &b).await.is_empty());
    for other in [&b, &a] {
        let env = app
            .weif_get("/del/friend", &a.token, &[("userId", &a.id), ("friendId", &other.id)])
            .await;
        assert_eq!(env, json!({"status": 400, "msg": "你们还不是好友"}));
    }
}

#[tokio::test]
async fn del_friend_also_withdraws_a_pending_request() {
    let app = spawn_app().await;
    let [a, b] = app.weif_users().await;
    request(&app, &a, &b).await;
    let env = app
        .weif_get("/del/friend", &a.token, &[("userId", &a.id), ("friendId", &b.id)])
        .await;
    assert_eq!(env["status"], 200);
    assert!(requests(&app, &b).await.is_empty());
    assert_eq!(stored(&app, &b).await, (0, 0));
}

#[tokio::test]
async fn a_user_at_the_friend_limit_cannot_accept_more() {
    let app = spawn_app().await;
    let [a, b] = app.weif_users().await;
    app.dynamo
        .update_item()
        .table_name(&app.table)
        .set_key(Some(k::user(&b.id).to_item()))
        .update_expression("SET friendCount = :max")
        .expression_attribute_values(":max", AttributeValue::N("500".into()))
        .send()
        .await
        .unwrap();
    request(&app, &a, &b).await;
    assert_eq!(
        answer(&app, "/friend/agree", &b, &a).await,
        json!({"status": 400, "msg": "你的好友数量已达上限"})
    );
    assert_eq!(friend_state(&app, &a, &b).await, 0, "nothing changed");
    assert_eq!(stored(&app, &a).await, (1, 0));
}

/// Sends the same call `n` times at once; the envelopes.
async fn at_once(app: &TestApp, calls: Vec<(String, String, Value)>) -> Vec<Value> {
    let mut tasks = tokio::task::JoinSet::new();
    for (path, token, body) in calls {
        let (http, url) = (app.http.clone(), format!("{}{path}", app.base_url));
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

fn count_status(answers: &[Value], status: i64) -> usize {
    answers.iter().filter(|e| e["status"] == status).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_identical_friend_requests_at_once_make_one() {
    let app = spawn_app().await;
    let [a, b] = app.weif_users().await;
    let body = json!({"userId": a.id, "friendId": b.id});
    let calls = (0..20)
        .map(|_| ("/friend/add".to_owned(), a.token.clone(), body.clone()))
        .collect();
    let answers = at_once(&app, calls).await;
    assert_eq!(count_status(&answers, 200), 1, "{answers:?}");
    assert_eq!(count_status(&answers, 400), 19, "{answers:?}");
    assert_eq!(stored(&app, &a).await.0, 1);
    assert_eq!(stored(&app, &b).await.0, 1);
    assert_eq!(requests(&app, &b).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn crossed_requests_at_once_make_one_relation() {
    let app = spawn_app().await;
    let [a, b] = app.weif_users().await;
    let mut calls = Vec::new();
    for _ in 0..10 {
        calls.push((
            "/friend/add".to_owned(),
            a.token.clone(),
            json!({"userId": a.id, "friendId": b.id}),
        ));
        calls.push((
            "/friend/add".to_owned(),
            b.token.clone(),
            json!({"userId": b.id, "friendId": a.id}),
        ));
    }
    let answers = at_once(&app, calls).await;
    assert_eq!(count_status(&answers, 200), 1, "{answers:?}");
    assert_eq!((stored(&app, &a).await.0, stored(&app, &b).await.0), (1, 1));
    let states = (friend_state(&app, &a, &b).await, friend_state(&app, &b, &a).await);
    assert!(
        states == (json!(0), json!(4)) || states == (json!(4), json!(0)),
        "{states:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_agrees_and_refusals_leave_one_consistent_state() {
    let app = spawn_app().await;
    let [a, b] = app.weif_users().await;
    request(&app, &a, &b).await;
    let body = json!({"userId": b.id, "friendId": a.id});
    let mut calls = Vec::new();
    for _ in 0..10 {
        calls.push(("/friend/agree".to_owned(), b.token.clone(), body.clone()));
        calls.push(("/friend/refuse".to_owned(), b.token.clone(), body.clone()));
    }
    let answers = at_once(&app, calls).await;
    assert_eq!(
        count_status(&answers, 200),
        1,
        "exactly one answer applies: {answers:?}"
    );
    assert_eq!(count_status(&answers, 400), 19);
    let winner = answers.iter().find(|e| e["status"] == 200).unwrap()["msg"].clone();
    let (sa, sb) = (stored(&app, &a).await, stored(&app, &b).await);
    if winner == "添加成功" {
        assert_eq!((sa, sb), ((1, 1), (1, 1)));
        assert_eq!(friend_state(&app, &a, &b).await, 1);
        assert_eq!(friend_state(&app, &b, &a).await, 1);
    } else {
        assert_eq!(winner, "已拒绝");
        assert_eq!((sa, sb), ((0, 0), (0, 0)));
    }
}

/// Anyone may ask to be a friend, so what a receiver's list reads is bounded: past
/// `MAX_PENDING_LISTED` (500) pending requests, the list shows the newest 500, oldest first, in
/// one Query of 500 items (not every request ever sent), and the socket's notice counts 500.
#[tokio::test]
async fn past_500_pending_requests_the_newest_500_are_listed_and_counted() {
    let app = spawn_app().await;
    let me = app.weif_register().await;
    let start = shared::clock::now_ms();
    let mut items = Vec::new();
    for i in 0..505_i64 {
        let from = format!("asker{i:04}");
        let side = |user: &str, other: &str, incoming: bool| {
            weifchat::bulk::friend_request(&weifchat::Friend {
                id: format!("req{i:04}"),
                user_id: user.into(),
                friend_id: other.into(),
                state: 0,
                incoming,
                time: start + i,
                ..Default::default()
            })
        };
        items.push(side(&me.id, &from, true));
        items.push(side(&from, &me.id, false));
    }
    app.put_all(items).await;

    let listed = requests(&app, &me).await;
    assert_eq!(listed.len(), weifchat::MAX_PENDING_LISTED);
    assert_eq!(listed[0]["_id"], "req0005", "the oldest of the newest 500 first");
    assert_eq!(listed[499]["_id"], "req0504");
    let calls = app.calls("weif-get-friend-noagree");
    assert_eq!(calls[0].operation, "Query");
    assert_eq!(calls[0].items_read, 500, "one page of the newest, not all 505");

    let state = app.operator().await;
    let counts = weifchat::WeifState::weifchat(&state)
        .request_counts(&me.id)
        .await
        .unwrap();
    assert_eq!(counts.friends, 500);
    assert_eq!(counts.groups, 0);
}
