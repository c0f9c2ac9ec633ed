//! Seed 004, `GET /infos`: every filter, order and shape of the seed. Other tests publish at the
//! same time into the same table, so each test scopes its listing by its own category or author
//! (or looks at its own infos within a global listing).

use e2e::info::InfoUser;
use e2e::serde_json::{Value, json};
use e2e::{TestApp, spawn_app_on_own_table};

fn ids(list: &Value) -> Vec<u64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_u64().unwrap())
        .collect()
}

async fn list(app: &TestApp, query: &str, token: Option<&str>) -> Value {
    app.rest_ok(200, "GET", &format!("/api/v2/infos?{query}"), token, None)
        .await
}

/// An admin, a fresh category and `n` infos in it (IDs oldest first).
async fn setup(app: &TestApp, n: usize) -> (InfoUser, u64, Vec<u64>) {
    let admin = app.info_admin().await;
    let c = app.category(&admin).await;
    let mut made = Vec::new();
    for _ in 0..n {
        made.push(app.publish(&admin, c, json!({})).await["id"].as_u64().unwrap());
    }
    (admin, c, made)
}

fn newest_first(made: &[u64]) -> Vec<u64> {
    made.iter().rev().copied().collect()
}

#[tokio::test]
async fn seed_004_list_newest_first_with_offset_and_limit_default_15() {
    let app = spawn_app_on_own_table().await;
    let (_, c, made) = setup(&app, 17).await;
    let first = list(&app, &format!("category_id={c}"), None).await;
    assert_eq!(ids(&first), newest_first(&made)[..15], "default limit 15, newest first");
    let rest = list(&app, &format!("category_id={c}&offset=15"), None).await;
    assert_eq!(ids(&rest), newest_first(&made)[15..]);
    let two = list(&app, &format!("category_id={c}&offset=3&limit=2"), None).await;
    assert_eq!(ids(&two), newest_first(&made)[3..5]);
    let oldest = list(&app, &format!("category_id={c}&order=created_at asc&limit=3"), None).await;
    assert_eq!(ids(&oldest), made[..3]);
    let by_id = list(&app, &format!("category_id={c}&order=id asc&limit=3"), None).await;
    assert_eq!(ids(&by_id), made[..3]);
    assert!(first[0].get("liked").is_none() && first[0].get("author").is_none());
}

#[tokio::test]
async fn seed_004_list_by_id_author_id_and_category_id_comma_lists() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let (w1, w2) = (app.info_user().await, app.info_user().await);
    let (c1, c2) = (app.category(&admin).await, app.category(&admin).await);
    let mut by = Vec::new();
    for (author, c) in [(&w1, c1), (&w2, c2), (&w1, c2), (&w2, c1)] {
        by.push(
            app.publish(&admin, c, json!({"author_id": author.id})).await["id"]
                .as_u64()
                .unwrap(),
        );
    }
    assert_eq!(
        ids(&list(&app, &format!("author_id={}", w1.id), None).await),
        [by[2], by[0]]
    );
    assert_eq!(
        ids(&list(&app, &format!("author_id={},{}", w1.id, w2.id), None).await),
        newest_first(&by),
        "several authors merge newest first"
    );
    assert_eq!(
        ids(&list(&app, &format!("category_id={c2},{c1}&limit=3"), None).await),
        [by[3], by[2], by[1]]
    );
    assert_eq!(
        ids(&list(&app, &format!("author_id={}&category_id={c2}", w1.id), None).await),
        [by[2]]
    );
    assert_eq!(
        ids(&list(&app, &format!("id={},{}", by[0], by[3]), None).await),
        [by[3], by[0]]
    );
    assert_eq!(
        ids(&list(&app, &format!("id={},{}&author_id={}", by[0], by[3], w2.id), None).await),
        [by[3]]
    );
    assert_eq!(
        ids(&list(&app, &format!("id[]={}&id[]={}&order=id asc", by[3], by[1]), None).await),
        [by[1], by[3]]
    );
}

