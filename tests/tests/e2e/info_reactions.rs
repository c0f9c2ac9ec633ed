//! Seed 004, likes, favorites and shares: idempotent, counted once in the same transaction as
//! their record, exact under any concurrency; shares earn points once.

use e2e::info::InfoUser;
use e2e::serde_json::{Value, json};
use e2e::{TestApp, spawn_app_on_own_table};
use info::keys::{self as k, Relation};

fn at(id: u64, what: &str) -> String {
    format!("/api/v2/infos/{id}/{what}")
}

/// An admin and one published info's ID.
async fn setup(app: &TestApp) -> (InfoUser, u64) {
    let admin = app.info_admin().await;
    let c = app.category(&admin).await;
    let info = app.publish(&admin, c, json!({})).await;
    (admin, info["id"].as_u64().unwrap())
}

async fn stats(app: &TestApp, id: u64, token: Option<&str>) -> Value {
    app.rest_ok(200, "GET", &format!("/api/v2/infos/{id}"), token, None)
        .await
}

/// Likes (or favorites) stored in the info's partition, and their copies in users' partitions.
async fn stored(app: &TestApp, id: u64, prefix: &str) -> usize {
    app.count_items(&k::info_partition(id), prefix).await
}

async fn stored_counter(app: &TestApp, id: u64, counter: &str) -> i64 {
    let item = app.item(&k::stats(id)).await.unwrap();
    item.get(counter).map_or(0, |v| v.as_n().unwrap().parse().unwrap())
}

#[tokio::test]
async fn seed_004_like_204_counted_once_and_shown_as_liked() {
    let app = spawn_app_on_own_table().await;
    let (admin, id) = setup(&app).await;
    let fan = app.info_user().await;
    for method in ["PUT", "PATCH", "PUT"] {
        assert_eq!(
            app.rest(method, &at(id, "like"), Some(&fan.token), None).await,
            (204, Value::Null)
        );
    }
    let seen = stats(&app, id, Some(&fan.token)).await;
    assert_eq!(
        (&seen["likes_count"], &seen["liked"], &seen["favorited"]),
        (&json!(1), &json!(true), &json!(false))
    );
    assert_eq!(
        stats(&app, id, Some(&admin.token)).await["liked"],
        false,
        "liked is the caller's"
    );
    assert_eq!(
        app.requests("info-like"),
        ["TransactWriteItems"; 3],
        "one request per like"
    );
}

#[tokio::test]
async fn seed_004_unlike_204_every_time() {
    let app = spawn_app_on_own_table().await;
    let (_, id) = setup(&app).await;
    let fan = app.info_user().await;
    app.rest_ok(204, "PUT", &at(id, "like"), Some(&fan.token), None).await;
    for _ in 0..2 {
        assert_eq!(
            app.rest("DELETE", &at(id, "like"), Some(&fan.token), None).await,
            (204, Value::Null)
        );
    }
    let seen = stats(&app, id, Some(&fan.token)).await;
    assert_eq!((&seen["likes_count"], &seen["liked"]), (&json!(0), &json!(false)));
    assert_eq!(stored(&app, id, k::LIKE_PREFIX).await, 0);
}

#[tokio::test]
async fn seed_004_favorite_and_unfavorite_204_counted_once() {
    let app = spawn_app_on_own_table().await;
    let (_, id) = setup(&app).await;
    let fan = app.info_user().await;
    for method in ["PUT", "PATCH"] {
        assert_eq!(
            app.rest(method, &at(id, "favorite"), Some(&fan.token), None).await.0,
            204
        );
    }
    let seen = stats(&app, id, Some(&fan.token)).await;
    assert_eq!(
        (&seen["favorites_count"], &seen["favorited"], &seen["liked"]),
        (&json!(1), &json!(true), &json!(false))
    );
    for _ in 0..2 {
        assert_eq!(
            app.rest("DELETE", &at(id, "favorite"), Some(&fan.token), None).await.0,
            204
        );
    }
    assert_eq!(stats(&app, id, Some(&fan.token)).await["favorites_count"], 0);
}

