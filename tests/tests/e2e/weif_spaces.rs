//! weifChat space moments (#28–#35): publish, the feed of one's own and friends' moments,
//! a user's space, like (a race-free toggle), comments and replies, deletes.

use e2e::serde_json::{Value, json};
use e2e::weif::{WeifUser, field, keys};
use e2e::{TestApp, spawn_app};
use weifchat::keys as k;

/// `2023-9-12 16:53`: unpadded month, day and hour, padded minutes.
fn is_minute_time(s: &str) -> bool {
    let Some((date, clock)) = s.split_once(' ') else {
        return false;
    };
    let date: Vec<&str> = date.split('-').collect();
    let clock: Vec<&str> = clock.split(':').collect();
    date.len() == 3
        && date[0].len() == 4
        && date[1..]
            .iter()
            .all(|p| !p.starts_with('0') && p.parse::<u32>().is_ok())
        && clock.len() == 2
        && (clock[0] == "0" || !clock[0].starts_with('0'))
        && clock[1].len() == 2
}

async fn feed(app: &TestApp, user: &WeifUser) -> Vec<Value> {
    let env = app
        .weif_get_ok("/space/get", &user.token, &[("userId", &user.id)])
        .await;
    env["data"].as_array().unwrap().clone()
}

async fn like(app: &TestApp, user: &WeifUser, space: &str) -> Value {
    app.weif_post("/space/like", &user.token, json!({"spaceId": space, "userId": user.id}))
        .await
}

async fn comment(app: &TestApp, user: &WeifUser, space: &str, text: &str) -> Value {
    app.weif_post(
        "/space/comment/add/0",
        &user.token,
        json!({"userId": user.id, "spaceId": space, "textarea": text, "fromId": user.id, "toId": user.id}),
    )
    .await
}

async fn reply(app: &TestApp, user: &WeifUser, space: &str, comment: &str, to: &WeifUser, text: &str) -> Value {
    app.weif_post(
        "/space/comment/add/1",
        &user.token,
        json!({"userId": user.id, "spaceId": space, "textarea": text, "fromId": user.id, "toId": to.id, "spaceCommentId": comment}),
    )
    .await
}

async fn stored_counts(app: &TestApp, space: &str) -> (i64, i64) {
    let item = app.item(&k::space(space)).await.unwrap();
    let n = |name: &str| item[name].as_n().unwrap().parse().unwrap();
    (n("likeCount"), n("commentCount"))
}

async fn stored_items(app: &TestApp, space: &str, prefix: &str) -> i64 {
    app.count_items(&k::space_partition(space), prefix).await as i64
}

#[tokio::test]
async fn space_add_200_publishes_text_photos_or_both() {
    let app = spawn_app().await;
    let user = app.weif_register().await;
    let env = app
        .weif_post(
            "/space/add",
            &user.token,
            json!({"userId": user.id, "textDesc": "测试", "photos": "[\"/1700935073298-黄鼠狼.jpg\"]"}),
        )
        .await;
    assert_eq!(env, json!({"status": 200, "msg": "发布成功"}));
    // No friends: their read, the moment with its author's feed entry, their read again once
    // it is stored (a friendship agreed meanwhile), nothing to write (weif_feed.rs has the
    // fan-out's costs).
    assert_eq!(app.requests("weif-space-add"), ["Query", "TransactWriteItems", "Query"]);
    // photos as an array too, and photos alone.
    app.weif_post_ok(
        "/space/add",
        &user.token,
        json!({"userId": user.id, "photos": ["/he.jpeg", "/me.jpeg"]}),
    )
    .await;
    let list = feed(&app, &user).await;
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["photos"], json!(["/he.jpeg", "/me.jpeg"]));
    assert_eq!(list[0]["textDesc"], "");
    assert_eq!(list[1]["photos"], json!(["/1700935073298-黄鼠狼.jpg"]));
}

