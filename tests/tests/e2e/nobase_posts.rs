//! `POST /api/bbs/post_add` and `GET|POST /api/bbs/post_detail`: the posts post_like acts on.

use e2e::serde_json::json;
use e2e::{spawn_app, unique};
use nobase::PostStatus;

use e2e::nobase::{POST_ADD, POST_DETAIL, POST_LIKE, Setup, World, fail, get, ok, owned, post_form};

#[tokio::test]
async fn a_new_post_is_shown_with_its_like_count_and_whether_the_user_likes_it() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let author = world.member(&app).await;
    let reader = world.member(&app).await;
    let mut add = world.params(&owned(&[
        ("uid", &world.board),
        ("title", " 你好 "),
        ("content", "第一帖"),
    ]));
    add.extend(author.identity());
    let env = post_form(&app, POST_ADD, &add).await;
    assert_eq!(env["code"], 200, "{env}");
    let post = env["data"].clone();
    let id = post["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (post["uid"].as_str(), post["title"].as_str(), post["author"].as_str()),
        (Some(world.board.as_str()), Some("你好"), Some(author.account.as_str()))
    );
    assert_eq!(
        (
            post["status"].as_str(),
            post["likeCount"].as_i64(),
            post["liked"].as_bool()
        ),
        (Some("normal"), Some(0), Some(false))
    );

    let mut like = world.like_params_for(&id, &author, "1");
    assert_eq!(get(&app, POST_LIKE, &like).await, ok(json!("操作成功")));
    like = world.like_params_for(&id, &reader, "1");
    assert_eq!(get(&app, POST_LIKE, &like).await, ok(json!("操作成功")));
    like = world.like_params_for(&id, &reader, "2");
    assert_eq!(get(&app, POST_LIKE, &like).await, ok(json!("操作成功")));

    for (member, liked) in [(&author, true), (&reader, false)] {
        let mut detail = world.params(&owned(&[("uid", &world.board), ("id", &id)]));
        detail.extend(member.identity());
        for env in [
            get(&app, POST_DETAIL, &detail).await,
            post_form(&app, POST_DETAIL, &detail).await,
        ] {
            assert_eq!(env["code"], 200, "{env}");
            let mut expected = post.clone();
            expected["likeCount"] = json!(1);
            expected["liked"] = json!(liked);
            assert_eq!(env["data"], expected);
        }
    }
    assert_eq!(world.likes(&app, &id).await, (1, 1));
}

#[tokio::test]
async fn in_an_app_that_reviews_posts_a_new_post_waits_and_only_its_author_sees_it() {
    let app = spawn_app().await;
    let world = World::with(
        &app,
        Setup {
            post_review: true,
            ..Setup::token()
        },
    )
    .await;
    let author = world.member(&app).await;
    let reader = world.member(&app).await;
    let mut add = world.params(&owned(&[("uid", &world.board), ("title", "t"), ("content", "c")]));
    add.extend(author.identity());
    let env = post_form(&app, POST_ADD, &add).await;
    assert_eq!(env["data"]["status"], "review", "{env}");
    let id = env["data"]["id"].as_str().unwrap().to_owned();
    let detail = |m: &e2e::nobase::Member| {
        let mut p = world.params(&owned(&[("uid", &world.board), ("id", &id)]));
        p.extend(m.identity());
        p
    };
    assert_eq!(
        get(&app, POST_DETAIL, &detail(&author)).await["data"]["status"],
        "review"
    );
    assert_eq!(get(&app, POST_DETAIL, &detail(&reader)).await, fail(404, "帖子审核中!"));
    let like = world.like_params_for(&id, &reader, "1");
    assert_eq!(get(&app, POST_LIKE, &like).await, fail(404, "帖子审核中!"));
    // The operator approves it.
    world
        .store()
        .set_post_status(&world.appid, &id, PostStatus::Normal)
        .await
        .unwrap();
    assert_eq!(
        get(&app, POST_DETAIL, &detail(&reader)).await["data"]["status"],
        "normal"
    );
    assert_eq!(get(&app, POST_LIKE, &like).await, ok(json!("操作成功")));
}

#[tokio::test]
async fn a_post_needs_an_existing_board_and_valid_text() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    let ghost_board = unique("b_");
    let mut add = world.params(&owned(&[("uid", &ghost_board), ("title", "t"), ("content", "c")]));
    add.extend(member.identity());
    assert_eq!(post_form(&app, POST_ADD, &add).await, fail(407, "该板块不存在!"));
    let mut add = world.params(&owned(&[
        ("uid", &world.board),
        ("title", &"长".repeat(101)),
        ("content", "c"),
    ]));
    add.extend(member.identity());
    assert_eq!(
        post_form(&app, POST_ADD, &add).await,
        fail(204, "帖子标题长度需为1-100个字符!")
    );
    let mut add = world.params(&owned(&[("uid", &world.board), ("title", "t")]));
    add.extend(member.identity());
    assert_eq!(
        post_form(&app, POST_ADD, &add).await,
        fail(204, "接口参数错误:缺少content")
    );
}

#[tokio::test]
async fn post_detail_says_not_found_for_a_missing_post_or_another_board() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    let other_board = world.add_board().await;
    for (uid, id) in [
        (world.board.as_str(), "nope"),
        (other_board.as_str(), world.post.as_str()),
        (world.board.as_str(), "a#b"),
    ] {
        let mut detail = world.params(&owned(&[("uid", uid), ("id", id)]));
        detail.extend(member.identity());
        assert_eq!(
            get(&app, POST_DETAIL, &detail).await,
            fail(407, "该帖子不存在!"),
            "{uid}/{id}"
        );
    }
}

/// Every nobase route answers an empty request with the first parameter it needs, over HTTP.
#[tokio::test]
async fn every_nobase_route_wants_appid_first() {
    let app = spawn_app().await;
    let template = local_gateway::Template::load(local_gateway::template_path()).unwrap();
    let routes: Vec<_> = template
        .routes()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/bbs/") || r.path.starts_with("/api/user/"))
        .collect();
    assert_eq!(routes.len(), 7, "{routes:?}");
    for route in routes {
        let (status, env) = app.raw(&route.method, &route.path, &[], "").await;
        assert_eq!((status, env), (200, fail(204, "接口参数错误:缺少appid")), "{route:?}");
    }
}
