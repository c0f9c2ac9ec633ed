//! The like, favorite, comment and message storms of the earlier issues again, with 10% of the
//! functions' DynamoDB requests meeting an injected fault (`e2e::faults`: 5xx, throttling,
//! `TransactionConflict`, latency, connections dropped before and after the server applied the
//! request). Every client gets a success or its surface's clear "busy, retry" answer (a 503 in
//! its own envelope, nothing else); afterwards, read directly and consistently, every counter
//! equals its relation items, nothing is orphaned, and the successes equal what is stored. Each
//! test also checks that faults of several kinds were really injected, so it can't pass
//! vacuously. Figures: docs/reliability.md.

use std::collections::BTreeSet;

use e2e::faults::{FaultProxy, Faults, Injected, Kind};
use e2e::info::InfoUser;
use e2e::nobase::{Member, POST_LIKE, World, encode};
use e2e::serde_json::{Value, json};
use e2e::{TestApp, User, spawn_app_with_faults};

const RATE: f64 = 0.10;

/// How many times a client retries an answer that said "busy, retry".
const CLIENT_RETRIES: usize = 5;

/// Stops injecting and checks that faults were injected, of several kinds; prints the figures
/// (docs/reliability.md's table).
fn injected(proxy: &FaultProxy, storm: &str) -> Injected {
    proxy.stop_injecting();
    let injected = proxy.injected();
    eprintln!("faults injected in {storm}: {injected:?}");
    assert!(
        injected.total() >= 5 && injected.kinds_seen() >= 3,
        "{storm}: too few faults injected to prove anything: {injected:?}"
    );
    injected
}

// chatx ------------------------------------------------------------------------------------

/// chatx's busy answer: errCode 503 in its envelope.
fn chatx_busy(env: &Value) -> bool {
    *env == json!({"errCode": 503, "errMsg": "ServerBusyError", "errDlt": "the service is busy, retry after 1 s"})
}

async fn chatx_like(app: &TestApp, user: &User, post_id: &str, cancel: bool) -> Value {
    app.chatx(
        "/chatx/moments/like",
        &user.token,
        json!({"postID": post_id, "cancel": cancel}),
    )
    .await
}

