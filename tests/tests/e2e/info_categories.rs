//! Seed 004, info categories: get, list (`trashed`, `count_by_author_id`), create, change, soft
//! delete and delete, each rule of the seed and the races around names and deletes.

use e2e::serde_json::{Value, json};
use e2e::{TestApp, spawn_app_on_own_table, unique};

const CREATE: &str = "/api/v2/infos/categories";

fn category(id: u64) -> String {
    format!("/api/v2/info/categories/{id}")
}

async fn create(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    app.rest("POST", CREATE, Some(token), Some(body)).await
}

#[tokio::test]
async fn seed_004_get_category_answers_every_field() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let name = unique("分类");
    let created = app
        .rest_ok(
            201,
            "POST",
            CREATE,
            Some(&admin.token),
            Some(json!({"name": name, "sort": 3})),
        )
        .await;
    let id = created["id"].as_u64().unwrap();
    let got = app.rest_ok(200, "GET", &category(id), None, None).await;
    assert_eq!(got, created);
    let keys: Vec<&str> = got.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "id",
            "name",
            "icon",
            "sort",
            "published_count",
            "trashed_count",
            "infos_count",
            "created_at",
            "updated_at",
            "deleted_at"
        ]
    );
    assert_eq!(
        (got["name"].as_str(), got["sort"].as_i64()),
        (Some(name.as_str()), Some(3))
    );
    assert_eq!(
        (got["icon"].clone(), got["deleted_at"].clone()),
        (Value::Null, Value::Null)
    );
    let created_at = got["created_at"].as_str().unwrap();
    assert!(
        created_at.len() == 19 && created_at.as_bytes()[10] == b' ',
        "Laravel's time format: {created_at}"
    );
}

#[tokio::test]
async fn seed_004_get_category_404_for_a_missing_id() {
    let app = spawn_app_on_own_table().await;
    for id in ["999999999", "abc"] {
        let (status, body) = app
            .rest("GET", &format!("/api/v2/info/categories/{id}"), None, None)
            .await;
        assert_eq!((status, body), (404, json!({"message": "Category not found."})));
    }
}

#[tokio::test]
async fn seed_004_category_counts_published_trashed_and_all_infos() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let c = app.category(&admin).await;
    let a = app.publish(&admin, c, json!({})).await;
    app.publish(&admin, c, json!({})).await;
    app.patch_info(&admin, &a["id"], json!({"deleted": true})).await;
    let got = app.rest_ok(200, "GET", &category(c), None, None).await;
    assert_eq!(
        (&got["published_count"], &got["trashed_count"], &got["infos_count"]),
        (&json!(1), &json!(1), &json!(2))
    );
}

#[tokio::test]
async fn seed_004_count_by_author_id_adds_the_authors_counts_and_echoes_the_id() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let writer = app.info_user().await;
    let c = app.category(&admin).await;
    let empty = app.category(&admin).await;
    app.publish(&admin, c, json!({"author_id": writer.id})).await;
    app.publish(&admin, c, json!({"author_id": writer.id})).await;
    app.publish(&admin, c, json!({})).await;
    let got = app
        .rest_ok(
            200,
            "GET",
            &format!("{}?count_by_author_id={}", category(c), writer.id),
            None,
            None,
        )
        .await;
    assert_eq!(got["infos_count"], 3);
    assert_eq!(
        (
            &got["author_published_count"],
            &got["author_trashed_count"],
            &got["author_infos_count"],
            &got["count_by_author_id"]
        ),
        (&json!(2), &json!(0), &json!(2), &json!(writer.id))
    );
    let list = app
        .rest_ok(
            200,
            "GET",
            &format!("/api/v2/info/categories?count_by_author_id={}", admin.id),
            None,
            None,
        )
        .await;
    let mine = list.as_array().unwrap().iter().find(|x| x["id"] == c).unwrap();
    assert_eq!(
        (&mine["author_infos_count"], &mine["count_by_author_id"]),
        (&json!(1), &json!(admin.id))
    );
    let other = list.as_array().unwrap().iter().find(|x| x["id"] == empty).unwrap();
    assert_eq!(other["author_infos_count"], 0, "no infos there: zero, not missing");
}