#[tokio::test]
async fn seed_004_likes_and_favorites_need_a_token_and_an_info() {
    let app = spawn_app_on_own_table().await;
    let (admin, id) = setup(&app).await;
    for (method, what) in [
        ("PUT", "like"),
        ("DELETE", "like"),
        ("PUT", "favorite"),
        ("DELETE", "favorite"),
    ] {
        assert_eq!(
            app.rest(method, &at(id, what), None, None).await.0,
            401,
            "{method} {what}"
        );
        assert_eq!(
            app.rest(method, &at(999_999_999, what), Some(&admin.token), None).await,
            (404, json!({"message": "Info not found."})),
            "{method} {what}"
        );
    }
    assert_eq!(stored_counter(&app, id, "likes_count").await, 0);
}

#[tokio::test]
async fn a_trashed_info_takes_no_new_likes_but_lets_likes_go() {
    let app = spawn_app_on_own_table().await;
    let (admin, id) = setup(&app).await;
    let fan = app.info_user().await;
    app.rest_ok(204, "PUT", &at(id, "like"), Some(&fan.token), None).await;
    app.patch_info(&admin, id, json!({"deleted": true})).await;
    assert_eq!(
        app.rest("PUT", &at(id, "favorite"), Some(&fan.token), None).await.0,
        404
    );
    assert_eq!(app.rest("DELETE", &at(id, "like"), Some(&fan.token), None).await.0, 204);
    assert_eq!(stored_counter(&app, id, "likes_count").await, 0);
    assert_eq!(stored(&app, id, "").await, 2, "only the info and its stats are left");
}

async fn storm(app: &TestApp, id: u64, what: &str, calls: Vec<(InfoUser, bool)>) {
    let mut tasks = tokio::task::JoinSet::new();
    for (user, on) in calls {
        let request = app
            .http
            .request(
                if on {
                    reqwest::Method::PUT
                } else {
                    reqwest::Method::DELETE
                },
                format!("{}{}", app.base_url, at(id, what)),
            )
            .bearer_auth(&user.token);
        tasks.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), 204);
    }
}

