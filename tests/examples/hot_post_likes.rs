//! Likes a second on one hot chatx post through the throttling proxy: a benchmark figure, never
//! asserted (docs/chatx.md, *Hot posts*). Needs a DynamoDB API server
//! (`AWS_ENDPOINT_URL_DYNAMODB`, as the e2e tests); one run per shard setting, since a container
//! reads `CHATX_LIKE_SHARDS` once:
//!
//! ```sh
//! bash -c 'source scripts/lib.sh; start_moto $(free_port) /tmp/moto-hot.log; trap stop_moto EXIT
//!   for shards in 1 10; do CHATX_LIKE_SHARDS=$shards cargo run -q -p e2e --example hot_post_likes; done'
//! ```
//!
//! Optional: `HOT_LIKES` (likes, default 300), `HOT_IN_FLIGHT` (default 32), `HOT_WCU` (write
//! units a second per key, default 100), `HOT_SCOPE` (`key` or `item`, default `key`).

use e2e::hot::{likers, storm};
use e2e::spawn_app_with_throttling;
use e2e::throttle::{Limit, Scope};

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let likes: usize = env("HOT_LIKES", 300);
    let in_flight: usize = env("HOT_IN_FLIGHT", 32);
    let wcu: f64 = env("HOT_WCU", 100.0);
    let scope = match std::env::var("HOT_SCOPE").as_deref() {
        Ok("item") => Scope::Item,
        _ => Scope::PartitionKey,
    };
    let shards = chatx::ChatxSettings::get().like_shards;
    let (app, proxy) = spawn_app_with_throttling(Limit {
        wcu_per_second: wcu,
        scope,
    })
    .await;
    let author = app.register().await;
    let post_id = app.add_post(&author, "hot").await;
    let tokens = likers(&app, likes);
    let run = storm(&app, &post_id, &tokens, false, in_flight).await;
    let final_count = app
        .chatx_ok(
            "/chatx/moments/post/get",
            &author.token,
            e2e::serde_json::json!({"postID": post_id}),
        )
        .await["post"]["likeCount"]
        .clone();
    println!(
        "shards={shards} scope={scope:?} wcu/s/key={wcu} likes={likes} in_flight={in_flight}: \
         {:.1} likes/s over {:.2} s, {} busy answers retried, {} writes throttled, final likeCount {final_count}",
        run.per_second(),
        run.elapsed.as_secs_f64(),
        run.busy,
        proxy.seen().throttled,
    );
    assert_eq!(final_count, likes as i64, "the count is exact");
}
