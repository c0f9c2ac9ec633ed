//! weifChat's moments feed (#29), fanned out on write: a page costs one Query of the viewer's
//! feed plus one batched read, whatever the number of friends; publishing, deleting,
//! befriending and unfriending keep the feeds right; a big author's fan-out runs on the table's
//! stream (`weif-feed-fanout`). Request and item budgets are counted with the request log.

use std::time::{Duration, Instant};

use e2e::serde_json::{Value, json};
use e2e::weif::WeifUser;
use e2e::{TestApp, spawn_app, spawn_app_holding, spawn_app_on_own_table, spawn_app_with_upkeep};
use shared::store::Item;
use shared::store::observe::Call;
use weifchat::keys as k;
use weifchat::{FEED_BACKFILL, FEED_SYNC_FRIENDS, Space, User, bulk};

const PAGE: usize = weifchat::spaces::SPACES_PER_PAGE;

/// `n` friends of `of` as the store leaves them (profiles and both sides of each friendship),
/// written directly; their IDs, oldest friendship first.
async fn friends(app: &TestApp, of: &WeifUser, n: usize) -> Vec<String> {
    let now = shared::clock::now_ms();
    let mut items = Vec::new();
    let mut ids = Vec::new();
    for i in 0..n {
        let id = shared::ids::new_id();
        let user = User {
            id: id.clone(),
            phone: format!("1390000{i:04}"),
            nick: format!("friend {i}"),
            img_url: "/user_pic1.jpeg".into(),
            sex: "未知".into(),
            birthday: String::new(),
            sign: String::new(),
            waif_code: format!("WaiFCode_{i:010}"),
            created_at: now,
        };
        items.push(bulk::user(&user, 1));
        items.extend(bulk::friendship(
            &shared::ids::new_id(),
            &user,
            &of.profile(),
            now + i as i64,
        ));
        ids.push(id);
    }
    app.put_all(items).await;
    ids
}

/// A moment of `author`'s as `add_space` leaves it for `viewers` (its author's feed among them).
fn moment(author: &str, text: &str, viewers: &[&str]) -> (Space, Vec<Item>) {
    let space = Space {
        id: shared::ids::new_id(),
        user_id: author.into(),
        text_desc: text.into(),
        photos: Vec::new(),
        time: shared::clock::now_ms(),
    };
    let mut items = bulk::space(&space).to_vec();
    items.extend(viewers.iter().map(|v| bulk::feed_entry(v, &space)));
    (space, items)
}

async fn page(app: &TestApp, user: &WeifUser, n: usize) -> Vec<Value> {
    let env = app
        .weif_get_ok(
            "/space/get",
            &user.token,
            &[("userId", &user.id), ("pageNum", &n.to_string())],
        )
        .await;
    env["data"].as_array().unwrap().clone()
}

fn ids(list: &[Value]) -> Vec<&str> {
    list.iter().map(|s| s["_id"].as_str().unwrap()).collect()
}

fn ops(calls: &[Call]) -> Vec<&str> {
    let mut ops: Vec<&str> = calls.iter().map(|c| c.operation.as_str()).collect();
    ops.sort_unstable();
    ops
}

fn read(calls: &[Call]) -> usize {
    calls.iter().map(|c| c.items_read).sum()
}

