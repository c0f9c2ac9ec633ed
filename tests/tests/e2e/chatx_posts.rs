//! Moments posts: add, get, list with cursors, and delete with its cascade.

use chatx::keys as k;
use e2e::serde_json::json;
use e2e::{spawn_app, unique};

#[tokio::test]
async fn a_post_reads_back_with_counts_and_the_callers_like() {
    let app = spawn_app().await;
    let (author, fan) = (app.register().await, app.register().await);
    let data = app
        .chatx_ok(
            "/chatx/moments/post/add",
            &author.token,
            json!({"content": "  hello  ", "images": ["https://cdn.example.com/1.png"], "userID": fan.user_id}),
        )
        .await;
    let post = &data["post"];
    assert_eq!(post["userID"], author.user_id.as_str(), "author comes from the token");
    assert_eq!(post["content"], "hello");
    let post_id = post["postID"].as_str().unwrap();
    app.chatx_ok("/chatx/moments/like", &fan.token, json!({"postID": post_id}))
        .await;
    app.chatx_ok(
        "/chatx/moments/comment/add",
        &fan.token,
        json!({"postID": post_id, "content": "nice"}),
    )
    .await;

    let seen_by_fan = app
        .chatx_ok("/chatx/moments/post/get", &fan.token, json!({"postID": post_id}))
        .await;
    assert_eq!(
        seen_by_fan["post"],
        json!({
            "postID": post_id, "userID": author.user_id, "content": "hello",
            "images": ["https://cdn.example.com/1.png"], "createTime": post["createTime"],
            "likeCount": 1, "commentCount": 1, "liked": true
        })
    );
    let seen_by_author = app
        .chatx_ok("/chatx/moments/post/get", &author.token, json!({"postID": post_id}))
        .await;
    assert_eq!(seen_by_author["post"]["liked"], false);
    assert_eq!(
        app.requests("chatx-moments-post-get"),
        ["BatchGetItem", "BatchGetItem"],
        "one read per get"
    );
}

#[tokio::test]
async fn post_input_is_validated() {
    let app = spawn_app().await;
    let user = app.register().await;
    let add = "/chatx/moments/post/add";
    let env = app.chatx(add, &user.token, json!({"content": " ", "images": []})).await;
    assert_eq!(env["errDlt"], "content or images is required");
    let env = app
        .chatx(
            add,
            &user.token,
            json!({"content": "x", "images": vec!["https://x/y.png"; 10]}),
        )
        .await;
    assert_eq!(env["errDlt"], "at most 9 images");
    let env = app
        .chatx(add, &user.token, json!({"content": "x", "images": ["not a url"]}))
        .await;
    assert_eq!(env["errCode"], 1001);
    let env = app.chatx("/chatx/moments/post/get", &user.token, json!({})).await;
    assert_eq!(env["errDlt"], "postID is required");
    let env = app
        .chatx("/chatx/moments/post/get", &user.token, json!({"postID": unique("p")}))
        .await;
    assert_eq!(
        env,
        json!({"errCode":1004,"errMsg":"RecordNotFoundError","errDlt":"post not found"})
    );
}

#[tokio::test]
async fn post_list_pages_newest_first() {
    let app = spawn_app().await;
    let (author, viewer) = (app.register().await, app.register().await);
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(app.add_post(&author, &format!("post {i}")).await);
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    app.chatx_ok("/chatx/moments/like", &viewer.token, json!({"postID": ids[3]}))
        .await;
    let list = "/chatx/moments/post/list";
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .chatx_ok(
                list,
                &viewer.token,
                json!({"userID": author.user_id, "count": 2, "cursor": cursor}),
            )
            .await;
        for p in page["posts"].as_array().unwrap() {
            seen.push((p["postID"].as_str().unwrap().to_owned(), p["liked"].as_bool().unwrap()));
        }
        assert_eq!(
            app.requests("chatx-moments-post-list"),
            ["Query", "Query"],
            "one query of the posts and one of the viewer's likes among them per page"
        );
        cursor = page["nextCursor"].as_str().unwrap().to_owned();
        if cursor.is_empty() {
            break;
        }
    }
    let expected: Vec<(String, bool)> = ids.iter().rev().map(|id| (id.clone(), *id == ids[3])).collect();
    assert_eq!(seen, expected);

    let mine = app.chatx_ok(list, &author.token, json!({})).await;
    assert_eq!(
        mine["posts"].as_array().unwrap().len(),
        5,
        "no userID lists the caller's own posts"
    );
    let env = app.chatx(list, &author.token, json!({"count": 0})).await;
    assert_eq!(env["errDlt"], "count must be between 1 and 100");
    let env = app
        .chatx(list, &author.token, json!({"cursor": "eyJQSyI6IngifQ"}))
        .await;
    assert_eq!(env["errDlt"], "cursor is invalid");
}

