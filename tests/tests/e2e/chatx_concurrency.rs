//! Many requests at once through the gateway; the counts must be exact.

use chatx::keys as k;
use e2e::serde_json::{Value, json};
use e2e::{TestApp, User, spawn_app};

async fn like_all(app: &TestApp, post_id: &str, calls: Vec<(User, bool)>) -> Vec<Value> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, (user, cancel)) in calls.into_iter().enumerate() {
        let (http, url) = (app.http.clone(), format!("{}/chatx/moments/like", app.base_url));
        let body = json!({"postID": post_id, "cancel": cancel});
        tasks.spawn(async move {
            let resp = http
                .post(url)
                .header("operationID", format!("storm-{i}"))
                .header("token", user.token)
                .json(&body)
                .send()
                .await
                .unwrap();
            resp.json::<Value>().await.unwrap()
        });
    }
    let mut out = Vec::new();
    while let Some(env) = tasks.join_next().await {
        let env = env.unwrap();
        assert_eq!(env["errCode"], 0, "{env}");
        out.push(env["data"]["likeCount"].clone());
    }
    out
}

async fn users(app: &TestApp, n: usize) -> Vec<User> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(app.register().await);
    }
    out
}

async fn stored_count(app: &TestApp, post_id: &str) -> i64 {
    let post = app.item(&k::post(post_id)).await.unwrap();
    post.get("likeCount")
        .and_then(|v| v.as_n().ok())
        .map_or(0, |n| n.parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_users_liking_at_once_make_fifty() {
    let app = spawn_app().await;
    let likers = users(&app, 50).await;
    let post_id = app.add_post(&likers[0], "popular").await;
    let answers = like_all(&app, &post_id, likers.into_iter().map(|u| (u, false)).collect()).await;
    assert!(
        answers.iter().all(|c| (1..=50).contains(&c.as_i64().unwrap())),
        "{answers:?}"
    );
    assert!(answers.contains(&json!(50)), "the last like to commit sees all fifty");
    assert_eq!(stored_count(&app, &post_id).await, 50);
    assert_eq!(app.count_items(&k::post_partition(&post_id), k::LIKE_PREFIX).await, 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_user_liking_fifty_times_at_once_makes_one() {
    let app = spawn_app().await;
    let user = app.register().await;
    let post_id = app.add_post(&user, "p").await;
    let answers = like_all(&app, &post_id, vec![(user, false); 50]).await;
    assert!(answers.iter().all(|c| *c == 1), "{answers:?}");
    assert_eq!(stored_count(&app, &post_id).await, 1);
    assert_eq!(app.count_items(&k::post_partition(&post_id), k::LIKE_PREFIX).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_storm_of_likes_and_cancels_keeps_the_counter_equal_to_the_likes() {
    let app = spawn_app().await;
    let people = users(&app, 12).await;
    let post_id = app.add_post(&people[0], "storm").await;
    let calls: Vec<(User, bool)> = (0..120)
        .map(|_| {
            (
                people[rand::random_range(0..people.len())].clone(),
                rand::random::<bool>(),
            )
        })
        .collect();
    let answers = like_all(&app, &post_id, calls).await;
    assert!(
        answers.iter().all(|c| (0..=12).contains(&c.as_i64().unwrap())),
        "{answers:?}"
    );
    let items = app.count_items(&k::post_partition(&post_id), k::LIKE_PREFIX).await as i64;
    assert_eq!(stored_count(&app, &post_id).await, items);
    let post = app
        .chatx_ok("/chatx/moments/post/get", &people[0].token, json!({"postID": post_id}))
        .await;
    assert_eq!(post["post"]["likeCount"], items);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_comments_are_all_counted() {
    let app = spawn_app().await;
    let user = app.register().await;
    let post_id = app.add_post(&user, "p").await;
    let bodies = (0..30)
        .map(|i| json!({"postID": post_id, "content": format!("c{i}")}))
        .collect();
    for env in app.chatx_all("/chatx/moments/comment/add", &user.token, bodies).await {
        assert_eq!(env["errCode"], 0, "{env}");
    }
    let post = app
        .chatx_ok("/chatx/moments/post/get", &user.token, json!({"postID": post_id}))
        .await;
    assert_eq!(post["post"]["commentCount"], 30);
    assert_eq!(
        app.count_items(&k::post_partition(&post_id), k::COMMENT_PREFIX).await,
        30
    );
}
