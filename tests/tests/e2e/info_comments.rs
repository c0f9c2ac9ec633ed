//! Seed 004, comments: published through `POST /feeds` with `repostable_type=infos`, listed per
//! info and for every info with `type`, `after`, `order` and `limit`.

use e2e::info::InfoUser;
use e2e::serde_json::{Value, json};
use e2e::{TestApp, spawn_app_on_own_table, unique};
use info::items::UserItem;
use info::keys::{self as k, CommentKind};
use shared::store::observe::Call;

const FEEDS: &str = "/api/v2/feeds";

/// An admin, a commenter and a published info's ID.
async fn setup(app: &TestApp) -> (InfoUser, InfoUser, u64) {
    let admin = app.info_admin().await;
    let c = app.category(&admin).await;
    let info = app.publish(&admin, c, json!({"title": "有评论的资讯"})).await;
    (admin, app.info_user().await, info["id"].as_u64().unwrap())
}

async fn comment(app: &TestApp, user: &InfoUser, info: u64, extra: Value) -> Value {
    let mut body = json!({"repostable_type": "infos", "repostable_id": info, "feed_content": unique("c")});
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    app.rest_ok(201, "POST", FEEDS, Some(&user.token), Some(body)).await
}

fn ops(calls: &[Call]) -> Vec<&str> {
    calls.iter().map(|c| c.operation.as_str()).collect()
}