/// How many entries `viewer`'s feed holds (a consistent read of the table).
async fn feed_size(app: &TestApp, viewer: &str) -> usize {
    app.count_items(&k::feed(viewer), "").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_feed_page_with_200_friends_is_one_query_and_one_batched_read_of_about_a_page() {
    let app = spawn_app_on_own_table().await;
    let me = app.weif_register().await;
    let friends = friends(&app, &me, 200).await;
    // Each friend publishes a moment, in turn (IDs are time-ordered), and I one of mine.
    let mut items = Vec::new();
    let mut published = Vec::new();
    for (i, f) in friends.iter().enumerate() {
        let (space, written) = moment(f, &format!("moment {i}"), &[f.as_str(), me.id.as_str()]);
        items.extend(written);
        published.push(space.id);
    }
    let (mine, written) = moment(&me.id, "mine", &[&me.id]);
    items.extend(written);
    published.push(mine.id);
    app.put_all(items).await;
    published.sort_unstable_by(|a, b| b.cmp(a));
    app.calls("weif-space-get");

    let first = page(&app, &me, 1).await;
    assert_eq!(ids(&first), published[..PAGE].to_vec(), "the newest 20, newest first");
    assert!(
        first.iter().all(|s| s["userId"]["nick"].is_string()),
        "authors populated"
    );
    let calls = app.calls("weif-space-get");
    assert_eq!(ops(&calls), ["BatchGetItem", "Query"], "{calls:?}");
    // 20 entries, then 20 moments + 19 of my friendships (each edge carries its author's
    // profile) + my own user: no friend's user item.
    assert_eq!(read(&calls), 3 * PAGE, "{calls:?}");

    // A deep page reads the entries before it (small ones), not the friends' moments.
    let fifth = page(&app, &me, 5).await;
    assert_eq!(ids(&fifth), published[4 * PAGE..5 * PAGE].to_vec());
    let calls = app.calls("weif-space-get");
    assert_eq!(ops(&calls), ["BatchGetItem", "Query"], "{calls:?}");
    assert_eq!(read(&calls), 5 * PAGE + 2 * PAGE, "{calls:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_page_reads_the_thread_of_each_moment_with_likes_or_comments_and_nothing_more() {
    let app = spawn_app_on_own_table().await;
    let me = app.weif_register().await;
    let friends = friends(&app, &me, 30).await;
    let mut items = Vec::new();
    let mut published = Vec::new();
    for f in &friends {
        let (space, written) = moment(f, "quiet", &[f.as_str(), me.id.as_str()]);
        items.extend(written);
        published.push(space.id);
    }
    app.put_all(items).await;
    published.sort_unstable_by(|a, b| b.cmp(a));
    let (liked, commented) = (published[0].clone(), published[1].clone());
    let env = app
        .weif_post("/space/like", &me.token, json!({"spaceId": liked, "userId": me.id}))
        .await;
    assert_eq!(env["data"]["isLike"], true);
    app.weif_post_ok(
        "/space/comment/add/0",
        &me.token,
        json!({"userId": me.id, "spaceId": commented, "textarea": "nice"}),
    )
    .await;
    app.calls("weif-space-get");
    let first = page(&app, &me, 1).await;
    assert_eq!(first[0]["_id"], liked.as_str());
    assert_eq!(first[0]["isLike"], true);
    assert_eq!(first[0]["likeList"][0]["userId"]["nick"], me.nick.as_str());
    assert_eq!(first[1]["commentList"][0]["textarea"], "nice");
    assert!(
        first[2..]
            .iter()
            .all(|s| s["likeList"] == json!([]) && s["commentList"] == json!([]))
    );
    // The page's Query and batched read, one Query per busy moment (2), one read of the users
    // they mention (me, not an author on the page).
    let calls = app.calls("weif-space-get");
    assert_eq!(
        ops(&calls),
        ["BatchGetItem", "BatchGetItem", "Query", "Query", "Query"],
        "{calls:?}"
    );
}

#[tokio::test]
async fn a_moment_is_in_the_friends_feeds_at_once_and_leaves_them_when_deleted() {
    let app = spawn_app().await;
    let (me, friend, stranger) = app.weif_people().await;
    app.requests("weif-space-add");
    let space = app.weif_space(&friend, "fanned out").await;
    // The friends read, the moment with its author's entry, the friends read again
    // (consistently, once the moment is stored), the friend's entries.
    assert_eq!(
        app.requests("weif-space-add"),
        ["Query", "TransactWriteItems", "Query", "BatchWriteItem"]
    );
    for user in [&me, &friend] {
        assert_eq!(ids(&page(&app, user, 1).await), [space.as_str()]);
    }
    assert!(page(&app, &stranger, 1).await.is_empty());
    assert_eq!(feed_size(&app, &stranger.id).await, 0);

    app.weif_get_ok("/space/del", &friend.token, &[("_id", &space)]).await;
    for user in [&me, &friend] {
        assert_eq!(feed_size(&app, &user.id).await, 0, "no entry left behind");
    }
}

#[tokio::test]
async fn befriending_brings_in_the_newest_moments_and_unfriending_takes_them_out() {
    let app = spawn_app().await;
    let [me, other] = app.weif_users().await;
    let mine = app.weif_space(&me, "mine").await;
    for i in 0..FEED_BACKFILL + 2 {
        app.weif_post_ok(
            "/space/add",
            &other.token,
            json!({"userId": other.id, "textDesc": format!("theirs {i}")}),
        )
        .await;
    }
    assert_eq!(ids(&page(&app, &me, 1).await), [mine.as_str()], "not friends yet");

    app.weif_befriend(&me, &other).await;
    let (first, second) = (page(&app, &me, 1).await, page(&app, &me, 2).await);
    let texts: Vec<&str> = first
        .iter()
        .chain(&second)
        .map(|s| s["textDesc"].as_str().unwrap())
        .collect();
    let mut expected: Vec<String> = (2..FEED_BACKFILL + 2).rev().map(|i| format!("theirs {i}")).collect();
    expected.push("mine".into());
    assert_eq!(texts, expected, "their newest {FEED_BACKFILL}, then mine");
    assert_eq!(page(&app, &other, 1).await.len(), PAGE, "mine reached them too");
    assert_eq!(feed_size(&app, &other.id).await, FEED_BACKFILL + 2 + 1);

    app.weif_get_ok("/del/friend", &me.token, &[("userId", &me.id), ("friendId", &other.id)])
        .await;
    assert_eq!(feed_size(&app, &me.id).await, 1, "only mine left");
    assert_eq!(feed_size(&app, &other.id).await, FEED_BACKFILL + 2, "only theirs left");
    assert_eq!(ids(&page(&app, &me, 1).await), [mine.as_str()]);
    assert!(
        page(&app, &other, 1)
            .await
            .iter()
            .all(|s| s["userId"]["_id"] == other.id.as_str())
    );
}

/// A moment published while its author befriends someone, in the order that loses it unless
/// the publish looks again: the publish reads the author's friends (not yet the newcomer), the
/// befriending commits and backfills the author's moments (not yet this one), then the moment
/// is stored. The publish reads the friends again, consistently, once its moment is stored, so
/// the newcomer's feed has it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_moment_published_while_its_author_befriends_someone_reaches_the_new_friend() {
    let (app, hold, _proxy) = spawn_app_holding("TransactWriteItems").await;
    let [author, newcomer] = app.weif_users().await;
    let publish = app.weif_post(
        "/space/add",
        &author.token,
        json!({"userId": author.id, "textDesc": "in flight"}),
    );
    let published = hold.during(app.weif_befriend(&author, &newcomer), publish).await;
    assert_eq!(published["status"], 200, "{published}");
    let seen = page(&app, &newcomer, 1).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0]["textDesc"], "in flight");
    assert_eq!(feed_size(&app, &newcomer.id).await, 1);
}

