//! Seed 004, infos: get (views, `liked`/`favorited`, `with`), create (every limit, `medias`),
//! change (ownership, `infos:admin` fields, trash and restore, moves), delete (and what hangs
//! off an info).

use e2e::info::InfoUser;
use e2e::serde_json::{Value, json};
use e2e::{TestApp, spawn_app_on_own_table, unique};
use info::InfoState;
use info::keys::{self as k, CommentKind, Relation, Scope, Shelf};
use shared::keys::Key;

const INFOS: &str = "/api/v2/infos";

fn info(id: &Value) -> String {
    format!("/api/v2/infos/{id}")
}

async fn category_counts(app: &TestApp, c: u64) -> (i64, i64, i64) {
    let got = app
        .rest_ok(200, "GET", &format!("/api/v2/info/categories/{c}"), None, None)
        .await;
    let n = |k: &str| got[k].as_i64().unwrap();
    (n("published_count"), n("trashed_count"), n("infos_count"))
}

/// An admin, a category and a published info.
async fn setup(app: &TestApp) -> (InfoUser, u64, Value) {
    let admin = app.info_admin().await;
    let c = app.category(&admin).await;
    let i = app.publish(&admin, c, json!({})).await;
    (admin, c, i)
}

#[tokio::test]
async fn seed_004_get_info_answers_every_field_and_counts_the_view() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let c = app.category(&admin).await;
    let created = app
        .publish(
            &admin,
            c,
            json!({"title": "标题", "summary": "文字摘要", "content": "资讯内容"}),
        )
        .await;
    let first = app.rest_ok(200, "GET", &info(&created["id"]), None, None).await;
    let keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "id",
            "author_id",
            "category_id",
            "title",
            "summary",
            "content",
            "content_medias",
            "views_count",
            "likes_count",
            "favorites_count",
            "comments_count",
            "shares_count",
            "recommend_at",
            "topped_at",
            "category_topped_at",
            "created_at",
            "updated_at",
            "deleted_at",
            "liked",
            "favorited"
        ]
    );
    assert_eq!(
        (
            &first["author_id"],
            &first["category_id"],
            &first["title"],
            &first["summary"],
            &first["content"]
        ),
        (
            &json!(admin.id),
            &json!(c),
            &json!("标题"),
            &json!("文字摘要"),
            &json!("资讯内容")
        )
    );
    assert_eq!((&first["liked"], &first["favorited"]), (&json!(false), &json!(false)));
    assert_eq!(first["views_count"], 1, "a GET of one info counts a view");
    let second = app
        .rest_ok(200, "GET", &info(&created["id"]), Some(&admin.token), None)
        .await;
    assert_eq!(second["views_count"], 2);
}

#[tokio::test]
async fn seed_004_get_info_404_for_a_missing_id() {
    let app = spawn_app_on_own_table().await;
    for id in ["999999999", "x"] {
        assert_eq!(
            app.rest("GET", &format!("{INFOS}/{id}"), None, None).await,
            (404, json!({"message": "Info not found."}))
        );
    }
}

#[tokio::test]
async fn seed_004_get_info_with_author_verification_and_category() {
    let app = spawn_app_on_own_table().await;
    let (admin, c, i) = setup(&app).await;
    app.operator()
        .await
        .info()
        .set_verification(
            admin.id,
            Some(info::items::Verification {
                kind: "user".into(),
                description: "Staff writer".into(),
                created_at: 0,
            }),
        )
        .await
        .unwrap();
    let got = app
        .rest_ok(
            200,
            "GET",
            &format!("{}?with=author,author.verification,category", info(&i["id"])),
            None,
            None,
        )
        .await;
    assert_eq!(
        (&got["author"]["id"], &got["author"]["name"]),
        (&json!(admin.id), &json!(admin.name))
    );
    assert_eq!(got["author"]["verification"]["description"], "Staff writer");
    assert_eq!(got["category"]["id"], c);
    let plain = app
        .rest_ok(200, "GET", &format!("{}?with[]=author", info(&i["id"])), None, None)
        .await;
    assert!(plain["author"].get("verification").is_none() && plain.get("category").is_none());
    let (status, body) = app
        .rest("GET", &format!("{}?with=comments", info(&i["id"])), None, None)
        .await;
    assert_eq!(
        (status, body["errors"].clone()),
        (422, json!({"with": ["The selected with is invalid."]}))
    );
}