async fn chatx_like_count(app: &TestApp, post_id: &str) -> (i64, usize) {
    let post = app.item(&chatx::keys::post(post_id)).await.unwrap();
    let count = post.get("likeCount").map_or(0, |n| n.as_n().unwrap().parse().unwrap());
    let items = app
        .count_items(&chatx::keys::post_partition(post_id), chatx::keys::LIKE_PREFIX)
        .await;
    (count, items)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn chatx_likes_and_comments_at_ten_percent_store_faults_stay_exact() {
    let (app, proxy) = spawn_app_with_faults(Faults::all(RATE, 10_001), false).await;
    let mut users = Vec::new();
    for _ in 0..30 {
        users.push(app.register().await);
    }
    let post_id = app.add_post(&users[0], "faulty").await;
    proxy.start_injecting();

    // Thirty users like at once; a busy answer is retried, as a client would.
    let answers = futures_util::future::join_all(users.iter().map(|u| chatx_like(&app, u, &post_id, false))).await;
    let mut liked = 0;
    for (user, mut env) in users.iter().zip(answers) {
        for _ in 0..CLIENT_RETRIES {
            if !chatx_busy(&env) {
                break;
            }
            env = chatx_like(&app, user, &post_id, false).await;
        }
        assert_eq!(env["errCode"], 0, "{env}");
        assert!((1..=30).contains(&env["data"]["likeCount"].as_i64().unwrap()), "{env}");
        liked += 1;
    }
    assert_eq!(chatx_like_count(&app, &post_id).await, (liked, 30));

    // A storm of likes and cancels by twelve of them: success or busy, nothing else.
    let calls: Vec<(usize, bool)> = (0..80)
        .map(|_| (rand::random_range(0..12), rand::random::<bool>()))
        .collect();
    let answers = futures_util::future::join_all(
        calls
            .iter()
            .map(|(u, cancel)| chatx_like(&app, &users[*u], &post_id, *cancel)),
    )
    .await;
    for env in &answers {
        assert!(env["errCode"] == 0 || chatx_busy(env), "{env}");
    }
    let (count, items) = chatx_like_count(&app, &post_id).await;
    assert_eq!(count, items as i64);
    assert!((18..=30).contains(&items), "the 18 others' likes stay: {items}");

    // Thirty comments at once: each success is one stored, counted comment.
    let bodies = (0..30)
        .map(|i| json!({"postID": post_id, "content": format!("c{i}")}))
        .collect();
    let answers = app
        .chatx_all("/chatx/moments/comment/add", &users[1].token, bodies)
        .await;
    let mut commented = 0;
    for env in &answers {
        assert!(env["errCode"] == 0 || chatx_busy(env), "{env}");
        commented += usize::from(env["errCode"] == 0);
    }
    let injected = injected(&proxy, "chatx");
    let post = app.item(&chatx::keys::post(&post_id)).await.unwrap();
    let comments = app
        .count_items(&chatx::keys::post_partition(&post_id), chatx::keys::COMMENT_PREFIX)
        .await;
    assert_eq!(comments, commented, "every comment answered success is stored, once");
    assert_eq!(post["commentCount"].as_n().unwrap(), &commented.to_string());
    assert!(injected.count(Kind::DropAfterForwarding) + injected.count(Kind::TransactionConflict) > 0);
}

// nobase -----------------------------------------------------------------------------------

/// nobase's busy answer: code 503 in its envelope.
fn nobase_busy(env: &Value) -> bool {
    *env == json!({"code": 503, "msg": "fail", "data": "服务器繁忙,请1秒后再试!"})
}

async fn nobase_like(app: &TestApp, world: &World, member: &Member, like: &str) -> Value {
    let url = format!(
        "{}{POST_LIKE}?{}",
        app.base_url,
        encode(&world.like_params(member, like))
    );
    let resp = app.http.get(url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nobase_likes_at_ten_percent_store_faults_stay_exact() {
    let (app, proxy) = spawn_app_with_faults(Faults::all(RATE, 10_002), false).await;
    let world = World::new(&app).await;
    let fans = world.members_direct(40).await;
    let togglers = world.members_direct(12).await;
    proxy.start_injecting();

    // Forty members like at once; a busy answer is retried.
    let answers = futures_util::future::join_all(fans.iter().map(|m| nobase_like(&app, &world, m, "1"))).await;
    let mut liked = 0;
    for (member, mut env) in fans.iter().zip(answers) {
        for _ in 0..CLIENT_RETRIES {
            if !nobase_busy(&env) {
                break;
            }
            env = nobase_like(&app, &world, member, "1").await;
        }
        assert_eq!(env, json!({"code": 200, "msg": "success", "data": "操作成功"}));
        liked += 1;
    }
    assert_eq!(world.likes(&app, &world.post).await, (liked, 40));

    // A storm of likes and cancels by twelve others: every 200 moved the count by one.
    let calls: Vec<(usize, &str)> = (0..100)
        .map(|_| {
            (
                rand::random_range(0..12),
                if rand::random::<bool>() { "1" } else { "2" },
            )
        })
        .collect();
    let answers = futures_util::future::join_all(
        calls
            .iter()
            .map(|(m, like)| nobase_like(&app, &world, &togglers[*m], like)),
    )
    .await;
    let mut moved = 0i64;
    for ((_, like), env) in calls.iter().zip(&answers) {
        match env["code"].as_i64() {
            Some(200) => moved += if *like == "1" { 1 } else { -1 },
            Some(405) => assert!(
                env["data"] == "该帖子您已经点赞过了" || env["data"] == "该帖子您还没有点赞过哦!",
                "{env}"
            ),
            _ => assert!(nobase_busy(env), "{env}"),
        }
    }
    injected(&proxy, "nobase");
    let (count, items) = world.likes(&app, &world.post).await;
    assert_eq!(count, items as i64);
    assert_eq!(count, 40 + moved, "every 200 moved the count by one, nothing else did");
}

// info -------------------------------------------------------------------------------------

fn at(id: u64, what: &str) -> String {
    format!("/api/v2/infos/{id}/{what}")
}

/// A reaction call; its status, after checking the answer is a 204 or info's busy answer.
async fn react(app: &TestApp, id: u64, what: &str, user: &InfoUser, on: bool) -> u16 {
    let method = if on {
        reqwest::Method::PUT
    } else {
        reqwest::Method::DELETE
    };
    let resp = app
        .http
        .request(method, format!("{}{}", app.base_url, at(id, what)))
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let retry_after = resp.headers().get("retry-after").cloned();
    let body = resp.text().await.unwrap();
    match status {
        204 => assert_eq!(body, ""),
        503 => {
            assert_eq!(body, json!({"message": "Service Unavailable"}).to_string());
            assert_eq!(retry_after.unwrap(), "1");
        }
        _ => panic!("{what}: {status} {body}"),
    }
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn info_likes_and_favorites_at_ten_percent_store_faults_stay_exact() {
    let (app, proxy) = spawn_app_with_faults(Faults::all(RATE, 10_003), true).await;
    let admin = app.info_admin().await;
    let category = app.category(&admin).await;
    let id = app.publish(&admin, category, json!({})).await["id"].as_u64().unwrap();
    let mut fans = Vec::new();
    for _ in 0..30 {
        fans.push(app.info_user().await);
    }
    proxy.start_injecting();

    // Thirty users like at once; a busy answer is retried.
    let statuses = futures_util::future::join_all(fans.iter().map(|f| react(&app, id, "like", f, true))).await;
    for (fan, mut status) in fans.iter().zip(statuses) {
        for _ in 0..CLIENT_RETRIES {
            if status != 503 {
                break;
            }
            status = react(&app, id, "like", fan, true).await;
        }
        assert_eq!(status, 204);
    }
    let counter = |name: &'static str| {
        let app = &app;
        async move {
            let item = app.item(&info::keys::stats(id)).await.unwrap();
            item.get(name).map_or(0, |v| v.as_n().unwrap().parse::<i64>().unwrap())
        }
    };
    let stored = |prefix: &'static str| {
        let app = &app;
        async move { app.count_items(&info::keys::info_partition(id), prefix).await as i64 }
    };
    assert_eq!(
        (counter("likes_count").await, stored(info::keys::LIKE_PREFIX).await),
        (30, 30)
    );

    // Storms of favorites and takebacks, then likes and takebacks, by ten of them.
    for what in ["favorite", "like"] {
        let calls: Vec<(usize, bool)> = (0..80)
            .map(|_| (rand::random_range(0..10), rand::random::<bool>()))
            .collect();
        futures_util::future::join_all(calls.iter().map(|(f, on)| react(&app, id, what, &fans[*f], *on))).await;
    }
    injected(&proxy, "info");
    let (likes, favorites) = (
        stored(info::keys::LIKE_PREFIX).await,
        stored(info::keys::FAVORITE_PREFIX).await,
    );
    assert_eq!(counter("likes_count").await, likes);
    assert_eq!(counter("favorites_count").await, favorites);
    assert!(likes >= 20, "the 20 others' likes stay: {likes}");
    let mut copies = (0, 0);
    for fan in &fans {
        use info::keys::Relation;
        copies.0 += app
            .count_index_items(&info::keys::relations(fan.id, Relation::Like))
            .await as i64;
        copies.1 += app
            .count_index_items(&info::keys::relations(fan.id, Relation::Favorite))
            .await as i64;
    }
    assert_eq!(
        copies,
        (likes, favorites),
        "each record is under its user's likes (GSI1)"
    );
}

// weifChat ---------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn weifchat_messages_at_ten_percent_store_faults_get_gap_free_seqs() {
    let (app, proxy) = spawn_app_with_faults(Faults::all(RATE, 10_004), false).await;
    let (a, b, _) = app.weif_people().await;
    let mut sockets = Vec::new();
    for _ in 0..4 {
        sockets.push(app.weif_connect(&a).await.0);
    }
    proxy.start_injecting();
    let sends = sockets.iter_mut().enumerate().map(|(i, socket)| {
        let b = &b;
        async move {
            for j in 0..5 {
                let frame = json!({"action": "private_chat", "data": {"dataMsg": {"msgType": 0, "message": format!("{i}-{j}")}, "fId": b.id}});
                socket.send_json(&frame).await;
            }
            // Frames of a connection are answered in order: the `$default` route's answer to an
            // unknown action (an error frame, whatever the store did) ends this socket's answers.
            socket.send_json(&json!({"action": "end-of-storm"})).await;
            let mut busy = 0;
            loop {
                let frame = socket.recv_json().await;
                match frame["event"].as_str() {
                    // Another of the sender's connections' message, pushed to this one.
                    Some("private_chat") => {}
                    Some("error") if frame["data"]["action"] == "$default" => return busy,
                    Some("error") => {
                        assert_eq!(
                            frame,
                            json!({"event": "error", "data": {"action": "private_chat", "status": 503, "msg": "服务器繁忙, 请1秒后再试"}})
                        );
                        busy += 1;
                    }
                    _ => panic!("unexpected frame {frame}"),
                }
            }
        }
    });
    let busy: usize = futures_util::future::join_all(sends).await.into_iter().sum();
    injected(&proxy, "weifChat");
    let sent = 20 - busy as u64;
    let env = app
        .weif_get_ok(
            "/message/sync/friend",
            &b.token,
            &[("userId", &b.id), ("id", &a.id), ("seq", "0")],
        )
        .await;
    let seqs: BTreeSet<u64> = env["data"]["messageList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=sent).collect(), "one message per success, gap-free");
    let conv = app.item(&weifchat::keys::conversation(&b.id, &a.id)).await.unwrap();
    assert_eq!(conv["unread"].as_n().unwrap(), &sent.to_string());
}