#[tokio::test]
async fn seed_004_list_trashed_without_with_only() {
    let app = spawn_app_on_own_table().await;
    let (admin, c, made) = setup(&app, 3).await;
    app.patch_info(&admin, made[1], json!({"deleted": true})).await;
    let token = Some(admin.token.as_str());
    assert_eq!(
        ids(&list(&app, &format!("category_id={c}"), token).await),
        [made[2], made[0]]
    );
    assert_eq!(
        ids(&list(&app, &format!("category_id={c}&trashed=without"), token).await),
        [made[2], made[0]]
    );
    assert_eq!(
        ids(&list(&app, &format!("category_id={c}&trashed=with"), token).await),
        newest_first(&made)
    );
    assert_eq!(
        ids(&list(&app, &format!("category_id={c}&trashed=only"), token).await),
        [made[1]]
    );
}

#[tokio::test]
async fn trashed_infos_are_listed_to_admins_and_their_own_authors_only() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let writer = app.info_user().await;
    let c = app.category(&admin).await;
    let theirs = app.publish(&admin, c, json!({"author_id": writer.id})).await["id"]
        .as_u64()
        .unwrap();
    app.patch_info(&admin, theirs, json!({"deleted": true})).await;
    let query = format!("/api/v2/infos?trashed=only&author_id={}", writer.id);
    assert_eq!(app.rest("GET", &query, None, None).await.0, 401);
    assert_eq!(
        ids(&app.rest_ok(200, "GET", &query, Some(&writer.token), None).await),
        [theirs]
    );
    let stranger = app.info_user().await;
    assert_eq!(app.rest("GET", &query, Some(&stranger.token), None).await.0, 403);
    assert_eq!(
        app.rest("GET", "/api/v2/infos?trashed=with", Some(&writer.token), None)
            .await
            .0,
        403,
        "an author only sees their own trashed infos"
    );
}

#[tokio::test]
async fn seed_004_list_recommend_1_and_0() {
    let app = spawn_app_on_own_table().await;
    let (admin, c, made) = setup(&app, 3).await;
    app.patch_info(&admin, made[0], json!({"recommend": true})).await;
    assert_eq!(
        ids(&list(&app, &format!("category_id={c}&recommend=1"), None).await),
        [made[0]]
    );
    assert_eq!(
        ids(&list(&app, &format!("category_id={c}&recommend=0"), None).await),
        [made[2], made[1]]
    );
    let everywhere = list(&app, "recommend=1&limit=50", None).await;
    assert!(ids(&everywhere).contains(&made[0]));
    assert!(
        everywhere
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["recommend_at"].is_string())
    );
}

#[tokio::test]
async fn seed_004_list_keyword_searches_titles_only() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let c = app.category(&admin).await;
    let rust = app.publish(&admin, c, json!({"title": "Rust 资讯 weekly"})).await["id"]
        .as_u64()
        .unwrap();
    app.publish(
        &admin,
        c,
        json!({"title": "Go news", "content": "rust in the content only"}),
    )
    .await;
    assert_eq!(
        ids(&list(&app, &format!("category_id={c}&keyword=RUST"), None).await),
        [rust]
    );
    assert_eq!(
        ids(&list(&app, &format!("category_id={c}&keyword=资讯"), None).await),
        [rust]
    );
}