#[tokio::test]
async fn space_add_405_needs_the_user_and_text_or_photos() {
    let app = spawn_app().await;
    let user = app.weif_register().await;
    let env = app.weif_post("/space/add", &user.token, json!({})).await;
    assert_eq!(
        env,
        json!({"status": 405, "msg": "参数错误", "data": [
            field("userId参数不能为空", "userId", "body"),
            field("textDesc和photos不能同时为空", "textDesc", "body"),
        ]})
    );
    let env = app
        .weif_post(
            "/space/add",
            &user.token,
            json!({"userId": user.id, "photos": "not json"}),
        )
        .await;
    assert_eq!(
        env["data"],
        json!([field("photos必须为图片地址数组的JSON字符串", "photos", "body")])
    );
}

#[tokio::test]
async fn space_get_200_is_own_and_friends_moments_newest_first() {
    let app = spawn_app().await;
    let (me, friend, stranger) = app.weif_people().await;
    let m1 = app.weif_space(&me, "mine 1").await;
    let f1 = app.weif_space(&friend, "friend 1").await;
    app.weif_space(&stranger, "stranger").await;
    let m2 = app.weif_space(&me, "mine 2").await;
    let list = feed(&app, &me).await;
    let ids: Vec<&str> = list.iter().map(|s| s["_id"].as_str().unwrap()).collect();
    assert_eq!(ids, [m2.as_str(), f1.as_str(), m1.as_str()]);
    let entry = &list[1];
    assert_eq!(
        keys(entry),
        [
            "_id",
            "userId",
            "textDesc",
            "photos",
            "time",
            "isLike",
            "likeList",
            "commentList",
            "replyList"
        ]
    );
    assert_eq!(
        entry["userId"],
        json!({"_id": friend.id, "nick": friend.nick, "imgUrl": "/user_pic1.jpeg"})
    );
    assert!(is_minute_time(entry["time"].as_str().unwrap()), "{}", entry["time"]);
    assert_eq!(
        (
            &entry["isLike"],
            &entry["likeList"],
            &entry["commentList"],
            &entry["replyList"]
        ),
        (&json!(false), &json!([]), &json!([]), &json!([]))
    );
    // The friend sees the same two authors; the stranger only their own.
    assert_eq!(feed(&app, &friend).await.len(), 3);
    assert_eq!(feed(&app, &stranger).await.len(), 1);
}

#[tokio::test]
async fn space_get_entries_carry_likes_comments_and_a_reply_list_parallel_to_the_comments() {
    let app = spawn_app().await;
    let (me, friend, _) = app.weif_people().await;
    let space = app.weif_space(&me, "过去的回忆").await;
    assert_eq!(
        comment(&app, &friend, &space, "lovefan").await,
        json!({"status": 200, "msg": "success"})
    );
    comment(&app, &friend, &space, "想你了").await;
    let list = feed(&app, &me).await;
    let second = list[0]["commentList"][1]["_id"].as_str().unwrap().to_owned();
    assert_eq!(
        reply(&app, &me, &space, &second, &friend, "xxx").await,
        json!({"status": 200, "msg": "success"})
    );
    like(&app, &friend, &space).await;
    let entry = &feed(&app, &me).await[0];
    assert_eq!(entry["isLike"], false, "the viewer hasn't liked it");
    assert_eq!(feed(&app, &friend).await[0]["isLike"], true);
    let likes = entry["likeList"].as_array().unwrap();
    assert_eq!(likes.len(), 1);
    assert_eq!(keys(&likes[0]), ["_id", "spaceId", "userId", "time", "__v"]);
    assert_eq!(likes[0]["userId"]["_id"], friend.id.as_str());
    let comments = entry["commentList"].as_array().unwrap();
    assert_eq!(comments.len(), 2);
    let c = &comments[0];
    assert_eq!(
        keys(c),
        [
            "_id", "userId", "spaceId", "type", "textarea", "fromId", "toId", "time", "__v"
        ]
    );
    assert_eq!(
        (&c["type"], &c["textarea"], &c["fromId"], &c["toId"], &c["spaceId"]),
        (
            &json!(0),
            &json!("lovefan"),
            &json!(friend.id),
            &json!(friend.id),
            &json!(space)
        )
    );
    assert_eq!(c["userId"]["nick"], friend.nick.as_str());
    let replies = entry["replyList"].as_array().unwrap();
    assert_eq!(replies.len(), 2, "one list per comment");
    assert_eq!(replies[0], json!([]));
    let r = &replies[1][0];
    assert_eq!(
        keys(r),
        [
            "_id",
            "userId",
            "spaceId",
            "spaceCommentId",
            "type",
            "textarea",
            "fromId",
            "toId",
            "time",
            "__v"
        ]
    );
    assert_eq!((&r["type"], &r["spaceCommentId"]), (&json!(1), &json!(second)));
    assert_eq!(
        r["fromId"],
        json!({"_id": me.id, "nick": me.nick, "imgUrl": "/user_pic1.jpeg"})
    );
    assert_eq!(r["toId"]["_id"], friend.id.as_str());
    assert_eq!(stored_counts(&app, &space).await, (1, 3));
}