#[tokio::test]
async fn seed_004_list_categories_trashed_without_with_only() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let live = app.category(&admin).await;
    let gone = app.category(&admin).await;
    app.rest_ok(
        200,
        "PATCH",
        &category(gone),
        Some(&admin.token),
        Some(json!({"deleted": true})),
    )
    .await;
    let ids = |list: Value| -> Vec<u64> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_u64().unwrap())
            .collect()
    };
    for (query, has_live, has_gone) in [
        ("", true, false),
        ("?trashed=without", true, false),
        ("?trashed=with", true, true),
        ("?trashed=only", false, true),
    ] {
        let list = ids(app
            .rest_ok(200, "GET", &format!("/api/v2/info/categories{query}"), None, None)
            .await);
        assert_eq!(
            (list.contains(&live), list.contains(&gone)),
            (has_live, has_gone),
            "{query}"
        );
    }
    let (status, body) = app.rest("GET", "/api/v2/info/categories?trashed=all", None, None).await;
    assert_eq!(
        (status, body["errors"].clone()),
        (422, json!({"trashed": ["The selected trashed is invalid."]}))
    );
}

#[tokio::test]
async fn seed_004_list_categories_larger_sort_first() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    for sort in [5, 500, -5] {
        create(&app, &admin.token, json!({"name": unique("s"), "sort": sort})).await;
    }
    let list = app.rest_ok(200, "GET", "/api/v2/info/categories", None, None).await;
    let sorts: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["sort"].as_i64().unwrap())
        .collect();
    let mut sorted = sorts.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(sorts, sorted);
}

#[tokio::test]
async fn seed_004_create_category_401_without_a_token_403_without_infos_admin() {
    let app = spawn_app_on_own_table().await;
    let user = app.info_user().await;
    let body = json!({"name": unique("c"), "sort": 1});
    assert_eq!(
        app.rest("POST", CREATE, None, Some(body.clone())).await,
        (401, json!({"message": "Unauthenticated."}))
    );
    assert_eq!(
        create(&app, &user.token, body).await,
        (403, json!({"message": "This action needs the infos:admin ability."}))
    );
}

#[tokio::test]
async fn seed_004_create_category_422_name_and_sort_required() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let (status, body) = create(&app, &admin.token, json!({})).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({
            "message": "The name field is required. (and 1 more error)",
            "errors": {"name": ["The name field is required."], "sort": ["The sort field is required."]},
        })
    );
    let (status, body) = create(&app, &admin.token, json!({"name": 5, "sort": "x"})).await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"],
        json!({"name": ["The name must be a string."], "sort": ["The sort must be an integer."]})
    );
}

#[tokio::test]
async fn seed_004_create_category_name_at_most_24_in_gb18030_length() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    // 12 CJK characters are 24 in GB18030 length; 13 are 26; 24 ASCII letters are 24.
    let twelve = "资讯分类名称一二三四五六";
    let (status, _) = create(&app, &admin.token, json!({"name": twelve, "sort": 0})).await;
    assert_eq!(status, 201);
    let (status, body) = create(&app, &admin.token, json!({"name": format!("{twelve}七"), "sort": 0})).await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"]["name"],
        json!(["The name may not be greater than 24 characters (a CJK character counts 2)."])
    );
    let (status, _) = create(
        &app,
        &admin.token,
        json!({"name": unique("x").repeat(2)[..24].to_owned(), "sort": 0}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = create(&app, &admin.token, json!({"name": "y".repeat(25), "sort": 0})).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn seed_004_create_category_name_unique() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let name = unique("dup");
    assert_eq!(
        create(&app, &admin.token, json!({"name": name, "sort": 0})).await.0,
        201
    );
    for same in [name.clone(), name.to_uppercase(), format!("  {name} ")] {
        let (status, body) = create(&app, &admin.token, json!({"name": same, "sort": 0})).await;
        assert_eq!(
            (status, body["errors"].clone()),
            (422, json!({"name": ["The name has already been taken."]}))
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn seed_004_two_concurrent_creates_with_one_name_make_one_category() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    for _ in 0..5 {
        let name = unique("race");
        let body = json!({"name": name, "sort": 0});
        let (a, b) = tokio::join!(
            create(&app, &admin.token, body.clone()),
            create(&app, &admin.token, body)
        );
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(statuses, [201, 422], "{a:?} {b:?}");
    }
}

#[tokio::test]
async fn seed_004_post_info_categories_is_also_accepted() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let created = app
        .rest_ok(
            201,
            "POST",
            "/api/v2/info/categories",
            Some(&admin.token),
            Some(json!({"name": unique("alias"), "sort": 0})),
        )
        .await;
    assert!(created["id"].as_u64().is_some());
}

#[tokio::test]
async fn seed_004_update_category_put_and_patch_change_name_icon_and_sort() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let c = app.category(&admin).await;
    let icon = app.image(&admin, 64, 64).await;
    let name = unique("renamed");
    let put = app
        .rest_ok(
            200,
            "PUT",
            &category(c),
            Some(&admin.token),
            Some(json!({"name": name, "sort": 9, "icon": icon})),
        )
        .await;
    assert_eq!(
        (&put["name"], &put["sort"], &put["icon"]["node"]),
        (&json!(name), &json!(9), &json!(icon))
    );
    let patch = app
        .rest_ok(
            200,
            "PATCH",
            &category(c),
            Some(&admin.token),
            Some(json!({"sort": 10})),
        )
        .await;
    assert_eq!((&patch["name"], &patch["sort"]), (&json!(name), &json!(10)));
    assert_eq!(app.rest_ok(200, "GET", &category(c), None, None).await, patch);
}

#[tokio::test]
async fn seed_004_update_category_rename_frees_the_old_name_and_refuses_a_taken_one() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let (a, b) = (app.category(&admin).await, app.category(&admin).await);
    let b_name = app.rest_ok(200, "GET", &category(b), None, None).await["name"].clone();
    let (status, body) = app
        .rest("PATCH", &category(a), Some(&admin.token), Some(json!({"name": b_name})))
        .await;
    assert_eq!(
        (status, body["errors"].clone()),
        (422, json!({"name": ["The name has already been taken."]}))
    );
    let old = app.rest_ok(200, "GET", &category(a), None, None).await["name"].clone();
    app.rest_ok(
        200,
        "PATCH",
        &category(a),
        Some(&admin.token),
        Some(json!({"name": unique("new")})),
    )
    .await;
    assert_eq!(create(&app, &admin.token, json!({"name": old, "sort": 0})).await.0, 201);
}