#[tokio::test]
async fn seed_004_create_info_401_403() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let user = app.info_user().await;
    let c = app.category(&admin).await;
    let body = json!({"category_id": c, "title": "t", "content": "c"});
    assert_eq!(app.rest("POST", INFOS, None, Some(body.clone())).await.0, 401);
    assert_eq!(
        app.rest("POST", INFOS, Some(&user.token), Some(body)).await,
        (403, json!({"message": "This action needs the infos:admin ability."}))
    );
}

#[tokio::test]
async fn seed_004_create_info_201_without_appended_or_relation_fields() {
    let app = spawn_app_on_own_table().await;
    let (admin, c, created) = setup(&app).await;
    assert_eq!(
        (&created["author_id"], &created["category_id"]),
        (&json!(admin.id), &json!(c))
    );
    for absent in ["liked", "favorited", "author", "category", "medias"] {
        assert!(created.get(absent).is_none(), "{absent}: {created}");
    }
    assert_eq!(created["views_count"], 0);
    assert_eq!(created["content_medias"], json!([]));
}

#[tokio::test]
async fn seed_004_create_info_author_id_defaults_to_the_caller_and_must_exist() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let writer = app.info_user().await;
    let c = app.category(&admin).await;
    let theirs = app.publish(&admin, c, json!({"author_id": writer.id})).await;
    assert_eq!(theirs["author_id"], writer.id);
    let (status, body) = app
        .rest(
            "POST",
            INFOS,
            Some(&admin.token),
            Some(json!({"category_id": c, "title": "t", "content": "c", "author_id": 999_999_999})),
        )
        .await;
    assert_eq!(
        (status, body["errors"].clone()),
        (422, json!({"author_id": ["The selected author id is invalid."]}))
    );
    assert_eq!(
        category_counts(&app, c).await,
        (1, 0, 1),
        "a refused create counts nothing"
    );
}

#[tokio::test]
async fn seed_004_create_info_category_must_exist() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let (status, body) = app
        .rest(
            "POST",
            INFOS,
            Some(&admin.token),
            Some(json!({"category_id": 999_999_999, "title": "t", "content": "c"})),
        )
        .await;
    assert_eq!(
        (status, body["errors"].clone()),
        (422, json!({"category_id": ["The selected category id is invalid."]}))
    );
}

#[tokio::test]
async fn seed_004_create_info_422_required_fields() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let (status, body) = app.rest("POST", INFOS, Some(&admin.token), Some(json!({}))).await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"],
        json!({
            "category_id": ["The category id field is required."],
            "title": ["The title field is required."],
            "content": ["The content field is required."],
        })
    );
}

#[tokio::test]
async fn seed_004_create_info_title_at_most_60_summary_160_content_65000_bytes() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let c = app.category(&admin).await;
    let at_limit = json!({
        "title": "标".repeat(30),
        "summary": "摘".repeat(160),
        "content": "x".repeat(65_000),
    });
    let ok = app.publish(&admin, c, at_limit).await;
    assert_eq!(ok["content"].as_str().unwrap().len(), 65_000);
    let over = json!({
        "category_id": c,
        "title": format!("{}a", "标".repeat(30)),
        "summary": "摘".repeat(161),
        "content": "内".repeat(21_667),
    });
    let (status, body) = app.rest("POST", INFOS, Some(&admin.token), Some(over)).await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"],
        json!({
            "title": ["The title may not be greater than 60 characters (a CJK character counts 2)."],
            "summary": ["The summary may not be greater than 160 characters."],
            "content": ["The content may not be greater than 65000 bytes."],
        })
    );
}

#[tokio::test]
async fn seed_004_create_info_content_medias_0_to_100_each_with_an_image() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let c = app.category(&admin).await;
    let image = app.image(&admin, 200, 200).await;
    let hundred = vec![json!({"image": image}); 100];
    let ok = app.publish(&admin, c, json!({"content_medias": hundred})).await;
    assert_eq!(ok["content_medias"].as_array().unwrap().len(), 100);
    let cases = [
        (json!(vec![json!({"image": image}); 101]), "content_medias"),
        (json!("not an array"), "content_medias"),
        (json!([{"video": image}]), "content_medias.0.image"),
        (json!([{"image": image}, 7]), "content_medias.1"),
    ];
    for (medias, field) in cases {
        let (status, body) = app
            .rest(
                "POST",
                INFOS,
                Some(&admin.token),
                Some(json!({"category_id": c, "title": "t", "content": "c", "content_medias": medias})),
            )
            .await;
        assert_eq!(status, 422, "{medias}");
        assert!(body["errors"].get(field).is_some(), "{field}: {body}");
    }
    let (status, body) = app
        .rest(
            "POST",
            INFOS,
            Some(&admin.token),
            Some(json!({"category_id": c, "title": "t", "content": "c", "content_medias": [{"image": image}, {"image": image, "video": image}]})),
        )
        .await;
    assert_eq!(
        (status, body["errors"].clone()),
        (
            422,
            json!({"content_medias.1.video": ["The content medias.1.video must be a video."]})
        )
    );
}