#[tokio::test]
async fn seed_004_list_liked_and_favorited_check() {
    let app = spawn_app_on_own_table().await;
    let (_, c, made) = setup(&app, 3).await;
    let fan = app.info_user().await;
    app.rest_ok(
        204,
        "PUT",
        &format!("/api/v2/infos/{}/like", made[0]),
        Some(&fan.token),
        None,
    )
    .await;
    app.rest_ok(
        204,
        "PUT",
        &format!("/api/v2/infos/{}/favorite", made[1]),
        Some(&fan.token),
        None,
    )
    .await;
    let page = list(
        &app,
        &format!("category_id={c}&liked=check&favorited=check"),
        Some(&fan.token),
    )
    .await;
    let flags: Vec<(u64, bool, bool)> = page
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_u64().unwrap(),
                i["liked"].as_bool().unwrap(),
                i["favorited"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [(made[2], false, false), (made[1], false, true), (made[0], true, false)]
    );
    let calls = app.calls("info-list");
    assert_eq!(
        calls.iter().map(|c| c.operation.as_str()).collect::<Vec<_>>(),
        ["Query", "BatchGetItem"],
        "the checks ride in the page's one batched read"
    );
    let anonymous = list(&app, &format!("category_id={c}&liked=check"), None).await;
    assert!(
        anonymous
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["liked"] == false && i.get("favorited").is_none())
    );
    let (status, body) = app.rest("GET", "/api/v2/infos?liked=yes", None, None).await;
    assert_eq!(
        (status, body["errors"].clone()),
        (422, json!({"liked": ["The selected liked is invalid."]}))
    );
}

#[tokio::test]
async fn seed_004_list_type_only_liked_and_only_favorited() {
    let app = spawn_app_on_own_table().await;
    let (_, _, made) = setup(&app, 4).await;
    let fan = app.info_user().await;
    for id in [made[0], made[2]] {
        app.rest_ok(204, "PUT", &format!("/api/v2/infos/{id}/like"), Some(&fan.token), None)
            .await;
    }
    app.rest_ok(
        204,
        "PUT",
        &format!("/api/v2/infos/{}/favorite", made[3]),
        Some(&fan.token),
        None,
    )
    .await;
    let token = Some(fan.token.as_str());
    assert_eq!(
        ids(&list(&app, "list_type=only_liked", token).await),
        [made[2], made[0]]
    );
    assert_eq!(ids(&list(&app, "list_type=only_favorited", token).await), [made[3]]);
    let checked = list(&app, "list_type=only_liked&liked=check&limit=1&offset=1", token).await;
    assert_eq!(
        (ids(&checked), checked[0]["liked"].clone()),
        (vec![made[0]], json!(true))
    );
    assert_eq!(
        app.rest("GET", "/api/v2/infos?list_type=only_liked", None, None)
            .await
            .0,
        401
    );
    let (status, body) = app.rest("GET", "/api/v2/infos?list_type=mine", token, None).await;
    assert_eq!(
        (status, body["errors"].clone()),
        (422, json!({"list_type": ["The selected list type is invalid."]}))
    );
}

#[tokio::test]
async fn seed_004_list_order_topped_first_then_newest() {
    let app = spawn_app_on_own_table().await;
    let (admin, c, made) = setup(&app, 5).await;
    for id in [made[1], made[3]] {
        app.patch_info(&admin, id, json!({"topped": true})).await;
    }
    let want = [made[3], made[1], made[4], made[2], made[0]];
    for order in [
        "topped_at desc,created_at desc",
        "topped_at desc,created desc",
        "topped_at desc",
    ] {
        let got = list(&app, &format!("category_id={c}&order={order}"), None).await;
        assert_eq!(ids(&got), want, "{order}");
    }
    let paged = list(
        &app,
        &format!("category_id={c}&order=topped_at desc,created_at desc&offset=1&limit=2"),
        None,
    )
    .await;
    assert_eq!(ids(&paged), want[1..3]);
}

#[tokio::test]
async fn seed_004_list_order_category_topped_first_then_newest() {
    let app = spawn_app_on_own_table().await;
    let (admin, c, made) = setup(&app, 4).await;
    app.patch_info(&admin, made[0], json!({"category_topped": true})).await;
    let got = list(
        &app,
        &format!("category_id={c}&order=category_topped_at desc,created_at desc"),
        None,
    )
    .await;
    assert_eq!(ids(&got), [made[0], made[3], made[2], made[1]]);
}