#[tokio::test]
async fn seed_004_update_category_deleted_soft_deletes_and_restores() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let c = app.category(&admin).await;
    let trashed = app
        .rest_ok(
            200,
            "PATCH",
            &category(c),
            Some(&admin.token),
            Some(json!({"deleted": true})),
        )
        .await;
    assert!(trashed["deleted_at"].is_string());
    let (status, body) = app
        .rest(
            "POST",
            "/api/v2/infos",
            Some(&admin.token),
            Some(json!({"category_id": c, "title": "t", "content": "c"})),
        )
        .await;
    assert_eq!(
        (status, body["errors"].clone()),
        (422, json!({"category_id": ["The selected category id is invalid."]})),
        "no new infos in a deleted category"
    );
    let restored = app
        .rest_ok(
            200,
            "PATCH",
            &category(c),
            Some(&admin.token),
            Some(json!({"deleted": false})),
        )
        .await;
    assert_eq!(restored["deleted_at"], Value::Null);
    app.publish(&admin, c, json!({})).await;
}

#[tokio::test]
async fn seed_004_update_category_401_403_404_422() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let user = app.info_user().await;
    let c = app.category(&admin).await;
    assert_eq!(
        app.rest("PATCH", &category(c), None, Some(json!({"sort": 1}))).await.0,
        401
    );
    assert_eq!(
        app.rest("PATCH", &category(c), Some(&user.token), Some(json!({"sort": 1})))
            .await
            .0,
        403
    );
    assert_eq!(
        app.rest(
            "PATCH",
            &category(999_999_999),
            Some(&admin.token),
            Some(json!({"sort": 1}))
        )
        .await,
        (404, json!({"message": "Category not found."}))
    );
    let (status, body) = app
        .rest(
            "PUT",
            &category(c),
            Some(&admin.token),
            Some(json!({"deleted": "yes", "name": "字".repeat(13)})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["name", "deleted"]
    );
}

#[tokio::test]
async fn seed_004_delete_category_204_then_404() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let c = app.category(&admin).await;
    let name = app.rest_ok(200, "GET", &category(c), None, None).await["name"].clone();
    assert_eq!(
        app.rest("DELETE", &category(c), Some(&admin.token), None).await,
        (204, Value::Null)
    );
    assert_eq!(app.rest("GET", &category(c), None, None).await.0, 404);
    assert_eq!(app.rest("DELETE", &category(c), Some(&admin.token), None).await.0, 404);
    assert_eq!(
        create(&app, &admin.token, json!({"name": name, "sort": 0})).await.0,
        201,
        "the name is free again"
    );
}