/// Publishes an info whose `content_medias` are `medias`; its `medias` field.
async fn medias_of(app: &TestApp, admin: &InfoUser, c: u64, medias: Vec<Value>) -> Option<Value> {
    let created = app.publish(admin, c, json!({"content_medias": medias})).await;
    let got = app.rest_ok(200, "GET", &info(&created["id"]), None, None).await;
    assert_eq!(created.get("medias"), got.get("medias"));
    got.get("medias").cloned()
}

fn nodes(medias: &Value, kind: &str) -> Vec<String> {
    medias
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m[kind]["node"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn seed_004_medias_rules_from_image_sizes() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let c = app.category(&admin).await;
    let small = app.image(&admin, 124, 124).await;
    let tall = app.image(&admin, 100, 500).await;
    let mut big_nodes = Vec::new();
    for (w, h) in [(400, 300), (500, 500), (640, 480), (800, 600)] {
        big_nodes.push(app.image(&admin, w, h).await);
    }
    let video = app.upload(&admin, "video/mp4", b"\0\0\0\x18ftypmp42".to_vec()).await;
    let img = |n: &String| json!({"image": n});

    // Rule 1: images smaller than 125 px on both sides are left out (one side is enough to stay).
    let m = medias_of(&app, &admin, c, vec![img(&small), img(&tall)]).await.unwrap();
    assert_eq!(nodes(&m, "image"), std::slice::from_ref(&tall));
    assert_eq!(
        (m[0]["image"]["width"].clone(), m[0]["image"]["height"].clone()),
        (json!(100), json!(500))
    );
    assert_eq!(medias_of(&app, &admin, c, vec![img(&small)]).await, None);

    // Rule 2: a video wins, and only the first.
    let with_video = json!({"image": small, "video": video});
    let m = medias_of(
        &app,
        &admin,
        c,
        vec![
            img(&big_nodes[0]),
            with_video.clone(),
            json!({"image": big_nodes[1], "video": video}),
        ],
    )
    .await
    .unwrap();
    assert_eq!(m.as_array().unwrap().len(), 1);
    assert_eq!(
        (nodes(&m, "image"), nodes(&m, "video")),
        (vec![small.clone()], vec![video.clone()])
    );

    // Rule 3: more than 3 images give 3.
    let four: Vec<Value> = big_nodes.iter().map(img).collect();
    let m = medias_of(&app, &admin, c, four).await.unwrap();
    assert_eq!(nodes(&m, "image"), big_nodes[..3].to_vec());

    // Rule 4: fewer than 3 images give the first one.
    let two: Vec<Value> = vec![img(&small), img(&big_nodes[1]), img(&big_nodes[2])];
    let m = medias_of(&app, &admin, c, two).await.unwrap();
    assert_eq!(nodes(&m, "image"), [big_nodes[1].clone()]);

    // Rule 5: nothing left, no `medias` field.
    assert_eq!(medias_of(&app, &admin, c, vec![]).await, None);
}

#[tokio::test]
async fn seed_004_create_info_recommend_topped_category_topped_set_their_times() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let c = app.category(&admin).await;
    let i = app
        .publish(
            &admin,
            c,
            json!({"recommend": true, "topped": 1, "category_topped": "1"}),
        )
        .await;
    for field in ["recommend_at", "topped_at", "category_topped_at"] {
        assert!(i[field].is_string(), "{field}: {i}");
    }
    let plain = app.publish(&admin, c, json!({"recommend": false})).await;
    assert_eq!(plain["recommend_at"], Value::Null);
}