#[tokio::test]
async fn seed_004_list_order_by_counters_and_several_keys() {
    let app = spawn_app_on_own_table().await;
    let (_, c, made) = setup(&app, 4).await;
    let fans = [app.info_user().await, app.info_user().await];
    for (id, likes) in [(made[1], 2), (made[2], 1)] {
        for fan in &fans[..likes] {
            app.rest_ok(204, "PUT", &format!("/api/v2/infos/{id}/like"), Some(&fan.token), None)
                .await;
        }
    }
    for _ in 0..3 {
        app.rest_ok(200, "GET", &format!("/api/v2/infos/{}", made[0]), None, None)
            .await;
    }
    let by_likes = list(&app, &format!("category_id={c}&order=likes_count desc,id asc"), None).await;
    assert_eq!(ids(&by_likes), [made[1], made[2], made[0], made[3]]);
    let by_views = list(&app, &format!("category_id={c}&order=views_count desc"), None).await;
    assert_eq!(ids(&by_views)[0], made[0]);
    let by_likes_asc = list(
        &app,
        &format!("category_id={c}&order=likes_count asc,created_at desc&limit=2"),
        None,
    )
    .await;
    assert_eq!(ids(&by_likes_asc), [made[3], made[0]]);
    let (status, body) = app.rest("GET", "/api/v2/infos?order=title desc", None, None).await;
    assert_eq!(
        (status, body["errors"].clone()),
        (422, json!({"order": ["The selected order is invalid."]}))
    );
}

#[tokio::test]
async fn seed_004_list_page_answers_a_paginated_object() {
    let app = spawn_app_on_own_table().await;
    let (_, c, made) = setup(&app, 5).await;
    let got = list(&app, &format!("category_id={c}&limit=2&page=2"), None).await;
    assert_eq!(ids(&got["data"]), newest_first(&made)[2..4]);
    assert_eq!(
        (&got["current_page"], &got["per_page"], &got["from"], &got["to"]),
        (&json!(2), &json!(2), &json!(3), &json!(4))
    );
    let next = got["next_page_url"].as_str().unwrap();
    assert!(
        next.ends_with("&page=3") && next.contains(&format!("category_id={c}")),
        "{next}"
    );
    assert!(got["prev_page_url"].as_str().unwrap().ends_with("page=1"));
    assert!(got["path"].as_str().unwrap().ends_with("/api/v2/infos"));
    let last = list(&app, &format!("category_id={c}&limit=2&page=3"), None).await;
    assert_eq!(
        (ids(&last["data"]), last["next_page_url"].clone()),
        (vec![made[0]], Value::Null)
    );
}

#[tokio::test]
async fn seed_004_list_with_author_and_category() {
    let app = spawn_app_on_own_table().await;
    let (admin, c, _) = setup(&app, 2).await;
    let got = list(
        &app,
        &format!("category_id={c}&with=author,author.verification,category"),
        None,
    )
    .await;
    for i in got.as_array().unwrap() {
        assert_eq!(
            (&i["author"]["id"], &i["category"]["id"]),
            (&json!(admin.id), &json!(c))
        );
        assert_eq!(i["author"]["verification"], Value::Null);
    }
}

#[tokio::test]
async fn seed_004_list_422_for_bad_parameters() {
    let app = spawn_app_on_own_table().await;
    let (status, body) = app
        .rest(
            "GET",
            "/api/v2/infos?limit=500&offset=-1&recommend=yes&trashed=all&id=a,b",
            None,
            None,
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["id", "trashed", "recommend", "limit", "offset"]
    );
}

#[tokio::test]
async fn merged_partitions_each_get_their_page_at_any_offset() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let (c1, c2) = (app.category(&admin).await, app.category(&admin).await);
    let mut made = Vec::new();
    for n in 0..6 {
        let c = if n < 3 { c1 } else { c2 };
        made.push(app.publish(&admin, c, json!({})).await["id"].as_u64().unwrap());
    }
    for offset in 0..6 {
        let got = list(&app, &format!("category_id={c1},{c2}&offset={offset}&limit=2"), None).await;
        let want: Vec<u64> = newest_first(&made).into_iter().skip(offset).take(2).collect();
        assert_eq!(ids(&got), want, "offset {offset}");
    }
}
