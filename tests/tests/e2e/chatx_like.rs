//! Seed 000, `POST /chatx/moments/like`: every row of its error table, its examples and the
//! guarantees beyond the seed (idempotence, identity from the token, request budget).

use chatx::keys as k;
use e2e::serde_json::json;
use e2e::{spawn_app, unique};

const LIKE: &str = "/chatx/moments/like";

#[tokio::test]
async fn seed_000_errcode_1001_when_header_operation_id_is_missing() {
    let app = spawn_app().await;
    let user = app.register().await;
    let (status, env) = app
        .raw("POST", LIKE, &[("token", &user.token)], r#"{"postID":"p_10001"}"#)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        env,
        json!({"errCode":1001,"errMsg":"ArgsError","errDlt":"header must have operationID"})
    );
}

#[tokio::test]
async fn seed_000_errcode_1001_when_header_token_is_missing() {
    let app = spawn_app().await;
    let (status, env) = app
        .raw("POST", LIKE, &[("operationID", "op")], r#"{"postID":"p_10001"}"#)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        env,
        json!({"errCode":1001,"errMsg":"ArgsError","errDlt":"token is empty"})
    );
}

#[tokio::test]
async fn seed_000_errcode_1001_when_post_id_is_empty() {
    let app = spawn_app().await;
    let user = app.register().await;
    for body in [
        json!({"postID": ""}),
        json!({}),
        json!({"postID": "   ", "cancel": true}),
    ] {
        let env = app.chatx(LIKE, &user.token, body).await;
        assert_eq!(
            env,
            json!({"errCode":1001,"errMsg":"ArgsError","errDlt":"postID and userID are required"})
        );
    }
}

#[tokio::test]
async fn seed_000_post_not_found_is_errcode_1004_and_writes_nothing() {
    let app = spawn_app().await;
    let user = app.register().await;
    let ghost = unique("p_");
    for cancel in [false, true] {
        let env = app
            .chatx(LIKE, &user.token, json!({"postID": ghost, "cancel": cancel}))
            .await;
        assert_eq!(
            env,
            json!({"errCode":1004,"errMsg":"RecordNotFoundError","errDlt":"post not found"})
        );
    }
    assert_eq!(app.count_items(&k::post_partition(&ghost), "").await, 0);
}

#[tokio::test]
async fn seed_000_fetch_example_answers_the_documented_envelope() {
    let app = spawn_app().await;
    let user = app.register().await;
    let post_id = app.add_post(&user, "hello").await;
    // The seed's own request: headers operationID/token/Content-Type, body {postID, cancel:false}.
    let (status, env) = app
        .raw(
            "POST",
            LIKE,
            &[("operationID", "moments-like-001"), ("token", &user.token)],
            json!({"postID": post_id, "cancel": false}).to_string(),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(env, json!({"errCode":0,"errMsg":"","errDlt":"","data":{"likeCount":1}}));
}

#[tokio::test]
async fn like_count_is_the_total_after_each_operation() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let post_id = app.add_post(&a, "p").await;
    let like = |token: String, cancel: bool| {
        let app = &app;
        let post_id = post_id.clone();
        async move {
            app.chatx_ok(LIKE, &token, json!({"postID": post_id, "cancel": cancel}))
                .await["likeCount"]
                .clone()
        }
    };
    assert_eq!(like(a.token.clone(), false).await, 1);
    assert_eq!(like(b.token.clone(), false).await, 2);
    assert_eq!(like(a.token.clone(), true).await, 1);
    assert_eq!(like(b.token.clone(), true).await, 0);
}

#[tokio::test]
async fn like_and_cancel_are_idempotent() {
    let app = spawn_app().await;
    let user = app.register().await;
    let post_id = app.add_post(&user, "p").await;
    for _ in 0..3 {
        let data = app.chatx_ok(LIKE, &user.token, json!({"postID": post_id})).await;
        assert_eq!(data["likeCount"], 1, "cancel omitted means like");
    }
    assert_eq!(app.count_items(&k::post_partition(&post_id), k::LIKE_PREFIX).await, 1);
    for _ in 0..3 {
        let data = app
            .chatx_ok(LIKE, &user.token, json!({"postID": post_id, "cancel": true}))
            .await;
        assert_eq!(data["likeCount"], 0);
    }
    assert_eq!(app.count_items(&k::post_partition(&post_id), k::LIKE_PREFIX).await, 0);
}

#[tokio::test]
async fn the_liker_is_the_token_user_never_a_body_user_id() {
    let app = spawn_app().await;
    let (me, other) = (app.register().await, app.register().await);
    let post_id = app.add_post(&other, "p").await;
    app.chatx_ok(LIKE, &me.token, json!({"postID": post_id, "userID": other.user_id}))
        .await;
    assert!(app.item(&k::like(&post_id, &me.user_id)).await.is_some());
    assert!(app.item(&k::like(&post_id, &other.user_id)).await.is_none());
}

/// A like needs its post's author and creation time (its GSI2 entry, read by the post page's
/// liked-by-me check): read once per post in a container (one gateway process is one container
/// per function here), remembered after. A cancel reads nothing first.
#[tokio::test]
async fn like_and_cancel_cost_one_transaction_and_one_read_after_the_first_like_reads_the_post() {
    let app = spawn_app().await;
    let user = app.register().await;
    let post_id = app.add_post(&user, "p").await;
    app.requests("chatx-moments-like");
    app.chatx_ok(LIKE, &user.token, json!({"postID": post_id})).await;
    assert_eq!(
        app.requests("chatx-moments-like"),
        ["GetItem", "TransactWriteItems", "GetItem"],
        "the first like of the post reads its author and creation time"
    );
    for cancel in [false, true, true, false] {
        app.chatx_ok(LIKE, &user.token, json!({"postID": post_id, "cancel": cancel}))
            .await;
        assert_eq!(
            app.requests("chatx-moments-like"),
            ["TransactWriteItems", "GetItem"],
            "cancel={cancel}"
        );
    }
}

