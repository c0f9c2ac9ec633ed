//! Seed 001, `POST /chatx/moments/comment/add`: every row of its error table, the example,
//! reply validation beyond the seed; and the comment list and delete around it.

use chatx::keys as k;
use e2e::serde_json::{Value, json};
use e2e::{spawn_app, unique};

const ADD: &str = "/chatx/moments/comment/add";

#[tokio::test]
async fn seed_001_errcode_1001_when_header_operation_id_is_missing() {
    let app = spawn_app().await;
    let user = app.register().await;
    let (status, env) = app
        .raw(
            "POST",
            ADD,
            &[("token", &user.token)],
            r#"{"postID":"p","content":"x"}"#,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        env,
        json!({"errCode":1001,"errMsg":"ArgsError","errDlt":"header must have operationID"})
    );
}

#[tokio::test]
async fn seed_001_errcode_1001_when_header_token_is_missing() {
    let app = spawn_app().await;
    let (status, env) = app
        .raw("POST", ADD, &[("operationID", "op")], r#"{"postID":"p","content":"x"}"#)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        env,
        json!({"errCode":1001,"errMsg":"ArgsError","errDlt":"token is empty"})
    );
}

#[tokio::test]
async fn seed_001_errcode_1001_when_post_id_is_empty() {
    let app = spawn_app().await;
    let user = app.register().await;
    let env = app.chatx(ADD, &user.token, json!({"postID": "", "content": "x"})).await;
    assert_eq!(
        env,
        json!({"errCode":1001,"errMsg":"ArgsError","errDlt":"postID and userID are required"})
    );
}

#[tokio::test]
async fn seed_001_errcode_1001_when_content_is_empty() {
    let app = spawn_app().await;
    let user = app.register().await;
    let post_id = app.add_post(&user, "p").await;
    for content in [json!(""), json!("  \n "), Value::Null] {
        let env = app
            .chatx(ADD, &user.token, json!({"postID": post_id, "content": content}))
            .await;
        assert_eq!(
            env,
            json!({"errCode":1001,"errMsg":"ArgsError","errDlt":"content is required"}),
            "{content}"
        );
    }
    assert_eq!(
        app.count_items(&k::post_partition(&post_id), k::COMMENT_PREFIX).await,
        0
    );
}

#[tokio::test]
async fn seed_001_post_not_found_is_errcode_1004_and_writes_nothing() {
    let app = spawn_app().await;
    let user = app.register().await;
    let ghost = unique("p_");
    let env = app
        .chatx(ADD, &user.token, json!({"postID": ghost, "content": "收到,安排。"}))
        .await;
    assert_eq!(
        env,
        json!({"errCode":1004,"errMsg":"RecordNotFoundError","errDlt":"post not found"})
    );
    assert_eq!(app.count_items(&k::post_partition(&ghost), "").await, 0);
}

#[tokio::test]
async fn seed_001_fetch_example_answers_the_documented_comment() {
    let app = spawn_app().await;
    let author = app.register().await;
    let bob = app.register().await;
    let post_id = app.add_post(&author, "p").await;
    let before = shared::clock::now_ms();
    let (status, env) = app
        .raw(
            "POST",
            ADD,
            &[("operationID", "moments-comment-add-001"), ("token", &bob.token)],
            json!({"postID": post_id, "replyToCommentID": "", "content": "收到,安排。"}).to_string(),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (&env["errCode"], &env["errMsg"], &env["errDlt"]),
        (&json!(0), &json!(""), &json!(""))
    );
    let comment = &env["data"]["comment"];
    let id = comment["commentID"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "commentID is a UUID: {id}");
    let created = comment["createTime"].as_i64().unwrap();
    assert!(
        created >= before && created <= shared::clock::now_ms(),
        "createTime is in milliseconds"
    );
    assert_eq!(
        *comment,
        json!({
            "commentID": id,
            "postID": post_id,
            "userID": bob.user_id,
            "replyToCommentID": "",
            "content": "收到,安排。",
            "createTime": created,
            "commenter": {
                "userID": bob.user_id,
                "nickname": format!("nick {}", bob.account),
                "faceURL": format!("https://cdn.example.com/{}.png", bob.account)
            }
        })
    );
}