#[tokio::test]
async fn space_get_pages_twenty_moments_at_a_time() {
    let app = spawn_app().await;
    let (me, friend, _) = app.weif_people().await;
    for i in 0..12 {
        for u in [&me, &friend] {
            app.weif_post_ok(
                "/space/add",
                &u.token,
                json!({"userId": u.id, "textDesc": format!("m{i}")}),
            )
            .await;
        }
    }
    let page = |n: &'static str| {
        let (app, me) = (&app, &me);
        async move {
            let env = app
                .weif_get_ok("/space/get", &me.token, &[("userId", &me.id), ("pageNum", n)])
                .await;
            env["data"].as_array().unwrap().clone()
        }
    };
    let (first, second, third) = (page("1").await, page("2").await, page("3").await);
    assert_eq!((first.len(), second.len(), third.len()), (20, 4, 0));
    let mut ids: Vec<&str> = first
        .iter()
        .chain(&second)
        .map(|s| s["_id"].as_str().unwrap())
        .collect();
    let in_order = ids.windows(2).all(|w| w[0] > w[1]);
    assert!(in_order, "newest first across pages");
    ids.dedup();
    assert_eq!(ids.len(), 24);
    let env = app
        .weif_get("/space/get", &me.token, &[("userId", &me.id), ("pageNum", "0")])
        .await;
    assert_eq!(
        env["data"],
        json!([field("pageNum必须为1-50的整数", "pageNum", "query")])
    );
}

#[tokio::test]
async fn space_details_200_for_oneself_and_friends_403_for_strangers() {
    let app = spawn_app().await;
    let (me, friend, stranger) = app.weif_people().await;
    let space = app.weif_space(&me, "123").await;
    for viewer in [&me, &friend] {
        let env = app
            .weif_get("/space/details", &viewer.token, &[("userId", &me.id)])
            .await;
        assert_eq!(env["status"], 200);
        let s = &env["data"]["spaces"][0];
        assert_eq!(keys(s), ["_id", "userId", "textDesc", "photos", "time", "__v"]);
        assert_eq!(s["_id"], space.as_str());
        let user = &env["data"]["user"];
        assert_eq!(keys(user), ["_id", "WaiFCode", "nick", "imgUrl"]);
        assert_eq!(user["_id"], me.id.as_str());
    }
    let env = app
        .weif_get("/space/details", &stranger.token, &[("userId", &me.id)])
        .await;
    assert_eq!(env, json!({"status": 403, "msg": "仅好友可以查看空间动态"}));
    let env = app.weif_get("/space/details", &me.token, &[("userId", "nobody")]).await;
    assert_eq!(env, json!({"status": 400, "msg": "该用户不存在"}));
}

#[tokio::test]
async fn space_like_200_toggles_and_answers_the_new_state() {
    let app = spawn_app().await;
    let (me, friend, _) = app.weif_people().await;
    let space = app.weif_space(&me, "like me").await;
    assert_eq!(
        like(&app, &friend, &space).await,
        json!({"status": 200, "msg": "success", "data": {"isLike": true, "likeCount": 1}})
    );
    assert_eq!(
        app.requests("weif-space-like"),
        ["BatchGetItem", "GetItem", "TransactWriteItems", "BatchGetItem"]
    );
    assert_eq!(
        like(&app, &me, &space).await["data"],
        json!({"isLike": true, "likeCount": 2})
    );
    assert_eq!(
        like(&app, &friend, &space).await["data"],
        json!({"isLike": false, "likeCount": 1})
    );
    assert_eq!(stored_counts(&app, &space).await.0, 1);
    assert_eq!(stored_items(&app, &space, k::LIKE_PREFIX).await, 1);
}