#[tokio::test]
async fn seed_004_delete_category_needs_infos_admin() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let user = app.info_user().await;
    let c = app.category(&admin).await;
    assert_eq!(app.rest("DELETE", &category(c), None, None).await.0, 401);
    assert_eq!(app.rest("DELETE", &category(c), Some(&user.token), None).await.0, 403);
    assert_eq!(app.rest("GET", &category(c), None, None).await.0, 200);
}

#[tokio::test]
async fn seed_004_delete_category_refused_while_infos_count_is_positive() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let c = app.category(&admin).await;
    let info = app.publish(&admin, c, json!({})).await;
    let (status, body) = app.rest("DELETE", &category(c), Some(&admin.token), None).await;
    assert_eq!(
        (status, body),
        (
            422,
            json!({"message": "The category has infos (infos_count > 0) and cannot be deleted."})
        )
    );
    // Trashed infos still count.
    app.patch_info(&admin, &info["id"], json!({"deleted": true})).await;
    assert_eq!(app.rest("DELETE", &category(c), Some(&admin.token), None).await.0, 422);
    assert_eq!(
        app.rest(
            "DELETE",
            &format!("/api/v2/infos/{}", info["id"]),
            Some(&admin.token),
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(app.rest("DELETE", &category(c), Some(&admin.token), None).await.0, 204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn seed_004_delete_category_refused_against_an_info_created_concurrently() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    for _ in 0..6 {
        let c = app.category(&admin).await;
        let body = json!({"category_id": c, "title": unique("t"), "content": "c"});
        let path = category(c);
        let (deleted, created) = tokio::join!(
            app.rest("DELETE", &path, Some(&admin.token), None),
            app.rest("POST", "/api/v2/infos", Some(&admin.token), Some(body)),
        );
        match (deleted.0, created.0) {
            (204, 422) => assert_eq!(app.rest("GET", &category(c), None, None).await.0, 404),
            (422, 201) => {
                let got = app.rest_ok(200, "GET", &category(c), None, None).await;
                assert_eq!(got["infos_count"], 1);
            }
            other => panic!("both or neither succeeded: {other:?} {deleted:?} {created:?}"),
        }
    }
}

/// Categories written straight into the table (IDs far above the API's counter), as many as
/// `n`, with their name claims.
async fn fill_categories(app: &TestApp, n: u64) {
    let now = shared::clock::now_ms();
    let items = (1_000_001..=1_000_000 + n)
        .flat_map(|id| e2e::info::filler_category(id, &format!("filled {id}"), now))
        .collect();
    app.put_all(items).await;
}

/// The list route reads every category (the seed pages nothing), so there are at most 200: the
/// 201st create is refused with nothing written, and a delete makes room again.
#[tokio::test]
async fn at_most_200_categories_the_201st_create_is_refused() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    fill_categories(&app, info::MAX_CATEGORIES as u64 - 1).await;
    let (status, last) = create(&app, &admin.token, json!({"name": unique("分类"), "sort": 0})).await;
    assert_eq!(status, 201, "{last}");
    let refused = create(&app, &admin.token, json!({"name": unique("分类"), "sort": 0})).await;
    assert_eq!(
        refused,
        (
            422,
            json!({"message": "There may be at most 200 categories: delete one first."})
        )
    );
    let listed = app.rest_ok(200, "GET", "/api/v2/info/categories", None, None).await;
    assert_eq!(listed.as_array().unwrap().len(), 200, "nothing written by the refusal");
    let id = last["id"].as_u64().unwrap();
    assert_eq!(app.rest("DELETE", &category(id), Some(&admin.token), None).await.0, 204);
    assert_eq!(
        create(&app, &admin.token, json!({"name": unique("分类"), "sort": 0}))
            .await
            .0,
        201,
        "a delete makes room"
    );
}

/// Past the cap (written before it, or two admins at once), the list still reads a bounded
/// number: at most twice the cap.
#[tokio::test]
async fn past_the_cap_the_list_reads_at_most_400_categories() {
    let app = spawn_app_on_own_table().await;
    fill_categories(&app, 450).await;
    app.calls("info-category-list");
    let listed = app.rest_ok(200, "GET", "/api/v2/info/categories", None, None).await;
    assert_eq!(listed.as_array().unwrap().len(), 400);
    let read: usize = app.calls("info-category-list").iter().map(|c| c.items_read).sum();
    assert_eq!(read, 400);
}