async fn users(app: &TestApp, n: usize) -> Vec<InfoUser> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(app.info_user().await);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_users_liking_at_once_make_fifty() {
    let app = spawn_app_on_own_table().await;
    let (_, id) = setup(&app).await;
    let fans = users(&app, 50).await;
    storm(&app, id, "like", fans.iter().cloned().map(|u| (u, true)).collect()).await;
    assert_eq!(stored_counter(&app, id, "likes_count").await, 50);
    assert_eq!(stored(&app, id, k::LIKE_PREFIX).await, 50);
    for fan in &fans[..3] {
        assert_eq!(app.count_index_items(&k::relations(fan.id, Relation::Like)).await, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_user_liking_fifty_times_at_once_makes_one() {
    let app = spawn_app_on_own_table().await;
    let (_, id) = setup(&app).await;
    let fan = app.info_user().await;
    storm(&app, id, "like", vec![(fan.clone(), true); 50]).await;
    assert_eq!(stored_counter(&app, id, "likes_count").await, 1);
    assert_eq!(stored(&app, id, k::LIKE_PREFIX).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_user_favoriting_fifty_times_at_once_makes_one() {
    let app = spawn_app_on_own_table().await;
    let (_, id) = setup(&app).await;
    let fan = app.info_user().await;
    storm(&app, id, "favorite", vec![(fan.clone(), true); 50]).await;
    assert_eq!(stored_counter(&app, id, "favorites_count").await, 1);
    assert_eq!(stored(&app, id, k::FAVORITE_PREFIX).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn storms_of_likes_favorites_and_takebacks_keep_counters_equal_to_records() {
    let app = spawn_app_on_own_table().await;
    let (_, id) = setup(&app).await;
    let fans = users(&app, 10).await;
    for what in ["like", "favorite"] {
        let calls: Vec<(InfoUser, bool)> = (0..100)
            .map(|_| (fans[rand::random_range(0..fans.len())].clone(), rand::random::<bool>()))
            .collect();
        storm(&app, id, what, calls).await;
    }
    let likes = stored(&app, id, k::LIKE_PREFIX).await as i64;
    let favorites = stored(&app, id, k::FAVORITE_PREFIX).await as i64;
    assert_eq!(stored_counter(&app, id, "likes_count").await, likes);
    assert_eq!(stored_counter(&app, id, "favorites_count").await, favorites);
    let mut copies = (0, 0);
    for fan in &fans {
        copies.0 += app.count_index_items(&k::relations(fan.id, Relation::Like)).await as i64;
        copies.1 += app.count_index_items(&k::relations(fan.id, Relation::Favorite)).await as i64;
    }
    assert_eq!(
        copies,
        (likes, favorites),
        "each like is also under its user's likes (GSI1)"
    );
}

#[tokio::test]
async fn seed_004_hit_share_201_with_points_the_first_time_then_204() {
    let app = spawn_app_on_own_table().await;
    let (_, id) = setup(&app).await;
    let fan = app.info_user().await;
    assert_eq!(
        app.rest("PUT", &at(id, "hit-share"), Some(&fan.token), None).await,
        (201, json!({"amount": 2}))
    );
    assert_eq!(
        app.rest("PUT", &at(id, "hit-share"), Some(&fan.token), None).await,
        (204, Value::Null)
    );
    assert_eq!(
        app.rest("PUT", &at(id, "hit-share"), None, None).await,
        (204, Value::Null),
        "anonymous"
    );
    assert_eq!(stats(&app, id, None).await["shares_count"], 3, "every share counts");
    let me = app.rest_ok(200, "GET", "/api/v2/user", Some(&fan.token), None).await;
    assert_eq!(me["points"], 2);
    let ledger = app.item(&k::share_reward(fan.id, id)).await.unwrap();
    assert_eq!(ledger["amount"].as_n().unwrap(), "2");
}

#[tokio::test]
async fn seed_004_hit_share_404_for_a_missing_or_trashed_info() {
    let app = spawn_app_on_own_table().await;
    let (admin, id) = setup(&app).await;
    assert_eq!(
        app.rest("PUT", &at(999_999_999, "hit-share"), Some(&admin.token), None)
            .await
            .0,
        404
    );
    app.patch_info(&admin, id, json!({"deleted": true})).await;
    assert_eq!(
        app.rest("PUT", &at(id, "hit-share"), Some(&admin.token), None).await.0,
        404
    );
    let me = app.rest_ok(200, "GET", "/api/v2/user", Some(&admin.token), None).await;
    assert_eq!(me["points"], 0, "no points for a refused share");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_shares_by_one_user_earn_points_once() {
    let app = spawn_app_on_own_table().await;
    let (_, id) = setup(&app).await;
    let fan = app.info_user().await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let request = app
            .http
            .put(format!("{}{}", app.base_url, at(id, "hit-share")))
            .bearer_auth(&fan.token);
        tasks.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    let mut statuses = Vec::new();
    while let Some(s) = tasks.join_next().await {
        statuses.push(s.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, [vec![201], vec![204; 19]].concat());
    assert_eq!(stored_counter(&app, id, "shares_count").await, 20);
    let me = app.rest_ok(200, "GET", "/api/v2/user", Some(&fan.token), None).await;
    assert_eq!(me["points"], 2);
}

#[tokio::test]
async fn share_points_are_configurable_and_zero_turns_them_off() {
    let app = spawn_app_on_own_table().await;
    let (_, id) = setup(&app).await;
    let fan = app.info_user().await;
    let state = app.operator().await;
    let with_points = |points| info::InfoStore::new(&state.store, points);
    assert_eq!(with_points(0).share(id, Some(fan.id)).await.unwrap(), None);
    assert_eq!(with_points(5).share(id, Some(fan.id)).await.unwrap(), Some(5));
    assert_eq!(with_points(5).share(id, Some(fan.id)).await.unwrap(), None);
    let me = app.rest_ok(200, "GET", "/api/v2/user", Some(&fan.token), None).await;
    assert_eq!(me["points"], 5);
}
