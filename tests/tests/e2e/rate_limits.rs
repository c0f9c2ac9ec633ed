//! Rate limits (issue 10): password guessing per account and per source, likes, messages and
//! registrations, each refused in its surface's own envelope past the limit, with nothing
//! changed; under concurrency exactly `limit` requests get through. The harness runs with limits
//! off; each test here sets small ones (`RATE_LIMITS`).

use e2e::nobase::{REGISTER, World, ok, post_form};
use e2e::serde_json::{Value, json};
use e2e::{spawn_app_with_limits, unique};

#[tokio::test]
async fn password_guessing_is_stopped_per_account_even_for_the_right_password() {
    let app = spawn_app_with_limits("weifchat.login.account=3/300").await;
    let [victim, other] = app.weif_users().await;
    let login =
        |phone: String, password: &str| app.weif_post("/login", "", json!({"phone": phone, "password": password}));
    for _ in 0..3 {
        let env = login(victim.phone.clone(), "wrong-guess").await;
        assert_eq!(env, json!({"status": 401, "msg": "密码错误"}));
    }
    let env = login(victim.phone.clone(), &victim.password).await;
    assert_eq!(env["status"], 429, "{env}");
    assert!(env["msg"].as_str().unwrap().starts_with("操作过于频繁, 请"), "{env}");
    // Another account from the same source is not held back.
    let env = login(other.phone.clone(), &other.password).await;
    assert_eq!(env["status"], 200, "{env}");
}

#[tokio::test]
async fn logins_from_one_source_are_limited_with_retry_after_on_rest() {
    let app = spawn_app_with_limits("info.login.ip=2/300").await;
    let user = app.info_user().await;
    let body = json!({"login": user.name, "password": "secret-pass"});
    for _ in 0..2 {
        app.rest_ok(200, "POST", "/api/v2/auth/login", None, Some(body.clone()))
            .await;
    }
    let resp = app
        .http
        .post(format!("{}/api/v2/auth/login", app.base_url))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    let retry_after: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=150).contains(&retry_after), "Retry-After {retry_after}");
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({"message": "Too Many Attempts."})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exactly_the_limit_gets_through_under_concurrency() {
    let app = spawn_app_with_limits("chatx.comment=5/60").await;
    let user = app.register().await;
    let post = app.add_post(&user, "popular").await;
    let bodies = (0..20)
        .map(|i| json!({"postID": post, "content": format!("comment {i}")}))
        .collect();
    let answers = app.chatx_all("/chatx/moments/comment/add", &user.token, bodies).await;
    let accepted = answers.iter().filter(|a| a["errCode"] == 0).count();
    let throttled = answers.iter().filter(|a| a["errCode"] == 1429).count();
    assert_eq!((accepted, throttled), (5, 15), "{answers:?}");
    assert_eq!(
        answers.iter().find(|a| a["errCode"] == 1429).unwrap()["errMsg"],
        "TooManyRequestsError"
    );
    // Only the accepted ones are stored.
    let listed = app
        .chatx_ok("/chatx/moments/comment/list", &user.token, json!({"postID": post}))
        .await;
    assert_eq!(listed["comments"].as_array().unwrap().len(), 5, "{listed}");
}

#[tokio::test]
async fn registrations_from_one_source_are_limited_in_nobase_s_envelope() {
    let app = spawn_app_with_limits("nobase.register.ip=2/3600").await;
    let world = World::new(&app).await;
    let register = |account: String| {
        let params = world.params(&[("user", account), ("pass", "secret-pass".to_owned())]);
        let app = &app;
        async move { post_form(app, REGISTER, &params).await }
    };
    for _ in 0..2 {
        assert_eq!(register(unique("u")).await, ok(json!("注册成功")));
    }
    let env = register(unique("u")).await;
    assert_eq!(
        (env["code"].as_i64(), env["msg"].as_str()),
        (Some(429), Some("fail")),
        "{env}"
    );
}

#[tokio::test]
async fn messages_past_the_limit_get_an_error_frame_and_are_not_stored() {
    let app = spawn_app_with_limits("weifchat.message=2/60").await;
    let (a, b, _) = app.weif_people().await;
    let mut socket = app.socket(&format!("token={}", a.token)).await.unwrap();
    for i in 0..3 {
        let frame = json!({"action": "private_chat", "data": {"dataMsg": {"msgType": 0, "message": format!("m{i}")}, "fId": b.id}});
        socket.send_json(&frame).await;
    }
    let err = socket.recv_json().await;
    assert_eq!(
        (&err["event"], &err["data"]["status"]),
        (&json!("error"), &json!(429)),
        "{err}"
    );
    let history = app
        .weif_get_ok("/message/friend", &a.token, &[("userId", &a.id), ("friendId", &b.id)])
        .await;
    assert_eq!(history["data"]["messageList"].as_array().unwrap().len(), 2);
}

/// Likes are counted in the container first (`Rule::local_first`): a user's first quarter of
/// the limit writes no rate-limit item, the rest are counted in the table, and past both the
/// like is refused. One gateway process is one container per function here, so exactly
/// `limit + limit / 4` likes get through.
#[tokio::test]
async fn a_user_s_first_likes_write_no_rate_limit_item() {
    let app = spawn_app_with_limits("chatx.like=8/60").await;
    let user = app.register().await;
    let mut posts = Vec::new();
    for i in 0..11 {
        posts.push(app.add_post(&user, &format!("p{i}")).await);
    }
    app.requests("chatx-moments-like");
    let mut answers = Vec::new();
    let mut writes = Vec::new();
    for post in &posts {
        answers.push(
            app.chatx("/chatx/moments/like", &user.token, json!({"postID": post}))
                .await["errCode"]
                .clone(),
        );
        let calls = app.requests("chatx-moments-like");
        writes.push(calls.iter().filter(|op| *op == "UpdateItem").count());
    }
    let accepted = answers.iter().filter(|c| **c == 0).count();
    assert_eq!(accepted, 10, "8 counted in the table + 2 in the container: {answers:?}");
    assert_eq!(answers[10], 1429, "{answers:?}");
    assert_eq!(&writes[..2], [0, 0], "the container's share costs nothing: {writes:?}");
    assert!(
        writes[2..].iter().all(|w| *w >= 1),
        "then every like is counted in the table: {writes:?}"
    );
    let key = format!("{}user:{}", shared::throttle::PREFIX, user.user_id);
    assert_eq!(app.count_items(&key, "chatx.like").await, 1, "the like bucket");
}