#[tokio::test]
async fn seed_004_update_info_ordinary_users_change_only_their_own() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let (writer, other) = (app.info_user().await, app.info_user().await);
    let c = app.category(&admin).await;
    let theirs = app.publish(&admin, c, json!({"author_id": writer.id})).await;
    let changed = app
        .patch_info(&writer, &theirs["id"], json!({"title": "new title"}))
        .await;
    assert_eq!(changed["title"], "new title");
    assert!(changed.get("liked").is_none());
    assert_eq!(
        app.rest(
            "PATCH",
            &info(&theirs["id"]),
            Some(&other.token),
            Some(json!({"title": "mine now"}))
        )
        .await,
        (403, json!({"message": "You may only change or delete your own infos."}))
    );
    let by_admin = app.patch_info(&admin, &theirs["id"], json!({"summary": "s"})).await;
    assert_eq!(
        (&by_admin["summary"], &by_admin["title"]),
        (&json!("s"), &json!("new title"))
    );
}

#[tokio::test]
async fn seed_004_update_info_flags_deleted_and_other_authors_need_infos_admin() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let writer = app.info_user().await;
    let c = app.category(&admin).await;
    let theirs = app.publish(&admin, c, json!({"author_id": writer.id})).await;
    for body in [
        json!({"recommend": true}),
        json!({"topped": true}),
        json!({"category_topped": true}),
        json!({"deleted": true}),
        json!({"author_id": admin.id}),
    ] {
        let (status, _) = app
            .rest("PATCH", &info(&theirs["id"]), Some(&writer.token), Some(body.clone()))
            .await;
        assert_eq!(status, 403, "{body}");
    }
    let same_author = app
        .patch_info(&writer, &theirs["id"], json!({"author_id": writer.id}))
        .await;
    assert_eq!(same_author["author_id"], writer.id);
    let featured = app
        .patch_info(&admin, &theirs["id"], json!({"recommend": true, "topped": true}))
        .await;
    assert!(featured["recommend_at"].is_string() && featured["topped_at"].is_string());
    let unfeatured = app.patch_info(&admin, &theirs["id"], json!({"topped": false})).await;
    assert_eq!(
        (unfeatured["topped_at"].clone(), unfeatured["recommend_at"].clone()),
        (Value::Null, featured["recommend_at"].clone())
    );
}

#[tokio::test]
async fn seed_004_update_info_deleted_trashes_and_restores_and_moves_the_counts() {
    let app = spawn_app_on_own_table().await;
    let (admin, c, i) = setup(&app).await;
    let writer = app.info_user().await;
    let trashed = app.patch_info(&admin, &i["id"], json!({"deleted": true})).await;
    assert!(trashed["deleted_at"].is_string());
    assert_eq!(category_counts(&app, c).await, (0, 1, 1));
    assert_eq!(
        app.rest("GET", &info(&i["id"]), None, None).await.0,
        404,
        "hidden from the public"
    );
    assert_eq!(app.rest("GET", &info(&i["id"]), Some(&writer.token), None).await.0, 404);
    let seen = app.rest_ok(200, "GET", &info(&i["id"]), Some(&admin.token), None).await;
    assert_eq!(seen["views_count"], 0, "views of a trashed info are not counted");
    let restored = app.patch_info(&admin, &i["id"], json!({"deleted": false})).await;
    assert_eq!(restored["deleted_at"], Value::Null);
    assert_eq!(category_counts(&app, c).await, (1, 0, 1));
}

#[tokio::test]
async fn seed_004_update_info_moves_between_categories_and_authors() {
    let app = spawn_app_on_own_table().await;
    let (admin, from, i) = setup(&app).await;
    let to = app.category(&admin).await;
    let writer = app.info_user().await;
    let moved = app
        .patch_info(&admin, &i["id"], json!({"category_id": to, "author_id": writer.id}))
        .await;
    assert_eq!(
        (&moved["category_id"], &moved["author_id"]),
        (&json!(to), &json!(writer.id))
    );
    assert_eq!(category_counts(&app, from).await, (0, 0, 0));
    assert_eq!(category_counts(&app, to).await, (1, 0, 1));
    let by_writer = app
        .rest_ok(
            200,
            "GET",
            &format!("/api/v2/info/categories/{to}?count_by_author_id={}", writer.id),
            None,
            None,
        )
        .await;
    assert_eq!(by_writer["author_infos_count"], 1);
    let by_admin = app
        .rest_ok(
            200,
            "GET",
            &format!("/api/v2/info/categories/{from}?count_by_author_id={}", admin.id),
            None,
            None,
        )
        .await;
    assert_eq!(by_admin["author_infos_count"], 0);
    let (status, body) = app
        .rest(
            "PATCH",
            &info(&i["id"]),
            Some(&admin.token),
            Some(json!({"category_id": 999_999_999})),
        )
        .await;
    assert_eq!(
        (status, body["errors"].clone()),
        (422, json!({"category_id": ["The selected category id is invalid."]}))
    );
}