#[tokio::test]
async fn the_commenter_is_the_token_user_never_a_body_user_id() {
    let app = spawn_app().await;
    let (me, other) = (app.register().await, app.register().await);
    let post_id = app.add_post(&other, "p").await;
    let data = app
        .chatx_ok(
            ADD,
            &me.token,
            json!({"postID": post_id, "content": "hi", "userID": other.user_id}),
        )
        .await;
    assert_eq!(data["comment"]["userID"], me.user_id.as_str());
    assert_eq!(data["comment"]["commenter"]["userID"], me.user_id.as_str());
}

#[tokio::test]
async fn comments_count_on_the_post_in_the_same_write() {
    let app = spawn_app().await;
    let user = app.register().await;
    let post_id = app.add_post(&user, "p").await;
    app.requests("chatx-moments-comment-add");
    for i in 0..3 {
        app.chatx_ok(ADD, &user.token, json!({"postID": post_id, "content": format!("c{i}")}))
            .await;
        let mut ops = app.requests("chatx-moments-comment-add");
        ops.sort();
        assert_eq!(
            ops,
            ["GetItem", "TransactWriteItems"],
            "one transaction plus the commenter's profile"
        );
    }
    let post = app
        .chatx_ok("/chatx/moments/post/get", &user.token, json!({"postID": post_id}))
        .await;
    assert_eq!(post["post"]["commentCount"], 3);
}

#[tokio::test]
async fn a_reply_targets_a_comment_of_the_same_post() {
    let app = spawn_app().await;
    let user = app.register().await;
    let post_id = app.add_post(&user, "p").await;
    let other_post = app.add_post(&user, "q").await;
    let first = app
        .chatx_ok(ADD, &user.token, json!({"postID": post_id, "content": "first"}))
        .await;
    let first_id = first["comment"]["commentID"].as_str().unwrap().to_owned();
    let elsewhere = app
        .chatx_ok(ADD, &user.token, json!({"postID": other_post, "content": "elsewhere"}))
        .await;
    let elsewhere_id = elsewhere["comment"]["commentID"].as_str().unwrap().to_owned();

    let reply = app
        .chatx_ok(
            ADD,
            &user.token,
            json!({"postID": post_id, "replyToCommentID": first_id, "content": "re"}),
        )
        .await;
    assert_eq!(reply["comment"]["replyToCommentID"], first_id.as_str());

    for target in [unique("c"), elsewhere_id] {
        let env = app
            .chatx(
                ADD,
                &user.token,
                json!({"postID": post_id, "replyToCommentID": target, "content": "re"}),
            )
            .await;
        assert_eq!(
            env,
            json!({"errCode":1004,"errMsg":"RecordNotFoundError","errDlt":"replyToCommentID not found in this post"})
        );
    }
    let env = app
        .chatx(
            ADD,
            &user.token,
            json!({"postID": post_id, "replyToCommentID": "bad#id", "content": "re"}),
        )
        .await;
    assert_eq!(env["errDlt"], "replyToCommentID is invalid");
    assert_eq!(
        app.count_items(&k::post_partition(&post_id), k::COMMENT_PREFIX).await,
        2
    );
    let post = app
        .chatx_ok("/chatx/moments/post/get", &user.token, json!({"postID": post_id}))
        .await;
    assert_eq!(post["post"]["commentCount"], 2);
}

#[tokio::test]
async fn content_has_a_maximum_length() {
    let app = spawn_app().await;
    let user = app.register().await;
    let post_id = app.add_post(&user, "p").await;
    let max = chatx::MAX_COMMENT_CHARS;
    app.chatx_ok(
        ADD,
        &user.token,
        json!({"postID": post_id, "content": "好".repeat(max)}),
    )
    .await;
    let env = app
        .chatx(
            ADD,
            &user.token,
            json!({"postID": post_id, "content": "好".repeat(max + 1)}),
        )
        .await;
    assert_eq!(
        env,
        json!({"errCode":1001,"errMsg":"ArgsError","errDlt":"content must be at most 1000 characters"})
    );
}