#[tokio::test]
async fn space_like_403_for_a_stranger_400_for_no_moment_405_without_parameters() {
    let app = spawn_app().await;
    let [me, stranger] = app.weif_users().await;
    let space = app.weif_space(&me, "private").await;
    assert_eq!(
        like(&app, &stranger, &space).await,
        json!({"status": 403, "msg": "只有好友可以点赞"})
    );
    assert_eq!(stored_counts(&app, &space).await.0, 0);
    assert_eq!(
        like(&app, &me, "nope").await,
        json!({"status": 400, "msg": "该动态不存在"})
    );
    let env = app.weif_post("/space/like", &me.token, json!({})).await;
    assert_eq!(
        env["data"],
        json!([
            field("spaceId参数不能为空", "spaceId", "body"),
            field("userId参数不能为空", "userId", "body"),
        ])
    );
}

/// Issue 11, item 5: a like other than chatx's within $4.50 a million. The author's like is a
/// read, a transaction of two writes and a read for the answer; a friend's reads the friendship
/// (1 RRU) between the first read (which names the author) and the transaction, instead of
/// checking it inside (2 WRU); anyone else is refused from that read, with nothing written.
#[tokio::test]
async fn space_like_budget_author_3_requests_friend_4_and_a_non_friend_writes_nothing() {
    let app = spawn_app().await;
    let (me, friend, stranger) = app.weif_people().await;
    let asker = app.weif_register().await;
    app.weif_post_ok(
        "/friend/add",
        &asker.token,
        json!({"userId": asker.id, "friendId": me.id}),
    )
    .await;
    let space = app.weif_space(&me, "budget").await;
    app.requests("weif-space-like");
    assert_eq!(
        like(&app, &me, &space).await["data"],
        json!({"isLike": true, "likeCount": 1})
    );
    assert_eq!(
        app.requests("weif-space-like"),
        ["BatchGetItem", "TransactWriteItems", "BatchGetItem"],
        "the author's like"
    );
    assert_eq!(
        like(&app, &friend, &space).await["data"],
        json!({"isLike": true, "likeCount": 2})
    );
    assert_eq!(
        app.requests("weif-space-like"),
        ["BatchGetItem", "GetItem", "TransactWriteItems", "BatchGetItem"],
        "a friend's like"
    );
    // A stranger, and one whose friend request is still unanswered (their edge in state 0).
    for user in [&stranger, &asker] {
        assert_eq!(
            like(&app, user, &space).await,
            json!({"status": 403, "msg": "只有好友可以点赞"})
        );
        assert_eq!(
            app.requests("weif-space-like"),
            ["BatchGetItem", "GetItem"],
            "refused from the read"
        );
        assert!(app.item(&k::like(&space, &user.id)).await.is_none());
    }
    assert_eq!(stored_counts(&app, &space).await.0, 2);
    assert_eq!(stored_items(&app, &space, k::LIKE_PREFIX).await, 2);

    // Unliking never needed the friendship: an ex-friend can take theirs back, not like again.
    app.weif_get_ok(
        "/del/friend",
        &me.token,
        &[("userId", &me.id), ("friendId", &friend.id)],
    )
    .await;
    app.requests("weif-space-like");
    assert_eq!(
        like(&app, &friend, &space).await["data"],
        json!({"isLike": false, "likeCount": 1})
    );
    assert_eq!(
        app.requests("weif-space-like"),
        ["BatchGetItem", "TransactWriteItems", "BatchGetItem"],
        "an unlike"
    );
    assert_eq!(
        like(&app, &friend, &space).await,
        json!({"status": 403, "msg": "只有好友可以点赞"})
    );
    assert_eq!(stored_counts(&app, &space).await.0, 1);
    assert_eq!(stored_items(&app, &space, k::LIKE_PREFIX).await, 1);
}