#[tokio::test]
async fn a_cancel_of_a_post_never_liked_here_reads_nothing_first() {
    let app = spawn_app().await;
    let user = app.register().await;
    let post_id = app.add_post(&user, "p").await;
    app.requests("chatx-moments-like");
    let data = app
        .chatx_ok(LIKE, &user.token, json!({"postID": post_id, "cancel": true}))
        .await;
    assert_eq!(data["likeCount"], 0);
    assert_eq!(app.requests("chatx-moments-like"), ["TransactWriteItems", "GetItem"]);
}

#[tokio::test]
async fn a_deleted_post_cannot_be_liked() {
    let app = spawn_app().await;
    let user = app.register().await;
    let post_id = app.add_post(&user, "p").await;
    app.chatx_ok("/chatx/moments/post/delete", &user.token, json!({"postID": post_id}))
        .await;
    app.requests("chatx-moments-like");
    let env = app.chatx(LIKE, &user.token, json!({"postID": post_id})).await;
    assert_eq!(env["errCode"], 1004);
    assert_eq!(
        app.requests("chatx-moments-like"),
        ["GetItem"],
        "the read before the like finds the post deleted: no transaction"
    );
    assert_eq!(app.count_items(&k::post_partition(&post_id), "").await, 0);
}

#[tokio::test]
async fn bad_tokens_get_distinct_token_codes() {
    let app = spawn_app().await;
    let user = app.register().await;
    let post_id = app.add_post(&user, "p").await;
    let expired = app.tokens.issue_expired(&user.user_id, chatx::AUDIENCE, 5).unwrap();
    let foreign = shared::auth::Tokens::new(&[3u8; 32], 60)
        .issue(&user.user_id, chatx::AUDIENCE)
        .unwrap();
    let (signed, signature) = user.token.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
    let tampered = format!("{signed}.{flipped}{}", &signature[1..]);
    for (token, code, msg) in [
        (expired.as_str(), 1501, "TokenExpiredError"),
        (foreign.as_str(), 1502, "TokenInvalidError"),
        (tampered.as_str(), 1502, "TokenInvalidError"),
        ("definitely-not-a-jwt", 1503, "TokenMalformedError"),
    ] {
        let env = app.chatx(LIKE, token, json!({"postID": post_id})).await;
        assert_eq!(
            (env["errCode"].as_i64().unwrap(), env["errMsg"].as_str().unwrap()),
            (code, msg),
            "{env}"
        );
    }
    assert_eq!(app.count_items(&k::post_partition(&post_id), k::LIKE_PREFIX).await, 0);
}

#[tokio::test]
async fn malformed_wrong_typed_and_oversized_bodies_are_1001_and_write_nothing() {
    let app = spawn_app().await;
    let user = app.register().await;
    let post_id = app.add_post(&user, "p").await;
    let headers = [("operationID", "op"), ("token", user.token.as_str())];
    let oversized = json!({"postID": post_id, "pad": "x".repeat(70 * 1024)}).to_string();
    for body in [
        "{\"postID\":".to_owned(),
        json!({"postID": post_id, "cancel": "yes"}).to_string(),
        json!({"postID": 42}).to_string(),
        "[]".to_owned(),
        oversized,
    ] {
        let (status, env) = app.raw("POST", LIKE, &headers, body.clone()).await;
        assert_eq!(status, 200);
        assert_eq!(env["errCode"], 1001, "{body:.60}: {env}");
        assert_eq!(env["errMsg"], "ArgsError");
    }
    assert_eq!(app.count_items(&k::post_partition(&post_id), k::LIKE_PREFIX).await, 0);
}

#[tokio::test]
async fn like_list_shows_likers_newest_first_with_profiles() {
    let app = spawn_app().await;
    let author = app.register().await;
    let post_id = app.add_post(&author, "p").await;
    let mut likers = Vec::new();
    for _ in 0..3 {
        let u = app.register().await;
        app.chatx_ok(LIKE, &u.token, json!({"postID": post_id})).await;
        likers.push(u);
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    let page1 = app
        .chatx_ok(
            "/chatx/moments/like/list",
            &author.token,
            json!({"postID": post_id, "count": 2}),
        )
        .await;
    let ids: Vec<&str> = page1["likes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["userID"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [likers[2].user_id.as_str(), likers[1].user_id.as_str()]);
    assert_eq!(page1["likes"][0]["nickname"], format!("nick {}", likers[2].account));
    let cursor = page1["nextCursor"].as_str().unwrap();
    assert!(!cursor.is_empty());
    let page2 = app
        .chatx_ok(
            "/chatx/moments/like/list",
            &author.token,
            json!({"postID": post_id, "count": 2, "cursor": cursor}),
        )
        .await;
    assert_eq!(page2["likes"][0]["userID"], likers[0].user_id.as_str());
    assert_eq!(page2["likes"].as_array().unwrap().len(), 1);
    let env = app
        .chatx(
            "/chatx/moments/like/list",
            &author.token,
            json!({"postID": unique("p")}),
        )
        .await;
    assert_eq!(env["errCode"], 1004);
}
