//! Issue 11 (reads ≤ $1.50 per million pages): a post page's "liked by me" check is one small
//! Query of the viewer's likes of that author's posts (GSI2, keys only), not a read of one like
//! key per post.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use chatx::keys as k;
use e2e::serde_json::{Value, json};
use e2e::{TestApp, User, spawn_app};

const LIST: &str = "/chatx/moments/post/list";
const LIKE: &str = "/chatx/moments/like";

/// One page of `author`'s posts as `viewer` sees it: (postID, liked) newest first, and the cursor.
async fn page(
    app: &TestApp,
    viewer: &User,
    author: &User,
    count: usize,
    cursor: &str,
) -> (Vec<(String, bool)>, String) {
    let data = app
        .chatx_ok(
            LIST,
            &viewer.token,
            json!({"userID": author.user_id, "count": count, "cursor": cursor}),
        )
        .await;
    let posts = data["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["postID"].as_str().unwrap().to_owned(), p["liked"].as_bool().unwrap()))
        .collect();
    (posts, data["nextCursor"].as_str().unwrap().to_owned())
}

async fn like(app: &TestApp, user: &User, post_id: &str, cancel: bool) -> Value {
    app.chatx(LIKE, &user.token, json!({"postID": post_id, "cancel": cancel}))
        .await
}

/// The GSI2 sort keys stored under `viewer`'s likes of `author`'s posts (a direct read).
async fn liked_entries(app: &TestApp, viewer: &User, author: &User) -> Vec<String> {
    let out = app
        .dynamo
        .query()
        .table_name(&app.table)
        .index_name(shared::keys::GSI2)
        .key_condition_expression("#pk = :pk")
        .expression_attribute_names("#pk", shared::keys::GSI2_PK)
        .expression_attribute_values(
            ":pk",
            AttributeValue::S(k::liked_posts(&viewer.user_id, &author.user_id)),
        )
        .send()
        .await
        .expect("query GSI2");
    out.items()
        .iter()
        .map(|i| i[shared::keys::GSI2_SK].as_s().unwrap().clone())
        .collect()
}

#[tokio::test]
async fn a_page_of_20_posts_checks_the_viewers_likes_in_one_query_of_the_likes_on_the_page() {
    let app = spawn_app().await;
    let (author, viewer) = (app.register().await, app.register().await);
    for i in 0..30 {
        app.add_post(&author, &format!("post {i}")).await;
    }
    let (first, cursor) = page(&app, &viewer, &author, 20, "").await;
    let (second, end) = page(&app, &viewer, &author, 20, &cursor).await;
    assert_eq!((first.len(), second.len(), end.as_str()), (20, 10, ""));
    assert!(first.iter().chain(&second).all(|(_, liked)| !liked));

    // 4 likes on page 1 (its newest and oldest post among them: the Query's bounds are
    // inclusive) and 3 on page 2 (its newest and oldest too).
    let liked: BTreeSet<String> = [0, 7, 12, 19]
        .iter()
        .map(|i| first[*i].0.clone())
        .chain([0, 5, 9].iter().map(|i| second[*i].0.clone()))
        .collect();
    for post_id in &liked {
        assert_eq!(like(&app, &viewer, post_id, false).await["errCode"], 0);
    }
    // Another viewer's likes and the viewer's like of another author's post are elsewhere.
    let (other_viewer, other_author) = (app.register().await, app.register().await);
    like(&app, &other_viewer, &first[3].0, false).await;
    let elsewhere = app.add_post(&other_author, "elsewhere").await;
    like(&app, &viewer, &elsewhere, false).await;

    app.calls("chatx-moments-post-list");
    let (first, cursor) = page(&app, &viewer, &author, 20, "").await;
    let calls = app.calls("chatx-moments-post-list");
    let ops: Vec<&str> = calls.iter().map(|c| c.operation.as_str()).collect();
    assert_eq!(
        ops,
        ["Query", "Query"],
        "the page, then the viewer's likes among it: {calls:?}"
    );
    let read: usize = calls.iter().map(|c| c.items_read).sum();
    assert!(read <= 20 + 4, "the page and the likes on it, nothing more: {calls:?}");
    assert_eq!(
        calls[1].items_read, 4,
        "exactly the viewer's likes on page 1: {calls:?}"
    );
    for (post_id, is_liked) in &first {
        assert_eq!(*is_liked, liked.contains(post_id), "page 1: {post_id}");
    }

    let (second, _) = page(&app, &viewer, &author, 20, &cursor).await;
    let calls = app.calls("chatx-moments-post-list");
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(
        calls[1].items_read, 3,
        "exactly the viewer's likes on page 2: {calls:?}"
    );
    for (post_id, is_liked) in &second {
        assert_eq!(*is_liked, liked.contains(post_id), "page 2: {post_id}");
    }
    let (other_sees, _) = page(&app, &other_viewer, &author, 20, "").await;
    assert_eq!(
        other_sees
            .iter()
            .filter(|(_, l)| *l)
            .map(|(id, _)| id)
            .collect::<Vec<_>>(),
        [&first[3].0],
        "each viewer sees only their own likes"
    );
}

#[tokio::test]
async fn like_cancel_and_like_again_across_authors_keep_every_flag_right() {
    let app = spawn_app().await;
    let (a, b, viewer) = (app.register().await, app.register().await, app.register().await);
    // Interleaved, so each author's posts are within the time range of the other's.
    let mut a_posts = Vec::new();
    let mut b_posts = Vec::new();
    for i in 0..3 {
        a_posts.push(app.add_post(&a, &format!("a{i}")).await);
        b_posts.push(app.add_post(&b, &format!("b{i}")).await);
    }
    let expect = |posts: &[String], liked: &[&String]| -> HashMap<String, bool> {
        posts.iter().map(|p| (p.clone(), liked.contains(&p))).collect()
    };
    let seen = |posts: Vec<(String, bool)>| -> HashMap<String, bool> { posts.into_iter().collect() };

    like(&app, &viewer, &a_posts[1], false).await;
    like(&app, &viewer, &b_posts[0], false).await;
    like(&app, &viewer, &b_posts[2], false).await;
    assert_eq!(
        seen(page(&app, &viewer, &a, 20, "").await.0),
        expect(&a_posts, &[&a_posts[1]])
    );
    assert_eq!(
        seen(page(&app, &viewer, &b, 20, "").await.0),
        expect(&b_posts, &[&b_posts[0], &b_posts[2]])
    );

    // Cancel removes the like's GSI2 entry; liking again puts it back; twice is still once.
    like(&app, &viewer, &a_posts[1], true).await;
    assert_eq!(seen(page(&app, &viewer, &a, 20, "").await.0), expect(&a_posts, &[]));
    assert!(liked_entries(&app, &viewer, &a).await.is_empty());
    for _ in 0..2 {
        assert_eq!(like(&app, &viewer, &a_posts[1], false).await["data"]["likeCount"], 1);
    }
    assert_eq!(
        seen(page(&app, &viewer, &a, 20, "").await.0),
        expect(&a_posts, &[&a_posts[1]])
    );
    assert_eq!(liked_entries(&app, &viewer, &a).await.len(), 1);
    let data = app
        .chatx_ok("/chatx/moments/post/get", &viewer.token, json!({"postID": a_posts[1]}))
        .await;
    assert_eq!(
        (data["post"]["liked"].clone(), data["post"]["likeCount"].clone()),
        (json!(true), json!(1))
    );

    // A deleted post's likes vanish with it, its GSI2 entries too; the other posts keep theirs.
    // A like after that is refused, though this container remembers the post's author.
    app.chatx_ok("/chatx/moments/post/delete", &b.token, json!({"postID": b_posts[2]}))
        .await;
    assert_eq!(
        seen(page(&app, &viewer, &b, 20, "").await.0),
        expect(&b_posts[..2], &[&b_posts[0]])
    );
    assert_eq!(liked_entries(&app, &viewer, &b).await.len(), 1);
    assert_eq!(like(&app, &viewer, &b_posts[2], false).await["errCode"], 1004);
    assert_eq!(app.count_items(&k::post_partition(&b_posts[2]), "").await, 0);
    assert_eq!(liked_entries(&app, &viewer, &b).await.len(), 1);
}

#[tokio::test]
async fn an_empty_page_reads_no_likes() {
    let app = spawn_app().await;
    let (author, viewer) = (app.register().await, app.register().await);
    let (posts, cursor) = page(&app, &viewer, &author, 20, "").await;
    assert!(posts.is_empty() && cursor.is_empty());
    assert_eq!(app.requests("chatx-moments-post-list"), ["Query"]);
}
