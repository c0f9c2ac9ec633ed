//! Seed 002 under concurrency: many `post_like` requests at once through the gateway; the
//! answers and the stored counts must be exact.

use e2e::serde_json::Value;
use e2e::{TestApp, spawn_app};

use e2e::nobase::{Member, POST_LIKE, Setup, World, encode};

/// Fires every `(member, like)` at once (GET, as the seed's query-string examples) and returns
/// each call's `like` with its answer's code.
async fn like_all(app: &TestApp, world: &World, calls: Vec<(Member, &'static str)>) -> Vec<(&'static str, i64)> {
    let mut tasks = tokio::task::JoinSet::new();
    for (member, like) in calls {
        let url = format!(
            "{}{POST_LIKE}?{}",
            app.base_url,
            encode(&world.like_params(&member, like))
        );
        let http = app.http.clone();
        tasks.spawn(async move {
            let resp = http.get(url).send().await.unwrap();
            assert_eq!(resp.status(), 200);
            (like, resp.json::<Value>().await.unwrap())
        });
    }
    let mut codes = Vec::new();
    while let Some(env) = tasks.join_next().await {
        let (like, env) = env.unwrap();
        let code = env["code"].as_i64().unwrap();
        match code {
            200 => assert_eq!(env["data"], "操作成功"),
            405 => assert!(
                env["data"] == "该帖子您已经点赞过了" || env["data"] == "该帖子您还没有点赞过哦!",
                "{env}"
            ),
            _ => panic!("unexpected answer {env}"),
        }
        codes.push((like, code));
    }
    codes
}

fn count(codes: &[(&str, i64)], code: i64) -> usize {
    codes.iter().filter(|(_, c)| *c == code).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_likes_by_one_user_make_one_200_and_49_405() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    let codes = like_all(&app, &world, vec![(member, "1"); 50]).await;
    assert_eq!((count(&codes, 200), count(&codes, 405)), (1, 49), "{codes:?}");
    assert_eq!(world.likes(&app, &world.post).await, (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_likes_by_one_user_in_user_pass_mode_make_one() {
    let app = spawn_app().await;
    let world = World::with(&app, Setup::user_pass()).await;
    let member = world.member(&app).await;
    let codes = like_all(&app, &world, vec![(member, "1"); 20]).await;
    assert_eq!((count(&codes, 200), count(&codes, 405)), (1, 19), "{codes:?}");
    assert_eq!(world.likes(&app, &world.post).await, (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_users_liking_at_once_add_fifty() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let members = world.members_direct(50).await;
    let codes = like_all(&app, &world, members.into_iter().map(|m| (m, "1")).collect()).await;
    assert_eq!(count(&codes, 200), 50, "{codes:?}");
    assert_eq!(world.likes(&app, &world.post).await, (50, 50));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_storm_of_likes_and_cancels_keeps_the_count_equal_to_the_likes() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let members = world.members_direct(12).await;
    let calls: Vec<(Member, &'static str)> = (0..120)
        .map(|_| {
            let member = members[rand::random_range(0..members.len())].clone();
            (member, if rand::random::<bool>() { "1" } else { "2" })
        })
        .collect();
    let codes = like_all(&app, &world, calls).await;
    assert_eq!(codes.len(), 120);
    let done = |like| codes.iter().filter(|(l, c)| *l == like && *c == 200).count() as i64;
    let (stored, items) = world.likes(&app, &world.post).await;
    assert_eq!(stored, items as i64);
    assert_eq!(stored, done("1") - done("2"), "every 200 moved the count by one");
    assert!((0..=12).contains(&stored));
}
