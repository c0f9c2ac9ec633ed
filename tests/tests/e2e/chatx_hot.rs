//! Issue 11, hot posts: one post liked by many users at once through a proxy that throttles
//! every partition key past its write budget, as DynamoDB does. The post's like counter shards
//! itself and every count stays exact (the likes a second are a benchmark figure:
//! `tests/examples/hot_post_likes.rs`, docs/chatx.md).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chatx::keys as k;
use e2e::hot::{likers, storm};
use e2e::serde_json::json;
use e2e::throttle::{Limit, Scope};
use e2e::{TestApp, spawn_app_with_throttling};

fn number(item: &HashMap<String, AttributeValue>, name: &str) -> i64 {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .map_or(0, |n| n.parse().unwrap())
}

/// The like count as stored, the post's `likeCount` plus each of its shards', and its shards.
async fn stored_count(app: &TestApp, post_id: &str) -> (i64, u32) {
    let post = app.item(&k::post(post_id)).await.expect("the post");
    let shards = u32::try_from(number(&post, k::attr::LIKE_SHARDS)).unwrap();
    let mut count = number(&post, k::attr::LIKE_COUNT);
    for shard in 1..=shards {
        let item = app
            .item(&k::like_shard(post_id, shard))
            .await
            .expect("every shard exists");
        count += number(&item, k::attr::LIKE_COUNT);
    }
    (count, shards)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_throttled_hot_post_shards_its_counter_and_every_count_stays_exact() {
    // 40 write units a second per partition key: a like (two transactional writes) is 4 units
    // on the post's key while unsharded, so 32 likes in flight throttle it at once.
    let limit = Limit {
        wcu_per_second: 40.0,
        scope: Scope::PartitionKey,
    };
    let (app, proxy) = spawn_app_with_throttling(limit).await;
    let author = app.register().await;
    let post_id = app.add_post(&author, "hot").await;
    let fans = likers(&app, 120);

    let liked = storm(&app, &post_id, &fans, false, 32).await;
    assert_eq!(liked.done, 120);
    assert!(liked.counts.iter().all(|c| (1..=120).contains(c)), "{:?}", liked.counts);
    assert!(proxy.seen().throttled > 0, "the proxy throttled: {:?}", proxy.seen());
    let (count, shards) = stored_count(&app, &post_id).await;
    assert_eq!(
        shards,
        chatx::ChatxSettings::DEFAULT_LIKE_SHARDS as u32,
        "sharded by itself"
    );
    assert_eq!(count, 120);
    assert_eq!(app.count_items(&k::post_partition(&post_id), k::LIKE_PREFIX).await, 120);

    // Half of them cancel, and some like again: idempotent on shards too.
    let cancelled = storm(&app, &post_id, &fans[..60], true, 32).await;
    assert_eq!(cancelled.done, 60);
    let again = storm(&app, &post_id, &fans[100..], false, 32).await;
    assert!(again.counts.iter().all(|c| *c >= 60), "{:?}", again.counts);
    assert_eq!(stored_count(&app, &post_id).await.0, 60);
    assert_eq!(app.count_items(&k::post_partition(&post_id), k::LIKE_PREFIX).await, 60);

    // Every view of the post agrees with the likes stored.
    let seen = app
        .chatx_ok("/chatx/moments/post/get", &fans[119], json!({"postID": post_id}))
        .await;
    assert_eq!(
        (seen["post"]["likeCount"].clone(), seen["post"]["liked"].clone()),
        (json!(60), json!(true))
    );
    let listed = app
        .chatx_ok("/chatx/moments/post/list", &fans[0], json!({"userID": author.user_id}))
        .await;
    assert_eq!(listed["posts"][0]["likeCount"], 60);
    assert_eq!(listed["posts"][0]["liked"], false);
    let mut requests = app.requests("chatx-moments-post-list");
    assert_eq!(requests.remove(0), "Query", "the page of posts first");
    requests.sort();
    assert_eq!(
        requests,
        ["BatchGetItem", "Query"],
        "then, at once, the viewer's likes among them and, since the page has a hot post, its shards in one batch"
    );

    // Deleting the post takes its shards with it; a like after that finds no post. Its deletes
    // are throttled too: busy, the author's retry (after the second it asks for) finishes it.
    for attempt in 1.. {
        let env = app
            .chatx("/chatx/moments/post/delete", &author.token, json!({"postID": post_id}))
            .await;
        match env["errCode"].as_i64() {
            Some(0) => break,
            Some(503) if attempt < 10 => tokio::time::sleep(std::time::Duration::from_secs(1)).await,
            _ => panic!("delete: {env}"),
        }
    }
    for shard in 1..=shards {
        assert!(app.item(&k::like_shard(&post_id, shard)).await.is_none());
    }
    let env = app
        .chatx("/chatx/moments/like", &fans[0], json!({"postID": post_id}))
        .await;
    assert_eq!(env["errCode"], 1004, "{env}");
}