#[tokio::test]
async fn comment_list_pages_oldest_first_with_commenters() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let post_id = app.add_post(&a, "p").await;
    for (i, u) in [&a, &b, &a].into_iter().enumerate() {
        app.chatx_ok(ADD, &u.token, json!({"postID": post_id, "content": format!("c{i}")}))
            .await;
    }
    let list = "/chatx/moments/comment/list";
    let page1 = app
        .chatx_ok(list, &b.token, json!({"postID": post_id, "count": 2}))
        .await;
    let contents: Vec<&str> = page1["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, ["c0", "c1"]);
    assert_eq!(
        page1["comments"][1]["commenter"]["nickname"],
        format!("nick {}", b.account)
    );
    let cursor = page1["nextCursor"].as_str().unwrap();
    let page2 = app
        .chatx_ok(list, &b.token, json!({"postID": post_id, "count": 2, "cursor": cursor}))
        .await;
    assert_eq!(page2["comments"].as_array().unwrap().len(), 1);
    assert_eq!(page2["comments"][0]["content"], "c2");
    assert_eq!(page2["nextCursor"], "");

    let env = app
        .chatx(list, &b.token, json!({"postID": post_id, "cursor": "garbage"}))
        .await;
    assert_eq!(
        env,
        json!({"errCode":1001,"errMsg":"ArgsError","errDlt":"cursor is invalid"})
    );
    let env = app.chatx(list, &b.token, json!({"postID": unique("p")})).await;
    assert_eq!(env["errCode"], 1004);
}

#[tokio::test]
async fn a_cursor_of_one_post_does_not_open_another() {
    let app = spawn_app().await;
    let user = app.register().await;
    let (p1, p2) = (app.add_post(&user, "1").await, app.add_post(&user, "2").await);
    for _ in 0..2 {
        app.chatx_ok(ADD, &user.token, json!({"postID": p1, "content": "x"}))
            .await;
    }
    let page = app
        .chatx_ok(
            "/chatx/moments/comment/list",
            &user.token,
            json!({"postID": p1, "count": 1}),
        )
        .await;
    let env = app
        .chatx(
            "/chatx/moments/comment/list",
            &user.token,
            json!({"postID": p2, "cursor": page["nextCursor"]}),
        )
        .await;
    assert_eq!(env["errDlt"], "cursor is invalid");
}

#[tokio::test]
async fn only_the_commenter_or_the_post_author_deletes_a_comment() {
    let app = spawn_app().await;
    let (author, commenter, stranger) = (app.register().await, app.register().await, app.register().await);
    let post_id = app.add_post(&author, "p").await;
    let add = |text: &'static str| {
        let (app, token, post_id) = (&app, commenter.token.clone(), post_id.clone());
        async move {
            let data = app
                .chatx_ok(ADD, &token, json!({"postID": post_id, "content": text}))
                .await;
            data["comment"]["commentID"].as_str().unwrap().to_owned()
        }
    };
    let (c1, c2) = (add("one").await, add("two").await);
    let delete = "/chatx/moments/comment/delete";

    let env = app.chatx(delete, &stranger.token, json!({"commentID": c1})).await;
    assert_eq!(env["errCode"], 1002, "{env}");
    assert_eq!(env["errMsg"], "NoPermissionError");
    assert_eq!(
        app.count_items(&k::post_partition(&post_id), k::COMMENT_PREFIX).await,
        2
    );

    app.chatx_ok(delete, &commenter.token, json!({"commentID": c1})).await;
    app.chatx_ok(delete, &author.token, json!({"commentID": c2})).await;
    assert_eq!(
        app.count_items(&k::post_partition(&post_id), k::COMMENT_PREFIX).await,
        0
    );
    let post = app
        .chatx_ok("/chatx/moments/post/get", &author.token, json!({"postID": post_id}))
        .await;
    assert_eq!(post["post"]["commentCount"], 0);

    let env = app.chatx(delete, &author.token, json!({"commentID": c2})).await;
    assert_eq!(env["errCode"], 1004);
    let env = app.chatx(delete, &author.token, json!({"commentID": ""})).await;
    assert_eq!(env["errDlt"], "commentID is required");
}