/// `n` like toggles at once by `users[i % len]`; the answers.
async fn toggles(app: &TestApp, space: &str, users: &[WeifUser], n: usize) -> Vec<Value> {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let user = users[i % users.len()].clone();
        let (http, url) = (app.http.clone(), format!("{}/space/like", app.base_url));
        let body = json!({"spaceId": space, "userId": user.id});
        tasks.spawn(async move {
            let resp = http.post(url).bearer_auth(user.token).json(&body).send().await.unwrap();
            resp.json::<Value>().await.unwrap()
        });
    }
    let mut out = Vec::new();
    while let Some(env) = tasks.join_next().await {
        let env = env.unwrap();
        assert_eq!(env["status"], 200, "{env}");
        out.push(env);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_toggles_by_one_user_leave_it_liked_iff_their_number_is_odd() {
    // Up to `LIKE_ATTEMPTS` toggles in flight at once, each one counts.
    let app = spawn_app().await;
    let user = app.weif_register().await;
    let n = weifchat::LIKE_ATTEMPTS;
    for (name, toggles_n, liked) in [("even", n - 1, 0), ("odd", n, 1)] {
        let space = app.weif_space(&user, name).await;
        toggles(&app, &space, std::slice::from_ref(&user), toggles_n).await;
        assert_eq!(stored_counts(&app, &space).await.0, liked, "{name}");
        assert_eq!(stored_items(&app, &space, k::LIKE_PREFIX).await, liked, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_user_hammering_the_button_gets_bounded_truthful_answers() {
    let app = spawn_app().await;
    let user = app.weif_register().await;
    let space = app.weif_space(&user, "hammered").await;
    let calls = 64;
    let answers = toggles(&app, &space, std::slice::from_ref(&user), calls).await;
    // Each answer is a state that existed: alone on the moment, liked iff counted once.
    for a in &answers {
        let liked = a["data"]["isLike"].as_bool().unwrap();
        assert_eq!(a["data"]["likeCount"], i64::from(liked), "{a}");
    }
    let items = stored_items(&app, &space, k::LIKE_PREFIX).await;
    assert_eq!(stored_counts(&app, &space).await.0, items);
    // Bounded work per call: at most `LIKE_ATTEMPTS` reads and writes, then one read for the answer.
    let requests = app.requests("weif-space-like").len();
    assert!(
        requests <= calls * (2 * weifchat::LIKE_ATTEMPTS + 1),
        "{requests} DynamoDB requests for {calls} calls"
    );
}

#[tokio::test]
async fn space_like_with_is_like_sets_the_state_and_a_repeat_writes_nothing() {
    let app = spawn_app().await;
    let (me, friend, _) = app.weif_people().await;
    let space = app.weif_space(&me, "wanted").await;
    let set = |want: Value| {
        let body = json!({"spaceId": space, "userId": friend.id, "isLike": want});
        app.weif_post("/space/like", &friend.token, body)
    };
    for want in [json!(true), json!("true"), json!(1)] {
        assert_eq!(set(want).await["data"], json!({"isLike": true, "likeCount": 1}));
    }
    app.requests("weif-space-like");
    assert_eq!(set(json!(true)).await["data"], json!({"isLike": true, "likeCount": 1}));
    assert_eq!(
        app.requests("weif-space-like"),
        ["BatchGetItem"],
        "nothing written, the read answers"
    );
    for want in [json!(false), json!(0)] {
        assert_eq!(set(want).await["data"], json!({"isLike": false, "likeCount": 0}));
    }
    assert_eq!(stored_items(&app, &space, k::LIKE_PREFIX).await, 0);
    let env = set(json!("maybe")).await;
    assert_eq!(env["data"], json!([field("isLike必须为true或false", "isLike", "body")]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_friends_liking_at_once_make_thirty() {
    let app = spawn_app().await;
    let author = app.weif_register().await;
    let mut friends = Vec::new();
    for _ in 0..30 {
        let f = app.weif_register().await;
        app.weif_befriend(&f, &author).await;
        friends.push(f);
    }
    let space = app.weif_space(&author, "popular").await;
    let answers = toggles(&app, &space, &friends, 30).await;
    assert!(answers.iter().all(|a| a["data"]["isLike"] == true));
    assert!(answers.iter().any(|a| a["data"]["likeCount"] == 30));
    assert_eq!(stored_counts(&app, &space).await.0, 30);
    assert_eq!(stored_items(&app, &space, k::LIKE_PREFIX).await, 30);
    assert_eq!(feed(&app, &author).await[0]["likeList"].as_array().unwrap().len(), 30);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_storm_of_toggles_keeps_the_counter_equal_to_the_likes() {
    let app = spawn_app().await;
    let author = app.weif_register().await;
    let mut people = vec![author.clone()];
    for _ in 0..5 {
        let f = app.weif_register().await;
        app.weif_befriend(&f, &author).await;
        people.push(f);
    }
    let space = app.weif_space(&author, "storm").await;
    let calls: Vec<WeifUser> = (0..60)
        .map(|_| people[rand::random_range(0..people.len())].clone())
        .collect();
    let answers = toggles(&app, &space, &calls, calls.len()).await;
    let items = stored_items(&app, &space, k::LIKE_PREFIX).await;
    assert_eq!(stored_counts(&app, &space).await.0, items);
    // Each answer is a state that existed: the caller's like is among the counted ones.
    for a in &answers {
        let liked = i64::from(a["data"]["isLike"].as_bool().unwrap());
        assert!(a["data"]["likeCount"].as_i64().unwrap() >= liked, "{a}");
    }
}

#[tokio::test]
async fn space_comment_add_405_type_and_reply_parameters() {
    let app = spawn_app().await;
    let user = app.weif_register().await;
    let env = app.weif_post("/space/comment/add/2", &user.token, json!({})).await;
    assert_eq!(
        env,
        json!({"status": 405, "msg": "参数错误", "data": [
            field("type必须为0或1", "type", "params"),
            field("userId参数不能为空", "userId", "body"),
            field("spaceId参数不能为空", "spaceId", "body"),
            field("评论内容不能为空", "textarea", "body"),
        ]})
    );
    let env = app
        .weif_post(
            "/space/comment/add/1",
            &user.token,
            json!({"userId": user.id, "spaceId": "s", "textarea": "x"}),
        )
        .await;
    assert_eq!(
        env["data"],
        json!([
            field("spaceCommentId参数不能为空", "spaceCommentId", "body"),
            field("toId参数不能为空", "toId", "body"),
        ])
    );
}

#[tokio::test]
async fn space_comment_add_refuses_strangers_other_senders_and_missing_targets() {
    let app = spawn_app().await;
    let (me, friend, stranger) = app.weif_people().await;
    let space = app.weif_space(&me, "comments").await;
    assert_eq!(
        comment(&app, &stranger, &space, "hi").await,
        json!({"status": 403, "msg": "只有好友可以评论"})
    );
    let env = app
        .weif_post(
            "/space/comment/add/0",
            &friend.token,
            json!({"userId": friend.id, "spaceId": space, "textarea": "x", "fromId": me.id}),
        )
        .await;
    assert_eq!(env, json!({"status": 403, "msg": "身份不符, 无权操作"}));
    assert_eq!(
        reply(&app, &friend, &space, "nope", &me, "x").await,
        json!({"status": 400, "msg": "要回复的评论不存在"})
    );
    comment(&app, &friend, &space, "first").await;
    let cid = feed(&app, &me).await[0]["commentList"][0]["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let env = app
        .weif_post(
            "/space/comment/add/1",
            &me.token,
            json!({"userId": me.id, "spaceId": space, "textarea": "x", "toId": "nobody", "spaceCommentId": cid}),
        )
        .await;
    assert_eq!(env, json!({"status": 400, "msg": "被回复的用户不存在"}));
    assert_eq!(
        comment(&app, &friend, "nope", "x").await,
        json!({"status": 400, "msg": "该动态不存在"})
    );
    assert_eq!(stored_counts(&app, &space).await.1, 1);
}

async fn delete_comment(app: &TestApp, user: &WeifUser, kind: u8, id: &str) -> Value {
    app.weif_get(&format!("/space/comment/del/{kind}"), &user.token, &[("_id", id)])
        .await
}

#[tokio::test]
async fn space_comment_del_200_a_comment_goes_with_its_replies() {
    let app = spawn_app().await;
    let (me, friend, _) = app.weif_people().await;
    let space = app.weif_space(&me, "threads").await;
    comment(&app, &friend, &space, "keep").await;
    comment(&app, &friend, &space, "drop").await;
    let cid = feed(&app, &me).await[0]["commentList"][1]["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    reply(&app, &me, &space, &cid, &friend, "r1").await;
    reply(&app, &friend, &space, &cid, &me, "r2").await;
    assert_eq!(stored_counts(&app, &space).await.1, 4);
    assert_eq!(
        delete_comment(&app, &friend, 1, &cid).await,
        json!({"status": 400, "msg": "评论不存在"}),
        "the path's type must match"
    );
    assert_eq!(
        delete_comment(&app, &friend, 0, &cid).await,
        json!({"status": 200, "msg": "删除成功"})
    );
    assert_eq!(stored_counts(&app, &space).await.1, 1);
    assert_eq!(stored_items(&app, &space, k::COMMENT_PREFIX).await, 1);
    let entry = &feed(&app, &me).await[0];
    assert_eq!(entry["commentList"][0]["textarea"], "keep");
    assert_eq!(entry["replyList"], json!([[]]));
}

#[tokio::test]
async fn space_comment_del_by_the_moments_author_or_the_commenter_only() {
    let app = spawn_app().await;
    let (me, a, b) = app.weif_people().await;
    app.weif_befriend(&me, &b).await;
    let space = app.weif_space(&me, "moderated").await;
    comment(&app, &a, &space, "a1").await;
    comment(&app, &a, &space, "a2").await;
    let list = &feed(&app, &me).await[0]["commentList"];
    let (c1, c2) = (list[0]["_id"].as_str().unwrap(), list[1]["_id"].as_str().unwrap());
    reply(&app, &b, &space, c1, &a, "b's reply").await;
    let rid = feed(&app, &me).await[0]["replyList"][0][0]["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        delete_comment(&app, &b, 0, c1).await,
        json!({"status": 403, "msg": "只能删除自己的评论或自己动态下的评论"})
    );
    assert_eq!(
        delete_comment(&app, &b, 1, &rid).await["status"],
        200,
        "a reply by its author"
    );
    assert_eq!(
        delete_comment(&app, &me, 0, c1).await["status"],
        200,
        "the moment's author"
    );
    assert_eq!(delete_comment(&app, &a, 0, c2).await["status"], 200, "the commenter");
    assert_eq!(stored_counts(&app, &space).await.1, 0);
    assert_eq!(
        delete_comment(&app, &a, 0, c2).await,
        json!({"status": 400, "msg": "评论不存在"})
    );
}

#[tokio::test]
async fn space_del_200_deletes_the_moment_with_its_likes_comments_and_replies() {
    let app = spawn_app().await;
    let (me, friend, _) = app.weif_people().await;
    let space = app.weif_space(&me, "short lived").await;
    like(&app, &friend, &space).await;
    comment(&app, &friend, &space, "c").await;
    let cid = feed(&app, &me).await[0]["commentList"][0]["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    reply(&app, &me, &space, &cid, &friend, "r").await;
    let env = app.weif_get("/space/del", &friend.token, &[("_id", &space)]).await;
    assert_eq!(env, json!({"status": 403, "msg": "只能删除自己的动态"}));
    let env = app.weif_get("/space/del", &me.token, &[("_id", &space)]).await;
    assert_eq!(env, json!({"status": 200, "msg": "删除成功"}));
    assert_eq!(app.count_items(&k::space_partition(&space), "").await, 0);
    assert!(feed(&app, &me).await.is_empty() && feed(&app, &friend).await.is_empty());
    let env = app.weif_get("/space/del", &me.token, &[("_id", &space)]).await;
    assert_eq!(env, json!({"status": 400, "msg": "该动态不存在"}));
    assert_eq!(like(&app, &friend, &space).await["status"], 400);
    let env = app.weif_get("/space/del", &me.token, &[]).await;
    assert_eq!(env["data"], json!([field("_id参数不能为空", "_id", "query")]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_comments_are_all_counted() {
    let app = spawn_app().await;
    let user = app.weif_register().await;
    let space = app.weif_space(&user, "busy").await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..25 {
        let (http, url, token) = (
            app.http.clone(),
            format!("{}/space/comment/add/0", app.base_url),
            user.token.clone(),
        );
        let body = json!({"userId": user.id, "spaceId": space, "textarea": format!("c{i}")});
        tasks.spawn(async move {
            let resp = http.post(url).bearer_auth(token).json(&body).send().await.unwrap();
            resp.json::<Value>().await.unwrap()
        });
    }
    while let Some(env) = tasks.join_next().await {
        assert_eq!(env.unwrap()["status"], 200);
    }
    assert_eq!(stored_counts(&app, &space).await.1, 25);
    assert_eq!(stored_items(&app, &space, k::COMMENT_PREFIX).await, 25);
}

#[tokio::test]
async fn space_get_costs_one_query_and_one_batched_read_and_no_scan() {
    let app = spawn_app().await;
    let (me, a, b) = app.weif_people().await;
    app.weif_befriend(&me, &b).await;
    app.weif_space(&a, "a").await;
    app.weif_space(&me, "me").await;
    app.requests("weif-space-get");
    assert_eq!(feed(&app, &me).await.len(), 2);
    // The feed's entries, then the moments with their authors and friendships (weif_feed.rs:
    // the same with 200 friends, and a moment with likes or comments).
    assert_eq!(app.requests("weif-space-get"), ["Query", "BatchGetItem"]);
}

#[tokio::test]
async fn a_moment_at_the_comment_limit_takes_no_more() {
    let app = spawn_app().await;
    let user = app.weif_register().await;
    let space = app.weif_space(&user, "full").await;
    app.dynamo
        .update_item()
        .table_name(&app.table)
        .set_key(Some(k::space(&space).to_item()))
        .update_expression("SET commentCount = :max")
        .expression_attribute_values(":max", aws_sdk_dynamodb::types::AttributeValue::N("500".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        comment(&app, &user, &space, "one too many").await,
        json!({"status": 400, "msg": "该动态评论数已达上限"})
    );
    assert_eq!(stored_items(&app, &space, k::COMMENT_PREFIX).await, 0);
}

#[tokio::test]
async fn a_like_and_an_unlike_write_the_like_and_the_counter_and_no_index_entry() {
    let app = spawn_app().await;
    let (me, friend, _) = app.weif_people().await;
    let space = app.weif_space(&me, "cheap to like").await;
    for (answer, liked, requests) in [
        (
            json!({"isLike": true, "likeCount": 1}),
            1,
            &["BatchGetItem", "GetItem", "TransactWriteItems", "BatchGetItem"][..],
        ),
        (
            json!({"isLike": false, "likeCount": 0}),
            0,
            &["BatchGetItem", "TransactWriteItems", "BatchGetItem"][..],
        ),
    ] {
        app.requests("weif-space-like");
        assert_eq!(like(&app, &friend, &space).await["data"], answer);
        // One consistent read of the moment and the like (+ the friendship before a like), one
        // transaction (no transaction that is sure to be cancelled), one read of both again for
        // the answer.
        assert_eq!(app.requests("weif-space-like"), requests);
        assert_eq!(stored_items(&app, &space, k::LIKE_PREFIX).await, liked);
    }
    // The counters live on the moment item, which is in no index (its listing copy, which #31
    // reads, has no counter): a like writes no index entry.
    let moment = app.item(&k::space(&space)).await.unwrap();
    assert!(!moment.contains_key(shared::keys::GSI1_PK) && !moment.contains_key(shared::keys::GSI2_PK));
    let listing = app.item(&k::user_space(&me.id, &space)).await.unwrap();
    assert!(!listing.contains_key("likeCount") && !listing.contains_key(shared::keys::GSI1_PK));
}