/// Both comment listings of an info on a table of its own (where every info's comments are
/// that info's): the binary and the path, with `query`.
fn both_listings(info: u64, query: &str) -> [(&'static str, String); 2] {
    [
        ("info-comment-list", format!("/api/v2/infos/{info}/comments{query}")),
        ("info-comment-list-all", format!("/api/v2/info/comments{query}")),
    ]
}

fn ids(list: &Value) -> Vec<u64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn seed_004_publishing_a_comment_answers_the_feed_with_its_repostable() {
    let app = spawn_app_on_own_table().await;
    let (_, fan, id) = setup(&app).await;
    let feed = comment(&app, &fan, id, json!({"feed_content": "写得好", "feed_from": 3})).await;
    assert_eq!(
        (
            &feed["repostable_type"],
            &feed["repostable_id"],
            &feed["repostable"]["id"]
        ),
        (&json!("infos"), &json!(id), &json!(id))
    );
    assert_eq!(feed["repostable"]["title"], "有评论的资讯");
    assert!(
        feed["repostable"].get("content").is_none(),
        "the repostable is the info without its content"
    );
    assert_eq!(
        (
            &feed["user_id"],
            &feed["feed_content"],
            &feed["feed_from"],
            &feed["user"]["id"]
        ),
        (&json!(fan.id), &json!("写得好"), &json!(3), &json!(fan.id))
    );
    let info = app
        .rest_ok(200, "GET", &format!("/api/v2/infos/{id}"), None, None)
        .await;
    assert_eq!(info["comments_count"], 1);
}

#[tokio::test]
async fn seed_004_publishing_a_comment_needs_a_token_and_an_info() {
    let app = spawn_app_on_own_table().await;
    let (admin, fan, id) = setup(&app).await;
    let body = json!({"repostable_type": "infos", "repostable_id": id, "feed_content": "x"});
    assert_eq!(app.rest("POST", FEEDS, None, Some(body)).await.0, 401);
    let cases = [
        (
            json!({"repostable_type": "feeds", "repostable_id": id, "feed_content": "x"}),
            "repostable_type",
        ),
        (json!({"repostable_id": id, "feed_content": "x"}), "repostable_type"),
        (
            json!({"repostable_type": "infos", "feed_content": "x"}),
            "repostable_id",
        ),
        (
            json!({"repostable_type": "infos", "repostable_id": 999_999_999, "feed_content": "x"}),
            "repostable_id",
        ),
        (json!({"repostable_type": "infos", "repostable_id": id}), "feed_content"),
        (
            json!({"repostable_type": "infos", "repostable_id": id, "feed_content": "字".repeat(128)}),
            "feed_content",
        ),
        (
            json!({"repostable_type": "infos", "repostable_id": id, "images": ["public:2020/01/01/x.png"]}),
            "images.0",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = app.rest("POST", FEEDS, Some(&fan.token), Some(body.clone())).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert!(answer["errors"].get(field).is_some(), "{field}: {answer}");
    }
    app.patch_info(&admin, id, json!({"deleted": true})).await;
    let (status, answer) = app
        .rest(
            "POST",
            FEEDS,
            Some(&fan.token),
            Some(json!({"repostable_type": "infos", "repostable_id": id, "feed_content": "x"})),
        )
        .await;
    assert_eq!(
        (status, answer["errors"].clone()),
        (
            422,
            json!({"repostable_id": ["The selected repostable id is invalid."]})
        ),
        "no comments on a trashed info"
    );
    let item = app.item(&k::stats(id)).await.unwrap();
    assert_eq!(
        item["comments_count"].as_n().unwrap(),
        "0",
        "refused comments count nothing"
    );
}

#[tokio::test]
async fn a_feed_mark_publishes_once() {
    let app = spawn_app_on_own_table().await;
    let (_, fan, id) = setup(&app).await;
    let mark = unique("mark");
    comment(&app, &fan, id, json!({"feed_mark": mark})).await;
    let (status, body) = app
        .rest(
            "POST",
            FEEDS,
            Some(&fan.token),
            Some(json!({"repostable_type": "infos", "repostable_id": id, "feed_content": "again", "feed_mark": mark})),
        )
        .await;
    assert_eq!(
        (status, body["errors"].clone()),
        (422, json!({"feed_mark": ["The feed mark has already been taken."]}))
    );
    let info = app
        .rest_ok(200, "GET", &format!("/api/v2/infos/{id}"), None, None)
        .await;
    assert_eq!(info["comments_count"], 1);
}

#[tokio::test]
async fn seed_004_info_comments_newest_first_with_after_order_and_limit() {
    let app = spawn_app_on_own_table().await;
    let (_, fan, id) = setup(&app).await;
    let mut made = Vec::new();
    for _ in 0..5 {
        made.push(comment(&app, &fan, id, json!({})).await["id"].as_u64().unwrap());
    }
    let path = format!("/api/v2/infos/{id}/comments");
    let all = app.rest_ok(200, "GET", &path, None, None).await;
    let mut newest_first = made.clone();
    newest_first.reverse();
    assert_eq!(ids(&all), newest_first, "order defaults to desc");
    assert!(all.as_array().unwrap().iter().all(|f| f["repostable"]["id"] == id));
    let page = app.rest_ok(200, "GET", &format!("{path}?limit=2"), None, None).await;
    assert_eq!(ids(&page), newest_first[..2]);
    let next = app
        .rest_ok(
            200,
            "GET",
            &format!("{path}?limit=2&after={}", newest_first[1]),
            None,
            None,
        )
        .await;
    assert_eq!(ids(&next), newest_first[2..4]);
    let asc = app
        .rest_ok(200, "GET", &format!("{path}?order=asc&after={}", made[1]), None, None)
        .await;
    assert_eq!(ids(&asc), made[2..]);
    let (status, body) = app
        .rest("GET", &format!("{path}?order=up&type=gif&limit=0"), None, None)
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["type", "order", "limit"]
    );
}

#[tokio::test]
async fn seed_004_comments_by_type_image_video_image_or_video() {
    let app = spawn_app_on_own_table().await;
    let (_, fan, id) = setup(&app).await;
    let image = app.image(&fan, 300, 300).await;
    let video = app.upload(&fan, "video/mp4", b"\0\0\0\x18ftypmp42".to_vec()).await;
    let text = comment(&app, &fan, id, json!({})).await["id"].as_u64().unwrap();
    let pictured = comment(&app, &fan, id, json!({"images": [image]})).await;
    assert_eq!(pictured["images"][0]["width"], 300);
    let pictured = pictured["id"].as_u64().unwrap();
    let filmed = comment(&app, &fan, id, json!({"video": {"video_id": video, "cover_id": image}})).await;
    assert_eq!(filmed["video"]["video"]["node"], video.as_str());
    assert_eq!(filmed["video"]["cover"]["node"], image.as_str());
    let filmed = filmed["id"].as_u64().unwrap();
    let path = format!("/api/v2/infos/{id}/comments");
    for (kind, expected) in [
        ("", vec![filmed, pictured, text]),
        ("?type=image", vec![pictured]),
        ("?type=video", vec![filmed]),
        ("?type=image_or_video", vec![filmed, pictured]),
    ] {
        let got = app.rest_ok(200, "GET", &format!("{path}{kind}"), None, None).await;
        assert_eq!(ids(&got), expected, "{kind}");
    }
}

#[tokio::test]
async fn seed_004_info_comments_404_for_a_missing_or_hidden_info() {
    let app = spawn_app_on_own_table().await;
    let (admin, fan, id) = setup(&app).await;
    comment(&app, &fan, id, json!({})).await;
    assert_eq!(
        app.rest("GET", "/api/v2/infos/999999999/comments", None, None).await,
        (404, json!({"message": "Info not found."}))
    );
    app.patch_info(&admin, id, json!({"deleted": true})).await;
    let path = format!("/api/v2/infos/{id}/comments");
    assert_eq!(app.rest("GET", &path, None, None).await.0, 404);
    assert_eq!(app.rest("GET", &path, Some(&fan.token), None).await.0, 404);
    assert_eq!(
        app.rest_ok(200, "GET", &path, Some(&admin.token), None)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn seed_004_all_info_comments_carry_their_own_infos() {
    let app = spawn_app_on_own_table().await;
    let (admin, fan, first) = setup(&app).await;
    let c = app.category(&admin).await;
    let second = app.publish(&admin, c, json!({})).await["id"].as_u64().unwrap();
    let a = comment(&app, &fan, first, json!({})).await["id"].as_u64().unwrap();
    let b = comment(&app, &fan, second, json!({})).await["id"].as_u64().unwrap();
    let all = app.rest_ok(200, "GET", "/api/v2/info/comments", None, None).await;
    assert_eq!(ids(&all), [b, a], "newest first, across infos");
    assert_eq!(all[0]["repostable"]["id"], second);
    assert_eq!(all[1]["repostable"]["id"], first);
    assert_eq!(all[0]["user"]["name"], fan.name.as_str());
    app.patch_info(&admin, first, json!({"deleted": true})).await;
    let after = app
        .rest_ok(200, "GET", &format!("/api/v2/info/comments?after={b}"), None, None)
        .await;
    assert_eq!(
        (ids(&after), after[0]["repostable"].clone()),
        (vec![a], Value::Null),
        "a trashed info isn't shown"
    );
    assert_eq!(
        app.calls("info-comment-list-all").len(),
        4,
        "a page costs one query and one batched read"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_comments_are_all_counted() {
    let app = spawn_app_on_own_table().await;
    let (_, fan, id) = setup(&app).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..30 {
        let request = app
            .http
            .post(format!("{}{FEEDS}", app.base_url))
            .bearer_auth(&fan.token)
            .json(&json!({"repostable_type": "infos", "repostable_id": id, "feed_content": format!("c{i}")}));
        tasks.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), 201);
    }
    let info = app
        .rest_ok(200, "GET", &format!("/api/v2/infos/{id}"), None, None)
        .await;
    assert_eq!(info["comments_count"], 30);
    assert_eq!(app.count_items(&k::comments(Some(id), CommentKind::All), "").await, 30);
}

/// Issue 11 (reads <= $1.50 per million pages): the listing entries carry the comments, so a
/// page is one Query of them and one batched read of what can change (the distinct users, the
/// info and its counts), on both routes; and the answer is what publishing each comment
/// answered, the info as it is now.
#[tokio::test]
async fn a_page_of_20_comments_by_3_users_is_one_query_and_one_batch_of_users_and_info() {
    let app = spawn_app_on_own_table().await;
    let (_, fan, id) = setup(&app).await;
    let users = [fan, app.info_user().await, app.info_user().await];
    let image = app.image(&users[0], 300, 200).await;
    let video = app.upload(&users[0], "video/mp4", b"\0\0\0\x18ftypmp42".to_vec()).await;
    let mut made = Vec::new();
    for i in 0..25 {
        // Every kind of comment the seed has; the files are users[0]'s (i a multiple of 3).
        let extra = match i {
            _ if i % 6 == 0 => json!({"images": [image, image]}),
            _ if i % 6 == 3 => json!({"video": {"video_id": video, "cover_id": image}, "feed_content": ""}),
            _ if i % 4 == 1 => json!({"feed_mark": unique("m"), "feed_from": 2, "feed_content": "写得好".repeat(40)}),
            _ => json!({}),
        };
        made.push(comment(&app, &users[i % 3], id, extra).await);
    }
    let now = made[24]["repostable"].clone();
    assert_eq!(now["comments_count"], 25, "the last answer has the info as it is now");
    let expected: Vec<Value> = made
        .iter()
        .rev()
        .take(20)
        .map(|f| {
            let mut f = f.clone();
            f["repostable"] = now.clone();
            f
        })
        .collect();
    for (binary, path) in both_listings(id, "?limit=20") {
        app.calls(binary);
        let page = app.rest_ok(200, "GET", &path, None, None).await;
        let page = page.as_array().unwrap();
        assert_eq!(page.len(), 20, "{binary}");
        for (got, want) in page.iter().zip(&expected) {
            assert_eq!(got, want, "{binary}: comment {}", want["id"]);
        }
        let calls = app.calls(binary);
        assert_eq!(ops(&calls), ["Query", "BatchGetItem"], "{binary}");
        assert_eq!(calls[0].items_read, 20, "{binary}: the page's entries");
        assert_eq!(
            calls[1].items_read,
            3 + 2,
            "{binary}: the 3 users, the info and its stats; no comment read by key"
        );
    }
}

/// Users are read live: a page shows each author as they are now, not as they were when they
/// commented. No route renames an info user yet; an operator's edit of the stored user stands
/// for one.
#[tokio::test]
async fn a_comment_page_shows_its_authors_as_they_are_now() {
    let app = spawn_app_on_own_table().await;
    let (_, fan, id) = setup(&app).await;
    let made = comment(&app, &fan, id, json!({})).await;
    assert_eq!(made["user"]["name"], fan.name.as_str());
    let stored = app.item(&k::user(fan.id)).await.unwrap();
    let mut user: UserItem = serde_dynamo::from_item(stored).unwrap();
    user.name = unique("renamed");
    user.updated_at = 4_102_444_800_000; // 2100-01-01
    app.put_all(vec![serde_dynamo::to_item(&user).unwrap()]).await;
    for (binary, path) in both_listings(id, "") {
        let page = app.rest_ok(200, "GET", &path, None, None).await;
        assert_eq!(
            (&page[0]["id"], &page[0]["user"]["name"], &page[0]["user"]["updated_at"]),
            (&made["id"], &json!(user.name), &json!("2100-01-01 00:00:00")),
            "{binary}"
        );
    }
}

/// A comment whose entries can't carry it within one write unit (nine images) is listed all
/// the same: its entries hold only its IDs and the page reads its feed in the same batch.
#[tokio::test]
async fn a_comment_too_big_for_its_entries_is_read_from_its_feed_in_the_page_batch() {
    let app = spawn_app_on_own_table().await;
    let (_, fan, id) = setup(&app).await;
    let image = app.image(&fan, 300, 200).await;
    let made = comment(&app, &fan, id, json!({"images": vec![image; 9]})).await;
    let entry = app
        .item(&k::comment_entry(
            Some(id),
            CommentKind::Image,
            made["id"].as_u64().unwrap(),
        ))
        .await
        .unwrap();
    assert!(!entry.contains_key("comment"), "the entry stays small");
    for (binary, path) in both_listings(id, "?type=image") {
        app.calls(binary);
        let page = app.rest_ok(200, "GET", &path, None, None).await;
        assert_eq!(page, json!([made]), "{binary}");
        let calls = app.calls(binary);
        assert_eq!(ops(&calls), ["Query", "BatchGetItem"], "{binary}");
        assert_eq!(
            calls[1].items_read, 4,
            "{binary}: the feed, its user, the info and its stats"
        );
    }
}