#[tokio::test]
async fn only_the_author_deletes_a_post_and_its_likes_and_comments_go_with_it() {
    let app = spawn_app().await;
    let (author, fan) = (app.register().await, app.register().await);
    let post_id = app.add_post(&author, "p").await;
    let keep = app.add_post(&author, "keep").await;
    for u in [&author, &fan] {
        app.chatx_ok("/chatx/moments/like", &u.token, json!({"postID": post_id}))
            .await;
        app.chatx_ok(
            "/chatx/moments/comment/add",
            &u.token,
            json!({"postID": post_id, "content": "c"}),
        )
        .await;
    }
    let pk = k::post_partition(&post_id);
    assert_eq!(app.count_items(&pk, "").await, 5);

    let env = app
        .chatx("/chatx/moments/post/delete", &fan.token, json!({"postID": post_id}))
        .await;
    assert_eq!(env["errCode"], 1002, "{env}");
    assert_eq!(app.count_items(&pk, "").await, 5, "a refused delete changes nothing");

    let env = app
        .chatx("/chatx/moments/post/delete", &author.token, json!({"postID": post_id}))
        .await;
    assert_eq!(env, json!({"errCode":0,"errMsg":"","errDlt":""}));
    assert_eq!(app.count_items(&pk, "").await, 0, "post, likes and comments are gone");

    let env = app
        .chatx("/chatx/moments/post/get", &author.token, json!({"postID": post_id}))
        .await;
    assert_eq!(env["errCode"], 1004);
    let env = app
        .chatx("/chatx/moments/post/delete", &author.token, json!({"postID": post_id}))
        .await;
    assert_eq!(env["errCode"], 1004);
    let list = app.chatx_ok("/chatx/moments/post/list", &author.token, json!({})).await;
    let ids: Vec<&str> = list["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["postID"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [keep.as_str()]);
}

#[tokio::test]
async fn a_post_with_more_children_than_one_batch_is_deleted_whole() {
    let app = spawn_app().await;
    let author = app.register().await;
    let post_id = app.add_post(&author, "busy").await;
    for i in 0..30 {
        app.chatx_ok(
            "/chatx/moments/comment/add",
            &author.token,
            json!({"postID": post_id, "content": format!("{i}")}),
        )
        .await;
    }
    app.chatx_ok("/chatx/moments/post/delete", &author.token, json!({"postID": post_id}))
        .await;
    assert_eq!(app.count_items(&k::post_partition(&post_id), "").await, 0);
}

/// A delete that dies right after its first step (the post marked, its likes and comments still
/// there) leaves a post nobody can see or change, and the author's retry finishes the job.
#[tokio::test]
async fn a_delete_interrupted_after_marking_the_post_is_finished_by_a_retry() {
    use aws_sdk_dynamodb::types::AttributeValue;
    let app = spawn_app().await;
    let (author, fan) = (app.register().await, app.register().await);
    let post_id = app.add_post(&author, "p").await;
    app.chatx_ok("/chatx/moments/like", &fan.token, json!({"postID": post_id}))
        .await;
    app.chatx_ok(
        "/chatx/moments/comment/add",
        &fan.token,
        json!({"postID": post_id, "content": "c"}),
    )
    .await;
    let pk = k::post_partition(&post_id);
    app.dynamo
        .update_item()
        .table_name(&app.table)
        .set_key(Some(k::post(&post_id).to_item()))
        .update_expression("SET deletedAt = :now REMOVE GSI1PK, GSI1SK")
        .expression_attribute_values(":now", AttributeValue::N(shared::clock::now_ms().to_string()))
        .send()
        .await
        .unwrap();

    for (path, body) in [
        ("/chatx/moments/post/get", json!({"postID": post_id})),
        ("/chatx/moments/like", json!({"postID": post_id})),
        ("/chatx/moments/like", json!({"postID": post_id, "cancel": true})),
        (
            "/chatx/moments/comment/add",
            json!({"postID": post_id, "content": "late"}),
        ),
        ("/chatx/moments/comment/list", json!({"postID": post_id})),
    ] {
        assert_eq!(app.chatx(path, &fan.token, body).await["errCode"], 1004, "{path}");
    }
    assert_eq!(
        app.count_items(&pk, "").await,
        3,
        "nothing changed while the post is marked"
    );
    let env = app
        .chatx("/chatx/moments/post/delete", &fan.token, json!({"postID": post_id}))
        .await;
    assert_eq!(env["errCode"], 1002, "only the author may finish the delete");

    app.chatx_ok("/chatx/moments/post/delete", &author.token, json!({"postID": post_id}))
        .await;
    assert_eq!(app.count_items(&pk, "").await, 0);
}