#[tokio::test]
async fn seed_004_update_info_401_404_422() {
    let app = spawn_app_on_own_table().await;
    let (admin, _, i) = setup(&app).await;
    assert_eq!(
        app.rest("PATCH", &info(&i["id"]), None, Some(json!({"title": "t"})))
            .await
            .0,
        401
    );
    assert_eq!(
        app.rest(
            "PATCH",
            "/api/v2/infos/999999999",
            Some(&admin.token),
            Some(json!({"title": "t"}))
        )
        .await,
        (404, json!({"message": "Info not found."}))
    );
    let (status, body) = app
        .rest(
            "PATCH",
            &info(&i["id"]),
            Some(&admin.token),
            Some(json!({"title": 5, "deleted": "maybe"})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"],
        json!({"title": ["The title must be a string."], "deleted": ["The deleted field must be true or false."]})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_changes_keep_the_category_counts_exact() {
    let app = spawn_app_on_own_table().await;
    let (admin, a, i) = setup(&app).await;
    let b = app.category(&admin).await;
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..12 {
        let (http, url, token) = (
            app.http.clone(),
            format!("{}{}", app.base_url, info(&i["id"])),
            admin.token.clone(),
        );
        let body = match n % 3 {
            0 => json!({"category_id": if n % 2 == 0 { a } else { b }}),
            1 => json!({"deleted": n % 2 == 0}),
            _ => json!({"title": format!("t{n}")}),
        };
        tasks.spawn(async move {
            let resp = http.patch(url).bearer_auth(token).json(&body).send().await.unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        });
    }
    let mut done = 0;
    while let Some(answer) = tasks.join_next().await {
        // A change that keeps losing to the others gives up cleanly, changing nothing.
        match answer.unwrap() {
            (200, _) => done += 1,
            (status, body) => assert_eq!(
                (status, body),
                (
                    422,
                    json!({"message": "The info was changed by another request meanwhile; try again."})
                )
            ),
        }
    }
    assert!(done > 0);
    let now = app.rest_ok(200, "GET", &info(&i["id"]), Some(&admin.token), None).await;
    let (here, there) = if now["category_id"] == a { (a, b) } else { (b, a) };
    let trashed = now["deleted_at"].is_string();
    let expected = if trashed { (0, 1, 1) } else { (1, 0, 1) };
    assert_eq!(category_counts(&app, here).await, expected);
    assert_eq!(category_counts(&app, there).await, (0, 0, 0));
}

#[tokio::test]
async fn seed_004_delete_info_ordinary_users_delete_only_their_own() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let (writer, other) = (app.info_user().await, app.info_user().await);
    let c = app.category(&admin).await;
    let mine = app.publish(&admin, c, json!({"author_id": writer.id})).await;
    let by_admin = app.publish(&admin, c, json!({"author_id": writer.id})).await;
    assert_eq!(app.rest("DELETE", &info(&mine["id"]), None, None).await.0, 401);
    assert_eq!(
        app.rest("DELETE", &info(&mine["id"]), Some(&other.token), None).await.0,
        403
    );
    assert_eq!(
        app.rest("DELETE", &info(&mine["id"]), Some(&writer.token), None).await,
        (204, Value::Null)
    );
    assert_eq!(
        app.rest("DELETE", &info(&by_admin["id"]), Some(&admin.token), None)
            .await
            .0,
        204
    );
    assert_eq!(app.rest("GET", &info(&mine["id"]), None, None).await.0, 404);
    assert_eq!(
        app.rest("DELETE", &info(&mine["id"]), Some(&writer.token), None)
            .await
            .0,
        404
    );
    assert_eq!(category_counts(&app, c).await, (0, 0, 0));
}

#[tokio::test]
async fn seed_004_delete_info_removes_likes_favorites_comments_and_fixes_the_counts() {
    let app = spawn_app_on_own_table().await;
    let (admin, c, i) = setup(&app).await;
    let fan = app.info_user().await;
    let id = i["id"].as_u64().unwrap();
    for (who, what) in [(&fan, "like"), (&fan, "favorite"), (&admin, "like")] {
        assert_eq!(
            app.rest("PUT", &format!("{}/{what}", info(&i["id"])), Some(&who.token), None)
                .await
                .0,
            204
        );
    }
    let mark = unique("m");
    let image = app.image(&fan, 200, 200).await;
    for body in [
        json!({"repostable_type": "infos", "repostable_id": id, "feed_content": "nice", "feed_mark": mark}),
        json!({"repostable_type": "infos", "repostable_id": id, "images": [image]}),
    ] {
        app.rest_ok(201, "POST", "/api/v2/feeds", Some(&fan.token), Some(body))
            .await;
    }
    let partition = k::info_partition(id);
    assert_eq!(
        app.count_items(&partition, "").await,
        5,
        "info, stats, 2 likes, 1 favorite"
    );
    assert_eq!(
        app.rest("DELETE", &info(&i["id"]), Some(&admin.token), None).await.0,
        204
    );

    assert_eq!(app.count_items(&partition, "").await, 0);
    for kind in [CommentKind::All, CommentKind::Image, CommentKind::ImageOrVideo] {
        assert_eq!(app.count_items(&k::comments(Some(id), kind), "").await, 0, "{kind:?}");
    }
    assert_eq!(
        app.count_index_items(&k::relations(fan.id, Relation::Like)).await,
        0,
        "the fan's like is gone from their likes too"
    );
    assert_eq!(
        app.count_index_items(&k::relations(fan.id, Relation::Favorite)).await,
        0
    );
    let all = app
        .rest_ok(200, "GET", "/api/v2/info/comments?limit=50", None, None)
        .await;
    assert!(all.as_array().unwrap().iter().all(|f| f["repostable_id"] != id));
    assert_eq!(category_counts(&app, c).await, (0, 0, 0));
    // The feed mark is free again.
    let other = app.publish(&admin, c, json!({})).await;
    app.rest_ok(
        201,
        "POST",
        "/api/v2/feeds",
        Some(&fan.token),
        Some(json!({"repostable_type": "infos", "repostable_id": other["id"], "feed_content": "again", "feed_mark": mark})),
    )
    .await;
}

#[tokio::test]
async fn an_interrupted_delete_is_finished_by_a_retry_without_counting_twice() {
    let app = spawn_app_on_own_table().await;
    let (admin, c, i) = setup(&app).await;
    let id = i["id"].as_u64().unwrap();
    app.rest_ok(200, "GET", &info(&i["id"]), None, None).await;
    // A delete that died after its first transaction: the info is marked, its listing entries
    // are gone and it is out of its category's counts.
    use aws_sdk_dynamodb::types::AttributeValue::N;
    for scope in [Scope::All, Scope::Category(c), Scope::Author(admin.id)] {
        let key = Key::new(k::listing(Shelf::Published, scope), k::by_id(id));
        let item = app.item(&key).await;
        assert!(item.is_some(), "{key:?}");
        app.dynamo
            .delete_item()
            .table_name(&app.table)
            .set_key(Some(key.to_item()))
            .send()
            .await
            .unwrap();
    }
    let now = shared::clock::now_ms().to_string();
    for key in [k::info(id), k::stats(id)] {
        app.dynamo
            .update_item()
            .table_name(&app.table)
            .set_key(Some(key.to_item()))
            .update_expression("SET purging = :now")
            .expression_attribute_values(":now", N(now.clone()))
            .send()
            .await
            .unwrap();
    }
    app.dynamo
        .update_item()
        .table_name(&app.table)
        .set_key(Some(k::category(c).to_item()))
        .update_expression("ADD published_count :m, infos_count :m")
        .expression_attribute_values(":m", N("-1".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        app.rest("GET", &info(&i["id"]), None, None).await.0,
        404,
        "hidden while purging"
    );
    assert_eq!(
        app.rest("PUT", &format!("{}/like", info(&i["id"])), Some(&admin.token), None)
            .await
            .0,
        404
    );
    assert_eq!(
        app.rest("DELETE", &info(&i["id"]), Some(&admin.token), None).await.0,
        204
    );
    assert_eq!(app.count_items(&k::info_partition(id), "").await, 0);
    assert_eq!(category_counts(&app, c).await, (0, 0, 0));
}
