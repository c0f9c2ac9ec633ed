//! Self-healing counters: with the table's stream feeding `upkeep-counters` (as in AWS), a counter
//! corrupted behind the API's back (a hand edit, a partial restore) is recounted from the items
//! it counts and repaired, on every surface; and the repair never races live likes into a wrong
//! value.

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::nobase::{POST_LIKE, World, get};
use e2e::serde_json::json;
use e2e::{TestApp, spawn_app_with_upkeep};
use shared::keys::Key;

/// Sets `attr` of the item at `key` to `value`, directly in the table.
async fn corrupt(app: &TestApp, key: &Key, attr: &str, value: i64) {
    app.dynamo
        .update_item()
        .table_name(&app.table)
        .set_key(Some(key.to_item()))
        .update_expression("SET #a = :v")
        .expression_attribute_names("#a", attr)
        .expression_attribute_values(":v", AttributeValue::N(value.to_string()))
        .send()
        .await
        .expect("update");
}

async fn counter(app: &TestApp, key: &Key, attr: &str) -> i64 {
    let item = app.item(key).await.expect("the counting item");
    item.get(attr).map_or(0, |v| v.as_n().unwrap().parse().unwrap())
}

/// Waits for the upkeep to bring `attr` to `expected` (it runs asynchronously, as on AWS); the
/// value it ends with.
async fn settles(app: &TestApp, key: &Key, attr: &str, expected: i64) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let value = counter(app, key, attr).await;
        if value == expected || Instant::now() > deadline {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn chatx_like_and_comment_counters_corrupted_by_hand_are_repaired() {
    let app = spawn_app_with_upkeep().await;
    let author = app.register().await;
    let post = app.add_post(&author, "counted").await;
    for _ in 0..3 {
        let fan = app.register().await;
        app.chatx_ok("/chatx/moments/like", &fan.token, json!({"postID": post}))
            .await;
    }
    app.chatx_ok(
        "/chatx/moments/comment/add",
        &author.token,
        json!({"postID": post, "content": "first"}),
    )
    .await;
    let key = chatx::keys::post(&post);
    corrupt(&app, &key, "likeCount", 42).await;
    corrupt(&app, &key, "commentCount", -5).await;
    assert_eq!(settles(&app, &key, "likeCount", 3).await, 3);
    assert_eq!(settles(&app, &key, "commentCount", 1).await, 1);
    assert!(
        app.requests("upkeep-counters").contains(&"UpdateItem".to_owned()),
        "the upkeep repaired them"
    );
}

#[tokio::test]
async fn nobase_weifchat_and_info_counters_corrupted_by_hand_are_repaired() {
    let app = spawn_app_with_upkeep().await;

    let world = World::new(&app).await;
    let member = world.member(&app).await;
    let like = get(&app, POST_LIKE, &world.like_params(&member, "1")).await;
    assert_eq!(like["code"], 200, "{like}");
    let nobase_post = nobase::keys::post(&world.appid, &world.post);

    let (author, friend, _) = app.weif_people().await;
    let space = app.weif_space(&author, "counted").await;
    app.weif_post_ok(
        "/space/like",
        &friend.token,
        json!({"spaceId": space, "userId": friend.id}),
    )
    .await;
    let weif_space = weifchat::keys::space(&space);

    let admin = app.info_admin().await;
    let category = app.category(&admin).await;
    let info = app.publish(&admin, category, json!({})).await["id"].as_u64().unwrap();
    let fan = app.info_user().await;
    for what in ["like", "favorite"] {
        let path = format!("/api/v2/infos/{info}/{what}");
        assert_eq!(app.rest("PUT", &path, Some(&fan.token), None).await.0, 204);
    }
    let comment = json!({"repostable_type": "infos", "repostable_id": info, "feed_content": "c"});
    app.rest_ok(201, "POST", "/api/v2/feeds", Some(&fan.token), Some(comment))
        .await;
    let stats = info::keys::stats(info);

    corrupt(&app, &nobase_post, "likeCount", 9).await;
    corrupt(&app, &weif_space, "likeCount", 0).await;
    corrupt(&app, &weif_space, "commentCount", 3).await;
    for attr in ["likes_count", "favorites_count", "comments_count"] {
        corrupt(&app, &stats, attr, 100).await;
    }
    assert_eq!(settles(&app, &nobase_post, "likeCount", 1).await, 1);
    assert_eq!(settles(&app, &weif_space, "likeCount", 1).await, 1);
    assert_eq!(settles(&app, &weif_space, "commentCount", 0).await, 0);
    for attr in ["likes_count", "favorites_count", "comments_count"] {
        assert_eq!(settles(&app, &stats, attr, 1).await, 1, "{attr}");
    }
}

/// The upkeep recounts a post on every like's record while likes and cancels keep landing: it
/// must never write a count that raced a like (it stands down instead), so when the storm is
/// over and the upkeep has caught up, the counter still equals the likes stored.
#[tokio::test]
async fn a_like_storm_with_the_upkeep_running_stays_exact() {
    let app = spawn_app_with_upkeep().await;
    let author = app.register().await;
    let post = app.add_post(&author, "busy").await;
    let mut fans = Vec::new();
    for _ in 0..8 {
        fans.push(app.register().await);
    }
    let calls = (0..40).map(|i| {
        let fan = &fans[i % fans.len()];
        let body = json!({"postID": post, "cancel": i % 3 == 2});
        app.chatx("/chatx/moments/like", &fan.token, body)
    });
    for env in futures_util::future::join_all(calls).await {
        assert_eq!(env["errCode"], 0, "{env}");
    }
    let key = chatx::keys::post(&post);
    let stored = i64::try_from(app.count_items(&key.pk, chatx::keys::LIKE_PREFIX).await).unwrap();
    // The upkeep's last batch has run once it has been idle a while: then nothing changes.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(counter(&app, &key, "likeCount").await, stored);
    let repaired = app
        .requests("upkeep-counters")
        .iter()
        .filter(|r| *r == "UpdateItem")
        .count();
    assert_eq!(repaired, 0, "nothing drifted, so nothing was written");
}