#[tokio::test]
async fn an_entry_left_behind_by_a_race_is_never_shown() {
    let app = spawn_app().await;
    let (me, friend, stranger) = app.weif_people().await;
    let kept = app.weif_space(&friend, "kept").await;
    // Entries a late fan-out could leave: a stranger's moment, and a deleted one.
    let (space, items) = moment(&stranger.id, "not for me", &[&stranger.id, &me.id]);
    app.put_all(items).await;
    let gone = app.weif_space(&friend, "gone").await;
    app.weif_get_ok("/space/del", &friend.token, &[("_id", &gone)]).await;
    let gone = Space {
        id: gone,
        user_id: friend.id.clone(),
        ..space
    };
    app.put_all(vec![bulk::feed_entry(&me.id, &gone)]).await;
    assert_eq!(feed_size(&app, &me.id).await, 3);
    assert_eq!(ids(&page(&app, &me, 1).await), [kept.as_str()]);
}

/// Waits for the stream's function to finish the fan-out job at `job` (it runs asynchronously,
/// as on AWS); whether it did.
async fn job_done(app: &TestApp, job: &shared::keys::Key) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if app.item(job).await.is_none() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_big_authors_moment_reaches_the_friends_through_the_tables_stream() {
    let app = spawn_app_with_upkeep().await;
    let author = app.weif_register().await;
    let friends = friends(&app, &author, FEED_SYNC_FRIENDS + 1).await;
    app.requests("weif-space-add");
    let space = app.weif_space(&author, "for many").await;
    // No batch writes before the answer: the job rides in the publishing transaction.
    assert_eq!(app.requests("weif-space-add"), ["Query", "TransactWriteItems"]);
    assert_eq!(
        ids(&page(&app, &author, 1).await),
        [space.as_str()],
        "the author sees it at once"
    );

    assert!(job_done(&app, &k::fan_out_job(&space, true)).await, "the fan-out ran");
    for f in &friends {
        assert!(app.item(&k::feed_entry(f, &space)).await.is_some(), "in {f}'s feed");
    }
    assert!(app.requests("weif-feed-fanout").contains(&"BatchWriteItem".to_owned()));

    app.weif_get_ok("/space/del", &author.token, &[("_id", &space)]).await;
    assert_eq!(feed_size(&app, &author.id).await, 0, "out of the author's feed at once");
    assert!(job_done(&app, &k::fan_out_job(&space, false)).await, "the removal ran");
    for f in &friends {
        assert!(app.item(&k::feed_entry(f, &space)).await.is_none(), "out of {f}'s feed");
    }
}
